/**
 * Deterministic randomness for property tests: SHA-256 in counter mode over a seed.
 * stream_i = SHA-256("medshare-test-rng" || seed || u32be(i)); bytes are taken in order.
 * The same construction produces the known-answer vectors in test/vectors/.
 *
 * @module
 */
import { counterModeRandom, type RandomSource } from '../internal/random.js';

/**
 * A deterministic RandomSource for tests: the same seed gives the same bytes, so a failing case
 * replays exactly. Never use it for real keys.
 * @param seed - a number (as fast-check draws them), a string or bytes; `1` and `'1'` differ
 */
export function seededRandom(seed: number | string | Uint8Array): RandomSource {
  const seedBytes =
    seed instanceof Uint8Array ? seed : new TextEncoder().encode(typeof seed === 'number' ? `n:${seed}` : `s:${seed}`);
  const prefix = new TextEncoder().encode('medshare-test-rng');
  const full = new Uint8Array(prefix.length + seedBytes.length);
  full.set(prefix);
  full.set(seedBytes, prefix.length);
  return counterModeRandom(full);
}

/**
 * Fast non-cryptographic filler for large test records (xorshift32): `length` bytes from `seed`.
 * @param length - how many bytes
 * @param seed - any 32-bit integer (0 is replaced by a fixed nonzero state)
 */
export function fillerBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
