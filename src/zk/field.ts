/**
 * BN254 (alt_bn128, snarkjs's "bn128") scalar-field arithmetic for the zk module: the prime r,
 * modular helpers and the 2-adic roots of unity in the convention snarkjs and ffjavascript
 * use (w_28 = 5^((r-1)/2^28), w_k = w_28^(2^(28-k))), so evaluation domains match theirs.
 * @module
 */
import { bn254 } from '@noble/curves/bn254.js';
import { ArgumentValueError } from '../internal/errors.js';

/** The BN254 scalar field order r: circuit signals, public inputs and exponents live mod r. */
export const FIELD_ORDER: bigint = bn254.fields.Fr.ORDER;
/** The BN254 base field order q: curve coordinates live mod q. */
export const BASE_FIELD_ORDER: bigint = bn254.fields.Fp.ORDER;

const TWO_ADICITY = 28;

/** a mod r in [0, r). */
export function mod(a: bigint, m: bigint = FIELD_ORDER): bigint {
  const x = a % m;
  return x < 0n ? x + m : x;
}

/** base^exponent mod m by square-and-multiply. */
export function power(base: bigint, exponent: bigint, m: bigint = FIELD_ORDER): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** a^-1 mod m (extended Euclid); throws RangeError for a = 0. */
export function invert(a: bigint, m: bigint = FIELD_ORDER): bigint {
  let x = mod(a, m);
  if (x === 0n) throw new ArgumentValueError('x', 'zero has no inverse');
  let y = m;
  let u = 1n;
  let v = 0n;
  while (x !== 0n) {
    const q = y / x;
    [y, x] = [x, y - q * x];
    [v, u] = [u, v - q * u];
  }
  return mod(v, m);
}

/** Inverts every element at once (Montgomery's trick): one inversion and 3(n-1) products. */
export function batchInvert(values: readonly bigint[], m: bigint = FIELD_ORDER): bigint[] {
  const prefix: bigint[] = new Array(values.length);
  let acc = 1n;
  for (let i = 0; i < values.length; i++) {
    prefix[i] = acc;
    acc = (acc * (values[i] as bigint)) % m;
  }
  let inv = invert(acc, m);
  const out: bigint[] = new Array(values.length);
  for (let i = values.length - 1; i >= 0; i--) {
    out[i] = (inv * (prefix[i] as bigint)) % m;
    inv = (inv * (values[i] as bigint)) % m;
  }
  return out;
}

/** The primitive 2^k-th root of unity snarkjs uses (ffjavascript's Fr.w[k]). */
export function rootOfUnity(k: number): bigint {
  if (!Number.isInteger(k) || k < 0 || k > TWO_ADICITY) throw new ArgumentValueError('k', `${k} is out of [0, 28]`);
  const w28 = power(5n, (FIELD_ORDER - 1n) >> BigInt(TWO_ADICITY));
  return power(w28, 1n << BigInt(TWO_ADICITY - k));
}

/**
 * All Lagrange basis polynomials of the domain {w^i : i < size} (w = rootOfUnity(log2 size))
 * evaluated at x: L_i(x) = (x^size - 1) / size * w^i / (x - w^i). Requires x outside the domain.
 */
export function lagrangeAt(x: bigint, log2Size: number): bigint[] {
  const size = 1 << log2Size;
  const w = rootOfUnity(log2Size);
  const zOverN = ((power(x, BigInt(size)) - 1n + FIELD_ORDER) * invert(BigInt(size))) % FIELD_ORDER;
  const roots: bigint[] = new Array(size);
  const diffs: bigint[] = new Array(size);
  let wi = 1n;
  for (let i = 0; i < size; i++) {
    roots[i] = wi;
    diffs[i] = mod(x - wi);
    wi = (wi * w) % FIELD_ORDER;
  }
  const inv = batchInvert(diffs);
  const out: bigint[] = new Array(size);
  for (let i = 0; i < size; i++) out[i] = (((zOverN * (roots[i] as bigint)) % FIELD_ORDER) * (inv[i] as bigint)) % FIELD_ORDER;
  return out;
}

/** Reads a little-endian unsigned integer. */
export function bytesToBigIntLE(bytes: Uint8Array, offset = 0, length = bytes.length - offset): bigint {
  let x = 0n;
  for (let i = length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[offset + i] as number);
  return x;
}

/** Writes x as `length` little-endian bytes into out at offset. */
export function writeBigIntLE(out: Uint8Array, offset: number, x: bigint, length = 32): void {
  let v = x;
  for (let i = 0; i < length; i++) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Reads a big-endian unsigned integer. */
export function bytesToBigIntBE(bytes: Uint8Array, offset = 0, length = bytes.length - offset): bigint {
  let x = 0n;
  for (let i = 0; i < length; i++) x = (x << 8n) | BigInt(bytes[offset + i] as number);
  return x;
}

/** Writes x as `length` big-endian bytes into out at offset. */
export function writeBigIntBE(out: Uint8Array, offset: number, x: bigint, length = 32): void {
  let v = x;
  for (let i = length - 1; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** A uniformly random nonzero element of Fr from 64 random bytes (bias < 2^-250). */
export function randomScalar(random: (length: number) => Uint8Array): bigint {
  for (;;) {
    const bytes = random(64);
    const x = mod(bytesToBigIntLE(bytes));
    bytes.fill(0);
    if (x !== 0n) return x;
  }
}
