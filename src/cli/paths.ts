/**
 * Where the command line keeps files: the platform's per-user cache and data folders, never the
 * working directory.
 *
 * | | Linux and other Unix | macOS | Windows |
 * |---|---|---|---|
 * | cache (compiled circuits; safe to delete) | `$XDG_CACHE_HOME/medshare`, else `~/.cache/medshare` | `~/Library/Caches/medshare` | `%LOCALAPPDATA%\medshare\Cache` |
 * | data (benchmark reports) | `$XDG_DATA_HOME/medshare`, else `~/.local/share/medshare` | `~/Library/Application Support/medshare` | `%LOCALAPPDATA%\medshare\Data` |
 *
 * `MEDSHARE_CACHE_DIR` overrides the cache folder (and `--cache-dir` the variable). XDG variables
 * that are not absolute paths are ignored, as the XDG Base Directory specification says.
 * Pure: the environment, the platform and the home folder are passed in.
 * @module
 */
import os from 'node:os';
import path from 'node:path';

/** What the folders depend on. */
export interface Environment {
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.platform`. */
  readonly platform: string;
  /** The user's home folder. */
  readonly home: string;
}

const APP = 'medshare';

function pathFor(platform: string): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function absolute(value: string | undefined, p: path.PlatformPath): string | undefined {
  return value !== undefined && value !== '' && p.isAbsolute(value) ? value : undefined;
}

function windowsLocal(e: Environment, p: path.PlatformPath): string {
  return absolute(e.env.LOCALAPPDATA, p) ?? p.join(e.home, 'AppData', 'Local');
}

/**
 * The per-user cache folder of medshare.
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

/** Where compiled zk circuits go under a cache folder. */
export function circuitCacheDir(cache: string): string {
  return path.join(cache, 'zk-circuits');
}

/**
 * A folder name for one benchmark run, from its start time: `2026-11-30T12-05-09Z` (no colons,
 * which Windows does not allow in names).
 */
export function runFolderName(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}

/** This process's environment variables, platform and home folder. */
export function processEnvironment(): Environment {
  return { env: process.env, platform: process.platform, home: os.homedir() };
}
