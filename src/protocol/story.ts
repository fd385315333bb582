/**
 * The whole story of Huang et al. 2020, section 4.1 steps 1-9, on one machine, as one function per
 * paper step over a shared {@link StoryContext}: a PKG and membership authority, a patient, a
 * hospital, two research institutions, t-of-n proxies and 3f + 1 verification nodes running PBFT
 * with the smart contract. Each step function does its step through the public API and returns its
 * outputs and a report of facts (ids, heights, balances, sizes, outcomes); {@link runStory}
 * composes them in the paper's order, times them and hands each report to `onEvent`. The words
 * belong to whoever presents the facts: `npx medshare demo` narrates them (src/cli/narrate.ts).
 *
 * The sale is a fair exchange (docs/security.md): the institution escrows the reward when it
 * publishes, the patient grants and signs the Fig. 3 form, the institution checks the key and
 * countersigns, and the t-th valid partial re-encryption a proxy posts pays the patient and writes
 * the licence - before the institution decrypts (step 8 comes after step 9 here).
 *
 * Randomness (`random`) and the clock used for timings (`now`) are passed in.
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { ArgumentValueError, ainteger, MedshareError } from '../internal/errors.js';
import { type RandomSource, systemRandom } from '../internal/random.js';
import { gtMul, Z } from '../internal/bls.js';
import { type Ga07Ciphertext, ga07 } from '../pre/ga07.js';
import { ga07Verifiable } from '../pre/ga07-verifiable.js';
import {
  type Approval,
  type ContractConfig,
  type ContractState,
  contractStateHash,
  type Outcome,
  ProtocolError,
} from './contract.js';
import { type Receipt, VerificationNetwork } from './network.js';
import {
  acceptGrant,
  type Credentials,
  createPkg,
  encryptRecord,
  grantAccess,
  type IssuedReKey,
  issueReKey,
  type Pkg,
  type PreparedSubmission,
  proofSubmission,
  proxyReEncrypt,
  receiveRecord,
  signRecordCommitment,
  signTransaction,
} from './parties.js';
import { type ProofKeys, type ProofSystem, randomFieldElement, type Requirement } from './proof-system.js';
import { decodeContractTransaction, recordIdentity, type Role } from './transactions.js';

/** How one proxy of the story behaves in step 7. */
export type ProxyBehaviour = 'honest' | 'down' | 'lies';

/** Options of {@link runStory} and {@link setUpStory}. */
export interface StoryOptions {
  /** The eligibility proof system (the stand-in, or medshare/zk's Groth16). */
  readonly proofSystem: ProofSystem;
  /** Number of fields of the record (default 4). */
  readonly fields?: number;
  /** n: proxies holding re-encryption key shares (default 3). */
  readonly proxies?: number;
  /** t: valid partials needed (default 2 when n = 3, else n; 1 <= t <= n). */
  readonly threshold?: number;
  /**
   * One proxy that misbehaves in step 7 (default 'lies' when t < n, else 'none'): 'lies' posts a
   * partial that does not verify (the contract refuses it and names the proxy), 'down' posts nothing.
   */
  readonly proxyFault?: 'none' | 'down' | 'lies';
  /** Number of verification nodes, 3f + 1 (default 4). */
  readonly nodes?: number;
  /** PBFT checkpoint interval K (default 64); a small K makes the crashed node catch up by state transfer. */
  readonly checkpointInterval?: number;
  /** Crash the last node after step 5 and restart it after step 9 (default true). */
  readonly crash?: boolean;
  /** Randomness (default: the platform CSPRNG). */
  readonly random?: RandomSource;
  /** Ledger time of the first transaction, seconds (default 1 700 000 000). */
  readonly time?: number;
  /** Clock for the timings, milliseconds (default: none, every timing is 0). */
  readonly now?: () => number;
  /** Receives each event as it happens. */
  readonly onEvent?: (event: StoryEvent) => void;
}

/** The story's parties, each with the credentials the PKG issued (true identity and pseudonym). */
export interface StoryParties {
  /** The patient, patient:alice. */
  readonly patient: Credentials;
  /** The hospital that makes and registers the record on the patient's behalf. */
  readonly hospital: Credentials;
  /** The institution that buys the record (exclusive licence). */
  readonly labA: Credentials;
  /** The institution that tries to buy it second (section 5.1.5). */
  readonly labB: Credentials;
  /** The proxies, in share order. */
  readonly proxies: readonly Credentials[];
  /** The verification nodes' pseudonyms (registered as verifiers). */
  readonly verifiers: readonly Credentials[];
}

/**
 * What every step shares: randomness, the ledger clock the parties stamp transactions with, the
 * PKG, the deployment's configuration, the verification network and the parties. Compose the
 * step functions over it (as {@link runStory} does) to run the protocol your way.
 */
export interface StoryContext {
  /** Randomness for every key, nonce and salt. */
  readonly random: RandomSource;
  /** The proof system. */
  readonly zk: ProofSystem;
  /** The PKG and membership authority. */
  readonly pkg: Pkg;
  /** The contract's genesis parameters (with the deployment id). */
  readonly config: ContractConfig;
  /** The verification nodes. */
  readonly network: VerificationNetwork;
  /** The parties. */
  readonly parties: StoryParties;
  /** The parties' and nodes' clock, seconds: advance it with {@link tick}. */
  time: number;
}

/** Advances the story's clock by `seconds` and returns the new time (a transaction's time). */
export function tick(ctx: StoryContext, seconds = 5): number {
  ctx.time += seconds;
  return ctx.time;
}

