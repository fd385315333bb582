/**
 * A small world for the contract tests: a PKG, parties registered under their pseudonyms, funded
 * institutions, two published (escrowed) requirements and three registered records, built by
 * applying transactions to the contract directly (no PBFT), and helpers for each step of a sale.
 * The proof system is the STAND-IN (src/protocol/proof-system.ts): it accepts exactly the
 * (vk, proof, signals) triples its prover issued, which is what the refusal tests need.
 */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  acceptGrant,
  type Approval,
  applyTransaction,
  bindingSignable,
  type ContractConfig,
  type ContractState,
  type Credentials,
  createContractState,
  createPkg,
  decodeContractTransaction,
  encryptRecord,
  grantAccess,
  type IssuedReKey,
  issueReKey,
  type MedicalRecord,
  type Outcome,
  type Pkg,
  type ProofKeys,
  type ProofSystem,
  proxyReEncrypt,
  type Requirement,
  type Role,
  signRecordCommitment,
  signTransaction,
  standInProofSystem,
} from '../../src/protocol/index.js';
import { gtMul, Z } from '../../src/internal/bls.js';
import { ga07Verifiable } from '../../src/pre/ga07-verifiable.js';
import { authSign } from '../../src/sign/cha-cheon.js';
import { seededRandom } from '../../src/testing/random.js';

export const T0 = 1_700_000_000;
export const zk = standInProofSystem();
export const random = seededRandom('protocol-fixture');

/** The parties' true identities: the ledger only ever sees their pseudonyms (`creds[k].address`). */
export const IDS = {
  patient: 'patient:alice',
  otherPatient: 'patient:bob',
  hospital: 'hospital:st-mary',
  otherHospital: 'hospital:st-elsewhere',
  labA: 'institute:oncology-lab',
  labB: 'institute:pharma-co',
  proxy: 'proxy:cloud-1',
  proxy2: 'proxy:cloud-2',
  proxy3: 'proxy:cloud-3',
  verifier: 'verifier:node-0',
  stranger: 'stranger:mallory',
} as const;
export type Party = keyof typeof IDS;
export const PROXIES = ['proxy', 'proxy2', 'proxy3'] as const;

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
/** Lab A's terms: exclusive, reward 100, two places. Lab B's: non-exclusive, reward 150, two places. */
export const REWARD_A = 100;
export const REWARD_B = 150;
export const FUNDS = 1000;

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
  creds: Record<Party, Credentials>;
  /** The pseudonym of each party. */
  addr: Record<Party, string>;
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
    return Math.max(state.clock, decodeContractTransaction(operation).time);
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

const ROLE_OF: Record<Party, Role> = {
  patient: 'patient',
  otherPatient: 'patient',
  hospital: 'hospital',
  otherHospital: 'hospital',
  labA: 'institution',
  labB: 'institution',
  proxy: 'proxy',
  proxy2: 'proxy',
  proxy3: 'proxy',
  verifier: 'verifier',
  stranger: 'patient',
};

/** The test deployment's coordinates. */
export const CHAIN = 'medshare-test';
export const CONTRACT = 'sharing-v2';

export function makeConfig(pkg: Pkg, chain = CHAIN, contract = CONTRACT): ContractConfig {
  return pkg.contractConfig({ chain, contract, maxProofAge: 600, maxClockSkew: 60, grantWindow: 1000, deliveryWindow: 500 });
}

/** The `publishRequirement` transaction of `who` for `requirement`. */
export function publishOp(
  world: Pick<World, 'config' | 'keys' | 'zk'>,
  who: Credentials,
  requirement: Requirement,
  terms: { exclusive: boolean; reward: number; capacity?: number },
  time: number,
) {
  return signTransaction(
    world.config,
    who.signingKey,
    'publishRequirement',
    {
      criteriaHash: world.zk.requirementHash(requirement),
      keywords: ['age'],
      verificationKey: world.keys.verificationKey,
      reward: terms.reward,
      capacity: terms.capacity ?? 2,
      exclusive: terms.exclusive,
    },
    time,
    { random },
  );
}

/** The `registerRecord` of `record` for `patient`, sent by `registrant` with a consent naming `consentFor` (default: the registrant). */
export function registerOp(
  world: Pick<World, 'config' | 'creds' | 'zk'>,
  record: MedicalRecord,
  time: number,
  options: { patient?: Party; registrant?: Party; consentFor?: Party } = {},
) {
  const patient = world.creds[options.patient ?? 'patient'];
  const registrant = world.creds[options.registrant ?? 'hospital'];
  const consentFor = world.creds[options.consentFor ?? options.registrant ?? 'hospital'];
  const commitment = commitmentOf(world.zk, record);
  return signTransaction(
    world.config,
    registrant.signingKey,
    'registerRecord',
    {
      patient: patient.address,
      commitment,
      patientSignature: signRecordCommitment(world.config, patient.signingKey, consentFor.address, commitment, { random }),
    },
    time,
    { random },
  );
}

