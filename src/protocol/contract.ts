/**
 * The smart contract of Huang et al. 2020 (sections 4.1, 4.2.2-4.2.10, 5.1.4-5.1.5) as a
 * deterministic state machine, with the escrow and fair exchange medshare adds (docs/protocol.md
 * lists every transaction, field, signed message and refusal; docs/security.md states the fairness
 * guarantee). `applyTransaction(state, operation, config, deps, blockTime)` takes the bytes of one
 * committed transaction and the time of its block, and returns the next state and an outcome. It
 * reads no clock, no randomness and no I/O. Time comes from the ordering layer: the contract clock
 * is the latest block time (which the PBFT primary assigns and the backups bound by their own
 * clocks, see `medshare/pbft`); a transaction's own time is only a claim, refused unless it lies
 * within `maxClockSkew` of that clock, and it never moves the clock. The proof verifier is
 * injected ({@link ContractDeps}). So every honest replica that applies the same blocks reaches the
 * same state, and {@link contractStateHash} (kept alongside each block) shows that it did.
 *
 * The sale (steps 5-9): `submitProof` reserves one reward of the requirement's escrow; the patient's
 * `grantAccess` names the key commitment, the proxies and the stored ciphertext and signs the Fig. 3
 * form; the institution's `acceptGrant` says the key opens for it and countersigns; each proxy's
 * `deliver` posts a partial re-encryption that the contract verifies, and the t-th valid one pays the
 * patient and writes the licence in the same transition - the moment the institution can decrypt.
 * A sale that has not completed by its deadline can be `reclaim`ed by the institution.
 *
 * Every refusal has a {@link RefusalReason} and leaves the state exactly as it was; the refused
 * transaction itself stays in its block, signed by its sender, which is what makes a sender
 * accountable (section 5.1.5).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter } from '../internal/bytes.js';
import { ArgumentValueError, MedshareError } from '../internal/errors.js';
import { type Ga07ReKeyCommitment, ga07Verifiable } from '../pre/ga07-verifiable.js';
import { type Ga07Ciphertext, type Ga07Params, ga07 } from '../pre/ga07.js';
import { type AuthSignParams, authVerify } from '../sign/cha-cheon.js';
import type { ContractDeps } from './proof-system.js';
import {
  type BodyOf,
  bindingSignable,
  type ContractTransaction,
  decodeContractTransaction,
  derivedId,
  envelopeSignable,
  fieldToBytes,
  isPseudonym,
  type PublishRequirementBody,
  RECORD_SEPARATOR,
  ROLES,
  recordIdentity,
  recordSignable,
  type Role,
  type SaleTerms,
  type SharingForm,
  sharingFormSignable,
  type TransactionKind,
  type TransactionOf,
  transactionId,
} from './transactions.js';

/**
 * Why the contract (or a party checking off-chain data) refused something. Contract refusals
 * (docs/protocol.md says which transaction gives which, in which order):
 * - `malformedTransaction`: the bytes do not decode, or a field is malformed or out of range;
 * - `unregisteredSender`: the sender is not a registered member (nor the membership authority);
 * - `wrongRole`: the sender's role may not send this kind of transaction;
 * - `badSignature`: an AuthSign signature (the sender's, the patient's consent or sigma_a, or a
 *   sharing-form signature) is invalid - signatures cover the deployment, so one made for another
 *   deployment is refused with this reason;
 * - `staleTimestamp` / `futureTimestamp`: a claimed time (the envelope's, the form's, or a proof's T)
 *   lies too far before / after the contract clock (the block time);
 * - `notPseudonym`: a member can be registered only under a pseudonym (`addr:` + 40 hex digits);
 * - `alreadyRegistered`, `duplicate`: the member, requirement, record (or its commitment), submission
 *   or delivered share exists;
 * - `unknownAccount`, `unknownPatient`, `unknownRequirement`, `unknownRecord`, `unknownApproval`: no such entry;
 * - `notRecordOwner`, `notParty`: the sender is not the patient (or institution, or listed proxy) of the entry;
 * - `requirementMismatch`, `commitmentMismatch`, `identityMismatch`: the proof is about another
 *   requirement, another record, or another patient than the ledger holds;
 * - `notEligible`: R = 0 (an honest client never sends it: `proofSubmission` refuses);
 * - `replayedSubmission`: the binding h of this proof was submitted before;
 * - `invalidProof`: the zk proof does not verify;
 * - `insufficientFunds`: the escrow or withdrawal exceeds the sender's available balance;
 * - `requirementClosed`, `requirementFull`: the requirement takes no more submissions;
 * - `exclusiveLicence`: a licence in force conflicts (an exclusive one held by another
 *   institution, or any other institution's licence when this sale is exclusive);
 * - `conflictingSale`: a sale of the record to another institution is in progress (granted or
 *   accepted) and one of the two is exclusive;
 * - `wrongStage`: the sale is not at the stage this transaction needs;
 * - `saleExpired`: the sale's deadline has passed (grant and acceptance only);
 * - `deadlineNotReached`: a reclaim before the sale's deadline;
 * - `grantMismatch`: the key commitment names another delegator (not the record's identity) or
 *   delegatee, or the ciphertext header is not for the record's identity;
 * - `invalidProxies`: the proxies are not n distinct registered proxies;
 * - `invalidPartial`: a proxy's partial re-encryption does not decode or verify (the proxy is accountable).
 * Off-chain refusals (thrown as {@link ProtocolError} by the party that checks):
 * - `notEligible`: `proofSubmission` refuses to prove or sign R = 0;
 * - `sealedKeyInvalid`: the proxy cannot open or decode the sealed re-encryption key share;
 * - `reEncryptionProofInvalid`: the delivered partials do not combine (or the key commitment is
 *   not for this institution, when it checks before accepting);
 * - `decryptionFailed`: the re-encrypted record does not open;
 * - `recordMismatch`: the record received is not the one committed on the ledger (swapped);
 * and the contract reasons above when a party checks the on-ledger state before acting
 * (`wrongStage`, `saleExpired`, `grantMismatch`, `notParty`).
 */
