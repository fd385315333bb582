/**
 * The sale of Huang et al. 2020 (section 4.1) under contract v2 with the contract on an EVM:
 * MedShare on an in-process Prague chain, driven through medshare/evm's client over the chain's
 * EIP-1193 provider (the JSON-RPC path a deployment on Besu takes), with a real Groth16 proof.
 * Deposits and escrow, a 2-of-3 grant, one lying proxy whose partial the institution disputes (the
 * membership authority strikes it), the settlement after the dispute window, the record received,
 * and a second sale refused under the exclusive licence. Reports the gas of every on-chain step.
 * `npx medshare demo --ledger evm` prints it.
 *
 * Internal (not part of the medshare/evm entry): it needs @ethereumjs/vm (the in-process chain).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { createPublicClient, createWalletClient, custom, defineChain, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { gtMul, Z } from '../internal/bls.js';
import type { RandomSource } from '../internal/random.js';
import { ga07 } from '../pre/ga07.js';
import { type Ga07ReEncryptionShare, ga07Verifiable } from '../pre/ga07-verifiable.js';
import { ProtocolError } from '../protocol/contract.js';
import {
  type Credentials,
  ciphertextHeader,
  createPkg,
  decodeRecord,
  encryptRecord,
  issueReKey,
  signRecordCommitment,
  signSharingForm,
} from '../protocol/parties.js';
import { type ProofSystem, randomFieldElement, type Requirement } from '../protocol/proof-system.js';
import { sampleRecord } from '../protocol/story.js';
import type { Role } from '../protocol/transactions.js';
import type { VerificationKey } from '../zk/keys.js';
import { deployMedShare, type EvmOutcome, type MedShareClient } from './client.js';
import { identityField } from './encoding.js';
import { InProcessChain } from './in-process.js';

/** One step of the EVM story. */
export interface EvmStep {
  /** 'setup', 'step 1', ..., 'step 9', 'dispute', '5.1.5'. */
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
  /** Receives each step as it finishes. */
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
  /** The lying proxy's partial was disputed and struck (the authority's ruling), and the sale settled without it. */
  readonly lyingProxyStruck: boolean;
  /** The patient was paid the reward from escrow at the settlement. */
  readonly patientPaid: boolean;
  /** The second sale under the exclusive licence was refused ('exclusiveLicence'). */
  readonly secondSaleRefused: boolean;
  /** The contract's address on the in-process chain. */
  readonly contract: Hex;
  /** Gas of each kind of call, as measured in the story (the first of each). */
  readonly gasByKind: Readonly<Record<string, bigint>>;
}

const T0 = 1_700_000_000;
const REWARD = 100;
const DISPUTE_WINDOW = 3600;
const PEOPLE = {
  authority: ['ca:membership', 'verifier'],
  patient: ['patient:alice', 'patient'],
  hospital: ['hospital:st-mary', 'hospital'],
  lab: ['institute:oncology-lab', 'institution'],
  otherLab: ['institute:pharma-co', 'institution'],
  proxy1: ['proxy:cloud-1', 'proxy'],
  proxy2: ['proxy:cloud-2', 'proxy'],
  proxy3: ['proxy:cloud-3', 'proxy'],
} as const satisfies Record<string, readonly [string, Role]>;
type Person = keyof typeof PEOPLE;
const PROXIES: readonly Person[] = ['proxy1', 'proxy2', 'proxy3'];

/** An account key for a demo party, derived from its name (never a real key). */
function accountKey(name: string): Hex {
  return `0x${Buffer.from(sha256(new TextEncoder().encode(`medshare-evm-demo:${name}`))).toString('hex')}`;
}

function gasOf(outcome: EvmOutcome, what: string): bigint {
  if (!outcome.accepted)
    throw new ProtocolError(outcome.reason ?? 'wrongStage', `${what}: refused by the contract (${outcome.error})`);
  return outcome.gasUsed;
}

const short = (s: string) => `${s.slice(0, 14)}…`;

