/**
 * Differential harness (contract v2): the same abstract transactions, honest and hostile, applied to
 * the TypeScript contract (src/protocol/contract.ts, `applyTransaction`) and to the EVM contract
 * (contracts/MedShare.sol on the in-process chain), one step at a time. After each step the two
 * decisions must be equal (accepted, or refused with the same RefusalReason: the EVM's error names
 * map one to one through REFUSAL_OF_ERROR), and at the end the two state summaries must be equal.
 *
 * An action is abstract (who sends what, which entries it names, which defect it carries); each
 * side has a driver that turns it into its own bytes: an envelope signed by the sender's pseudonym
 * for the TypeScript contract, a transaction from the sender's account for the EVM. Both contracts
 * are the same deployment: the TypeScript contract's deployment id is `evmDeployment(chain id,
 * contract address)`, so the consents and forms members sign (with medshare/protocol's signers) are
 * the same bytes for both. Entries created along the way are tracked as handles holding both
 * sides' ids.
 *
 * Both contracts take their clock from the block: the TypeScript contract gets the run's clock as
 * `applyTransaction`'s blockTime, the EVM the same value as the block's timestamp.
 *
 * Differences by design (DESIGNED_DIFFERENCES):
 * - sigma_a on h signed by another key, and a lying proxy's partial: the action goes only to the
 *   side that refuses it (the TypeScript contract), and that refusal is checked;
 * - optimistic delivery: the TypeScript contract's t-th valid `deliver` is, on the EVM, the t-th
 *   `deliver` (stage settling), the dispute window passing, and `settle`; the harness applies the
 *   TypeScript `deliver` at the settle time, so that both licences carry the same time. The dispute
 *   paths (a lying proxy disputed and struck, a false dispute) are scripted in the test.
 */
import { bn254 } from '@noble/curves/bn254.js';
import fc from 'fast-check';
import { decodeEventLog, decodeFunctionResult, encodeFunctionData, type Hex, keccak256 } from 'viem';
import { medShareAbi } from '../../src/evm/artifacts.js';
import { medShareDeployData } from '../../src/evm/client.js';
import {
  decodeRevert,
  encodeProof,
  encodePublicSignals,
  encodeSignature,
  encodeVerificationKey,
  evmDeployment,
  REFUSAL_OF_ERROR,
  ROLE_CODES,
} from '../../src/evm/encoding.js';
import type { InProcessChain } from '../../src/evm/in-process.js';
import { gtMul, Z } from '../../src/internal/bls.js';
import { ga07 } from '../../src/pre/ga07.js';
import { ga07Verifiable } from '../../src/pre/ga07-verifiable.js';
import {
  type Approval,
  applyTransaction,
  type ContractConfig,
  type ContractState,
  createContractState,
  type RefusalReason,
  sharingFormOf,
} from '../../src/protocol/contract.js';
import {
  ciphertextHeader,
  createPkg,
  type Credentials,
  encryptRecord,
  type IssuedReKey,
  issueReKey,
  type Pkg,
  signRecordCommitment,
  signSharingForm,
  signTransaction,
} from '../../src/protocol/parties.js';
import type { ContractDeps } from '../../src/protocol/proof-system.js';
import {
  type BodyOf,
  bindingSignable,
  derivedId,
  type Role,
  type SharingForm,
  type TransactionKind,
} from '../../src/protocol/transactions.js';
import { authSign } from '../../src/sign/cha-cheon.js';
import { seededRandom } from '../../src/testing/random.js';
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
import { SHAPE, testKeys } from './zk.js';

export const T0 = 1_700_000_000;
export const AUTHORITY = 'ca:membership';
/** Large enough that proofs made at T0 stay fresh through a run; the stale and future proofs are far outside. */
export const MAX_PROOF_AGE = 100_000;
export const MAX_CLOCK_SKEW = 60;
export const GRANT_WINDOW = 3_000;
export const DELIVERY_WINDOW = 1_000;
/** The EVM's dispute window (a constructor parameter; 3600 s by default, shorter here). */
export const DISPUTE_WINDOW = 300;
/** Every grant of the harness: t-of-n proxies. */
export const THRESHOLD = 2;
export const PROXIES = ['proxy:cloud-1', 'proxy:cloud-2', 'proxy:cloud-3'] as const;

/** Members registered before every run (true identities: the ledger knows their pseudonyms), and their roles. */
export const BASE_MEMBERS: readonly (readonly [string, Role])[] = [
  ['patient:alice', 'patient'],
  ['patient:bob', 'patient'],
  ['hospital:st-mary', 'hospital'],
  ['institute:oncology-lab', 'institution'],
  ['institute:pharma-co', 'institution'],
  ...PROXIES.map((p) => [p, 'proxy'] as const),
  ['verifier:node-0', 'verifier'],
];
/** Identities a run may register (each with its natural role). */
export const NEW_MEMBERS: readonly (readonly [string, Role])[] = [
  ['patient:carol', 'patient'],
  ['institute:lab-c', 'institution'],
  ['hospital:general', 'hospital'],
  ['proxy:cloud-4', 'proxy'],
];
export const STRANGER = 'stranger:mallory';
/** The identities a register action may name (its `identity` pick indexes this list). */
export const MEMBER_POOL: readonly (readonly [string, Role])[] = [...BASE_MEMBERS, ...NEW_MEMBERS];
/** Every identity an action can name as sender or party. */
export const EVERYONE: readonly string[] = [AUTHORITY, ...MEMBER_POOL.map(([i]) => i), STRANGER];

/**
 * Record templates. Each is committed under one fixed blinding (protocol-fixture's blindingOf), so
 * a template names one commitment on both sides, and a commitment is registered once, whoever
 * registers it. The base registers templates 0-2 for Alice and 3 for Bob; 4 and 5 are left for the runs.
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
export function templateCommitment(template: number): bigint {
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
      /** Register the true identity instead of its pseudonym (notPseudonym). */
      readonly clear: boolean;
      readonly time: TimeMode;
    }
  | {
      readonly kind: 'deposit';
      readonly sender: number;
      readonly account: number;
      readonly amount: 'zero' | 'some' | 'overflow';
      readonly time: TimeMode;
    }
  | { readonly kind: 'withdraw'; readonly sender: number; readonly amount: 'zero' | 'some' | 'all'; readonly time: TimeMode }
  | {
      readonly kind: 'publish';
      readonly sender: number;
      readonly template: number;
      readonly exclusive: boolean;
      readonly reward: number;
      readonly capacity: number;
      readonly keyword: number;
      readonly emptyKey: boolean;
      readonly time: TimeMode;
    }
  | { readonly kind: 'close'; readonly sender: number; readonly requirement: number; readonly time: TimeMode }
  | {
      readonly kind: 'registerRecord';
      readonly sender: number;
      readonly patient: number;
      readonly template: number;
      /** Who signs the consent: the patient, another patient, or the patient naming another registrant. */
      readonly signer: 'patient' | 'other' | 'otherRegistrant';
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
      readonly sale: number;
      readonly variant:
        | 'ok'
        | 'wrongDelegatee'
        | 'wrongDelegator'
        | 'truncated'
        | 'repeatedProxy'
        | 'notAProxy'
        | 'fewerProxies'
        | 'wrongHeader'
        | 'badHeader'
        | 'badForm'
        | 'formReward'
        | 'staleForm';
      readonly time: TimeMode;
    }
  | {
      readonly kind: 'accept';
      readonly sender: number;
      readonly sale: number;
      readonly variant: 'ok' | 'badForm';
      readonly time: TimeMode;
    }
  | {
      readonly kind: 'deliver';
      readonly sender: number;
      readonly sale: number;
      /** The share index (1..n) the partial is for; the natural sender is that proxy. */
      readonly index: number;
      /** lies: altered after its proof; otherGrant: an honest partial of another record's grant (decodes, wrong parties). */
      readonly variant: 'ok' | 'lies' | 'truncated' | 'wrongIndex' | 'otherGrant';
      readonly time: TimeMode;
    }
  | { readonly kind: 'reclaim'; readonly sender: number; readonly sale: number; readonly time: TimeMode };

