/**
 * Exact UTF-8 for every string medshare writes into bytes or reads back from them.
 *
 * One string, one encoding: {@link utf8Encode} refuses strings that are not well-formed UTF-16
 * (a lone surrogate would otherwise become U+FFFD and not round-trip), and {@link utf8Decode}
 * accepts exactly the well-formed UTF-8 that {@link utf8Encode} produces. `TextDecoder` is
 * used with `fatal: true` (overlong forms, surrogates, truncated sequences are errors, never
 * U+FFFD) and `ignoreBOM: true`: without the latter a leading U+FEFF is silently stripped, so
 * "\uFEFFpatient:alice" would read back as "patient:alice" and BOM-prefixed bytes would be a
 * second accepted encoding of every string.
 *
 * @module
 */
import { ArgumentValueError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The UTF-8 bytes of `value`.
 * @throws ArgumentValueError (naming `name`) when `value` contains a lone UTF-16 surrogate
 */
export function utf8Encode(value: string, name: string): Uint8Array {
  if (!value.isWellFormed()) throw new ArgumentValueError(name, 'contains a lone UTF-16 surrogate');
  return encoder.encode(value);
}

/**
 * The string whose UTF-8 encoding is exactly `bytes`, or `undefined` when `bytes` is not
 * well-formed UTF-8. A leading byte-order mark is kept as U+FEFF, so `utf8Encode` of the result
 * gives back `bytes`.
 */
export function utf8Decode(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
