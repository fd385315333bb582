/**
 * Hostile inputs for medshare's byte formats: a per-field layout description of each encoding,
 * tables of hostile values for every field type, and the mutators a decoder fuzz suite draws
 * from (bit flips, truncations, extensions, random bytes, per-field substitutions). Typed and
 * free of test-runner dependencies (part of medshare/testing; medshare's decoder fuzz suite
 * runs it).
 *
 * Field types follow the codec of src/internal/codec.ts: `u8` (1 byte), `scalar` (32 bytes,
 * canonical below r), `g1` / `g2` (48 / 96-byte compressed points), `gt` (576 bytes), `string`
 * (u16 length + UTF-8; `identity` is a string the decoder also checks as an identity) and
 * `bytes` (u32 length + raw bytes). Every encoding starts with a 3-byte header.
 *
 * @module
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';

const { Fp, Fp2, Fp12, Fr } = bls12_381.fields;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;
type Fp2Element = ReturnType<typeof Fp2.create>;
type Fp12Element = ReturnType<typeof Fp12.create>;

/** The type of one field of an encoding. */
export type FieldType = 'u8' | 'scalar' | 'g1' | 'g2' | 'gt' | 'string' | 'identity' | 'bytes';

/** One field of a layout, in encoding order. */
export interface FieldSpec {
  /** The field's name, as the decoder's errors name it. */
  readonly name: string;
  /** Its type. */
  readonly type: FieldType;
}

/** Where a field lies in a concrete encoding: `start` to `end` (exclusive), length prefix included. */
export interface Span extends FieldSpec {
  /** Offset of the field's first byte (its length prefix, if any). */
  readonly start: number;
  /** Offset just after the field. */
  readonly end: number;
}

const FIXED: Partial<Record<FieldType, number>> = { u8: 1, scalar: 32, g1: 48, g2: 96, gt: 576 };

/**
 * The spans of `fields` in `bytes`, after the header (returned first, as field `header`; 3 bytes
 * for the codec's objects, 0 for a bare signature).
 * @throws Error when the bytes do not follow the layout (a bug in the layout, not in the input)
 */
export function spansOf(bytes: Uint8Array, fields: readonly FieldSpec[], headerBytes = 3): Span[] {
  const spans: Span[] = [{ name: 'header', type: 'bytes', start: 0, end: headerBytes }];
  let at = headerBytes;
  for (const f of fields) {
    let length = FIXED[f.type];
    if (length === undefined) {
      const prefix = f.type === 'bytes' ? 4 : 2;
      let n = 0;
      for (let i = 0; i < prefix; i++) n = n * 256 + (bytes[at + i] as number);
      length = prefix + n;
    }
    spans.push({ ...f, start: at, end: at + length });
    at += length;
  }
  if (at !== bytes.length) throw new Error(`layout covers ${at} bytes of ${bytes.length}`);
  return spans;
}

/** Replaces the bytes of `span` in `bytes` by `replacement` (which may have another length). */
export function substitute(bytes: Uint8Array, span: Span, replacement: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - (span.end - span.start) + replacement.length);
  out.set(bytes.subarray(0, span.start));
  out.set(replacement, span.start);
  out.set(bytes.subarray(span.end), span.start + replacement.length);
  return out;
}

/** Flips bit `bit` (0 = most significant of byte 0) of a copy of `bytes`. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >>> 3] = (out[bit >>> 3] as number) ^ (0x80 >>> (bit & 7));
  return out;
}

/** A copy of `bytes` with byte `at` set to `value`. */
export function setByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  out[at] = value;
  return out;
}

/** `bytes` followed by `extra`. */
export function extend(bytes: Uint8Array, extra: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes);
  out.set(extra, bytes.length);
  return out;
}

// ---------------------------------------------------------------- layouts

const field = (name: string, type: FieldType): FieldSpec => ({ name, type });
const META: readonly FieldSpec[] = [
  field('delegator', 'identity'),
  field('delegatee', 'identity'),
  field('threshold', 'u8'),
  field('total', 'u8'),
];

/**
 * The per-field layouts of medshare's pre / sign encodings, after the 3-byte header (a bare
 * AuthSign signature has none), as src/internal/codec.ts and test/vectors/README.md describe them.
 */
