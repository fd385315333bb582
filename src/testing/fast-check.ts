/**
 * @module
 * fast-check, loaded once for medshare/testing. fast-check is an optional peer dependency of
 * medshare (only medshare/testing and `medshare check` use it), so it is imported dynamically:
 * when it is not installed, importing medshare/testing fails with {@link MissingDependencyError}
 * (`ERR_MISSING_DEPENDENCY`) naming the package to install, instead of a module-resolution error.
 */
import { MissingDependencyError } from '../internal/errors.js';

/** The fast-check module's namespace (the functions medshare/testing calls). */
export type FastCheck = typeof import('fast-check');

/** The npm package medshare/testing needs. */
export const FAST_CHECK_PACKAGE = 'fast-check';
/** The fast-check versions medshare/testing supports (its peer-dependency range; tested with 4.10). */
export const FAST_CHECK_VERSIONS = '^4.0.0';

/** True iff `error` says that the module `name` could not be found (Node, and bundlers' messages). */
function isNotFound(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = String((error as { message?: unknown } | null)?.message ?? error);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return message.includes(name);
  return /cannot find (module|package)|failed to resolve|could not resolve/i.test(message) && message.includes(name);
}

/**
 * Imports fast-check with `importer` (the default imports the installed package).
 * @throws MissingDependencyError when the package is not installed; any other error as thrown
 */
export async function loadFastCheck(importer: () => Promise<unknown> = () => import('fast-check')): Promise<FastCheck> {
  let imported: unknown;
  try {
    imported = await importer();
  } catch (e) {
    if (isNotFound(e, FAST_CHECK_PACKAGE))
      throw new MissingDependencyError(FAST_CHECK_PACKAGE, 'medshare/testing', FAST_CHECK_VERSIONS);
    throw e;
  }
  const mod = imported as Partial<FastCheck> & { default?: Partial<FastCheck> };
  const fc = typeof mod.property === 'function' ? mod : mod.default;
  if (typeof fc?.property !== 'function' || typeof fc.check !== 'function')
    throw new MissingDependencyError(
      FAST_CHECK_PACKAGE,
      'medshare/testing (the installed fast-check has no property/check)',
      FAST_CHECK_VERSIONS,
    );
  return fc as FastCheck;
}

/** fast-check, for the modules of medshare/testing. */
export const fc: FastCheck = await loadFastCheck();
