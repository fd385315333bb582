/**
 * fast-check arbitraries for medshare's inputs: identities, records of any size, seeds for a
 * deterministic {@link RandomSource}, and generic mutations of an encoding. The hostile values of
 * each field type and the per-field substitutions are in ./hostile.ts.
 *
 * @module
 */
import type { Arbitrary } from 'fast-check';
import { fc } from './fast-check.js';
import { extend, flipBit, HOSTILE, type FieldSpec, type HostileValue, setByte, spansOf, substitute } from './hostile.js';
import { fillerBytes, type seededRandom } from './random.js';

/** 1 MiB, the largest record {@link recordArb} draws. */
export const MIB: number = 1 << 20;

/**
 * A record from 0 bytes to 1 MiB, biased to small sizes but always including the extremes
 * (0 B and 1 MiB). Its bytes are a fast deterministic filler, so a 1 MiB case costs microseconds to draw.
 */
export const recordArb: Arbitrary<Uint8Array> = fc
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

/** A well-formed, non-empty identity string: any Unicode (grapheme clusters), 1 to 32 graphemes. */
export const identityArb: Arbitrary<string> = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 32 });

/** `count` distinct identities (a patient, a delegatee, a third party, ...). */
export const identitiesArb = (count: number): Arbitrary<string[]> =>
  fc.uniqueArray(identityArb, { minLength: count, maxLength: count });

/** A seed for {@link seededRandom}: every key, nonce and salt a case draws comes from it. */
export const seedArb: Arbitrary<number> = fc.integer();

/** A mutation of an encoding: a function from the valid bytes to the mutated bytes, and what it did. */
export interface Mutation {
  /** What the mutation does, for a counterexample (e.g. `flip bit 17`). */
  readonly label: string;
  /** Applies it to a copy of `bytes`. */
  readonly apply: (bytes: Uint8Array) => Uint8Array;
}

/**
 * Generic mutations of an encoding of `length` bytes: a bit flip, a byte overwrite, a truncation
 * or an extension by 1 to 64 bytes. Shrinks towards the first bit, the first byte, the empty prefix.
 */
export const mutationArb = (length: number): Arbitrary<Mutation> =>
  fc.oneof(
    fc
      .nat({ max: Math.max(0, length * 8 - 1) })
      .map((bit) => ({ label: `flip bit ${bit}`, apply: (b: Uint8Array) => flipBit(b, bit) })),
    fc
      .tuple(fc.nat({ max: Math.max(0, length - 1) }), fc.integer({ min: 0, max: 255 }))
      .map(([i, v]) => ({ label: `byte ${i} := ${v}`, apply: (b: Uint8Array) => setByte(b, i, v) })),
    fc.nat({ max: Math.max(0, length - 1) }).map((n) => ({ label: `first ${n} bytes`, apply: (b: Uint8Array) => b.slice(0, n) })),
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((extra) => ({ label: `${extra.length} bytes appended`, apply: (b: Uint8Array) => extend(b, extra) })),
  );

/** One hostile value put in place of one field of an encoding (see {@link fieldSubstitutionArb}). */
export interface FieldSubstitution {
  /** `field (type) := hostile value`, for a counterexample. */
  readonly label: string;
  /** Whether the value is a valid, canonical value of the field's type (a decoder may accept it). */
  readonly canonical: boolean;
  /** The whole encoding with the field replaced. */
  readonly bytes: Uint8Array;
}

/**
 * Every hostile value of every field of `sample` (an encoding with layout `fields`, as in
 * `LAYOUTS`): the per-field substitutions of medshare's decoder fuzz suite, drawn one at a time.
 * @param headerBytes - length of the encoding's header (3; 0 for a bare AuthSign signature)
 */
export function fieldSubstitutionArb(
  sample: Uint8Array,
  fields: readonly FieldSpec[],
  headerBytes = 3,
): Arbitrary<FieldSubstitution> {
  const all: { span: ReturnType<typeof spansOf>[number]; value: HostileValue }[] = [];
  for (const span of spansOf(sample, fields, headerBytes).slice(1))
    for (const value of HOSTILE[span.type]) all.push({ span, value });
  return fc.nat({ max: all.length - 1 }).map((i) => {
    const { span, value } = all[i] as (typeof all)[number];
    return {
      label: `${span.name} (${span.type}) := ${value.name}`,
      canonical: value.canonical,
      bytes: substitute(sample, span, value.bytes(sample.subarray(span.start, span.end))),
    };
  });
}