export const LAYOUTS = {
  /** ga07 and its verifiable layer. */
  ga07: {
    /** Public parameters. */
    params: [field('mpk', 'g2')],
    /** Master key. */
    masterKey: [field('s', 'scalar')],
    /** Secret key. */
    secretKey: [field('identity', 'identity'), field('key', 'g1')],
    /** Re-encryption key. */
    reKey: [
      field('delegator', 'identity'),
      field('delegatee', 'identity'),
      field('R1', 'g2'),
      field('R2', 'gt'),
      field('R3', 'g1'),
    ],
    /** Original ciphertext (form 0). */
    originalCiphertext: [
      field('form', 'u8'),
      field('recipient', 'identity'),
      field('C1', 'g2'),
      field('C2', 'gt'),
      field('sealed', 'bytes'),
    ],
    /** Re-encrypted ciphertext (form 1). */
    reEncryptedCiphertext: [
      field('form', 'u8'),
      field('recipient', 'identity'),
      field('delegator', 'identity'),
      field('C1', 'g2'),
      field('C2', 'gt'),
      field('R1', 'g2'),
      field('R2', 'gt'),
      field('sealed', 'bytes'),
    ],
    /** A proxy's share of a re-encryption key. */
    reKeyShare: [...META, field('index', 'u8'), field('R1', 'g2'), field('R2', 'gt'), field('share', 'g1'), field('Y', 'gt')],
    /** The commitment of a key split into `total` shares. */
    reKeyCommitment: (total: number): FieldSpec[] => [
      ...META,
      field('R1', 'g2'),
      field('R2', 'gt'),
      ...Array.from({ length: total }, (_, i) => field(`Y[${i + 1}]`, 'gt')),
    ],
    /** A partial re-encryption with its proof. */
    reEncryptionShare: [...META, field('index', 'u8'), field('C2', 'gt'), field('challenge', 'scalar'), field('response', 'g1')],
  },
  /** huang2020 (the paper's scheme). */
  huang2020: {
    /** Public parameters. */
    params: [field('Za', 'gt'), field('Zb', 'gt'), field('Zc', 'gt')],
    /** Master key. */
    masterKey: [field('a', 'scalar'), field('b', 'scalar'), field('c', 'scalar')],
    /** Secret key. */
    secretKey: [
      field('identity', 'identity'),
      field('A1', 'scalar'),
      field('A2', 'g2'),
      field('A3', 'g1'),
      field('B1', 'scalar'),
      field('B2', 'scalar'),
      field('B3', 'scalar'),
      field('D1', 'g2'),
      field('D2', 'g2'),
      field('D3', 'g2'),
      field('D1g', 'g1'),
      field('D2g', 'g1'),
      field('D3g', 'g1'),
    ],
    /** Re-encryption key. */
    reKey: [
      field('delegator', 'identity'),
      field('delegatee', 'identity'),
      field('rk1', 'scalar'),
      field('rk2', 'g2'),
      field('rk2g', 'g1'),
    ],
    /** Ciphertext, original or re-encrypted. */
    ciphertext: [
      field('recipient', 'identity'),
      field('c1', 'gt'),
      field('c2', 'g1'),
      field('c3', 'g2'),
      field('c4', 'gt'),
      field('sealed', 'bytes'),
    ],
  },
  /** AuthSign. */
  authSign: {
    /** Public parameters. */
    params: [field('mpk', 'g2')],
    /** Master key. */
    masterKey: [field('s', 'scalar')],
    /** Signing key. */
    signingKey: [field('identity', 'identity'), field('key', 'g1')],
    /** U || V, 96 bytes, no header (pass `headerBytes: 0`). */
    signature: [field('U', 'g1'), field('V', 'g1')],
  },
} as const;

// ---------------------------------------------------------------- hostile values

/**
 * A hostile replacement for one field: a function of the field's current bytes (length prefix
 * included) giving the new bytes. `canonical` marks replacements that are valid, canonical
 * values of the type (a decoder may accept them, and must then re-encode to the same bytes).
 */
export interface HostileValue {
  /** What the value is, for a failure message (e.g. `order 3`). */
  readonly name: string;
  /** Whether it is a valid, canonical value of the type (a decoder may accept it). */
  readonly canonical: boolean;
  /** The replacement bytes, given the field's current bytes (length prefix included). */
  readonly bytes: (field: Uint8Array) => Uint8Array;
}