export type RefusalReason =
  | 'malformedTransaction'
  | 'unregisteredSender'
  | 'wrongRole'
  | 'badSignature'
  | 'staleTimestamp'
  | 'futureTimestamp'
  | 'notPseudonym'
  | 'alreadyRegistered'
  | 'duplicate'
  | 'unknownAccount'
  | 'unknownPatient'
  | 'unknownRequirement'
  | 'unknownRecord'
  | 'unknownApproval'
  | 'notRecordOwner'
  | 'notParty'
  | 'requirementMismatch'
  | 'commitmentMismatch'
  | 'identityMismatch'
  | 'notEligible'
  | 'replayedSubmission'
  | 'invalidProof'
  | 'insufficientFunds'
  | 'requirementClosed'
  | 'requirementFull'
  | 'exclusiveLicence'
  | 'conflictingSale'
  | 'wrongStage'
  | 'saleExpired'
  | 'deadlineNotReached'
  | 'grantMismatch'
  | 'invalidProxies'
  | 'invalidPartial'
  | 'sealedKeyInvalid'
  | 'reEncryptionProofInvalid'
  | 'decryptionFailed'
  | 'recordMismatch';

/** Thrown by a party that refuses data it received off the ledger; `reason` names the refusal. */
export class ProtocolError extends MedshareError {
  declare readonly code: 'ERR_PROTOCOL';
  /** The named reason. */
  readonly reason: RefusalReason;
  /**
   * The identities accountable for the refusal, when the refusing party can prove it: each signed
   * the data that failed (for example the patient's grant naming a ciphertext that does not hold
   * the committed record). Empty when nothing attributable failed.
   */
  readonly accountable: readonly string[];
  /**
   * @param reason - the named refusal
   * @param message - for people
   * @param accountable - who signed the data that failed, when known
   */
  constructor(reason: RefusalReason, message: string, accountable: readonly string[] = []) {
    super('ERR_PROTOCOL', `${reason}: ${message}`);
    this.name = 'ProtocolError';
    this.reason = reason;
    this.accountable = accountable;
  }
}

/** Fixed parameters of the contract, the same at every replica (its genesis). */
export interface ContractConfig {
  /**
   * The deployment id (`deploymentId(chain, contract)`, 32 bytes): every signature the contract
   * checks covers it, so a transaction signed for another deployment of the same PKG is refused.
   */
  readonly deployment: Uint8Array;
  /** The membership authority's identity (the paper's fabric-ca): the only sender of `register` and `deposit`. */
  readonly authority: string;
  /** The PKG's IB-PRE public parameters (ga07). */
  readonly preParams: Ga07Params;
  /** The PKG's AuthSign public parameters. */
  readonly signParams: AuthSignParams;
  /** How old the proof's timestamp T may be, relative to the contract clock (the block time), in seconds. */
  readonly maxProofAge: number;
  /**
   * How far a transaction's claimed time (and a sharing form's) may lie from the contract clock
   * (the block time), either way, and how far a proof's T may lead it, in seconds.
   */
  readonly maxClockSkew: number;
  /** Seconds from an accepted submission within which the patient must grant and the institution accept. */
  readonly grantWindow: number;
  /** Seconds from the institution's acceptance within which the proxies are to deliver; after it the institution may reclaim. */
  readonly deliveryWindow: number;
}

/** A registered party: its pseudonym (section 5.1.4) and role. */
export interface Member {
  /** Its ledger address addr_p: a pseudonym, the identity its keys are issued for. */
  readonly address: string;
  /** Its role. */
  readonly role: Role;
}

/** A published requirement (step 1): what the institution published, and its escrow. */
export interface RequirementEntry extends PublishRequirementBody {
  /** Its id. */
  readonly id: string;
  /** The institution that published it. */
  readonly institution: string;
  /** False once closed: it takes no more submissions. */
  readonly open: boolean;
  /** Places not yet reserved by a submission: their rewards (places x reward) are held in escrow. */
  readonly places: number;
}

/** A licence under which a record was shared (step 9). */
export interface Licence {
  /** The institution that received the record. */
  readonly institution: string;
  /** The sale it completed. */
  readonly approvalId: string;
  /** Whether it is exclusive. */
  readonly exclusive: boolean;
  /** The contract clock (block time) when the sale completed. */
  readonly time: number;
}

/** A sale of the record in progress: granted or accepted, not yet delivered or refunded. */
export interface PendingSale {
  /** The sale. */
  readonly approvalId: string;
  /** Its institution. */
  readonly institution: string;
  /** Whether it is exclusive. */
  readonly exclusive: boolean;
}

/** A registered record (steps 2-3): only its commitment is on the ledger. */
export interface RecordEntry {
  /** Its id. */
  readonly id: string;
  /** The owner (pseudonym). */
  readonly patient: string;
  /** Who sent the registration (the patient, or the hospital its consent names). */
  readonly registeredBy: string;
  /** The commitment to the record. */
  readonly commitment: bigint;
  /** Licences in force, in order. */
  readonly licences: readonly Licence[];
  /** Sales in progress (granted or accepted), which block conflicting grants. */
  readonly pending: readonly PendingSale[];
}

/** The stages of a sale: approved (step 5) -> granted (6) -> accepted -> delivered (7, 9), or refunded. */
export type ApprovalStage = 'approved' | 'granted' | 'accepted' | 'delivered' | 'refunded';

/** What the patient granted (step 6) and the institution accepted. */
export interface Grant {
  /** The encoded re-encryption key commitment (t-of-n). */
  readonly reKeyCommitment: Uint8Array;
  /** The proxies, in share order. */
  readonly proxies: readonly string[];
  /** t: how many valid partials complete the sale. */
  readonly threshold: number;
  /** The stored ciphertext's header: recipient, C1, C2, SHA-256 of the sealed record. */
  readonly ciphertextHeader: Uint8Array;
  /** The sharing form's time. */
  readonly formTime: number;
  /** The patient's signature on the form. */
  readonly patientSignature: Uint8Array;
  /** The institution's signature on the form, once it accepted. */
  readonly institutionSignature: Uint8Array | null;
}

