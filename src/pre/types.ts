/**
 * The interface every identity-based proxy re-encryption scheme in medshare implements,
 * with the algorithm names of Huang et al. 2020, section 4.2.
 * @module
 */
import type { RandomOptions } from '../internal/random.js';

/** A sealed record: the scheme's capsule (its KEM ciphertext) and the AEAD-sealed record. */
export interface Ciphertext<Capsule> {
  /** Name of the scheme that made this ciphertext. */
  readonly scheme: string;
  /**
   * The identity that can decrypt it: the identity it was encrypted to, or after ReEncrypt the
   * delegatee. ReEncrypt refuses a ciphertext whose recipient is not the re-encryption key's
   * delegator, and Decrypt one whose recipient is not the key's identity.
   */
  readonly recipient: string;
  /** The KEM part: what ReEncrypt transforms. */
  readonly capsule: Capsule;
  /** The record, sealed with ChaCha20-Poly1305 under the encapsulated key; never touched by ReEncrypt. */
  readonly sealed: Uint8Array;
}

/** What Setup returns: public parameters for everyone, the master key for the PKG only. */
export interface SetupResult<Params, MasterKey> {
  /** Public parameters PK, published to everyone. */
  readonly params: Params;
  /** Master secret key MSK, kept by the PKG. */
  readonly masterKey: MasterKey;
}

/**
 * An identity-based proxy re-encryption scheme: the paper's six algorithms and a byte
 * encoding for each object. Decoders validate untrusted bytes completely and throw
 * TypeError (not a Uint8Array) or RangeError (anything wrong with the bytes), naming the field.
 */
export interface PreScheme<Params, MasterKey, SecretKey, ReKey, Capsule> {
  /** Scheme name, also written into every object (`scheme` field). */
  readonly name: string;
  /** Setup(1^lambda) -> (PK, MSK). Run once by the PKG. */
  setup(options?: RandomOptions): SetupResult<Params, MasterKey>;
  /** KeyGen(MSK, PK, ID) -> SK_ID. Run by the PKG for each registered identity. */
  keyGen(params: Params, masterKey: MasterKey, identity: string, options?: RandomOptions): SecretKey;
  /** Encrypt(PK, ID, D) -> C_ID, for a record of any length. */
  encrypt(params: Params, identity: string, record: Uint8Array, options?: RandomOptions): Ciphertext<Capsule>;
  /** ReKeyGen(PK, SK_p, ID_d) -> RK_{p->d}. Run by the delegator p. */
  reKeyGen(params: Params, secretKey: SecretKey, delegatee: string, options?: RandomOptions): ReKey;
  /** ReEncrypt(PK, RK_{p->d}, C_p) -> C_d. Run by the proxy; never sees the record. */
  reEncrypt(params: Params, reKey: ReKey, ciphertext: Ciphertext<Capsule>): Ciphertext<Capsule>;
  /** Decrypt(PK, C, SK) -> D, for original and re-encrypted ciphertexts; throws DecryptionError. */
  decrypt(params: Params, secretKey: SecretKey, ciphertext: Ciphertext<Capsule>): Uint8Array;

  /** Canonical bytes of the public parameters. */
  encodeParams(params: Params): Uint8Array;
  /** Validating decoder for public parameters; TypeError / RangeError naming the field. */
  decodeParams(bytes: Uint8Array): Params;
  /** Canonical bytes of the master key (secret: store it like one). */
  encodeMasterKey(masterKey: MasterKey): Uint8Array;
  /** Validating decoder for a master key. */
  decodeMasterKey(bytes: Uint8Array): MasterKey;
  /** Canonical bytes of a secret key (secret: store it like one). */
  encodeSecretKey(secretKey: SecretKey): Uint8Array;
  /** Validating decoder for a secret key, including the consistency of its parts. */
  decodeSecretKey(bytes: Uint8Array): SecretKey;
  /** Canonical bytes of a re-encryption key. */
  encodeReKey(reKey: ReKey): Uint8Array;
  /** Validating decoder for a re-encryption key, including the consistency of its parts. */
  decodeReKey(bytes: Uint8Array): ReKey;
  /** Canonical bytes of a ciphertext (original or re-encrypted). */
  encodeCiphertext(ciphertext: Ciphertext<Capsule>): Uint8Array;
  /** Validating decoder for a ciphertext: every group element checked, GT membership included. */
  decodeCiphertext(bytes: Uint8Array): Ciphertext<Capsule>;
}