/**
 * Submits a transaction through PBFT as its sender (the PBFT client is named by the sender's
 * pseudonym: blocks carry client names) and returns the receipt.
 * @throws MedshareError (`ERR_NETWORK`) if the nodes disagree on the outcome
 */
export function submit(ctx: StoryContext, sender: string, operation: Uint8Array): Receipt {
  const { receipt, agreed } = ctx.network.submit(sender, operation);
  if (!agreed) throw new MedshareError('ERR_NETWORK', 'the verification nodes disagree on the outcome');
  return receipt;
}

/** As {@link submit}, and throws the contract's refusal as a ProtocolError. */
export function submitAccepted(ctx: StoryContext, sender: string, operation: Uint8Array): Receipt {
  const receipt = submit(ctx, sender, operation);
  const o = receipt.outcome;
  if (!o.accepted)
    throw new ProtocolError(
      o.reason,
      `the contract refused the transaction: ${o.detail}`,
      o.accountable === null ? [] : [o.accountable],
    );
  return receipt;
}

/** The contract state at the first node that is up: what a party reads from the ledger. */
export function ledgerState(ctx: StoryContext): ContractState {
  const node = ctx.network.nodes.find((n) => n.up) ?? ctx.network.nodes[0];
  if (node === undefined) throw new MedshareError('ERR_NETWORK', 'no verification node');
  return node.ledger.contract;
}

/** The sale `approvalId` as the ledger holds it. */
export function saleOf(ctx: StoryContext, approvalId: string): Approval {
  const sale = ledgerState(ctx).approvals.get(approvalId);
  if (sale === undefined) throw new ArgumentValueError('approvalId', `no sale ${approvalId} on the ledger`);
  return sale;
}

/** A member's available balance on the ledger. */
export function balanceOf(ctx: StoryContext, party: Credentials): number {
  return ledgerState(ctx).balances.get(party.address) ?? 0;
}

// ------------------------------------------------------------------ reports: facts, no words

/** A registered party, as the setup reports it. */
export interface RegisteredParty {
  /** Its true identity (off the ledger). */
  readonly identity: string;
  /** Its pseudonym (on the ledger). */
  readonly address: string;
  /** Its role. */
  readonly role: Role;
  /** The block its registration is in. */
  readonly height: number;
}

/** One deposit the membership authority made. */
export interface DepositFact {
  /** The institution's pseudonym. */
  readonly institution: string;
  /** How much was credited. */
  readonly amount: number;
  /** Its available balance after. */
  readonly balance: number;
  /** The block it is in. */
  readonly height: number;
}

/** A licence as the ledger holds it. */
export interface LicenceFact {
  /** The licensed institution's pseudonym. */
  readonly institution: string;
  /** Whether it is exclusive. */
  readonly exclusive: boolean;
  /** The contract clock when it was written. */
  readonly time: number;
}

/** Setup (4.2.1, 4.2.3, 5.1.4): PKG, pseudonyms, registration through PBFT. */
export interface SetupReport {
  /** Verification nodes, 3f + 1. */
  readonly nodes: number;
  /** Byzantine nodes tolerated. */
  readonly f: number;
  /** The membership authority's identity. */
  readonly authority: string;
  /** Every party registered, with its pseudonym. */
  readonly parties: readonly RegisteredParty[];
}

/** ZKPKeyGen (4.2.6 step 5). */
export interface ZkSetupReport {
  /** The proof system's name. */
  readonly proofSystem: string;
  /** Record size the keys are for. */
  readonly fields: number;
  /** Size of VK_c. */
  readonly verificationKeyBytes: number;
}

/** The institutions' deposits (the contract's unit of value). */
export interface DepositReport {
  /** One per institution. */
  readonly deposits: readonly DepositFact[];
}

/** Step 1: the requirement, with reward x capacity escrowed. */
export interface RequirementReport {
  /** The institution's pseudonym. */
  readonly institution: string;
  /** The requirement id. */
  readonly requirementId: string;
  /** The block it is in. */
  readonly height: number;
  /** The public key words. */
  readonly keywords: readonly string[];
  /** Reward per record. */
  readonly reward: number;
  /** Records bought at most. */
  readonly capacity: number;
  /** Exclusive licence? */
  readonly exclusive: boolean;
  /** The salted criteria hash on the ledger. */
  readonly criteriaHash: bigint;
  /** reward x capacity, held by the contract. */
  readonly escrowed: number;
  /** The institution's available balance after. */
  readonly available: number;
}

/** Step 2: the record encrypted to its own identity, stored with the proxies. */
export interface StoreReport {
  /** The hospital's pseudonym. */
  readonly hospital: string;
  /** The patient's pseudonym. */
  readonly patient: string;
  /** Fields of the record. */
  readonly fields: number;
  /** The identity the record is encrypted to. */
  readonly recordIdentity: string;
  /** Size of the stored ciphertext. */
  readonly ciphertextBytes: number;
  /** The proxies that store it. */
  readonly proxies: readonly string[];
}

/** Step 3: the commitment on the ledger with the patient's consent naming the hospital. */
export interface RecordReport {
  /** The registrant's pseudonym. */
  readonly hospital: string;
  /** The patient's pseudonym. */
  readonly patient: string;
  /** The record id. */
  readonly recordId: string;
  /** The block it is in. */
  readonly height: number;
  /** The record commitment. */
  readonly commitment: bigint;
}