/** A valid partial re-encryption a proxy posted (step 7). */
export interface DeliveredShare {
  /** The proxy. */
  readonly proxy: string;
  /** Its share index. */
  readonly index: number;
  /** The encoded partial (public: only the institution, which opens X, can use it). */
  readonly partial: Uint8Array;
}

/** An accepted proof submission (step 5) and the sale it starts (steps 6-9). */
export interface Approval extends SaleTerms {
  /** Its id. */
  readonly id: string;
  /** Where the sale is. */
  readonly stage: ApprovalStage;
  /** The reward held for this sale (0 once paid or refunded). */
  readonly escrow: number;
  /** Contract clock when the submission was accepted. */
  readonly approvedAt: number;
  /**
   * Until accepted: approvedAt + grantWindow, the last moment to grant and accept. Once accepted:
   * the acceptance time + deliveryWindow. From this time on the institution may reclaim.
   */
  readonly deadline: number;
  /** The grant, once granted. */
  readonly grant: Grant | null;
  /** The valid partials posted so far. */
  readonly deliveries: readonly DeliveredShare[];
  /** Contract clock when the sale completed (delivered) or was refunded. */
  readonly closedAt: number | null;
}

/** The contract's whole state. Immutable: {@link applyTransaction} returns a new one. */
export interface ContractState {
  /** The contract clock: the latest block time seen by an accepted transaction (seconds). */
  readonly clock: number;
  /** Registered parties, by pseudonym. */
  readonly members: ReadonlyMap<string, Member>;
  /** Requirements, by id. */
  readonly requirements: ReadonlyMap<string, RequirementEntry>;
  /** Records, by id. */
  readonly records: ReadonlyMap<string, RecordEntry>;
  /** Accepted submissions and their sales, by id. */
  readonly approvals: ReadonlyMap<string, Approval>;
  /** Bindings h of accepted proofs (hex), against replay. */
  readonly bindings: ReadonlySet<string>;
  /** Available balances (never negative); escrow is held in requirements and approvals. */
  readonly balances: ReadonlyMap<string, number>;
  /**
   * Everything deposited and not withdrawn. Invariant: the balances, the requirements' escrow
   * (places x reward) and the sales' escrow add up to it.
   */
  readonly supply: number;
}

/** What one transaction did. */
export type Outcome =
  | {
      /** Accepted. */
      readonly accepted: true;
      /** The kind. */
      readonly kind: TransactionKind;
      /** The sender. */
      readonly sender: string;
      /** The id of the entry created or updated (member address, requirement, record, approval). */
      readonly id: string;
      /** A one-line description. */
      readonly detail: string;
    }
  | {
      /** Refused; the state is unchanged. */
      readonly accepted: false;
      /** The kind, when the bytes decoded. */
      readonly kind: TransactionKind | null;
      /** The sender, when the bytes decoded. */
      readonly sender: string | null;
      /** Why. */
      readonly reason: RefusalReason;
      /** A one-line description. */
      readonly detail: string;
      /** Who is accountable for the attempt, when the contract can name it (section 5.1.5). */
      readonly accountable: string | null;
    };

/** What {@link applyTransaction} returns. */
export interface AppliedTransaction {
  /** The next state (the same object when the transaction was refused). */
  readonly state: ContractState;
  /** What the transaction did. */
  readonly outcome: Outcome;
}

/** The state before the first block. */
export function createContractState(): ContractState {
  return {
    clock: 0,
    members: new Map(),
    requirements: new Map(),
    records: new Map(),
    approvals: new Map(),
    bindings: new Set(),
    balances: new Map(),
    supply: 0,
  };
}

class Refusal {
  constructor(
    readonly reason: RefusalReason,
    readonly detail: string,
    readonly accountable: string | null = null,
  ) {}
}

function refuse(reason: RefusalReason, detail: string, accountable: string | null = null): never {
  throw new Refusal(reason, detail, accountable);
}

/** What a handler sees: the state before, the genesis parameters, the verifier, the clock and the sender. */
interface Context {
  readonly state: ContractState;
  readonly config: ContractConfig;
  readonly deps: ContractDeps;
  /** The contract clock for this transaction: max(state.clock, block time). */
  readonly clock: number;
  readonly sender: string;
}

/** What a handler returns: the parts of the state it changes, the entry's id, a one-line description. */
interface Effect {
  readonly changes: Partial<Omit<ContractState, 'clock'>>;
  readonly id: string;
  readonly detail: string;
}

/** A transaction kind's rule: who may send it, and what it does. */
interface Handler<K extends TransactionKind> {
  /** 'authority': the membership authority only; otherwise the roles that may send it. */
  readonly senders: 'authority' | readonly Role[];
  readonly apply: (ctx: Context, body: BodyOf[K], tx: TransactionOf<K>) => Effect;
}

// ------------------------------------------------------------------ helpers

function verifySignature(config: ContractConfig, identity: string, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return authVerify(config.signParams, identity, message, signature);
  } catch {
    return false;
  }
}

function credit(balances: ReadonlyMap<string, number>, account: string, amount: number): Map<string, number> {
  return new Map(balances).set(account, (balances.get(account) ?? 0) + amount);
}

/** Debits `amount` from `account`, refusing `insufficientFunds` rather than going negative. */
function debit(balances: ReadonlyMap<string, number>, account: string, amount: number): Map<string, number> {
  const available = balances.get(account) ?? 0;
  if (available < amount) refuse('insufficientFunds', `${account} has ${available} available, needs ${amount}`, account);
  return new Map(balances).set(account, available - amount);
}

function safeAmount(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) refuse('malformedTransaction', `${what}: exceeds the safe integer range`);
  return value;
}

function checkTime(ctx: Context, time: number, what: string, accountable: string): void {
  if (time + ctx.config.maxClockSkew < ctx.clock) {
    refuse('staleTimestamp', `${what} ${time} is older than the contract clock ${ctx.clock} allows`, accountable);
  }
  if (time > ctx.clock + ctx.config.maxClockSkew) {
    refuse('futureTimestamp', `${what} ${time} is ahead of the contract clock ${ctx.clock}`, accountable);
  }
}