const constant = (name: string, canonical: boolean, value: () => Uint8Array): HostileValue => {
  let cached: Uint8Array | undefined;
  return {
    name,
    canonical,
    bytes: () => {
      cached ??= value();
      return cached;
    },
  };
};

const fpBytes = (x: bigint) => numberToBytesBE(x, 48);
const half = (Fp.ORDER - 1n) / 2n;

/** ZCash-format compression of an affine G1 point that may lie outside the subgroup. */
export function compressG1(x: bigint, y: bigint): Uint8Array {
  const out = fpBytes(x);
  out[0] = (out[0] as number) | 0x80 | (y > half ? 0x20 : 0);
  return out;
}

/** ZCash-format compression of an affine G2 point (x = x0 + x1 u) that may lie outside the subgroup. */
export function compressG2(x: Fp2Element, y: Fp2Element): Uint8Array {
  const out = new Uint8Array(96);
  out.set(fpBytes(x.c1), 0);
  out.set(fpBytes(x.c0), 48);
  const largest = y.c1 > half || (y.c1 === 0n && y.c0 > half);
  out[0] = (out[0] as number) | 0x80 | (largest ? 0x20 : 0);
  return out;
}

const isSquareFp = (v: bigint) => v === 0n || Fp.pow(v, half) === 1n;

/** Scalar multiplication by any non-negative integer (noble's `multiply` only takes k < r). */
function mulAny<P extends { add(o: P): P; double(): P }>(p: P, k: bigint, zero: P): P {
  let acc = zero;
  for (let bit = BigInt(k.toString(2).length - 1); bit >= 0n; bit--) {
    acc = acc.double();
    if ((k >> bit) & 1n) acc = acc.add(p);
  }
  return acc;
}

/** Points of E(Fp) (y^2 = x^3 + 4) outside G1: the first x >= `start` on the curve. */
function g1OnCurve(start: bigint): G1Point {
  for (let x = start; ; x++) {
    const rhs = Fp.add(Fp.pow(x, 3n), 4n);
    if (isSquareFp(rhs)) return G1.fromAffine({ x, y: Fp.sqrt(rhs) });
  }
}

/** Points of the twist E'(Fp2) (y^2 = x^3 + 4(u + 1)) from x = (start, 1). */
function g2OnCurve(start: bigint): G2Point {
  const b = Fp2.create({ c0: 4n, c1: 4n });
  for (let x0 = start; ; x0++) {
    const x = Fp2.create({ c0: x0, c1: 1n });
    const rhs = Fp2.add(Fp2.pow(x, 3n), b);
    try {
      const y = Fp2.sqrt(rhs);
      if (Fp2.eql(Fp2.sqr(y), rhs)) return G2.fromAffine({ x, y });
    } catch {
      // not a square: try the next x
    }
  }
}

/**
 * A point of prime order q on a curve with `groupOrder` points: T = [m]Q with groupOrder = q^e m
 * lands in the q-part, and multiplying by q until the next step would give the identity leaves
 * a point of order q.
 */
function smallOrder<P extends { add(o: P): P; double(): P; is0(): boolean }>(
  fromStart: (s: bigint) => P,
  groupOrder: bigint,
  q: bigint,
  zero: P,
): P {
  let m = groupOrder;
  while (m % q === 0n) m /= q;
  for (let s = 5n; ; s++) {
    let t = mulAny(fromStart(s), m, zero);
    if (t.is0()) continue;
    for (let next = mulAny(t, q, zero); !next.is0(); next = mulAny(t, q, zero)) t = next;
    return t;
  }
}

const G1_COFACTOR = 0x396c8c005555e1568c00aaab0000aaabn;
const G2_COFACTOR =
  0x5d543a95414e7f1091d50792876a202cd91de4547085abaa68a205b2e5a7ddfa628f1cb4d9e82ef21537e293a6691ae1616ec6e786f0c70cf1c38e31c7238e5n;

export const g1Affine = (p: G1Point): Uint8Array => {
  const a = p.toAffine();
  return compressG1(a.x, a.y);
};
export const g2Affine = (p: G2Point): Uint8Array => {
  const a = p.toAffine();
  return compressG2(a.x, a.y);
};