/**
 * Actions on which the two contracts differ by design, with the reason. The harness applies a
 * one-sided action only to the side that refuses it and checks that refusal; `optimisticDelivery`
 * is mapped (see the module documentation).
 */
export const DESIGNED_DIFFERENCES = {
  badBindingSignature:
    "sigma_a on h signed by another key: the TypeScript contract refuses it (badSignature); on the EVM the patient's transaction signature covers h and there is no sigma_a to check",
  lyingPartial:
    "a proxy's partial that decodes but does not verify: the TypeScript contract refuses it (invalidPartial); the EVM cannot run the check (GT arithmetic, >= ~122M gas) and accepts it, to be disputed by the institution within the window (scripted in the test)",
  accountBinding:
    'the EVM binds each member to an account and refuses an account bound before (alreadyRegistered, checked with the identity, before notPseudonym); the reference has no accounts: the harness binds each registration to an account of its own (a clear identity to another account than its pseudonym), so the two compare',
  optimisticDelivery:
    "the TypeScript contract's t-th valid deliver pays and licenses at once; the EVM's moves the sale to settling and `settle` pays and licenses after the dispute window: mapped as deliver + the window + settle, the TypeScript deliver applied at the settle time",
} as const;

/** What a step decided: 'accepted' or the RefusalReason. */
export type Decision = 'accepted' | RefusalReason;

export interface RequirementHandle {
  readonly ts: string;
  readonly evm: Hex;
  readonly template: number;
  readonly institution: string;
}
export interface RecordHandle {
  readonly ts: string;
  readonly evm: Hex;
  readonly template: number;
  /** The patient's true identity (its pseudonym is on the ledger). */
  readonly patient: string;
}
export interface SaleHandle {
  readonly ts: string;
  readonly evm: Hex;
  readonly requirement: RequirementHandle;
  readonly record: RecordHandle;
}

/** The fixed parts: keys, deployments, the base states and the proof cache. */
export interface DifferentialWorld {
  readonly chain: InProcessChain;
  readonly address: Hex;
  readonly pkg: Pkg;
  readonly config: ContractConfig;
  readonly deps: ContractDeps;
  /** Credentials by true identity (the authority's: its own identity and key). */
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
  for (const [i, r] of MEMBER_POOL) if (i === identity) return r;
  return 'patient';
}

/** The account a party sends its EVM transactions from. */
export function account(identity: string): Hex {
  return addressOf(testKey(`diff:${identity}`));
}

/** The base's requirement 0: the oncology lab's, exclusive, reward 100 x 3 places (publishing it again is a duplicate). */
export const BASE_PUBLISH_A: Action = {
  kind: 'publish',
  sender: EVERYONE.indexOf('institute:oncology-lab'),
  template: 0,
  exclusive: true,
  reward: 100,
  capacity: 3,
  keyword: 0,
  emptyKey: false,
  time: 'now',
};

