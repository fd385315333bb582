/**
 * Typed errors with stable codes, and the argument checks shared by every medshare module.
 *
 * Every error medshare throws on purpose carries a stable {@link ErrorCode} in `code`, which a
 * program can branch on (the message is for people and may change):
 *
 * | code | class | thrown when |
 * |---|---|---|
 * | `ERR_ARGUMENT_TYPE` | {@link ArgumentTypeError} (a `TypeError`) | a caller passes the wrong kind of value |
 * | `ERR_ARGUMENT_VALUE` | {@link ArgumentValueError} (a `RangeError`) | a caller passes a value out of range |
 * | `ERR_ENCODING` | {@link EncodingError} (a `RangeError`) | untrusted bytes (or JSON) do not decode to a valid object |
 * | `ERR_DECRYPTION` | {@link DecryptionError} | a well-formed ciphertext does not open under the key |
 * | `ERR_PROOF` | {@link ProofError} | a well-formed proof of correct computation does not verify |
 *
 * and the codes of the other modules' classes (`ERR_PROTOCOL`, `ERR_LEDGER_CORRUPT`,
 * `ERR_CLIENT_BUSY`, `ERR_ZK_INPUT`, ...) and situations (`ERR_EVM_CHAIN`: an EVM chain that
 * lacks the Prague precompiles, or a transaction that failed there without a named refusal;
 * `ERR_BACKEND_UNAVAILABLE`: an installed pairing backend that fails its self-test), all listed in
 * {@link ErrorCode}. `ERR_MISSING_DEPENDENCY` says that an optional peer dependency (snarkjs,
 * circom2, circomlib, mcl-wasm; viem and @ethereumjs/vm for the EVM demo) is needed and not
 * installed; its message names the package to install.
 *
 * The convention follows noble-curves for the classes (a `TypeError` for a wrong type, a
 * `RangeError` for a wrong length or value, so `catch (e) { if (e instanceof RangeError) ... }`
 * keeps working) and jose for the codes. One base, {@link MedshareError}, covers them all:
 * `e instanceof MedshareError` is true for every error above, including the `TypeError` and
 * `RangeError` subclasses (JavaScript has single inheritance, so those carry a brand that
 * `MedshareError`'s `instanceof` test recognises).
 *
 * @module
 */
import type { Groups, PairingBackend } from '../backend/types.js';

/** The stable codes of medshare's errors. */
export type ErrorCode =
  | 'ERR_ARGUMENT_TYPE'
  | 'ERR_ARGUMENT_VALUE'
  | 'ERR_ENCODING'
  | 'ERR_DECRYPTION'
  | 'ERR_PROOF'
  | 'ERR_PROTOCOL'
  | 'ERR_LEDGER_CORRUPT'
  | 'ERR_LEDGER_CLOSED'
  | 'ERR_CLIENT_BUSY'
  | 'ERR_ZK_INPUT'
  | 'ERR_ZK_TOOLCHAIN'
  | 'ERR_MISSING_DEPENDENCY'
  | 'ERR_NETWORK'
  | 'ERR_NODE_ONLY'
  | 'ERR_EVM_CHAIN'
  | 'ERR_BACKEND_UNAVAILABLE';

/** Marks every medshare error, whatever built-in class it extends. */
const BRAND: unique symbol = Symbol.for('medshare.error') as never;

function brand(error: Error, code: ErrorCode, name: string): void {
  Object.defineProperty(error, BRAND, { value: true });
  Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true });
  (error as unknown as { code: ErrorCode }).code = code;
}

/** True iff `value` is an error thrown by medshare, whatever its class: it then has a stable `code`. */
export function isMedshareError(value: unknown): value is MedshareError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * The base of medshare's errors: every one has a stable {@link ErrorCode} in `code`.
 * `e instanceof MedshareError` also holds for {@link ArgumentTypeError},
 * {@link ArgumentValueError} and {@link EncodingError}, which extend `TypeError` / `RangeError`.
 */
export class MedshareError extends Error {
  /** The stable code; branch on this, not on the message. */
  readonly code: ErrorCode;
  /**
   * @param code - the stable code
   * @param message - for people; not a stable interface
   */
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    brand(this, code, 'MedshareError');
  }

  /** `instanceof MedshareError` holds for every branded medshare error; subclasses test as usual. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about, maybe a subclass
    if (this === MedshareError) return isMedshareError(value);
    // biome-ignore lint/complexity/noThisInStatic: as above
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** A caller passed the wrong kind of value (`ERR_ARGUMENT_TYPE`). */
export class ArgumentTypeError extends TypeError {
  /** Always `'ERR_ARGUMENT_TYPE'`. */
  declare readonly code: 'ERR_ARGUMENT_TYPE';
  /** The argument (or field of an argument) at fault, e.g. `params` or `partial.proof`. */
  readonly argument: string;
  /**
   * @param argument - the argument at fault
   * @param expected - what was expected, e.g. `Uint8Array`
   * @param got - what was passed, when known (any value; its kind is named, the value is not printed)
   */
  constructor(argument: string, expected: string, ...got: [] | [unknown]) {
    super(`${argument}: expected ${expected}${got.length > 0 ? `, got ${describe(got[0])}` : ''}`);
    this.argument = argument;
    brand(this, 'ERR_ARGUMENT_TYPE', 'ArgumentTypeError');
  }
}

