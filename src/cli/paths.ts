/**
 * Where the command line keeps files: the platform's per-user cache and data folders, never the
 * working directory. The folder rules live in ../internal/folders.ts, shared with the library
 * (medshare/zk's default circuit cache); `--cache-dir` overrides `MEDSHARE_CACHE_DIR`, which
 * overrides the platform cache folder. The command line reads the process environment once, at
 * its entry (`run` in ../cli.ts), and passes it down.
 * @module
 */
export {
  cacheDir,
  circuitCacheDir,
  dataDir,
  defaultCircuitCacheDir,
  type Environment,
  processEnvironment,
} from '../internal/folders.js';

/**
 * A folder name for one benchmark run, from its start time: `2026-11-30T12-05-09Z` (no colons,
 * which Windows does not allow in names).
 */
export function runFolderName(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}