function approvalOf(ctx: Context, approvalId: string): Approval {
  const approval = ctx.state.approvals.get(approvalId);
  if (approval === undefined) refuse('unknownApproval', `no accepted submission ${approvalId}`);
  return approval;
}

function recordOf(ctx: Context, recordId: string): RecordEntry {
  return ctx.state.records.get(recordId) as RecordEntry; // an approval's record always exists
}

/**
 * Licences and sales in progress that a sale of `record` to `institution` (exclusive or not)
 * would contradict (issue 12, item 2): another institution's exclusive licence or sale, or any
 * other institution's licence or sale when this one is exclusive.
 */
function checkConflicts(record: RecordEntry, institution: string, exclusive: boolean, patient: string): void {
  const clash = (other: { institution: string; exclusive: boolean }) =>
    other.institution !== institution && (other.exclusive || exclusive);
  const licence = record.licences.find(clash);
  if (licence !== undefined) {
    refuse(
      'exclusiveLicence',
      `${record.id} is licensed ${licence.exclusive ? 'exclusively ' : ''}to ${licence.institution} (${licence.approvalId}); ${patient} tried to sell it to ${institution}`,
      patient,
    );
  }
  const sale = record.pending.find(clash);
  if (sale !== undefined) {
    refuse(
      'conflictingSale',
      `a ${sale.exclusive ? 'exclusive ' : ''}sale of ${record.id} to ${sale.institution} is in progress (${sale.approvalId}); ${patient} tried to sell it to ${institution}`,
      patient,
    );
  }
}

/** The Fig. 3 form of a sale, rebuilt from the contract's own state and the form's time. */
export function sharingFormOf(config: Pick<ContractConfig, 'deployment'>, approval: Approval, time: number): SharingForm {
  return {
    deployment: config.deployment,
    approvalId: approval.id,
    requirementId: approval.requirementId,
    recordId: approval.recordId,
    patient: approval.patient,
    institution: approval.institution,
    commitment: approval.commitment,
    reward: approval.reward,
    exclusive: approval.exclusive,
    time,
  };
}

function withApproval(ctx: Context, approval: Approval): Map<string, Approval> {
  return new Map(ctx.state.approvals).set(approval.id, approval);
}

function withRecord(ctx: Context, record: RecordEntry): Map<string, RecordEntry> {
  return new Map(ctx.state.records).set(record.id, record);
}

/** The record without the sale `approvalId` among its sales in progress. */
function settle(record: RecordEntry, approvalId: string): RecordEntry {
  return { ...record, pending: record.pending.filter((p) => p.approvalId !== approvalId) };
}

function decodeCommitment(bytes: Uint8Array): Ga07ReKeyCommitment {
  try {
    return ga07Verifiable.decodeReKeyCommitment(bytes);
  } catch (e) {
    refuse('malformedTransaction', `reKeyCommitment: ${(e as Error).message}`);
  }
}

/** The stored ciphertext's header: an encoded original ga07 ciphertext whose sealed part is the 32-byte digest. */
function decodeHeader(bytes: Uint8Array): Ga07Ciphertext {
  let header: Ga07Ciphertext;
  try {
    header = ga07.decodeCiphertext(bytes);
  } catch (e) {
    refuse('malformedTransaction', `ciphertextHeader: ${(e as Error).message}`);
  }
  if (header.capsule.form !== 'original' || header.sealed.length !== 32) {
    refuse('malformedTransaction', 'ciphertextHeader: expected an original capsule and a 32-byte digest of the sealed record');
  }
  return header;
}

// ------------------------------------------------------------------ one handler per kind

/** Membership (4.2.3, 5.1.4): the authority registers a pseudonym with a role. */
const register: Handler<'register'> = {
  senders: 'authority',
  apply(ctx, { identity, role }) {
    if (ctx.state.members.has(identity) || identity === ctx.config.authority) {
      refuse('alreadyRegistered', `${identity} is registered`);
    }
    if (!isPseudonym(identity) || identity.includes(RECORD_SEPARATOR)) {
      refuse('notPseudonym', `members are registered under pseudonyms (addr: and 40 hex digits), not ${identity}`);
    }
    const members = new Map(ctx.state.members).set(identity, { address: identity, role });
    return { changes: { members }, id: identity, detail: `${identity} registered as ${role}` };
  },
};

/** The authority credits a member (the contract's unit of value). */
const deposit: Handler<'deposit'> = {
  senders: 'authority',
  apply(ctx, { account, amount }) {
    if (!ctx.state.members.has(account)) refuse('unknownAccount', `${account} is not a member`);
    if (amount <= 0) refuse('malformedTransaction', 'amount: must be positive');
    const supply = safeAmount(ctx.state.supply + amount, 'amount'); // every balance is at most the supply
    const balances = credit(ctx.state.balances, account, amount);
    return { changes: { balances, supply }, id: account, detail: `${account} +${amount}` };
  },
};

/** A member takes value out of its available balance. */
const withdraw: Handler<'withdraw'> = {
  senders: ROLES,
  apply(ctx, { amount }) {
    if (amount <= 0) refuse('malformedTransaction', 'amount: must be positive');
    const balances = debit(ctx.state.balances, ctx.sender, amount);
    return { changes: { balances, supply: ctx.state.supply - amount }, id: ctx.sender, detail: `${ctx.sender} -${amount}` };
  },
};

/** Step 1 / 4.2.2: the requirement, with reward x capacity escrowed from the institution's balance. */
const publishRequirement: Handler<'publishRequirement'> = {
  senders: ['institution'],
  apply(ctx, body, tx) {
    const id = derivedId('req', new TextEncoder().encode(ctx.sender), tx.bodyBytes);
    if (ctx.state.requirements.has(id)) refuse('duplicate', `requirement ${id} is already published`);
    if (body.verificationKey.length === 0) refuse('malformedTransaction', 'verificationKey: empty');
    if (body.capacity < 1) refuse('malformedTransaction', 'capacity: at least 1');
    const escrow = safeAmount(body.reward * body.capacity, 'reward x capacity');
    const balances = debit(ctx.state.balances, ctx.sender, escrow);
    const entry: RequirementEntry = { id, institution: ctx.sender, ...body, open: true, places: body.capacity };
    return {
      changes: { balances, requirements: new Map(ctx.state.requirements).set(id, entry) },
      id,
      detail: `${ctx.sender} published ${id} [${body.keywords.join(', ')}], reward ${body.reward} x ${body.capacity} escrowed, ${body.exclusive ? 'exclusive' : 'non-exclusive'} licence`,
    };
  },
};

