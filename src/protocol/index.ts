/**
 * `medshare/protocol`: the whole sharing protocol of Huang et al. 2020 (section 4.1 steps 1-9,
 * section 4.2 phases, section 5.1.5 traceability) on top of `medshare/pre`, `medshare/sign`,
 * `medshare/pbft` and `medshare/ledger`.
 *
 * - Roles ({@link Role}): patient, hospital, research institution, proxy, verification node; the
 *   PKG and membership authority ({@link createPkg}) issue keys and registrations.
 * - The smart contract ({@link applyTransaction}) is a deterministic state machine over committed
 *   transactions; every refusal has a {@link RefusalReason} and leaves the state unchanged;
 *   {@link contractStateHash} is kept beside each block.
 * - The verification nodes ({@link VerificationNetwork}) run PBFT, keep the ledger and apply each
 *   block to their contract ({@link applyBlock}); a crashed node restarts and catches up.
 * - Off-ledger steps: {@link encryptRecord}, {@link proofSubmission}, {@link issueReKey} (the
 *   re-encryption key sealed to the proxy), {@link proxyReEncrypt} (verifiable), {@link receiveRecord}.
 * - The eligibility proof system is injected ({@link ProofSystem}): real Groth16 proofs are
 *   `groth16ProofSystem(fields)` from `medshare/zk` (snarkjs, GPL-3.0, an optional peer dependency;
 *   this subpath loads none of it); {@link standInProofSystem} is a clearly named stand-in (an
 *   Ed25519-signing trusted prover, not zero-knowledge) for tests.
 * - {@link runStory}: the whole story, as `npx medshare demo` prints it.
 *
 * @example
 * ```ts
 * import { runStory, standInProofSystem } from 'medshare/protocol';
 * const result = await runStory({ fields: 4, proofSystem: standInProofSystem() });
 * result.agreed; // true: every node has the same ledger and contract state
 * ```
 * @module
 */
export {
  addressOf,
  ALLOWED_ROLES,
  applyTransaction,
  contractStateHash,
  createContractState,
  encodeContractState,
  ProtocolError,
} from './contract.js';
export type {
  AppliedTransaction,
  Approval,
  ApprovalStage,
  ContractConfig,
  ContractState,
  Licence,
  Member,
  Outcome,
  RecordEntry,
  RefusalReason,
  RequirementEntry,
} from './contract.js';
export { applyBlock, createLedgerContractState, VerificationNetwork } from './network.js';
export type {
  AppliedBlock,
  LedgerContractState,
  NetworkOptions,
  NetworkStats,
  Receipt,
  Submission,
  VerificationNode,
} from './network.js';
export {
  createPkg,
  decodeRecord,
  encodeRecord,
  encryptRecord,
  issueReKey,
  proofSubmission,
  proxyReEncrypt,
  receiveRecord,
  receiveRecordDetailed,
  sharingForm,
  signRecordCommitment,
  signReEncryptionShare,
  signSharingForm,
  signTransaction,
} from './parties.js';
export type {
  Credentials,
  Delivery,
  IssuedReKey,
  Pkg,
  PkgOptions,
  PreparedSubmission,
  ProxyKeys,
  ReceivedRecord,
  RecordOpening,
  SealedShare,
  ShareRejection,
  ShareRejectionReason,
  SubmissionInput,
} from './parties.js';
export { decodePublicSignals, identityToField, randomFieldElement, standInProofSystem } from './proof-system.js';
export type {
  ContractDeps,
  Criterion,
  MedicalRecord,
  ProofInputs,
  ProofKeyGenOptions,
  ProofKeys,
  ProofOutput,
  ProofSystem,
  PublicSignals,
  Requirement,
} from './proof-system.js';
export { runStory, sampleRecord } from './story.js';
export type { Observation, StepTiming, StoryEvent, StoryOptions, StoryResult } from './story.js';
export {
  bindingSignable,
  decodeContractTransaction,
  decodeSignedReEncryptionShare,
  derivedId,
  encodeBody,
  encodeEnvelope,
  encodeSignedReEncryptionShare,
  envelopeSignable,
  fieldToBytes,
  RECORD_SEPARATOR,
  recordIdentity,
  recordSignable,
  reEncryptionShareSignable,
  ROLES,
  TRANSACTION_KINDS,
  transactionId,
} from './transactions.js';
export type {
  BodyOf,
  ContractTransaction,
  GrantAccessBody,
  PublishRequirementBody,
  RegisterBody,
  RegisterRecordBody,
  Role,
  SignedReEncryptionShare,
  ShareBody,
  SubmitProofBody,
  TransactionKind,
  TransactionOf,
} from './transactions.js';
export type { RandomOptions, RandomSource } from '../internal/random.js';
export * from '../internal/public-errors.js';
