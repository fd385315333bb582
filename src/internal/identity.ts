/**
 * @module
 * Identities: the strings the PKG issues keys for (e-mail address, patient number, ...).
 * Two identities are the same iff their UTF-8 bytes are the same; no normalisation is applied.
 */
import { astring } from './errors.js';

/** Longest identity accepted, in UTF-8 bytes (it must fit a u16 length prefix). */
export const MAX_IDENTITY_BYTES = 1024;

/** Validates an identity and returns its UTF-8 bytes. TypeError for a non-string, RangeError for a bad value. */
export function identityBytes(identity: unknown, name = 'identity'): Uint8Array {
  const id = astring(identity, name);
  if (id.length === 0) throw new RangeError(`${name}: must not be empty`);
  if (!id.isWellFormed()) throw new RangeError(`${name}: contains a lone UTF-16 surrogate`);
  const bytes = new TextEncoder().encode(id);
  if (bytes.length > MAX_IDENTITY_BYTES) {
    throw new RangeError(`${name}: ${bytes.length} UTF-8 bytes, at most ${MAX_IDENTITY_BYTES}`);
  }
  return bytes;
}
