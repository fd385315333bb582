/**
 * Differential harness: the same abstract transactions, honest and hostile, applied to the
 * TypeScript contract (src/protocol/contract.ts, `applyTransaction`) and to the EVM contract
 * (contracts/MedShare.sol on the in-process chain), one step at a time. After each step the two
 * decisions must be equal (accepted, or refused with the same RefusalReason: the EVM's error names
 * map one to one through REFUSAL_OF_ERROR), and at the end the two state summaries must be equal.
 *
 * An action is abstract (who sends what, which entries it names, which defect it carries); each
 * side has a driver that turns it into its own bytes: a signed envelope for the TypeScript
 * contract, a transaction from the sender's account for the EVM. Entries created along the way are
 * tracked as handles holding both sides' ids.
 *
 * Both contracts take their clock from the block: the TypeScript contract gets the run's clock as
 * `applyTransaction`'s blockTime, the EVM the same value as the block's timestamp.
 *
 * Differences by design (see DESIGNED_DIFFERENCES): the action goes only to the side that refuses
 * it, and that refusal is checked, so that the two states stay comparable.
 *
 * When the TypeScript contract's semantics change (phase 2), the places to edit are marked
 * `PHASE 2:` below.
 */
import { bn254 } from '@noble/curves/bn254.js';
import fc from 'fast-check';
import { decodeEventLog, decodeFunctionResult, encodeDeployData, encodeFunctionData, type Hex, keccak256 } from 'viem';
import { medShareAbi, medShareBytecode } from '../../src/evm/artifacts.js';
import {
  approvalId,
  decodeRevert,
  encodeAuthSignParams,
  encodeProof,
  encodePublicSignals,
  encodeSignature,
  encodeVerificationKey,
  formSignable,
  identityKey,
  ROLE_CODES,
  recordSignable as evmRecordSignable,
  REFUSAL_OF_ERROR,
} from '../../src/evm/encoding.js';
import type { InProcessChain } from '../../src/evm/in-process.js';
import { encodeTransaction, transactionSignable } from '../../src/ledger/transaction.js';
import {
  applyTransaction,
  type ContractConfig,
  type ContractState,
  createContractState,
  type RefusalReason,
} from '../../src/protocol/contract.js';
import { createPkg, type Credentials, issueReKey, type Pkg, signTransaction } from '../../src/protocol/parties.js';
import type { ContractDeps } from '../../src/protocol/proof-system.js';
import { bindingSignable, derivedId, fieldToBytes, recordSignable, type Role } from '../../src/protocol/transactions.js';
import { authSign } from '../../src/sign/cha-cheon.js';
import {
  commitRecord,
  decodeProof,
  decodePublicSignals,
  encodeProof as packProof,
  FIELD_ORDER,
  type Groth16Proof,
  identityToField,
  type KeyPair,
  type MedicalRecord,
  prepareVerificationKey,
  type Requirement,
  requirementHash,
  verify,
} from '../../src/zk/index.js';
import { cachedProof } from './evm-proofs.js';
import { addressOf, DEPLOYER, hex, testChain, testKey } from './evm.js';
import { blindingOf } from './protocol-fixture.js';
import { seededRandom } from '../../src/testing/random.js';
import { SHAPE, testKeys } from './zk.js';

export const T0 = 1_700_000_000;
export const AUTHORITY = 'ca:membership';
/** Large enough that proofs made at T0 stay fresh through a run; the stale and future proofs are far outside. */
export const MAX_PROOF_AGE = 100_000;
export const MAX_CLOCK_SKEW = 60;

/** Members registered before every run, and their roles. */
export const BASE_MEMBERS: readonly (readonly [string, Role])[] = [
  ['patient:alice', 'patient'],
  ['patient:bob', 'patient'],
  ['hospital:st-mary', 'hospital'],
  ['institute:oncology-lab', 'institution'],
  ['institute:pharma-co', 'institution'],
  ['proxy:cloud-1', 'proxy'],
  ['verifier:node-0', 'verifier'],
];
/** Identities a run may register (each with its natural role), a never-registered one, and a reserved one. */
export const NEW_MEMBERS: readonly (readonly [string, Role])[] = [
  ['patient:carol', 'patient'],
  ['institute:lab-c', 'institution'],
  ['hospital:general', 'hospital'],
  ['proxy:cloud-2', 'proxy'],
  ['patient:eve#record:0', 'patient'],
];
export const STRANGER = 'stranger:mallory';
/** The identities a register action may name (its `identity` pick indexes this list). */
export const MEMBER_POOL: readonly (readonly [string, Role])[] = [...BASE_MEMBERS, ...NEW_MEMBERS];
/** Every identity an action can name as sender or party. */
export const EVERYONE: readonly string[] = [AUTHORITY, ...BASE_MEMBERS.map(([i]) => i), ...NEW_MEMBERS.map(([i]) => i), STRANGER];

/**
 * Record templates. Each is committed under one fixed blinding (protocol-fixture's blindingOf), so
 * a template names one commitment on both sides, and a commitment is registered once, whoever
 * registers it: registering a template again (for any patient) is a duplicate. The base registers
 * templates 0-2 for Alice and 3 for Bob; 4 and 5 are left for the runs.
 */
export const RECORDS: readonly MedicalRecord[] = [
  [52, 128, 61, 250, 1, 0, 37, 90],
  [47, 131, 58, 250, 3, 9, 12, 1],
  [30, 120, 50, 250, 0, 0, 0, 0],
  [60, 140, 70, 250, 2, 1, 5, 3],
  [44, 126, 66, 250, 0, 1, 20, 7],
  [70, 135, 59, 240, 1, 1, 3, 2],
];
/** Requirement templates, each with its own nonce (the published hash is salted with it). */
export const REQUIREMENTS: readonly Requirement[] = [
  {
    criteria: [
      { field: 0, min: 40, max: 65 },
      { field: 3, min: 250, max: 250 },
    ],
    nonce: 0x5eed_a11c_e0dd_ba11n,
  },
  { criteria: [{ field: 0, min: 18, max: 90 }], nonce: 0xb0b_5eed_f00dn },
  { criteria: [{ field: 1, min: 0, max: 127 }], nonce: 0xc0de_cafe_f00dn },
];

