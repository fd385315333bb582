/**
 * The transactions the smart contract takes (Huang et al. 2020, sections 4.1 and 4.2, with the
 * escrow and fair exchange of docs/protocol.md): each is the operation of one PBFT request, an
 * envelope signed with AuthSign by its sender around one body.
 *
 * Envelope: version (u8, 2), kind (u8), sender (string), time (u64, seconds), body (bytes),
 * signature (bytes, AuthSign(SK_sender, {@link envelopeSignable})). Strings are u32-length UTF-8,
 * bytes u32-length, big integers 32 bytes big-endian. Every signed message names the deployment
 * (the 32-byte id of {@link deploymentId} held in the contract's genesis configuration), so that
 * nothing signed for one deployment verifies in another. Decoders check every field and throw a
 * RangeError naming it. docs/protocol.md lists every layout.
 * @module
 */
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter } from '../internal/bytes.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { abytes, ArgumentValueError, EncodingError } from '../internal/errors.js';
import { identityBytes } from '../internal/identity.js';
import { MAX_SHARES } from '../pre/ga07-verifiable.js';

const VERSION = 2;
const ENVELOPE_TAG = 'medshare/protocol/v2/envelope';
const RECORD_TAG = 'medshare/protocol/v2/record';
const BINDING_TAG = 'medshare/protocol/v2/binding';
const FORM_TAG = 'medshare/protocol/v2/sharing-form';
const DEPLOYMENT_TAG = 'medshare/protocol/v2/deployment';
const MAX_KEYWORDS = 32;
const MAX_KEYWORD_BYTES = 64;
const MAX_SIGNAL_CHARS = 80;
const MAX_SIGNALS = 16;
const MAX_ID_BYTES = 128;
const MAX_SIGNATURE_BYTES = 1024;
const MAX_BLOB = 1 << 16;
/** Bytes of a deployment id. */
export const DEPLOYMENT_BYTES = 32;

/** The roles the membership service (the paper's fabric-ca, section 4.2.3) grants. */
export type Role = 'patient' | 'hospital' | 'institution' | 'proxy' | 'verifier';
/** Every role, in the order of their byte codes (1-based). */
export const ROLES: readonly Role[] = Object.freeze(['patient', 'hospital', 'institution', 'proxy', 'verifier']);

/** The kinds of transaction, in the order of their byte codes (1-based). */
export const TRANSACTION_KINDS = Object.freeze([
  'register',
  'deposit',
  'withdraw',
  'publishRequirement',
  'closeRequirement',
  'registerRecord',
  'submitProof',
  'grantAccess',
  'acceptGrant',
  'deliver',
  'reclaim',
] as const);
/** The kind of a transaction. */
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** Membership (section 4.2.3): the authority registers the pseudonym `identity` with `role` (section 5.1.4). */
export interface RegisterBody {
  /** The member's pseudonym ({@link isPseudonym}): the identity its IB-PRE and AuthSign keys are issued for. */
  readonly identity: string;
  /** The role granted. */
  readonly role: Role;
}

/** The authority credits `amount` to a member's balance (the contract's unit of value; on an EVM, a payable deposit). */
export interface DepositBody {
  /** The member credited. */
  readonly account: string;
  /** How much, a positive safe integer. */
  readonly amount: number;
}

/** A member takes `amount` out of its own available balance (paid out off the ledger by the authority). */
export interface WithdrawBody {
  /** How much, a positive safe integer. */
  readonly amount: number;
}

/** Step 1 / section 4.2.2: a research institution publishes a requirement and escrows reward x capacity. */
export interface PublishRequirementBody {
  /** The hash of the full criteria (the zk circuit's requirement hash); the criteria stay private. */
  readonly criteriaHash: bigint;
  /** The public key words (section 5.1.4: only key words, not the whole requirement, are public). */
  readonly keywords: readonly string[];
  /** VK_c, the verification key proofs are checked with (opaque bytes for the proof system). */
  readonly verificationKey: Uint8Array;
  /** What the institution pays the patient per record shared. */
  readonly reward: number;
  /** How many records it buys at most: reward x capacity is escrowed from its balance. */
  readonly capacity: number;
  /** Whether the licence is exclusive: a record shared under it may not be shared again (section 5.1.5). */
  readonly exclusive: boolean;
}

