/**
 * `medshare/pre`: identity-based proxy re-encryption (IB-PRE) over BLS12-381.
 *
 * A patient encrypts a record to their own identity and stores it with a semi-trusted proxy;
 * after approval the patient gives the proxy a re-encryption key, and the proxy turns the
 * ciphertext into one for a research institution without ever seeing the record.
 *
 * Schemes:
 * - {@link ga07} (also exported as {@link defaultScheme} and `scheme`): Green-Ateniese IBP1,
 *   ACNS 2007. IND-CPA under DBDH in the random-oracle model, AEAD integrity of the record,
 *   single-hop; NOT collusion-resistant (delegatee + proxy recover the delegator's key) and
 *   with PKG key escrow. {@link ga07Verifiable} adds proofs that a proxy re-encrypted
 *   correctly and t-of-n threshold re-encryption.
 * - {@link huang2020}: the scheme of Huang et al. 2020, section 4.2, with its three errata
 *   fixed. INSECURE (any key holder opens every ciphertext): for reproducing the paper only,
 *   and only when asked for by name.
 *
 * @example
 * ```ts
 * import { scheme } from 'medshare/pre'; // ga07
 * const { params, masterKey } = scheme.setup();
 * const patient = scheme.keyGen(params, masterKey, 'patient:alice');
 * const institute = scheme.keyGen(params, masterKey, 'institute:oncology-lab');
 * const record = new TextEncoder().encode('{"hba1c": 6.1}');
 * const stored = scheme.encrypt(params, 'patient:alice', record);
 * const reKey = scheme.reKeyGen(params, patient, 'institute:oncology-lab');
 * const shared = scheme.reEncrypt(params, reKey, stored);
 * scheme.decrypt(params, institute, shared); // the record
 * ```
 * @module
 */
import { ga07 } from './ga07.js';

export { createGa07, ga07, verifySecretKey as ga07VerifySecretKey } from './ga07.js';
export type {
  Ga07Capsule,
  Ga07Ciphertext,
  Ga07MasterKey,
  Ga07OriginalCapsule,
  Ga07Params,
  Ga07ReEncryptedCapsule,
  Ga07ReKey,
  Ga07Scheme,
  Ga07SecretKey,
} from './ga07.js';
export { createGa07Verifiable, ga07Verifiable, MAX_SHARES } from './ga07-verifiable.js';
export type {
  Ga07Combination,
  Ga07Delegation,
  Ga07Proof,
  Ga07ReEncryptionShare,
  Ga07ReKeyCommitment,
  Ga07ReKeyShare,
  Ga07SharedReKey,
  Ga07VerifiableApi,
  ShareOptions,
} from './ga07-verifiable.js';

/** The recommended scheme: {@link ga07}. */
export const defaultScheme: typeof ga07 = ga07;
/** Alias of {@link defaultScheme}. */
export const scheme: typeof ga07 = ga07;

export { createHuang2020, huang2020 } from './huang2020.js';
export type {
  Huang2020Capsule,
  Huang2020Ciphertext,
  Huang2020MasterKey,
  Huang2020Params,
  Huang2020ReKey,
  Huang2020Scheme,
  Huang2020SecretKey,
} from './huang2020.js';
export type { Ciphertext, PreScheme, SetupResult } from './types.js';
export * from '../internal/public-errors.js';
export { DecryptionError, ProofError } from '../internal/errors.js';
export type { RejectedPart } from '../internal/errors.js';
export type { RandomOptions, RandomSource } from '../internal/random.js';
export type { G1, G2, GT } from '../internal/bls.js';
export type { Groups, PairingBackend } from '../backend/types.js';
export type { NobleGroups } from '../backend/noble.js';
