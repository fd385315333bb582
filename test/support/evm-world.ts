/**
 * A small world for the EVM contract tests (contract v2): an in-process Prague chain, a PKG, the
 * MedShare contract, parties enrolled under their pseudonyms with AuthSign and IB-PRE keys and
 * accounts, the institutions funded, real Groth16 proofs of the test circuit (test/support/zk.ts:
 * n = 8 fields of 16 bits, K = 4 criteria), and the pieces of a 2-of-3 grant (key commitment,
 * ciphertext header, the sale's form, the proxies' partials). What members sign is made with
 * medshare/protocol's signers under the deployment's id (`evmDeployment`). Calls go straight to
 * the VM (the JSON-RPC path is exercised in test/evm-client.test.ts).
 */
import { decodeEventLog, encodeDeployData, encodeFunctionData, type Hex } from 'viem';
import { medShareAbi, medShareBytecode } from '../../src/evm/artifacts.js';
import {
  decodeRevert,
  type EvmDomain,
  encodeAuthSignParams,
  encodeProof,
  encodePublicSignals,
  encodeSignature,
  encodeVerificationKey,
  evmDeployment,
  identityField,
  ROLE_CODES,
  type RefusalError,
} from '../../src/evm/encoding.js';
import type { ChainReceipt, InProcessChain } from '../../src/evm/in-process.js';
import { gtMul, Z } from '../../src/internal/bls.js';
import { ga07 } from '../../src/pre/ga07.js';
import { ga07Verifiable } from '../../src/pre/ga07-verifiable.js';
import type { RefusalReason } from '../../src/protocol/contract.js';
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
} from '../../src/protocol/parties.js';
import type { Role, SharingForm } from '../../src/protocol/transactions.js';
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
export const GRANT_WINDOW = 3_000;
export const DELIVERY_WINDOW = 1_000;
export const DISPUTE_WINDOW = 600;
/** What the authority deposits for each institution when the world is built. */
export const FUNDS = 1_000;