/** The institution closes its requirement: no new submissions; the escrow of unused places returns to it. */
export interface CloseRequirementBody {
  /** The requirement. */
  readonly requirementId: string;
}

/** Steps 2-3 / section 4.2.5: the record's commitment goes on the ledger, with the patient's consent. */
export interface RegisterRecordBody {
  /** The patient (pseudonym) who owns the record (the sender, or the hospital it delegated). */
  readonly patient: string;
  /** The record commitment (the zk circuit's commitment to D = <d1, ..., dn>). */
  readonly commitment: bigint;
  /** sigma_a = AuthSign(SK_p, {@link recordSignable}(deployment, patient, registrant, commitment)): names the sender. */
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
  /** sigma_a = AuthSign(SK_p, {@link bindingSignable}(deployment, h)) on the binding h = H(commitment, ID_p, T, r). */
  readonly bindingSignature: Uint8Array;
}

/** Step 6: the patient grants the approved institution re-encryption of the record, and signs the sale's form. */
export interface GrantAccessBody {
  /** The accepted submission this grant is for. */
  readonly approvalId: string;
  /** The encoded `Ga07ReKeyCommitment` (ga07Verifiable.encodeReKeyCommitment), t-of-n. */
  readonly reKeyCommitment: Uint8Array;
  /** The n proxies holding the key shares, in share order (share i is sealed to proxies[i - 1]). */
  readonly proxies: readonly string[];
  /** The stored ciphertext's header ({@link ciphertextHeader}): its recipient, C1, C2 and the digest of its sealed record. */
  readonly ciphertextHeader: Uint8Array;
  /** The time of the sharing form (Fig. 3), seconds; checked against the block time. */
  readonly formTime: number;
  /** The patient's AuthSign on {@link sharingFormSignable} of this sale's form. */
  readonly formSignature: Uint8Array;
}

/** The institution accepts the grant: it checked the key commitment opens for it, and countersigns the form. */
export interface AcceptGrantBody {
  /** The granted submission. */
  readonly approvalId: string;
  /** The institution's AuthSign on {@link sharingFormSignable} of the same form. */
  readonly formSignature: Uint8Array;
}

/** Step 7: a proxy posts its partial re-encryption; the t-th valid one completes the sale (step 9). */
export interface DeliverBody {
  /** The accepted sale. */
  readonly approvalId: string;
  /** The encoded partial (ga07Verifiable.encodeReEncryptionShare), with its proof. */
  readonly partial: Uint8Array;
}

/** The institution takes back the escrow of a sale that did not complete by its deadline. */
export interface ReclaimBody {
  /** The sale. */
  readonly approvalId: string;
}

/** Maps each kind to its body type. */
export interface BodyOf {
  /** {@link RegisterBody}. */
  register: RegisterBody;
  /** {@link DepositBody}. */
  deposit: DepositBody;
  /** {@link WithdrawBody}. */
  withdraw: WithdrawBody;
  /** {@link PublishRequirementBody}. */
  publishRequirement: PublishRequirementBody;
  /** {@link CloseRequirementBody}. */
  closeRequirement: CloseRequirementBody;
  /** {@link RegisterRecordBody}. */
  registerRecord: RegisterRecordBody;
  /** {@link SubmitProofBody}. */
  submitProof: SubmitProofBody;
  /** {@link GrantAccessBody}. */
  grantAccess: GrantAccessBody;
  /** {@link AcceptGrantBody}. */
  acceptGrant: AcceptGrantBody;
  /** {@link DeliverBody}. */
  deliver: DeliverBody;
  /** {@link ReclaimBody}. */
  reclaim: ReclaimBody;
}

/** A decoded transaction of kind `K`: the envelope and its typed body. */
export interface TransactionOf<K extends TransactionKind> {
  /** Which transaction. */
  readonly kind: K;
  /** The sender's identity (a pseudonym, or the membership authority). */
  readonly sender: string;
  /** When the sender made it, in seconds (the sender's clock; bounded by the contract's clock). */
  readonly time: number;
  /** AuthSign(SK_sender, envelopeSignable(deployment, kind, sender, time, body)). */
  readonly signature: Uint8Array;
  /** The encoded body, as signed. */
  readonly bodyBytes: Uint8Array;
  /** The decoded body. */
  readonly body: BodyOf[K];
}

