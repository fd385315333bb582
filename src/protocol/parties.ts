/**
 * @module
 * What each party does off the ledger (Huang et al. 2020, sections 4.1 and 4.2): the PKG and
 * membership authority (setup, keys, registration), the patient or hospital (encrypt, commit, sign),
 * the patient (prove, ReKeyGen sealed to the proxy), the proxy (verifiable ReEncrypt), and the
 * research institution (check the proxy's proof, Decrypt, check the record against the ledger).
 * Randomness is always passed in; nothing here reads a clock.
 */
import { ByteReader, ByteWriter } from '../internal/bytes.js';
import { DecryptionError, ProofError, ArgumentValueError, EncodingError } from '../internal/errors.js';
import { randomFrom, type RandomOptions } from '../internal/random.js';
import { type Transaction, transactionSignable } from '../ledger/transaction.js';
import { type Ga07Ciphertext, type Ga07MasterKey, type Ga07Params, type Ga07SecretKey, ga07 } from '../pre/ga07.js';
import { type Ga07ReEncryptionShare, ga07Verifiable } from '../pre/ga07-verifiable.js';
import {
  type AuthSignMasterKey,
  type AuthSignParams,
  authSign,
  keyGen as signKeyGen,
  setup as signSetup,
  type SigningKey,
} from '../sign/cha-cheon.js';
import { addressOf, type ContractConfig, ProtocolError } from './contract.js';
import type { MedicalRecord, ProofSystem, Requirement } from './proof-system.js';
import {
  type BodyOf,
  bindingSignable,
  encodeBody,
  encodeEnvelope,
  envelopeSignable,
  fieldToBytes,
  RECORD_SEPARATOR,
  recordIdentity,
  recordSignable,
  type Role,
  type TransactionKind,
} from './transactions.js';

/** What the PKG issues to a registered identity. */
export interface Credentials {
  /** The identity. */
  readonly identity: string;
  /** The role the membership authority grants. */
  readonly role: Role;
  /** The ledger address. */
  readonly address: string;
  /** The IB-PRE decryption key SK_ID (ga07). */
  readonly decryptionKey: Ga07SecretKey;
  /** The AuthSign signing key. */
  readonly signingKey: SigningKey;
}

/** The PKG and membership authority (sections 4.2.1 and 4.2.3). Holds the master keys. */
export interface Pkg {
  /** IB-PRE public parameters. */
  readonly preParams: Ga07Params;
  /** AuthSign public parameters. */
  readonly signParams: AuthSignParams;
  /** The membership authority's identity and signing key. */
  readonly authority: SigningKey;
  /** KeyGen for `identity`: its IB-PRE and AuthSign keys, and its address. */
  enroll(identity: string, role: Role): Credentials;
  /**
   * KeyGen for the record's own identity ({@link recordIdentity}): the key the patient re-encrypts
   * from. The PKG issues it to the record's patient only.
   */
  recordKey(patient: string, commitment: bigint): Ga07SecretKey;
  /** The `register` transaction for `identity`, signed by the membership authority. */
  registration(identity: string, role: Role, time: number, options?: RandomOptions): Uint8Array;
  /** The contract's genesis parameters for these public parameters. */
  contractConfig(limits?: Partial<Pick<ContractConfig, 'maxProofAge' | 'maxClockSkew'>>): ContractConfig;
}

/** Options of {@link createPkg}. */
export interface PkgOptions extends RandomOptions {
  /** The membership authority's identity (default 'ca:membership'). */
  readonly authority?: string;
}

/**
 * Setup(1^lambda) of the IB-PRE and of AuthSign, and a membership authority.
 * @param options - `random` and the authority's identity
 * @example
 * ```ts
 * const pkg = createPkg();
 * const alice = pkg.enroll('patient:alice', 'patient');
 * const operation = pkg.registration('patient:alice', 'patient', 1700000000);
 * ```
 */
