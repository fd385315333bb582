/**
 * medshare/zk's optional peer dependencies, loaded when first needed instead of imported at the
 * top of a module: snarkjs for key generation and proving, circom2 and circomlib for compiling a
 * circuit. All three are GPL-3.0, and
 * `npm install medshare` installs none of them; verifying proofs, the encodings, the commitments
 * and the hashes need none of them. A missing one is a `MedshareError` with the code
 * `ERR_MISSING_DEPENDENCY` whose one-line message names what needed it and the command that
 * installs it.
 *
 * Bundlers see the literal `import('snarkjs')` and bundle snarkjs, when it is installed, as a
 * lazily loaded module (install it, or mark it external, to bundle medshare/zk for a browser).
 * @module
 */
import type * as Snarkjs from 'snarkjs';
import { isPackageNotFound, loadOptional } from '../internal/optional.js';
import { nodeProcess } from '../internal/node.js';

export { isPackageNotFound, loadOptional, missingDependency } from '../internal/optional.js';

/** The snarkjs module, as medshare/zk uses it (typed in ./vendor.d.ts). */
export type SnarkjsModule = typeof Snarkjs;

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