/** A decoded transaction of any kind (narrow it on `kind`). */
export type ContractTransaction = { [K in TransactionKind]: TransactionOf<K> }[TransactionKind];

/** A field element (below 2^256) as 32 bytes big-endian. */
export function fieldToBytes(value: bigint): Uint8Array {
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << 256n)
    throw new ArgumentValueError('value', 'expected a bigint in [0, 2^256)');
  return numberToBytesBE(value, 32);
}

const PSEUDONYM = /^addr:[0-9a-f]{40}$/;

/**
 * True iff `identity` has the form of a ledger pseudonym, `addr:` and 40 lower-case hex digits
 * (section 5.1.4: members appear on the ledger under pseudonyms the membership authority derives;
 * `Pkg.pseudonymOf`). The contract registers nothing else, so no clear identity reaches the ledger.
 */
export function isPseudonym(identity: string): boolean {
  return typeof identity === 'string' && PSEUDONYM.test(identity);
}

/**
 * The id of a deployment: SHA-256(tag, chain, contract), 32 bytes. Every signature of the protocol
 * covers it (issue 12, item 7): a transaction, a consent or a form signed for one deployment does
 * not verify in another deployment of the same PKG.
 * @param chain - the chain or genesis identity (e.g. an EVM chain id, or the name of a PBFT network)
 * @param contract - the contract identity (e.g. its address)
 * @example
 * ```ts
 * const staging = deploymentId('medshare-staging', 'contract-v2');
 * ```
 */
export function deploymentId(chain: string, contract: string): Uint8Array {
  identityBytes(chain, 'chain');
  identityBytes(contract, 'contract');
  return sha256(new ByteWriter(96).string(DEPLOYMENT_TAG).string(chain).string(contract).finish());
}

function deploymentBytes(deployment: Uint8Array): Uint8Array {
  if (abytes(deployment, 'deployment').length !== DEPLOYMENT_BYTES)
    throw new ArgumentValueError('deployment', `expected ${DEPLOYMENT_BYTES} bytes`);
  return deployment;
}

/** The character that separates a patient's pseudonym from a record's: member identities never contain it. */
export const RECORD_SEPARATOR = '#';

/**
 * The identity a record is encrypted to: `<patient>#record:<commitment, 64 hex digits>`. Each
 * record has its own IB-PRE identity (the PKG issues its key to the patient only), so a
 * re-encryption key from it covers that record and no other record of the patient.
 * @param patient - the patient's pseudonym
 */
export function recordIdentity(patient: string, commitment: bigint): string {
  identityBytes(patient, 'patient');
  if (patient.includes(RECORD_SEPARATOR)) throw new ArgumentValueError('patient', `must not contain '${RECORD_SEPARATOR}'`);
  return `${patient}${RECORD_SEPARATOR}record:${bytesToHex(fieldToBytes(commitment))}`;
}

/**
 * The bytes a patient signs to consent to a record's registration (issue 12, item 5): tag,
 * deployment, patient, registrant (the patient itself, or the hospital it delegates), commitment.
 * A consent given to one hospital does not let another register the record.
 */
export function recordSignable(deployment: Uint8Array, patient: string, registrant: string, commitment: bigint): Uint8Array {
  identityBytes(patient, 'patient');
  identityBytes(registrant, 'registrant');
  return new ByteWriter(160)
    .string(RECORD_TAG)
    .raw(deploymentBytes(deployment))
    .string(patient)
    .string(registrant)
    .raw(fieldToBytes(commitment))
    .finish();
}

/** The bytes of the binding h that sigma_a signs (section 4.2.6, step 3): tag, deployment, h. */
export function bindingSignable(deployment: Uint8Array, binding: bigint): Uint8Array {
  return new ByteWriter(96).string(BINDING_TAG).raw(deploymentBytes(deployment)).raw(fieldToBytes(binding)).finish();
}

/**
 * What a sale is about, fixed when the contract accepts the proof submission (step 5): the
 * requirement, the record, the two parties, the data hash, the reward and the licence terms.
 * The sharing form ({@link SharingForm}) carries them for both parties to sign; the contract's
 * sale record (its `Approval`) keeps them.
 */
