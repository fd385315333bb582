/**
 * @module
 * The source of randomness every algorithm takes as a parameter.
 *
 * No algorithm in medshare reads global randomness on its own: each takes an optional
 * {@link RandomSource}, and only when the caller gives none does it fall back to the
 * platform CSPRNG (`crypto.getRandomValues`, through @noble/hashes). Tests pass a seeded
 * source so that every run is reproducible.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { afunction } from './errors.js';

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
      throw new RangeError(
        `random: source returned ${out instanceof Uint8Array ? out.length : typeof out} bytes, expected ${length}`,
      );
    }
    return out;
  };
}
