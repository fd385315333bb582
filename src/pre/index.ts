/**
 * @module
 * `medshare/pre`: identity-based proxy re-encryption (IB-PRE) over BLS12-381.
 *
 * A patient encrypts a record to their own identity and stores it with a semi-trusted proxy;
 * after approval the patient gives the proxy a re-encryption key, and the proxy turns the
 * ciphertext into one for a research institution without ever seeing the record.
 *
 * Schemes:
 * - {@link huang2020}: the scheme of Huang et al. 2020, section 4.2, with its three errata
 *   fixed. INSECURE (any key holder opens every ciphertext): for reproducing the paper only.
 *
 * @example
 * ```ts
 * import { huang2020 as scheme } from 'medshare/pre';
 * const { params, masterKey } = scheme.setup();
 * const patient = scheme.keyGen(params, masterKey, 'patient:alice');
 * const institute = scheme.keyGen(params, masterKey, 'institute:oncology-lab');
 * const record = new TextEncoder().encode('{"hba1c": 6.1}');
 * const stored = scheme.encrypt(params, 'patient:alice', record);
 * const reKey = scheme.reKeyGen(params, patient, 'institute:oncology-lab');
 * const shared = scheme.reEncrypt(params, reKey, stored);
 * scheme.decrypt(params, institute, shared); // the record
 * ```
 */
export { huang2020 } from './huang2020.js';
export type {
  Huang2020Capsule,
  Huang2020Ciphertext,
  Huang2020MasterKey,
  Huang2020Params,
  Huang2020ReKey,
  Huang2020SecretKey,
} from './huang2020.js';
export type { Ciphertext, PreScheme, SetupResult } from './types.js';
export { DecryptionError } from '../internal/errors.js';
export type { RandomOptions, RandomSource } from '../internal/random.js';
export type { G1, G2, GT } from '../internal/bls.js';
