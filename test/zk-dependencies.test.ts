/**
 * medshare/zk's optional peer dependencies (src/zk/optional.ts): snarkjs, circom2 and circomlib
 * are loaded only when needed, and a missing one is an ERR_MISSING_DEPENDENCY error whose one
 * line names what needed it and the command that installs it; an error inside an installed
 * package is not mistaken for a missing package.
 */
import { describe, expect, it } from 'vitest';
import { isMedshareError } from '../src/internal/errors.js';
import { isPackageNotFound, loadOptional, missingDependency, missingPackages } from '../src/zk/optional.js';

/** The error Node's ESM loader throws for a package that is not installed. */
function notFound(specifier: string, kind: 'package' | 'module' = 'package') {
  const code = kind === 'package' ? 'ERR_MODULE_NOT_FOUND' : 'MODULE_NOT_FOUND';
  return Object.assign(
    new Error(`Cannot find ${kind} '${specifier}' imported from /app/node_modules/medshare/dist/zk/groth16.js`),
    {
      code,
    },
  );
}

describe('a missing optional peer', () => {
  it('one package: ERR_MISSING_DEPENDENCY, one line naming what needs it, the licence and npm install', () => {
    const e = missingDependency(['snarkjs'], 'medshare/zk prove');
    expect(isMedshareError(e)).toBe(true);
    expect(e.code).toBe('ERR_MISSING_DEPENDENCY');
    expect(e.message).toBe(
      'medshare/zk prove needs snarkjs (GPL-3.0, optional peer dependency of medshare), which is not installed: npm install snarkjs',
    );
  });

  it('two packages: both named, one npm install', () => {
    const e = missingDependency(['circom2', 'circomlib'], 'medshare/zk buildCircuit for n5-b16-k16');
    expect(e.message).toContain(
      'needs circom2 and circomlib (GPL-3.0, optional peer dependencies of medshare), which are not installed',
    );
    expect(e.message.endsWith(': npm install circom2 circomlib')).toBe(true);
    expect(e.message).not.toContain('\n');
  });

  it('loadOptional turns "package not found" into that error and passes every other failure through', async () => {
    const missing = loadOptional('snarkjs', 'medshare/zk prove', () => Promise.reject(notFound('snarkjs')));
    await expect(missing).rejects.toMatchObject({
      code: 'ERR_MISSING_DEPENDENCY',
      message: expect.stringContaining('npm install snarkjs'),
    });
    // snarkjs is installed but one of its own dependencies is not: that is not "install snarkjs".
    const inner = notFound('ffjavascript');
    await expect(loadOptional('snarkjs', 'x', () => Promise.reject(inner))).rejects.toBe(inner);
    const other = new Error('boom');
    await expect(loadOptional('snarkjs', 'x', () => Promise.reject(other))).rejects.toBe(other);
    await expect(loadOptional('snarkjs', 'x', async () => 42)).resolves.toBe(42);
  });

  it('isPackageNotFound matches the package itself and its subpaths, for import and require.resolve', () => {
    expect(isPackageNotFound(notFound('snarkjs'), 'snarkjs')).toBe(true);
    expect(isPackageNotFound(notFound('circom2/cli.js', 'module'), 'circom2')).toBe(true);
    expect(isPackageNotFound(notFound('circom2x'), 'circom2')).toBe(false);
    expect(isPackageNotFound(notFound('circomlib/package.json', 'module'), 'circom2')).toBe(false);
    expect(isPackageNotFound(Object.assign(new Error("Cannot find package 'snarkjs'"), { code: 'EACCES' }), 'snarkjs')).toBe(
      false,
    );
    expect(isPackageNotFound(null, 'snarkjs')).toBe(false);
    expect(isPackageNotFound('snarkjs', 'snarkjs')).toBe(false);
  });

  it('missingPackages: the dev install has the three peers (snarkjs exports no package.json: still found); a made-up name is missing', () => {
    expect(missingPackages(['snarkjs', 'circom2', 'circomlib'])).toEqual([]);
    expect(missingPackages(['snarkjs', 'medshare-no-such-package'])).toEqual(['medshare-no-such-package']);
  });
});