/** A point of E(Fp) outside G1 (the cofactor part is nontrivial). */
export const offSubgroupG1 = (): G1Point => g1OnCurve(1n);
/** A point of E(Fp) of prime order q (3 or 11 divide the G1 cofactor). */
export const smallOrderG1 = (q: 3n | 11n): G1Point => smallOrder(g1OnCurve, G1_COFACTOR * Fr.ORDER, q, G1.ZERO);
/** A point of the twist E'(Fp2) outside G2. */
export const offSubgroupG2 = (): G2Point => g2OnCurve(1n);
/** A point of E'(Fp2) of prime order q (13 and 23 divide the G2 cofactor). */
export const smallOrderG2 = (q: 13n | 23n): G2Point => smallOrder(g2OnCurve, G2_COFACTOR * Fr.ORDER, q, G2.ZERO);

/** A G1 point of the subgroup whose x is small enough that x + p still fits 381 bits. */
function g1WithSmallX(): G1Point {
  for (let k = 2n; ; k++) {
    const p = G1.BASE.multiply(k);
    if (p.toAffine().x + Fp.ORDER < 1n << 381n) return p;
  }
}

/** Hostile G1 values: identity forms, flags, non-canonical x, off-curve, off-subgroup, small order, and valid ones. */
export const G1_HOSTILE: readonly HostileValue[] = [
  constant('identity', false, () => Uint8Array.from([0xc0, ...new Uint8Array(47)])),
  constant('identity with sort flag', false, () => Uint8Array.from([0xe0, ...new Uint8Array(47)])),
  constant('infinity flag with nonzero x', false, () => Uint8Array.from([0xc0, ...new Uint8Array(46), 1])),
  constant('all ones', false, () => new Uint8Array(48).fill(0xff)),
  constant('x = p', false, () => compressG1(Fp.ORDER, 0n)),
  constant('x + p of a valid point', false, () => {
    const a = g1WithSmallX().toAffine();
    return compressG1(a.x + Fp.ORDER, a.y);
  }),
  constant('x = 2^381 - 1', false, () => Uint8Array.from([0x9f, ...new Uint8Array(47).fill(0xff)])),
  constant('not on the curve', false, () => {
    for (let x = 1n; ; x++) if (!isSquareFp(Fp.add(Fp.pow(x, 3n), 4n))) return compressG1(x, 0n);
  }),
  constant('on the curve, outside the subgroup', false, () => g1Affine(offSubgroupG1())),
  constant('order 3', false, () => g1Affine(smallOrderG1(3n))),
  constant('order 11', false, () => g1Affine(smallOrderG1(11n))),
  { name: 'compression flag cleared', canonical: false, bytes: (f) => setByte(f, 0, (f[0] as number) & 0x7f) },
  { name: 'negated (sort flag flipped)', canonical: true, bytes: (f) => setByte(f, 0, (f[0] as number) ^ 0x20) },
  constant('another valid point', true, () => G1.BASE.multiply(0x1234567n).toBytes(true)),
];

/** Hostile G2 values, as for G1 (x = x0 + x1 u is written x1 || x0; x0 + p always fits). */
export const G2_HOSTILE: readonly HostileValue[] = [
  constant('identity', false, () => Uint8Array.from([0xc0, ...new Uint8Array(95)])),
  constant('infinity flag with nonzero x', false, () => Uint8Array.from([0xc0, ...new Uint8Array(94), 1])),
  constant('all ones', false, () => new Uint8Array(96).fill(0xff)),
  constant('x1 = p', false, () => Uint8Array.from([...compressG1(Fp.ORDER, 0n), ...new Uint8Array(48)])),
  {
    name: 'x0 + p',
    canonical: false,
    bytes: (f) => {
      const out = f.slice();
      out.set(fpBytes(bytesToNumberBE(f.subarray(48)) + Fp.ORDER), 48);
      return out;
    },
  },
  constant('not on the curve', false, () => {
    const b = Fp2.create({ c0: 4n, c1: 4n });
    for (let x0 = 1n; ; x0++) {
      const x = Fp2.create({ c0: x0, c1: 1n });
      const rhs = Fp2.add(Fp2.pow(x, 3n), b);
      // rhs is a square in Fp2 iff its norm is a square in Fp
      if (!isSquareFp(Fp.add(Fp.sqr(rhs.c0), Fp.sqr(rhs.c1)))) return compressG2(x, Fp2.ZERO);
    }
  }),
  constant('on the twist, outside the subgroup', false, () => g2Affine(offSubgroupG2())),
  constant('order 13', false, () => g2Affine(smallOrderG2(13n))),
  { name: 'compression flag cleared', canonical: false, bytes: (f) => setByte(f, 0, (f[0] as number) & 0x7f) },
  { name: 'negated (sort flag flipped)', canonical: true, bytes: (f) => setByte(f, 0, (f[0] as number) ^ 0x20) },
  constant('another valid point', true, () => G2.BASE.multiply(0x1234567n).toBytes(true)),
];

