/**
 * @module
 * The source of randomness every algorithm takes as a parameter.
 *
 * No algorithm in medshare reads global randomness on its own: each takes an optional
 * {@link RandomSource}, and only when the caller gives none does it fall back to the
 * platform CSPRNG (`crypto.getRandomValues`, through @noble/hashes). Tests pass a seeded
 * source so that every run is reproducible.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { afunction, ArgumentValueError } from './errors.js';

/** Returns `length` fresh random bytes. Must be cryptographically secure outside tests. */
export type RandomSource = (length: number) => Uint8Array;

/** Options accepted by every randomized algorithm. */
export interface RandomOptions {
  /** Source of randomness; defaults to the platform CSPRNG. */
  random?: RandomSource;
}

/** The platform CSPRNG, as a {@link RandomSource}. */
export const systemRandom: RandomSource = (length) => randomBytes(length);

/** Picks the caller's source, or the system CSPRNG; checks that the source returns the bytes asked for. */
export function randomFrom(options: RandomOptions | undefined): RandomSource {
  const source = options?.random === undefined ? systemRandom : afunction<RandomSource>(options.random, 'random');
  return (length) => {
    const out = source(length);
    if (!(out instanceof Uint8Array) || out.length !== length) {
      throw new ArgumentValueError(
        'random',
        `source returned ${out instanceof Uint8Array ? out.length : typeof out} bytes, expected ${length}`,
      );
    }
    return out;
  };
}

/**
 * A deterministic RandomSource: SHA-256 in counter mode, block_i = SHA-256(prefix || u32be(i)),
 * bytes taken in order. For reproducible tests, vectors and demo runs - never for real keys,
 * since anyone who knows the prefix knows every byte.
 */
export function counterModeRandom(prefix: Uint8Array): RandomSource {
  let counter = 0;
  let buffer = new Uint8Array(0);
  return (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (buffer.length === 0) {
        const block = new Uint8Array(prefix.length + 4);
        block.set(prefix);
        new DataView(block.buffer).setUint32(prefix.length, counter++);
        buffer = sha256(block);
      }
      const n = Math.min(buffer.length, length - filled);
      out.set(buffer.subarray(0, n), filled);
      buffer = buffer.subarray(n);
      filled += n;
    }
    return out;
  };
}