/** The institution closes its requirement; the escrow of places nobody reserved returns to it. */
const closeRequirement: Handler<'closeRequirement'> = {
  senders: ['institution'],
  apply(ctx, { requirementId }) {
    const requirement = ctx.state.requirements.get(requirementId);
    if (requirement === undefined) refuse('unknownRequirement', `no requirement ${requirementId}`);
    if (requirement.institution !== ctx.sender) refuse('notParty', `${ctx.sender} did not publish ${requirementId}`);
    if (!requirement.open) refuse('requirementClosed', `${requirementId} is closed`);
    const refund = requirement.places * requirement.reward;
    return {
      changes: {
        balances: credit(ctx.state.balances, ctx.sender, refund),
        requirements: new Map(ctx.state.requirements).set(requirementId, { ...requirement, open: false, places: 0 }),
      },
      id: requirementId,
      detail: `${requirementId} closed; ${refund} returned to ${ctx.sender}`,
    };
  },
};

/** Steps 2-3 / 4.2.5: the commitment, with the patient's consent naming the registrant. */
const registerRecord: Handler<'registerRecord'> = {
  senders: ['patient', 'hospital'],
  apply(ctx, { patient, commitment, patientSignature }) {
    const sender = ctx.state.members.get(ctx.sender) as Member;
    if (sender.role === 'patient' && patient !== ctx.sender)
      refuse('notRecordOwner', `${ctx.sender} cannot register a record of ${patient}`);
    if (ctx.state.members.get(patient)?.role !== 'patient') refuse('unknownPatient', `${patient} is not a registered patient`);
    // Issue 12, item 5: the consent names the registrant, so a hospital the patient did not delegate cannot use it.
    if (
      !verifySignature(
        ctx.config,
        patient,
        recordSignable(ctx.config.deployment, patient, ctx.sender, commitment),
        patientSignature,
      )
    ) {
      refuse('badSignature', `the consent of ${patient} does not verify for this record and registrant ${ctx.sender}`);
    }
    const id = derivedId('rec', new TextEncoder().encode(patient), fieldToBytes(commitment));
    if (ctx.state.records.has(id)) refuse('duplicate', `record ${id} is already registered`);
    // Issue 11, item 11: a commitment is registered once, whoever registers it, so a licence covers the data.
    for (const other of ctx.state.records.values()) {
      if (other.commitment === commitment)
        refuse('duplicate', `the commitment of ${id} is already registered as ${other.id}`, ctx.sender);
    }
    const entry: RecordEntry = { id, patient, registeredBy: ctx.sender, commitment, licences: [], pending: [] };
    return { changes: { records: withRecord(ctx, entry) }, id, detail: `record ${id} of ${patient} committed by ${ctx.sender}` };
  },
};

/** Steps 4-5 / 4.2.7: the proof against the ledger's requirement and record; reserves one reward. */
const submitProof: Handler<'submitProof'> = {
  senders: ['patient'],
  apply(ctx, body) {
    const { config, deps, sender, clock } = ctx;
    const requirement = ctx.state.requirements.get(body.requirementId);
    if (requirement === undefined) refuse('unknownRequirement', `no requirement ${body.requirementId}`);
    const record = ctx.state.records.get(body.recordId);
    if (record === undefined) refuse('unknownRecord', `no record ${body.recordId}`);
    if (record.patient !== sender) refuse('notRecordOwner', `${sender} does not own ${record.id}`);
    let signals: ReturnType<ContractDeps['decodePublicSignals']>;
    try {
      signals = deps.decodePublicSignals(body.publicSignals);
    } catch (e) {
      refuse('malformedTransaction', `publicSignals: ${(e as Error).message}`);
    }
    // Section 4.2.7: the proof's h', R' must match what the ledger holds.
    if (signals.requirementHash !== requirement.criteriaHash) {
      refuse('requirementMismatch', `the proof is for requirement hash ${short(signals.requirementHash)}, not ${requirement.id}`);
    }
    if (signals.commitment !== record.commitment) {
      refuse('commitmentMismatch', `the proof is about commitment ${short(signals.commitment)}, not record ${record.id}`);
    }
    if (signals.patientId !== deps.identityToField(sender)) refuse('identityMismatch', 'the proof is bound to another patient');
    if (!signals.eligible) refuse('notEligible', 'R = 0: the record does not meet the requirement');
    // The proof's age is measured against the contract clock (the block time), not the envelope's claim.
    if (signals.timestamp + BigInt(config.maxProofAge) < BigInt(clock)) {
      refuse(
        'staleTimestamp',
        `proof time T = ${signals.timestamp} is more than ${config.maxProofAge} s before ${clock}`,
        sender,
      );
    }
    if (signals.timestamp > BigInt(clock + config.maxClockSkew)) {
      refuse('futureTimestamp', `proof time T = ${signals.timestamp} is ahead of the contract clock ${clock}`, sender);
    }
    const bindingHex = signals.binding.toString(16);
    if (ctx.state.bindings.has(bindingHex))
      refuse('replayedSubmission', `binding h = ${short(signals.binding)} was submitted before`);
    const id = derivedId('appr', new TextEncoder().encode(requirement.id), new TextEncoder().encode(record.id));
    if (ctx.state.approvals.has(id)) refuse('duplicate', `${record.id} was already accepted for ${requirement.id}`);
    if (!requirement.open) refuse('requirementClosed', `${requirement.id} is closed`);
    if (requirement.places === 0) refuse('requirementFull', `${requirement.id} has no place left`);
    checkConflicts(record, requirement.institution, requirement.exclusive, sender);
    if (!verifySignature(config, sender, bindingSignable(config.deployment, signals.binding), body.bindingSignature)) {
      refuse('badSignature', `sigma_a on h does not verify for ${sender}`);
    }
    let verified = false;
    try {
      verified = deps.verifyProof(requirement.verificationKey, body.proof, body.publicSignals) === true;
    } catch {
      verified = false; // a verifier must not throw; if one does, the bytes are refused, the replica lives on
    }
    if (!verified) refuse('invalidProof', `the proof does not verify under ${requirement.id}'s verification key`);
    const approval: Approval = {
      id,
      requirementId: requirement.id,
      recordId: record.id,
      patient: sender,
      institution: requirement.institution,
      commitment: record.commitment,
      reward: requirement.reward,
      exclusive: requirement.exclusive,
      stage: 'approved',
      escrow: requirement.reward,
      approvedAt: clock,
      deadline: clock + config.grantWindow,
      grant: null,
      deliveries: [],
      closedAt: null,
    };
    return {
      changes: {
        approvals: withApproval(ctx, approval),
        bindings: new Set(ctx.state.bindings).add(bindingHex),
        requirements: new Map(ctx.state.requirements).set(requirement.id, { ...requirement, places: requirement.places - 1 }),
      },
      id,
      detail: `proof accepted: ${record.id} meets ${requirement.id} (R = 1); approval ${id}, reward ${requirement.reward} reserved`,
    };
  },
};