/** Runs the story; see the module documentation. */
export async function runEvmStory(options: EvmStoryOptions): Promise<EvmStoryResult> {
  const { random, now, proofSystem } = options;
  const fields = options.fields ?? 4;
  const steps: EvmStep[] = [];
  const gasByKind: Record<string, bigint> = {};
  const progress = options.onProgress ?? (() => {});
  let mark = now();
  const done = (step: string, title: string, gas: bigint, lines: string[]) => {
    const s = { step, title, gas, lines, ms: now() - mark };
    steps.push(s);
    options.onStep?.(s);
    mark = now();
  };
  const spent = (kind: string, outcome: EvmOutcome): bigint => {
    const gas = gasOf(outcome, kind);
    gasByKind[kind] ??= gas;
    return gas;
  };

  const keys = Object.fromEntries(Object.entries(PEOPLE).map(([k, [name]]) => [k, accountKey(name)])) as Record<Person, Hex>;
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
  const wallet = (who: Person) =>
    createWalletClient({ account: privateKeyToAccount(keys[who]), chain: viemChain, transport, pollingInterval: 10 });
  let clock = T0;
  /** Moves the chain's clock (the next block's time) and returns it: the time a call claims. */
  const at = (seconds = 5) => {
    clock += seconds;
    chain.setTime(clock);
    return clock;
  };

  // Setup: the PKG (and membership authority), the contract, the members under their pseudonyms, deposits.
  const pkg = createPkg({ random, authority: PEOPLE.authority[0] });
  const medshare: MedShareClient = await deployMedShare(
    { publicClient, wallet: wallet('authority') },
    { authority: PEOPLE.authority[0], signParams: pkg.signParams, disputeWindow: DISPUTE_WINDOW },
  );
  const as = (who: Person) => medshare.as(wallet(who));
  const deployGas = chain.allReceipts()[0]?.gasUsed ?? 0n;
  gasByKind.deployment = deployGas;
  const creds = {} as Record<Person, Credentials>;
  let setupGas = deployGas;
  for (const who of Object.keys(PEOPLE) as Person[]) {
    const [name, role] = PEOPLE[who];
    creds[who] = pkg.enroll(name, role);
    if (who === 'authority') continue;
    setupGas += spent(
      'register',
      await medshare.register(creds[who].address, role, privateKeyToAccount(keys[who]).address, at(1)),
    );
  }
  for (const lab of ['lab', 'otherLab'] as const) {
    setupGas += spent('deposit', await medshare.deposit(creds[lab].address, 1000, at(1)));
  }
  const pseudonyms = Object.keys(PEOPLE).filter((w) => w !== 'authority').length;
  done(
    'setup',
    `MedShare deployed at ${medshare.address} (chain ${chain.chainId}, Prague); ${pseudonyms} members registered`,
    setupGas,
    [
      `deployment ${deployGas.toLocaleString('en-US')} gas; each member is a pseudonym (e.g. ${creds.patient.address} for ${PEOPLE.patient[0]}) bound to an account`,
      `the authority credits 1000 to each institution (deposit); signatures are bound to deployment ${Buffer.from(medshare.deployment.deployment).toString('hex').slice(0, 16)}…`,
    ],
  );

  // Step 1: the research institution publishes its requirement with VK_c; reward x capacity goes into escrow.
  progress('ZKPKeyGen for the eligibility circuit');
  const zkKeys = await proofSystem.keyGen(fields, { random, onProgress: progress });
  mark = now();
  const vk = JSON.parse(new TextDecoder().decode(zkKeys.verificationKey)) as VerificationKey;
  const requirement: Requirement = {
    criteria: [{ field: 0, min: 40, max: 65 }],
    nonce: randomFieldElement({ random }), // nu: handed to patients with the criteria, never published
  };
  const published = await as('lab').publishRequirement(
    {
      criteriaHash: proofSystem.requirementHash(requirement),
      keywords: ['age'],
      verificationKey: vk,
      reward: REWARD,
      capacity: 2,
      exclusive: true,
    },
    at(),
  );
  const requirementId = (published.accepted ? published.args.requirementId : '0x') as Hex;
  done(
    'step 1',
    `${PEOPLE.lab[0]} publishes a requirement (exclusive licence, reward ${REWARD} x 2 places)`,
    spent('publishRequirement', published),
    [
      `requirement ${short(requirementId)}: criteria hash, key words, the Groth16 key stored as contract code`,
      `escrow ${2 * REWARD}; the institution's available balance is now ${await medshare.balance(creds.lab.address)}`,
    ],
  );

  // Steps 2-3: the hospital encrypts the record to its own identity and registers its commitment with the consent.
  const record = sampleRecord(fields, random);
  const blinding = randomFieldElement({ random }); // rho: kept with the record, sealed with it, never on chain
  const commitment = proofSystem.commitRecord(record, blinding);
  const stored = encryptRecord(pkg.preParams, creds.patient.address, commitment, record, blinding, { random });
  done('step 2', `${PEOPLE.hospital[0]} encrypts the record to its own identity (off chain, kept by the proxies)`, 0n, [
    `ciphertext ${ga07.encodeCiphertext(stored).length} bytes; its header (recipient, C1, C2, SHA-256 of the sealed record) goes on chain with the grant`,
  ]);
  const consent = signRecordCommitment(medshare.deployment, creds.patient.signingKey, creds.hospital.address, commitment, {
    random,
  });
  const registered = await as('hospital').registerRecord(creds.patient.address, commitment, consent, at());
  const recordId = (registered.accepted ? registered.args.recordId : '0x') as Hex;
  done(
    'step 3',
    `${PEOPLE.hospital[0]} registers the record commitment; the contract checks Alice's consent (AuthSign) on chain`,
    spent('registerRecord', registered),
    [`record ${short(recordId)}; the consent names the hospital as registrant and this deployment`],
  );

  // Steps 4-5: Alice proves eligibility (off chain) and submits the proof; one reward is reserved.
  progress('Prove: the Groth16 proof');
  const proveAt = clock + 5;
  const { proof, publicSignals } = await proofSystem.prove(zkKeys.provingKey, {
    record,
    blinding,
    requirement,
    salt: randomFieldElement({ random }),
    patientId: identityField(creds.patient.address),
    timestamp: BigInt(proveAt),
  });
  done('step 4', `${PEOPLE.patient[0]} proves that the committed record meets the requirement (off chain)`, 0n, [
    `proof ${proof.length} bytes; public signals R, h, commitment, requirement hash, ID_p (of her pseudonym), T`,
  ]);
  const submitted = await as('patient').submitProof(requirementId, recordId, proof, publicSignals, at());
  const approvalId = (submitted.accepted ? submitted.args.approvalId : '0x') as Hex;
  done(
    'step 5',
    'the contract verifies the Groth16 proof on chain (EIP-196/197) and opens the sale',
    spent('submitProof', submitted),
    [`sale ${short(approvalId)}: one reward reserved from the requirement's escrow; binding h recorded against replay`],
  );

  // Step 6: a 2-of-3 re-encryption key, shares sealed to three proxies; the grant and Alice's form signature.
  const proxies = PROXIES.map((p) => creds[p].address);
  const issued = issueReKey(pkg.preParams, pkg.recordKey(creds.patient.address, commitment), creds.lab.address, proxies, 2, {
    random,
  });
  const formTime = at();
  const form = await medshare.sharingForm(requirementId, recordId, commitment, formTime);
  const granted = await as('patient').grantAccess(
    requirementId,
    recordId,
    {
      reKeyCommitment: issued.reKeyCommitment,
      proxies,
      ciphertextHeader: ciphertextHeader(stored),
      formTime,
      formSignature: signSharingForm(creds.patient.signingKey, form, { random }),
    },
    formTime,
  );
  done(
    'step 6',
    `${PEOPLE.patient[0]} grants 2-of-3 re-encryption and signs the sale's form (reward, licence, ids)`,
    spent('grantAccess', granted),
    [`key commitment ${issued.reKeyCommitment.length} bytes, 3 proxies, ciphertext header: in the AccessGranted event`],
  );
  // The institution checks, with its own key, that the commitment opens for it, then countersigns.
  const keyCommitment = ga07Verifiable.decodeReKeyCommitment(issued.reKeyCommitment);
  if (!ga07Verifiable.verifyReKeyCommitment(pkg.preParams, creds.lab.decryptionKey, keyCommitment)) {
    throw new ProtocolError('reEncryptionProofInvalid', 'the key commitment does not open for the institution');
  }
  const accepted = await as('lab').acceptGrant(approvalId, signSharingForm(creds.lab.signingKey, form, { random }), at());
  done(
    'accept',
    `${PEOPLE.lab[0]} checks the key commitment opens for it and countersigns the form`,
    spent('acceptGrant', accepted),
    [`the proxies deliver until ${(await medshare.sale(approvalId))?.deadline}`],
  );

  // Step 7: the proxies re-encrypt. Proxy 1 lies (its partial altered after its proof); proxy 2 is honest.
  const partialOf = (who: Person): Ga07ReEncryptionShare => {
    const index = PROXIES.indexOf(who) + 1;
    const sealed = issued.sealedShares[index - 1]?.sealed as Uint8Array;
    const share = ga07Verifiable.decodeReKeyShare(
      ga07.decrypt(pkg.preParams, creds[who].decryptionKey, ga07.decodeCiphertext(sealed)),
    );
    return ga07Verifiable.reEncryptShare(pkg.preParams, share, stored, { random });
  };
  const delivered = new Map<number, Ga07ReEncryptionShare>();
  const deliver = async (who: Person, lies: boolean) => {
    const honest = partialOf(who);
    const partial = lies ? { ...honest, C2: gtMul(honest.C2, Z()) } : honest;
    const outcome = await as(who).deliver(approvalId, ga07Verifiable.encodeReEncryptionShare(partial), at());
    // The institution reads each partial from the PartialDelivered event (the contract keeps its keccak256).
    delivered.set(partial.index, partial);
    return outcome;
  };
  const lie = await deliver('proxy1', true);
  const second = await deliver('proxy2', false);
  const settleAt = second.accepted ? Number(second.args.settleAt) : 0;
  done(
    'step 7',
    `${PEOPLE.proxy1[0]} (lying) and ${PEOPLE.proxy2[0]} deliver their partials: 2 of 2, the dispute window opens`,
    spent('deliver', lie) + gasOf(second, 'deliver'),
    [
      "the EVM checks each partial's layout, parties and sender, not its proof (GT arithmetic, >= ~122M gas); it stores its keccak256",
      `stage ${(await medshare.sale(approvalId))?.stage}: anyone may settle from ${settleAt} unless the institution disputes`,
    ],
  );

  // The institution checks every partial off chain and disputes the one that does not verify;
  // the membership authority checks it too (public data) and strikes it.
  const bad = [...delivered.values()].filter(
    (p) => !ga07Verifiable.verifyReEncryptionShare(pkg.preParams, keyCommitment, stored, p),
  );
  let disputeGas = 0n;
  let struck = false;
  for (const p of bad) {
    disputeGas += spent('dispute', await as('lab').dispute(approvalId, p.index));
    const valid = ga07Verifiable.verifyReEncryptionShare(pkg.preParams, keyCommitment, stored, p);
    const ruling = await as('authority').resolveDispute(approvalId, p.index, valid);
    disputeGas += spent('resolveDispute', ruling);
    struck ||= !valid && (await medshare.partialHash(approvalId, p.index)) === null;
    delivered.delete(p.index);
  }
  done(
    'dispute',
    `${PEOPLE.lab[0]} disputes share ${bad.map((p) => p.index).join(', ')}; the membership authority strikes it`,
    disputeGas,
    [
      `verifyReEncryptionShare off chain: share${bad.length === 1 ? '' : 's'} ${bad.map((p) => p.index).join(', ')} ${bad.length === 1 ? 'does' : 'do'} not verify (${PEOPLE.proxy1[0]} is named in the DisputeResolved event)`,
      `stage ${(await medshare.sale(approvalId))?.stage} again: another proxy may deliver until the new deadline`,
    ],
  );
  const third = await deliver('proxy3', false);
  done('step 7', `${PEOPLE.proxy3[0]} delivers: 2 valid partials, the dispute window opens again`, spent('deliver', third), [
    `the institution checks it off chain: ${ga07Verifiable.verifyReEncryptionShare(pkg.preParams, keyCommitment, stored, delivered.get(3) as Ga07ReEncryptionShare) ? 'valid' : 'INVALID'}; no dispute`,
  ]);

  // Step 9: the window passes undisputed; anyone settles: the patient is paid from escrow, the licence is written.
  const before = await medshare.balance(creds.patient.address);
  at(DISPUTE_WINDOW + 1);
  const settled = await as('hospital').settle(approvalId);
  const after = await medshare.balance(creds.patient.address);
  const paid = after - before === BigInt(REWARD);
  done(
    'step 9',
    `after the ${DISPUTE_WINDOW} s window, ${PEOPLE.hospital[0]} settles: Alice is paid and the licence holds`,
    spent('settle', settled),
    [
      `balances: ${PEOPLE.patient[0]} ${after}, ${PEOPLE.lab[0]} ${await medshare.balance(creds.lab.address)}, supply ${await medshare.supply()}`,
      `licence: exclusive, to ${creds.lab.address}, at ${(await medshare.licence(recordId, 0)).time}`,
    ],
  );

  // Step 8: the institution combines the two valid partials, decrypts, checks the record against the commitment on chain.
  const combined = ga07Verifiable.combineReEncryptionShares(pkg.preParams, keyCommitment, stored, [...delivered.values()]);
  const opened = decodeRecord(ga07.decrypt(pkg.preParams, creds.lab.decryptionKey, combined));
  const onChain = (await medshare.recordOfCommitment(commitment)) === recordId;
  const same =
    onChain &&
    proofSystem.commitRecord(opened.record, opened.blinding) === commitment &&
    opened.record.length === record.length &&
    opened.record.every((v, i) => v === record[i]);
  done('step 8', `${PEOPLE.lab[0]} combines shares ${[...delivered.keys()].join(' and ')}, decrypts, and checks the record`, 0n, [
    `record ${same ? 'matches' : 'DOES NOT match'} the on-chain commitment`,
  ]);

  // Section 5.1.5: a second sale under the exclusive licence.
  const otherRequirement: Requirement = { criteria: requirement.criteria, nonce: randomFieldElement({ random }) };
  const other = await as('otherLab').publishRequirement(
    {
      criteriaHash: proofSystem.requirementHash(otherRequirement),
      keywords: ['age'],
      verificationKey: vk,
      reward: 500,
      capacity: 1,
      exclusive: false,
    },
    at(),
  );
  const otherId = (other.accepted ? other.args.requirementId : '0x') as Hex;
  progress('Prove: a fresh proof for the second sale');
  const again = await proofSystem.prove(zkKeys.provingKey, {
    record,
    blinding,
    requirement: otherRequirement,
    salt: randomFieldElement({ random }),
    patientId: identityField(creds.patient.address),
    timestamp: BigInt(clock),
  });
  mark = now();
  const secondSale = await as('patient').submitProof(otherId, recordId, again.proof, again.publicSignals, at());
  const refused = !secondSale.accepted && secondSale.reason === 'exclusiveLicence';
  done('5.1.5', `${PEOPLE.patient[0]} tries to sell the record again to ${PEOPLE.otherLab[0]}`, 0n, [
    secondSale.accepted
      ? 'ACCEPTED (the exclusive licence was not enforced)'
      : `refused by the contract: ${secondSale.reason} (nothing sent: the simulation refused it)`,
  ]);
  return {
    steps,
    received: same,
    lyingProxyStruck: struck,
    patientPaid: paid,
    secondSaleRefused: refused,
    contract: medshare.address,
    gasByKind,
  };
}