export function createPkg(options: PkgOptions = {}): Pkg {
  const random = randomFrom(options);
  const pre = ga07.setup({ random });
  const sign = signSetup({ random });
  const preMaster: Ga07MasterKey = pre.masterKey;
  const signMaster: AuthSignMasterKey = sign.masterKey;
  const authorityId = options.authority ?? 'ca:membership';
  const authority = signKeyGen(sign.params, signMaster, authorityId);
  return {
    preParams: pre.params,
    signParams: sign.params,
    authority,
    enroll(identity, role) {
      if (identity.includes(RECORD_SEPARATOR))
        throw new ArgumentValueError('identity', `'${RECORD_SEPARATOR}' is reserved for record identities`);
      return {
        identity,
        role,
        address: addressOf(identity),
        decryptionKey: ga07.keyGen(pre.params, preMaster, identity),
        signingKey: signKeyGen(sign.params, signMaster, identity),
      };
    },
    recordKey(patient, commitment) {
      return ga07.keyGen(pre.params, preMaster, recordIdentity(patient, commitment));
    },
    registration(identity, role, time, opts) {
      return signTransaction(authority, 'register', { identity, role }, time, opts ?? { random });
    },
    contractConfig(limits = {}) {
      return {
        authority: authorityId,
        preParams: pre.params,
        signParams: sign.params,
        maxProofAge: limits.maxProofAge ?? 3600,
        maxClockSkew: limits.maxClockSkew ?? 300,
      };
    },
  };
}

/**
 * Encodes and signs a contract transaction: AuthSign(SK_sender, envelope).
 * @param signingKey - the sender's AuthSign key
 * @param kind - the transaction kind
 * @param body - its body
 * @param time - the sender's time, seconds
 * @param options - `random`
 * @returns the transaction bytes (a PBFT operation)
 */
export function signTransaction<K extends TransactionKind>(
  signingKey: SigningKey,
  kind: K,
  body: BodyOf[K],
  time: number,
  options?: RandomOptions,
): Uint8Array {
  const bodyBytes = encodeBody(kind, body);
  const signature = authSign(signingKey, envelopeSignable(kind, signingKey.identity, time, bodyBytes), options);
  return encodeEnvelope(kind, signingKey.identity, time, bodyBytes, signature);
}

/** The bytes of a record for encryption: u32 count, then each value as u64. */
export function encodeRecord(record: MedicalRecord): Uint8Array {
  const w = new ByteWriter(8 + 8 * record.length).u32(record.length);
  for (const [i, v] of record.entries()) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ArgumentValueError(`record[${i}]`, 'expected a non-negative safe integer');
    w.u64(v);
  }
  return w.finish();
}

/**
 * Decodes a record from untrusted bytes.
 * @throws RangeError naming the defect
 */
export function decodeRecord(bytes: Uint8Array): number[] {
  const r = new ByteReader(bytes, 'record');
  const count = r.u32('count');
  if (count === 0 || count * 8 !== r.remaining) throw new EncodingError('record', 'count', 'does not match the length');
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(r.u64(`record[${i}]`));
  r.end();
  return out;
}

/**
 * Step 2 / section 4.2.4: Encrypt(PK, ID, D) by the patient (or a hospital on the patient's
 * behalf), to the record's own identity ID = {@link recordIdentity}(patient, commitment) rather
 * than to ID_p, so that a re-encryption key covers this record only.
 * @param commitment - the record's commitment (as registered on the ledger)
 * @returns the ciphertext the proxy stores
 */
export function encryptRecord(
  params: Ga07Params,
  patient: string,
  commitment: bigint,
  record: MedicalRecord,
  options?: RandomOptions,
): Ga07Ciphertext {
  return ga07.encrypt(params, recordIdentity(patient, commitment), encodeRecord(record), options);
}

/** Step 3: sigma_a = AuthSign(SK_p, record commitment), the patient's consent to the registration. */
export function signRecordCommitment(patientKey: SigningKey, commitment: bigint, options?: RandomOptions): Uint8Array {
  return authSign(patientKey, recordSignable(patientKey.identity, commitment), options);
}

