/**
 * @module
 * A deterministic RandomSource for tests and known-answer vectors: SHA-256 in counter mode.
 *
 *   stream = SHA-256(seed || u32be(0)) || SHA-256(seed || u32be(1)) || ...
 *
 * Each call `random(n)` returns the next n bytes of the stream (calls do not start new blocks).
 * NOT a cryptographic generator for real use: anyone who knows the seed knows every output.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from '../../src/internal/random.js';

export function seededRandom(seed: string | Uint8Array): RandomSource {
  const seedBytes = typeof seed === 'string' ? new TextEncoder().encode(seed) : seed.slice();
  let counter = 0;
  let buffer = new Uint8Array(0);
  return (length) => {
    while (buffer.length < length) {
      const input = new Uint8Array(seedBytes.length + 4);
      input.set(seedBytes);
      new DataView(input.buffer).setUint32(seedBytes.length, counter++);
      const next = new Uint8Array(buffer.length + 32);
      next.set(buffer);
      next.set(sha256(input), buffer.length);
      buffer = next;
    }
    const out = buffer.slice(0, length);
    buffer = buffer.slice(length);
    return out;
  };
}

export const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function unhex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) throw new RangeError('bad hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