function cyclotomicNonMember(): Fp12Element {
  const w = Fp12.create({ c0: Fp12.Fp6.ONE, c1: Fp12.Fp6.ONE });
  const easy = Fp12.mul(Fp12.conjugate(w), Fp12.inv(w)); // w^(p^6 - 1)
  return Fp12.mul(Fp12.frobeniusMap(easy, 2), easy); // ^(p^2 + 1): cyclotomic, not of order r
}
const pairingZ = () => bls12_381.pairing(G1.BASE, G2.BASE);

/** Hostile GT values: 0, 1, small-order Fp12 elements, cyclotomic non-members, non-canonical coordinates, and valid ones. */
export const GT_HOSTILE: readonly HostileValue[] = [
  constant('zero', false, () => Fp12.toBytes(Fp12.ZERO)),
  constant('one', false, () => Fp12.toBytes(Fp12.ONE)),
  constant('minus one', false, () => Fp12.toBytes(Fp12.neg(Fp12.ONE))),
  constant('cube root of unity', false, () => Fp12.toBytes(Fp12.mul(Fp12.ONE, Fp.pow(2n, (Fp.ORDER - 1n) / 3n)))),
  constant('cyclotomic, outside GT', false, () => Fp12.toBytes(cyclotomicNonMember())),
  constant('GT element times a cyclotomic non-member', false, () => Fp12.toBytes(Fp12.mul(pairingZ(), cyclotomicNonMember()))),
  constant('all ones', false, () => new Uint8Array(576).fill(0xff)),
  {
    name: 'first coordinate + p',
    canonical: false,
    bytes: (f) => {
      const out = f.slice();
      out.set(fpBytes(bytesToNumberBE(f.subarray(0, 48)) + Fp.ORDER), 0);
      return out;
    },
  },
  {
    name: 'last coordinate + 1',
    canonical: false,
    bytes: (f) => {
      const out = f.slice();
      out.set(fpBytes(Fp.add(bytesToNumberBE(f.subarray(528)), 1n)), 528);
      return out;
    },
  },
  {
    name: 'inverse (conjugate)',
    canonical: true,
    bytes: (f) => Fp12.toBytes(Fp12.conjugate(Fp12.fromBytes(f))),
  },
  constant('another element of GT', true, () => Fp12.toBytes(Fp12.pow(pairingZ(), 0x1234567n))),
];

const scalarBytes = (k: bigint) => numberToBytesBE(k, 32);
/** Hostile scalars: 0, 1, r - 1, r, r + 1, 2^256 - 1. */
export const SCALAR_HOSTILE: readonly HostileValue[] = [
  constant('0', false, () => scalarBytes(0n)),
  constant('1', true, () => scalarBytes(1n)),
  constant('r - 1', true, () => scalarBytes(Fr.ORDER - 1n)),
  constant('r', false, () => scalarBytes(Fr.ORDER)),
  constant('r + 1', false, () => scalarBytes(Fr.ORDER + 1n)),
  constant('2^256 - 1', false, () => new Uint8Array(32).fill(0xff)),
];

const u16 = (n: number) => Uint8Array.of(n >>> 8, n & 0xff);
const withPrefix = (content: Uint8Array) => Uint8Array.from([...u16(content.length), ...content]);
const contentOf = (field: Uint8Array) => field.subarray(2);
const insertAt = (content: Uint8Array, at: number, bytes: number[]) =>
  withPrefix(Uint8Array.from([...content.subarray(0, at), ...bytes, ...content.subarray(at)]));

/**
 * Hostile strings: well-formed variants a decoder must keep exactly (a BOM in front or inside, a
 * NUL) and byte sequences that are not UTF-8 or not the one encoding of a string (overlong
 * forms, encoded surrogates, code points above U+10FFFF, stray continuation bytes, truncated
 * sequences), empty and over-long strings, and wrong length prefixes.
 */
