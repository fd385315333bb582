/**
 * `medshare/protocol`: the whole sharing protocol of Huang et al. 2020 (section 4.1 steps 1-9,
 * section 4.2 phases, sections 5.1.4-5.1.5 pseudonyms and traceability) on top of `medshare/pre`,
 * `medshare/sign`, `medshare/pbft` and `medshare/ledger`, with an escrowed reward and a fair
 * exchange the paper does not have (docs/protocol.md, docs/security.md).
 *
 * - Roles ({@link Role}): patient, hospital, research institution, proxy, verification node; the
 *   PKG and membership authority ({@link createPkg}) issue keys for pseudonyms, registrations and deposits.
 * - The smart contract ({@link applyTransaction}) is a deterministic state machine over committed
 *   transactions, one handler per kind; every refusal has a {@link RefusalReason} and leaves the
 *   state unchanged; {@link contractStateHash} is kept beside each block. Every signature it checks
 *   covers the deployment ({@link deploymentId}).
 * - The verification nodes ({@link VerificationNetwork}) run PBFT, keep the ledger and apply each
 *   block to their contract ({@link applyBlock}); a crashed node restarts and catches up.
 * - Off-ledger steps: {@link encryptRecord}, {@link signRecordCommitment}, {@link proofSubmission},
 *   {@link issueReKey} and {@link grantAccess} (the re-encryption key shares sealed to the
 *   proxies), {@link acceptGrant}, {@link proxyReEncrypt} (verifiable, posted on the ledger),
 *   {@link receiveRecord}. Each takes the sale as the ledger holds it.
 * - The eligibility proof system is injected ({@link ProofSystem}): real Groth16 proofs are
 *   `groth16ProofSystem(fields)` from `medshare/zk` (snarkjs, GPL-3.0, an optional peer dependency;
 *   this subpath loads none of it); {@link standInProofSystem} is a clearly named stand-in (an
 *   Ed25519-signing trusted prover, not zero-knowledge) for tests.
 * - The story, one function per paper step over a {@link StoryContext} ({@link setUpStory},
 *   {@link publishRequirement}, ..., {@link receive}) and {@link runStory}, which composes them and
 *   reports facts that `npx medshare demo` narrates.
 *
 * @example
 * ```ts
 * import { runStory, standInProofSystem } from 'medshare/protocol';
 * const result = await runStory({ fields: 4, proofSystem: standInProofSystem() });
 * result.agreed; // true: every node has the same ledger and contract state
 * result.sale.stage; // 'delivered': the patient was paid when the institution could decrypt
 * ```
 * @module
 */
export {
  ALLOWED_ROLES,
  applyTransaction,
  contractStateHash,
  createContractState,
  encodeContractState,
  ProtocolError,
  sharingFormOf,
} from './contract.js';
export type {
  AppliedTransaction,
  Approval,
  ApprovalStage,
  ContractConfig,
  ContractState,
  DeliveredShare,
  Grant,
  Licence,
  Member,
  Outcome,
  PendingSale,
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
  acceptGrant,
  ciphertextHeader,
  createPkg,
  decodeRecord,
  encodeRecord,
  encryptRecord,
  grantAccess,
  issueReKey,
  proofSubmission,
  proxyReEncrypt,
  receiveRecord,
  signRecordCommitment,
  signSharingForm,
  signTransaction,
} from './parties.js';
export type {
  ContractConfigOptions,
  Credentials,
  DeploymentRef,
  InstitutionKeys,
  IssuedReKey,
  Pkg,
  PkgOptions,
  PreparedSubmission,
  ProxyKeys,
  ProxyOptions,
  RecordOpening,
  SealedShare,
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
export {
  accept,
  balanceOf,
  closeRequirement,
  deliver,
  fundInstitutions,
  generateProofKeys,
  grant,
  ledgerState,
  proveEligibility,
  publishRequirement,
  receive,
  registerRecord,
  runStory,
  saleOf,
  sampleRecord,
  secondSale,
  setUpStory,
  storeRecord,
  submit,
  submitAccepted,
  submitProof,
  tick,
} from './story.js';
export type {
  AcceptReport,
  CloseReport,
  DeliveryReport,
  DepositFact,
  DepositReport,
  FaultReport,
  GrantReport,
  LicenceFact,
  ProofReport,
  ProxyBehaviour,
  ProxyDelivery,
  ReceiveReport,
  RecordReport,
  RecoveredReport,
  RecoveryReport,
  RequirementReport,
  SecondSaleReport,
  SettlementReport,
  SetupReport,
  StepResult,
  StoreReport,
  SubmissionReport,
  ZkSetupReport,
  RegisteredParty,
  RequirementTerms,
  StepTiming,
  StoredRecord,
  StoryContext,
  StoryEvent,
  StoryOptions,
  StoryParties,
  StoryReports,
  StoryResult,
  StoryStep,
} from './story.js';
export {
  bindingSignable,
  DEPLOYMENT_BYTES,
  decodeContractTransaction,
  deploymentId,
  derivedId,
  encodeBody,
  encodeEnvelope,
  envelopeSignable,
  fieldToBytes,
  isPseudonym,
  RECORD_SEPARATOR,
  recordIdentity,
  recordSignable,
  ROLES,
  sharingFormSignable,
  TRANSACTION_KINDS,
  transactionId,
} from './transactions.js';
export type {
  AcceptGrantBody,
  BodyOf,
  CloseRequirementBody,
  ContractTransaction,
  DeliverBody,
  DepositBody,
  GrantAccessBody,
  PublishRequirementBody,
  ReclaimBody,
  RegisterBody,
  RegisterRecordBody,
  Role,
  SaleTerms,
  SharingForm,
  SubmitProofBody,
  TransactionKind,
  TransactionOf,
  WithdrawBody,
} from './transactions.js';
export type { RandomOptions, RandomSource } from '../internal/random.js';
export * from '../internal/public-errors.js';
