/**
 * BLS12-381 toolkit shared by every pairing-based scheme in medshare (IB-PRE and AuthSign).
 *
 * Notation of docs/schemes.md: a type-3 pairing e: G1 x G2 -> GT, g the G1 base
 * point, h the G2 base point, Z = e(g, h), Fr the scalar field of order r. GT is written
 * multiplicatively, G1 and G2 additively in code (`P.multiply(k)` is the paper's P^k).
 *
 * Curve arithmetic comes from @noble/curves. What this module adds:
 * - pairing products through `millerLoopBatch` with cached G2 line precomputes (noble's
 *   `pairingBatch` re-derives them on every call);
 * - GT exponentiation by Frobenius decomposition: for f in GT, f^p = f^u (u the BLS
 *   parameter, p = u mod r), so f^k splits into four 64-bit exponents sharing one
 *   chain of cyclotomic squarings - about 3x faster than a generic Fp12 power;
 * - a fast GT membership test (Scott, "A note on group membership tests for G1, G2 and
 *   GT on BLS pairing-friendly curves", 2021): f in GT iff f^(p^4 - p^2 + 1) = 1 and
 *   f^p = f^u, whose verdict is remembered per value (values cannot change: noble freezes them),
 *   so a verifier re-testing a decoded value pays a lookup.
 * @module
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from './random.js';
import { ArgumentValueError } from './errors.js';

export const curve = bls12_381;
const { Fp12 } = bls12_381.fields;
/** The scalar field Fr of BLS12-381 (order r). */
export const Fr = bls12_381.fields.Fr;
/** The base field Fp of BLS12-381 (coordinates of points, coefficients of Fp12). */
export const Fp = bls12_381.fields.Fp;

/** A point of G1 (the paper's g-side group). */
export type G1 = InstanceType<typeof bls12_381.G1.Point>;
/** A point of G2 (the paper's h-side group). */
export type G2 = InstanceType<typeof bls12_381.G2.Point>;
/** An element of the target group GT, a subgroup of Fp12*. */
export type GT = ReturnType<typeof bls12_381.pairing>;

export const G1Point = bls12_381.G1.Point;
export const G2Point = bls12_381.G2.Point;
/** Order r of G1, G2, GT and size of the scalar field Fr. */
export const ORDER: bigint = Fr.ORDER;
export const SCALAR_BYTES = 32;
export const G1_BYTES = 48;
export const G2_BYTES = 96;
export const GT_BYTES = 576;

/** The BLS parameter |u| (u = -0xd201000000010000 for BLS12-381). */
const U_ABS = 0xd201000000010000n;

// ---------------------------------------------------------------- scalars (Fr)

/** a * b^-1 mod r; throws RangeError when b = 0 mod r. */
export function frDiv(a: bigint, b: bigint, name: string): bigint {
  if (Fr.create(b) === 0n) throw new ArgumentValueError(name, 'division by zero in Fr');
  return Fr.div(Fr.create(a), Fr.create(b));
}

/** A uniform nonzero scalar: 48 random bytes reduced mod r-1, plus 1 (bias below 2^-128). */
export function randomScalar(random: RandomSource): bigint {
  return (bytesToNumberBE(random(48)) % (ORDER - 1n)) + 1n;
}

/** Bytes of fresh randomness a hedged nonce draws. */
export const HEDGE_BYTES = 32;

/**
 * A hedged nonce in Fr*: hash_to_field(dst, secret || rho || u8(counter) || statement) with rho
 * 32 fresh bytes from `random` and the first counter (from 0) that gives a nonzero scalar.
 *
 * Deterministic nonces (RFC 6979) and randomized ones each fail one way: a repeated or weak
 * random source repeats a randomized nonce across two statements, which leaks the secret of a
 * Schnorr-type proof or signature; a purely deterministic one is exposed to fault attacks. Hedged
 * derivation (RFC 6979 section 3.6 with additional data, as in "hedged" Schnorr and EdDSA
 * variants) keeps both defences: the nonce is secret as long as either the secret or rho is, and
 * two different statements get unrelated nonces even when rho repeats. `secret` and rho have fixed
 * lengths and come first, so the encoding is unambiguous. Same inputs and same random bytes give
 * the same nonce, so seeded tests stay reproducible.
 */
export function hedgedNonce(dst: string, secret: Uint8Array, statement: Uint8Array, random: RandomSource): bigint {
  const rho = random(HEDGE_BYTES);
  for (let counter = 0; ; counter++) {
    const w = hashToScalar(dst, secret, rho, Uint8Array.of(counter), statement);
    if (w !== 0n) return w; // probability 1/r
  }
}

/** Hashes bytes to Fr with RFC 9380 hash_to_field (expand_message_xmd, SHA-256) under `dst`. */
export function hashToScalar(dst: string, ...parts: Uint8Array[]): bigint {
  const msg = concatBytes(...parts);
  const [[out]] = hash_to_field(msg, 1, { DST: dst, p: ORDER, m: 1, k: 128, expand: 'xmd', hash: sha256 }) as bigint[][] as [
    [bigint],
  ];
  return out;
}