export const PARTIES = {
  patient: ['patient:alice', 'patient'],
  otherPatient: ['patient:bob', 'patient'],
  hospital: ['hospital:st-mary', 'hospital'],
  labA: ['institute:oncology-lab', 'institution'],
  labB: ['institute:pharma-co', 'institution'],
  proxy: ['proxy:cloud-1', 'proxy'],
  proxy2: ['proxy:cloud-2', 'proxy'],
  proxy3: ['proxy:cloud-3', 'proxy'],
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

/** A party: its pseudonym (the identity the contract knows), role, credentials, account key and address. */
export interface Party {
  /** Its pseudonym (`Pkg.pseudonymOf`): what the contract registers and every signature names. */
  readonly identity: string;
  /** Its true identity (off the ledger). */
  readonly name: string;
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
  /** The deployment id members sign under (`evmDeployment(chain id, address)`), as medshare/protocol's signers take it. */
  deployment: { readonly deployment: Uint8Array };
  parties: Record<PartyName, Party>;
  keys: KeyPair;
  verificationKey: Uint8Array;
  /** Sends `functionName(args)` from `who` in a block at `time` (the chain's next block time when omitted). */
  send(who: PartyName, functionName: string, args: readonly unknown[], time?: number): Promise<CallOutcome>;
  /** A view of the contract. */
  read(functionName: string, args: readonly unknown[]): Promise<unknown>;
}

export const random = seededRandom('evm-world');

/** The constructor's arguments: the authority, its account, mpk and the windows. */
export function deployArgs(pkg: Pkg, authorityAccount: Hex) {
  return [
    AUTHORITY,
    authorityAccount,
    hex(encodeAuthSignParams(pkg.signParams)),
    {
      maxProofAge: BigInt(MAX_PROOF_AGE),
      maxClockSkew: BigInt(MAX_CLOCK_SKEW),
      grantWindow: BigInt(GRANT_WINDOW),
      deliveryWindow: BigInt(DELIVERY_WINDOW),
      disputeWindow: BigInt(DISPUTE_WINDOW),
    },
  ] as const;
}

/**
 * Builds the world: deploys MedShare, registers every party but the stranger under its pseudonym
 * and funds both institutions with {@link FUNDS} (unless `register` is false).
 */
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
    data: encodeDeployData({ abi: medShareAbi, bytecode: medShareBytecode, args: deployArgs(pkg, addressOf(authorityKey)) }),
    gasLimit: 29_000_000n,
  });
  if (!deployed.success || deployed.contractAddress === null) throw new Error(`deployment failed ${deployed.revertData}`);
  const address = deployed.contractAddress;
  const parties = {} as Record<PartyName, Party>;
  parties.authority = {
    identity: AUTHORITY,
    name: AUTHORITY,
    role: 'verifier',
    credentials: { ...pkg.enroll(AUTHORITY, 'verifier'), address: AUTHORITY, signingKey: pkg.authority },
    key: authorityKey,
    account: addressOf(authorityKey),
  };
  for (const n of names) {
    const [name, role] = PARTIES[n];
    const key = testKey(name);
    const credentials = pkg.enroll(name, role);
    parties[n] = { identity: credentials.address, name, role, credentials, key, account: addressOf(key) };
  }
  const keys = await testKeys('zk-keys');
  const world: EvmWorld = {
    chain,
    pkg,
    address,
    domain: { chainId: chain.chainId, contract: address },
    deployment: { deployment: evmDeployment(chain.chainId, address) },
    parties,
    keys,
    verificationKey: encodeVerificationKey(keys.verificationKey),
    async send(who, functionName, args, time) {
      if (time !== undefined) chain.setTime(time);
      const data = encodeFunctionData({ abi: medShareAbi, functionName, args } as never);
      const receipt = await chain.execute(parties[who].key, { to: address, data, gasLimit: 8_000_000n });
      const revert = receipt.success ? null : decodeRevert(receipt.revertData);
      if (revert !== null && revert.kind !== 'refusal' && !EVM_ONLY_ERRORS.includes(revert.error ?? ''))
        throw new Error(`${functionName}: unexpected revert ${receipt.revertData}`);
      return {
        accepted: receipt.success,
        reason: revert?.kind === 'refusal' ? revert.reason : null,
        error: revert === null ? null : (revert.error as RefusalError),
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
      if (!out.accepted) throw new Error(`register ${p.name}: ${out.reason}`);
    }
    for (const lab of ['labA', 'labB'] as const) {
      const out = await world.send('authority', 'deposit', [parties[lab].identity, BigInt(FUNDS), BigInt(T0)], T0);
      if (!out.accepted) throw new Error(`deposit ${lab}: ${out.reason}`);
    }
  }
  return world;
}

/** The EVM's errors of the dispute path, which stand for no RefusalReason. */
export const EVM_ONLY_ERRORS: readonly string[] = ['DisputeWindowClosed', 'NotDelivered'];

/** publishRequirement arguments (capacity 2 unless given). */
export function publishArgs(
  world: EvmWorld,
  requirement: Requirement,
  options: { exclusive?: boolean; reward?: number; capacity?: number; keywords?: string[]; key?: Uint8Array; time?: number } = {},
) {
  return [
    requirementHash(SHAPE, requirement),
    options.keywords ?? ['age'],
    hex(options.key ?? world.verificationKey),
    BigInt(options.reward ?? 100),
    options.capacity ?? 2,
    options.exclusive ?? false,
    BigInt(options.time ?? world.chain.time),
  ] as const;
}

/**
 * The patient's consent to register a record, naming the registrant, for this deployment (or
 * another), in the contract's form (256 bytes).
 */
export function recordSignature(
  world: EvmWorld,
  who: PartyName,
  patient: string,
  commitment: bigint,
  options: { registrant?: PartyName; deployment?: { readonly deployment: Uint8Array } } = {},
): Hex {
  void patient; // the consent is for the signer's own pseudonym
  const registrant = world.parties[options.registrant ?? who].identity;
  return hex(
    encodeSignature(
      signRecordCommitment(
        options.deployment ?? world.deployment,
        world.parties[who].credentials.signingKey,
        registrant,
        commitment,
        {
          random,
        },
      ),
    ),
  );
}

/** registerRecord arguments, the consent signed by the patient naming the sender `by` (default: the patient itself). */
export function registerArgs(
  world: EvmWorld,
  record: MedicalRecord,
  options: { patient?: PartyName; by?: PartyName; time?: number } = {},
) {
  const who = options.patient ?? 'patient';
  const patient = world.parties[who].identity;
  const commitment = commitmentOf(record);
  return [
    patient,
    commitment,
    recordSignature(world, who, patient, commitment, { registrant: options.by ?? who }),
    BigInt(options.time ?? world.chain.time),
  ] as const;
}