/** Step 6: the grant - key commitment, proxies, ciphertext header - and the patient's signature on the form. */
const grantAccess: Handler<'grantAccess'> = {
  senders: ['patient'],
  apply(ctx, body) {
    const approval = approvalOf(ctx, body.approvalId);
    if (approval.patient !== ctx.sender) refuse('notRecordOwner', `${ctx.sender} is not the patient of ${approval.id}`);
    if (approval.stage !== 'approved') refuse('wrongStage', `${approval.id} is ${approval.stage}, not approved`);
    if (ctx.clock >= approval.deadline) refuse('saleExpired', `${approval.id} expired at ${approval.deadline}`, ctx.sender);
    const commitment = decodeCommitment(body.reKeyCommitment);
    const record = recordOf(ctx, approval.recordId);
    const delegator = recordIdentity(approval.patient, record.commitment);
    if (commitment.delegator !== delegator || commitment.delegatee !== approval.institution) {
      refuse('grantMismatch', `the key commitment is for ${commitment.delegator} -> ${commitment.delegatee}`, ctx.sender);
    }
    // Issue 12, item 6: n distinct registered proxies, so no one (and never the delegatee) holds two shares.
    const proxies = body.proxies;
    if (proxies.length !== commitment.total || new Set(proxies).size !== proxies.length) {
      refuse('invalidProxies', `expected ${commitment.total} distinct proxies, got [${proxies.join(', ')}]`, ctx.sender);
    }
    for (const proxy of proxies) {
      if (ctx.state.members.get(proxy)?.role !== 'proxy')
        refuse('invalidProxies', `${proxy} is not a registered proxy`, ctx.sender);
    }
    const header = decodeHeader(body.ciphertextHeader);
    if (header.recipient !== delegator)
      refuse('grantMismatch', `the ciphertext header is for ${header.recipient}, not the record`, ctx.sender);
    checkTime(ctx, body.formTime, 'sharing form time', ctx.sender);
    const form = sharingFormOf(ctx.config, approval, body.formTime);
    if (!verifySignature(ctx.config, ctx.sender, sharingFormSignable(form), body.formSignature)) {
      refuse('badSignature', `the patient's signature on the sharing form of ${approval.id} does not verify`);
    }
    checkConflicts(record, approval.institution, approval.exclusive, ctx.sender);
    const grant: Grant = {
      reKeyCommitment: body.reKeyCommitment,
      proxies: [...proxies],
      threshold: commitment.threshold,
      ciphertextHeader: body.ciphertextHeader,
      formTime: body.formTime,
      patientSignature: body.formSignature,
      institutionSignature: null,
    };
    const pending = [
      ...record.pending,
      { approvalId: approval.id, institution: approval.institution, exclusive: approval.exclusive },
    ];
    return {
      changes: {
        approvals: withApproval(ctx, { ...approval, stage: 'granted', grant }),
        records: withRecord(ctx, { ...record, pending }),
      },
      id: approval.id,
      detail: `${ctx.sender} granted ${approval.institution} re-encryption of ${approval.recordId} (${commitment.threshold}-of-${commitment.total} proxies)`,
    };
  },
};

/** The institution accepts: it checked the key commitment opens for it; it countersigns the form. */
const acceptGrant: Handler<'acceptGrant'> = {
  senders: ['institution'],
  apply(ctx, body) {
    const approval = approvalOf(ctx, body.approvalId);
    if (approval.institution !== ctx.sender) refuse('notParty', `${ctx.sender} is not the institution of ${approval.id}`);
    if (approval.stage !== 'granted' || approval.grant === null)
      refuse('wrongStage', `${approval.id} is ${approval.stage}, not granted`);
    if (ctx.clock >= approval.deadline) refuse('saleExpired', `${approval.id} expired at ${approval.deadline}`, ctx.sender);
    const form = sharingFormOf(ctx.config, approval, approval.grant.formTime);
    if (!verifySignature(ctx.config, ctx.sender, sharingFormSignable(form), body.formSignature)) {
      refuse('badSignature', `the institution's signature on the sharing form of ${approval.id} does not verify`);
    }
    const grant = { ...approval.grant, institutionSignature: body.formSignature };
    const deadline = ctx.clock + ctx.config.deliveryWindow;
    return {
      changes: { approvals: withApproval(ctx, { ...approval, stage: 'accepted', grant, deadline }) },
      id: approval.id,
      detail: `${ctx.sender} accepted the grant of ${approval.id}; delivery expected by ${deadline}`,
    };
  },
};

/**
 * Step 7, and step 9 at the t-th valid partial: the contract verifies each proxy's partial against
 * the on-ledger key commitment and ciphertext header (the Fiat-Shamir proof of ga07Verifiable, about
 * 2.6 pairings); the t-th valid one pays the patient and writes the licence.
 */