export interface SaleTerms {
  /** The requirement. */
  readonly requirementId: string;
  /** The record. */
  readonly recordId: string;
  /** The patient's pseudonym. */
  readonly patient: string;
  /** The institution's pseudonym. */
  readonly institution: string;
  /** The data hash: the record commitment. */
  readonly commitment: bigint;
  /** The reward paid on completion, fixed when the submission was accepted. */
  readonly reward: number;
  /** The licence terms: exclusive or not. */
  readonly exclusive: boolean;
}

/**
 * The sharing form (Fig. 3, section 4.2.10) of one sale: the deployment, the sale (approval,
 * requirement, record), the parties' pseudonyms, the data hash (the record commitment), the
 * reward, the licence terms and the form's time. The patient signs it in `grantAccess`, the
 * institution in `acceptGrant`; the contract rebuilds it from its own state, so a form signed
 * for another sale (another approval, reward or licence) does not verify (issue 12, item 1).
 */
export interface SharingForm extends SaleTerms {
  /** The deployment id ({@link deploymentId}). */
  readonly deployment: Uint8Array;
  /** The accepted submission the sale completes. */
  readonly approvalId: string;
  /** When the form was made, seconds; the contract checks it within maxClockSkew of the block time. */
  readonly time: number;
}

/**
 * The bytes both parties sign for a {@link SharingForm}: tag, deployment, approval, requirement,
 * record, patient, institution, commitment (32 bytes), reward (u64), exclusive (u8), time (u64).
 */
export function sharingFormSignable(form: SharingForm): Uint8Array {
  identityBytes(form.patient, 'form.patient');
  identityBytes(form.institution, 'form.institution');
  return new ByteWriter(320)
    .string(FORM_TAG)
    .raw(deploymentBytes(form.deployment))
    .string(form.approvalId, 'form.approvalId')
    .string(form.requirementId, 'form.requirementId')
    .string(form.recordId, 'form.recordId')
    .string(form.patient)
    .string(form.institution)
    .raw(fieldToBytes(form.commitment))
    .u64(form.reward)
    .u8(form.exclusive ? 1 : 0)
    .u64(form.time)
    .finish();
}

/**
 * The bytes the sender signs: tag, deployment, kind, sender, time, body.
 * @param deployment - the deployment id the transaction is for
 */
export function envelopeSignable(
  deployment: Uint8Array,
  kind: TransactionKind,
  sender: string,
  time: number,
  body: Uint8Array,
): Uint8Array {
  return new ByteWriter(96 + body.length)
    .string(ENVELOPE_TAG)
    .raw(deploymentBytes(deployment))
    .u8(kindCode(kind))
    .string(sender)
    .u64(time)
    .bytes(body)
    .finish();
}

function kindCode(kind: TransactionKind): number {
  const code = TRANSACTION_KINDS.indexOf(kind);
  if (code < 0) throw new ArgumentValueError('kind', `unknown transaction kind ${String(kind)}`);
  return code + 1;
}

function checkCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new ArgumentValueError(name, 'expected a non-negative safe integer');
  return value;
}

function writeStrings(w: ByteWriter, values: readonly string[], name: string, max: number, maxBytes: number): void {
  if (!Array.isArray(values) || values.length > max) throw new ArgumentValueError(name, `at most ${max}`);
  w.u32(values.length);
  for (const [i, v] of values.entries()) {
    if (typeof v !== 'string' || v.length === 0 || new TextEncoder().encode(v).length > maxBytes)
      throw new ArgumentValueError(`${name}[${i}]`, `a non-empty string of at most ${maxBytes} bytes`);
    w.string(v);
  }
}

function readStrings(r: ByteReader, object: string, name: string, max: number, maxBytes: number): string[] {
  const count = r.u32(name);
  if (count > max) throw new EncodingError(object, name, `more than ${max}`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const v = r.string(`${name}[${i}]`, maxBytes);
    if (v.length === 0) throw new EncodingError(object, `${name}[${i}]`, 'empty');
    out.push(v);
  }
  return out;
}

