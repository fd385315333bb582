/**
 * What each party does off the ledger (Huang et al. 2020, sections 4.1 and 4.2): the PKG and
 * membership authority (setup, keys, registration), the patient or hospital (encrypt, commit, sign),
 * the patient (prove, ReKeyGen sealed to the proxy), the proxy (verifiable ReEncrypt), and the
 * research institution (check the proxy's proof, Decrypt, check the record against the ledger).
 * Randomness is always passed in; nothing here reads a clock.
 * @module
 */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { ByteReader, ByteWriter } from '../internal/bytes.js';
import { gtToBytes, type G2, type GT } from '../internal/bls.js';
import {
  aarray,
  aobject,
  ArgumentTypeError,
  ArgumentValueError,
  DecryptionError,
  EncodingError,
  ProofError,
} from '../internal/errors.js';
import { randomFrom, type RandomOptions } from '../internal/random.js';
import { type Transaction, transactionSignable } from '../ledger/transaction.js';
import { type Ga07Ciphertext, type Ga07MasterKey, type Ga07Params, type Ga07SecretKey, ga07 } from '../pre/ga07.js';
import { type Ga07ReEncryptionShare, ga07Verifiable } from '../pre/ga07-verifiable.js';
import {
  type AuthSignMasterKey,
  type AuthSignParams,
  authSign,
  authVerify,
  keyGen as signKeyGen,
  setup as signSetup,
  type SigningKey,
} from '../sign/cha-cheon.js';
import { addressOf, type ContractConfig, ProtocolError } from './contract.js';
import type { MedicalRecord, ProofSystem, Requirement } from './proof-system.js';
import {
  type BodyOf,
  bindingSignable,
  decodeSignedReEncryptionShare,
  encodeSignedReEncryptionShare,
  encodeBody,
  encodeEnvelope,
  envelopeSignable,
  fieldToBytes,
  RECORD_SEPARATOR,
  recordIdentity,
  recordSignable,
  reEncryptionShareSignable,
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

/** A record with the blinding of its ledger commitment: what the patient keeps and what is encrypted. */
export interface RecordOpening {
  /** D. */
  readonly record: number[];
  /** rho, the blinding of the record's commitment ({@link ProofSystem.commitRecord}). */
  readonly blinding: bigint;
}

/**
 * The bytes of a record for encryption: u32 count, each value as u64, then the blinding rho of
 * its commitment (32 bytes big-endian), so that the reader can check the record against the
 * ledger's commitment.
 */
export function encodeRecord(record: MedicalRecord, blinding: bigint): Uint8Array {
  const w = new ByteWriter(40 + 8 * record.length).u32(record.length);
  for (const [i, v] of record.entries()) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ArgumentValueError(`record[${i}]`, 'expected a non-negative safe integer');
    w.u64(v);
  }
  return w.raw(fieldToBytes(blinding)).finish();
}

/**
 * Decodes a record and its blinding from untrusted bytes.
 * @throws RangeError naming the defect
 */
export function decodeRecord(bytes: Uint8Array): RecordOpening {
  const r = new ByteReader(bytes, 'record');
  const count = r.u32('count');
  if (count === 0 || count * 8 + 32 !== r.remaining) throw new EncodingError('record', 'count', 'does not match the length');
  const record: number[] = [];
  for (let i = 0; i < count; i++) record.push(r.u64(`record[${i}]`));
  const blinding = bytesToNumberBE(r.raw(32, 'blinding'));
  r.end();
  return { record, blinding };
}

/**
 * Step 2 / section 4.2.4: Encrypt(PK, ID, D || rho) by the patient (or a hospital on the patient's
 * behalf), to the record's own identity ID = {@link recordIdentity}(patient, commitment) rather
 * than to ID_p, so that a re-encryption key covers this record only. The commitment's blinding
 * rho travels inside the ciphertext, so that the institution can check what it decrypts against
 * the ledger while the ledger's commitment stays hiding.
 * @param commitment - the record's commitment (as registered on the ledger)
 * @param blinding - rho, the blinding of that commitment
 * @returns the ciphertext the proxy stores
 */
