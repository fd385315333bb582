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
import { bytesToNumberBE } from '@noble/curves/utils.js';
import {
  Fp_,
  fp12FromBytes,
  G1_BYTES,
  G1Point,
  G2_BYTES,
  G2Point,
  GT_BYTES,
  gtCyclotomicIsMember,
  gtIsCyclotomic,
  gtIsOne,
  gtToBytes,
  ORDER,
  SCALAR_BYTES,
  scalarToBytes,
  type G1,
  type G2,
  type GT,
} from './bls.js';
import { abytes, ArgumentValueError, EncodingError } from './errors.js';
import { identityProblem } from './identity.js';
import { utf8Decode, utf8Encode } from './text.js';

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

const MAX_STRING_BYTES = 0xffff;

/** Appends fields to a growing byte string. */
export class Writer {
  private readonly parts: Uint8Array[] = [];

  constructor(scheme: number, kind: number) {
    this.parts.push(Uint8Array.of(FORMAT_VERSION, scheme, kind));
  }

  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new ArgumentValueError('u8', `${n} is not an integer in [0, 255]`);
    this.parts.push(Uint8Array.of(n));
    return this;
  }
  scalar(k: bigint): this {
    this.parts.push(scalarToBytes(k));
    return this;
  }
  g1(p: G1): this {
    this.parts.push(p.toBytes(true));
    return this;
  }
  g2(p: G2): this {
    this.parts.push(p.toBytes(true));
    return this;
  }
  gt(f: GT): this {
    this.parts.push(gtToBytes(f));
    return this;
  }
  /** u16 length + UTF-8; refuses a string with a lone surrogate, which would not round-trip. */
  string(s: string, field = 'string'): this {
    const bytes = utf8Encode(s, field);
    if (bytes.length > MAX_STRING_BYTES)
      throw new ArgumentValueError('string', `${bytes.length} bytes exceeds ${MAX_STRING_BYTES}`);
    this.parts.push(Uint8Array.of(bytes.length >>> 8, bytes.length & 0xff), bytes);
    return this;
  }
  bytes(b: Uint8Array): this {
    const n = b.length;
    this.parts.push(Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff), b);
    return this;
  }
  finish(): Uint8Array {
    let length = 0;
    for (const p of this.parts) length += p.length;
    const out = new Uint8Array(length);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
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
  if (bytesToNumberBE(top) >= Fp_.ORDER) return `${group} x coordinate is not canonical (>= p)`;
  if (group === 'G2' && bytesToNumberBE(raw.subarray(48, 96)) >= Fp_.ORDER) return 'G2 x coordinate is not canonical (>= p)';
  return undefined;
}

/**
 * Decodes a compressed point that passed {@link pointEncodingProblem}: y from the curve equation
 * (a square root), on the curve, in the prime-order subgroup, canonical. Returns the point or
 * what is wrong.
 */
export function decodePoint<P extends G1 | G2>(
  cons: { fromBytes(b: Uint8Array): P },
  raw: Uint8Array,
  group: 'G1' | 'G2',
): P | string {
  let p: P;
  try {
    p = cons.fromBytes(raw);
    p.assertValidity(); // on the curve and in the prime-order subgroup
  } catch (e) {
    return `not a valid ${group} point (${(e as Error).message})`;
  }
  if (p.is0()) return `${group} identity point is not allowed`;
  if (!equalBytes(p.toBytes(true), raw)) return `non-canonical ${group} encoding`;
  return p;
}

/**
 * Reads and validates fields; every failure is an {@link EncodingError} (a RangeError) naming
 * `what` and the field. Scalars, integers, strings and byte strings are returned at once; points
 * and GT elements as {@link Deferred} values, cheaply pre-checked while reading and fully
 * validated by {@link Reader.end}, which every decoder calls before it returns.
 */
export class Reader {
  private offset = 0;
  private readonly input: Uint8Array;
  private readonly deferred: Deferred<unknown>[] = [];

  /** Checks the type and the 3-byte header of `input`. */
  constructor(
    input: unknown,
    private readonly what: string,
    scheme: number,
    kind: number,
  ) {
    this.input = abytes(input, what);
    if (this.input.length < 3) throw this.fail('header', `too short (${this.input.length} bytes)`);
    const [version, gotScheme, gotKind] = this.input as unknown as [number, number, number];
    if (version !== FORMAT_VERSION) throw this.fail('header', `unknown format version ${version}`);
    if (gotScheme !== scheme) throw this.fail('header', `scheme id ${gotScheme}, expected ${scheme}`);
    if (gotKind !== kind) throw this.fail('header', `object kind ${gotKind}, expected ${kind}`);
    this.offset = 3;
  }