export const STRING_HOSTILE: readonly HostileValue[] = [
  { name: 'BOM-prefixed', canonical: true, bytes: (f) => insertAt(contentOf(f), 0, [0xef, 0xbb, 0xbf]) },
  { name: 'BOM inside', canonical: true, bytes: (f) => insertAt(contentOf(f), 1, [0xef, 0xbb, 0xbf]) },
  { name: 'NUL appended', canonical: true, bytes: (f) => insertAt(contentOf(f), contentOf(f).length, [0]) },
  { name: 'overlong "/" (C0 AF)', canonical: false, bytes: (f) => insertAt(contentOf(f), 0, [0xc0, 0xaf]) },
  { name: 'overlong NUL (C0 80)', canonical: false, bytes: (f) => insertAt(contentOf(f), 1, [0xc0, 0x80]) },
  { name: 'three-byte overlong (E0 80 AF)', canonical: false, bytes: (f) => insertAt(contentOf(f), 0, [0xe0, 0x80, 0xaf]) },
  { name: 'encoded surrogate (ED A0 80)', canonical: false, bytes: (f) => insertAt(contentOf(f), 0, [0xed, 0xa0, 0x80]) },
  { name: 'above U+10FFFF (F4 90 80 80)', canonical: false, bytes: (f) => insertAt(contentOf(f), 0, [0xf4, 0x90, 0x80, 0x80]) },
  { name: 'stray continuation byte', canonical: false, bytes: (f) => insertAt(contentOf(f), 0, [0x80]) },
  {
    name: 'truncated sequence at the end',
    canonical: false,
    bytes: (f) => insertAt(contentOf(f), contentOf(f).length, [0xe2, 0x82]),
  },
  { name: 'byte FF', canonical: false, bytes: (f) => insertAt(contentOf(f), 0, [0xff]) },
  { name: 'empty', canonical: false, bytes: () => u16(0) },
  { name: '1025 bytes', canonical: false, bytes: () => withPrefix(new Uint8Array(1025).fill(0x61)) },
  { name: 'length + 1', canonical: false, bytes: (f) => Uint8Array.from([...u16(contentOf(f).length + 1), ...contentOf(f)]) },
  { name: 'length - 1', canonical: false, bytes: (f) => Uint8Array.from([...u16(contentOf(f).length - 1), ...contentOf(f)]) },
  { name: 'length 0xFFFF', canonical: false, bytes: (f) => Uint8Array.from([0xff, 0xff, ...contentOf(f)]) },
];

const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
/** Hostile byte strings: wrong length prefixes, and altered content (which a decoder cannot see). */
export const BYTES_HOSTILE: readonly HostileValue[] = [
  { name: 'length 0', canonical: false, bytes: (f) => Uint8Array.from([...u32(0), ...f.subarray(4)]) },
  { name: 'length - 1', canonical: false, bytes: (f) => Uint8Array.from([...u32(f.length - 5), ...f.subarray(4)]) },
  { name: 'length + 1', canonical: false, bytes: (f) => Uint8Array.from([...u32(f.length - 3), ...f.subarray(4)]) },
  { name: 'length 2^32 - 1', canonical: false, bytes: (f) => Uint8Array.from([...u32(0xffffffff), ...f.subarray(4)]) },
  { name: 'empty', canonical: false, bytes: () => u32(0) },
  { name: 'content altered', canonical: true, bytes: (f) => setByte(f, f.length - 1, (f[f.length - 1] as number) ^ 1) },
];

/** Every value of a u8 field, 0 to 255 (the decoder must refuse those out of range). */
export const U8_HOSTILE: readonly HostileValue[] = Array.from({ length: 256 }, (_, v) => ({
  name: `${v}`,
  canonical: true,
  bytes: () => Uint8Array.of(v),
}));

/** The hostile values of each field type. */
export const HOSTILE: Readonly<Record<FieldType, readonly HostileValue[]>> = {
  u8: U8_HOSTILE,
  scalar: SCALAR_HOSTILE,
  g1: G1_HOSTILE,
  g2: G2_HOSTILE,
  gt: GT_HOSTILE,
  string: STRING_HOSTILE,
  identity: STRING_HOSTILE,
  bytes: BYTES_HOSTILE,
};

