/**
 * The smart contract of Huang et al. 2020 (sections 4.1, 4.2.2-4.2.10, 5.1.5) as a deterministic
 * state machine: `applyTransaction(state, operation, config, deps, blockTime)` takes the bytes of one
 * committed transaction and the time of its block, and returns the next state and an outcome. It
 * reads no clock, no randomness and no I/O. Time comes from the ordering layer: the contract clock
 * is the latest block time (which the PBFT primary assigns and the backups bound by their own
 * clocks, see `medshare/pbft`); a transaction's own time is only a claim, refused unless it lies
 * within `maxClockSkew` of that clock, and it never moves the clock. The proof verifier is
 * injected ({@link ContractDeps}). So every honest
 * replica that applies the same blocks reaches the same state, and {@link contractStateHash}
 * (kept alongside each block) shows that it did.
 *
 * Every refusal has a {@link RefusalReason} and leaves the state exactly as it was; the refused
 * transaction itself stays in its block, signed by its sender, which is what makes a sender
 * accountable (section 5.1.5).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter, bytesEqual, toHex } from '../internal/bytes.js';
import { decodeTransaction, transactionSignable } from '../ledger/transaction.js';
import { ga07Verifiable } from '../pre/ga07-verifiable.js';
import type { Ga07Params } from '../pre/ga07.js';
import { type AuthSignParams, authVerify } from '../sign/cha-cheon.js';
import type { ContractDeps } from './proof-system.js';
import {
  type ContractTransaction,
  decodeContractTransaction,
  derivedId,
  envelopeSignable,
  fieldToBytes,
  bindingSignable,
  RECORD_SEPARATOR,
  recordIdentity,
  recordSignable,
  type Role,
  type TransactionKind,
  transactionId,
} from './transactions.js';
import { ArgumentValueError, MedshareError } from '../internal/errors.js';

/**
 * Why the contract (or a party checking off-chain data) refused something. Contract refusals:
 * - `malformedTransaction`: the bytes do not decode, or a field is malformed;
 * - `unregisteredSender`: the sender is not a registered member (nor the membership authority);
 * - `wrongRole`: the sender's role may not send this kind of transaction;
 * - `badSignature`: an AuthSign signature (sender's, patient's sigma_a, or a Fig. 3 signature) is invalid;
 * - `staleTimestamp` / `futureTimestamp`: a transaction's claimed time lies more than maxClockSkew
 *   before / after the contract clock (the block time), or a proof's T is older than maxProofAge /
 *   ahead of the clock by more than maxClockSkew;
 * - `alreadyRegistered`, `duplicate`: the identity, requirement, record (or its commitment, whoever
 *   registered it) or submission exists;
 * - `reservedIdentity`: a member identity may not contain '#', which record identities use;
 * - `unknownPatient`, `unknownRequirement`, `unknownRecord`, `unknownApproval`: no such entry;
 * - `notRecordOwner`, `notParty`: the sender is not the patient (or institution) of the entry;
 * - `requirementMismatch`, `commitmentMismatch`, `identityMismatch`: the proof is about another
 *   requirement, another record, or another patient than the ledger holds;
 * - `notEligible`: R = 0;
 * - `replayedSubmission`: the binding h of this proof was submitted before;
 * - `invalidProof`: the zk proof does not verify;
 * - `exclusiveLicence`: the record is licensed exclusively (or the new licence would be exclusive
 *   over an existing one) to another institution;
 * - `wrongStage`: the submission is not at the stage this transaction needs (e.g. sharing before
 *   access was granted, or twice);
 * - `grantMismatch`: the re-encryption key commitment names another delegator (not the record's
 *   identity) or another delegatee; off the ledger, the proxy refuses a stored ciphertext that is
 *   not for the identity its key share was granted from.
 * Off-chain refusals (thrown as {@link ProtocolError} by the party that checks):
 * - `sealedKeyInvalid`: the proxy cannot open or decode the sealed re-encryption key;
 * - `reEncryptionProofInvalid`: a proxy's re-encryption proof does not verify (dishonest proxy);
 * - `decryptionFailed`: the re-encrypted record does not open;
 * - `recordMismatch`: the record received is not the one committed on the ledger (swapped).
 */