/** Builds the world: both contracts, one deployment, the same PKG, members, funds, two requirements and four records. */
export async function makeDifferentialWorld(): Promise<DifferentialWorld> {
  const pkg = createPkg({ random: seededRandom('evm-differential-pkg'), authority: AUTHORITY });
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
  for (const identity of EVERYONE) creds.set(identity, pkg.enroll(identity, naturalRole(identity)));
  creds.set(AUTHORITY, { ...(creds.get(AUTHORITY) as Credentials), address: AUTHORITY, signingKey: pkg.authority });
  const chain = await testChain({ time: T0, accounts: EVERYONE.map((i) => testKey(`diff:${i}`)) });
  const deployed = await chain.execute(DEPLOYER, {
    data: medShareDeployData({
      authority: AUTHORITY,
      authorityAccount: account(AUTHORITY),
      signParams: pkg.signParams,
      maxProofAge: MAX_PROOF_AGE,
      maxClockSkew: MAX_CLOCK_SKEW,
      grantWindow: GRANT_WINDOW,
      deliveryWindow: DELIVERY_WINDOW,
      disputeWindow: DISPUTE_WINDOW,
    }),
    gasLimit: 29_000_000n,
  });
  if (deployed.contractAddress === null) throw new Error(`deployment failed ${deployed.revertData}`);
  const address = deployed.contractAddress;
  const config: ContractConfig = {
    ...pkg.contractConfig({
      chain: String(chain.chainId),
      contract: address.toLowerCase(),
      maxProofAge: MAX_PROOF_AGE,
      maxClockSkew: MAX_CLOCK_SKEW,
      grantWindow: GRANT_WINDOW,
      deliveryWindow: DELIVERY_WINDOW,
    }),
  };
  // One deployment: what members sign for the TypeScript contract is what the EVM contract checks.
  if (hex(config.deployment) !== hex(evmDeployment(chain.chainId, address))) throw new Error('deployment ids differ');
  const proofs = new Map<string, Promise<{ proof: Groth16Proof; publicSignals: string[] }>>();
  const world: DifferentialWorld = {
    chain,
    address,
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
  // The base: members, funds, requirements 0 (exclusive, oncology-lab) and 1 (pharma-co), records of Alice (0, 1, 2) and Bob (3).
  const run = new Run(world, world.baseState, [], []);
  const who = (identity: string) => EVERYONE.indexOf(identity);
  for (const [identity, role] of BASE_MEMBERS) {
    const index = MEMBER_POOL.findIndex(([i]) => i === identity);
    await run.expectAccepted({ kind: 'register', sender: 0, identity: index, role, clear: false, time: 'now' });
  }
  for (const lab of ['institute:oncology-lab', 'institute:pharma-co']) {
    await run.expectAccepted({ kind: 'deposit', sender: 0, account: who(lab), amount: 'some', time: 'now' });
  }
  await run.expectAccepted(BASE_PUBLISH_A);
  await run.expectAccepted({
    kind: 'publish',
    sender: who('institute:pharma-co'),
    template: 1,
    exclusive: false,
    reward: 150,
    capacity: 2,
    keyword: 0,
    emptyKey: false,
    time: 'now',
  });
  for (const template of [0, 1, 2]) {
    await run.expectAccepted({
      kind: 'registerRecord',
      sender: who('hospital:st-mary'),
      patient: who('patient:alice'),
      template,
      signer: 'patient',
      time: 'now',
    });
  }
  await run.expectAccepted({
    kind: 'registerRecord',
    sender: who('patient:bob'),
    patient: who('patient:bob'),
    template: 3,
    signer: 'patient',
    time: 'now',
  });
  await chain.snapshot();
  return { ...world, baseState: run.state, baseRequirements: run.requirements, baseRecords: run.records, proof: world.proof };
}

// ------------------------------------------------------------------ the EVM side's calls (the contract's ABI)

/** An EVM call: function and arguments. */
export interface EvmCall {
  readonly functionName: string;
  readonly args: readonly unknown[];
}

const NO_ID: Hex = `0x${'00'.repeat(32)}`;

/** A v2 body and its claimed time as the EVM function of the same kind takes them. */
function evmCallOf<K extends TransactionKind>(
  kind: K,
  body: BodyOf[K],
  time: number,
  ids: {
    requirement?: Hex | undefined;
    record?: Hex | undefined;
    approval?: Hex | undefined;
    verificationKey?: Uint8Array;
    formSignature?: Uint8Array;
  },
): EvmCall {
  const t = BigInt(time);
  const b = body as unknown as Record<string, unknown>;
  switch (kind) {
    case 'register':
      return { functionName: 'register', args: [b.identity, ROLE_CODES[b.role as Role], ids.approval ?? NO_ID, t] };
    case 'deposit':
      return { functionName: 'deposit', args: [b.account, BigInt(b.amount as number), t] };
    case 'withdraw':
      return { functionName: 'withdraw', args: [BigInt(b.amount as number), t] };
    case 'publishRequirement':
      return {
        functionName: 'publishRequirement',
        args: [
          b.criteriaHash,
          b.keywords,
          hex(ids.verificationKey as Uint8Array),
          BigInt(b.reward as number),
          b.capacity,
          b.exclusive,
          t,
        ],
      };
    case 'closeRequirement':
      return { functionName: 'closeRequirement', args: [ids.requirement ?? NO_ID, t] };
    case 'registerRecord':
      return {
        functionName: 'registerRecord',
        args: [b.patient, b.commitment, hex(encodeSignature(b.patientSignature as Uint8Array)), t],
      };
    case 'grantAccess':
      return {
        functionName: 'grantAccess',
        args: [
          ids.requirement ?? NO_ID,
          ids.record ?? NO_ID,
          hex(b.reKeyCommitment as Uint8Array),
          b.proxies,
          hex(b.ciphertextHeader as Uint8Array),
          BigInt(b.formTime as number),
          hex(encodeSignature(ids.formSignature ?? (b.formSignature as Uint8Array))),
          t,
        ],
      };
    case 'acceptGrant':
      return {
        functionName: 'acceptGrant',
        args: [ids.approval ?? NO_ID, hex(encodeSignature(ids.formSignature ?? (b.formSignature as Uint8Array))), t],
      };
    case 'deliver':
      return { functionName: 'deliver', args: [ids.approval ?? NO_ID, hex(b.partial as Uint8Array), t] };
    case 'reclaim':
      return { functionName: 'reclaim', args: [ids.approval ?? NO_ID, t] };
    default:
      throw new Error(`no EVM call for ${kind}`);
  }
}

/** The EVM's settle, dispute and resolveDispute (no TypeScript counterpart). */
export const evmOnly = {
  settle: (approval: Hex): EvmCall => ({ functionName: 'settle', args: [approval] }),
  dispute: (approval: Hex, index: number): EvmCall => ({ functionName: 'dispute', args: [approval, index] }),
  resolveDispute: (approval: Hex, index: number, partialValid: boolean): EvmCall => ({
    functionName: 'resolveDispute',
    args: [approval, index, partialValid],
  }),
};

// ------------------------------------------------------------------ one run

/** One run: the TypeScript state, the EVM chain (restored to the base before each run), the handles and the clock. */
export class Run {
  now: number;
  /** Steps applied: both decisions (null for a side not applied by design). */
  readonly log: { action: Action; ts: Decision | null; evm: Decision | null }[] = [];
  /** Sales both contracts accepted (submissions), by stage reached. */
  readonly sales: SaleHandle[] = [];
  readonly granted: SaleHandle[] = [];
  readonly accepted: SaleHandle[] = [];
  /** Gas of each accepted EVM call, by function. */
  readonly gas = new Map<string, bigint[]>();
  /** Sales completed: the reference's t-th valid deliver, the EVM's deliver + window + settle. */
  settled = 0;

  constructor(
    readonly world: DifferentialWorld,
    public state: ContractState,
    readonly requirements: RequirementHandle[],
    readonly records: RecordHandle[],
  ) {
    this.now = Math.max(world.chain.time, state.clock, T0);
  }

  time(mode: TimeMode): number {
    if (mode === 'now') return this.now;
    // Both clocks are the block time `now` (the TypeScript clock, max(clock, blockTime), never runs ahead of it).
    if (mode === 'stale') return this.now - MAX_CLOCK_SKEW - 1;
    return this.now + MAX_CLOCK_SKEW + 1;
  }

  cred(identity: string): Credentials {
    return this.world.creds.get(identity) as Credentials;
  }

  /** The ledger name of a party: its pseudonym (the authority: its identity). */
  address(identity: string): string {
    return this.cred(identity).address;
  }

  private sender(pick: number): string {
    return EVERYONE[pick % EVERYONE.length] as string;
  }

  async expectAccepted(action: Action): Promise<void> {
    const { ts, evm } = await this.step(action);
    if (ts !== 'accepted' || evm !== 'accepted')
      throw new Error(`base step refused: ${JSON.stringify(action)} ts=${ts} evm=${evm}`);
  }

  /** Sends one EVM call from `identity`'s account in a block at the run's clock. */
  async evm(identity: string, call: EvmCall, onEvent?: (name: string, args: Record<string, unknown>) => void): Promise<Decision> {
    this.world.chain.setTime(this.now);
    const receipt = await this.world.chain.execute(testKey(`diff:${identity}`), {
      to: this.world.address,
      data: encodeFunctionData({ abi: medShareAbi, functionName: call.functionName, args: call.args } as never),
      gasLimit: 8_000_000n,
    });
    if (receipt.success) {
      this.gas.set(call.functionName, [...(this.gas.get(call.functionName) ?? []), receipt.gasUsed]);
      for (const log of receipt.logs) {
        const e = decodeEventLog({ abi: medShareAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
        this.indexEvent(e.eventName, e.args as unknown as Record<string, unknown>);
        onEvent?.(e.eventName, e.args as unknown as Record<string, unknown>);
      }
      return 'accepted';
    }
    const revert = decodeRevert(receipt.revertData);
    if (revert.kind !== 'refusal')
      throw new Error(`${call.functionName}: EVM reverted without a named refusal: ${receipt.revertData}`);
    return revert.reason;
  }

  /** Applies one action to both contracts; returns both decisions (null for a side not applied by design). */
  async step(action: Action): Promise<{ ts: Decision | null; evm: Decision | null }> {
    if (action.kind === 'tick') {
      this.now += action.seconds;
      this.log.push({ action, ts: 'accepted', evm: 'accepted' });
      return { ts: 'accepted', evm: 'accepted' };
    }
    let built = await this.build(action, this.time(action.time));
    const applied = applyTransaction(this.state, built.ts, this.world.config, this.world.deps, this.now);
    const tsOnly =
      (action.kind === 'submit' && action.mutation === 'badBindingSignature') ||
      (action.kind === 'deliver' && action.variant === 'lies');
    if (tsOnly) {
      const ts: Decision = applied.outcome.accepted ? 'accepted' : applied.outcome.reason;
      if (applied.outcome.accepted) this.state = applied.state;
      this.log.push({ action, ts, evm: null });
      return { ts, evm: null };
    }
    let settleAfter: Hex | null = null;
    if (
      action.kind === 'deliver' &&
      applied.outcome.accepted &&
      applied.state.approvals.get(applied.outcome.id)?.stage === 'delivered'
    ) {
      // The t-th valid partial: on the EVM, deliver now, settle after the dispute window (optimisticDelivery).
      settleAfter = built.sale?.evm ?? null;
    }
    const evm = await this.evm(built.sender, built.evm, built.onEvmEvent);
    let outcome = applied.outcome;
    let state = applied.state;
    if (settleAfter !== null && evm === 'accepted') {
      this.now += DISPUTE_WINDOW;
      const settled = await this.evm(built.sender, evmOnly.settle(settleAfter));
      if (settled !== 'accepted') throw new Error(`settle refused: ${settled}`);
      this.settled++;
      // The TypeScript deliver at the settle time (its claimed time moves with it unless it was stale or future).
      built = await this.build(action, this.time(action.time));
      ({ state, outcome } = applyTransaction(this.state, built.ts, this.world.config, this.world.deps, this.now));
      if (!outcome.accepted) throw new Error(`the t-th deliver, moved to the settle time, was refused: ${outcome.reason}`);
    }
    const ts: Decision = outcome.accepted ? 'accepted' : outcome.reason;
    if (outcome.accepted) {
      this.state = state;
      built.onTsAccepted?.(outcome.id);
    }
    if (ts === 'accepted' && evm === 'accepted') built.onBothAccepted?.();
    this.log.push({ action, ts, evm });
    return { ts, evm };
  }

  /** Applies an action to the TypeScript contract only (for the scripted EVM-only paths); returns its decision. */
  async applyTs(action: Exclude<Action, { kind: 'tick' }>): Promise<Decision> {
    const built = await this.build(action, this.time(action.time));
    const { state, outcome } = applyTransaction(this.state, built.ts, this.world.config, this.world.deps, this.now);
    if (!outcome.accepted) return outcome.reason;
    this.state = state;
    built.onTsAccepted?.(outcome.id);
    return 'accepted';
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
  /**
   * The sale an action names: a negative pick the latest of `list` (the sale macro's), otherwise
   * mostly one of `list`, sometimes any sale, and one pick in seven none (unknownApproval).
   */
  saleOf(pick: number, list: readonly SaleHandle[]): SaleHandle | null {
    const from = list.length > 0 ? list : this.sales;
    if (from.length === 0) return null;
    if (pick < 0) return from[from.length - 1] as SaleHandle;
    if (pick % 7 === 6) return null;
    if (pick % 5 === 4) return this.sales[pick % this.sales.length] ?? null;
    return from[pick % from.length] as SaleHandle;
  }

  /** The TypeScript contract's sale (or a stand-in for one it does not hold, to sign a form for). */
  private approvalOf(sale: SaleHandle | null): Approval {
    const known = sale === null ? undefined : this.state.approvals.get(sale.ts);
    if (known !== undefined) return known;
    return {
      id: sale?.ts ?? 'appr:0000000000000000',
      requirementId: sale?.requirement.ts ?? 'req:0000000000000000',
      recordId: sale?.record.ts ?? 'rec:0000000000000000',
      patient: this.address(sale?.record.patient ?? 'patient:alice'),
      institution: this.address(sale?.requirement.institution ?? 'institute:oncology-lab'),
      commitment: templateCommitment(sale?.record.template ?? 0),
      reward: 0,
      exclusive: false,
      stage: 'approved',
      escrow: 0,
      approvedAt: 0,
      deadline: 0,
      grant: null,
      deliveries: [],
      closedAt: null,
    };
  }

  /** The sale's Fig. 3 form as the EVM contract rebuilds it: the same form, its ids spelled as the contract's (0x and 64 hex digits). */
  private evmForm(sale: SaleHandle | null, terms: Approval, time: number): SharingForm {
    return {
      ...sharingFormOf(this.world.config, terms, time),
      approvalId: sale?.evm ?? NO_ID,
      requirementId: sale?.requirement.evm ?? NO_ID,
      recordId: sale?.record.evm ?? NO_ID,
    };
  }

  /**
   * The sender of an action. A natural sender of a sale's step (a patient, an institution, a proxy)
   * is mostly the party of the sale the action names, so that random runs complete sales; one pick
   * in five (a sale pick of 3 mod 5) keeps the picked one (often another party: notRecordOwner, notParty).
   */
  private senderOf(action: Exclude<Action, { kind: 'tick' }>): string {
    const picked = this.sender(action.sender);
    if (!('sale' in action) || !NATURAL[action.kind].includes(picked) || action.sale % 5 === 3) return picked;
    const sale = this.saleOf(action.sale, this.listFor(action.kind));
    if (sale === null) return picked;
    if (action.kind === 'grant') return sale.record.patient;
    if (action.kind === 'deliver') return PROXIES[(action.index - 1) % PROXIES.length] as string;
    return sale.requirement.institution;
  }

  private listFor(kind: Action['kind']): readonly SaleHandle[] {
    if (kind === 'accept') return this.granted;
    if (kind === 'deliver' || kind === 'reclaim') return this.accepted;
    return this.sales;
  }

  /** The action's bytes for the TypeScript contract and its call for the EVM, at claimed time `time`. */
  async build(action: Exclude<Action, { kind: 'tick' }>, time: number): Promise<Built> {
    const sender = this.senderOf(action);
    const signer = this.cred(sender).signingKey;
    const { config } = this.world;
    const envelope = <K extends TransactionKind>(kind: K, body: BodyOf[K]) =>
      signTransaction(config, signer, kind, body, time, { random });
    const both = <K extends TransactionKind>(kind: K, body: BodyOf[K], ids: Parameters<typeof evmCallOf>[3] = {}) => ({
      ts: envelope(kind, body),
      evm: evmCallOf(kind, body, time, ids),
    });
    switch (action.kind) {
      case 'register': {
        const [identity] = MEMBER_POOL[action.identity % MEMBER_POOL.length] as [string, Role];
        const name = action.clear ? identity : this.world.pkg.pseudonymOf(identity);
        const built = both('register', { identity: name, role: action.role });
        // The EVM binds the pseudonym to the member's account.
        return {
          sender,
          ...built,
          // A clear identity gets an account of its own (accountBinding): the member's is bound to its pseudonym.
          evm: {
            functionName: 'register',
            args: [name, ROLE_CODES[action.role], account(action.clear ? `clear:${identity}` : identity), BigInt(time)],
          },
        };
      }
      case 'deposit': {
        const target = this.sender(action.account);
        const amount = { zero: 0, some: 1_000, overflow: Number.MAX_SAFE_INTEGER }[action.amount];
        return { sender, ...both('deposit', { account: this.address(target), amount }) };
      }
      case 'withdraw': {
        const balance = this.state.balances.get(this.address(sender)) ?? 0;
        const amount = { zero: 0, some: 40, all: balance + 1 }[action.amount];
        return { sender, ...both('withdraw', { amount }) };
      }
      case 'publish': {
        const template = action.template % REQUIREMENTS.length;
        const criteriaHash = requirementHash(SHAPE, REQUIREMENTS[template] as Requirement);
        const keywords = [['age'], ['age', 'diabetes']][action.keyword % 2] as string[];
        const body = {
          criteriaHash,
          keywords,
          verificationKey: action.emptyKey ? new Uint8Array(0) : this.world.tsKey,
          reward: action.reward,
          capacity: action.capacity,
          exclusive: action.exclusive,
        };
        return {
          sender,
          ...both('publishRequirement', body, {
            verificationKey: action.emptyKey ? new Uint8Array(0) : this.world.evmKey,
          }),
          ...pairIds('RequirementPublished', 'requirementId', (ts, evm) =>
            this.requirements.push({ ts, evm, template, institution: sender }),
          ),
        };
      }
      case 'close': {
        const requirement = this.requirementOf(action.requirement);
        return {
          sender,
          ...both(
            'closeRequirement',
            { requirementId: requirement?.ts ?? 'req:0000000000000000' },
            { requirement: requirement?.evm },
          ),
        };
      }
      case 'registerRecord': {
        const patientName = this.sender(action.patient);
        const patient = this.address(patientName);
        const template = action.template % RECORDS.length;
        const commitment = templateCommitment(template);
        const consentKey = this.cred(action.signer === 'other' ? otherThan(patientName) : patientName).signingKey;
        const registrant = action.signer === 'otherRegistrant' ? this.address(otherRegistrant(sender)) : this.address(sender);
        const patientSignature = signRecordCommitment(config, consentKey, registrant, commitment, { random });
        return {
          sender,
          ...both('registerRecord', { patient, commitment, patientSignature }),
          ...pairIds('RecordRegistered', 'recordId', (ts, evm) => this.records.push({ ts, evm, template, patient: patientName })),
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
        const patient = naturalRole(sender) === 'patient' && MEMBER_POOL.some(([i]) => i === sender) ? sender : 'patient:alice';
        let made: { proof: Groth16Proof; publicSignals: string[] };
        if (action.proof === 'matching' && requirement !== null && record !== null) {
          made = await this.world.proof(this.address(patient), record.template, requirement.template, T0);
        } else {
          const pool = POOL[action.pool % POOL.length] as (typeof POOL)[number];
          made = await this.world.proof(this.address(pool[0]), pool[1], pool[2], pool[3]);
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
        const binding = BigInt(signals[1] as string) % (1n << 256n);
        const bindingSigner = action.mutation === 'badBindingSignature' ? this.cred(otherThan(sender)).signingKey : signer;
        return {
          sender,
          ts: envelope('submitProof', {
            requirementId: requirement?.ts ?? 'req:0000000000000000',
            recordId: record?.ts ?? 'rec:0000000000000000',
            proof: packProof(proof),
            publicSignals: signals,
            bindingSignature: authSign(bindingSigner, bindingSignable(config.deployment, binding), { random }),
          }),
          evm: {
            functionName: 'submitProof',
            args: [
              requirement?.evm ?? NO_ID,
              record?.evm ?? NO_ID,
              encodeProof(proof),
              encodePublicSignals(signals),
              BigInt(time),
            ],
          },
          ...pairIds('ProofAccepted', 'approvalId', (ts, evm) => {
            if (requirement !== null && record !== null) this.sales.push({ ts, evm, requirement, record });
          }),
        };
      }
      case 'grant': {
        const sale = this.saleOf(action.sale, this.sales);
        const approval = this.approvalOf(sale);
        const patientName = sale?.record.patient ?? 'patient:alice';
        const institutionName = sale?.requirement.institution ?? 'institute:oncology-lab';
        const template = sale?.record.template ?? 0;
        const v = action.variant;
        const issued = grantMaterial(
          this.world,
          patientName,
          v === 'wrongDelegator' ? (template + 1) % RECORDS.length : template,
          v === 'wrongDelegatee' ? otherInstitution(institutionName) : institutionName,
        );
        let reKeyCommitment = issued.issued.reKeyCommitment;
        if (v === 'truncated') reKeyCommitment = reKeyCommitment.subarray(0, reKeyCommitment.length - 1);
        let proxies = [...issued.issued.proxies];
        if (v === 'repeatedProxy') proxies = [proxies[0] as string, proxies[0] as string, proxies[2] as string];
        if (v === 'notAProxy') proxies = [proxies[0] as string, proxies[1] as string, this.address(institutionName)];
        if (v === 'fewerProxies') proxies = proxies.slice(0, 2);
        let header = ciphertextHeader(
          v === 'wrongHeader' ? storedRecord(this.world, patientName, (template + 1) % RECORDS.length) : issued.stored,
        );
        if (v === 'badHeader') header = header.subarray(0, header.length - 1);
        const formTime = v === 'staleForm' ? this.now - MAX_CLOCK_SKEW - 1 : time;
        const terms = { ...approval, reward: approval.reward + (v === 'formReward' ? 1 : 0) };
        const formKey = this.cred(v === 'badForm' ? otherThan(sender) : sender).signingKey;
        const formSignature = signSharingForm(formKey, sharingFormOf(config, terms, formTime), { random });
        const evmFormSignature = signSharingForm(formKey, this.evmForm(sale, terms, formTime), { random });
        return {
          sender,
          sale,
          ...both(
            'grantAccess',
            { approvalId: approval.id, reKeyCommitment, proxies, ciphertextHeader: header, formTime, formSignature },
            { requirement: sale?.requirement.evm, record: sale?.record.evm, formSignature: evmFormSignature },
          ),
          onBothAccepted: () => {
            if (sale !== null) this.granted.push(sale);
          },
        };
      }
      case 'accept': {
        const sale = this.saleOf(action.sale, this.granted);
        const approval = this.approvalOf(sale);
        const formTime = approval.grant?.formTime ?? time;
        const formKey = this.cred(action.variant === 'badForm' ? otherInstitution(sender) : sender).signingKey;
        return {
          sender,
          sale,
          ...both(
            'acceptGrant',
            {
              approvalId: approval.id,
              formSignature: signSharingForm(formKey, sharingFormOf(config, approval, formTime), { random }),
            },
            { approval: sale?.evm, formSignature: signSharingForm(formKey, this.evmForm(sale, approval, formTime), { random }) },
          ),
          onBothAccepted: () => {
            if (sale !== null) this.accepted.push(sale);
          },
        };
      }
      case 'deliver': {
        const sale = this.saleOf(action.sale, this.accepted);
        const index = ((action.index - 1) % PROXIES.length) + 1;
        const template = sale?.record.template ?? 0;
        const material = grantMaterial(
          this.world,
          sale?.record.patient ?? 'patient:alice',
          action.variant === 'otherGrant' ? (template + 1) % RECORDS.length : template,
          sale?.requirement.institution ?? 'institute:oncology-lab',
        );
        // wrongIndex: the partial of the next share, sent by this index's proxy.
        const partialIndex = action.variant === 'wrongIndex' ? (index % PROXIES.length) + 1 : index;
        let partial = partialOf(this.world, material, partialIndex);
        if (action.variant === 'lies') {
          const honest = ga07Verifiable.decodeReEncryptionShare(partial);
          partial = ga07Verifiable.encodeReEncryptionShare({ ...honest, C2: gtMul(honest.C2, Z()) });
        }
        if (action.variant === 'truncated') partial = partial.subarray(0, partial.length - 1);
        return {
          sender,
          sale,
          ...both('deliver', { approvalId: this.approvalOf(sale).id, partial }, { approval: sale?.evm }),
        };
      }
      case 'reclaim': {
        const sale = this.saleOf(action.sale, this.accepted);
        return {
          sender,
          sale,
          ...both('reclaim', { approvalId: this.approvalOf(sale).id }, { approval: sale?.evm }),
        };
      }
    }
  }

  /**
   * Both contracts' states in one canonical form: members with roles, requirements with their
   * escrow, records with their licences and sales in progress, sales with stage, escrow, deadlines,
   * grant and deliveries (partials by keccak256), bindings, balances and the supply.
   */
  async summaries(): Promise<{ ts: Summary; evm: Summary }> {
    return { ts: this.tsSummary(), evm: await this.evmSummary() };
  }

  private tsSummary(): Summary {
    const s = this.state;
    const evmOf = (id: string, list: readonly { ts: string; evm: Hex }[]) => list.find((h) => h.ts === id)?.evm ?? id;
    return {
      members: [...s.members.values()].map((m) => `${m.address}:${m.role}`).sort(),
      requirements: this.requirements
        .map((h) => {
          const r = s.requirements.get(h.ts);
          if (r === undefined) return `${h.evm}: missing`;
          return `${h.evm}|${r.institution}|${r.criteriaHash}|${r.keywords.join(',')}|${r.reward}|${r.capacity}|${r.exclusive}|${r.open}|${r.places}`;
        })
        .sort(),
      records: this.records
        .map((h) => {
          const r = s.records.get(h.ts);
          if (r === undefined) return `${h.evm}: missing`;
          const licences = r.licences.map((l) => `${l.institution}:${evmOf(l.approvalId, this.sales)}:${l.exclusive}:${l.time}`);
          // Sales in progress: how many, how many exclusive (the EVM keeps counts, not the list).
          const pending = `${r.pending.length}/${r.pending.filter((p) => p.exclusive).length}`;
          return `${h.evm}|${r.patient}|${r.registeredBy}|${r.commitment}|${licences.join(';')}|${pending}`;
        })
        .sort(),
      sales: this.sales
        .map((h) => {
          const a = s.approvals.get(h.ts);
          if (a === undefined) return `${h.evm}: missing`;
          const g = a.grant;
          // A settled sale's deadline is not compared: the EVM's holds the end of its dispute window.
          const deadline = a.stage === 'delivered' ? '-' : a.deadline;
          const grant =
            g === null
              ? '-'
              : `${a.patient}|${g.threshold}/${g.proxies.length}|${g.proxies.join(',')}|${g.formTime}|${[...a.deliveries]
                  .sort((x, y) => x.index - y.index)
                  .map((d) => `${d.index}:${keccak256(d.partial)}`)
                  .join(';')}`;
          return `${h.evm}|${a.institution}|${a.reward}|${a.exclusive}|${a.stage}|${a.escrow}|${deadline}|${grant}`;
        })
        .sort(),
      bindings: [...s.bindings].map((b) => BigInt(`0x${b}`).toString()).sort(),
      balances: [...s.balances.entries()]
        .filter(([, v]) => v !== 0)
        .map(([k, v]) => `${k}:${v}`)
        .sort(),
      supply: s.supply,
    };
  }

  private async read(functionName: string, args: readonly unknown[]): Promise<unknown> {
    const data = encodeFunctionData({ abi: medShareAbi, functionName, args } as never);
    const result = await this.world.chain.call({ to: this.world.address, data });
    if (!result.success) throw new Error(`${functionName} reverted: ${result.data}`);
    return decodeFunctionResult({ abi: medShareAbi, functionName, data: result.data } as never);
  }

  /** Records what an indexer would keep of an accepted EVM call's events: bindings, key words (kept across runs). */
  indexEvent(name: string, args: Record<string, unknown>): void {
    if (name === 'ProofAccepted') bindingsSeen.add(args.binding as bigint);
    if (name === 'RequirementPublished') keywordsOf.set(args.requirementId as Hex, (args.keywords as string[]).join(','));
  }

  private async evmSummary(): Promise<Summary> {
    const count = Number(await this.read('memberCount', []));
    const who = new Map<number, string>([[0, '']]);
    const members: string[] = [];
    const balances: string[] = [];
    for (let i = 1; i <= count; i++) {
      const [role, address, balance] = (await this.read('members', [i])) as [number, Hex, bigint];
      const pseudonym = `addr:${address.slice(2).toLowerCase()}`;
      who.set(i, pseudonym);
      members.push(`${pseudonym}:${ROLE_NAMES[role]}`);
      if (balance !== 0n) balances.push(`${pseudonym}:${balance}`);
    }
    const requirements: string[] = [];
    for (const h of this.requirements) {
      const q = (await this.read('requirementOf', [h.evm])) as {
        criteriaHash: bigint;
        institution: number;
        reward: bigint;
        capacity: number;
        exclusive: boolean;
        open: boolean;
        places: number;
      };
      requirements.push(
        `${h.evm}|${who.get(q.institution)}|${q.criteriaHash}|${keywordsOf.get(h.evm) ?? '?'}|${q.reward}|${q.capacity}|${q.exclusive}|${q.open}|${q.places}`,
      );
    }
    const records: string[] = [];
    for (const h of this.records) {
      const [patient, registeredBy, licenceCount, , , , pendingCount, pendingExclusive] = (await this.read('records', [
        h.evm,
      ])) as [number, number, number, number, number, boolean, number, number];
      const commitment = templateCommitment(h.template);
      // The commitment is the key of recordOfCommitment: check that it names this record.
      if ((await this.read('recordOfCommitment', [commitment])) !== h.evm)
        throw new Error(`record ${h.evm}: commitment not indexed`);
      const licences: string[] = [];
      for (let i = 0; i < licenceCount; i++) {
        const [approvalId, institution, exclusive, time] = (await this.read('licences', [h.evm, BigInt(i)])) as [
          Hex,
          number,
          boolean,
          bigint,
        ];
        licences.push(`${who.get(institution)}:${approvalId}:${exclusive}:${time}`);
      }
      records.push(
        `${h.evm}|${who.get(patient)}|${who.get(registeredBy)}|${commitment}|${licences.join(';')}|${pendingCount}/${pendingExclusive}`,
      );
    }
    const sales: string[] = [];
    for (const h of this.sales) {
      const [stageCode, exclusive, reward, saleDeadline, institution, threshold, total, , , formTime] = (await this.read(
        'sales',
        [h.evm],
      )) as [number, boolean, bigint, bigint, number, number, number, number, number, bigint];
      const [, recordId] = (await this.read('grants', [h.evm])) as [Hex, Hex, bigint, Hex];
      const stage = EVM_STAGES[stageCode] ?? `stage ${stageCode}`;
      // The escrow is the reward while the sale is open (approved, granted, accepted, settling, disputed).
      const escrow = stage === 'delivered' || stage === 'refunded' ? 0n : reward;
      let grant = '-';
      if (total > 0) {
        const [patient] = (await this.read('records', [recordId])) as [number];
        const proxies: string[] = [];
        const deliveries: string[] = [];
        for (let i = 1; i <= total; i++) {
          const slot = (await this.read('proxySlots', [h.evm, BigInt((i - 1) >> 3)])) as bigint;
          proxies.push(who.get(Number((slot >> BigInt(32 * ((i - 1) % 8))) & 0xffff_ffffn)) ?? '?');
          const hash = (await this.read('partialHashOf', [h.evm, BigInt(i)])) as Hex;
          if (BigInt(hash) !== 0n) deliveries.push(`${i}:${hash}`);
        }
        grant = `${who.get(patient)}|${threshold}/${total}|${proxies.join(',')}|${formTime}|${deliveries.join(';')}`;
      }
      const deadline = stage === 'delivered' ? '-' : saleDeadline;
      sales.push(`${h.evm}|${who.get(institution)}|${reward}|${exclusive}|${stage}|${escrow}|${deadline}|${grant}`);
    }
    const bindings: string[] = [];
    for (const b of bindingsSeen) if ((await this.read('bindingUsed', [b])) as boolean) bindings.push(b.toString());
    return {
      members: members.sort(),
      requirements: requirements.sort(),
      records: records.sort(),
      sales: sales.sort(),
      bindings: bindings.sort(),
      balances: balances.sort(),
      supply: Number(await this.read('supply', [])),
    };
  }
}

/** Bindings seen in ProofAccepted events and key words in RequirementPublished events, over every run. */
const bindingsSeen = new Set<bigint>();
const keywordsOf = new Map<Hex, string>();

const ROLE_NAMES = ['', 'patient', 'hospital', 'institution', 'proxy', 'verifier'] as const;
/** The EVM's sale stages by code: the reference's five and the optimistic delivery's two. */
const EVM_STAGES = ['none', 'approved', 'granted', 'accepted', 'delivered', 'refunded', 'settling', 'disputed'] as const;

/** A summary of one contract's state, as sorted strings. */
export interface Summary {
  members: string[];
  requirements: string[];
  records: string[];
  sales: string[];
  bindings: string[];
  balances: string[];
  supply: number;
}

export interface Built {
  readonly sender: string;
  readonly sale?: SaleHandle | null;
  readonly ts: Uint8Array;
  readonly evm: EvmCall;
  readonly onTsAccepted?: (id: string) => void;
  readonly onEvmEvent?: (name: string, args: Record<string, unknown>) => void;
  readonly onBothAccepted?: () => void;
}

/**
 * The hooks that pair the ids of an object both contracts create: the TypeScript contract's (its
 * outcome's id) and the EVM's (`field` of the `event` log), handed to `store` once both accepted.
 */
function pairIds(
  event: string,
  field: string,
  store: (ts: string, evm: Hex) => void,
): Pick<Built, 'onTsAccepted' | 'onEvmEvent' | 'onBothAccepted'> {
  let tsId = '';
  let evmId: Hex | null = null;
  return {
    onTsAccepted: (id) => {
      tsId = id;
    },
    onEvmEvent: (name, args) => {
      if (name === event) evmId = args[field] as Hex;
    },
    onBothAccepted: () => {
      if (evmId !== null) store(tsId, evmId);
    },
  };
}

/** derivedId('appr', requirement, record), as the TypeScript contract computes an approval's id. */
export function approvalTsId(requirement: string, record: string): string {
  return derivedId('appr', utf8(requirement), utf8(record));
}

function otherThan(identity: string): string {
  return identity === 'patient:bob' ? 'patient:alice' : 'patient:bob';
}
function otherInstitution(institution: string | undefined): string {
  return institution === 'institute:pharma-co' ? 'institute:oncology-lab' : 'institute:pharma-co';
}
/** A registrant other than `sender` (for a consent naming someone else). */
function otherRegistrant(sender: string): string {
  return sender === 'hospital:st-mary' ? 'hospital:general' : 'hospital:st-mary';
}

const storedCache = new Map<string, ReturnType<typeof encryptRecord>>();
/** The ciphertext of a record template for a patient (its own record identity), made once. */
export function storedRecord(world: DifferentialWorld, patient: string, template: number): ReturnType<typeof encryptRecord> {
  const key = `${patient}|${template}`;
  let c = storedCache.get(key);
  if (c === undefined) {
    const record = RECORDS[template] as MedicalRecord;
    c = encryptRecord(
      world.pkg.preParams,
      world.creds.get(patient)?.address ?? patient,
      templateCommitment(template),
      [...record] as number[],
      blindingOf(record),
      {
        random,
      },
    );
    storedCache.set(key, c);
  }
  return c;
}

interface GrantMaterial {
  readonly key: string;
  readonly issued: IssuedReKey;
  readonly stored: ReturnType<typeof encryptRecord>;
}
const grantCache = new Map<string, GrantMaterial>();
/** The 2-of-3 re-encryption key of a patient's record template for an institution, its shares sealed to the three proxies. */
export function grantMaterial(world: DifferentialWorld, patient: string, template: number, institution: string): GrantMaterial {
  const key = `${patient}|${template}|${institution}`;
  let g = grantCache.get(key);
  if (g === undefined) {
    const address = (name: string) => world.creds.get(name)?.address ?? name;
    const issued = issueReKey(
      world.pkg.preParams,
      world.pkg.recordKey(address(patient), templateCommitment(template)),
      address(institution),
      PROXIES.map(address),
      THRESHOLD,
      { random },
    );
    g = { key, issued, stored: storedRecord(world, patient, template) };
    grantCache.set(key, g);
  }
  return g;
}

const partialCache = new Map<string, Uint8Array>();
/** Proxy `index`'s honest partial re-encryption for a grant (its share opened with the proxy's key), made once. */
export function partialOf(world: DifferentialWorld, material: GrantMaterial, index: number): Uint8Array {
  const key = `${material.key}|${index}`;
  let p = partialCache.get(key);
  if (p === undefined) {
    const proxy = world.creds.get(PROXIES[index - 1] as string) as Credentials;
    const sealed = material.issued.sealedShares[index - 1]?.sealed as Uint8Array;
    const share = ga07Verifiable.decodeReKeyShare(
      ga07.decrypt(world.pkg.preParams, proxy.decryptionKey, ga07.decodeCiphertext(sealed)),
    );
    p = ga07Verifiable.encodeReEncryptionShare(
      ga07Verifiable.reEncryptShare(world.pkg.preParams, share, material.stored, { random }),
    );
    partialCache.set(key, p);
  }
  return p;
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
  deposit: [AUTHORITY],
  withdraw: ['patient:alice', 'patient:bob', 'institute:oncology-lab', 'institute:pharma-co'],
  publish: ['institute:oncology-lab', 'institute:pharma-co'],
  close: ['institute:oncology-lab', 'institute:pharma-co'],
  registerRecord: ['hospital:st-mary', 'patient:alice', 'patient:bob'],
  submit: ['patient:alice', 'patient:bob'],
  grant: ['patient:alice', 'patient:bob'],
  accept: ['institute:oncology-lab', 'institute:pharma-co'],
  deliver: [...PROXIES],
  reclaim: ['institute:oncology-lab', 'institute:pharma-co'],
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
const rare = <T>(usual: T, ...others: T[]): fc.Arbitrary<T> =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) });

/** Random actions, honest ones more likely than hostile ones. */
export const arbAction: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      seconds: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 200 }) },
        { weight: 1, arbitrary: fc.integer({ min: 900, max: 3200 }) },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      sender: senderFor('register'),
      identity: fc.nat({ max: MEMBER_POOL.length - 1 }),
      role: fc.constantFrom<Role>('patient', 'hospital', 'institution', 'proxy', 'verifier'),
      clear: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      time: timeMode,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deposit' as const),
      sender: senderFor('deposit'),
      account: fc.nat({ max: EVERYONE.length - 1 }),
      amount: rare('some' as const, 'zero' as const, 'overflow' as const),
      time: timeMode,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('withdraw' as const),
      sender: senderFor('withdraw'),
      amount: fc.constantFrom('zero' as const, 'some' as const, 'all' as const),
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
      capacity: fc.constantFrom(1, 2, 5, 0),
      keyword: fc.nat({ max: 1 }),
      emptyKey: rare(false, true),
      time: timeMode,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('close' as const), sender: senderFor('close'), requirement: pick, time: timeMode }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('registerRecord' as const),
      sender: senderFor('registerRecord'),
      patient: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(EVERYONE.indexOf('patient:alice'), EVERYONE.indexOf('patient:bob')) },
        { weight: 1, arbitrary: fc.nat({ max: EVERYONE.length - 1 }) },
      ),
      template: fc.nat({ max: RECORDS.length - 1 }),
      signer: rare('patient' as const, 'other' as const, 'otherRegistrant' as const),
      time: timeMode,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      sender: senderFor('submit'),
      requirement: pick,
      record: pick,
      proof: rare('matching' as const, 'pool' as const),
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
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      sender: senderFor('grant'),
      sale: pick,
      variant: rare(
        'ok' as const,
        'wrongDelegatee' as const,
        'wrongDelegator' as const,
        'truncated' as const,
        'repeatedProxy' as const,
        'notAProxy' as const,
        'fewerProxies' as const,
        'wrongHeader' as const,
        'badHeader' as const,
        'badForm' as const,
        'formReward' as const,
        'staleForm' as const,
      ),
      time: timeMode,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('accept' as const),
      sender: senderFor('accept'),
      sale: pick,
      variant: rare('ok' as const, 'badForm' as const),
      time: timeMode,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      sender: senderFor('deliver'),
      sale: pick,
      index: fc.integer({ min: 1, max: PROXIES.length }),
      variant: rare('ok' as const, 'lies' as const, 'truncated' as const, 'wrongIndex' as const, 'otherGrant' as const),
      time: timeMode,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('reclaim' as const), sender: senderFor('reclaim'), sale: pick, time: timeMode }),
  },
);