const deliver: Handler<'deliver'> = {
  senders: ['proxy'],
  apply(ctx, body) {
    const approval = approvalOf(ctx, body.approvalId);
    const grant = approval.grant;
    if (approval.stage !== 'accepted' || grant === null)
      refuse('wrongStage', `${approval.id} is ${approval.stage}, not accepted`);
    let partial: ReturnType<typeof ga07Verifiable.decodeReEncryptionShare>;
    try {
      partial = ga07Verifiable.decodeReEncryptionShare(body.partial);
    } catch (e) {
      refuse('invalidPartial', `the partial does not decode: ${(e as Error).message}`, ctx.sender);
    }
    if (grant.proxies[partial.index - 1] !== ctx.sender) {
      refuse('notParty', `${ctx.sender} does not hold share ${partial.index} of ${approval.id}`, ctx.sender);
    }
    if (approval.deliveries.some((d) => d.index === partial.index)) refuse('duplicate', `share ${partial.index} was delivered`);
    const commitment = decodeCommitment(grant.reKeyCommitment);
    const header = decodeHeader(grant.ciphertextHeader);
    if (!ga07Verifiable.verifyReEncryptionShare(ctx.config.preParams, commitment, header, partial)) {
      refuse('invalidPartial', `share ${partial.index} of ${approval.id} does not verify against the key commitment`, ctx.sender);
    }
    const deliveries = [...approval.deliveries, { proxy: ctx.sender, index: partial.index, partial: body.partial }];
    if (deliveries.length < grant.threshold) {
      return {
        changes: { approvals: withApproval(ctx, { ...approval, deliveries }) },
        id: approval.id,
        detail: `${ctx.sender} delivered share ${partial.index} of ${approval.id} (${deliveries.length} of ${grant.threshold})`,
      };
    }
    // The t-th valid partial: the institution can now decrypt, so the patient is paid and the licence holds.
    const record = recordOf(ctx, approval.recordId);
    const licence: Licence = {
      institution: approval.institution,
      approvalId: approval.id,
      exclusive: approval.exclusive,
      time: ctx.clock,
    };
    const completed: Approval = { ...approval, deliveries, stage: 'delivered', escrow: 0, closedAt: ctx.clock };
    return {
      changes: {
        approvals: withApproval(ctx, completed),
        records: withRecord(ctx, { ...settle(record, approval.id), licences: [...record.licences, licence] }),
        balances: credit(ctx.state.balances, approval.patient, approval.escrow),
      },
      id: approval.id,
      detail: `${ctx.sender} delivered share ${partial.index} of ${approval.id}: ${grant.threshold} of ${grant.threshold}, sale complete; ${approval.patient} paid ${approval.escrow}, ${approval.exclusive ? 'exclusive' : 'non-exclusive'} licence to ${approval.institution}`,
    };
  },
};

/** The institution takes back the escrow of a sale not completed by its deadline. */
const reclaim: Handler<'reclaim'> = {
  senders: ['institution'],
  apply(ctx, body) {
    const approval = approvalOf(ctx, body.approvalId);
    if (approval.institution !== ctx.sender) refuse('notParty', `${ctx.sender} is not the institution of ${approval.id}`);
    if (approval.stage === 'delivered' || approval.stage === 'refunded')
      refuse('wrongStage', `${approval.id} is ${approval.stage}`);
    if (ctx.clock < approval.deadline) refuse('deadlineNotReached', `${approval.id} runs until ${approval.deadline}`, ctx.sender);
    const record = recordOf(ctx, approval.recordId);
    return {
      changes: {
        approvals: withApproval(ctx, { ...approval, stage: 'refunded', escrow: 0, closedAt: ctx.clock }),
        records: withRecord(ctx, settle(record, approval.id)),
        balances: credit(ctx.state.balances, ctx.sender, approval.escrow),
      },
      id: approval.id,
      detail: `${approval.id} refunded: ${approval.escrow} returned to ${ctx.sender}`,
    };
  },
};

/** Every kind's rule, in one table: who may send it, and its handler. */
const HANDLERS: { readonly [K in TransactionKind]: Handler<K> } = {
  register,
  deposit,
  withdraw,
  publishRequirement,
  closeRequirement,
  registerRecord,
  submitProof,
  grantAccess,
  acceptGrant,
  deliver,
  reclaim,
};

/** Which roles may send each kind (an empty list: the membership authority only). */
export const ALLOWED_ROLES: Readonly<Record<TransactionKind, readonly Role[]>> = Object.freeze(
  Object.fromEntries(Object.entries(HANDLERS).map(([kind, h]) => [kind, h.senders === 'authority' ? [] : h.senders])) as Record<
    TransactionKind,
    readonly Role[]
  >,
);

/**
 * Applies one committed transaction. Pure: `state` is not modified; a refusal returns `state` itself.
 * The contract clock becomes max(state.clock, blockTime) when the transaction is accepted; the
 * transaction's own time is checked against that clock and never moves it.
 * @param state - the current state
 * @param operation - the transaction bytes (untrusted)
 * @param config - the contract's genesis parameters
 * @param deps - the proof verifier and its helpers
 * @param blockTime - the time of the block the transaction is in (`Block.time` of `medshare/ledger`,
 *   assigned by the ordering layer), in seconds
 * @returns the next state and the outcome
 * @throws RangeError if blockTime is not a non-negative safe integer (a caller's mistake)
 * @example
 * ```ts
 * const { state: next, outcome } = applyTransaction(state, operation, config, deps, block.time);
 * if (!outcome.accepted) console.log(outcome.reason); // e.g. 'exclusiveLicence'
 * ```
 */