export async function makeWorld(
  proofSystem: ProofSystem = zk,
  deployment: { chain?: string; contract?: string; pkg?: Pkg } = {},
): Promise<World> {
  const zk = proofSystem;
  const pkg = deployment.pkg ?? createPkg({ random });
  const config = makeConfig(pkg, deployment.chain, deployment.contract);
  const parties = Object.keys(IDS) as Party[];
  const creds = Object.fromEntries(parties.map((k) => [k, pkg.enroll(IDS[k], ROLE_OF[k])])) as Record<Party, Credentials>;
  const addr = Object.fromEntries(parties.map((k) => [k, creds[k].address])) as Record<Party, string>;
  let state = createContractState();
  for (const k of parties) {
    if (k === 'stranger') continue; // enrolled with keys, never registered
    state = applyOk({ config, zk }, state, pkg.registration(config, IDS[k], ROLE_OF[k], T0, { random })).state;
  }
  for (const lab of ['labA', 'labB'] as const) {
    state = applyOk({ config, zk }, state, pkg.deposit(config, addr[lab], FUNDS, T0 + 5, { random })).state;
  }
  const keys = await zk.keyGen(4, { random });
  const partial = { config, keys, zk, creds };
  const a = applyOk(
    { config, zk },
    state,
    publishOp(partial, creds.labA, REQUIREMENT_A, { exclusive: true, reward: REWARD_A }, T0 + 10),
  );
  const b = applyOk(
    { config, zk },
    a.state,
    publishOp(partial, creds.labB, REQUIREMENT_B, { exclusive: false, reward: REWARD_B }, T0 + 10),
  );
  const r1 = applyOk({ config, zk }, b.state, registerOp(partial, RECORD, T0 + 20));
  const r2 = applyOk({ config, zk }, r1.state, registerOp(partial, OTHER_RECORD, T0 + 20));
  const r3 = applyOk({ config, zk }, r2.state, registerOp(partial, UNFIT_RECORD, T0 + 20));
  return {
    zk,
    pkg,
    config,
    keys,
    creds,
    addr,
    state: r3.state,
    requirementA: a.id,
    requirementB: b.id,
    recordId: r1.id,
    otherRecordId: r2.id,
    unfitRecordId: r3.id,
  };
}

/** The ciphertext the hospital stores with the proxies: `record` and its blinding encrypted to the identity of `registered`. */
export function stored(world: World, record: MedicalRecord = RECORD, registered: MedicalRecord = record) {
  return encryptRecord(world.pkg.preParams, world.addr.patient, commitmentOf(world.zk, registered), record, blindingOf(record), {
    random,
  });
}

const STORED = new WeakMap<World, ReturnType<typeof encryptRecord>>();

/** The one ciphertext of RECORD the proxies of `world` store (the grants of {@link saleSteps} name it). */
export function theStored(world: World) {
  let ct = STORED.get(world);
  if (ct === undefined) {
    ct = stored(world);
    STORED.set(world, ct);
  }
  return ct;
}

/** The patient's key for a registered record's identity. */
export function recordKey(world: World, record: MedicalRecord = RECORD) {
  return world.pkg.recordKey(world.addr.patient, commitmentOf(world.zk, record));
}

/** Options of {@link submitOp}. */
export interface SubmissionOptions {
  record?: MedicalRecord;
  requirement?: Requirement;
  requirementId?: string;
  recordId?: string;
  time?: number;
  patient?: Party;
}

/**
 * A `submitProof` built directly from the proof system, without `proofSubmission`'s client-side
 * checks (so that it can carry R = 0, as a dishonest or buggy client's would).
 */
export async function submitOp(world: World, options: SubmissionOptions = {}) {
  const record = options.record ?? RECORD;
  const patient = world.creds[options.patient ?? 'patient'];
  const time = options.time ?? T0 + 100;
  const { proof, publicSignals } = await world.zk.prove(world.keys.provingKey, {
    record,
    blinding: blindingOf(record),
    requirement: options.requirement ?? REQUIREMENT_A,
    salt: BigInt(time) * 7919n + 17n,
    patientId: world.zk.identityToField(patient.address),
    timestamp: BigInt(time),
  });
  const { binding } = world.zk.decodePublicSignals(publicSignals);
  const bindingSignature = authSign(patient.signingKey, bindingSignable(world.config.deployment, binding), { random });
  const body = {
    requirementId: options.requirementId ?? world.requirementA,
    recordId: options.recordId ?? world.recordId,
    proof,
    publicSignals,
    bindingSignature,
  };
  return signTransaction(world.config, patient.signingKey, 'submitProof', body, time, { random });
}