/** A caller passed a value of the right kind but out of range (`ERR_ARGUMENT_VALUE`). */
export class ArgumentValueError extends RangeError {
  /** Always `'ERR_ARGUMENT_VALUE'`. */
  declare readonly code: 'ERR_ARGUMENT_VALUE';
  /** The argument (or field of an argument) at fault, e.g. `threshold` or `identity`. */
  readonly argument: string;
  /**
   * @param argument - the argument at fault
   * @param problem - what is wrong with it
   */
  constructor(argument: string, problem: string) {
    super(`${argument}: ${problem}`);
    this.argument = argument;
    brand(this, 'ERR_ARGUMENT_VALUE', 'ArgumentValueError');
  }
}

/**
 * Untrusted bytes (or JSON) that do not decode to a valid object (`ERR_ENCODING`): wrong
 * length, non-canonical encoding, a point off the curve or outside the subgroup, a value out of
 * range, trailing bytes.
 */
export class EncodingError extends RangeError {
  /** Always `'ERR_ENCODING'`. */
  declare readonly code: 'ERR_ENCODING';
  /** What was being decoded, e.g. `ga07 ciphertext` or `proof`. */
  readonly object: string;
  /** The field at fault, e.g. `C2` or `header`. */
  readonly field: string;
  /**
   * @param object - what was being decoded
   * @param field - the field at fault
   * @param problem - what is wrong with it
   */
  constructor(object: string, field: string, problem: string) {
    super(field === '' ? `${object}: ${problem}` : `${object}: ${field}: ${problem}`);
    this.object = object;
    this.field = field;
    brand(this, 'ERR_ENCODING', 'EncodingError');
  }
}

/**
 * Thrown when a well-formed ciphertext does not open (`ERR_DECRYPTION`): the key belongs to
 * another identity, the re-encryption key did not match, or the ciphertext was altered. The
 * message never says which, so the error is no oracle.
 */
export class DecryptionError extends MedshareError {
  declare readonly code: 'ERR_DECRYPTION';
  /** @param message - for people; defaults to a message that does not say why */
  constructor(message = 'decryption failed: wrong key, or the ciphertext was altered') {
    super('ERR_DECRYPTION', message);
    this.name = 'DecryptionError';
  }
}

/**
 * One of several parts (partial re-encryptions, for instance) that a combining step set aside,
 * as {@link ProofError.rejected} and the detailed combine functions report it.
 */
export interface RejectedPart {
  /** Its position in the array the caller gave (0-based): the one thing that identifies it for sure. */
  readonly position: number;
  /**
   * The index the part claims for itself. For a part that did not verify this is UNAUTHENTICATED:
   * anyone can write any index, so never blame a party on it; blame what the party signed.
   */
  readonly claimedIndex: number;
  /** `invalid`: its proof does not verify; `duplicate`: a valid part with the same index came earlier (harmless, not used). */
  readonly reason: 'invalid' | 'duplicate';
}

/**
 * Thrown when a well-formed proof does not verify (`ERR_PROOF`): the party that made it used a
 * wrong key, altered its output, or made the proof for another statement (another ciphertext,
 * key or commitment). A combining step throws it only when too few parts verify; `rejected`
 * then lists the parts it set aside, by position.
 */
export class ProofError extends MedshareError {
  declare readonly code: 'ERR_PROOF';
  /**
   * The 1-based index the offending share claims, when exactly one share is at fault.
   * Unauthenticated (see {@link RejectedPart.claimedIndex}): identify the share by its position.
   */
  readonly share: number | undefined;
  /** The parts set aside, by position in the caller's array (empty when not a combining step). */
  readonly rejected: readonly RejectedPart[];
  /**
   * @param message - for people
   * @param share - the index the offending share claims, when there is exactly one
   * @param rejected - the parts a combining step set aside
   */
  constructor(message: string, share?: number, rejected: readonly RejectedPart[] = []) {
    super('ERR_PROOF', message);
    this.name = 'ProofError';
    this.share = share;
    this.rejected = rejected;
  }
}

/**
 * An optional pairing backend cannot be used (`ERR_BACKEND_UNAVAILABLE`): its package is installed
 * (`mclBackend` needs mcl-wasm; the default backend nothing extra) but does not have the shape or
 * give the answers medshare checks when loading it. A package that is not installed at all is
 * `ERR_MISSING_DEPENDENCY`, as for every optional peer.
 */