export type RefusalReason =
  | 'malformedTransaction'
  | 'unregisteredSender'
  | 'wrongRole'
  | 'badSignature'
  | 'staleTimestamp'
  | 'futureTimestamp'
  | 'alreadyRegistered'
  | 'reservedIdentity'
  | 'duplicate'
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
  | 'exclusiveLicence'
  | 'wrongStage'
  | 'grantMismatch'
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
   * the data that failed (for example a proxy's AuthSign over its partial re-encryption). Empty
   * when nothing attributable failed.
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
  /** The membership authority's identity (the paper's fabric-ca): the only sender of `register`. */
  readonly authority: string;
  /** The PKG's IB-PRE public parameters (ga07). */
  readonly preParams: Ga07Params;
  /** The PKG's AuthSign public parameters. */
  readonly signParams: AuthSignParams;
  /** How old the proof's timestamp T may be, relative to the contract clock (the block time), in seconds. */
  readonly maxProofAge: number;
  /**
   * How far a transaction's claimed time may lie from the contract clock (the block time), either
   * way, and how far a proof's T may lead it, in seconds.
   */
  readonly maxClockSkew: number;
}

/** A registered party. */
export interface Member {
  /** Its identity (keys are issued for it). */
  readonly identity: string;
  /** Its role. */
  readonly role: Role;
  /** Its ledger address addr_p: 'addr:' and 40 hex digits of SHA-256(identity). */
  readonly address: string;
}

/** A published requirement (step 1). */
export interface RequirementEntry {
  /** Its id. */
  readonly id: string;
  /** The institution that published it. */
  readonly institution: string;
  /** The hash of the private criteria. */
  readonly criteriaHash: bigint;
  /** The public key words. */
  readonly keywords: readonly string[];
  /** VK_c. */
  readonly verificationKey: Uint8Array;
  /** Reward per record. */
  readonly reward: number;
  /** Exclusive licence? */
  readonly exclusive: boolean;
}

/** A licence under which a record was shared (step 9). */
export interface Licence {
  /** The institution that received the record. */
  readonly institution: string;
  /** The submission it completed. */
  readonly approvalId: string;
  /** Whether it is exclusive. */
  readonly exclusive: boolean;
  /** The contract clock (block time) when the sharing transaction was accepted. */
  readonly time: number;
}

/** A registered record (steps 2-3): only its commitment is on the ledger. */
export interface RecordEntry {
  /** Its id. */
  readonly id: string;
  /** The owner. */
  readonly patient: string;
  /** Who sent the registration (the patient, or a hospital on the patient's behalf). */
  readonly registeredBy: string;
  /** The commitment to the record. */
  readonly commitment: bigint;
  /** Licences granted so far, in order. */
  readonly licences: readonly Licence[];
}

/** The stages of an accepted submission. */
export type ApprovalStage = 'approved' | 'granted' | 'shared';

/** An accepted proof submission (step 5) and its progress through steps 6-9. */
export interface Approval {
  /** Its id. */
  readonly id: string;
  /** The requirement. */
  readonly requirementId: string;
  /** The record. */
  readonly recordId: string;
  /** The patient. */
  readonly patient: string;
  /** The institution. */
  readonly institution: string;
  /** Where it is. */
  readonly stage: ApprovalStage;
  /** The encoded re-encryption key commitment, once granted. */
  readonly reKeyCommitment: Uint8Array | null;
}

/** The contract's whole state. Immutable: {@link applyTransaction} returns a new one. */
export interface ContractState {
  /** The contract clock: the latest block time seen by an accepted transaction (seconds). */
  readonly clock: number;
  /** Registered parties, by identity. */
  readonly members: ReadonlyMap<string, Member>;
  /** Requirements, by id. */
  readonly requirements: ReadonlyMap<string, RequirementEntry>;
  /** Records, by id. */
  readonly records: ReadonlyMap<string, RecordEntry>;
  /** Accepted submissions, by id. */
  readonly approvals: ReadonlyMap<string, Approval>;
  /** Bindings h of accepted proofs (hex), against replay. */
  readonly bindings: ReadonlySet<string>;
  /** Rewards: credited to patients, debited from institutions. */
  readonly balances: ReadonlyMap<string, number>;
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
  };
}

