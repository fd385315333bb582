/**
 * Canonical decimal strings of field elements, the one encoding snarkjs's JSON (public signals,
 * proof and key coordinates) may carry: ASCII digits only, no sign, no leading zero (except "0"
 * itself), no whitespace, no exponent. Every other spelling of the same number ("007", "+7",
 * " 7", "7.0", "0x7", "7e0") is refused, so that each value has exactly one accepted encoding, and
 * the length is checked before any parsing, so that a hostile string costs no more than a
 * well-formed one.
 *
 * @module
 */

const CANONICAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parses a canonical decimal string below `bound`.
 * @param value - anything (only a string can be canonical)
 * @param bound - the exclusive upper bound (a field order)
 * @returns the value, or undefined if `value` is not a canonical decimal string below `bound`
 */
export function canonicalDecimal(value: unknown, bound: bigint): bigint | undefined {
  if (typeof value !== 'string' || value.length > bound.toString().length || !CANONICAL.test(value)) return undefined;
  const x = BigInt(value);
  return x < bound ? x : undefined;
}
