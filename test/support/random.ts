/**
 * Deterministic randomness for tests: SHA-256 in counter mode over a seed.
 * stream_i = SHA-256("medshare-test-rng" || seed || u32be(i)); bytes are taken in order.
 * The same construction produces the known-answer vectors in test/vectors/.
 */
import { counterModeRandom, type RandomSource } from '../../src/internal/random.js';

export function seededRandom(seed: number | string | Uint8Array): RandomSource {
  const seedBytes =
    seed instanceof Uint8Array ? seed : new TextEncoder().encode(typeof seed === 'number' ? `n:${seed}` : `s:${seed}`);
  const prefix = new TextEncoder().encode('medshare-test-rng');
  const full = new Uint8Array(prefix.length + seedBytes.length);
  full.set(prefix);
  full.set(seedBytes, prefix.length);
  return counterModeRandom(full);
}

/** Fast non-cryptographic filler for large test records (xorshift32). */
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