/** The ledger address of an identity: 'addr:' and 40 hex digits of SHA-256 of its UTF-8. */
export function addressOf(identity: string): string {
  return `addr:${toHex(sha256(new TextEncoder().encode(identity))).slice(0, 40)}`;
}

/** Which roles may send each kind ('register' is for the membership authority only). */
export const ALLOWED_ROLES: Readonly<Record<TransactionKind, readonly Role[]>> = Object.freeze({
  register: [],
  publishRequirement: ['institution'],
  registerRecord: ['patient', 'hospital'],
  submitProof: ['patient'],
  grantAccess: ['patient'],
  share: ['institution'],
});

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
    const { next, id, detail } = execute(state, tx, config, deps, Math.max(state.clock, blockTime));
    return { state: next, outcome: { accepted: true, kind: tx.kind, sender: tx.sender, id, detail } };
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

function verifySignature(config: ContractConfig, identity: string, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return authVerify(config.signParams, identity, message, signature);
  } catch {
    return false;
  }
}

function execute(
  state: ContractState,
  tx: ContractTransaction,
  config: ContractConfig,
  deps: ContractDeps,
  clock: number,
): { next: ContractState; id: string; detail: string } {
  // Membership and role (section 4.2.3): who may send what.
  const member = state.members.get(tx.sender);
  if (tx.kind === 'register') {
    if (tx.sender !== config.authority) {
      if (member === undefined) refuse('unregisteredSender', `${tx.sender} is not registered`);
      refuse('wrongRole', `only the membership authority registers members, not a ${member.role}`);
    }
  } else {
    if (member === undefined) refuse('unregisteredSender', `${tx.sender} is not registered`);
    if (!ALLOWED_ROLES[tx.kind].includes(member.role)) {
      refuse('wrongRole', `a ${member.role} may not send ${tx.kind} (allowed: ${ALLOWED_ROLES[tx.kind].join(', ')})`);
    }
  }
  if (!verifySignature(config, tx.sender, envelopeSignable(tx.kind, tx.sender, tx.time, tx.bodyBytes), tx.signature)) {
    refuse('badSignature', `the sender's AuthSign signature does not verify for ${tx.sender}`);
  }
  // Issue 11, item 10: the sender's time is a claim, checked against the block time; it never moves the clock.
  if (tx.time + config.maxClockSkew < clock) {
    refuse('staleTimestamp', `transaction time ${tx.time} is older than the contract clock ${clock} allows`, tx.sender);
  }
  if (tx.time > clock + config.maxClockSkew) {
    refuse('futureTimestamp', `transaction time ${tx.time} is ahead of the contract clock ${clock}`, tx.sender);
  }
  switch (tx.kind) {
    case 'register': {
      const { identity, role } = tx.body;
      if (state.members.has(identity) || identity === config.authority) refuse('alreadyRegistered', `${identity} is registered`);
      if (identity.includes(RECORD_SEPARATOR)) {
        refuse('reservedIdentity', `'${RECORD_SEPARATOR}' is reserved for record identities (its key would open a record)`);
      }
      const address = addressOf(identity);
      const members = new Map(state.members).set(identity, { identity, role, address });
      return { next: { ...state, clock, members }, id: address, detail: `${identity} registered as ${role} at ${address}` };
    }
    case 'publishRequirement': {
      const id = derivedId('req', new TextEncoder().encode(tx.sender), tx.bodyBytes);
      if (state.requirements.has(id)) refuse('duplicate', `requirement ${id} is already published`);
      if (tx.body.verificationKey.length === 0) refuse('malformedTransaction', 'verificationKey: empty');
      const entry: RequirementEntry = { id, institution: tx.sender, ...tx.body };
      const requirements = new Map(state.requirements).set(id, entry);
      return {
        next: { ...state, clock, requirements },
        id,
        detail: `${tx.sender} published ${id} [${tx.body.keywords.join(', ')}], reward ${tx.body.reward}, ${tx.body.exclusive ? 'exclusive' : 'non-exclusive'} licence`,
      };
    }
    case 'registerRecord': {
      const { patient, commitment, patientSignature } = tx.body;
      if (member?.role === 'patient' && patient !== tx.sender)
        refuse('notRecordOwner', `${tx.sender} cannot register a record of ${patient}`);
      if (state.members.get(patient)?.role !== 'patient') refuse('unknownPatient', `${patient} is not a registered patient`);
      if (!verifySignature(config, patient, recordSignable(patient, commitment), patientSignature)) {
        refuse('badSignature', `sigma_a on the record commitment does not verify for ${patient}`);
      }
      const id = derivedId('rec', new TextEncoder().encode(patient), fieldToBytes(commitment));
      if (state.records.has(id)) refuse('duplicate', `record ${id} is already registered`);
      // Issue 11, item 11: a commitment is registered once, whoever registers it, so a licence
      // (checked per record) covers the data itself: a second identity cannot re-register the same
      // commitment as a new record and sell it again, nor can anyone claim another patient's.
      for (const other of state.records.values()) {
        if (other.commitment === commitment) {
          refuse('duplicate', `the commitment of ${id} is already registered as ${other.id}`, tx.sender);
        }
      }
      const records = new Map(state.records).set(id, { id, patient, registeredBy: tx.sender, commitment, licences: [] });
      return { next: { ...state, clock, records }, id, detail: `record ${id} of ${patient} committed by ${tx.sender}` };
    }
    case 'submitProof':
      return submitProof(state, tx.sender, tx.body, config, deps, clock);
    case 'grantAccess': {
      const approval = state.approvals.get(tx.body.approvalId);
      if (approval === undefined) refuse('unknownApproval', `no accepted submission ${tx.body.approvalId}`);
      if (approval.patient !== tx.sender) refuse('notRecordOwner', `${tx.sender} is not the patient of ${approval.id}`);
      if (approval.stage !== 'approved') refuse('wrongStage', `${approval.id} is ${approval.stage}, not approved`);
      let commitment: ReturnType<typeof ga07Verifiable.decodeReKeyCommitment>;
      try {
        commitment = ga07Verifiable.decodeReKeyCommitment(tx.body.reKeyCommitment);
      } catch (e) {
        refuse('malformedTransaction', `reKeyCommitment: ${(e as Error).message}`);
      }
      const record = state.records.get(approval.recordId) as RecordEntry;
      const delegator = recordIdentity(approval.patient, record.commitment);
      if (commitment.delegator !== delegator || commitment.delegatee !== approval.institution) {
        refuse('grantMismatch', `the key commitment is for ${commitment.delegator} -> ${commitment.delegatee}`);
      }
      const approvals = new Map(state.approvals).set(approval.id, {
        ...approval,
        stage: 'granted' as const,
        reKeyCommitment: tx.body.reKeyCommitment,
      });
      return {
        next: { ...state, clock, approvals },
        id: approval.id,
        detail: `${tx.sender} granted ${approval.institution} re-encryption of ${approval.recordId} (${commitment.threshold}-of-${commitment.total} proxies)`,
      };
    }
    case 'share':
      return share(state, tx.sender, tx.body.approvalId, tx.body.transaction, config, clock);
  }
}