/** Step 4: the proof. */
export interface ProofReport {
  /** The patient's pseudonym. */
  readonly patient: string;
  /** h, which the patient signed. */
  readonly binding: bigint;
  /** T. */
  readonly timestamp: bigint;
  /** R = 1. */
  readonly eligible: boolean;
}

/** Step 5: the contract accepts the submission and reserves the reward. */
export interface SubmissionReport {
  /** The sale opened. */
  readonly approvalId: string;
  /** The block it is in. */
  readonly height: number;
  /** The reward held for this sale. */
  readonly reserved: number;
  /** The requirement's places left. */
  readonly placesLeft: number;
}

/** A verification node crashes. */
export interface FaultReport {
  /** Which node. */
  readonly node: number;
  /** Its ledger height when it stopped. */
  readonly height: number;
  /** Nodes still up. */
  readonly up: number;
}

/** Step 6: the grant, with the patient's signature on the Fig. 3 form. */
export interface GrantReport {
  /** The patient's pseudonym. */
  readonly patient: string;
  /** The institution's pseudonym. */
  readonly institution: string;
  /** The sale. */
  readonly approvalId: string;
  /** t. */
  readonly threshold: number;
  /** The n proxies, in share order. */
  readonly proxies: readonly string[];
  /** Size of each sealed share. */
  readonly sealedShareBytes: readonly number[];
  /** Size of the key commitment on the ledger. */
  readonly commitmentBytes: number;
  /** The block it is in. */
  readonly height: number;
  /** The sharing form's time. */
  readonly formTime: number;
}

/** Step 6, the institution's side: it checked the key commitment and countersigned. */
export interface AcceptReport {
  /** The institution's pseudonym. */
  readonly institution: string;
  /** The sale. */
  readonly approvalId: string;
  /** The block it is in. */
  readonly height: number;
  /** Until when the proxies may deliver. */
  readonly deadline: number;
}

/** Step 7: each proxy's delivery and the contract's answer. */
export interface DeliveryReport {
  /** t. */
  readonly threshold: number;
  /** In the order they were posted. */
  readonly deliveries: readonly ProxyDelivery[];
}

/** Step 9: the contract completed the sale at the t-th valid partial. */
export interface SettlementReport {
  /** The sale. */
  readonly approvalId: string;
  /** The block of the t-th valid partial. */
  readonly height: number;
  /** The licence written. */
  readonly licence: LicenceFact;
  /** The reward paid to the patient. */
  readonly paid: number;
  /** The patient's balance after. */
  readonly patientBalance: number;
  /** The institution's available balance after. */
  readonly institutionBalance: number;
  /** What remains in the sale's escrow (0). */
  readonly escrowLeft: number;
}

/** Step 8: the institution decrypts and checks. */
export interface ReceiveReport {
  /** The institution's pseudonym. */
  readonly institution: string;
  /** The record it decrypted. */
  readonly received: readonly number[];
  /** It matches the on-ledger commitment. */
  readonly matchesCommitment: boolean;
}

/** The crashed node restarts from what it persisted. */
export interface RecoveryReport {
  /** Which node. */
  readonly node: number;
  /** The height it restarted at. */
  readonly restartedAt: number;
  /** The others' height. */
  readonly height: number;
}

/** Section 5.1.5: a second sale under the exclusive licence. */
export interface SecondSaleReport {
  /** The second institution's pseudonym. */
  readonly institution: string;
  /** Its requirement. */
  readonly requirementId: string;
  /** What it escrowed. */
  readonly escrowed: number;
  /** The contract's answer to the patient's submission. */
  readonly outcome: Outcome;
  /** The block the attempt is in. */
  readonly height: number;
  /** The attempt. */
  readonly transactionId: string;
  /** The licence in force. */
  readonly licence: LicenceFact | null;
}

/** The second institution closes its requirement and its escrow returns. */
export interface CloseReport {
  /** The institution's pseudonym. */
  readonly institution: string;
  /** The requirement. */
  readonly requirementId: string;
  /** The escrow returned. */
  readonly refunded: number;
  /** Its available balance after. */
  readonly balance: number;
  /** The block it is in. */
  readonly height: number;
}

/** The crashed node catches up. */
export interface RecoveredReport {
  /** Which node. */
  readonly node: number;
  /** The height it restarted at. */
  readonly from: number;
  /** The height it reached. */
  readonly to: number;
  /** Logical ticks it took. */
  readonly ticks: number;
  /** Every node has the same head and state hash. */
  readonly agreed: boolean;
}

/** What each step reports, by step. */
export interface StoryReports {
  /** Setup (4.2.1, 4.2.3, 5.1.4). */
  setup: SetupReport;
  /** ZKPKeyGen (4.2.6 step 5). */
  'zk setup': ZkSetupReport;
  /** The institutions' deposits. */
  deposit: DepositReport;
  /** Step 1. */
  'step 1': RequirementReport;
  /** Step 2. */
  'step 2': StoreReport;
  /** Step 3. */
  'step 3': RecordReport;
  /** Step 4. */
  'step 4': ProofReport;
  /** Step 5. */
  'step 5': SubmissionReport;
  /** A node crashes. */
  fault: FaultReport;
  /** Step 6. */
  'step 6': GrantReport;
  /** Step 6, the institution's acceptance. */
  accept: AcceptReport;
  /** Step 7. */
  'step 7': DeliveryReport;
  /** Step 9. */
  'step 9': SettlementReport;
  /** Step 8. */
  'step 8': ReceiveReport;
  /** The crashed node restarts. */
  recovery: RecoveryReport;
  /** Section 5.1.5. */
  '5.1.5': SecondSaleReport;
  /** The second requirement closes. */
  close: CloseReport;
  /** The crashed node catches up. */
  recovered: RecoveredReport;
}

