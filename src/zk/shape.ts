import { ArgumentTypeError, ArgumentValueError } from '../internal/errors.js';
/**
 * @module
 * The shape of an eligibility circuit: how many record fields, how many bits per field value,
 * how many criteria a requirement may hold. One shape is one circuit and one trusted setup.
 */

/** Parameters of one eligibility circuit. */
export interface CircuitShape {
  /** n, the number of record fields d_0..d_{n-1}. */
  readonly fields: number;
  /** B, bits per field value: every value lies in [0, 2^B). Default 16. */
  readonly bits: number;
  /** K, the most criteria one requirement may hold. Default 16. */
  readonly criteria: number;
}

/** Options to {@link circuitShape}. */
export interface CircuitShapeOptions {
  /** B, bits per record value, an integer in 1..64; default {@link DEFAULT_BITS}. */
  bits?: number;
  /** K, the most criteria one requirement may hold, an integer in 1..64; default {@link DEFAULT_CRITERIA}. */
  criteria?: number;
}

/** The default B of {@link circuitShape}: 16 bits per record value, so values lie in [0, 65536). */
export const DEFAULT_BITS = 16;
/** The default K of {@link circuitShape}: a requirement may hold at most 16 criteria. */
export const DEFAULT_CRITERIA = 16;
/** Largest record the circuit builder accepts. */
export const MAX_FIELDS = 1 << 16;

/**
 * Checks and completes a circuit shape.
 * @param fields - n, 1 to 65536 record fields.
 * @param options - bits (1..64, default 16) and criteria (1..64, default 16).
 * @returns The frozen shape.
 * @throws TypeError or RangeError naming the bad parameter.
 * @example
 * ```ts
 * circuitShape(100); // { fields: 100, bits: 16, criteria: 16 }
 * ```
 */
export function circuitShape(fields: number, options: CircuitShapeOptions = {}): CircuitShape {
  const bits = options.bits ?? DEFAULT_BITS;
  const criteria = options.criteria ?? DEFAULT_CRITERIA;
  integerIn(fields, 1, MAX_FIELDS, 'fields');
  integerIn(bits, 1, 64, 'bits');
  integerIn(criteria, 1, 64, 'criteria');
  return Object.freeze({ fields, bits, criteria });
}

/** IB: bits of a field index, with 2^IB >= n (at least 1). */
export function indexBits(shape: CircuitShape): number {
  let b = 1;
  while (1 << b < shape.fields) b++;
  return b;
}

/** A short stable name for the shape, used for cache directories: n100-b16-k16. */
export function shapeId(shape: CircuitShape): string {
  return `n${shape.fields}-b${shape.bits}-k${shape.criteria}`;
}

function integerIn(value: unknown, min: number, max: number, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ArgumentTypeError(name, 'an integer');
  if (value < min || value > max) throw new ArgumentValueError(name, `${value} is outside [${min}, ${max}]`);
}