function licenceConflict(record: RecordEntry, institution: string, exclusive: boolean): Licence | undefined {
  return record.licences.find((l) => l.institution !== institution && (l.exclusive || exclusive));
}

function submitProof(
  state: ContractState,
  sender: string,
  body: Extract<ContractTransaction, { kind: 'submitProof' }>['body'],
  config: ContractConfig,
  deps: ContractDeps,
  clock: number,
): { next: ContractState; id: string; detail: string } {
  const requirement = state.requirements.get(body.requirementId);
  if (requirement === undefined) refuse('unknownRequirement', `no requirement ${body.requirementId}`);
  const record = state.records.get(body.recordId);
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
  if (signals.patientId !== deps.identityToField(sender)) refuse('identityMismatch', `the proof is bound to another patient`);
  if (!signals.eligible) refuse('notEligible', 'R = 0: the record does not meet the requirement');
  // The proof's age is measured against the contract clock (the block time), not the envelope's claim.
  if (signals.timestamp + BigInt(config.maxProofAge) < BigInt(clock)) {
    refuse('staleTimestamp', `proof time T = ${signals.timestamp} is more than ${config.maxProofAge} s before ${clock}`, sender);
  }
  if (signals.timestamp > BigInt(clock + config.maxClockSkew)) {
    refuse('futureTimestamp', `proof time T = ${signals.timestamp} is ahead of the contract clock ${clock}`, sender);
  }
  const bindingHex = signals.binding.toString(16);
  if (state.bindings.has(bindingHex)) refuse('replayedSubmission', `binding h = ${short(signals.binding)} was submitted before`);
  const id = derivedId('appr', new TextEncoder().encode(requirement.id), new TextEncoder().encode(record.id));
  if (state.approvals.has(id)) refuse('duplicate', `${record.id} was already accepted for ${requirement.id}`);
  const conflict = licenceConflict(record, requirement.institution, requirement.exclusive);
  if (conflict !== undefined) {
    refuse(
      'exclusiveLicence',
      `${record.id} is licensed ${conflict.exclusive ? 'exclusively ' : ''}to ${conflict.institution} (${conflict.approvalId}); ${sender} tried to sell it to ${requirement.institution}`,
      sender,
    );
  }
  if (!verifySignature(config, sender, bindingSignable(signals.binding), body.bindingSignature)) {
    refuse('badSignature', `sigma_a on h does not verify for ${sender}`);
  }
  let verified = false;
  try {
    verified = deps.verifyProof(requirement.verificationKey, body.proof, body.publicSignals) === true;
  } catch {
    verified = false; // a verifier must not throw; if one does, the bytes are refused, the replica lives on
  }
  if (!verified) {
    refuse('invalidProof', `the proof does not verify under ${requirement.id}'s verification key`);
  }
  const approval: Approval = {
    id,
    requirementId: requirement.id,
    recordId: record.id,
    patient: sender,
    institution: requirement.institution,
    stage: 'approved',
    reKeyCommitment: null,
  };
  return {
    next: {
      ...state,
      clock,
      approvals: new Map(state.approvals).set(id, approval),
      bindings: new Set(state.bindings).add(bindingHex),
    },
    id,
    detail: `proof accepted: ${record.id} meets ${requirement.id} (R = 1); approval ${id}`,
  };
}

