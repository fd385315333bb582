/**
 * Optional peer dependencies, loaded when first needed instead of imported at the top of a
 * module: the zk toolchain (snarkjs, circom2, circomlib) for medshare/zk and mcl-wasm for
 * medshare/backend/mcl. `npm install medshare` installs none of them. A missing one is a
 * {@link MedshareError} with the code `ERR_MISSING_DEPENDENCY` whose one-line message names what
 * needed it, the package's licence and the command that installs it.
 *
 * @module
 */
import { MedshareError } from './errors.js';

/**
 * The error for optional peer dependencies that are not installed.
 * @param packages - the missing packages, by their npm names
 * @param needs - what needs them, e.g. `medshare/zk prove`
 * @param licence - their licence, named in the message (the zk toolchain's is GPL-3.0)
 */
export function missingDependency(packages: readonly string[], needs: string, licence = 'GPL-3.0'): MedshareError {
  const names = packages.length === 1 ? (packages[0] as string) : `${packages.slice(0, -1).join(', ')} and ${packages.at(-1)}`;
  const verb = packages.length === 1 ? 'is' : 'are';
  return new MedshareError(
    'ERR_MISSING_DEPENDENCY',
    `${needs} needs ${names} (${licence}, optional peer ${packages.length === 1 ? 'dependency' : 'dependencies'} of medshare), which ${verb} not installed: npm install ${packages.join(' ')}`,
  );
}

/**
 * True iff `error` is Node's module loader saying that the package `name` itself cannot be found
 * (`import` or `require.resolve`), not that something inside an installed package is missing.
 */
export function isPackageNotFound(error: unknown, name: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // "Cannot find package 'snarkjs' imported from ...", "Cannot find module 'circom2/cli.js'".
  return typeof message === 'string' && new RegExp(`Cannot find (?:package|module) '${name}(?:/[^']*)?'`).test(message);
}

/**
 * Loads an optional package with `load`, turning "not installed" into {@link missingDependency}.
 * @param name - the package's npm name
 * @param needs - what needs it, for the message
 * @param load - the import, e.g. `() => import('snarkjs')`
 * @param licence - its licence, for the message
 */
export async function loadOptional<T>(name: string, needs: string, load: () => Promise<T>, licence?: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw isPackageNotFound(error, name) ? missingDependency([name], needs, licence) : error;
  }
}
