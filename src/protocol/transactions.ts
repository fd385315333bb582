/**
 * The transactions the smart contract takes (Huang et al. 2020, sections 4.1 and 4.2): each is the
 * operation of one PBFT request, an envelope signed with AuthSign by its sender around one body.
 *
 * Envelope: version (u8), kind (u8), sender (string), time (u64, seconds), body (bytes),
 * signature (bytes, AuthSign(SK_sender, {@link envelopeSignable})). Strings are u32-length UTF-8,
 * bytes u32-length, big integers 32 bytes big-endian. Decoders check every field and throw a
 * RangeError naming it.
 * @module
 */
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter, toHex } from '../internal/bytes.js';
import { abytes, ArgumentValueError, EncodingError } from '../internal/errors.js';
import { identityBytes, identityProblem } from '../internal/identity.js';

const VERSION = 1;
const SIGN_TAG = 'medshare/protocol/v1/envelope';
const SHARE_TAG = 'medshare/protocol/v1/reencryption-share';
const MAX_KEYWORDS = 32;
const MAX_KEYWORD_BYTES = 64;
const MAX_SIGNAL_CHARS = 80;
const MAX_SIGNALS = 16;
const MAX_BLOB = 1 << 16;

/** The roles the membership service (the paper's fabric-ca, section 4.2.3) grants. */
export type Role = 'patient' | 'hospital' | 'institution' | 'proxy' | 'verifier';
/** Every role, in the order of their byte codes (1-based). */
export const ROLES: readonly Role[] = Object.freeze(['patient', 'hospital', 'institution', 'proxy', 'verifier']);

/** The kinds of transaction, in the order of their byte codes (1-based). */
export const TRANSACTION_KINDS = Object.freeze([
  'register',
  'publishRequirement',
  'registerRecord',
  'submitProof',
  'grantAccess',
  'share',
] as const);
/** The kind of a transaction. */
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** Membership: the authority registers `identity` with `role` (section 4.2.3). */
export interface RegisterBody {
  /** The identity being registered (the one its IB-PRE and AuthSign keys are issued for). */
  readonly identity: string;
  /** The role granted. */
  readonly role: Role;
}

/** Step 1 / section 4.2.2: a research institution publishes a requirement. */
export interface PublishRequirementBody {
  /** The hash of the full criteria (the zk circuit's requirement hash); the criteria stay private. */
  readonly criteriaHash: bigint;
  /** The public key words (section 5.1.4: only key words, not the whole requirement, are public). */
  readonly keywords: readonly string[];
  /** VK_c, the verification key proofs are checked with (opaque bytes for the proof system). */
  readonly verificationKey: Uint8Array;
  /** What the institution pays the patient per record shared. */
  readonly reward: number;
  /** Whether the licence is exclusive: a record shared under it may not be shared again (section 5.1.5). */
  readonly exclusive: boolean;
}

/** Steps 2-3 / section 4.2.5: the record's commitment goes on the ledger, signed by the patient. */
export interface RegisterRecordBody {
  /** The patient who owns the record (the sender, or a hospital sending on the patient's behalf). */
  readonly patient: string;
  /** The record commitment (the zk circuit's commitment to D = <d1, ..., dn>). */
  readonly commitment: bigint;
  /** sigma_a = AuthSign(SK_p, {@link recordSignable}(patient, commitment)). */
  readonly patientSignature: Uint8Array;
}

/** Steps 4-5 / sections 4.2.6-4.2.7: the patient submits the proof that the record meets the requirement. */
export interface SubmitProofBody {
  /** The requirement the proof is for. */
  readonly requirementId: string;
  /** The record the proof is about. */
  readonly recordId: string;
  /** pi, the proof (opaque bytes for the proof system). */
  readonly proof: Uint8Array;
  /** The public signals [R, h, commitment, requirementHash, patientId, T] as decimal strings. */
  readonly publicSignals: readonly string[];
  /** sigma_a = AuthSign(SK_p, h) on the binding h = H(commitment, ID_p, T, r) (section 4.2.6, step 3). */
  readonly bindingSignature: Uint8Array;
}