/** The commitment of record template `template` (under its fixed blinding). */
function templateCommitment(template: number): bigint {
  const record = RECORDS[template] as MedicalRecord;
  return commitRecord(SHAPE, record, blindingOf(record));
}

type TimeMode = 'now' | 'stale' | 'future';

/** One abstract transaction. `pick` fields are indices taken modulo the current list's length. */
export type Action =
  | { readonly kind: 'tick'; readonly seconds: number }
  | {
      readonly kind: 'register';
      readonly sender: number;
      readonly identity: number;
      readonly role: Role;
      readonly time: TimeMode;
    }
  | {
      readonly kind: 'publish';
      readonly sender: number;
      readonly template: number;
      readonly exclusive: boolean;
      readonly reward: number;
      readonly keyword: number;
      readonly emptyKey: boolean;
      readonly time: TimeMode;
    }
  | {
      readonly kind: 'registerRecord';
      readonly sender: number;
      readonly patient: number;
      readonly template: number;
      readonly signer: 'patient' | 'other';
      readonly time: TimeMode;
    }
  | {
      readonly kind: 'submit';
      readonly sender: number;
      readonly requirement: number;
      readonly record: number;
      readonly proof: 'matching' | 'pool';
      readonly pool: number;
      readonly mutation: 'none' | 'alias' | 'rerandomise' | 'tamper' | 'badBindingSignature';
      readonly aliasIndex: number;
      readonly time: TimeMode;
    }
  | {
      readonly kind: 'grant';
      readonly sender: number;
      readonly requirement: number;
      readonly record: number;
      readonly variant: 'ok' | 'wrongDelegatee' | 'wrongDelegator' | 'truncated';
      readonly time: TimeMode;
    }
  | {
      readonly kind: 'share';
      readonly sender: number;
      readonly requirement: number;
      readonly record: number;
      readonly variant:
        | 'ok'
        | 'formPatient'
        | 'formInstitution'
        | 'formCommitment'
        | 'badPatientSignature'
        | 'badInstitutionSignature';
      readonly time: TimeMode;
    };

/**
 * Actions on which the two contracts differ by design, with the reason. The harness applies the
 * action only to the side that refuses it and checks that refusal. (A claimed time ahead of the
 * block was one until the TypeScript contract took its clock from the ordering layer (issue 11):
 * both now refuse it as futureTimestamp, and the test compares it like any other action.)
 */
export const DESIGNED_DIFFERENCES = {
  badBindingSignature:
    "sigma_a on h signed by another key: the TypeScript contract refuses it (badSignature); on the EVM the patient's transaction signature covers h and there is no sigma_a to check",
} as const;

/** What a step decided: 'accepted' or the RefusalReason. */
export type Decision = 'accepted' | RefusalReason;

interface RequirementHandle {
  readonly ts: string;
  readonly evm: Hex;
  readonly template: number;
  readonly institution: string;
  readonly exclusive: boolean;
  readonly reward: number;
}
interface RecordHandle {
  readonly ts: string;
  readonly evm: Hex;
  readonly template: number;
  readonly patient: string;
}