export function encryptRecord(
  params: Ga07Params,
  patient: string,
  commitment: bigint,
  record: MedicalRecord,
  blinding: bigint,
  options?: RandomOptions,
): Ga07Ciphertext {
  return ga07.encrypt(params, recordIdentity(patient, commitment), encodeRecord(record, blinding), options);
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
  /** rho, the blinding the record was committed with. */
  readonly blinding: bigint;
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
    blinding: input.blinding,
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

/** What a proxy needs to re-encrypt: its IB-PRE key (to open its sealed share) and its AuthSign key (to sign its output). */
export type ProxyKeys = Pick<Credentials, 'decryptionKey' | 'signingKey'>;

/**
 * The record and grant bindings a proxy signs with its partial (see
 * {@link reEncryptionShareSignable}): the stored ciphertext's recipient, C1 and C2, and the
 * grant's R1 and R2.
 */
function shareBindings(stored: Ga07Ciphertext, R1: G2, R2: GT): { record: Uint8Array; grant: Uint8Array } {
  if (stored.capsule.form !== 'original') throw new ArgumentTypeError('stored', 'an original ciphertext');
  const record = new ByteWriter(700)
    .string(stored.recipient, 'stored.recipient')
    .raw(stored.capsule.C1.toBytes(true))
    .raw(gtToBytes(stored.capsule.C2))
    .finish();
  const grant = new ByteWriter(700).raw(R1.toBytes(true)).raw(gtToBytes(R2)).finish();
  return { record, grant };
}

/**
 * Step 7: the proxy opens its sealed share, re-encrypts the stored ciphertext with a proof, and
 * signs the result with AuthSign over the record, the grant and the partial (which carries its
 * share index), so that a bad partial can be blamed on the proxy that signed it.
 * @param proxy - the proxy's keys (both for one identity)
 * @returns the encoded signed partial ({@link encodeSignedReEncryptionShare})
 * @throws ProtocolError `sealedKeyInvalid` if the share does not open or decode; `grantMismatch` if the
 * stored ciphertext is not for the identity the share was granted from
 */
export function proxyReEncrypt(
  params: Ga07Params,
  proxy: ProxyKeys,
  sealedShare: Uint8Array,
  stored: Ga07Ciphertext,
  options?: RandomOptions,
): Uint8Array {
  const { decryptionKey, signingKey } = aobject<ProxyKeys>(proxy, 'proxy');
  if (
    aobject<SigningKey>(signingKey, 'proxy.signingKey').identity !==
    aobject<Ga07SecretKey>(decryptionKey, 'proxy.decryptionKey').identity
  ) {
    throw new ArgumentValueError('proxy', 'the decryption and signing keys are for different identities');
  }
  let share: ReturnType<typeof ga07Verifiable.decodeReKeyShare>;
  try {
    share = ga07Verifiable.decodeReKeyShare(ga07.decrypt(params, decryptionKey, ga07.decodeCiphertext(sealedShare)));
  } catch (e) {
    throw new ProtocolError('sealedKeyInvalid', `the proxy cannot open its re-encryption key: ${(e as Error).message}`);
  }
  if (stored.recipient !== share.delegator) {
    // The ciphertext says whose it is: the grant is for another identity (another record).
    throw new ProtocolError('grantMismatch', 'the stored ciphertext is not for the identity the key share was granted from');
  }
  const random = randomFrom(options);
  const partial = ga07Verifiable.encodeReEncryptionShare(ga07Verifiable.reEncryptShare(params, share, stored, { random }));
  return signReEncryptionShare(signingKey, stored, share, partial, { random });
}

/**
 * The signing half of {@link proxyReEncrypt}: AuthSign(SK_proxy, {@link reEncryptionShareSignable})
 * over the record (`stored`), the grant (its R1, R2, from the key share or the commitment) and the
 * encoded partial. For proxies that compute their partial themselves.
 * @returns the encoded signed partial ({@link encodeSignedReEncryptionShare})
 */
export function signReEncryptionShare(
  signingKey: SigningKey,
  stored: Ga07Ciphertext,
  grant: { readonly R1: G2; readonly R2: GT },
  partial: Uint8Array,
  options?: RandomOptions,
): Uint8Array {
  const bindings = shareBindings(stored, grant.R1, grant.R2);
  const signable = reEncryptionShareSignable(signingKey.identity, bindings.record, bindings.grant, partial);
  return encodeSignedReEncryptionShare({
    proxy: signingKey.identity,
    partial,
    signature: authSign(signingKey, signable, options),
  });
}

/** What the institution receives and reads in step 8. */
export interface Delivery {
  /** The encoded re-encryption key commitment, as the ledger holds it (grantAccess). */
  readonly reKeyCommitment: Uint8Array;
  /** The record commitment, as the ledger holds it. */
  readonly commitment: bigint;
  /** The ciphertext the proxy says it stored (its C1, C2 enter the proofs). */
  readonly stored: Ga07Ciphertext;
  /** The proxies' signed partial re-encryptions ({@link proxyReEncrypt}), in any order. */
  readonly shares: readonly Uint8Array[];
}

/** Why {@link receiveRecordDetailed} set a delivered share aside. */
export type ShareRejectionReason =
  /** The bytes are not a signed share: nobody can be blamed. */
  | 'malformed'
  /** The AuthSign signature does not verify for the identity named: nobody can be blamed. */
  | 'badSignature'
  /** Signed, but the partial inside does not decode: the signer is accountable. */
  | 'undecodable'
  /** Signed, but the partial's proof does not verify: the signer is accountable. */
  | 'invalid'
  /** Signed and valid, but a valid partial for the same share came earlier (a replay; harmless). */
  | 'duplicate';

/** A delivered share that {@link receiveRecordDetailed} set aside. */
export interface ShareRejection {
  /** Its position in `delivery.shares`. */
  readonly position: number;
  /** The proxy whose valid signature covers it; `null` when the signature does not verify (unattributable). */
  readonly proxy: string | null;
  /** Why it was set aside. */
  readonly reason: ShareRejectionReason;
}

/** What {@link receiveRecordDetailed} returns. */
export interface ReceivedRecord {
  /** The record, checked against the on-ledger commitment. */
  readonly record: number[];
  /** The shares set aside; those with a `proxy` and reason `undecodable` or `invalid` name a misbehaving proxy. */
  readonly rejected: readonly ShareRejection[];
}

/**
 * Step 8 / section 4.2.9, reporting: check each proxy's AuthSign signature and proof against the
 * on-ledger key commitment, combine any t valid partials (bad, unsigned and replayed ones are set
 * aside, so one lying proxy does not stop a t-of-n delivery with t < n), Decrypt(PK, C_{p->d},
 * SK_d), and check the record, under the blinding that came with it, against the on-ledger
 * commitment.
 * @param signParams - the PKG's AuthSign parameters, to check the proxies' signatures
 * @returns the record and the shares set aside
 * @throws ProtocolError `reEncryptionProofInvalid` (fewer than t valid partials; `accountable` names
 * every proxy whose signed partial failed), `decryptionFailed` or `recordMismatch`
 */
export function receiveRecordDetailed(
  params: Ga07Params,
  institutionKey: Ga07SecretKey,
  delivery: Delivery,
  proofSystem: Pick<ProofSystem, 'commitRecord'>,
  signParams: AuthSignParams,
): ReceivedRecord {
  let commitment: ReturnType<typeof ga07Verifiable.decodeReKeyCommitment>;
  try {
    commitment = ga07Verifiable.decodeReKeyCommitment(delivery.reKeyCommitment);
  } catch (e) {
    throw new ProtocolError('reEncryptionProofInvalid', `the re-encryption key commitment: ${(e as Error).message}`);
  }
  if (!ga07Verifiable.verifyReKeyCommitment(params, institutionKey, commitment)) {
    throw new ProtocolError('reEncryptionProofInvalid', 'the re-encryption key commitment is not for this institution');
  }
  const { record: recordBinding, grant } = shareBindings(delivery.stored, commitment.R1, commitment.R2);
  const rejected: ShareRejection[] = [];
  const signed: { position: number; proxy: string; partial: Ga07ReEncryptionShare }[] = [];
  for (const [position, bytes] of aarray<Uint8Array>(delivery.shares, 'delivery.shares').entries()) {
    let envelope: ReturnType<typeof decodeSignedReEncryptionShare>;
    try {
      envelope = decodeSignedReEncryptionShare(bytes);
    } catch {
      rejected.push({ position, proxy: null, reason: 'malformed' });
      continue;
    }
    const signable = reEncryptionShareSignable(envelope.proxy, recordBinding, grant, envelope.partial);
    if (!authVerify(signParams, envelope.proxy, signable, envelope.signature)) {
      rejected.push({ position, proxy: null, reason: 'badSignature' });
      continue;
    }
    try {
      signed.push({ position, proxy: envelope.proxy, partial: ga07Verifiable.decodeReEncryptionShare(envelope.partial) });
    } catch {
      rejected.push({ position, proxy: envelope.proxy, reason: 'undecodable' });
    }
  }
  let shared: Ga07Ciphertext;
  try {
    if (signed.length < commitment.threshold) throw new ProofError('too few signed partials decode');
    const combined = ga07Verifiable.combineReEncryptionSharesDetailed(
      params,
      commitment,
      delivery.stored,
      signed.map((s) => s.partial),
    );
    for (const r of combined.rejected) {
      const s = signed[r.position] as (typeof signed)[number];
      rejected.push({ position: s.position, proxy: s.proxy, reason: r.reason });
    }
    shared = combined.ciphertext;
  } catch (e) {
    if (!(e instanceof ProofError || e instanceof RangeError || e instanceof TypeError)) throw e;
    const failed = e instanceof ProofError ? e.rejected : [];
    for (const r of failed) {
      const s = signed[r.position] as (typeof signed)[number];
      rejected.push({ position: s.position, proxy: s.proxy, reason: r.reason });
    }
    const accountable = [
      ...new Set(rejected.filter((r) => r.proxy !== null && r.reason !== 'duplicate').map((r) => r.proxy as string)),
    ];
    const unattributed = rejected.filter((r) => r.proxy === null).length;
    throw new ProtocolError(
      'reEncryptionProofInvalid',
      `fewer than ${commitment.threshold} valid re-encryption shares; ` +
        `signed shares that fail: ${accountable.length > 0 ? accountable.join(', ') : 'none'}; unsigned or malformed: ${unattributed}`,
      accountable,
    );
  }
  let opened: RecordOpening;
  try {
    opened = decodeRecord(ga07.decrypt(params, institutionKey, shared));
  } catch (e) {
    if (e instanceof DecryptionError || e instanceof RangeError) throw new ProtocolError('decryptionFailed', e.message);
    throw e;
  }
  const { record, blinding } = opened;
  let matches = false;
  try {
    matches = proofSystem.commitRecord(record, blinding) === delivery.commitment;
  } catch {
    matches = false;
  }
  if (!matches) throw new ProtocolError('recordMismatch', 'the record received is not the one committed on the ledger');
  rejected.sort((a, b) => a.position - b.position);
  return { record, rejected };
}

/**
 * Step 8 / section 4.2.9: check the proxies' signed proofs against the on-ledger key commitment,
 * combine any t valid partials, Decrypt(PK, C_{p->d}, SK_d), and check the record against the
 * on-ledger commitment. {@link receiveRecordDetailed} also reports the shares it set aside.
 * @param signParams - the PKG's AuthSign parameters, to check the proxies' signatures
 * @returns the record
 * @throws ProtocolError `reEncryptionProofInvalid` (with `accountable` naming the proxies whose
 * signed partials failed), `decryptionFailed` or `recordMismatch`
 */
export function receiveRecord(
  params: Ga07Params,
  institutionKey: Ga07SecretKey,
  delivery: Delivery,
  proofSystem: Pick<ProofSystem, 'commitRecord'>,
  signParams: AuthSignParams,
): number[] {
  return receiveRecordDetailed(params, institutionKey, delivery, proofSystem, signParams).record;
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