/** Step 6: the patient publishes the commitment of the re-encryption key it gave the proxy. */
export interface GrantAccessBody {
  /** The accepted submission this grant is for. */
  readonly approvalId: string;
  /** The encoded `Ga07ReKeyCommitment` (ga07Verifiable.encodeReKeyCommitment). */
  readonly reKeyCommitment: Uint8Array;
}

/** Step 9 / section 4.2.10: the sharing transaction (Fig. 3), signed by the patient and the institution. */
export interface ShareBody {
  /** The accepted submission that is being completed. */
  readonly approvalId: string;
  /** The encoded Fig. 3 `Transaction` (medshare/ledger `encodeTransaction`). */
  readonly transaction: Uint8Array;
}

/** A decoded transaction of kind `K`: the envelope and its typed body. */
export interface TransactionOf<K extends TransactionKind> {
  /** Which transaction. */
  readonly kind: K;
  /** The sender's identity. */
  readonly sender: string;
  /** When the sender made it, in seconds (the sender's clock; bounded by the contract's clock). */
  readonly time: number;
  /** AuthSign(SK_sender, envelopeSignable(kind, sender, time, body)). */
  readonly signature: Uint8Array;
  /** The encoded body, as signed. */
  readonly bodyBytes: Uint8Array;
  /** The decoded body. */
  readonly body: BodyOf[K];
}

/** A decoded transaction of any kind (narrow it on `kind`). */
export type ContractTransaction = { [K in TransactionKind]: TransactionOf<K> }[TransactionKind];

/** Maps each kind to its body type. */
export interface BodyOf {
  /** {@link RegisterBody}. */
  register: RegisterBody;
  /** {@link PublishRequirementBody}. */
  publishRequirement: PublishRequirementBody;
  /** {@link RegisterRecordBody}. */
  registerRecord: RegisterRecordBody;
  /** {@link SubmitProofBody}. */
  submitProof: SubmitProofBody;
  /** {@link GrantAccessBody}. */
  grantAccess: GrantAccessBody;
  /** {@link ShareBody}. */
  share: ShareBody;
}

/** A field element (below 2^256) as 32 bytes big-endian. */
export function fieldToBytes(value: bigint): Uint8Array {
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << 256n)
    throw new ArgumentValueError('value', 'expected a bigint in [0, 2^256)');
  return numberToBytesBE(value, 32);
}

/** The character that separates a patient's identity from a record's: identities of members may not contain it. */
export const RECORD_SEPARATOR = '#';

/**
 * The identity a record is encrypted to: `<patient>#record:<commitment, 64 hex digits>`. Each
 * record has its own IB-PRE identity (the PKG issues its key to the patient only), so a
 * re-encryption key from it covers that record and no other record of the patient.
 */
export function recordIdentity(patient: string, commitment: bigint): string {
  identityBytes(patient, 'patient');
  if (patient.includes(RECORD_SEPARATOR)) throw new ArgumentValueError('patient', `must not contain '${RECORD_SEPARATOR}'`);
  return `${patient}${RECORD_SEPARATOR}record:${toHex(fieldToBytes(commitment))}`;
}

/** The bytes a patient signs when registering a record: tag, patient, commitment. */
export function recordSignable(patient: string, commitment: bigint): Uint8Array {
  identityBytes(patient, 'patient');
  return new ByteWriter(96).string('medshare/protocol/v1/record').string(patient).raw(fieldToBytes(commitment)).finish();
}

/** The bytes of the binding h that sigma_a signs (section 4.2.6, step 3). */
export function bindingSignable(binding: bigint): Uint8Array {
  return new ByteWriter(64).string('medshare/protocol/v1/binding').raw(fieldToBytes(binding)).finish();
}