/** A submission of a matching proof (honest unless `extra` says otherwise). */
export function submitAction(sender: number, requirement: number, record: number, extra: Partial<Action> = {}): Action {
  return {
    kind: 'submit',
    sender,
    requirement,
    record,
    proof: 'matching',
    pool: 0,
    mutation: 'none',
    aliasIndex: 0,
    time: 'now',
    ...extra,
  } as Action;
}

/** Every refusal reason the EVM can give, for coverage reports. */
export const EVM_REASONS = new Set<RefusalReason>(Object.values(REFUSAL_OF_ERROR));

/**
 * An honest sale, for random runs to complete sales among hostile steps: a natural patient submits
 * a matching proof for one of its records, grants (2-of-3), the institution accepts, and two of the
 * three proxies deliver (the third is down). Any step may still be refused (a duplicate, R = 0,
 * another sale's licence, a full requirement), which both contracts must then agree on.
 */
export const arbSale: fc.Arbitrary<Action[]> = fc
  .record({
    patient: fc.constantFrom(EVERYONE.indexOf('patient:alice'), EVERYONE.indexOf('patient:bob')),
    requirement: pick,
    record: pick.filter((r) => r % 3 !== 0),
    institution: fc.constantFrom(...NATURAL.accept.map((i) => EVERYONE.indexOf(i))),
    down: fc.integer({ min: 1, max: PROXIES.length }),
  })
  .map(({ patient, requirement, record, institution, down }): Action[] => {
    const indices = [1, 2, 3].filter((i) => i !== down);
    return [
      submitAction(patient, requirement, record),
      { kind: 'grant', sender: patient, sale: -1, variant: 'ok', time: 'now' },
      { kind: 'accept', sender: institution, sale: -1, variant: 'ok', time: 'now' },
      ...indices.map(
        (index): Action => ({
          kind: 'deliver',
          sender: EVERYONE.indexOf(PROXIES[index - 1] as string),
          sale: -1,
          index,
          variant: 'ok',
          time: 'now',
        }),
      ),
    ];
  });

/** A random run: single actions and, now and then, an honest sale (arbSale), 6-34 steps. */
export const arbActions: fc.Arbitrary<Action[]> = fc
  .array(fc.oneof({ weight: 6, arbitrary: arbAction.map((a) => [a]) }, { weight: 1, arbitrary: arbSale }), {
    minLength: 6,
    maxLength: 16,
  })
  .map((runs) => runs.flat().slice(0, 34));
