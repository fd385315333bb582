/** fast-check arbitraries shared by the property suites. */
import fc from 'fast-check';
import { fillerBytes } from './random.js';

export const MIB = 1 << 20;

/** A record from 0 bytes to 1 MiB, biased to small sizes but always including the extremes. */
export const recordArb: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 64 }) },
      { weight: 3, arbitrary: fc.integer({ min: 65, max: 64 * 1024 }) },
      { weight: 1, arbitrary: fc.integer({ min: 64 * 1024, max: MIB }) },
      { weight: 1, arbitrary: fc.constantFrom(0, MIB) },
    ),
    fc.integer(),
  )
  .map(([length, seed]) => fillerBytes(length, seed));

/** A well-formed, non-empty identity string: any Unicode, up to 64 code points. */
export const identityArb: fc.Arbitrary<string> = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 32 });

/** `count` distinct identities. */
export const identitiesArb = (count: number): fc.Arbitrary<string[]> =>
  fc.uniqueArray(identityArb, { minLength: count, maxLength: count });

/** A seed for the deterministic RandomSource. */
export const seedArb: fc.Arbitrary<number> = fc.integer();