/**
 * The bytes a proxy signs with its partial re-encryption (step 7): tag, the proxy's identity,
 * the record (the stored ciphertext's recipient, C1 and C2), the grant (the re-encryption key's
 * R1 and R2, fresh for every grant) and the encoded partial, which carries the share index.
 * Signing these makes a bad partial attributable to its proxy: the index a partial claims is
 * not (anyone can write any index), the proxy's AuthSign over all of it is.
 * @param proxy - the proxy's identity
 * @param record - the record binding (see `proxyReEncrypt`)
 * @param grant - the grant binding
 * @param partial - the encoded partial re-encryption (ga07Verifiable.encodeReEncryptionShare)
 */
export function reEncryptionShareSignable(proxy: string, record: Uint8Array, grant: Uint8Array, partial: Uint8Array): Uint8Array {
  identityBytes(proxy, 'proxy');
  return new ByteWriter(256 + record.length + grant.length + partial.length)
    .string(SHARE_TAG)
    .string(proxy)
    .bytes(abytes(record, 'record'))
    .bytes(abytes(grant, 'grant'))
    .bytes(abytes(partial, 'partial'))
    .finish();
}

/** A partial re-encryption as a proxy delivers it: signed by the proxy (step 7). */
export interface SignedReEncryptionShare {
  /** The proxy's identity. */
  readonly proxy: string;
  /** The encoded partial re-encryption (ga07Verifiable.encodeReEncryptionShare). */
  readonly partial: Uint8Array;
  /** AuthSign(SK_proxy, {@link reEncryptionShareSignable}(proxy, record, grant, partial)). */
  readonly signature: Uint8Array;
}

/**
 * Encodes a signed partial: version (u8), proxy (string), partial (bytes), signature (bytes).
 * @throws TypeError / RangeError naming a malformed field
 */
export function encodeSignedReEncryptionShare(share: SignedReEncryptionShare): Uint8Array {
  identityBytes(share.proxy, 'proxy');
  return new ByteWriter(128 + share.partial.length)
    .u8(VERSION)
    .string(share.proxy)
    .bytes(abytes(share.partial, 'partial'))
    .bytes(abytes(share.signature, 'signature'))
    .finish();
}

/**
 * Decodes a signed partial from untrusted bytes (the signature is not checked here).
 * @throws TypeError for a non-Uint8Array; RangeError naming the first malformed field
 */
export function decodeSignedReEncryptionShare(bytes: Uint8Array): SignedReEncryptionShare {
  const r = new ByteReader(abytes(bytes, 'share'), 'signed re-encryption share');
  const version = r.u8('version');
  if (version !== VERSION) throw new EncodingError('signed re-encryption share', 'version', `unknown version ${version}`);
  const proxy = r.string('proxy', 1024);
  if (identityProblem(proxy) !== undefined) throw new EncodingError('signed re-encryption share', 'proxy', 'not an identity');
  const partial = r.bytes('partial', MAX_BLOB);
  const signature = r.bytes('signature', 1024);
  r.end();
  return { proxy, partial, signature };
}

/** The bytes the sender signs: tag, kind, sender, time, body. */
export function envelopeSignable(kind: TransactionKind, sender: string, time: number, body: Uint8Array): Uint8Array {
  return new ByteWriter(64 + body.length).string(SIGN_TAG).u8(kindCode(kind)).string(sender).u64(time).bytes(body).finish();
}

function kindCode(kind: TransactionKind): number {
  const code = TRANSACTION_KINDS.indexOf(kind);
  if (code < 0) throw new ArgumentValueError('kind', `unknown transaction kind ${String(kind)}`);
  return code + 1;
}

function checkTime(time: number): number {
  if (!Number.isSafeInteger(time) || time < 0) throw new ArgumentValueError('time', 'expected a non-negative safe integer');
  return time;
}

/**
 * Encodes a body of the given kind.
 * @throws TypeError / RangeError naming a malformed field
 */
