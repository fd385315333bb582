/**
 * Byte encodings shared by every medshare object, and their validating decoder.
 *
 * Layout of every encoded object: a 3-byte header (format version, scheme id, object kind)
 * followed by fixed-width fields in declaration order:
 * - scalar: 32 bytes big-endian, canonical (< r);
 * - G1 / G2 point: 48 / 96 bytes, compressed (ZCash / IETF BLS format), canonical, on the
 *   curve, in the prime-order subgroup, not the identity;
 * - GT element: 576 bytes (Fp12 as twelve 48-byte big-endian Fp coordinates), canonical,
 *   in the order-r subgroup, neither 0 (not in GT at all) nor 1 (the identity, which no honest
 *   object holds except with probability about 1/r);
 * - u8: one byte, an integer in a range the field names (tags, counts, indices);
 * - string: u16 big-endian byte length + UTF-8 (well-formed, exactly one encoding per string:
 *   a leading U+FEFF is part of the string, see ./text.ts);
 * - bytes: u32 big-endian length + raw bytes.
 *
 * {@link Reader} checks every one of these and throws an EncodingError naming the object and
 * the field, so a decoder never returns an object that would fail later. It checks in two
 * passes: while reading, everything that costs no curve arithmetic (lengths, ranges, strings,
 * point flags and coordinates below p, GT elements nonzero and cyclotomic); then in
 * {@link Reader.end}, trailing bytes and only then the expensive checks (square roots and
 * subgroup checks of points, the exponentiation of the GT test) in field order. Malformed bytes
 * are therefore refused in microseconds, before any exponentiation.
 * @module
 */
import { bytesToNumberBE, equalBytes } from '@noble/curves/utils.js';
import type { Groups, PairingBackend, PointGroup } from '../backend/types.js';
import { Fp, G1_BYTES, G2_BYTES, GT_BYTES, ORDER, SCALAR_BYTES, scalarToBytes } from './bls.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { abytes } from './errors.js';
import { identityProblem } from './identity.js';

export const FORMAT_VERSION = 1;

/** Scheme ids written in byte 1 of every encoding. */
export const SchemeId = { huang2020: 1, ga07: 2, authSign: 3 } as const;

/** Object kinds written in byte 2 of every encoding. */
export const Kind = {
  params: 1,
  masterKey: 2,
  secretKey: 3,
  reKey: 4,
  ciphertext: 5,
  signingKey: 6,
  signature: 7,
  /** One proxy's share of a threshold re-encryption key (ga07). */
  reKeyShare: 8,
  /** The public commitments the delegator publishes with a (shared) re-encryption key (ga07). */
  reKeyCommitment: 9,
  /** One proxy's (partial) re-encryption with its proof of correctness (ga07). */
  reEncryptionShare: 10,
} as const;

/**
 * Appends an object's fields after its 3-byte header; group elements are written by `backend`.
 * The integers, byte strings and `finish` are {@link ByteWriter}'s; strings carry a u16 length
 * in this format ({@link ByteWriter.shortString}).
 */
export class Writer<E extends Groups = Groups> extends ByteWriter {
  constructor(
    private readonly backend: PairingBackend<E>,
    scheme: number,
    kind: number,
  ) {
    super();
    this.u8(FORMAT_VERSION).u8(scheme).u8(kind);
  }

  scalar(k: bigint): this {
    return this.raw(scalarToBytes(k));
  }
  g1(p: E['G1']): this {
    return this.raw(p.toBytes(true));
  }
  g2(p: E['G2']): this {
    return this.raw(p.toBytes(true));
  }
  gt(f: E['GT']): this {
    return this.raw(this.backend.GT.toBytes(f));
  }
  /** u16 length + UTF-8 (this format's strings); refuses a string with a lone surrogate. */
  override string(s: string, field = 'string'): this {
    return this.shortString(s, field);
  }
}

/**
 * A field value whose expensive validation runs in {@link Reader.end}. Reading `value` before
 * `end()` has validated it is a programming error.
 */
export class Deferred<T> {
  private result: { value: T } | undefined;

  constructor(private readonly validate: () => T) {}

  /** Runs the expensive validation (once). */
  run(): void {
    this.result ??= { value: this.validate() };
  }

  /** The validated value. */
  get value(): T {
    if (this.result === undefined) throw new Error('internal: a decoded field was read before Reader.end()');
    return this.result.value;
  }
}

/** Compression, infinity and sort flags of the first byte of a compressed point. */
const COMPRESSED = 0x80;
const INFINITY = 0x40;
const FLAGS = 0xe0;

/**
 * The cheap checks of a compressed G1 (48-byte) or G2 (96-byte) encoding: the compression flag
 * is set, the infinity flag is not (the identity is refused everywhere), and every coordinate
 * of x is below p. Returns what is wrong, or `undefined`. No square root, no curve arithmetic.
 */
export function pointEncodingProblem(raw: Uint8Array, group: 'G1' | 'G2'): string | undefined {
  const first = raw[0] as number;
  if ((first & COMPRESSED) === 0) return `not a compressed ${group} point (compression flag not set)`;
  if ((first & INFINITY) !== 0) return `${group} identity point is not allowed`;
  const top = raw.slice(0, 48);
  top[0] = first & ~FLAGS;
  if (bytesToNumberBE(top) >= Fp.ORDER) return `${group} x coordinate is not canonical (>= p)`;
  if (group === 'G2' && bytesToNumberBE(raw.subarray(48, 96)) >= Fp.ORDER) return 'G2 x coordinate is not canonical (>= p)';
  return undefined;
}