export function applyTransaction(
  state: ContractState,
  operation: Uint8Array,
  config: ContractConfig,
  deps: ContractDeps,
  blockTime: number,
): AppliedTransaction {
  if (!Number.isSafeInteger(blockTime) || blockTime < 0) {
    throw new ArgumentValueError('blockTime', `expected a non-negative safe integer, got ${String(blockTime)}`);
  }
  let tx: ContractTransaction | null = null;
  try {
    try {
      tx = decodeContractTransaction(operation);
    } catch (e) {
      refuse('malformedTransaction', (e as Error).message);
    }
    const clock = Math.max(state.clock, blockTime);
    const ctx: Context = { state, config, deps, clock, sender: tx.sender };
    const handler = HANDLERS[tx.kind] as Handler<TransactionKind>;
    admit(ctx, handler, tx);
    const { changes, id, detail } = handler.apply(ctx, tx.body as never, tx as never);
    return { state: { ...state, ...changes, clock }, outcome: { accepted: true, kind: tx.kind, sender: tx.sender, id, detail } };
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    return {
      state,
      outcome: {
        accepted: false,
        kind: tx?.kind ?? null,
        sender: tx?.sender ?? null,
        reason: e.reason,
        detail: e.detail,
        accountable: e.accountable,
      },
    };
  }
}

/** Checks common to every kind: membership and role (4.2.3), the sender's signature, the claimed time. */
function admit(ctx: Context, handler: Handler<TransactionKind>, tx: ContractTransaction): void {
  const member = ctx.state.members.get(tx.sender);
  if (handler.senders === 'authority') {
    if (tx.sender !== ctx.config.authority) {
      if (member === undefined) refuse('unregisteredSender', `${tx.sender} is not registered`);
      refuse('wrongRole', `only the membership authority may send ${tx.kind}; ${tx.sender} is a ${member.role}`);
    }
  } else {
    if (member === undefined) refuse('unregisteredSender', `${tx.sender} is not registered`);
    if (!handler.senders.includes(member.role)) {
      refuse('wrongRole', `a ${member.role} may not send ${tx.kind} (allowed: ${handler.senders.join(', ')})`);
    }
  }
  const signable = envelopeSignable(ctx.config.deployment, tx.kind, tx.sender, tx.time, tx.bodyBytes);
  if (!verifySignature(ctx.config, tx.sender, signable, tx.signature)) {
    refuse('badSignature', `the sender's AuthSign signature does not verify for ${tx.sender} in this deployment`);
  }
  // Issue 11, item 10: the sender's time is a claim, checked against the block time; it never moves the clock.
  checkTime(ctx, tx.time, 'transaction time', tx.sender);
}

function short(x: bigint): string {
  return `0x${x.toString(16).padStart(64, '0').slice(0, 12)}`;
}

function sortedKeys<K extends string>(map: ReadonlyMap<K, unknown> | ReadonlySet<K>): K[] {
  return [...map.keys()].sort();
}

const STAGES: readonly ApprovalStage[] = ['approved', 'granted', 'accepted', 'delivered', 'refunded'];

/**
 * The canonical bytes of a contract state (sorted by key), whose SHA-256 is {@link contractStateHash}.
 * @param state - the state
 */
export function encodeContractState(state: ContractState): Uint8Array {
  const w = new ByteWriter(1024).string('medshare/protocol/v2/contract-state').u64(state.clock).u64(state.supply);
  w.u32(state.members.size);
  for (const k of sortedKeys(state.members)) {
    const m = state.members.get(k) as Member;
    w.string(m.address).u8(ROLES.indexOf(m.role) + 1);
  }
  w.u32(state.requirements.size);
  for (const k of sortedKeys(state.requirements)) {
    const r = state.requirements.get(k) as RequirementEntry;
    w.string(r.id).string(r.institution).raw(fieldToBytes(r.criteriaHash)).u32(r.keywords.length);
    for (const kw of r.keywords) w.string(kw);
    w.bytes(r.verificationKey)
      .u64(r.reward)
      .u32(r.capacity)
      .u8(r.exclusive ? 1 : 0)
      .u8(r.open ? 1 : 0)
      .u32(r.places);
  }
  w.u32(state.records.size);
  for (const k of sortedKeys(state.records)) {
    const r = state.records.get(k) as RecordEntry;
    w.string(r.id).string(r.patient).string(r.registeredBy).raw(fieldToBytes(r.commitment)).u32(r.licences.length);
    for (const l of r.licences) {
      w.string(l.institution)
        .string(l.approvalId)
        .u8(l.exclusive ? 1 : 0)
        .u64(l.time);
    }
    w.u32(r.pending.length);
    for (const p of r.pending)
      w.string(p.approvalId)
        .string(p.institution)
        .u8(p.exclusive ? 1 : 0);
  }
  w.u32(state.approvals.size);
  for (const k of sortedKeys(state.approvals)) {
    const a = state.approvals.get(k) as Approval;
    w.string(a.id).string(a.requirementId).string(a.recordId).string(a.patient).string(a.institution);
    w.raw(fieldToBytes(a.commitment))
      .u64(a.reward)
      .u8(a.exclusive ? 1 : 0)
      .u8(STAGES.indexOf(a.stage) + 1);
    w.u64(a.escrow)
      .u64(a.approvedAt)
      .u64(a.deadline)
      .u64(a.closedAt ?? 0);
    const g = a.grant;
    w.u8(g === null ? 0 : 1);
    if (g !== null) {
      w.bytes(g.reKeyCommitment).u32(g.proxies.length);
      for (const p of g.proxies) w.string(p);
      w.u32(g.threshold).bytes(g.ciphertextHeader).u64(g.formTime).bytes(g.patientSignature);
      w.bytes(g.institutionSignature ?? new Uint8Array(0));
    }
    w.u32(a.deliveries.length);
    for (const d of a.deliveries) w.string(d.proxy).u32(d.index).bytes(d.partial);
  }
  w.u32(state.bindings.size);
  for (const b of sortedKeys(state.bindings)) w.string(b);
  w.u32(state.balances.size);
  for (const k of sortedKeys(state.balances)) w.string(k).u64(state.balances.get(k) as number);
  return w.finish();
}

/**
 * SHA-256 of {@link encodeContractState}: equal at two replicas iff their contract states are equal.
 * @param state - the state
 * @returns 32 bytes
 */
export function contractStateHash(state: ContractState): Uint8Array {
  return sha256(encodeContractState(state));
}

/** The id of a transaction (hex SHA-256 of its bytes), as receipts name it. */
export { transactionId };