export function scalarToBytes(k: bigint): Uint8Array {
  return numberToBytesBE(k, SCALAR_BYTES);
}

// ---------------------------------------------------------------- hashing to groups

/** RFC 9380 hash_to_curve onto G1 (suite BLS12381G1_XMD:SHA-256_SSWU_RO_) under `dst`. */
export function hashToG1(dst: string, msg: Uint8Array): G1 {
  return bls12_381.G1.hashToCurve(msg, { DST: dst }) as unknown as G1;
}

// ---------------------------------------------------------------- GT

export const GT_ONE: GT = Fp12.ONE;
let zCache: GT | undefined;
/** Z = e(g, h). */
export function Z(): GT {
  zCache ??= bls12_381.pairing(G1Point.BASE, G2Point.BASE);
  return zCache;
}

export function gtMul(a: GT, b: GT): GT {
  return Fp12.mul(a, b);
}

/** a / b in GT. GT elements are unitary, so the inverse is the (cheap) conjugate. */
export function gtDiv(a: GT, b: GT): GT {
  return Fp12.mul(a, Fp12.conjugate(b));
}

export function gtEq(a: GT, b: GT): boolean {
  return Fp12.eql(a, b);
}

export function gtToBytes(a: GT): Uint8Array {
  return Fp12.toBytes(a);
}

/**
 * f^k for f in GT and any integer k (reduced mod r).
 *
 * Writes k mod r = k0 + k1 |u| + k2 |u|^2 + k3 |u|^3 with 0 <= ki < |u| (possible as
 * r = u^4 - u^2 + 1 < |u|^4) and uses f^|u| = conj(frob(f)) (because f^p = f^u = f^-|u|),
 * so f^k = prod_i f_i^ki with f_i = f^(|u|^i) costs 64 shared cyclotomic squarings.
 * Only valid for f in GT: every caller passes pairing outputs or decoded, checked elements.
 */
export function gtPow(f: GT, k: bigint): GT {
  let e = Fr.create(k);
  if (e === 0n) return Fp12.ONE;
  const digits: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    digits.push(e % U_ABS);
    e /= U_ABS;
  }
  // f_i = f^(|u|^i): f^(|u|) = conj(f^p); f^(|u|^2) = f^(p^2); f^(|u|^3) = conj(f^(p^3)).
  const bases = [f, Fp12.conjugate(Fp12.frobeniusMap(f, 1)), Fp12.frobeniusMap(f, 2), Fp12.conjugate(Fp12.frobeniusMap(f, 3))];
  // Joint table of all 16 products of the bases (Straus / Shamir's trick).
  const table: GT[] = [Fp12.ONE];
  for (let mask = 1; mask < 16; mask++) {
    const low = mask & -mask;
    const idx = Math.log2(low);
    table.push(Fp12.mul(table[mask ^ low] as GT, bases[idx] as GT));
  }
  let acc = Fp12.ONE;
  let started = false;
  for (let bit = 63; bit >= 0; bit--) {
    if (started) acc = Fp12._cyclotomicSquare(acc);
    let mask = 0;
    for (let i = 0; i < 4; i++) if (((digits[i] as bigint) >> BigInt(bit)) & 1n) mask |= 1 << i;
    if (mask !== 0) {
      acc = started ? Fp12.mul(acc, table[mask] as GT) : (table[mask] as GT);
      started = true;
    }
  }
  return acc;
}

/**
 * Values this module has shown to lie in GT. A verifier is handed decoded values (the decoder ran
 * the membership test) and tests them again as defence in depth; remembering the verdict makes
 * that second test a lookup instead of a 64-bit cyclotomic exponentiation. Sound because only
 * deeply frozen values are remembered: @noble/curves freezes every Fp12 value it makes, down to
 * the Fp2 coefficients, and bigints are immutable, so a remembered value cannot change. A
 * look-alike object built by hand is never remembered and is tested every time.
 */
const gtMembers = new WeakSet<GT>();

/** True iff f and its Fp6 and Fp2 coefficients are all frozen (so f can never change). */
function deeplyFrozen(f: GT): boolean {
  if (!Object.isFrozen(f)) return false;
  for (const half of [f.c0, f.c1]) {
    if (!Object.isFrozen(half) || !Object.isFrozen(half.c0) || !Object.isFrozen(half.c1) || !Object.isFrozen(half.c2))
      return false;
  }
  return true;
}

/**
 * The cheap half of the GT membership test: f != 0 and f^(p^4) * f = f^(p^2), that is
 * f^Phi12(p) = 1 with Phi12(p) = p^4 - p^2 + 1 (f lies in the cyclotomic subgroup of Fp12*).
 * Costs two Frobenius maps and one multiplication, so untrusted bytes that are not even
 * cyclotomic are refused before any exponentiation.
 *
 * The zero test comes first on purpose: 0 is not in Fp12* but satisfies both identities of the
 * membership test (0 * 0 = 0, 0^p = 0^u = 0), which is how an earlier version accepted it.
 */
export function gtIsCyclotomic(f: GT): boolean {
  if (gtMembers.has(f)) return true;
  if (Fp12.is0(f)) return false;
  return Fp12.eql(Fp12.mul(Fp12.frobeniusMap(f, 4), f), Fp12.frobeniusMap(f, 2));
}