// ---------------------------------------------------------------- mutations

/** One mutated input: its class (for counting), a label (for failure messages) and the bytes. */
export interface Mutant {
  /** Its class. */
  readonly kind: MutationKind;
  /** What was done, e.g. `C2 (gt) := one`. */
  readonly label: string;
  /** The mutated encoding. */
  readonly bytes: Uint8Array;
}

/** The classes of mutation. */
export type MutationKind =
  | 'field substitution'
  | 'header'
  | 'truncation'
  | 'extension'
  | 'random bytes'
  | 'random tail'
  | 'bit flip (structure)'
  | 'bit flip (anywhere)'
  | 'bit flip (GT field)'
  | 'non-canonical value'
  | 'invalid UTF-8';

/** A small deterministic PRNG (mulberry32), so every run of a seed sees the same mutants. */
export function prng(seed: number): { int(max: number): number; bytes(n: number): Uint8Array } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (max) => Math.floor(next() * max),
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  };
}

/** Options of {@link mutants}. */
export interface MutantOptions {
  /** At least this many mutants in total (default 10,000). */
  readonly cases?: number;
  /** Seed of the PRNG. */
  readonly seed?: number;
  /** How many bit flips anywhere in the encoding (each may cost a full decode; default 100). */
  readonly anywhereFlips?: number;
  /** Length of the header (default 3; 0 for a bare signature). */
  readonly headerBytes?: number;
}

/** A random integer in [low, high), from the PRNG. */
function randomBetween(rng: ReturnType<typeof prng>, low: bigint, high: bigint): bigint {
  const span = high - low;
  return low + (bytesToNumberBE(rng.bytes(64)) % span);
}

/**
 * A non-canonical value for a fixed-width field: a scalar >= r, a point whose x (or x1) is >= p
 * (flags kept), a GT element with a coordinate >= p. Every decoder refuses these before any
 * curve arithmetic.
 */
function nonCanonical(rng: ReturnType<typeof prng>, field: Uint8Array, type: FieldType): Uint8Array | undefined {
  if (type === 'scalar') return numberToBytesBE(randomBetween(rng, Fr.ORDER, 1n << 256n), 32);
  if (type === 'g1' || type === 'g2') {
    const out = field.slice();
    const x = numberToBytesBE(randomBetween(rng, Fp.ORDER, 1n << 381n), 48);
    x[0] = (x[0] as number) | ((field[0] as number) & 0xe0);
    out.set(x, 0);
    return out;
  }
  if (type === 'gt') {
    const out = field.slice();
    const at = rng.int(12) * 48;
    out.set(numberToBytesBE(randomBetween(rng, Fp.ORDER, 1n << 384n), 48), at);
    return out;
  }
  return undefined;
}

/** Bytes that can never appear in well-formed UTF-8 at the place they are put (a stray continuation or an invalid lead). */
const INVALID_UTF8 = [0x80, 0x8f, 0xa0, 0xbf, 0xc0, 0xc1, 0xf5, 0xf8, 0xfe, 0xff];

/**
 * The mutants of one valid encoding `sample` with layout `fields`:
 * - every hostile value of every field (the tables above), exhaustively - the expensive class,
 *   since canonical replacements decode completely;
 * - every value of each header byte, truncation to every length, extensions by 1 to 64 random
 *   bytes, random byte strings and random bytes behind a valid header;
 * - every bit of the header, u8 fields, length prefixes and point flags (compression, infinity),
 *   and the top bit of every string byte; `anywhereFlips` bit flips anywhere;
 * - then, until `cases` is reached: bit flips in GT fields, non-canonical scalars / coordinates,
 *   and invalid UTF-8 inserted into strings.
 * All but the substitutions, the flips anywhere and a few random tails are refused before any
 * curve arithmetic by a two-pass decoder (src/internal/codec.ts), which keeps 10,000 cases cheap.
 */