/** What a step function returns: what later steps need, and the step's facts. */
export interface StepResult<Output, Report> {
  /** What later steps need (an id, keys, a record...). */
  readonly output: Output;
  /** The step's facts, for whoever presents them. */
  readonly report: Report;
}

/** One proxy's delivery in step 7. */
export interface ProxyDelivery {
  /** The proxy's pseudonym. */
  readonly proxy: string;
  /** Its share index. */
  readonly index: number;
  /** How it behaved. */
  readonly behaviour: ProxyBehaviour;
  /** The contract's outcome (null when the proxy was down and posted nothing). */
  readonly outcome: Outcome | null;
  /** The block, when it posted. */
  readonly height: number | null;
  /** The partial's size in bytes, when it posted. */
  readonly bytes: number | null;
}

/** A step of the story. */
export type StoryStep = keyof StoryReports;

/** Something the story reports. */
export type StoryEvent =
  | {
      readonly [S in StoryStep]: {
        /** A step finished. */
        readonly type: 'step';
        /** Which step. */
        readonly step: S;
        /** Its facts. */
        readonly report: StoryReports[S];
        /** How long it took, by the injected clock. */
        readonly ms: number;
      };
    }[StoryStep]
  | {
      /** A long stage started. */
      readonly type: 'progress';
      /** Which: registering identities, proving, or a stage of the proof system's key generation. */
      readonly activity: 'registering' | 'proving' | 'keyGen';
      /** For 'registering': how many; for 'proving': the proof system; for 'keyGen': its stage. */
      readonly detail: string;
    };

/** How long a step took. */
export interface StepTiming {
  /** The step. */
  readonly step: StoryStep;
  /** Milliseconds, by the injected clock. */
  readonly ms: number;
}

// ------------------------------------------------------------------ the steps

/** A record of `fields` fields: age, systolic BP, HbA1c x 10, ICD-10 code index, then lab values. */
export function sampleRecord(fields: number, random: RandomSource): number[] {
  ainteger(fields, 'fields', 1, 4096);
  const base = [52, 128, 61, 250];
  const out: number[] = [];
  for (let i = 0; i < fields; i++) {
    const bytes = random(2);
    out.push(base[i] ?? (((bytes[0] as number) << 8) | (bytes[1] as number)) % 1000);
  }
  return out;
}

/**
 * Setup (4.2.1, 4.2.3, 5.1.4): the PKG, the deployment's configuration, 3f + 1 verification nodes,
 * and every party enrolled under a pseudonym and registered through PBFT.
 * @param onProgress - told when the registrations start
 */
export function setUpStory(
  options: Pick<StoryOptions, 'proofSystem' | 'proxies' | 'nodes' | 'checkpointInterval' | 'random' | 'time'>,
  onProgress: (count: number) => void = () => {},
): StepResult<StoryContext, SetupReport> {
  const random = options.random ?? systemRandom;
  const n = ainteger(options.proxies ?? 3, 'proxies', 1, 16);
  const nodes = ainteger(options.nodes ?? 4, 'nodes', 4, 31);
  const pkg = createPkg({ random });
  const config = pkg.contractConfig({ chain: 'medshare-demo', contract: 'medshare/protocol/v2' });
  const clock = { time: options.time ?? 1_700_000_000 };
  const network = new VerificationNetwork({
    n: nodes,
    config,
    deps: options.proofSystem,
    random,
    clock: () => clock.time,
    ...(options.checkpointInterval === undefined ? {} : { checkpointInterval: options.checkpointInterval }),
  });
  const parties: StoryParties = {
    patient: pkg.enroll('patient:alice', 'patient'),
    hospital: pkg.enroll('hospital:st-mary', 'hospital'),
    labA: pkg.enroll('institute:oncology-lab', 'institution'),
    labB: pkg.enroll('institute:pharma-co', 'institution'),
    proxies: Array.from({ length: n }, (_, i) => pkg.enroll(`proxy:cloud-${i + 1}`, 'proxy')),
    verifiers: Array.from({ length: nodes }, (_, i) => pkg.enroll(`verifier:node-${i}`, 'verifier')),
  };
  const ctx: StoryContext = {
    random,
    zk: options.proofSystem,
    pkg,
    config,
    network,
    parties,
    get time() {
      return clock.time;
    },
    set time(t: number) {
      clock.time = t;
    },
  };
  const all = [parties.patient, parties.hospital, parties.labA, parties.labB, ...parties.proxies, ...parties.verifiers];
  onProgress(all.length);
  const registered = all.map((party) => {
    const receipt = submitAccepted(
      ctx,
      config.authority,
      pkg.registration(config, party.identity, party.role, tick(ctx, 1), { random }),
    );
    return { identity: party.identity, address: party.address, role: party.role, height: receipt.height };
  });
  return { output: ctx, report: { nodes, f: (nodes - 1) / 3, authority: config.authority, parties: registered } };
}

/** ZKPKeyGen(1^lambda, C) for `fields`-field records (4.2.6 step 5). */
export async function generateProofKeys(
  ctx: StoryContext,
  fields: number,
  onProgress: (stage: string) => void = () => {},
): Promise<StepResult<ProofKeys, ZkSetupReport>> {
  const keys = await ctx.zk.keyGen(fields, { random: ctx.random, onProgress });
  return { output: keys, report: { proofSystem: ctx.zk.name, fields, verificationKeyBytes: keys.verificationKey.length } };
}

