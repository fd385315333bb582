/**
 * fast-check, loaded once for medshare/testing. fast-check is an optional peer dependency of
 * medshare (only medshare/testing and `medshare check` use it), so it is imported dynamically:
 * when it is not installed, importing medshare/testing fails with a MedshareError
 * `ERR_MISSING_DEPENDENCY` naming the package to install, instead of a module-resolution error.
 *
 * @module
 */
import { MedshareError } from '../internal/errors.js';
import { loadOptional } from '../internal/optional.js';

/** The fast-check module's namespace (the functions medshare/testing calls). */
export type FastCheck = typeof import('fast-check');

/** The npm package medshare/testing needs. */
export const FAST_CHECK_PACKAGE = 'fast-check';
/** The fast-check versions medshare/testing supports (its peer-dependency range; tested with 4.10). */
export const FAST_CHECK_VERSIONS = '^4.0.0';

/**
 * Imports fast-check with `importer` (the default imports the installed package).
 * @throws MedshareError (`ERR_MISSING_DEPENDENCY`) when the package is not installed, or has no
 *   `property` / `check` (not fast-check 4); any other error as thrown
 */
export async function loadFastCheck(importer: () => Promise<unknown> = () => import('fast-check')): Promise<FastCheck> {
  const mod = (await loadOptional(FAST_CHECK_PACKAGE, 'medshare/testing', importer, 'MIT')) as Partial<FastCheck> & {
    default?: Partial<FastCheck>;
  };
  const fc = typeof mod.property === 'function' ? mod : mod.default;
  if (typeof fc?.property !== 'function' || typeof fc.check !== 'function')
    throw new MedshareError(
      'ERR_MISSING_DEPENDENCY',
      `medshare/testing needs ${FAST_CHECK_PACKAGE}@'${FAST_CHECK_VERSIONS}'; the installed one has no property() and check()`,
    );
  return fc as FastCheck;
}

/** fast-check, for the modules of medshare/testing. */
export const fc: FastCheck = await loadFastCheck();