/** The fixed parts: keys, deployments, the base states and the proof cache. */
export interface DifferentialWorld {
  readonly chain: InProcessChain;
  readonly address: Hex;
  readonly pkg: Pkg;
  readonly config: ContractConfig;
  readonly deps: ContractDeps;
  readonly creds: ReadonlyMap<string, Credentials>;
  readonly keys: KeyPair;
  readonly tsKey: Uint8Array;
  readonly evmKey: Uint8Array;
  readonly baseState: ContractState;
  readonly baseRequirements: readonly RequirementHandle[];
  readonly baseRecords: readonly RecordHandle[];
  /** Real proofs, made once per (patient, record template, requirement template, T) and cached. */
  proof(
    patient: string,
    record: number,
    requirement: number,
    timestamp: number,
  ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const random = seededRandom('evm-differential');

function naturalRole(identity: string): Role {
  for (const [i, r] of [...BASE_MEMBERS, ...NEW_MEMBERS]) if (i === identity) return r;
  return 'patient';
}

/** Builds the world: both contracts with the same PKG, members, two requirements and four records. */
export async function makeDifferentialWorld(): Promise<DifferentialWorld> {
  const pkg = createPkg({ random: seededRandom('evm-differential-pkg'), authority: AUTHORITY });
  const config = pkg.contractConfig({ maxProofAge: MAX_PROOF_AGE, maxClockSkew: MAX_CLOCK_SKEW });
  const keys = await testKeys('zk-keys');
  const tsKey = utf8(JSON.stringify(keys.verificationKey));
  const prepared = prepareVerificationKey(keys.verificationKey);
  const deps: ContractDeps = {
    verifyProof(vk, proof, signals) {
      try {
        const key = hex(vk) === hex(tsKey) ? prepared : prepareVerificationKey(JSON.parse(new TextDecoder().decode(vk)));
        return verify(key, decodeProof(proof), signals);
      } catch {
        return false;
      }
    },
    decodePublicSignals,
    identityToField,
  };
  const creds = new Map<string, Credentials>();
  for (const identity of EVERYONE) creds.set(identity, pkg.enroll(identity.replace('#', '-'), naturalRole(identity)));
  // The reserved identity cannot be enrolled (the PKG refuses '#'); it is only ever registered, never a sender.
  creds.set(AUTHORITY, { ...(creds.get(AUTHORITY) as Credentials), signingKey: pkg.authority });
  const chain = await testChain({ time: T0, accounts: EVERYONE.map((i) => testKey(`diff:${i}`)) });
  const deployed = await chain.execute(DEPLOYER, {
    data: encodeDeployData({
      abi: medShareAbi,
      bytecode: medShareBytecode,
      args: [
        AUTHORITY,
        account(AUTHORITY),
        hex(encodeAuthSignParams(pkg.signParams)),
        BigInt(MAX_PROOF_AGE),
        BigInt(MAX_CLOCK_SKEW),
      ],
    }),
    gasLimit: 29_000_000n,
  });
  if (deployed.contractAddress === null) throw new Error('deployment failed');
  const proofs = new Map<string, Promise<{ proof: Groth16Proof; publicSignals: string[] }>>();
  const world: DifferentialWorld = {
    chain,
    address: deployed.contractAddress,
    pkg,
    config,
    deps,
    creds,
    keys,
    tsKey,
    evmKey: encodeVerificationKey(keys.verificationKey),
    baseState: createContractState(),
    baseRequirements: [],
    baseRecords: [],
    proof(patient, record, requirement, timestamp) {
      const key = `${patient}|${record}|${requirement}|${timestamp}`;
      let p = proofs.get(key);
      if (p === undefined) {
        p = cachedProof(keys, {
          record: RECORDS[record] as MedicalRecord,
          blinding: blindingOf(RECORDS[record] as MedicalRecord),
          requirement: REQUIREMENTS[requirement] as Requirement,
          salt: BigInt(proofs.size + 1),
          patientId: identityToField(patient),
          timestamp: BigInt(timestamp),
        });
        proofs.set(key, p);
      }
      return p;
    },
  };
  // The base: members, requirements 0 (exclusive) and 1, records of Alice (templates 0, 1, 2) and of Bob (0).
  const run = new Run(world, world.baseState, [], []);
  for (const [identity, role] of BASE_MEMBERS) {
    await run.expectAccepted({
      kind: 'register',
      sender: 0,
      identity: MEMBER_POOL.findIndex(([i]) => i === identity),
      role,
      time: 'now',
    });
  }
  await run.expectAccepted({
    kind: 'publish',
    sender: EVERYONE.indexOf('institute:oncology-lab'),
    template: 0,
    exclusive: true,
    reward: 100,
    keyword: 0,
    emptyKey: false,
    time: 'now',
  });
  await run.expectAccepted({
    kind: 'publish',
    sender: EVERYONE.indexOf('institute:pharma-co'),
    template: 1,
    exclusive: false,
    reward: 150,
    keyword: 0,
    emptyKey: false,
    time: 'now',
  });
  for (const template of [0, 1, 2]) {
    await run.expectAccepted({
      kind: 'registerRecord',
      sender: EVERYONE.indexOf('hospital:st-mary'),
      patient: EVERYONE.indexOf('patient:alice'),
      template,
      signer: 'patient',
      time: 'now',
    });
  }
  await run.expectAccepted({
    kind: 'registerRecord',
    sender: EVERYONE.indexOf('patient:bob'),
    patient: EVERYONE.indexOf('patient:bob'),
    template: 3,
    signer: 'patient',
    time: 'now',
  });
  await chain.snapshot();
  return { ...world, baseState: run.state, baseRequirements: run.requirements, baseRecords: run.records, proof: world.proof };
}

function account(identity: string): Hex {
  return addressOf(testKey(`diff:${identity}`));
}

/** One run: the TypeScript state, the EVM chain (restored to the base before each run), the handles and the clock. */
export class Run {
  now: number;
  /** Steps applied, and how many each side refused. */
  readonly log: { action: Action; ts: Decision | null; evm: Decision | null }[] = [];
  /** Submissions both contracts accepted, as (requirement, record) handles; and those granted since. */
  readonly approvals: [RequirementHandle, RecordHandle][] = [];
  readonly granted: [RequirementHandle, RecordHandle][] = [];

  constructor(
    readonly world: DifferentialWorld,
    public state: ContractState,
    readonly requirements: RequirementHandle[],
    readonly records: RecordHandle[],
  ) {
    this.now = Math.max(world.chain.time, state.clock, T0);
  }

  private time(mode: TimeMode): number {
    if (mode === 'now') return this.now;
    // Both clocks are the block time `now` (the TypeScript clock, max(clock, blockTime), never runs ahead of it).
    if (mode === 'stale') return this.now - MAX_CLOCK_SKEW - 1;
    return this.now + MAX_CLOCK_SKEW + 1;
  }

  private cred(identity: string): Credentials {
    return this.world.creds.get(identity) as Credentials;
  }

  private sender(pick: number): string {
    return EVERYONE[pick % EVERYONE.length] as string;
  }

  async expectAccepted(action: Action): Promise<void> {
    const { ts, evm } = await this.step(action);
    if (ts !== 'accepted' || evm !== 'accepted')
      throw new Error(`base step refused: ${JSON.stringify(action)} ts=${ts} evm=${evm}`);
  }

  /** Applies one action to both contracts; returns both decisions (null for a side not applied by design). */
  async step(action: Action): Promise<{ ts: Decision | null; evm: Decision | null }> {
    if (action.kind === 'tick') {
      this.now += action.seconds;
      return { ts: 'accepted', evm: 'accepted' };
    }
    const built = await this.build(action);
    // Designed differences: apply only to the side that refuses, so that the states stay comparable.
    const tsOnly = action.kind === 'submit' && action.mutation === 'badBindingSignature';
    // The block time: the TypeScript contract's blockTime and the EVM block's timestamp.
    const { state, outcome } = applyTransaction(this.state, built.ts, this.world.config, this.world.deps, this.now);
    const ts: Decision = outcome.accepted ? 'accepted' : outcome.reason;
    if (outcome.accepted) {
      this.state = state;
      built.onTsAccepted?.(outcome.id);
    }
    if (tsOnly) {
      this.log.push({ action, ts, evm: null });
      return { ts, evm: null };
    }
    this.world.chain.setTime(this.now);
    const receipt = await this.world.chain.execute(testKey(`diff:${built.sender}`), {
      to: this.world.address,
      data: encodeFunctionData({ abi: medShareAbi, functionName: built.evm.functionName, args: built.evm.args } as never),
      gasLimit: 5_000_000n,
    });
    let evm: Decision;
    if (receipt.success) {
      evm = 'accepted';
      for (const log of receipt.logs) {
        const e = decodeEventLog({ abi: medShareAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
        built.onEvmEvent?.(e.eventName, e.args as unknown as Record<string, unknown>);
      }
    } else {
      const revert = decodeRevert(receipt.revertData);
      if (revert.kind !== 'refusal') throw new Error(`EVM reverted without a named refusal: ${receipt.revertData}`);
      evm = revert.reason;
    }
    if (ts === 'accepted' && evm === 'accepted') built.onBothAccepted?.();
    this.log.push({ action, ts, evm });
    return { ts, evm };
  }

  /** The requirement / record named by a pick (an unknown one when the pick lands past the list). */
  private requirementOf(pick: number): RequirementHandle | null {
    const n = this.requirements.length;
    return pick % (n + 1) === n ? null : (this.requirements[pick % (n + 1)] as RequirementHandle);
  }
  private recordOf(pick: number): RecordHandle | null {
    const n = this.records.length;
    return pick % (n + 1) === n ? null : (this.records[pick % (n + 1)] as RecordHandle);
  }
  /** For grant and share: mostly an accepted submission, sometimes any pair (often none). */
  private pairOf(
    requirementPick: number,
    recordPick: number,
    from: [RequirementHandle, RecordHandle][] = this.approvals,
  ): [RequirementHandle | null, RecordHandle | null] {
    const list = from.length > 0 ? from : this.approvals;
    // A negative record pick (the sale macro's) names the latest entry.
    if (list.length > 0 && recordPick < 0) return list[list.length - 1] as [RequirementHandle, RecordHandle];
    if (list.length > 0 && requirementPick % 4 !== 0) {
      return list[recordPick % list.length] as [RequirementHandle, RecordHandle];
    }
    return [this.requirementOf(requirementPick), this.recordOf(recordPick)];
  }

  /**
   * The sender of an action. A natural sender of grant or share (a patient, an institution) is
   * mostly the party of the sale the action names, so that random runs complete sales; one pick in
   * five keeps the picked one (often another party: notRecordOwner, notParty).
   */
  private senderOf(action: Exclude<Action, { kind: 'tick' }>): string {
    const picked = this.sender(action.sender);
    if (
      (action.kind !== 'grant' && action.kind !== 'share') ||
      !NATURAL[action.kind].includes(picked) ||
      action.record % 5 === 0
    ) {
      return picked;
    }
    const [requirement, record] =
      action.kind === 'grant'
        ? this.pairOf(action.requirement, action.record)
        : this.pairOf(action.requirement, action.record, this.granted);
    return (action.kind === 'grant' ? record?.patient : requirement?.institution) ?? picked;
  }

  private async build(action: Exclude<Action, { kind: 'tick' }>): Promise<Built> {
    const domain = { chainId: this.world.chain.chainId, contract: this.world.address };
    const time = this.time(action.time);
    const sender = this.senderOf(action);
    const signer = this.cred(sender).signingKey;
    const envelope = <K extends Parameters<typeof signTransaction>[1]>(kind: K, body: Parameters<typeof signTransaction<K>>[2]) =>
      signTransaction(signer, kind, body, time, { random });
    switch (action.kind) {
      case 'register': {
        const [identity] = MEMBER_POOL[action.identity % MEMBER_POOL.length] as [string, Role];
        const chosenRole = action.role;
        return {
          sender,
          ts: envelope('register', { identity, role: chosenRole }),
          evm: { functionName: 'register', args: [identity, ROLE_CODES[chosenRole], account(identity), BigInt(time)] },
        };
      }
      case 'publish': {
        const template = action.template % REQUIREMENTS.length;
        const criteriaHash = requirementHash(SHAPE, REQUIREMENTS[template] as Requirement);
        const keywords = [['age'], ['age', 'diabetes']][action.keyword % 2] as string[];
        const tsKey = action.emptyKey ? new Uint8Array(0) : this.world.tsKey;
        const evmKey = action.emptyKey ? new Uint8Array(0) : this.world.evmKey;
        let tsId = '';
        let evmId: Hex | null = null;
        const commit = () => {
          if (evmId === null) return;
          this.requirements.push({
            ts: tsId,
            evm: evmId,
            template,
            institution: sender,
            exclusive: action.exclusive,
            reward: action.reward,
          });
        };
        return {
          sender,
          ts: envelope('publishRequirement', {
            criteriaHash,
            keywords,
            verificationKey: tsKey,
            reward: action.reward,
            exclusive: action.exclusive,
          }),
          evm: {
            functionName: 'publishRequirement',
            args: [criteriaHash, keywords, hex(evmKey), BigInt(action.reward), action.exclusive, BigInt(time)],
          },
          onTsAccepted: (id) => {
            tsId = id;
          },
          onEvmEvent: (name, args) => {
            if (name === 'RequirementPublished') evmId = args.requirementId as Hex;
          },
          onBothAccepted: commit,
        };
      }
      case 'registerRecord': {
        const patient = this.sender(action.patient);
        const template = action.template % RECORDS.length;
        const commitment = templateCommitment(template);
        const sigKey = this.cred(action.signer === 'patient' ? patient : otherThan(patient)).signingKey;
        const tsSignature = authSign(sigKey, recordSignable(patient, commitment), { random });
        const evmSignature = encodeSignature(authSign(sigKey, evmRecordSignable(domain, patient, commitment), { random }));
        let tsId = '';
        let evmId: Hex | null = null;
        return {
          sender,
          ts: envelope('registerRecord', { patient, commitment, patientSignature: tsSignature }),
          evm: { functionName: 'registerRecord', args: [patient, commitment, hex(evmSignature), BigInt(time)] },
          onTsAccepted: (id) => {
            tsId = id;
          },
          onEvmEvent: (name, args) => {
            if (name === 'RecordRegistered') evmId = args.recordId as Hex;
          },
          onBothAccepted: () => {
            if (evmId !== null) this.records.push({ ts: tsId, evm: evmId, template, patient });
          },
        };
      }
      case 'submit': {
        const requirement = this.requirementOf(action.requirement);
        // Mostly one of the sender's own records, sometimes any (or none).
        const own = this.records.filter((r) => r.patient === sender);
        const record =
          own.length > 0 && action.record % 3 !== 0
            ? (own[action.record % own.length] as RecordHandle)
            : this.recordOf(action.record);
        const patient = naturalRole(sender) === 'patient' && sender !== STRANGER ? sender : 'patient:alice';
        let made: { proof: Groth16Proof; publicSignals: string[] };
        if (action.proof === 'matching' && requirement !== null && record !== null) {
          made = await this.world.proof(patient, record.template, requirement.template, T0);
        } else {
          const pool = POOL[action.pool % POOL.length] as (typeof POOL)[number];
          made = await this.world.proof(pool[0], pool[1], pool[2], pool[3]);
        }
        let proof = made.proof;
        const signals = [...made.publicSignals];
        if (action.mutation === 'alias') {
          const i = action.aliasIndex % 6;
          signals[i] = (BigInt(signals[i] as string) + FIELD_ORDER).toString();
        } else if (action.mutation === 'rerandomise') {
          proof = rerandomise(proof, BigInt(action.aliasIndex + 2));
        } else if (action.mutation === 'tamper') {
          const g = bn254.G1.Point.BASE.multiply(BigInt(action.aliasIndex + 3)).toAffine();
          proof = { ...proof, pi_c: [g.x.toString(), g.y.toString(), '1'] };
        }
        const binding = BigInt(signals[1] as string);
        const bindingSigner = action.mutation === 'badBindingSignature' ? this.cred(otherThan(sender)).signingKey : signer;
        return {
          sender,
          onBothAccepted: () => {
            if (requirement !== null && record !== null) this.approvals.push([requirement, record]);
          },
          ts: envelope('submitProof', {
            requirementId: requirement?.ts ?? 'req:0000000000000000',
            recordId: record?.ts ?? 'rec:0000000000000000',
            proof: packProof(proof),
            publicSignals: signals,
            bindingSignature: authSign(bindingSigner, bindingSignable(binding % (1n << 256n)), { random }),
          }),
          evm: {
            functionName: 'submitProof',
            args: [
              requirement?.evm ?? `0x${'00'.repeat(32)}`,
              record?.evm ?? `0x${'00'.repeat(32)}`,
              encodeProof(proof),
              encodePublicSignals(signals),
              BigInt(time),
            ],
          },
        };
      }
      case 'grant': {
        const [requirement, record] = this.pairOf(action.requirement, action.record);
        const tsApproval = requirement && record ? approvalTsId(requirement.ts, record.ts) : 'appr:0000000000000000';
        const delegatorTemplate =
          action.variant === 'wrongDelegator' ? ((record?.template ?? 0) + 1) % RECORDS.length : (record?.template ?? 0);
        const delegatee =
          action.variant === 'wrongDelegatee'
            ? otherInstitution(requirement?.institution)
            : (requirement?.institution ?? 'institute:oncology-lab');
        let commitmentBytes = reKeyCommitment(this.world, record?.patient ?? 'patient:alice', delegatorTemplate, delegatee);
        if (action.variant === 'truncated') commitmentBytes = commitmentBytes.subarray(0, commitmentBytes.length - 1);
        return {
          sender,
          onBothAccepted: () => {
            if (requirement !== null && record !== null) this.granted.push([requirement, record]);
          },
          ts: envelope('grantAccess', { approvalId: tsApproval, reKeyCommitment: commitmentBytes }),
          evm: {
            functionName: 'grantAccess',
            args: [
              requirement?.evm ?? `0x${'00'.repeat(32)}`,
              record?.evm ?? `0x${'00'.repeat(32)}`,
              hex(commitmentBytes),
              BigInt(time),
            ],
          },
        };
      }
      case 'share': {
        const [requirement, record] = this.pairOf(action.requirement, action.record, this.granted);
        const tsApproval = requirement && record ? approvalTsId(requirement.ts, record.ts) : 'appr:0000000000000000';
        const patient = action.variant === 'formPatient' ? otherPatient(record?.patient) : (record?.patient ?? 'patient:alice');
        const institution = action.variant === 'formInstitution' ? otherInstitution(sender) : sender;
        const template =
          action.variant === 'formCommitment' ? ((record?.template ?? 0) + 1) % RECORDS.length : (record?.template ?? 0);
        const commitment = templateCommitment(template);
        const form = { patient, institution, dataHash: fieldToBytes(commitment), timestamp: time };
        const patientKey = this.cred(action.variant === 'badPatientSignature' ? otherThan(patient) : patient).signingKey;
        const institutionKey = this.cred(
          action.variant === 'badInstitutionSignature' ? otherThan(institution) : institution,
        ).signingKey;
        const tsSignable = transactionSignable(form);
        const evmSignable = formSignable(domain, form);
        return {
          sender,
          ts: envelope('share', {
            approvalId: tsApproval,
            transaction: encodeTransaction({
              ...form,
              patientSignature: authSign(patientKey, tsSignable, { random }),
              institutionSignature: authSign(institutionKey, tsSignable, { random }),
            }),
          }),
          evm: {
            functionName: 'share',
            args: [
              requirement?.evm ?? `0x${'00'.repeat(32)}`,
              record?.evm ?? `0x${'00'.repeat(32)}`,
              {
                patient,
                institution,
                dataHash: hex(form.dataHash),
                timestamp: BigInt(time),
                patientSignature: hex(encodeSignature(authSign(patientKey, evmSignable, { random }))),
                institutionSignature: hex(encodeSignature(authSign(institutionKey, evmSignable, { random }))),
              },
              BigInt(time),
            ],
          },
        };
      }
    }
  }

  /**
   * Both contracts' states in one canonical form: members with roles, requirements, records with
   * their licences, submissions with their stage and key commitment, bindings and balances.
   * PHASE 2: add the new state (consent, escrow, deployment binding, pseudonyms) on both sides here.
   */
  async summaries(): Promise<{ ts: Summary; evm: Summary }> {
    const s = this.state;
    const ts: Summary = {
      members: [...s.members.values()].map((m) => `${m.identity}:${m.role}`).sort(),
      requirements: [...s.requirements.values()]
        .map(
          (r) =>
            `${r.institution}|${r.criteriaHash}|${r.keywords.join(',')}|${r.reward}|${r.exclusive}|${r.verificationKey.length > 0}`,
        )
        .sort(),
      records: [...s.records.values()]
        .map(
          (r) =>
            `${r.patient}|${r.registeredBy}|${r.commitment}|${r.licences.map((l) => `${l.institution}:${l.exclusive}:${l.time}`).join(';')}`,
        )
        .sort(),
      approvals: [...s.approvals.values()]
        .map(
          (a) =>
            `${reqKey(s, a.requirementId)}|${recKey(s, a.recordId)}|${a.stage}|${a.reKeyCommitment === null ? '-' : hex(a.reKeyCommitment)}`,
        )
        .sort(),
      bindings: [...s.bindings].map((b) => BigInt(`0x${b}`).toString()).sort(),
      balances: [...s.balances.entries()]
        .filter(([, v]) => v !== 0)
        .map(([k, v]) => `${k}:${v}`)
        .sort(),
    };
    const evm = await this.evmSummary();
    return { ts, evm };
  }

  private async read(functionName: string, args: readonly unknown[]): Promise<unknown> {
    const data = encodeFunctionData({ abi: medShareAbi, functionName, args } as never);
    const result = await this.world.chain.call({ to: this.world.address, data });
    return decodeFunctionResult({ abi: medShareAbi, functionName, data: result.data } as never);
  }

  private async evmSummary(): Promise<Summary> {
    const members: string[] = [];
    const byIndex = new Map<number, string>();
    for (const identity of [...BASE_MEMBERS, ...NEW_MEMBERS].map(([i]) => i).concat([STRANGER])) {
      const [index, role] = (await this.read('seatOfIdentity', [identityKey(identity)])) as [number, number];
      if (index === 0) continue;
      byIndex.set(index, identity);
      members.push(`${identity}:${['', 'patient', 'hospital', 'institution', 'proxy', 'verifier'][role]}`);
    }
    const who = (index: number) => byIndex.get(index) ?? `#${index}`;
    const requirements: string[] = [];
    const reqKeys = new Map<Hex, string>();
    for (const r of this.requirements) {
      const q = (await this.read('requirementOf', [r.evm])) as {
        criteriaHash: bigint;
        institution: number;
        reward: bigint;
        exclusive: boolean;
        keyValid: boolean;
      };
      const keywords = this.keywordsOf(r.evm);
      const key = `${who(q.institution)}|${q.criteriaHash}|${keywords}|${q.reward}|${q.exclusive}|true`;
      requirements.push(key);
      reqKeys.set(r.evm, `${who(q.institution)}|${q.criteriaHash}|${keywords}|${q.reward}|${q.exclusive}`);
    }
    const records: string[] = [];
    const recKeys = new Map<Hex, string>();
    for (const r of this.records) {
      const [patient, registeredBy, licenceCount] = (await this.read('records', [r.evm])) as [number, number, number];
      const commitment = templateCommitment(r.template);
      // The commitment is the key of recordOfCommitment: check that it names this record.
      if ((await this.read('recordOfCommitment', [commitment])) !== r.evm)
        throw new Error(`record ${r.evm}: commitment not indexed`);
      const licences: string[] = [];
      for (let i = 0; i < licenceCount; i++) {
        const [, institution, exclusive, time] = (await this.read('licences', [r.evm, BigInt(i)])) as [
          Hex,
          number,
          boolean,
          bigint,
        ];
        licences.push(`${who(institution)}:${exclusive}:${time}`);
      }
      records.push(`${who(patient)}|${who(registeredBy)}|${commitment}|${licences.join(';')}`);
      recKeys.set(r.evm, `${who(patient)}|${commitment}`);
    }
    const approvals: string[] = [];
    const bindings: string[] = [];
    for (const q of this.requirements) {
      for (const r of this.records) {
        const [stage, commitmentHash] = (await this.read('approvals', [approvalId(q.evm, r.evm)])) as [number, Hex];
        if (stage === 0) continue;
        const granted = this.grants.get(commitmentHash);
        approvals.push(
          `${reqKeys.get(q.evm)}|${recKeys.get(r.evm)}|${['', 'approved', 'granted', 'shared'][stage]}|${stage === 1 ? '-' : (granted ?? commitmentHash)}`,
        );
      }
    }
    for (const b of this.bindingsSeen) if ((await this.read('bindingUsed', [b])) as boolean) bindings.push(b.toString());
    const balances: string[] = [];
    for (const [index, identity] of byIndex) {
      const v = (await this.read('balances', [index])) as bigint;
      if (v !== 0n) balances.push(`${identity}:${v}`);
    }
    return {
      members: members.sort(),
      requirements: requirements.sort(),
      records: records.sort(),
      approvals: approvals.sort(),
      bindings: bindings.sort(),
      balances: balances.sort(),
    };
  }

  /** Key commitments seen in AccessGranted events, by keccak256, and bindings seen in ProofAccepted events. */
  readonly grants = new Map<Hex, string>();
  readonly bindingsSeen = new Set<bigint>();
  private readonly keywords = new Map<Hex, string>();

  /** Indexes the EVM's events the way an indexer would (key commitments, bindings, key words). */
  index(): void {
    for (const r of this.world.chain.allReceipts()) {
      for (const log of r.logs) {
        if (log.address.toLowerCase() !== this.world.address.toLowerCase()) continue;
        const e = decodeEventLog({ abi: medShareAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
        const args = e.args as unknown as Record<string, unknown>;
        if (e.eventName === 'AccessGranted')
          this.grants.set(keccak256(args.reKeyCommitment as Hex), args.reKeyCommitment as string);
        if (e.eventName === 'ProofAccepted') this.bindingsSeen.add(args.binding as bigint);
        if (e.eventName === 'RequirementPublished')
          this.keywords.set(args.requirementId as Hex, (args.keywords as string[]).join(','));
      }
    }
  }

  private keywordsOf(id: Hex): string {
    return this.keywords.get(id) ?? '?';
  }
}

/** A summary of one contract's state, as sorted strings. */
export interface Summary {
  members: string[];
  requirements: string[];
  records: string[];
  approvals: string[];
  bindings: string[];
  balances: string[];
}

interface Built {
  readonly sender: string;
  readonly ts: Uint8Array;
  readonly evm: { readonly functionName: string; readonly args: readonly unknown[] };
  readonly onTsAccepted?: (id: string) => void;
  readonly onEvmEvent?: (name: string, args: Record<string, unknown>) => void;
  readonly onBothAccepted?: () => void;
}

function reqKey(s: ContractState, id: string): string {
  const r = s.requirements.get(id);
  return r === undefined ? id : `${r.institution}|${r.criteriaHash}|${r.keywords.join(',')}|${r.reward}|${r.exclusive}`;
}
function recKey(s: ContractState, id: string): string {
  const r = s.records.get(id);
  return r === undefined ? id : `${r.patient}|${r.commitment}`;
}

/** derivedId('appr', requirement, record), as the TypeScript contract computes an approval's id. */
function approvalTsId(requirement: string, record: string): string {
  return derivedId('appr', utf8(requirement), utf8(record));
}

function otherThan(identity: string): string {
  return identity === 'patient:bob' ? 'patient:alice' : 'patient:bob';
}
function otherPatient(patient: string | undefined): string {
  return patient === 'patient:bob' ? 'patient:alice' : 'patient:bob';
}
function otherInstitution(institution: string | undefined): string {
  return institution === 'institute:pharma-co' ? 'institute:oncology-lab' : 'institute:pharma-co';
}

const reKeyCache = new Map<string, Uint8Array>();
function reKeyCommitment(world: DifferentialWorld, patient: string, template: number, delegatee: string): Uint8Array {
  const key = `${patient}|${template}|${delegatee}`;
  let c = reKeyCache.get(key);
  if (c === undefined) {
    const commitment = templateCommitment(template);
    c = issueReKey(world.pkg.preParams, world.pkg.recordKey(patient, commitment), delegatee, ['proxy:cloud-1'], 1, {
      random,
    }).reKeyCommitment;
    reKeyCache.set(key, c);
  }
  return c;
}

/** Proofs an action may take from the pool: (patient, record template, requirement template, T). */
export const POOL: readonly (readonly [string, number, number, number])[] = [
  ['patient:alice', 0, 0, T0],
  ['patient:alice', 0, 1, T0],
  ['patient:alice', 1, 0, T0],
  ['patient:alice', 2, 0, T0],
  ['patient:bob', 0, 0, T0],
  ['patient:alice', 0, 0, T0 - 2 * MAX_PROOF_AGE],
  ['patient:alice', 0, 0, T0 + 2 * MAX_PROOF_AGE],
];

function rerandomise(proof: Groth16Proof, t: bigint): Groth16Proof {
  const A = bn254.G1.Point.fromAffine({ x: BigInt(proof.pi_a[0]), y: BigInt(proof.pi_a[1]) })
    .multiply(t)
    .toAffine();
  const [[x0, x1], [y0, y1]] = proof.pi_b;
  const B = bn254.G2.Point.fromAffine({ x: { c0: BigInt(x0), c1: BigInt(x1) }, y: { c0: BigInt(y0), c1: BigInt(y1) } })
    .multiply(bn254.fields.Fr.inv(t))
    .toAffine();
  return {
    ...proof,
    pi_a: [A.x.toString(), A.y.toString(), '1'],
    pi_b: [
      [B.x.c0.toString(), B.x.c1.toString()],
      [B.y.c0.toString(), B.y.c1.toString()],
      ['1', '0'],
    ],
  };
}

// ------------------------------------------------------------------ generators

const NATURAL: Record<Exclude<Action['kind'], 'tick'>, readonly string[]> = {
  register: [AUTHORITY],
  publish: ['institute:oncology-lab', 'institute:pharma-co'],
  registerRecord: ['hospital:st-mary', 'patient:alice', 'patient:bob'],
  submit: ['patient:alice', 'patient:bob'],
  grant: ['patient:alice', 'patient:bob'],
  share: ['institute:oncology-lab', 'institute:pharma-co'],
};

/** A sender: mostly the role's natural senders, sometimes anyone (hostile). */
function senderFor(kind: Exclude<Action['kind'], 'tick'>): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NATURAL[kind].map((i) => EVERYONE.indexOf(i))) },
    { weight: 1, arbitrary: fc.nat({ max: EVERYONE.length - 1 }) },
  );
}
const timeMode: fc.Arbitrary<TimeMode> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('now' as const) },
  { weight: 1, arbitrary: fc.constant('stale' as const) },
  { weight: 1, arbitrary: fc.constant('future' as const) },
);
const pick = fc.nat({ max: 40 });