/**
 * True iff the Fp12 element f lies in GT, the order-r subgroup of Fp12*.
 *
 * Test (Scott 2021): f != 0, f^Phi12(p) = 1 ({@link gtIsCyclotomic}), then f^p = f^u.
 * Why this accepts GT and nothing else: Fp12* is cyclic, so for each d dividing p^12 - 1 the
 * elements with f^d = 1 form its unique subgroup of order d. A nonzero f passing both steps
 * satisfies f^Phi12(p) = 1 and f^(p - u) = 1, so its order divides gcd(Phi12(p), p - u), which
 * equals r for BLS12-381 (checked numerically in test/bls.test.ts); conversely every element of
 * GT passes, since p = u mod r. The cyclotomic squarings of the second step are valid because the
 * first step has put f in the cyclotomic subgroup. Zero, the only non-invertible element, is
 * refused first.
 */
export function gtIsMember(f: GT): boolean {
  return gtIsCyclotomic(f) && gtCyclotomicIsMember(f);
}

/** The expensive half of {@link gtIsMember}: f^p = f^u, for an f that {@link gtIsCyclotomic} accepted. */
export function gtCyclotomicIsMember(f: GT): boolean {
  if (gtMembers.has(f)) return true;
  // u < 0: f^u = conj(f^|u|) on the cyclotomic subgroup.
  const fu = Fp12.conjugate(Fp12._cyclotomicExp(f, U_ABS));
  const member = Fp12.eql(Fp12.frobeniusMap(f, 1), fu);
  // f^p = f^u proves membership only for a cyclotomic f (the caller's promise): check it before
  // remembering, which costs two Frobenius maps and a multiplication.
  if (member && deeplyFrozen(f) && gtIsCyclotomic(f)) gtMembers.add(f);
  return member;
}

/** True iff `f` is the identity of GT (the Fp12 element 1). */
export function gtIsOne(f: GT): boolean {
  return Fp12.eql(f, Fp12.ONE);
}

/** True iff `value` is a G1 point object of @noble/curves' BLS12-381 (any point, identity included). */
export function isG1(value: unknown): value is G1 {
  return value instanceof G1Point;
}

/** True iff `value` is a G2 point object of @noble/curves' BLS12-381 (any point, identity included). */
export function isG2(value: unknown): value is G2 {
  return value instanceof G2Point;
}

/**
 * Checks that the scalar `k` lies in [0, r), or in [1, r) when `nonZero`; returns it.
 * @throws ArgumentValueError naming `name`
 */
export function ascalar(k: bigint, name: string, nonZero: boolean): bigint {
  if (k < (nonZero ? 1n : 0n) || k >= ORDER) throw new ArgumentValueError(name, `is not in [${nonZero ? 1 : 0}, r)`);
  return k;
}

/**
 * True iff `value` has the shape of an Fp12 element (`{ c0, c1 }` of Fp6 `{ c0, c1, c2 }` of
 * Fp2 `{ c0, c1 }` of bigints). A structural check for arguments from plain JavaScript; it says
 * nothing about GT membership.
 */
export function isFp12(value: unknown): value is GT {
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  const fp2 = (v: unknown) => obj(v) && typeof v.c0 === 'bigint' && typeof v.c1 === 'bigint';
  const fp6 = (v: unknown) => obj(v) && fp2(v.c0) && fp2(v.c1) && fp2(v.c2);
  return obj(value) && fp6(value.c0) && fp6(value.c1);
}

/** Decodes 576 bytes to an Fp12 element: canonical coordinates (< p) only, no subgroup check. */
export function fp12FromBytes(bytes: Uint8Array): GT {
  return Fp12.fromBytes(bytes);
}

// ---------------------------------------------------------------- pairings

type Precompute = ReturnType<typeof bls12_381.utils.calcPairingPrecomputes>;
const precomputes = new WeakMap<G2, Precompute>();

/** Miller-loop line coefficients of a G2 point, computed once per point object. */
function linesOf(q: G2): Precompute {
  let pre = precomputes.get(q);
  if (pre === undefined) {
    pre = bls12_381.utils.calcPairingPrecomputes(q);
    precomputes.set(q, pre);
  }
  return pre;
}

/**
 * prod_i e(P_i, Q_i) with one shared final exponentiation.
 * Points must already be validated (they come from decoders or from our own arithmetic);
 * a pair with an identity point contributes 1, as the algebra says.
 */
export function pairProduct(pairs: ReadonlyArray<readonly [G1, G2]>): GT {
  const batch: [Precompute, bigint, bigint][] = [];
  for (const [p, q] of pairs) {
    if (p.is0() || q.is0()) continue;
    const { x, y } = p.toAffine();
    batch.push([linesOf(q), x, y]);
  }
  if (batch.length === 0) return Fp12.ONE;
  return Fp12.finalExponentiate(bls12_381.millerLoopBatch(batch));
}

/** e(P, Q). */
export function pair(p: G1, q: G2): GT {
  return pairProduct([[p, q]]);
}

// ---------------------------------------------------------------- bytes

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