/** One function per kind, writing its body: the layouts docs/protocol.md lists. */
const WRITERS: { [K in TransactionKind]: (w: ByteWriter, body: BodyOf[K]) => ByteWriter } = {
  register: (w, b) => {
    identityBytes(b.identity, 'identity');
    const role = ROLES.indexOf(b.role);
    if (role < 0) throw new ArgumentValueError('role', `unknown role ${String(b.role)}`);
    return w.string(b.identity).u8(role + 1);
  },
  deposit: (w, b) => {
    identityBytes(b.account, 'account');
    return w.string(b.account).u64(checkCount(b.amount, 'amount'));
  },
  withdraw: (w, b) => w.u64(checkCount(b.amount, 'amount')),
  publishRequirement: (w, b) => {
    w.raw(fieldToBytes(b.criteriaHash));
    writeStrings(w, b.keywords, 'keywords', MAX_KEYWORDS, MAX_KEYWORD_BYTES);
    const capacity = checkCount(b.capacity, 'capacity');
    if (capacity > 0xffff_ffff) throw new ArgumentValueError('capacity', 'at most 2^32 - 1');
    return w
      .bytes(abytes(b.verificationKey, 'verificationKey'))
      .u64(checkCount(b.reward, 'reward'))
      .u32(capacity)
      .u8(b.exclusive ? 1 : 0);
  },
  closeRequirement: (w, b) => w.string(b.requirementId, 'requirementId'),
  registerRecord: (w, b) => {
    identityBytes(b.patient, 'patient');
    return w.string(b.patient).raw(fieldToBytes(b.commitment)).bytes(abytes(b.patientSignature, 'patientSignature'));
  },
  submitProof: (w, b) => {
    w.string(b.requirementId, 'requirementId').string(b.recordId, 'recordId').bytes(abytes(b.proof, 'proof'));
    if (!Array.isArray(b.publicSignals) || b.publicSignals.some((s) => typeof s !== 'string' || !/^\d{1,80}$/.test(s)))
      throw new ArgumentValueError('publicSignals', 'each a decimal string');
    writeStrings(w, b.publicSignals, 'publicSignals', MAX_SIGNALS, MAX_SIGNAL_CHARS);
    return w.bytes(abytes(b.bindingSignature, 'bindingSignature'));
  },
  grantAccess: (w, b) => {
    w.string(b.approvalId, 'approvalId').bytes(abytes(b.reKeyCommitment, 'reKeyCommitment'));
    writeStrings(w, b.proxies, 'proxies', MAX_SHARES, 1024);
    return w
      .bytes(abytes(b.ciphertextHeader, 'ciphertextHeader'))
      .u64(checkCount(b.formTime, 'formTime'))
      .bytes(abytes(b.formSignature, 'formSignature'));
  },
  acceptGrant: (w, b) => w.string(b.approvalId, 'approvalId').bytes(abytes(b.formSignature, 'formSignature')),
  deliver: (w, b) => w.string(b.approvalId, 'approvalId').bytes(abytes(b.partial, 'partial')),
  reclaim: (w, b) => w.string(b.approvalId, 'approvalId'),
};