/**
 * Random actions, honest ones more likely than hostile ones.
 * PHASE 2: new transaction kinds (consent, escrow, ...) get a generator and a `build` case.
 */
export const arbAction: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 200 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      sender: senderFor('register'),
      identity: fc.nat({ max: BASE_MEMBERS.length + NEW_MEMBERS.length - 1 }),
      role: fc.constantFrom<Role>('patient', 'hospital', 'institution', 'proxy', 'verifier'),
      time: timeMode,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      sender: senderFor('publish'),
      template: fc.nat({ max: 2 }),
      exclusive: fc.boolean(),
      reward: fc.constantFrom(0, 50, 100),
      keyword: fc.nat({ max: 1 }),
      emptyKey: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      time: timeMode,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('registerRecord' as const),
      sender: senderFor('registerRecord'),
      patient: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(EVERYONE.indexOf('patient:alice'), EVERYONE.indexOf('patient:bob')) },
        { weight: 1, arbitrary: fc.nat({ max: EVERYONE.length - 1 }) },
      ),
      template: fc.nat({ max: RECORDS.length - 1 }),
      signer: fc.oneof(
        { weight: 5, arbitrary: fc.constant('patient' as const) },
        { weight: 1, arbitrary: fc.constant('other' as const) },
      ),
      time: timeMode,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      sender: senderFor('submit'),
      requirement: pick,
      record: pick,
      proof: fc.oneof(
        { weight: 4, arbitrary: fc.constant('matching' as const) },
        { weight: 1, arbitrary: fc.constant('pool' as const) },
      ),
      pool: fc.nat({ max: POOL.length - 1 }),
      mutation: fc.oneof(
        { weight: 8, arbitrary: fc.constant('none' as const) },
        {
          weight: 1,
          arbitrary: fc.constantFrom('alias' as const, 'rerandomise' as const, 'tamper' as const, 'badBindingSignature' as const),
        },
      ),
      aliasIndex: fc.nat({ max: 5 }),
      time: timeMode,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      sender: senderFor('grant'),
      requirement: pick,
      record: pick,
      variant: fc.oneof(
        { weight: 6, arbitrary: fc.constant('ok' as const) },
        { weight: 1, arbitrary: fc.constantFrom('wrongDelegatee' as const, 'wrongDelegator' as const, 'truncated' as const) },
      ),
      time: timeMode,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('share' as const),
      sender: senderFor('share'),
      requirement: pick,
      record: pick,
      variant: fc.oneof(
        { weight: 6, arbitrary: fc.constant('ok' as const) },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            'formPatient' as const,
            'formInstitution' as const,
            'formCommitment' as const,
            'badPatientSignature' as const,
            'badInstitutionSignature' as const,
          ),
        },
      ),
      time: timeMode,
    }),
  },
);