/** Options of {@link proofSubmission}. */
export interface SubmissionInput {
  /** The patient's AuthSign key. */
  readonly patientKey: SigningKey;
  /** The proof system. */
  readonly proofSystem: ProofSystem;
  /** EK_c. */
  readonly provingKey: unknown;
  /** The requirement's id on the ledger. */
  readonly requirementId: string;
  /** The full requirement, as the institution gave it to the patient. */
  readonly requirement: Requirement;
  /** The record's id on the ledger. */
  readonly recordId: string;
  /** The record. */
  readonly record: MedicalRecord;
  /** T, seconds (also the transaction time). */
  readonly time: number;
}

/** What {@link proofSubmission} returns. */
export interface PreparedSubmission {
  /** The signed `submitProof` transaction. */
  readonly operation: Uint8Array;
  /** The proof's public signals. */
  readonly publicSignals: string[];
  /** h, the binding the patient signed. */
  readonly binding: bigint;
}

/**
 * Steps 4-5 / section 4.2.6: delta = (D, T, ID_p), random salt r, h = H(delta, r),
 * sigma_a = AuthSign(SK_p, h), pi = Prove(EK_c, ...); returns the `submitProof` transaction.
 */
export async function proofSubmission(input: SubmissionInput, options?: RandomOptions): Promise<PreparedSubmission> {
  const random = randomFrom(options);
  let salt = 0n;
  for (const b of random(31)) salt = (salt << 8n) | BigInt(b);
  const zk = input.proofSystem;
  const { proof, publicSignals } = await zk.prove(input.provingKey, {
    record: input.record,
    requirement: input.requirement,
    salt,
    patientId: zk.identityToField(input.patientKey.identity),
    timestamp: BigInt(input.time),
  });
  const { binding } = zk.decodePublicSignals(publicSignals);
  const bindingSignature = authSign(input.patientKey, bindingSignable(binding), { random });
  const operation = signTransaction(
    input.patientKey,
    'submitProof',
    { requirementId: input.requirementId, recordId: input.recordId, proof, publicSignals, bindingSignature },
    input.time,
    { random },
  );
  return { operation, publicSignals, binding };
}

/** One proxy's re-encryption key share, sealed to it. */
export interface SealedShare {
  /** The proxy's identity. */
  readonly proxy: string;
  /** Encrypt(PK, ID_proxy, encoded share): an encoded ga07 ciphertext. */
  readonly sealed: Uint8Array;
}

/** What the patient hands out after acceptance (step 6). */
export interface IssuedReKey {
  /** For each proxy, its sealed share. */
  readonly sealedShares: SealedShare[];
  /** The encoded commitment, published on the ledger with `grantAccess`. */
  readonly reKeyCommitment: Uint8Array;
}

/**
 * Step 6 / section 4.2.8: ReKeyGen(PK, SK, ID_d) from the record's key (`Pkg.recordKey`), split into t-of-n shares (ga07Verifiable), each
 * share sealed to its proxy: Encrypt(PK, ID_proxy, encoded share) (the paper: "RK is encrypted by
 * the public key of cloud server").
 * @param proxies - the proxies' identities (n = proxies.length)
 * @param threshold - t (default n)
 */
export function issueReKey(
  params: Ga07Params,
  recordKey: Ga07SecretKey,
  institution: string,
  proxies: readonly string[],
  threshold: number = proxies.length,
  options?: RandomOptions,
): IssuedReKey {
  const random = randomFrom(options);
  const { shares, commitment } = ga07Verifiable.reKeyGenShares(params, recordKey, institution, {
    threshold,
    total: proxies.length,
    random,
  });
  const sealedShares = shares.map((share, i) => {
    const proxy = proxies[i] as string;
    const sealed = ga07.encrypt(params, proxy, ga07Verifiable.encodeReKeyShare(share), { random });
    return { proxy, sealed: ga07.encodeCiphertext(sealed) };
  });
  return { sealedShares, reKeyCommitment: ga07Verifiable.encodeReKeyCommitment(commitment) };
}

/**
 * Step 7: the proxy opens its sealed share and re-encrypts the stored ciphertext with a proof.
 * @returns the encoded re-encryption share (ga07Verifiable.encodeReEncryptionShare)
 * @throws ProtocolError `sealedKeyInvalid` if the share does not open or decode; `grantMismatch` if the
 * stored ciphertext is not for the identity the share was granted from
 */