/** One function per kind, reading its body from untrusted bytes. */
const READERS: { [K in TransactionKind]: (r: ByteReader, object: string) => BodyOf[K] } = {
  register: (r, object) => {
    const identity = r.string('identity', 1024);
    const role = ROLES[r.u8('role') - 1];
    if (role === undefined) throw new EncodingError(object, 'role', 'unknown role code');
    identityBytes(identity, 'identity');
    return { identity, role };
  },
  deposit: (r) => {
    const account = r.string('account', 1024);
    identityBytes(account, 'account');
    return { account, amount: r.u64('amount') };
  },
  withdraw: (r) => ({ amount: r.u64('amount') }),
  publishRequirement: (r, object) => {
    const criteriaHash = bytesToNumberBE(r.raw(32, 'criteriaHash'));
    const keywords = readStrings(r, object, 'keywords', MAX_KEYWORDS, MAX_KEYWORD_BYTES);
    const verificationKey = r.bytes('verificationKey', MAX_BLOB);
    const reward = r.u64('reward');
    const capacity = r.u32('capacity');
    const flag = r.u8('exclusive');
    if (flag > 1) throw new EncodingError(object, 'exclusive', 'expected 0 or 1');
    return { criteriaHash, keywords, verificationKey, reward, capacity, exclusive: flag === 1 };
  },
  closeRequirement: (r) => ({ requirementId: r.string('requirementId', MAX_ID_BYTES) }),
  registerRecord: (r) => {
    const patient = r.string('patient', 1024);
    identityBytes(patient, 'patient');
    return {
      patient,
      commitment: bytesToNumberBE(r.raw(32, 'commitment')),
      patientSignature: r.bytes('patientSignature', MAX_SIGNATURE_BYTES),
    };
  },
  submitProof: (r, object) => {
    const requirementId = r.string('requirementId', MAX_ID_BYTES);
    const recordId = r.string('recordId', MAX_ID_BYTES);
    const proof = r.bytes('proof', MAX_BLOB);
    const publicSignals = readStrings(r, object, 'publicSignals', MAX_SIGNALS, MAX_SIGNAL_CHARS);
    for (const [i, s] of publicSignals.entries()) {
      if (!/^\d{1,80}$/.test(s)) throw new EncodingError(object, `publicSignals[${i}]`, 'not a decimal string');
    }
    return { requirementId, recordId, proof, publicSignals, bindingSignature: r.bytes('bindingSignature', MAX_SIGNATURE_BYTES) };
  },
  grantAccess: (r, object) => {
    const approvalId = r.string('approvalId', MAX_ID_BYTES);
    const reKeyCommitment = r.bytes('reKeyCommitment', MAX_BLOB);
    const proxies = readStrings(r, object, 'proxies', MAX_SHARES, 1024);
    const ciphertextHeader = r.bytes('ciphertextHeader', 4096);
    const formTime = r.u64('formTime');
    return {
      approvalId,
      reKeyCommitment,
      proxies,
      ciphertextHeader,
      formTime,
      formSignature: r.bytes('formSignature', MAX_SIGNATURE_BYTES),
    };
  },
  acceptGrant: (r) => ({
    approvalId: r.string('approvalId', MAX_ID_BYTES),
    formSignature: r.bytes('formSignature', MAX_SIGNATURE_BYTES),
  }),
  deliver: (r) => ({ approvalId: r.string('approvalId', MAX_ID_BYTES), partial: r.bytes('partial', MAX_BLOB) }),
  reclaim: (r) => ({ approvalId: r.string('approvalId', MAX_ID_BYTES) }),
};

/**
 * Encodes a body of the given kind.
 * @throws TypeError / RangeError naming a malformed field
 */
export function encodeBody<K extends TransactionKind>(kind: K, body: BodyOf[K]): Uint8Array {
  const write = WRITERS[kind] as ((w: ByteWriter, body: BodyOf[K]) => ByteWriter) | undefined;
  if (write === undefined) throw new ArgumentValueError('kind', `unknown transaction kind ${String(kind)}`);
  return write(new ByteWriter(256), body).finish();
}

function decodeBody<K extends TransactionKind>(kind: K, bytes: Uint8Array): BodyOf[K] {
  const object = `${kind} body`;
  const r = new ByteReader(bytes, object);
  const body = (READERS[kind] as (r: ByteReader, object: string) => BodyOf[K])(r, object);
  r.end();
  return body;
}

/**
 * Encodes a signed transaction (the operation of a PBFT request).
 * @param kind - which transaction
 * @param sender - the sender's identity
 * @param time - the sender's time, seconds
 * @param body - the encoded body ({@link encodeBody})
 * @param signature - AuthSign(SK_sender, envelopeSignable(deployment, kind, sender, time, body))
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
    .u64(checkCount(time, 'time'))
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
  const signature = r.bytes('signature', MAX_SIGNATURE_BYTES);
  r.end();
  const body = decodeBody(kind, bodyBytes);
  return { kind, sender, time, signature, bodyBytes, body } as ContractTransaction;
}

/** The id of a transaction: hex SHA-256 of its bytes. */
export function transactionId(bytes: Uint8Array): string {
  return bytesToHex(sha256(abytes(bytes, 'transaction')));
}

/** Short content-derived ids of contract objects: a prefix and 16 hex digits of SHA-256. */
export function derivedId(prefix: string, ...parts: Uint8Array[]): string {
  const w = new ByteWriter(128).string(prefix);
  for (const p of parts) w.bytes(p);
  return `${prefix}:${bytesToHex(sha256(w.finish())).slice(0, 16)}`;
}