/** The membership authority credits each institution (the contract's unit of value, paid in off the ledger). */
export function fundInstitutions(
  ctx: StoryContext,
  deposits: readonly { institution: Credentials; amount: number }[],
): StoryReports['deposit'] {
  return {
    deposits: deposits.map(({ institution, amount }) => {
      const receipt = submitAccepted(
        ctx,
        ctx.config.authority,
        ctx.pkg.deposit(ctx.config, institution.address, amount, tick(ctx), { random: ctx.random }),
      );
      return { institution: institution.address, amount, balance: balanceOf(ctx, institution), height: receipt.height };
    }),
  };
}

/** What an institution publishes in step 1. */
export interface RequirementTerms {
  /** The full criteria and their nonce (handed to patients off the ledger). */
  readonly requirement: Requirement;
  /** The public key words. */
  readonly keywords: readonly string[];
  /** Reward per record. */
  readonly reward: number;
  /** Records bought at most. */
  readonly capacity: number;
  /** Exclusive licence? */
  readonly exclusive: boolean;
}

/** Step 1 (4.2.2): the institution publishes its requirement; the contract escrows reward x capacity. */
export function publishRequirement(
  ctx: StoryContext,
  institution: Credentials,
  keys: ProofKeys,
  terms: RequirementTerms,
): StepResult<string, RequirementReport> {
  const criteriaHash = ctx.zk.requirementHash(terms.requirement);
  const body = {
    criteriaHash,
    keywords: terms.keywords,
    verificationKey: keys.verificationKey,
    reward: terms.reward,
    capacity: terms.capacity,
    exclusive: terms.exclusive,
  };
  const receipt = submitAccepted(
    ctx,
    institution.address,
    signTransaction(ctx.config, institution.signingKey, 'publishRequirement', body, tick(ctx), { random: ctx.random }),
  );
  const requirementId = (receipt.outcome as Extract<Outcome, { accepted: true }>).id;
  return {
    output: requirementId,
    report: {
      institution: institution.address,
      requirementId,
      height: receipt.height,
      keywords: terms.keywords,
      reward: terms.reward,
      capacity: terms.capacity,
      exclusive: terms.exclusive,
      criteriaHash,
      escrowed: terms.reward * terms.capacity,
      available: balanceOf(ctx, institution),
    },
  };
}

/** A record as the patient (and its hospital) keep it, and its stored ciphertext. */
export interface StoredRecord {
  /** D. */
  readonly values: readonly number[];
  /** rho, the commitment's blinding. */
  readonly blinding: bigint;
  /** The commitment. */
  readonly commitment: bigint;
  /** The ciphertext every proxy stores. */
  readonly stored: Ga07Ciphertext;
}

/** Step 2 (4.2.4): the hospital encrypts the record and its blinding to the record's own identity, for the proxies to store. */
export function storeRecord(
  ctx: StoryContext,
  hospital: Credentials,
  patient: Credentials,
  values: readonly number[],
): StepResult<StoredRecord, StoreReport> {
  const blinding = randomFieldElement({ random: ctx.random }); // rho: kept with the record, sealed with it, never on the ledger
  const commitment = ctx.zk.commitRecord(values, blinding);
  const stored = encryptRecord(ctx.pkg.preParams, patient.address, commitment, values, blinding, { random: ctx.random });
  return {
    output: { values, blinding, commitment, stored },
    report: {
      hospital: hospital.address,
      patient: patient.address,
      fields: values.length,
      recordIdentity: recordIdentity(patient.address, commitment),
      ciphertextBytes: ga07.encodeCiphertext(stored).length,
      proxies: ctx.parties.proxies.map((p) => p.address),
    },
  };
}

/** Step 3 (4.2.5): the hospital registers the commitment with the patient's consent, which names the hospital. */
export function registerRecord(
  ctx: StoryContext,
  hospital: Credentials,
  patient: Credentials,
  record: StoredRecord,
): StepResult<string, RecordReport> {
  const patientSignature = signRecordCommitment(ctx.config, patient.signingKey, hospital.address, record.commitment, {
    random: ctx.random,
  });
  const body = { patient: patient.address, commitment: record.commitment, patientSignature };
  const receipt = submitAccepted(
    ctx,
    hospital.address,
    signTransaction(ctx.config, hospital.signingKey, 'registerRecord', body, tick(ctx), { random: ctx.random }),
  );
  const recordId = (receipt.outcome as Extract<Outcome, { accepted: true }>).id;
  return {
    output: recordId,
    report: {
      hospital: hospital.address,
      patient: patient.address,
      recordId,
      height: receipt.height,
      commitment: record.commitment,
    },
  };
}

/** Step 4 (4.2.6): the patient proves the record meets the requirement (refusing, before proving, if it does not). */
export async function proveEligibility(
  ctx: StoryContext,
  patient: Credentials,
  keys: ProofKeys,
  requirement: { id: string; criteria: Requirement },
  record: StoredRecord & { id: string },
): Promise<StepResult<PreparedSubmission, ProofReport>> {
  const submission = await proofSubmission(
    {
      config: ctx.config,
      patientKey: patient.signingKey,
      proofSystem: ctx.zk,
      provingKey: keys.provingKey,
      requirementId: requirement.id,
      requirement: requirement.criteria,
      recordId: record.id,
      record: record.values,
      blinding: record.blinding,
      time: tick(ctx),
    },
    { random: ctx.random },
  );
  const s = ctx.zk.decodePublicSignals(submission.publicSignals);
  return {
    output: submission,
    report: { patient: patient.address, binding: s.binding, timestamp: s.timestamp, eligible: s.eligible },
  };
}

