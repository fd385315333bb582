/**
 * medshare/zk's optional peer dependencies, loaded when first needed instead of imported at the
 * top of a module: snarkjs for key generation and proving, circom2 and circomlib for compiling a
 * circuit. All three are GPL-3.0, and
 * `npm install medshare` installs none of them; verifying proofs, the encodings, the commitments
 * and the hashes need none of them. A missing one is a {@link MedshareError} with the code
 * `ERR_MISSING_DEPENDENCY` whose one-line message names what needed it and the command that
 * installs it.
 *
 * Bundlers see the literal `import('snarkjs')` and bundle snarkjs, when it is installed, as a
 * lazily loaded module (install it, or mark it external, to bundle medshare/zk for a browser).
 * @module
 */
import type * as Snarkjs from 'snarkjs';
import { MedshareError } from '../internal/errors.js';
import { nodeProcess } from '../internal/node.js';

/** The snarkjs module, as medshare/zk uses it (typed in ./vendor.d.ts). */
export type SnarkjsModule = typeof Snarkjs;

/**
 * The error for optional peer dependencies that are not installed.
 * @param packages - the missing packages, by their npm names
 * @param needs - what needs them, e.g. `medshare/zk prove`
 */
export function missingDependency(packages: readonly string[], needs: string): MedshareError {
  const names = packages.length === 1 ? (packages[0] as string) : `${packages.slice(0, -1).join(', ')} and ${packages.at(-1)}`;
  const verb = packages.length === 1 ? 'is' : 'are';
  return new MedshareError(
    'ERR_MISSING_DEPENDENCY',
    `${needs} needs ${names} (GPL-3.0, optional peer ${packages.length === 1 ? 'dependency' : 'dependencies'} of medshare), which ${verb} not installed: npm install ${packages.join(' ')}`,
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
 */
export async function loadOptional<T>(name: string, needs: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw isPackageNotFound(error, name) ? missingDependency([name], needs) : error;
  }
}

let snarkjs: Promise<SnarkjsModule> | undefined;

/**
 * snarkjs, loaded once.
 * @param needs - what needs it, for the message when it is not installed (e.g. `medshare/zk prove`)
 * @throws MedshareError (`ERR_MISSING_DEPENDENCY`) when snarkjs is not installed
 */
export function loadSnarkjs(needs: string): Promise<SnarkjsModule> {
  const loading = snarkjs ?? loadOptional('snarkjs', needs, () => import('snarkjs'));
  snarkjs = loading;
  // A failure is not remembered: installing snarkjs while the process runs is then noticed.
  loading.catch(() => {
    if (snarkjs === loading) snarkjs = undefined;
  });
  return loading;
}

/**
 * Which of the packages `names` cannot be found from medshare's own folder, where medshare/zk
 * loads them from (Node only). A package found but exporting no `package.json` counts as found.
 * @param names - npm package names
 * @returns the missing ones, in the order given
 */
export function missingPackages(names: readonly string[]): string[] {
  const { createRequire } = nodeProcess('medshare/zk').getBuiltinModule('node:module');
  const require = createRequire(import.meta.url);
  return names.filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch (error) {
      return isPackageNotFound(error, name);
    }
  });
}