/** Every refusal reason the EVM can give, for coverage reports. */
export const EVM_REASONS = new Set<RefusalReason>(Object.values(REFUSAL_OF_ERROR));

/**
 * An honest sale in three steps, for random runs to complete sales among hostile steps: a natural
 * patient submits a matching proof for one of its records, then grants and the institution shares
 * the latest accepted (granted) submission (record pick -1). Any of them may still be refused
 * (a duplicate, R = 0, another sale's licence), which both contracts must then agree on.
 */
export const arbSale: fc.Arbitrary<Action[]> = fc
  .record({
    patient: fc.constantFrom(EVERYONE.indexOf('patient:alice'), EVERYONE.indexOf('patient:bob')),
    requirement: pick,
    record: pick.filter((r) => r % 3 !== 0),
    institution: fc.constantFrom(...NATURAL.share.map((i) => EVERYONE.indexOf(i))),
  })
  .map(({ patient, requirement, record, institution }): Action[] => [
    {
      kind: 'submit',
      sender: patient,
      requirement,
      record,
      proof: 'matching',
      pool: 0,
      mutation: 'none',
      aliasIndex: 0,
      time: 'now',
    },
    { kind: 'grant', sender: patient, requirement: 1, record: -1, variant: 'ok', time: 'now' },
    { kind: 'share', sender: institution, requirement: 1, record: -1, variant: 'ok', time: 'now' },
  ]);

/** A random run: single actions and, now and then, an honest sale (arbSale), 6-30 steps. */
export const arbActions: fc.Arbitrary<Action[]> = fc
  .array(fc.oneof({ weight: 6, arbitrary: arbAction.map((a) => [a]) }, { weight: 1, arbitrary: arbSale }), {
    minLength: 6,
    maxLength: 16,
  })
  .map((runs) => runs.flat().slice(0, 30));
