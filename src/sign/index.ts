/**
 * `medshare/sign`: AuthSign, the identity-based signature that binds a patient to what they
 * submit (Huang et al. 2020, sections 4.2.5-4.2.7, where it is left unspecified).
 *
 * The scheme is Cha and Cheon, "An Identity-Based Signature from Gap Diffie-Hellman Groups",
 * PKC 2003 (docs/schemes.md section 4), on BLS12-381 with signatures in G1:
 * - Setup: master secret s in Fr*, public key mpk = h^s (G2).
 * - KeyGen(ID): Q_ID = H1'(ID) (hash to G1, RFC 9380), signing key sk = Q_ID^s.
 * - Sign(sk, m): random r; U = Q_ID^r; v = H3(m, U) in Fr; V = sk^(r+v). sigma = (U, V).
 * - Verify(ID, m, sigma): e(V, h) = e(U * Q_ID^v, mpk).
 *
 * Security: existentially unforgeable under adaptive chosen-message and chosen-identity
 * attacks, assuming CDH is hard in G1 (Cha-Cheon's proof, in the random-oracle model for H1'
 * and H3). The PKG knows every signing key (key escrow), as in every identity-based scheme.
 * Signing keys use their own hash-to-curve domain, separate from any decryption key.
 *
 * @example
 * ```ts
 * import { setup, keyGen, authSign, authVerify } from 'medshare/sign';
 * const { params, masterKey } = setup();
 * const alice = keyGen(params, masterKey, 'patient:alice');
 * const message = new TextEncoder().encode('record commitment 0x12ab');
 * const signature = authSign(alice, message);
 * authVerify(params, 'patient:alice', message, signature); // true
 * ```
 * @module
 */
export {
  authSign,
  authVerify,
  createAuthSign,
  decodeMasterKey,
  decodeParams,
  decodeSigningKey,
  encodeMasterKey,
  encodeParams,
  encodeSigningKey,
  keyGen,
  setup,
  SIGNATURE_BYTES,
} from './cha-cheon.js';
export type { AuthSignApi, AuthSignMasterKey, AuthSignParams, AuthSignSetup, SigningKey } from './cha-cheon.js';
export type { Groups, PairingBackend } from '../backend/types.js';
export type { NobleGroups } from '../backend/noble.js';
export type { RandomOptions, RandomSource } from '../internal/random.js';
export * from '../internal/public-errors.js';