export function encodeBody<K extends TransactionKind>(kind: K, body: BodyOf[K]): Uint8Array {
  const w = new ByteWriter(256);
  switch (kind) {
    case 'register': {
      const b = body as RegisterBody;
      identityBytes(b.identity, 'identity');
      const role = ROLES.indexOf(b.role);
      if (role < 0) throw new ArgumentValueError('role', `unknown role ${String(b.role)}`);
      return w
        .string(b.identity)
        .u8(role + 1)
        .finish();
    }
    case 'publishRequirement': {
      const b = body as PublishRequirementBody;
      if (!Array.isArray(b.keywords) || b.keywords.length > MAX_KEYWORDS) throw new ArgumentValueError('keywords', 'at most 32');
      w.raw(fieldToBytes(b.criteriaHash)).u32(b.keywords.length);
      for (const k of b.keywords) {
        if (typeof k !== 'string' || k.length === 0 || new TextEncoder().encode(k).length > MAX_KEYWORD_BYTES)
          throw new ArgumentValueError('keywords', 'each a non-empty string of at most 64 bytes');
        w.string(k);
      }
      if (!Number.isSafeInteger(b.reward) || b.reward < 0)
        throw new ArgumentValueError('reward', 'expected a non-negative safe integer');
      return w
        .bytes(abytes(b.verificationKey, 'verificationKey'))
        .u64(b.reward)
        .u8(b.exclusive ? 1 : 0)
        .finish();
    }
    case 'registerRecord': {
      const b = body as RegisterRecordBody;
      identityBytes(b.patient, 'patient');
      return w.string(b.patient).raw(fieldToBytes(b.commitment)).bytes(abytes(b.patientSignature, 'patientSignature')).finish();
    }
    case 'submitProof': {
      const b = body as SubmitProofBody;
      if (!Array.isArray(b.publicSignals) || b.publicSignals.length > MAX_SIGNALS)
        throw new ArgumentValueError('publicSignals', 'at most 16');
      w.string(b.requirementId).string(b.recordId).bytes(abytes(b.proof, 'proof')).u32(b.publicSignals.length);
      for (const s of b.publicSignals) {
        if (typeof s !== 'string' || !/^\d{1,80}$/.test(s))
          throw new ArgumentValueError('publicSignals', 'each a decimal string');
        w.string(s);
      }
      return w.bytes(abytes(b.bindingSignature, 'bindingSignature')).finish();
    }
    case 'grantAccess': {
      const b = body as GrantAccessBody;
      return w.string(b.approvalId).bytes(abytes(b.reKeyCommitment, 'reKeyCommitment')).finish();
    }
    case 'share': {
      const b = body as ShareBody;
      return w.string(b.approvalId).bytes(abytes(b.transaction, 'transaction')).finish();
    }
  }
  throw new ArgumentValueError('kind', `unknown transaction kind ${String(kind)}`);
}

function decodeBody(kind: TransactionKind, bytes: Uint8Array): ContractTransaction['body'] {
  const r = new ByteReader(bytes, `${kind} body`);
  let body: ContractTransaction['body'];
  switch (kind) {
    case 'register': {
      const identity = r.string('identity', 1024);
      const role = ROLES[r.u8('role') - 1];
      if (role === undefined) throw new EncodingError('register body', 'role', 'unknown role code');
      identityBytes(identity, 'identity');
      body = { identity, role };
      break;
    }
    case 'publishRequirement': {
      const criteriaHash = bytesToNumberBE(r.raw(32, 'criteriaHash'));
      const count = r.u32('keywords');
      if (count > MAX_KEYWORDS) throw new EncodingError('publishRequirement body', 'keywords', 'more than 32');
      const keywords: string[] = [];
      for (let i = 0; i < count; i++) {
        const k = r.string(`keywords[${i}]`, MAX_KEYWORD_BYTES);
        if (k.length === 0) throw new EncodingError('publishRequirement body', `keywords[${i}]`, 'empty');
        keywords.push(k);
      }
      const verificationKey = r.bytes('verificationKey', MAX_BLOB);
      const reward = r.u64('reward');
      const flag = r.u8('exclusive');
      if (flag > 1) throw new EncodingError('publishRequirement body', 'exclusive', 'expected 0 or 1');
      body = { criteriaHash, keywords, verificationKey, reward, exclusive: flag === 1 };
      break;
    }
    case 'registerRecord': {
      const patient = r.string('patient', 1024);
      identityBytes(patient, 'patient');
      body = {
        patient,
        commitment: bytesToNumberBE(r.raw(32, 'commitment')),
        patientSignature: r.bytes('patientSignature', 1024),
      };
      break;
    }
    case 'submitProof': {
      const requirementId = r.string('requirementId', 128);
      const recordId = r.string('recordId', 128);
      const proof = r.bytes('proof', MAX_BLOB);
      const count = r.u32('publicSignals');
      if (count > MAX_SIGNALS) throw new EncodingError('submitProof body', 'publicSignals', 'more than 16');
      const publicSignals: string[] = [];
      for (let i = 0; i < count; i++) {
        const s = r.string(`publicSignals[${i}]`, MAX_SIGNAL_CHARS);
        if (!/^\d{1,80}$/.test(s)) throw new EncodingError('submitProof body', `publicSignals[${i}]`, 'not a decimal string');
        publicSignals.push(s);
      }
      body = { requirementId, recordId, proof, publicSignals, bindingSignature: r.bytes('bindingSignature', 1024) };
      break;
    }
    case 'grantAccess':
      body = { approvalId: r.string('approvalId', 128), reKeyCommitment: r.bytes('reKeyCommitment', MAX_BLOB) };
      break;
    case 'share':
      body = { approvalId: r.string('approvalId', 128), transaction: r.bytes('transaction', MAX_BLOB) };
      break;
  }
  r.end();
  return body;
}