  private fail(field: string, problem: string): EncodingError {
    return new EncodingError(this.what, field, problem);
  }

  private take(n: number, field: string): Uint8Array {
    if (this.offset + n > this.input.length) {
      throw this.fail(field, `truncated: need ${n} bytes at offset ${this.offset}, have ${this.input.length - this.offset}`);
    }
    const out = this.input.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  private defer<T>(validate: () => T): Deferred<T> {
    const d = new Deferred(validate);
    this.deferred.push(d as Deferred<unknown>);
    return d;
  }

  /** One byte, an integer in [min, max]. */
  u8(field: string, min = 0, max = 0xff): number {
    const n = this.take(1, field)[0] as number;
    if (n < min || n > max) throw this.fail(field, `${n} is outside [${min}, ${max}]`);
    return n;
  }

  /** A canonical scalar in [0, r); with `nonZero`, in [1, r). */
  scalar(field: string, nonZero = true): bigint {
    const k = bytesToNumberBE(this.take(SCALAR_BYTES, field));
    if (k >= ORDER) throw this.fail(field, 'scalar is not canonical (>= group order r)');
    if (nonZero && k === 0n) throw this.fail(field, 'scalar is zero');
    return k;
  }

  /** A G1 point (validated by {@link Reader.end}). */
  g1(field: string): Deferred<G1> {
    return this.point(G1Point, this.take(G1_BYTES, field), field, 'G1');
  }

  /** A G2 point (validated by {@link Reader.end}). */
  g2(field: string): Deferred<G2> {
    return this.point(G2Point, this.take(G2_BYTES, field), field, 'G2');
  }

  private point<P extends G1 | G2>(
    cons: { fromBytes(b: Uint8Array): P },
    raw: Uint8Array,
    field: string,
    group: 'G1' | 'G2',
  ): Deferred<P> {
    const problem = pointEncodingProblem(raw, group);
    if (problem !== undefined) throw this.fail(field, problem);
    return this.defer(() => {
      const p = decodePoint(cons, raw, group);
      if (typeof p === 'string') throw this.fail(field, p);
      return p;
    });
  }

  /** An element of GT other than 1 (validated by {@link Reader.end}). */
  gt(field: string): Deferred<GT> {
    const raw = this.take(GT_BYTES, field);
    let f: GT;
    try {
      f = fp12FromBytes(raw);
    } catch (e) {
      throw this.fail(field, `not a canonical Fp12 element (${(e as Error).message})`);
    }
    if (!gtIsCyclotomic(f)) throw this.fail(field, 'not in the order-r subgroup GT (zero, or not cyclotomic)');
    if (gtIsOne(f)) throw this.fail(field, 'the identity of GT (1) is not allowed');
    return this.defer(() => {
      if (!gtCyclotomicIsMember(f)) throw this.fail(field, 'not in the order-r subgroup GT');
      return f;
    });
  }

  /** A u16-length string of well-formed UTF-8, decoded exactly (a leading U+FEFF is kept). */
  string(field: string): string {
    const len = this.take(2, field);
    const n = ((len[0] as number) << 8) | (len[1] as number);
    const s = utf8Decode(this.take(n, field));
    if (s === undefined) throw this.fail(field, 'not well-formed UTF-8');
    return s;
  }

  /** An identity string: well-formed, non-empty, at most MAX_IDENTITY_BYTES of UTF-8. */
  identity(field: string): string {
    const value = this.string(field);
    const problem = identityProblem(value);
    if (problem !== undefined) throw this.fail(field, problem);
    return value;
  }

  bytes(field: string): Uint8Array {
    const len = this.take(4, field);
    const n = (((len[0] as number) << 24) | ((len[1] as number) << 16) | ((len[2] as number) << 8) | (len[3] as number)) >>> 0;
    return this.take(n, field).slice();
  }

  /**
   * Throws unless every byte was consumed; then runs the expensive validation of every point
   * and GT element read, in field order.
   */
  end(): void {
    if (this.offset !== this.input.length) {
      throw this.fail('trailing bytes', `${this.input.length - this.offset} unexpected bytes after the last field`);
    }
    for (const d of this.deferred) d.run();
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