/** Step 5 (4.2.7): the contract verifies the submission and reserves one reward of the escrow. */
export function submitProof(
  ctx: StoryContext,
  patient: Credentials,
  submission: PreparedSubmission,
): StepResult<string, SubmissionReport> {
  const receipt = submitAccepted(ctx, patient.address, submission.operation);
  const approvalId = (receipt.outcome as Extract<Outcome, { accepted: true }>).id;
  const sale = saleOf(ctx, approvalId);
  const requirement = ledgerState(ctx).requirements.get(sale.requirementId);
  return {
    output: approvalId,
    report: { approvalId, height: receipt.height, reserved: sale.escrow, placesLeft: requirement?.places ?? 0 },
  };
}

/**
 * Step 6 (4.2.8): ReKeyGen from the record's key, t-of-n shares each sealed to its proxy; the
 * grant (key commitment, proxies, ciphertext header) and the patient's signature on the Fig. 3 form.
 */
export function grant(
  ctx: StoryContext,
  patient: Credentials,
  approvalId: string,
  record: StoredRecord,
  threshold: number,
): StepResult<IssuedReKey, GrantReport> {
  const sale = saleOf(ctx, approvalId);
  const recordKey = ctx.pkg.recordKey(patient.address, record.commitment);
  const proxies = ctx.parties.proxies.map((p) => p.address);
  const issued = issueReKey(ctx.pkg.preParams, recordKey, sale.institution, proxies, threshold, { random: ctx.random });
  const formTime = tick(ctx);
  const receipt = submitAccepted(
    ctx,
    patient.address,
    grantAccess(ctx.config, patient.signingKey, sale, issued, record.stored, formTime, { random: ctx.random }),
  );
  return {
    output: issued,
    report: {
      patient: patient.address,
      institution: sale.institution,
      approvalId,
      threshold,
      proxies,
      sealedShareBytes: issued.sealedShares.map((s) => s.sealed.length),
      commitmentBytes: issued.reKeyCommitment.length,
      height: receipt.height,
      formTime,
    },
  };
}

/** Step 6, the institution's side: it checks the on-ledger key commitment opens for it, and countersigns the form. */
export function accept(ctx: StoryContext, institution: Credentials, approvalId: string): StoryReports['accept'] {
  const receipt = submitAccepted(
    ctx,
    institution.address,
    acceptGrant(ctx.config, institution, saleOf(ctx, approvalId), tick(ctx), { random: ctx.random }),
  );
  return { institution: institution.address, approvalId, height: receipt.height, deadline: saleOf(ctx, approvalId).deadline };
}

/**
 * Step 7 (and step 9, which the contract executes at the t-th valid partial): each proxy reads the
 * sale from the ledger, re-encrypts with its share and posts its partial. `behaviours[i]` says how
 * proxy i behaves: a lying one posts a partial altered after its proof (C2'_i x Z), which the
 * contract refuses naming it; a proxy that is down posts nothing. Liars go first, so that their
 * refusal is seen while the sale is open.
 */
export function deliver(
  ctx: StoryContext,
  approvalId: string,
  issued: IssuedReKey,
  record: StoredRecord,
  behaviours: readonly ProxyBehaviour[],
): StepResult<SettlementReport, DeliveryReport> {
  const order = ctx.parties.proxies
    .map((_, i) => i)
    .sort((a, b) => Number(behaviours[b] === 'lies') - Number(behaviours[a] === 'lies'));
  const deliveries: ProxyDelivery[] = [];
  for (const i of order) {
    const proxy = ctx.parties.proxies[i] as Credentials;
    const behaviour = behaviours[i] ?? 'honest';
    const base = { proxy: proxy.address, index: i + 1, behaviour };
    const sale = saleOf(ctx, approvalId);
    if (behaviour === 'down' || sale.stage !== 'accepted') {
      deliveries.push({ ...base, outcome: null, height: null, bytes: null });
      continue;
    }
    const sealed = (issued.sealedShares[i] as IssuedReKey['sealedShares'][number]).sealed;
    let operation = proxyReEncrypt(ctx.config, proxy, sale, sealed, record.stored, tick(ctx), { random: ctx.random });
    if (behaviour === 'lies') operation = alterPartial(ctx, proxy, operation);
    const receipt = submit(ctx, proxy.address, operation);
    const tx = decodeContractTransaction(operation);
    deliveries.push({
      ...base,
      outcome: receipt.outcome,
      height: receipt.height,
      bytes: tx.kind === 'deliver' ? tx.body.partial.length : null,
    });
  }
  const sale = saleOf(ctx, approvalId);
  if (sale.stage !== 'delivered') {
    throw new ProtocolError('wrongStage', `${approvalId} is ${sale.stage}: fewer than ${issued.threshold} proxies delivered`);
  }
  const licence = ledgerState(ctx)
    .records.get(sale.recordId)
    ?.licences.find((l) => l.approvalId === approvalId);
  const completing = deliveries.filter((d) => d.outcome?.accepted === true)[issued.threshold - 1]; // the t-th valid partial
  return {
    report: { threshold: issued.threshold, deliveries },
    output: {
      approvalId,
      height: completing?.height ?? 0,
      licence: { institution: licence?.institution ?? '', exclusive: licence?.exclusive ?? false, time: licence?.time ?? 0 },
      paid: sale.reward,
      patientBalance: ledgerState(ctx).balances.get(sale.patient) ?? 0,
      institutionBalance: ledgerState(ctx).balances.get(sale.institution) ?? 0,
      escrowLeft: sale.escrow,
    },
  };
}