function share(
  state: ContractState,
  sender: string,
  approvalId: string,
  transactionBytes: Uint8Array,
  config: ContractConfig,
  clock: number,
): { next: ContractState; id: string; detail: string } {
  const approval = state.approvals.get(approvalId);
  if (approval === undefined) refuse('unknownApproval', `no accepted submission ${approvalId}`);
  if (approval.institution !== sender) refuse('notParty', `${sender} is not the institution of ${approvalId}`);
  if (approval.stage !== 'granted') refuse('wrongStage', `${approvalId} is ${approval.stage}, not granted`);
  let form: ReturnType<typeof decodeTransaction>;
  try {
    form = decodeTransaction(transactionBytes);
  } catch (e) {
    refuse('malformedTransaction', `Fig. 3 transaction: ${(e as Error).message}`);
  }
  const record = state.records.get(approval.recordId) as RecordEntry;
  const requirement = state.requirements.get(approval.requirementId) as RequirementEntry;
  if (form.patient !== approval.patient || form.institution !== sender) {
    refuse('notParty', `the Fig. 3 form names ${form.patient} and ${form.institution}`);
  }
  if (!bytesEqual(form.dataHash, fieldToBytes(record.commitment))) {
    refuse('commitmentMismatch', `the Fig. 3 data hash is not the commitment of ${record.id}`);
  }
  const signable = transactionSignable(form);
  if (!verifySignature(config, form.patient, signable, form.patientSignature)) {
    refuse('badSignature', `the patient's Fig. 3 signature does not verify`);
  }
  if (!verifySignature(config, sender, signable, form.institutionSignature)) {
    refuse('badSignature', `the institution's Fig. 3 signature does not verify`);
  }
  const conflict = licenceConflict(record, sender, requirement.exclusive);
  if (conflict !== undefined) {
    refuse(
      'exclusiveLicence',
      `${record.id} is licensed ${conflict.exclusive ? 'exclusively ' : ''}to ${conflict.institution}; ${approval.patient} signed a second sale to ${sender}`,
      approval.patient,
    );
  }
  const licence: Licence = { institution: sender, approvalId, exclusive: requirement.exclusive, time: clock };
  const balances = new Map(state.balances)
    .set(approval.patient, (state.balances.get(approval.patient) ?? 0) + requirement.reward)
    .set(sender, (state.balances.get(sender) ?? 0) - requirement.reward);
  return {
    next: {
      ...state,
      clock,
      records: new Map(state.records).set(record.id, { ...record, licences: [...record.licences, licence] }),
      approvals: new Map(state.approvals).set(approvalId, { ...approval, stage: 'shared' }),
      balances,
    },
    id: approvalId,
    detail: `${approval.patient} shared ${record.id} with ${sender} (${requirement.exclusive ? 'exclusive' : 'non-exclusive'} licence, reward ${requirement.reward})`,
  };
}