export function proxyReEncrypt(
  params: Ga07Params,
  proxyKey: Ga07SecretKey,
  sealedShare: Uint8Array,
  stored: Ga07Ciphertext,
  options?: RandomOptions,
): Uint8Array {
  let share: ReturnType<typeof ga07Verifiable.decodeReKeyShare>;
  try {
    share = ga07Verifiable.decodeReKeyShare(ga07.decrypt(params, proxyKey, ga07.decodeCiphertext(sealedShare)));
  } catch (e) {
    throw new ProtocolError('sealedKeyInvalid', `the proxy cannot open its re-encryption key: ${(e as Error).message}`);
  }
  if (stored.recipient !== share.delegator) {
    // The ciphertext says whose it is: the grant is for another identity (another record).
    throw new ProtocolError('grantMismatch', 'the stored ciphertext is not for the identity the key share was granted from');
  }
  return ga07Verifiable.encodeReEncryptionShare(ga07Verifiable.reEncryptShare(params, share, stored, options));
}

/** What the institution receives and reads in step 8. */
export interface Delivery {
  /** The encoded re-encryption key commitment, as the ledger holds it (grantAccess). */
  readonly reKeyCommitment: Uint8Array;
  /** The record commitment, as the ledger holds it. */
  readonly commitment: bigint;
  /** The ciphertext the proxy says it stored (its C1, C2 enter the proofs). */
  readonly stored: Ga07Ciphertext;
  /** The proxies' encoded re-encryption shares. */
  readonly shares: readonly Uint8Array[];
}

/**
 * Step 8 / section 4.2.9: check the proxies' proofs against the on-ledger key commitment, combine,
 * Decrypt(PK, C_{p->d}, SK_d), and check the record against the on-ledger commitment.
 * @returns the record
 * @throws ProtocolError `reEncryptionProofInvalid`, `decryptionFailed` or `recordMismatch`
 */
export function receiveRecord(
  params: Ga07Params,
  institutionKey: Ga07SecretKey,
  delivery: Delivery,
  proofSystem: Pick<ProofSystem, 'commitRecord'>,
): number[] {
  let shared: Ga07Ciphertext;
  try {
    const commitment = ga07Verifiable.decodeReKeyCommitment(delivery.reKeyCommitment);
    if (!ga07Verifiable.verifyReKeyCommitment(params, institutionKey, commitment)) {
      throw new ProofError('the re-encryption key commitment is not for this institution');
    }
    const partials: Ga07ReEncryptionShare[] = delivery.shares.map((s) => ga07Verifiable.decodeReEncryptionShare(s));
    shared = ga07Verifiable.combineReEncryptionShares(params, commitment, delivery.stored, partials);
  } catch (e) {
    if (e instanceof ProofError || e instanceof RangeError || e instanceof TypeError) {
      throw new ProtocolError('reEncryptionProofInvalid', (e as Error).message);
    }
    throw e;
  }
  let record: number[];
  try {
    record = decodeRecord(ga07.decrypt(params, institutionKey, shared));
  } catch (e) {
    if (e instanceof DecryptionError || e instanceof RangeError) throw new ProtocolError('decryptionFailed', e.message);
    throw e;
  }
  let matches = false;
  try {
    matches = proofSystem.commitRecord(record) === delivery.commitment;
  } catch {
    matches = false;
  }
  if (!matches) throw new ProtocolError('recordMismatch', 'the record received is not the one committed on the ledger');
  return record;
}

/**
 * Step 9: the Fig. 3 form for a sharing, without signatures: dataHash is the record commitment.
 */
export function sharingForm(
  patient: string,
  institution: string,
  commitment: bigint,
  time: number,
): Omit<Transaction, 'patientSignature' | 'institutionSignature'> {
  return { patient, institution, dataHash: fieldToBytes(commitment), timestamp: time };
}

/** A party's AuthSign signature on a Fig. 3 form (both the patient and the institution sign it). */
export function signSharingForm(
  signingKey: SigningKey,
  form: Omit<Transaction, 'patientSignature' | 'institutionSignature'>,
  options?: RandomOptions,
): Uint8Array {
  return authSign(signingKey, transactionSignable(form), options);
}
