/**
 * Where medshare keeps files on a user's machine: the platform's per-user cache and data
 * folders, never the working directory. One home for the rule, used by the library
 * (medshare/zk's circuit cache) and by the command line and benchmark.
 *
 * | | Linux and other Unix | macOS | Windows |
 * |---|---|---|---|
 * | cache (compiled circuits; safe to delete) | `$XDG_CACHE_HOME/medshare`, else `~/.cache/medshare` | `~/Library/Caches/medshare` | `%LOCALAPPDATA%\medshare\Cache` |
 * | data (benchmark reports) | `$XDG_DATA_HOME/medshare`, else `~/.local/share/medshare` | `~/Library/Application Support/medshare` | `%LOCALAPPDATA%\medshare\Data` |
 *
 * `MEDSHARE_CACHE_DIR` overrides the cache folder. XDG variables that are not absolute paths are
 * ignored, as the XDG Base Directory specification says. Pure: the environment variables, the
 * platform and the home folder are passed in ({@link Environment}); only
 * {@link processEnvironment} reads the process's, and its callers say where they call it.
 * Node's path module is taken when a function runs, not imported, so that medshare/zk still
 * bundles for browsers (see ./node.ts).
 * @module
 */
import type { PlatformPath } from 'node:path';
import { nodeProcess } from './node.js';

/** What the folders depend on: environment variables, platform and home folder. */
export interface Environment {
  /** Environment variables (`MEDSHARE_CACHE_DIR`, `XDG_CACHE_HOME`, `XDG_DATA_HOME`, `LOCALAPPDATA` are read). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The platform, as `process.platform` names it (`'linux'`, `'darwin'`, `'win32'`, ...). */
  readonly platform: string;
  /** The user's home folder. */
  readonly home: string;
}

const APP = 'medshare';

function pathFor(platform: string): PlatformPath {
  const path = nodeProcess('medshare folders').getBuiltinModule('node:path');
  return platform === 'win32' ? path.win32 : path.posix;
}

function absolute(value: string | undefined, p: PlatformPath): string | undefined {
  return value !== undefined && value !== '' && p.isAbsolute(value) ? value : undefined;
}

function windowsLocal(e: Environment, p: PlatformPath): string {
  return absolute(e.env.LOCALAPPDATA, p) ?? p.join(e.home, 'AppData', 'Local');
}

/**
 * The per-user cache folder of medshare (`MEDSHARE_CACHE_DIR` when set and not empty).
 * @param e - environment variables, platform and home folder
 * @returns an absolute path (not created)
 */
export function cacheDir(e: Environment): string {
  const p = pathFor(e.platform);
  const override = e.env.MEDSHARE_CACHE_DIR;
  if (override !== undefined && override !== '') return p.resolve(override);
  if (e.platform === 'win32') return p.join(windowsLocal(e, p), APP, 'Cache');
  if (e.platform === 'darwin') return p.join(e.home, 'Library', 'Caches', APP);
  return p.join(absolute(e.env.XDG_CACHE_HOME, p) ?? p.join(e.home, '.cache'), APP);
}

/**
 * The per-user data folder of medshare.
 * @param e - environment variables, platform and home folder
 * @returns an absolute path (not created)
 */
export function dataDir(e: Environment): string {
  const p = pathFor(e.platform);
  if (e.platform === 'win32') return p.join(windowsLocal(e, p), APP, 'Data');
  if (e.platform === 'darwin') return p.join(e.home, 'Library', 'Application Support', APP);
  return p.join(absolute(e.env.XDG_DATA_HOME, p) ?? p.join(e.home, '.local', 'share'), APP);
}

/**
 * Where compiled zk circuits go under a cache folder: its `zk-circuits` subfolder.
 * @param cache - a cache folder, e.g. {@link cacheDir}'s
 * @param platform - whose path rules join the names (default: this process's)
 * @returns the folder path (not created)
 */
export function circuitCacheDir(cache: string, platform: string = nodeProcess('medshare folders').platform): string {
  return pathFor(platform).join(cache, 'zk-circuits');
}

/**
 * The folder compiled zk circuits go to by default, for the library and the command line alike:
 * {@link circuitCacheDir} of {@link cacheDir}.
 * @param e - environment variables, platform and home folder
 * @returns an absolute path (not created)
 */
export function defaultCircuitCacheDir(e: Environment): string {
  return circuitCacheDir(cacheDir(e), e.platform);
}

/**
 * This process's environment variables, platform and home folder: the one place that reads them.
 * @returns `process.env`, `process.platform` and `os.homedir()`
 * @throws MedshareError (`ERR_NODE_ONLY`) outside Node.js
 */
export function processEnvironment(): Environment {
  const p = nodeProcess('medshare folders');
  return { env: p.env, platform: p.platform, home: p.getBuiltinModule('node:os').homedir() };
}