/**
 * Encodes a signed transaction (the operation of a PBFT request).
 * @param kind - which transaction
 * @param sender - the sender's identity
 * @param time - the sender's time, seconds
 * @param body - the encoded body ({@link encodeBody})
 * @param signature - AuthSign(SK_sender, envelopeSignable(kind, sender, time, body))
 * @throws TypeError / RangeError naming a malformed field
 */
export function encodeEnvelope(
  kind: TransactionKind,
  sender: string,
  time: number,
  body: Uint8Array,
  signature: Uint8Array,
): Uint8Array {
  identityBytes(sender, 'sender');
  return new ByteWriter(64 + body.length + signature.length)
    .u8(VERSION)
    .u8(kindCode(kind))
    .string(sender)
    .u64(checkTime(time))
    .bytes(abytes(body, 'body'))
    .bytes(abytes(signature, 'signature'))
    .finish();
}

/**
 * Decodes and checks a transaction from untrusted bytes (signatures are not checked here).
 * @throws TypeError for a non-Uint8Array; RangeError naming the first malformed field
 * @example
 * ```ts
 * const tx = decodeContractTransaction(operation);
 * if (tx.kind === 'submitProof') console.log(tx.body.requirementId);
 * ```
 */
export function decodeContractTransaction(bytes: Uint8Array): ContractTransaction {
  const r = new ByteReader(abytes(bytes, 'transaction'), 'transaction');
  const version = r.u8('version');
  if (version !== VERSION) throw new EncodingError('transaction', 'version', `unknown version ${version}`);
  const kind = TRANSACTION_KINDS[r.u8('kind') - 1];
  if (kind === undefined) throw new EncodingError('transaction', 'kind', 'unknown kind code');
  const sender = r.string('sender', 1024);
  identityBytes(sender, 'sender');
  const time = r.u64('time');
  const bodyBytes = r.bytes('body', 4 * MAX_BLOB);
  const signature = r.bytes('signature', 1024);
  r.end();
  const body = decodeBody(kind, bodyBytes);
  return { kind, sender, time, signature, bodyBytes, body } as ContractTransaction;
}

/** The id of a transaction: hex SHA-256 of its bytes. */
export function transactionId(bytes: Uint8Array): string {
  return toHex(sha256(abytes(bytes, 'transaction')));
}

/** Short content-derived ids of contract objects: a prefix and 16 hex digits of SHA-256. */
export function derivedId(prefix: string, ...parts: Uint8Array[]): string {
  const w = new ByteWriter(128).string(prefix);
  for (const p of parts) w.bytes(p);
  return `${prefix}:${toHex(sha256(w.finish())).slice(0, 16)}`;
}
