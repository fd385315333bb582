/**
 * A small world for the EVM contract tests: an in-process Prague chain, a PKG, the MedShare
 * contract, parties with AuthSign keys and accounts, and real Groth16 proofs of the test circuit
 * (test/support/zk.ts: n = 8 fields of 16 bits, K = 4 criteria). Calls go straight to the VM
 * (the JSON-RPC path is exercised in test/evm-client.test.ts).
 */
import { decodeEventLog, encodeDeployData, encodeFunctionData, type Hex } from 'viem';
import { medShareAbi, medShareBytecode } from '../../src/evm/artifacts.js';
import {
  decodeRevert,
  type EvmDomain,
  encodeAuthSignParams,
  encodeProof,
  encodePublicSignals,
  encodeVerificationKey,
  formSignable,
  identityField,
  ROLE_CODES,
  recordSignable,
  encodeSignature,
  type RefusalError,
} from '../../src/evm/encoding.js';
import type { ChainReceipt, InProcessChain } from '../../src/evm/in-process.js';
import type { RefusalReason } from '../../src/protocol/contract.js';
import { createPkg, type Credentials, type Pkg } from '../../src/protocol/parties.js';
import type { Role } from '../../src/protocol/transactions.js';
import { authSign } from '../../src/sign/cha-cheon.js';
import {
  commitRecord,
  type KeyPair,
  type MedicalRecord,
  type ProofResult,
  type Requirement,
  requirementHash,
} from '../../src/zk/index.js';
import { cachedProof } from './evm-proofs.js';
import { addressOf, DEPLOYER, hex, testChain, testKey } from './evm.js';
import { blindingOf } from './protocol-fixture.js';
import { seededRandom } from '../../src/testing/random.js';
import { SHAPE, testKeys } from './zk.js';

export const T0 = 1_700_000_000;
export const AUTHORITY = 'ca:membership';
export const MAX_PROOF_AGE = 600;
export const MAX_CLOCK_SKEW = 60;

export const PARTIES = {
  patient: ['patient:alice', 'patient'],
  otherPatient: ['patient:bob', 'patient'],
  hospital: ['hospital:st-mary', 'hospital'],
  labA: ['institute:oncology-lab', 'institution'],
  labB: ['institute:pharma-co', 'institution'],
  proxy: ['proxy:cloud-1', 'proxy'],
  verifier: ['verifier:node-0', 'verifier'],
  stranger: ['stranger:mallory', 'patient'],
} as const satisfies Record<string, readonly [string, Role]>;
export type PartyName = keyof typeof PARTIES | 'authority';

export const RECORD: MedicalRecord = [52, 128, 61, 250, 1, 0, 37, 90];
export const OTHER_RECORD: MedicalRecord = [47, 131, 58, 250, 3, 9, 12, 1];
export const UNFIT_RECORD: MedicalRecord = [30, 120, 50, 250, 0, 0, 0, 0];
export const REQUIREMENT_A: Requirement = {
  criteria: [
    { field: 0, min: 40, max: 65 },
    { field: 3, min: 250, max: 250 },
  ],
  nonce: 0x5eed_a11c_e0dd_ba11n,
};
export const REQUIREMENT_B: Requirement = { criteria: [{ field: 0, min: 18, max: 90 }], nonce: 0xb0b_5eed_f00dn };

/** The hiding commitment of a test record, under its fixed test blinding (protocol-fixture's {@link blindingOf}). */
export function commitmentOf(record: MedicalRecord): bigint {
  return commitRecord(SHAPE, record, blindingOf(record));
}

/** A party: identity, role, AuthSign credentials, account key and address. */
export interface Party {
  readonly identity: string;
  readonly role: Role;
  readonly credentials: Credentials;
  readonly key: Uint8Array;
  readonly account: Hex;
}

