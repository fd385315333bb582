/**
 * @module
 * Shared fixture for the ga07 tests: one PKG and a few identities, all from a fixed seed so
 * that every run is reproducible.
 */
import type { Groups } from '../../src/backend/types.js';
import {
  type Ga07MasterKey,
  type Ga07Params,
  type Ga07Scheme,
  type Ga07SecretKey,
  ga07 as nobleGa07,
} from '../../src/pre/ga07.js';
import { seededRandom } from '../../src/testing/random.js';

export const ALICE = 'patient:alice';
export const BOB = 'institute:oncology-lab';
export const CAROL = 'institute:other-lab';

export interface Fixture<E extends Groups = Groups> {
  params: Ga07Params<E>;
  masterKey: Ga07MasterKey;
  alice: Ga07SecretKey<E>;
  bob: Ga07SecretKey<E>;
  carol: Ga07SecretKey<E>;
}

/** One PKG and three identities from `seed`, with `ga07` on any backend (default: noble). */
export function makeFixture<E extends Groups = Groups>(
  seed = 'medshare-ga07-test-fixture',
  ga07: Ga07Scheme<E> = nobleGa07 as unknown as Ga07Scheme<E>,
): Fixture<E> {
  const { params, masterKey } = ga07.setup({ random: seededRandom(seed) });
  return {
    params,
    masterKey,
    alice: ga07.keyGen(params, masterKey, ALICE),
    bob: ga07.keyGen(params, masterKey, BOB),
    carol: ga07.keyGen(params, masterKey, CAROL),
  };
}

/** Deterministic pseudo-random record bytes of a given length. */
export function recordOf(length: number, salt = 0): Uint8Array {
  const out = new Uint8Array(length);
  let x = (0x9e3779b9 ^ salt) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Byte equality that stays fast for megabyte records (deep `toEqual` does not). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

export function unhex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) throw new RangeError('not lowercase hex of whole bytes');
  return Uint8Array.from(Buffer.from(s, 'hex'));
}
