/**
 * The error surface every entry point re-exports (`export * from`), so that a program catches
 * medshare's errors by class or by `code` from whichever subpath it imports. The entries whose
 * operations can also fail to decrypt or to verify a proof (the root and `medshare/pre`) add
 * {@link DecryptionError} and {@link ProofError}.
 * @module
 */
export { ArgumentTypeError, ArgumentValueError, EncodingError, isMedshareError, MedshareError } from './errors.js';
export type { ErrorCode } from './errors.js';