/** A lying proxy: its own partial with C2'_i multiplied by Z after the proof was made, signed by it. */
function alterPartial(ctx: StoryContext, proxy: Credentials, operation: Uint8Array): Uint8Array {
  const tx = decodeContractTransaction(operation);
  if (tx.kind !== 'deliver') return operation;
  const honest = ga07Verifiable.decodeReEncryptionShare(tx.body.partial);
  const partial = ga07Verifiable.encodeReEncryptionShare({ ...honest, C2: gtMul(honest.C2, Z()) });
  return signTransaction(ctx.config, proxy.signingKey, 'deliver', { ...tx.body, partial }, tx.time, { random: ctx.random });
}

/** Step 8 (4.2.9): the institution combines the partials the ledger holds, decrypts, and checks the record against the commitment. */
export function receive(
  ctx: StoryContext,
  institution: Credentials,
  approvalId: string,
  record: StoredRecord,
): StepResult<number[], ReceiveReport> {
  const sale = saleOf(ctx, approvalId);
  const received = receiveRecord(ctx.pkg.preParams, institution.decryptionKey, sale, record.stored, ctx.zk);
  return { output: received, report: { institution: institution.address, received, matchesCommitment: true } };
}

/**
 * Section 5.1.5: a second institution publishes a requirement the record meets and the patient
 * tries to sell the record again; under the exclusive licence the contract refuses, naming the patient.
 */
export async function secondSale(
  ctx: StoryContext,
  institution: Credentials,
  keys: ProofKeys,
  record: StoredRecord & { id: string },
): Promise<StepResult<string, SecondSaleReport>> {
  const criteria: Requirement = { criteria: [{ field: 0, min: 18, max: 90 }], nonce: randomFieldElement({ random: ctx.random }) };
  const published = publishRequirement(ctx, institution, keys, {
    requirement: criteria,
    keywords: ['age'],
    reward: 150,
    capacity: 2,
    exclusive: false,
  });
  const attempt = await proofSubmission(
    {
      config: ctx.config,
      patientKey: ctx.parties.patient.signingKey,
      proofSystem: ctx.zk,
      provingKey: keys.provingKey,
      requirementId: published.output,
      requirement: criteria,
      recordId: record.id,
      record: record.values,
      blinding: record.blinding,
      time: tick(ctx),
    },
    { random: ctx.random },
  );
  const receipt = submit(ctx, ctx.parties.patient.address, attempt.operation);
  const licence = ledgerState(ctx).records.get(record.id)?.licences[0];
  return {
    output: published.output,
    report: {
      institution: institution.address,
      requirementId: published.output,
      escrowed: published.report.escrowed,
      outcome: receipt.outcome,
      height: receipt.height,
      transactionId: receipt.transactionId,
      licence:
        licence === undefined ? null : { institution: licence.institution, exclusive: licence.exclusive, time: licence.time },
    },
  };
}

/** The institution closes its requirement: the escrow of places nobody reserved returns to it. */
export function closeRequirement(ctx: StoryContext, institution: Credentials, requirementId: string): StoryReports['close'] {
  const places = ledgerState(ctx).requirements.get(requirementId);
  const refunded = (places?.places ?? 0) * (places?.reward ?? 0);
  const receipt = submitAccepted(
    ctx,
    institution.address,
    signTransaction(ctx.config, institution.signingKey, 'closeRequirement', { requirementId }, tick(ctx), { random: ctx.random }),
  );
  return {
    institution: institution.address,
    requirementId,
    refunded,
    balance: balanceOf(ctx, institution),
    height: receipt.height,
  };
}

// ------------------------------------------------------------------ the composition

/** What {@link runStory} returns. */
export interface StoryResult {
  /** The record the patient had. */
  readonly record: readonly number[];
  /** The record the institution received (equal to `record`). */
  readonly received: readonly number[];
  /** The completed sale, as the ledger holds it. */
  readonly sale: Approval;
  /** The contract's answer to the second sale of the record under the exclusive licence. */
  readonly secondSale: Outcome;
  /** Every node has the same ledger head and contract-state hash. */
  readonly agreed: boolean;
  /** Ledger height at the end. */
  readonly height: number;
  /** Hex contract-state hash at the end. */
  readonly stateHash: string;
  /** The height the crashed node restarted from (null without a crash). */
  readonly restartedAt: number | null;
  /** The story's context: the PKG, configuration, network and parties, for inspection. */
  readonly context: StoryContext;
  /** The network, for inspection. */
  readonly network: VerificationNetwork;
  /** The step timings, milliseconds. */
  readonly timings: readonly StepTiming[];
}

/** The story's proxy behaviours: one faulty proxy (the last one when down, the first when lying), the others honest. */
function behavioursOf(n: number, t: number, fault: 'none' | 'down' | 'lies'): ProxyBehaviour[] {
  if (fault !== 'none' && t >= n) throw new ArgumentValueError('proxyFault', `a faulty proxy needs t < n (t = ${t}, n = ${n})`);
  return Array.from({ length: n }, (_, i) => {
    if (fault === 'down' && i === n - 1) return 'down';
    if (fault === 'lies' && i === 0) return 'lies';
    return 'honest';
  });
}

