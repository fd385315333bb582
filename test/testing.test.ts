/**
 * medshare/testing itself: the laws catch a deliberately broken scheme with a shrunk
 * counterexample that replays, pass the same scheme once it is fixed, and a missing fast-check
 * is ERR_MISSING_DEPENDENCY.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isMedshareError, MedshareError } from '../src/internal/errors.js';
import { loadFastCheck } from '../src/testing/fast-check.js';
import { type Block, MemoryBlockStore, MemoryNodeStorage } from '../src/ledger/index.js';
import {
  blockStoreProperties,
  checkLaw,
  nodeStorageProperties,
  type LawResult,
  LAYOUTS,
  preSchemeProperties,
  spansOf,
} from '../src/testing/index.js';
import { nonceBit, toyScheme } from './support/toy-scheme.js';

const SEED = 20261130;

describe('preSchemeProperties against a third-party scheme (a hash-based toy behind PreScheme)', () => {
  it('the toy with a MAC passes every law (control: the laws do not ask more than the interface promises)', () => {
    // runs: 6 for the laws over records of up to 1 MiB (the toy's SHA-256 keystream is slow in JavaScript).
    const laws = preSchemeProperties(toyScheme({ authenticated: true }), { multiHop: true, runs: 6 });
    expect(laws.length).toBeGreaterThanOrEqual(11);
    const failed = laws.map((law) => checkLaw(law, { seed: SEED })).filter((r) => !r.passed);
    expect(failed.map((r) => `${r.name}: ${r.error} ${r.counterexample}`)).toEqual([]);
  });

  describe('the toy without a MAC (the deliberate bug) is caught by the tamper laws', () => {
    const laws = preSchemeProperties(toyScheme({ authenticated: false }), { multiHop: true, runs: 6 });
    const results = new Map<string, LawResult>();
    beforeAll(() => {
      for (const law of laws) results.set(law.name, checkLaw(law, { seed: SEED }));
    });
    const tamper = (which: string) =>
      results.get(
        `toy-unauthenticated: any flipped bit of an encoded ${which} ciphertext makes decode throw RangeError or decrypt throw DecryptionError`,
      ) as LawResult;

    it('exactly the two tamper laws fail; every other law passes', () => {
      const failed = [...results.values()].filter((r) => !r.passed).map((r) => r.name);
      expect(failed).toEqual([tamper('original').name, tamper('re-encrypted').name]);
    });

    it('the counterexample is shrunk to the first bit the scheme does not protect: the first bit of the nonce', () => {
      // The tamper laws' fixed ciphertexts are for patient:tamper, re-encrypted to institute:tamper;
      // every bit before the nonce (header, length, recipient) is refused, every bit from it on is not.
      const original = tamper('original');
      expect(original.passed).toBe(false);
      expect(original.counterexample).toBe(`[${nonceBit('patient:tamper')}]`);
      expect(original.error).toMatch(
        /^LawViolation: the original ciphertext with bit 160 flipped is refused, but it returned normally$/,
      );
      expect(original.shrinks).toBeGreaterThan(0);
      expect(tamper('re-encrypted').counterexample).toBe(`[${nonceBit('institute:tamper')}]`);
    });

    it('the failure replays from its seed and path, alone', () => {
      const original = tamper('original');
      const law = laws.find((l) => l.name === original.name);
      expect(law).toBeDefined();
      if (law === undefined || original.path === undefined) throw new Error('no law or no path');
      const replay = checkLaw(law, { seed: original.seed, path: original.path });
      expect(replay.passed).toBe(false);
      expect(replay.counterexample).toBe(original.counterexample);
      expect(replay.runs).toBe(1);
      const again = checkLaw(law, { seed: original.seed });
      expect(again.counterexample).toBe(original.counterexample);
      expect(again.path).toBe(original.path);
    });
  });
});

describe('blockStoreProperties against broken stores', () => {
  it('a store that appends without checking the link is caught by the refusal law, with a shrunk case', () => {
    class Careless extends MemoryBlockStore {
      override append(block: Block): void {
        this.chain.push(block);
      }
    }
    const laws = blockStoreProperties({ create: () => new Careless(), runs: 6 });
    const [agreement, refusal] = laws.map((law) => checkLaw(law, { seed: SEED }));
    expect(agreement?.passed).toBe(true); // honest appends behave
    expect(refusal?.passed).toBe(false);
    expect(refusal?.error).toMatch(
      /^LawViolation: appending a (gap|repeat|link) at height \d+ throws RangeError, but it returned normally$/,
    );
    // Shrunk towards the first position: the bad block offered to an empty store, or right after its first block.
    expect(refusal?.error).toMatch(/at height [12] /);
  });

  it('a store that forgets on reopening is caught by the reopening law', () => {
    const laws = blockStoreProperties({ create: () => new MemoryBlockStore(), reopen: () => new MemoryBlockStore(), runs: 10 });
    const reopening = checkLaw(laws[2] as (typeof laws)[number], { seed: SEED });
    expect(reopening.passed).toBe(false);
    expect(reopening.error).toBe('LawViolation: reopened after 1 blocks: height 0, expected 1');
  });
});

describe('nodeStorageProperties against a broken storage', () => {
  it('a storage whose saved state does not survive a crash is caught, on the first save followed by a crash', () => {
    class Forgetful extends MemoryNodeStorage {
      override crash(): void {
        this.saveReplica(new Uint8Array(0));
      }
    }
    const [replica] = nodeStorageProperties({ create: () => new Forgetful(), runs: 20 }).map((law) =>
      checkLaw(law, { seed: SEED }),
    );
    expect(replica?.passed).toBe(false);
    expect(replica?.error).toBe('LawViolation: save 1 and a crash: loadReplica() returned other bytes');
    expect(replica?.counterexample).toBe('[[[Uint8Array.from([0]),true]]]');
  });
});

describe('hostile layouts ship for the built-in schemes', () => {
  it('LAYOUTS.ga07 covers an encoded original ciphertext exactly (spansOf throws otherwise)', async () => {
    const { ga07 } = await import('../src/pre/index.js');
    const { seededRandom } = await import('../src/testing/random.js');
    const { params } = ga07.setup({ random: seededRandom('layouts') });
    const ct = ga07.encodeCiphertext(ga07.encrypt(params, 'patient:x', new Uint8Array(5), { random: seededRandom(1) }));
    expect(spansOf(ct, LAYOUTS.ga07.originalCiphertext).map((s) => s.name)).toEqual([
      'header',
      'form',
      'recipient',
      'C1',
      'C2',
      'sealed',
    ]);
  });
});

describe('fast-check is an optional peer dependency', () => {
  const notFound = (message: string, code = 'ERR_MODULE_NOT_FOUND') => Object.assign(new Error(message), { code });

  const code = (e: unknown) => (isMedshareError(e) ? e.code : String(e));

  it('a missing fast-check is ERR_MISSING_DEPENDENCY naming the package and how to install it', async () => {
    const error = await loadFastCheck(() =>
      Promise.reject(
        notFound("Cannot find package 'fast-check' imported from /app/node_modules/medshare/dist/testing/fast-check.js"),
      ),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedshareError);
    expect(code(error)).toBe('ERR_MISSING_DEPENDENCY');
    expect((error as Error).message).toBe(
      'medshare/testing needs fast-check (MIT, optional peer dependency of medshare), which is not installed: npm install fast-check',
    );
  });

  it('another failure while loading it is not disguised; a package without property/check is refused', async () => {
    await expect(loadFastCheck(() => Promise.reject(notFound("Cannot find module 'pure-rand'")))).rejects.toThrow(
      "Cannot find module 'pure-rand'",
    );
    await expect(loadFastCheck(() => Promise.reject(new SyntaxError('Unexpected token')))).rejects.toThrow(SyntaxError);
    const wrong = await loadFastCheck(() => Promise.resolve({ default: {} })).catch((e: unknown) => e);
    expect(code(wrong)).toBe('ERR_MISSING_DEPENDENCY');
    expect(String(wrong)).toContain("needs fast-check@'^4.0.0'");
  });

  it('the installed fast-check loads, as a namespace or as a default export', async () => {
    const fc = await import('fast-check');
    expect(typeof (await loadFastCheck(() => Promise.resolve(fc))).property).toBe('function');
    expect(typeof (await loadFastCheck(() => Promise.resolve({ default: fc.default }))).check).toBe('function');
  });
});