/**
 * Decodes a compressed point that passed {@link pointEncodingProblem}: y from the curve equation
 * (a square root), on the curve, in the prime-order subgroup (the backend's decoder), not the
 * identity, canonical. Returns the point or what is wrong.
 */
export function decodePoint<P extends { is0(): boolean; toBytes(compressed?: boolean): Uint8Array }>(
  group: PointGroup<P>,
  raw: Uint8Array,
  name: 'G1' | 'G2',
): P | string {
  let p: P;
  try {
    p = group.fromBytes(raw); // on the curve and in the prime-order subgroup
  } catch (e) {
    return `not a valid ${name} point (${(e as Error).message})`;
  }
  if (p.is0()) return `${name} identity point is not allowed`;
  if (!equalBytes(p.toBytes(true), raw)) return `non-canonical ${name} encoding`;
  return p;
}

/**
 * Reads and validates fields; every failure is an {@link EncodingError} (a RangeError) naming
 * `what` and the field. Scalars, integers, strings and byte strings are returned at once; points
 * and GT elements as {@link Deferred} values, cheaply pre-checked while reading and fully
 * validated by {@link Reader.end}, which every decoder calls before it returns.
 */
export class Reader<E extends Groups = Groups> extends ByteReader {
  private readonly deferred: Deferred<unknown>[] = [];

  /** Checks the type and the 3-byte header of `input`; group elements are decoded by `backend`. */
  constructor(
    private readonly backend: PairingBackend<E>,
    input: unknown,
    what: string,
    scheme: number,
    kind: number,
  ) {
    super(abytes(input, what), what);
    if (this.input.length < 3) throw this.fail('header', `too short (${this.input.length} bytes)`);
    const [version, gotScheme, gotKind] = this.input as unknown as [number, number, number];
    if (version !== FORMAT_VERSION) throw this.fail('header', `unknown format version ${version}`);
    if (gotScheme !== scheme) throw this.fail('header', `scheme id ${gotScheme}, expected ${scheme}`);
    if (gotKind !== kind) throw this.fail('header', `object kind ${gotKind}, expected ${kind}`);
    this.offset = 3;
  }

  private defer<T>(validate: () => T): Deferred<T> {
    const d = new Deferred(validate);
    this.deferred.push(d as Deferred<unknown>);
    return d;
  }

  /** A canonical scalar in [0, r); with `nonZero`, in [1, r). */
  scalar(field: string, nonZero = true): bigint {
    const k = bytesToNumberBE(this.take(SCALAR_BYTES, field));
    if (k >= ORDER) throw this.fail(field, 'scalar is not canonical (>= group order r)');
    if (nonZero && k === 0n) throw this.fail(field, 'scalar is zero');
    return k;
  }

  /** A G1 point (validated by {@link Reader.end}). */
  g1(field: string): Deferred<E['G1']> {
    return this.point(this.backend.G1, this.take(G1_BYTES, field), field, 'G1');
  }

  /** A G2 point (validated by {@link Reader.end}). */
  g2(field: string): Deferred<E['G2']> {
    return this.point(this.backend.G2, this.take(G2_BYTES, field), field, 'G2');
  }

  private point<P extends E['G1'] | E['G2']>(
    group: PointGroup<P>,
    raw: Uint8Array,
    field: string,
    name: 'G1' | 'G2',
  ): Deferred<P> {
    const problem = pointEncodingProblem(raw, name);
    if (problem !== undefined) throw this.fail(field, problem);
    return this.defer(() => {
      const p = decodePoint(group, raw, name);
      if (typeof p === 'string') throw this.fail(field, p);
      return p;
    });
  }

  /** An element of GT other than 1 (validated by {@link Reader.end}). */
  gt(field: string): Deferred<E['GT']> {
    const raw = this.take(GT_BYTES, field);
    const GT = this.backend.GT;
    let f: E['GT'];
    try {
      f = GT.fromBytes(raw);
    } catch (e) {
      throw this.fail(field, `not a canonical Fp12 element (${(e as Error).message})`);
    }
    if (!GT.isCyclotomic(f)) throw this.fail(field, 'not in the order-r subgroup GT (zero, or not cyclotomic)');
    if (GT.isOne(f)) throw this.fail(field, 'the identity of GT (1) is not allowed');
    return this.defer(() => {
      if (!GT.cyclotomicIsMember(f)) throw this.fail(field, 'not in the order-r subgroup GT');
      return f;
    });
  }

  /** A u16-length string of well-formed UTF-8, decoded exactly (a leading U+FEFF is kept). */
  override string(field: string): string {
    return this.shortString(field);
  }

  /** An identity string: well-formed, non-empty, at most MAX_IDENTITY_BYTES of UTF-8. */
  identity(field: string): string {
    const value = this.string(field);
    const problem = identityProblem(value);
    if (problem !== undefined) throw this.fail(field, problem);
    return value;
  }

  /** A u32-length byte string of any length (a sealed record may be large). */
  override bytes(field: string): Uint8Array {
    return super.bytes(field, 0xffffffff);
  }

  /**
   * Throws unless every byte was consumed; then runs the expensive validation of every point
   * and GT element read, in field order.
   */
  override end(): void {
    super.end();
    for (const d of this.deferred) d.run();
  }
}