/** What one call did on chain. */
export interface CallOutcome {
  readonly accepted: boolean;
  /** The RefusalReason, when refused. */
  readonly reason: RefusalReason | null;
  /** The contract error's name, when refused with a named error. */
  readonly error: RefusalError | null;
  readonly gasUsed: bigint;
  readonly receipt: ChainReceipt;
  /** Decoded events, when accepted. */
  readonly events: { eventName: string; args: Record<string, unknown> }[];
}

export interface EvmWorld {
  chain: InProcessChain;
  pkg: Pkg;
  address: Hex;
  domain: EvmDomain;
  parties: Record<PartyName, Party>;
  keys: KeyPair;
  verificationKey: Uint8Array;
  /** Sends `functionName(args)` from `who` in a block at `time` (the chain's next block time when omitted). */
  send(who: PartyName, functionName: string, args: readonly unknown[], time?: number): Promise<CallOutcome>;
  /** A view of the contract. */
  read(functionName: string, args: readonly unknown[]): Promise<unknown>;
}

export const random = seededRandom('evm-world');

/** Builds the world: deploys MedShare and registers every party but the stranger. */
export async function makeEvmWorld(options: { chainId?: number; register?: boolean } = {}): Promise<EvmWorld> {
  const names = Object.keys(PARTIES) as (keyof typeof PARTIES)[];
  const authorityKey = testKey('authority');
  const chain = await testChain({
    ...(options.chainId === undefined ? {} : { chainId: options.chainId }),
    time: T0,
    accounts: [authorityKey, ...names.map((n) => testKey(PARTIES[n][0]))],
  });
  const pkg = createPkg({ random: seededRandom('evm-pkg'), authority: AUTHORITY });
  const deployed = await chain.execute(DEPLOYER, {
    data: encodeDeployData({
      abi: medShareAbi,
      bytecode: medShareBytecode,
      args: [
        AUTHORITY,
        addressOf(authorityKey),
        hex(encodeAuthSignParams(pkg.signParams)),
        BigInt(MAX_PROOF_AGE),
        BigInt(MAX_CLOCK_SKEW),
      ],
    }),
    gasLimit: 29_000_000n,
  });
  if (!deployed.success || deployed.contractAddress === null) throw new Error(`deployment failed ${deployed.revertData}`);
  const address = deployed.contractAddress;
  const parties = {} as Record<PartyName, Party>;
  parties.authority = {
    identity: AUTHORITY,
    role: 'verifier',
    credentials: pkg.enroll(AUTHORITY, 'verifier'),
    key: authorityKey,
    account: addressOf(authorityKey),
  };
  for (const n of names) {
    const [identity, role] = PARTIES[n];
    const key = testKey(identity);
    parties[n] = { identity, role, credentials: pkg.enroll(identity, role), key, account: addressOf(key) };
  }
  const keys = await testKeys('zk-keys');
  const world: EvmWorld = {
    chain,
    pkg,
    address,
    domain: { chainId: chain.chainId, contract: address },
    parties,
    keys,
    verificationKey: encodeVerificationKey(keys.verificationKey),
    async send(who, functionName, args, time) {
      if (time !== undefined) chain.setTime(time);
      const data = encodeFunctionData({ abi: medShareAbi, functionName, args } as never);
      const receipt = await chain.execute(parties[who].key, { to: address, data, gasLimit: 5_000_000n });
      const revert = receipt.success ? null : decodeRevert(receipt.revertData);
      if (revert !== null && revert.kind !== 'refusal')
        throw new Error(`${functionName}: unexpected revert ${receipt.revertData}`);
      return {
        accepted: receipt.success,
        reason: revert?.kind === 'refusal' ? revert.reason : null,
        error: revert?.kind === 'refusal' ? revert.error : null,
        gasUsed: receipt.gasUsed,
        receipt,
        events: receipt.logs.map((log) => {
          const e = decodeEventLog({ abi: medShareAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
          return { eventName: e.eventName, args: e.args as unknown as Record<string, unknown> };
        }),
      };
    },
    async read(functionName, args) {
      const data = encodeFunctionData({ abi: medShareAbi, functionName, args } as never);
      const result = await chain.call({ to: address, data });
      if (!result.success) throw new Error(`${functionName} reverted`);
      const { decodeFunctionResult } = await import('viem');
      return decodeFunctionResult({ abi: medShareAbi, functionName, data: result.data } as never);
    },
  };
  if (options.register !== false) {
    for (const n of names) {
      if (n === 'stranger') continue;
      const p = parties[n];
      const out = await world.send('authority', 'register', [p.identity, ROLE_CODES[p.role], p.account, BigInt(T0)], T0);
      if (!out.accepted) throw new Error(`register ${p.identity}: ${out.reason}`);
    }
  }
  return world;
}

/** publishRequirement arguments. */
export function publishArgs(
  world: EvmWorld,
  requirement: Requirement,
  options: { exclusive?: boolean; reward?: number; keywords?: string[]; key?: Uint8Array; time?: number } = {},
) {
  return [
    requirementHash(SHAPE, requirement),
    options.keywords ?? ['age'],
    hex(options.key ?? world.verificationKey),
    BigInt(options.reward ?? 100),
    options.exclusive ?? false,
    BigInt(options.time ?? world.chain.time),
  ] as const;
}

/** The patient's sigma_a on a record commitment for this deployment (or another domain). */
export function recordSignature(
  world: EvmWorld,
  who: PartyName,
  patient: string,
  commitment: bigint,
  domain = world.domain,
): Hex {
  return hex(
    encodeSignature(authSign(world.parties[who].credentials.signingKey, recordSignable(domain, patient, commitment), { random })),
  );
}

/** registerRecord arguments, signed by the patient. */
export function registerArgs(world: EvmWorld, record: MedicalRecord, options: { patient?: PartyName; time?: number } = {}) {
  const who = options.patient ?? 'patient';
  const patient = world.parties[who].identity;
  const commitment = commitmentOf(record);
  return [
    patient,
    commitment,
    recordSignature(world, who, patient, commitment),
    BigInt(options.time ?? world.chain.time),
  ] as const;
}

/** A real proof about `record` and `requirement` for `patient` at time T. */
export function proofFor(
  world: EvmWorld,
  record: MedicalRecord,
  requirement: Requirement,
  options: { patient?: string; timestamp?: number; salt?: bigint } = {},
): Promise<ProofResult> {
  return cachedProof(world.keys, {
    record,
    blinding: blindingOf(record),
    requirement,
    salt: options.salt ?? 1234n,
    patientId: identityField(options.patient ?? world.parties.patient.identity),
    timestamp: BigInt(options.timestamp ?? T0),
  });
}

/** submitProof arguments. */
export function submitArgs(requirementId: Hex, recordId: Hex, proof: ProofResult, time: number) {
  return [requirementId, recordId, encodeProof(proof.proof), encodePublicSignals(proof.publicSignals), BigInt(time)] as const;
}

/** The Fig. 3 form signed by `patient` and `institution` (either signer can be replaced). */
export function signedForm(
  world: EvmWorld,
  form: { patient: string; institution: string; commitment: bigint; timestamp: number },
  signers: { patient?: PartyName; institution?: PartyName; domain?: EvmDomain } = {},
) {
  const f = {
    patient: form.patient,
    institution: form.institution,
    dataHash: numberTo32(form.commitment),
    timestamp: form.timestamp,
  };
  const signable = formSignable(signers.domain ?? world.domain, f);
  const sign = (who: PartyName) =>
    hex(encodeSignature(authSign(world.parties[who].credentials.signingKey, signable, { random })));
  return {
    patient: f.patient,
    institution: f.institution,
    dataHash: hex(f.dataHash),
    timestamp: BigInt(f.timestamp),
    patientSignature: sign(signers.patient ?? 'patient'),
    institutionSignature: sign(signers.institution ?? 'labA'),
  };
}

export function numberTo32(x: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));
}
