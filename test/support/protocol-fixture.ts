/**
 * A small world for the contract tests: a PKG, registered parties, a published requirement and a
 * registered record, built by applying transactions to the contract directly (no PBFT).
 * The proof system is the STAND-IN (src/protocol/proof-system.ts): it accepts exactly the
 * (vk, proof, signals) triples its prover issued, which is what the refusal tests need.
 */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  applyTransaction,
  type ContractConfig,
  type ContractState,
  type Credentials,
  createContractState,
  createPkg,
  decodeContractTransaction,
  encryptRecord,
  type MedicalRecord,
  type Outcome,
  type Pkg,
  type ProofKeys,
  type ProofSystem,
  type Requirement,
  type Role,
  signRecordCommitment,
  signTransaction,
  standInProofSystem,
} from '../../src/protocol/index.js';
import { seededRandom } from '../../src/testing/random.js';

export const T0 = 1_700_000_000;
export const zk = standInProofSystem();
export const random = seededRandom('protocol-fixture');

export const IDS = {
  patient: 'patient:alice',
  otherPatient: 'patient:bob',
  hospital: 'hospital:st-mary',
  labA: 'institute:oncology-lab',
  labB: 'institute:pharma-co',
  proxy: 'proxy:cloud-1',
  proxy2: 'proxy:cloud-2',
  verifier: 'verifier:node-0',
  stranger: 'stranger:mallory',
} as const;

export const RECORD: MedicalRecord = [52, 128, 61, 250];
export const OTHER_RECORD: MedicalRecord = [47, 131, 58, 250];
export const UNFIT_RECORD: MedicalRecord = [30, 120, 50, 250];
export const REQUIREMENT_A: Requirement = {
  criteria: [
    { field: 0, min: 40, max: 65 },
    { field: 3, min: 250, max: 250 },
  ],
  nonce: 0x5eed_a11c_e0dd_ba11n,
};
export const REQUIREMENT_B: Requirement = { criteria: [{ field: 0, min: 18, max: 90 }], nonce: 0xb0b_5eed_f00dn };

/**
 * The blinding rho of a test record's commitment: fixed per record (SHA-256 of its values, top
 * bits cleared, below the BN254 order) so that every test commits a record the same way.
 */
export function blindingOf(record: readonly (number | bigint)[]): bigint {
  const digest = sha256(new TextEncoder().encode(`test-blinding:${record.join(',')}`));
  digest[0] = (digest[0] as number) & 0x1f;
  return bytesToNumberBE(digest) + 1n;
}

/** The commitment of a test record under {@link blindingOf}. */
export function commitmentOf(zk: Pick<ProofSystem, 'commitRecord'>, record: MedicalRecord): bigint {
  return zk.commitRecord(record, blindingOf(record));
}

export interface World {
  /** The proof system the world was built with (the stand-in unless a test passes another). */
  zk: ProofSystem;
  pkg: Pkg;
  config: ContractConfig;
  keys: ProofKeys;
  creds: Record<keyof typeof IDS, Credentials>;
  state: ContractState;
  requirementA: string;
  requirementB: string;
  recordId: string;
  otherRecordId: string;
  unfitRecordId: string;
}

/**
 * The block time a test applies a transaction at when it does not say: the time the sender stamped
 * (an honest sender's clock agrees with the ordering layer's), or the contract clock when the bytes
 * do not decode.
 */
export function stampedTime(state: ContractState, operation: Uint8Array): number {
  try {
    return decodeContractTransaction(operation).time;
  } catch {
    return state.clock;
  }
}

/** Applies `operation` and throws unless it was accepted; returns the next state and the entry id. */
export function applyOk(
  world: Pick<World, 'config' | 'zk'>,
  state: ContractState,
  operation: Uint8Array,
  blockTime = stampedTime(state, operation),
) {
  const { state: next, outcome } = applyTransaction(state, operation, world.config, world.zk, blockTime);
  if (!outcome.accepted) throw new Error(`expected acceptance, got ${outcome.reason}: ${outcome.detail}`);
  return { state: next, id: outcome.id };
}