function short(x: bigint): string {
  return `0x${x.toString(16).padStart(64, '0').slice(0, 12)}`;
}

function sortedKeys<K extends string>(map: ReadonlyMap<K, unknown> | ReadonlySet<K>): K[] {
  return [...map.keys()].sort();
}

/**
 * The canonical bytes of a contract state (sorted by key), whose SHA-256 is {@link contractStateHash}.
 * @param state - the state
 */
export function encodeContractState(state: ContractState): Uint8Array {
  const w = new ByteWriter(1024).string('medshare/protocol/v1/contract-state').u64(state.clock);
  w.u32(state.members.size);
  for (const k of sortedKeys(state.members)) {
    const m = state.members.get(k) as Member;
    w.string(m.identity).string(m.role).string(m.address);
  }
  w.u32(state.requirements.size);
  for (const k of sortedKeys(state.requirements)) {
    const r = state.requirements.get(k) as RequirementEntry;
    w.string(r.id).string(r.institution).raw(fieldToBytes(r.criteriaHash)).u32(r.keywords.length);
    for (const kw of r.keywords) w.string(kw);
    w.bytes(r.verificationKey)
      .u64(r.reward)
      .u8(r.exclusive ? 1 : 0);
  }
  w.u32(state.records.size);
  for (const k of sortedKeys(state.records)) {
    const r = state.records.get(k) as RecordEntry;
    w.string(r.id).string(r.patient).string(r.registeredBy).raw(fieldToBytes(r.commitment)).u32(r.licences.length);
    for (const l of r.licences)
      w.string(l.institution)
        .string(l.approvalId)
        .u8(l.exclusive ? 1 : 0)
        .u64(l.time);
  }
  w.u32(state.approvals.size);
  for (const k of sortedKeys(state.approvals)) {
    const a = state.approvals.get(k) as Approval;
    w.string(a.id).string(a.requirementId).string(a.recordId).string(a.patient).string(a.institution).string(a.stage);
    w.bytes(a.reKeyCommitment ?? new Uint8Array(0));
  }
  w.u32(state.bindings.size);
  for (const b of sortedKeys(state.bindings)) w.string(b);
  w.u32(state.balances.size);
  for (const k of sortedKeys(state.balances)) w.string(k).string(String(state.balances.get(k)));
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
