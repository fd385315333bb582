/**
 * @module
 * Typed errors and argument checks shared by every medshare module.
 *
 * The convention follows noble-curves: `TypeError` when a caller passes the wrong kind of
 * value, `RangeError` when bytes or numbers have the wrong length or value (this includes
 * every defect found while decoding untrusted bytes), and {@link DecryptionError} when a
 * well-formed ciphertext does not open under the given key, and {@link ProofError} when a
 * well-formed proof of correct computation does not verify.
 */

/**
 * Thrown when a well-formed ciphertext does not open: the key belongs to another identity,
 * the re-encryption key did not match, or the ciphertext was altered. The message never says
 * which, so the error is no oracle.
 */
export class DecryptionError extends Error {
  constructor(message = 'decryption failed: wrong key, or the ciphertext was altered') {
    super(message);
    this.name = 'DecryptionError';
  }
}

/**
 * Thrown when a well-formed proof does not verify: the party that made it used a wrong key,
 * altered its output, or made the proof for another statement (another ciphertext, key or
 * commitment). `share` names the offending share (1-based) when there is one, so a caller
 * can tell which proxy misbehaved.
 */
export class ProofError extends Error {
  /** The 1-based index of the share whose proof failed, when there is one. */
  readonly share: number | undefined;
  constructor(message: string, share?: number) {
    super(message);
    this.name = 'ProofError';
    this.share = share;
  }
}

/** Throws TypeError unless `value` is a Uint8Array; returns it. */
export function abytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name}: expected Uint8Array, got ${describe(value)}`);
  }
  return value;
}

/** Throws TypeError unless `value` is a string; returns it. */
export function astring(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`${name}: expected string, got ${describe(value)}`);
  return value;
}

/** Throws TypeError unless `value` is a function; returns it. */
export function afunction<T extends (...args: never[]) => unknown>(value: unknown, name: string): T {
  if (typeof value !== 'function') throw new TypeError(`${name}: expected function, got ${describe(value)}`);
  return value as T;
}

/** Throws TypeError unless `value` is a non-null object; returns it. */
export function aobject<T extends object>(value: unknown, name: string): T {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${name}: expected object, got ${describe(value)}`);
  }
  return value as T;
}

/** Throws TypeError unless `value` is an object whose `scheme` field equals `scheme`. */
export function ascheme<T extends { scheme: string }>(value: unknown, scheme: string, name: string): T {
  const obj = aobject<{ scheme?: unknown }>(value, name);
  if (obj.scheme !== scheme) {
    throw new TypeError(`${name}: expected a ${scheme} object, got scheme=${String(obj.scheme)}`);
  }
  return value as T;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