/** Applies `operation` in a block of time `blockTime` and returns the outcome (refused or not) and next state. */
export function apply(
  world: Pick<World, 'config' | 'zk'>,
  state: ContractState,
  operation: Uint8Array,
  blockTime = stampedTime(state, operation),
) {
  return applyTransaction(state, operation, world.config, world.zk, blockTime) as { state: ContractState; outcome: Outcome };
}

const ROLE_OF: Record<keyof typeof IDS, Role> = {
  patient: 'patient',
  otherPatient: 'patient',
  hospital: 'hospital',
  labA: 'institution',
  labB: 'institution',
  proxy: 'proxy',
  proxy2: 'proxy',
  verifier: 'verifier',
  stranger: 'patient',
};

export async function makeWorld(proofSystem: ProofSystem = zk): Promise<World> {
  const zk = proofSystem;
  const pkg = createPkg({ random });
  const config = pkg.contractConfig({ maxProofAge: 600, maxClockSkew: 60 });
  const creds = Object.fromEntries(
    (Object.keys(IDS) as (keyof typeof IDS)[]).map((k) => [k, pkg.enroll(IDS[k], ROLE_OF[k])]),
  ) as Record<keyof typeof IDS, Credentials>;
  let state = createContractState();
  for (const k of Object.keys(IDS) as (keyof typeof IDS)[]) {
    if (k === 'stranger') continue; // enrolled with keys, never registered
    state = applyOk({ config, zk }, state, pkg.registration(IDS[k], ROLE_OF[k], T0, { random })).state;
  }
  const keys = await zk.keyGen(4, { random });
  const publish = (who: Credentials, requirement: Requirement, exclusive: boolean, reward: number) =>
    signTransaction(
      who.signingKey,
      'publishRequirement',
      {
        criteriaHash: zk.requirementHash(requirement),
        keywords: ['age'],
        verificationKey: keys.verificationKey,
        reward,
        exclusive,
      },
      T0 + 10,
      { random },
    );
  const a = applyOk({ config, zk }, state, publish(creds.labA, REQUIREMENT_A, true, 100));
  const b = applyOk({ config, zk }, a.state, publish(creds.labB, REQUIREMENT_B, false, 150));
  state = b.state;
  const register = (record: MedicalRecord) =>
    signTransaction(
      creds.hospital.signingKey,
      'registerRecord',
      {
        patient: IDS.patient,
        commitment: commitmentOf(zk, record),
        patientSignature: signRecordCommitment(creds.patient.signingKey, commitmentOf(zk, record), { random }),
      },
      T0 + 20,
      { random },
    );
  const r1 = applyOk({ config, zk }, state, register(RECORD));
  const r2 = applyOk({ config, zk }, r1.state, register(OTHER_RECORD));
  const r3 = applyOk({ config, zk }, r2.state, register(UNFIT_RECORD));
  return {
    zk,
    pkg,
    config,
    keys,
    creds,
    state: r3.state,
    requirementA: a.id,
    requirementB: b.id,
    recordId: r1.id,
    otherRecordId: r2.id,
    unfitRecordId: r3.id,
  };
}

/** The ciphertext the hospital stores with the proxy: `record` and its blinding encrypted to the identity of `registered`. */
export function stored(world: World, record: MedicalRecord = RECORD, registered: MedicalRecord = record) {
  return encryptRecord(world.pkg.preParams, IDS.patient, commitmentOf(world.zk, registered), record, blindingOf(record), {
    random,
  });
}

/** The patient's key for a registered record's identity. */
export function recordKey(world: World, record: MedicalRecord = RECORD) {
  return world.pkg.recordKey(IDS.patient, commitmentOf(world.zk, record));
}