export function* mutants(sample: Uint8Array, fields: readonly FieldSpec[], options: MutantOptions = {}): Generator<Mutant> {
  const cases = options.cases ?? 10_000;
  const rng = prng(options.seed ?? 0x6d656473);
  const headerBytes = options.headerBytes ?? 3;
  const spans = spansOf(sample, fields, headerBytes);
  let count = 0;
  const emit = (kind: MutationKind, label: string, bytes: Uint8Array): Mutant => {
    count++;
    return { kind, label, bytes };
  };
  for (const span of spans.slice(1)) {
    const field = sample.subarray(span.start, span.end);
    for (const value of HOSTILE[span.type]) {
      const bytes = substitute(sample, span, value.bytes(field));
      yield emit('field substitution', `${span.name} (${span.type}) := ${value.name}`, bytes);
    }
  }
  for (let at = 0; at < headerBytes; at++) {
    for (let v = 0; v < 256; v++) if (v !== sample[at]) yield emit('header', `header[${at}] := ${v}`, setByte(sample, at, v));
  }
  for (let n = 0; n < sample.length; n++) yield emit('truncation', `first ${n} bytes`, sample.slice(0, n));
  for (let k = 1; k <= 64; k++) yield emit('extension', `+${k} random bytes`, extend(sample, rng.bytes(k)));
  for (let i = 0; i < 300; i++) yield emit('random bytes', 'random bytes', rng.bytes(rng.int(2 * sample.length + 1)));
  for (let i = 0; i < 300; i++) {
    yield emit(
      'random tail',
      'header + random bytes',
      extend(sample.subarray(0, headerBytes), rng.bytes(rng.int(sample.length + 8))),
    );
  }
  for (const bit of structuralBits(spans)) yield emit('bit flip (structure)', `bit ${bit}`, flipBit(sample, bit));
  for (let i = 0; i < (options.anywhereFlips ?? 100); i++) {
    const bit = rng.int(sample.length * 8);
    yield emit('bit flip (anywhere)', `bit ${bit}`, flipBit(sample, bit));
  }
  const gt = spans.filter((s) => s.type === 'gt');
  const fixed = spans.filter((s) => s.type === 'scalar' || s.type === 'g1' || s.type === 'g2' || s.type === 'gt');
  const strings = spans.filter((s) => s.type === 'string' || s.type === 'identity');
  const kinds = [gt.length > 0 ? 'gt' : '', fixed.length > 0 ? 'fixed' : '', strings.length > 0 ? 'utf8' : ''].filter(Boolean);
  if (kinds.length === 0) throw new Error('no cheap filler for this layout');
  while (count < cases) {
    const kind = kinds[rng.int(kinds.length)];
    if (kind === 'gt') {
      const span = gt[rng.int(gt.length)] as Span;
      const bit = span.start * 8 + rng.int((span.end - span.start) * 8);
      yield emit('bit flip (GT field)', `${span.name}: bit ${bit}`, flipBit(sample, bit));
    } else if (kind === 'fixed') {
      const span = fixed[rng.int(fixed.length)] as Span;
      const value = nonCanonical(rng, sample.subarray(span.start, span.end), span.type) as Uint8Array;
      yield emit('non-canonical value', `${span.name} (${span.type}) non-canonical`, substitute(sample, span, value));
    } else {
      const span = strings[rng.int(strings.length)] as Span;
      const content = sample.subarray(span.start + 2, span.end);
      const bad = INVALID_UTF8[rng.int(INVALID_UTF8.length)] as number;
      yield emit(
        'invalid UTF-8',
        `${span.name}: byte ${bad} inserted`,
        substitute(sample, span, insertAt(content, rng.int(content.length + 1), [bad])),
      );
    }
  }
}

/**
 * The bits whose flips a two-pass decoder refuses cheaply: every bit of the header, u8 fields and
 * length prefixes, the compression and infinity flags of each point, and the top bit of every
 * string byte (which turns ASCII into a stray continuation byte and breaks any multi-byte sequence).
 */
export function structuralBits(spans: readonly Span[]): number[] {
  const out: number[] = [];
  const whole = (from: number, to: number) => {
    for (let i = from * 8; i < to * 8; i++) out.push(i);
  };
  for (const s of spans) {
    if (s.name === 'header' || s.type === 'u8') whole(s.start, s.end);
    else if (s.type === 'bytes') whole(s.start, s.start + 4);
    else if (s.type === 'string' || s.type === 'identity') {
      whole(s.start, s.start + 2);
      for (let i = s.start + 2; i < s.end; i++) out.push(i * 8);
    } else if (s.type === 'g1' || s.type === 'g2') out.push(s.start * 8, s.start * 8 + 1);
  }
  return out;
}