/** The sale `approvalId` in `state`. */
export function saleIn(state: ContractState, approvalId: string): Approval {
  const sale = state.approvals.get(approvalId);
  if (sale === undefined) throw new Error(`no sale ${approvalId}`);
  return sale;
}

/** The patient's re-encryption key for a sale: t-of-n shares sealed to `proxies`. */
export function reKeyFor(
  world: World,
  institution: Party,
  proxies: readonly Party[] = PROXIES,
  t = 2,
  record: MedicalRecord = RECORD,
) {
  return issueReKey(
    world.pkg.preParams,
    recordKey(world, record),
    world.addr[institution],
    proxies.map((p) => world.addr[p]),
    t,
    { random },
  );
}

/** The steps of one sale applied to the contract, each returning the next state. */
export function saleSteps(world: World) {
  return {
    /** Step 5: the submission accepted. */
    async approve(state: ContractState, options: SubmissionOptions = {}) {
      return applyOk(world, state, await submitOp(world, options));
    },
    /** Step 6: the grant. */
    grant(state: ContractState, approvalId: string, issued: IssuedReKey, time: number, ciphertext = theStored(world)) {
      return applyOk(
        world,
        state,
        grantAccess(world.config, world.creds.patient.signingKey, saleIn(state, approvalId), issued, ciphertext, time, {
          random,
        }),
      );
    },
    /** Step 6, the institution's acceptance. */
    accept(state: ContractState, approvalId: string, institution: Party, time: number) {
      return applyOk(
        world,
        state,
        acceptGrant(world.config, world.creds[institution], saleIn(state, approvalId), time, { random }),
      );
    },
    /** Step 7: proxy `p`'s delivery transaction (share i = its place in the grant). */
    deliverOp(
      state: ContractState,
      approvalId: string,
      issued: IssuedReKey,
      p: Party,
      time: number,
      ciphertext = theStored(world),
    ) {
      const sale = saleIn(state, approvalId);
      const i = issued.proxies.indexOf(world.addr[p]);
      const sealed = issued.sealedShares[i]?.sealed ?? new Uint8Array(0);
      return proxyReEncrypt(world.config, world.creds[p], sale, sealed, ciphertext, time, { random });
    },
  };
}

/**
 * A lying proxy's delivery: its honest `deliver` with C2'_i multiplied by Z after the proof was
 * made, signed again by the proxy `p` (so the bad partial is attributable to it).
 */
export function lyingDelivery(world: World, honest: Uint8Array, p: Party): Uint8Array {
  const tx = decodeContractTransaction(honest);
  if (tx.kind !== 'deliver') throw new Error(`expected a deliver transaction, got ${tx.kind}`);
  const share = ga07Verifiable.decodeReEncryptionShare(tx.body.partial);
  const partial = ga07Verifiable.encodeReEncryptionShare({ ...share, C2: gtMul(share.C2, Z()) });
  return signTransaction(world.config, world.creds[p].signingKey, 'deliver', { ...tx.body, partial }, tx.time, { random });
}

/**
 * A whole sale of RECORD to `institution` under its requirement: approved at `time`, granted,
 * accepted, and delivered by the first t proxies. Returns the state after each stage.
 */
export async function sell(world: World, state: ContractState, institution: 'labA' | 'labB', time = T0 + 100, t = 2) {
  const steps = saleSteps(world);
  const approved = await steps.approve(state, {
    time,
    requirementId: institution === 'labA' ? world.requirementA : world.requirementB,
    requirement: institution === 'labA' ? REQUIREMENT_A : REQUIREMENT_B,
  });
  const issued = reKeyFor(world, institution, PROXIES, t);
  const granted = steps.grant(approved.state, approved.id, issued, time + 10);
  const accepted = steps.accept(granted.state, approved.id, institution, time + 20);
  let delivered = accepted.state;
  for (const [i, p] of PROXIES.slice(0, t).entries()) {
    delivered = applyOk(world, delivered, steps.deliverOp(delivered, approved.id, issued, p, time + 30 + i)).state;
  }
  return {
    approvalId: approved.id,
    issued,
    approved: approved.state,
    granted: granted.state,
    accepted: accepted.state,
    delivered,
  };
}