/** A real proof about `record` and `requirement` for `patient` (a pseudonym; default the patient's) at time T. */
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

/** A sale as the tests name it: its ids and terms. */
export interface SaleRef {
  readonly requirementId: Hex;
  readonly recordId: Hex;
  readonly approvalId: Hex;
  readonly patient: PartyName;
  readonly institution: PartyName;
  readonly record: MedicalRecord;
  readonly reward: number;
  readonly exclusive: boolean;
}

/** The sale's Fig. 3 form as the contract rebuilds it (ids spelled 0x and 64 hex digits). */
export function saleForm(world: EvmWorld, sale: SaleRef, formTime: number): SharingForm {
  return {
    deployment: world.deployment.deployment,
    approvalId: sale.approvalId,
    requirementId: sale.requirementId,
    recordId: sale.recordId,
    patient: world.parties[sale.patient].identity,
    institution: world.parties[sale.institution].identity,
    commitment: commitmentOf(sale.record),
    reward: sale.reward,
    exclusive: sale.exclusive,
    time: formTime,
  };
}

/** A party's signature on the sale's form, in the contract's form (another party's key signs when `signer` is given). */
export function formSignature(world: EvmWorld, sale: SaleRef, formTime: number, signer: PartyName): Hex {
  return hex(
    encodeSignature(signSharingForm(world.parties[signer].credentials.signingKey, saleForm(world, sale, formTime), { random })),
  );
}

/** The three proxies, in share order. */
export const PROXY_PARTIES = ['proxy', 'proxy2', 'proxy3'] as const satisfies readonly PartyName[];

/** A 2-of-3 grant of a sale's record: the issued key (shares sealed to the three proxies) and the stored ciphertext. */
export interface GrantPieces {
  readonly issued: IssuedReKey;
  readonly stored: ReturnType<typeof encryptRecord>;
}

/** The patient's 2-of-3 re-encryption key for the sale's institution and the ciphertext of the record. */
export function grantPieces(world: EvmWorld, sale: SaleRef, threshold = 2): GrantPieces {
  const patient = world.parties[sale.patient].identity;
  const commitment = commitmentOf(sale.record);
  const stored = encryptRecord(world.pkg.preParams, patient, commitment, [...sale.record] as number[], blindingOf(sale.record), {
    random,
  });
  const issued = issueReKey(
    world.pkg.preParams,
    world.pkg.recordKey(patient, commitment),
    world.parties[sale.institution].identity,
    PROXY_PARTIES.map((p) => world.parties[p].identity),
    threshold,
    { random },
  );
  return { issued, stored };
}

/** grantAccess arguments for a sale (formTime = time). */
export function grantArgs(world: EvmWorld, sale: SaleRef, pieces: GrantPieces, time: number) {
  return [
    sale.requirementId,
    sale.recordId,
    hex(pieces.issued.reKeyCommitment),
    pieces.issued.proxies,
    hex(ciphertextHeader(pieces.stored)),
    BigInt(time),
    formSignature(world, sale, time, sale.patient),
    BigInt(time),
  ] as const;
}

/** Proxy `index`'s partial re-encryption (encoded); a lying proxy's is altered after its proof (C2'_i x Z). */
export function partialOf(world: EvmWorld, pieces: GrantPieces, index: number, lies = false): Hex {
  const proxy = world.parties[PROXY_PARTIES[index - 1] as PartyName].credentials;
  const sealed = pieces.issued.sealedShares[index - 1]?.sealed as Uint8Array;
  const share = ga07Verifiable.decodeReKeyShare(
    ga07.decrypt(world.pkg.preParams, proxy.decryptionKey, ga07.decodeCiphertext(sealed)),
  );
  const honest = ga07Verifiable.reEncryptShare(world.pkg.preParams, share, pieces.stored, { random });
  return hex(ga07Verifiable.encodeReEncryptionShare(lies ? { ...honest, C2: gtMul(honest.C2, Z()) } : honest));
}

export function numberTo32(x: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));
}

export type { Credentials };
