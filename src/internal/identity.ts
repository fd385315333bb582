/**
 * Identities: the strings the PKG issues keys for (e-mail address, patient number, ...).
 * Two identities are the same iff their UTF-8 bytes are the same; no normalisation is applied
 * (a leading U+FEFF, for instance, makes another identity, and survives every encoding).
 *
 * @module
 */
import { ArgumentValueError, astring } from './errors.js';
import { utf8Encode } from './text.js';

/** Longest identity accepted, in UTF-8 bytes (it must fit a u16 length prefix). */
export const MAX_IDENTITY_BYTES = 1024;

/** What is wrong with an identity string, or `undefined` when it is valid. */
export function identityProblem(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (!id.isWellFormed()) return 'contains a lone UTF-16 surrogate';
  const length = utf8Encode(id, 'identity').length;
  if (length > MAX_IDENTITY_BYTES) return `${length} UTF-8 bytes, at most ${MAX_IDENTITY_BYTES}`;
  return undefined;
}

/** Validates an identity and returns its UTF-8 bytes. ArgumentTypeError for a non-string, ArgumentValueError for a bad value. */
export function identityBytes(identity: unknown, name = 'identity'): Uint8Array {
  const id = astring(identity, name);
  const problem = identityProblem(id);
  if (problem !== undefined) throw new ArgumentValueError(name, problem);
  return utf8Encode(id, name);
}
