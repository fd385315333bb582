/**
 * The nine steps of Huang et al. 2020 (section 4.1) with the contract on an EVM: MedShare on an
 * in-process Prague chain, driven through medshare/evm's client over the chain's EIP-1193
 * provider (the JSON-RPC path a deployment on Besu takes), with a real Groth16 proof. Reports the
 * gas of every on-chain step. `npx medshare demo --ledger evm` prints it.
 *
 * Internal (not part of the medshare/evm entry): it needs @ethereumjs/vm (the in-process chain).
 */
import { createPublicClient, createWalletClient, custom, defineChain, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from '../internal/random.js';
import { ga07 } from '../pre/ga07.js';
import { createPkg, encryptRecord, issueReKey, proxyReEncrypt, receiveRecord } from '../protocol/parties.js';
import { type ProofSystem, randomFieldElement, type Requirement } from '../protocol/proof-system.js';
import { sampleRecord } from '../protocol/story.js';
import { ProtocolError } from '../protocol/contract.js';
import { fieldToBytes } from '../protocol/transactions.js';
import type { VerificationKey } from '../zk/keys.js';
import { deployMedShare, type EvmOutcome, type MedShareClient } from './client.js';
import { identityField, signRecordCommitment, signSharingForm } from './encoding.js';
import { InProcessChain } from './in-process.js';

/** One step of the EVM story. */
export interface EvmStep {
  /** 'setup', 'step 1', ..., 'step 9', '5.1.5'. */
  readonly step: string;
  /** What happened. */
  readonly title: string;
  /** Details, one per line. */
  readonly lines: readonly string[];
  /** Gas of the step's transactions (0 for an off-chain step). */
  readonly gas: bigint;
  /** Milliseconds, by the injected clock. */
  readonly ms: number;
}

/** Options of {@link runEvmStory}. */
export interface EvmStoryOptions {
  /** The Groth16 proof system (medshare/protocol's adapter of medshare/zk); the stand-in cannot be verified on chain. */
  readonly proofSystem: ProofSystem;
  /** Record fields (default 4). */
  readonly fields?: number;
  /** Randomness. */
  readonly random: RandomSource;
  /** Clock for timings, milliseconds. */
  readonly now: () => number;
  /** Receives each step as it finishes, and progress messages. */
  readonly onStep?: (step: EvmStep) => void;
  /** Receives progress messages on long stages. */
  readonly onProgress?: (message: string) => void;
  /** The in-process EVM's pairing precompiles (default 'noble'). */
  readonly precompiles?: 'noble' | 'wasm';
}

/** What {@link runEvmStory} returns. */
export interface EvmStoryResult {
  /** The steps. */
  readonly steps: readonly EvmStep[];
  /** The record the institution received equals the patient's. */
  readonly received: boolean;
  /** The second sale under the exclusive licence was refused ('exclusiveLicence'). */
  readonly secondSaleRefused: boolean;
  /** The contract's address on the in-process chain. */
  readonly contract: Hex;
}

const T0 = 1_700_000_000;
const PEOPLE = {
  authority: 'ca:membership',
  patient: 'patient:alice',
  hospital: 'hospital:st-mary',
  lab: 'institute:oncology-lab',
  otherLab: 'institute:pharma-co',
  proxy: 'proxy:cloud-1',
} as const;

/** An account key for a demo party, derived from its name (never a real key). */
function accountKey(name: string): Hex {
  return `0x${Buffer.from(sha256(new TextEncoder().encode(`medshare-evm-demo:${name}`))).toString('hex')}`;
}

function gasOf(outcome: EvmOutcome, what: string): bigint {
  if (!outcome.accepted) throw new ProtocolError(outcome.reason, `${what}: refused by the contract`);
  return outcome.gasUsed;
}

/** Runs the story; see the module documentation. */
export async function runEvmStory(options: EvmStoryOptions): Promise<EvmStoryResult> {
  const { random, now, proofSystem } = options;
  const fields = options.fields ?? 4;
  const steps: EvmStep[] = [];
  const progress = options.onProgress ?? (() => {});
  let mark = now();
  const done = (step: string, title: string, gas: bigint, lines: string[]) => {
    const s = { step, title, gas, lines, ms: now() - mark };
    steps.push(s);
    options.onStep?.(s);
    mark = now();
  };

  const keys = Object.fromEntries(Object.entries(PEOPLE).map(([k, v]) => [k, accountKey(v)])) as Record<keyof typeof PEOPLE, Hex>;
  const chain = await InProcessChain.create({
    time: T0,
    precompiles: options.precompiles ?? 'noble',
    accounts: Object.values(keys).map((k) => Uint8Array.from(Buffer.from(k.slice(2), 'hex'))),
  });
  const viemChain = defineChain({
    id: chain.chainId,
    name: 'medshare in-process EVM',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: ['http://127.0.0.1'] } },
  });
  const transport = custom(chain.provider);
  const publicClient = createPublicClient({ chain: viemChain, transport, pollingInterval: 10 });
  const wallet = (who: keyof typeof PEOPLE) =>
    createWalletClient({ account: privateKeyToAccount(keys[who]), chain: viemChain, transport, pollingInterval: 10 });

  // Setup: the PKG, the contract, the members.
  const pkg = createPkg({ random, authority: PEOPLE.authority });
  const medshare: MedShareClient = await deployMedShare(
    { publicClient, wallet: wallet('authority') },
    { authority: PEOPLE.authority, signParams: pkg.signParams },
  );
  const deployGas = chain.allReceipts()[0]?.gasUsed ?? 0n;
  let setupGas = deployGas;
  const roles = [
    ['patient', 'patient'],
    ['hospital', 'hospital'],
    ['lab', 'institution'],
    ['otherLab', 'institution'],
    ['proxy', 'proxy'],
  ] as const;
  for (const [who, role] of roles) {
    chain.setTime(T0 + 1);
    setupGas += gasOf(await medshare.register(PEOPLE[who], role, privateKeyToAccount(keys[who]).address, T0 + 1), 'register');
  }
  const as = (who: keyof typeof PEOPLE) => medshare.as(wallet(who));
  const alice = pkg.enroll(PEOPLE.patient, 'patient');
  const lab = pkg.enroll(PEOPLE.lab, 'institution');
  const proxy = pkg.enroll(PEOPLE.proxy, 'proxy');
  done('setup', `MedShare deployed at ${medshare.address} (chain ${chain.chainId}, Prague); 5 members registered`, setupGas, [
    `deployment ${deployGas.toLocaleString('en-US')} gas; each registration binds an identity to an account`,
  ]);

  // Step 1: the research institution publishes its requirement with VK_c.
  progress('ZKPKeyGen for the eligibility circuit');
  const zkKeys = await proofSystem.keyGen(fields, { random, onProgress: progress });
  mark = now();
  const vk = JSON.parse(new TextDecoder().decode(zkKeys.verificationKey)) as VerificationKey;
  const requirement: Requirement = {
    criteria: [{ field: 0, min: 40, max: 65 }],
    nonce: randomFieldElement({ random }), // nu: handed to patients with the criteria, never published
  };
  chain.setTime(T0 + 10);
  const published = await as('lab').publishRequirement(
    {
      criteriaHash: proofSystem.requirementHash(requirement),
      keywords: ['age'],
      verificationKey: vk,
      reward: 100,
      exclusive: true,
    },
    T0 + 10,
  );
  const requirementId = (published.accepted ? published.args.requirementId : '0x') as Hex;
  done('step 1', `${PEOPLE.lab} publishes a requirement (exclusive licence, reward 100)`, gasOf(published, 'publish'), [
    `requirement ${requirementId.slice(0, 18)}…: criteria hash, key words, the Groth16 key stored as contract code`,
  ]);

  // Steps 2-3: the hospital encrypts the record and registers its commitment with sigma_a.
  const record = sampleRecord(fields, random);
  const blinding = randomFieldElement({ random }); // rho: kept with the record, sealed with it, never on chain
  const commitment = proofSystem.commitRecord(record, blinding);
  const stored = encryptRecord(pkg.preParams, PEOPLE.patient, commitment, record, blinding, { random });
  done('step 2', `${PEOPLE.hospital} encrypts the record to its own identity (off chain, kept by the proxy)`, 0n, [
    `ciphertext ${ga07.encodeCiphertext(stored).length} bytes`,
  ]);
  chain.setTime(T0 + 20);
  const sigma = signRecordCommitment(alice.signingKey, medshare.domain, commitment, { random });
  const registered = await as('hospital').registerRecord(PEOPLE.patient, commitment, sigma, T0 + 20);
  const recordId = (registered.accepted ? registered.args.recordId : '0x') as Hex;
  done(
    'step 3',
    `${PEOPLE.hospital} registers the record commitment; the contract checks Alice's AuthSign on chain`,
    gasOf(registered, 'registerRecord'),
    [`record ${recordId.slice(0, 18)}…; sigma_a is bound to chain ${chain.chainId} and ${medshare.address}`],
  );

  // Steps 4-5: Alice proves eligibility and submits the proof.
  progress('Prove: the Groth16 proof');
  const { proof, publicSignals } = await proofSystem.prove(zkKeys.provingKey, {
    record,
    blinding,
    requirement,
    salt: randomFieldElement({ random }),
    patientId: identityField(PEOPLE.patient),
    timestamp: BigInt(T0 + 25),
  });
  done('step 4', `${PEOPLE.patient} proves that the committed record meets the requirement (off chain)`, 0n, [
    `proof ${proof.length} bytes; public signals R, h, commitment, requirement hash, ID_p, T`,
  ]);
  chain.setTime(T0 + 30);
  const submitted = await as('patient').submitProof(requirementId, recordId, proof, publicSignals, T0 + 30);
  done(
    'step 5',
    'the contract verifies the Groth16 proof on chain (EIP-196/197) and records the approval',
    gasOf(submitted, 'submitProof'),
    [`binding h = ${publicSignals[1]?.slice(0, 12)}… recorded against replay`],
  );

  // Step 6: the re-encryption key, its commitment on chain.
  const issued = issueReKey(pkg.preParams, pkg.recordKey(PEOPLE.patient, commitment), PEOPLE.lab, [PEOPLE.proxy], 1, { random });
  chain.setTime(T0 + 40);
  const granted = await as('patient').grantAccess(requirementId, recordId, issued.reKeyCommitment, T0 + 40);
  done(
    'step 6',
    `${PEOPLE.patient} gives the proxy its re-encryption key and publishes the key commitment`,
    gasOf(granted, 'grantAccess'),
    [`commitment ${issued.reKeyCommitment.length} bytes (in the AccessGranted event; its hash in storage)`],
  );

  // Steps 7-8: off chain.
  const share = proxyReEncrypt(pkg.preParams, proxy, issued.sealedShares[0]?.sealed as Uint8Array, stored, { random });
  done('step 7', `${PEOPLE.proxy} re-encrypts with a proof of correctness and signs it (off chain)`, 0n, [
    `re-encryption share ${share.length} bytes`,
  ]);
  // The lab reads the commitment from the RecordRegistered event and checks that the contract holds it as this record.
  const eventCommitment = registered.accepted ? (registered.args.commitment as bigint) : 0n;
  const onChain = (await medshare.recordOfCommitment(eventCommitment)) === recordId ? eventCommitment : 0n;
  const received = receiveRecord(
    pkg.preParams,
    lab.decryptionKey,
    { reKeyCommitment: issued.reKeyCommitment, commitment: onChain, stored, shares: [share] },
    proofSystem,
    pkg.signParams,
  );
  const same = received.length === record.length && received.every((v, i) => v === record[i]);
  done('step 8', `${PEOPLE.lab} decrypts and checks the record against the commitment read from the chain`, 0n, [
    `record ${same ? 'matches' : 'DOES NOT match'} the on-chain commitment`,
  ]);

  // Step 9: the Fig. 3 form signed by both.
  const form = { patient: PEOPLE.patient, institution: PEOPLE.lab, dataHash: fieldToBytes(commitment), timestamp: T0 + 50 };
  chain.setTime(T0 + 50);
  const shared = await as('lab').share(
    requirementId,
    recordId,
    {
      ...form,
      patientSignature: signSharingForm(alice.signingKey, medshare.domain, form, { random }),
      institutionSignature: signSharingForm(lab.signingKey, medshare.domain, form, { random }),
    },
    T0 + 50,
  );
  done('step 9', `${PEOPLE.lab} submits the Fig. 3 form signed by both; the reward moves`, gasOf(shared, 'share'), [
    `balances: ${PEOPLE.patient} ${await medshare.balance(1)}, ${PEOPLE.lab} ${await medshare.balance(3)}`,
  ]);

  // Section 5.1.5: a second sale under the exclusive licence.
  chain.setTime(T0 + 60);
  const otherRequirement: Requirement = { criteria: requirement.criteria, nonce: randomFieldElement({ random }) };
  const other = await as('otherLab').publishRequirement(
    {
      criteriaHash: proofSystem.requirementHash(otherRequirement),
      keywords: ['age'],
      verificationKey: vk,
      reward: 500,
      exclusive: false,
    },
    T0 + 60,
  );
  const otherId = (other.accepted ? other.args.requirementId : '0x') as Hex;
  progress('Prove: a fresh proof for the second sale');
  const again = await proofSystem.prove(zkKeys.provingKey, {
    record,
    blinding,
    requirement: otherRequirement,
    salt: randomFieldElement({ random }),
    patientId: identityField(PEOPLE.patient),
    timestamp: BigInt(T0 + 55),
  });
  mark = now();
  const second = await as('patient').submitProof(otherId, recordId, again.proof, again.publicSignals, T0 + 60);
  const refused = !second.accepted && second.reason === 'exclusiveLicence';
  done('5.1.5', `${PEOPLE.patient} tries to sell the record again to ${PEOPLE.otherLab}`, 0n, [
    second.accepted
      ? 'ACCEPTED (the exclusive licence was not enforced)'
      : `refused by the contract: ${second.reason} (nothing sent: the simulation refused it)`,
  ]);
  return { steps, received: same, secondSaleRefused: refused, contract: medshare.address };
}