/**
 * Runs the whole story: setup, deposits, steps 1-5, a node crash, steps 6, 7, 9 (the contract
 * completes the sale at the t-th valid partial), 8, the node's restart, section 5.1.5's second sale,
 * the second institution's refund, and the node catching up. Each step's report goes to `onEvent`.
 * @throws ProtocolError if a step that should succeed is refused; MedshareError (`ERR_NETWORK`) if the nodes disagree
 * @example
 * ```ts
 * const story = await runStory({ proofSystem: standInProofSystem(), fields: 2, crash: false });
 * story.sale.stage; // 'delivered': paid and licensed at the second valid partial
 * ```
 */
export async function runStory(options: StoryOptions): Promise<StoryResult> {
  const now = options.now ?? (() => 0);
  const emit = options.onEvent ?? (() => {});
  const fields = ainteger(options.fields ?? 4, 'fields', 1, 4096);
  const n = ainteger(options.proxies ?? 3, 'proxies', 1, 16);
  const t = ainteger(options.threshold ?? (n === 3 ? 2 : n), 'threshold', 1, n);
  const behaviours = behavioursOf(n, t, options.proxyFault ?? (t < n ? 'lies' : 'none'));
  const crash = options.crash ?? true;
  const timings: StepTiming[] = [];
  const report = <S extends StoryStep>(step: S, start: number, value: StoryReports[S]) => {
    const ms = now() - start;
    timings.push({ step, ms });
    emit({ type: 'step', step, report: value, ms } as StoryEvent);
  };

  let start = now();
  const { output: ctx, report: setup } = setUpStory(options, (count) =>
    emit({ type: 'progress', activity: 'registering', detail: String(count) }),
  );
  report('setup', start, setup);
  const { patient, hospital, labA, labB } = ctx.parties;

  start = now();
  const { output: keys, report: zkSetup } = await generateProofKeys(ctx, fields, (stage) =>
    emit({ type: 'progress', activity: 'keyGen', detail: stage }),
  );
  report('zk setup', start, zkSetup);

  start = now();
  report(
    'deposit',
    start,
    fundInstitutions(ctx, [
      { institution: labA, amount: 1000 },
      { institution: labB, amount: 500 },
    ]),
  );

  start = now();
  const criteria: Requirement = {
    criteria:
      fields >= 4
        ? [
            { field: 0, min: 40, max: 65 },
            { field: 3, min: 250, max: 250 },
          ]
        : [{ field: 0, min: 40, max: 65 }],
    nonce: randomFieldElement({ random: ctx.random }), // nu: handed to patients with the criteria, never published
  };
  const step1 = publishRequirement(ctx, labA, keys, {
    requirement: criteria,
    keywords: ['age', 'diagnosis:C50'],
    reward: 100,
    capacity: 3,
    exclusive: true,
  });
  report('step 1', start, step1.report);

  start = now();
  const step2 = storeRecord(ctx, hospital, patient, sampleRecord(fields, ctx.random));
  report('step 2', start, step2.report);

  start = now();
  const step3 = registerRecord(ctx, hospital, patient, step2.output);
  report('step 3', start, step3.report);
  const record = { ...step2.output, id: step3.output };

  start = now();
  emit({ type: 'progress', activity: 'proving', detail: ctx.zk.name });
  const step4 = await proveEligibility(ctx, patient, keys, { id: step1.output, criteria }, record);
  report('step 4', start, step4.report);

  start = now();
  const step5 = submitProof(ctx, patient, step4.output);
  report('step 5', start, step5.report);

  const crashed = ctx.network.n - 1;
  if (crash) {
    ctx.network.crash(crashed);
    const height = ctx.network.nodes[crashed]?.store.height ?? 0;
    report('fault', now(), { node: crashed, height, up: ctx.network.n - 1 });
  }

  start = now();
  const step6 = grant(ctx, patient, step5.output, record, t);
  report('step 6', start, step6.report);

  start = now();
  report('accept', start, accept(ctx, labA, step5.output));

  start = now();
  const { report: delivery, output: settlement } = deliver(ctx, step5.output, step6.output, record, behaviours);
  report('step 7', start, delivery);
  report('step 9', now(), settlement);

  start = now();
  const step8 = receive(ctx, labA, step5.output, record);
  report('step 8', start, step8.report);

  let restartedAt: number | null = null;
  if (crash) {
    start = now();
    ctx.network.restart(crashed);
    const at = ctx.network.nodes[crashed]?.store.height ?? 0;
    restartedAt = at;
    report('recovery', start, { node: crashed, restartedAt: at, height: ctx.network.height });
  }

  start = now();
  emit({ type: 'progress', activity: 'proving', detail: ctx.zk.name });
  const second = await secondSale(ctx, labB, keys, record);
  if (second.report.outcome.accepted)
    throw new ProtocolError('exclusiveLicence', 'the second sale under an exclusive licence was accepted');
  report('5.1.5', start, second.report);

  start = now();
  report('close', start, closeRequirement(ctx, labB, second.output));

  if (restartedAt !== null) {
    start = now();
    const ticks = ctx.network.settle();
    report('recovered', start, {
      node: crashed,
      from: restartedAt,
      to: ctx.network.nodes[crashed]?.store.height ?? 0,
      ticks,
      agreed: ctx.network.agree(),
    });
  }

  return {
    record: record.values,
    received: step8.output,
    sale: saleOf(ctx, step5.output),
    secondSale: second.report.outcome,
    agreed: ctx.network.agree(),
    height: ctx.network.height,
    stateHash: bytesToHex(contractStateHash(ledgerState(ctx))),
    restartedAt,
    context: ctx,
    network: ctx.network,
    timings,
  };
}