export class BackendUnavailableError extends MedshareError {
  declare readonly code: 'ERR_BACKEND_UNAVAILABLE';
  /** The backend asked for, e.g. `mcl`. */
  readonly backend: string;
  /** The npm package it needs, e.g. `mcl-wasm`. */
  readonly packageName: string;
  /**
   * @param backend - the backend asked for
   * @param packageName - the package it needs
   * @param message - for people: what is missing or wrong, and what to do
   */
  constructor(backend: string, packageName: string, message: string) {
    super('ERR_BACKEND_UNAVAILABLE', message);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
    this.packageName = packageName;
  }
}

// ---------------------------------------------------------------- argument checks
// Each returns its input, so that `const k = abytes(key, 'key')` checks and narrows in one line.

/** Throws {@link ArgumentTypeError} unless `value` is a Uint8Array; returns it. */
export function abytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ArgumentTypeError(name, 'Uint8Array', value);
  return value;
}

/** Throws {@link ArgumentTypeError} unless `value` is a string; returns it. */
export function astring(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new ArgumentTypeError(name, 'string', value);
  return value;
}

/** Throws {@link ArgumentTypeError} unless `value` is a function; returns it. */
export function afunction<T extends (...args: never[]) => unknown>(value: unknown, name: string): T {
  if (typeof value !== 'function') throw new ArgumentTypeError(name, 'function', value);
  return value as T;
}

/** Throws {@link ArgumentTypeError} unless `value` is a non-null object; returns it. */
export function aobject<T extends object>(value: unknown, name: string): T {
  if (typeof value !== 'object' || value === null) throw new ArgumentTypeError(name, 'object', value);
  return value as T;
}

/** Throws {@link ArgumentTypeError} unless `value` is an array; returns it. */
export function aarray<T>(value: unknown, name: string): readonly T[] {
  if (!Array.isArray(value)) throw new ArgumentTypeError(name, 'array', value);
  return value as readonly T[];
}

/** Throws {@link ArgumentTypeError} unless `value` is an object whose `scheme` field equals `scheme`. */
export function ascheme<T extends { scheme: string }>(value: unknown, scheme: string, name: string): T {
  const obj = aobject<{ scheme?: unknown }>(value, name);
  if (obj.scheme !== scheme) {
    throw new ArgumentTypeError(name, `a ${scheme} object, got one with scheme=${String(obj.scheme)}`);
  }
  return value as T;
}

/** One field of an object kind checked by {@link akind}: what it must be (for the message), and the test. */
export type FieldCheck = readonly [description: string, test: (value: unknown) => boolean];

/** The field checks of plain JavaScript kinds, for {@link akind}. */
export const Field = {
  string: ['a string', (v) => typeof v === 'string'],
  bigint: ['a bigint', (v) => typeof v === 'bigint'],
  integer: ['an integer', (v) => Number.isInteger(v)],
  bytes: ['a Uint8Array', (v) => v instanceof Uint8Array],
  object: ['an object', (v) => typeof v === 'object' && v !== null],
} as const satisfies Record<string, FieldCheck>;

/**
 * The field checks of a backend's group elements, for {@link akind}: shape only (a G1 point, G2
 * point or Fp12 value of that backend), no membership test. Elements of another backend fail.
 */
export function groupFields<E extends Groups>(backend: PairingBackend<E>) {
  const of = ` of the ${backend.name} backend`;
  return {
    g1: [`a G1 point${of}`, backend.G1.is],
    g2: [`a G2 point${of}`, backend.G2.is],
    gt: [`an Fp12 element (GT)${of}`, backend.GT.is],
  } as const satisfies Record<string, FieldCheck>;
}

/**
 * Throws {@link ArgumentTypeError} unless `value` is an object of scheme `scheme` whose listed
 * fields each pass their test; returns it. For plain-JavaScript callers that pass one kind of
 * object where another is expected (a master key where params go, a secret key for a re-key):
 * the error names the argument, the kind expected and the first field that does not fit.
 * @param kind - the kind expected, for the message, e.g. `a ga07 master key`
 */
export function akind<T>(
  value: unknown,
  name: string,
  kind: string,
  scheme: string,
  fields: Readonly<Record<string, FieldCheck>>,
): T {
  if (typeof value !== 'object' || value === null) throw new ArgumentTypeError(name, kind, value);
  const obj = value as Record<string, unknown>;
  if (obj.scheme !== scheme) throw new ArgumentTypeError(name, `${kind}, got an object with scheme=${String(obj.scheme)}`);
  for (const [field, [description, test]] of Object.entries(fields)) {
    if (!test(obj[field])) throw new ArgumentTypeError(name, `${kind}: its ${field} must be ${description}`, obj[field]);
  }
  return value as T;
}

/** True iff `value` is a `number` that is a non-negative safe integer (a count, an index, a time). */
export function isNatural(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks that `value` is an integer (a `number`) in [min, max]; returns it.
 * @throws ArgumentTypeError for a non-number; ArgumentValueError for a non-integer or one out of range
 */
export function ainteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw new ArgumentTypeError(name, 'an integer', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentValueError(name, `${value} is not an integer in [${min}, ${max}]`);
  }
  return value;
}

/** Names a value's kind for a message, without printing the value itself (it may be secret). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
