/**
 * The whole story of Huang et al. 2020, section 4.1 steps 1-9, on one machine: a PKG and
 * membership authority, a patient, a hospital, two research institutions, proxies and 3f + 1
 * verification nodes running PBFT with the smart contract. It reports each step, who saw what,
 * and timings, and ends with the exclusive-licence check of section 5.1.5 and (optionally) a node
 * that crashed mid-story catching up. `npx medshare demo` prints it.
 *
 * Randomness (`random`) and the clock used for timings (`now`) are passed in.
 * @module
 */
import { toHex } from '../internal/bytes.js';
import { type RandomSource, systemRandom } from '../internal/random.js';
import { ga07 } from '../pre/ga07.js';
import { contractStateHash, type Outcome, ProtocolError } from './contract.js';
import { type Receipt, VerificationNetwork } from './network.js';
import {
  createPkg,
  encryptRecord,
  issueReKey,
  proofSubmission,
  proxyReEncrypt,
  receiveRecord,
  sharingForm,
  signRecordCommitment,
  signSharingForm,
  signTransaction,
} from './parties.js';
import { type ProofSystem, randomFieldElement, type Requirement } from './proof-system.js';
import { encodeTransaction } from '../ledger/transaction.js';
import { ArgumentValueError, MedshareError } from '../internal/errors.js';

/** Who saw what in a step. */
export interface Observation {
  /** A party, or 'ledger (all nodes)'. */
  readonly who: string;
  /** What it saw. */
  readonly what: string;
}

/** How long a step took. */
export interface StepTiming {
  /** The step. */
  readonly step: string;
  /** Milliseconds, by the injected clock. */
  readonly ms: number;
}

/** Something the story reports. */
export type StoryEvent =
  | {
      /** A step finished. */
      readonly type: 'step';
      /** Which step ('setup', 'step 1', ..., 'step 9', '5.1.5', 'recovery'). */
      readonly step: string;
      /** What happened, in a few words. */
      readonly title: string;
      /** Details, one per line. */
      readonly lines: readonly string[];
      /** Who saw what in this step. */
      readonly saw: readonly Observation[];
      /** How long it took (milliseconds, by the injected clock). */
      readonly ms: number;
    }
  | {
      /** A long stage started. */
      readonly type: 'progress';
      /** What it is. */
      readonly message: string;
    };

/** Options of {@link runStory}. */
export interface StoryOptions {
  /** The eligibility proof system (the stand-in, or medshare/zk's Groth16). */
  readonly proofSystem: ProofSystem;
  /** Number of fields of the record (default 4). */
  readonly fields?: number;
  /** Number of proxies holding re-encryption key shares, all needed (t = n; default 1). */
  readonly proxies?: number;
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

/** What {@link runStory} returns. */
export interface StoryResult {
  /** The record the patient had. */
  readonly record: readonly number[];
  /** The record the institution received (equal to `record`). */
  readonly received: readonly number[];
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
  /** The network, for inspection. */
  readonly network: VerificationNetwork;
  /** The step timings, milliseconds. */
  readonly timings: readonly StepTiming[];
}

/** A record of `fields` fields: age, systolic BP, HbA1c x 10, ICD-10 code index, then lab values. */
export function sampleRecord(fields: number, random: RandomSource): number[] {
  if (!Number.isSafeInteger(fields) || fields < 1 || fields > 4096)
    throw new ArgumentValueError('fields', 'expected an integer in [1, 4096]');
  const base = [52, 128, 61, 250];
  const out: number[] = [];
  for (let i = 0; i < fields; i++) {
    const bytes = random(2);
    out.push(base[i] ?? (((bytes[0] as number) << 8) | (bytes[1] as number)) % 1000);
  }
  return out;
}

function hex(x: bigint): string {
  return `0x${x.toString(16).padStart(64, '0').slice(0, 16)}…`;
}

/**
 * Runs the whole story (see the module documentation).
 * @throws Error with one clear line if a step that should succeed is refused
 */
export async function runStory(options: StoryOptions): Promise<StoryResult> {
  const random = options.random ?? systemRandom;
  const now = options.now ?? (() => 0);
  const emit = options.onEvent ?? (() => {});
  const zk = options.proofSystem;
  const fields = options.fields ?? 4;
  const proxyCount = options.proxies ?? 1;
  const crash = options.crash ?? true;
  let time = options.time ?? 1_700_000_000;
  const tick = (seconds = 5) => {
    time += seconds;
    return time;
  };
  const timings: { step: string; ms: number }[] = [];
  const timed = async (
    step: string,
    title: string,
    body: () =>
      | Promise<{ lines: string[]; saw: { who: string; what: string }[] }>
      | { lines: string[]; saw: { who: string; what: string }[] },
  ) => {
    const start = now();
    const { lines, saw } = await body();
    const ms = now() - start;
    timings.push({ step, ms });
    emit({ type: 'step', step, title, lines, saw, ms });
  };
  const progress = (message: string) => emit({ type: 'progress', message });

  // --- Setup (4.2.1, 4.2.3): PKG, membership, zk keys, verification nodes.
  const pkg = createPkg({ random });
  const config = pkg.contractConfig();
  const nodeCount = options.nodes ?? 4;
  const network = new VerificationNetwork({
    n: nodeCount,
    config,
    deps: zk,
    random,
    clock: () => time,
    ...(options.checkpointInterval === undefined ? {} : { checkpointInterval: options.checkpointInterval }),
  });
  const ids = {
    patient: 'patient:alice',
    hospital: 'hospital:st-mary',
    labA: 'institute:oncology-lab',
    labB: 'institute:pharma-co',
    proxies: Array.from({ length: proxyCount }, (_, i) => `proxy:cloud-${i + 1}`),
    verifiers: Array.from({ length: nodeCount }, (_, i) => `verifier:node-${i}`),
  };
  const submit = (client: string, operation: Uint8Array, step: string): Receipt => {
    const { receipt, agreed } = network.submit(client, operation);
    if (!agreed) throw new MedshareError('ERR_NETWORK', `${step}: the verification nodes disagree on the outcome`);
    return receipt;
  };
  const accepted = (receipt: Receipt, step: string): string => {
    const o = receipt.outcome;
    if (!o.accepted) throw new ProtocolError(o.reason, `${step}: the contract refused the transaction: ${o.detail}`);
    return o.id;
  };

  let creds!: {
    patient: ReturnType<typeof pkg.enroll>;
    hospital: ReturnType<typeof pkg.enroll>;
    labA: ReturnType<typeof pkg.enroll>;
    labB: ReturnType<typeof pkg.enroll>;
    proxies: ReturnType<typeof pkg.enroll>[];
  };
  await timed('setup', 'PKG setup, key issue and registration (4.2.1, 4.2.3)', () => {
    creds = {
      patient: pkg.enroll(ids.patient, 'patient'),
      hospital: pkg.enroll(ids.hospital, 'hospital'),
      labA: pkg.enroll(ids.labA, 'institution'),
      labB: pkg.enroll(ids.labB, 'institution'),
      proxies: ids.proxies.map((p) => pkg.enroll(p, 'proxy')),
    };
    const roles: [string, Parameters<typeof pkg.registration>[1]][] = [
      [ids.patient, 'patient'],
      [ids.hospital, 'hospital'],
      [ids.labA, 'institution'],
      [ids.labB, 'institution'],
      ...ids.proxies.map((p) => [p, 'proxy'] as [string, 'proxy']),
      ...ids.verifiers.map((v) => [v, 'verifier'] as [string, 'verifier']),
    ];
    const lines: string[] = [];
    progress(`registering ${roles.length} identities, one PBFT round each`);
    for (const [identity, role] of roles) {
      const receipt = submit(config.authority, pkg.registration(identity, role, tick(1)), 'setup');
      lines.push(`${identity} -> ${role}, ${accepted(receipt, 'setup')} (block ${receipt.height})`);
    }
    return {
      lines: [
        `${nodeCount} verification nodes (PBFT, f = ${(nodeCount - 1) / 3}); membership authority ${config.authority}`,
        ...lines,
      ],
      saw: [
        { who: 'PKG', what: 'every secret key (key escrow of identity-based schemes)' },
        { who: 'ledger (all nodes)', what: 'identities, roles and addresses' },
      ],
    };
  });

  let keys!: Awaited<ReturnType<ProofSystem['keyGen']>>;
  await timed('zk setup', `ZKPKeyGen for ${fields}-field records (4.2.6 step 5), proof system: ${zk.name}`, async () => {
    keys = await zk.keyGen(fields, { random, onProgress: progress });
    return {
      lines: [
        zk.name === 'stand-in'
          ? 'STAND-IN proof system: an Ed25519-signing trusted prover, NOT a zk-SNARK'
          : zk.name === 'groth16'
            ? 'Groth16 on BN254 (medshare/zk): one circuit per record size, compiled once and cached'
            : `proof system ${zk.name}`,
        `verification key VK_c: ${keys.verificationKey.length} bytes`,
      ],
      saw: [{ who: 'everyone', what: 'VK_c' }],
    };
  });

  // --- Step 1 (4.2.2): the institution publishes its requirement.
  const requirement: Requirement = {
    criteria:
      fields >= 4
        ? [
            { field: 0, min: 40, max: 65 },
            { field: 3, min: 250, max: 250 },
          ]
        : [{ field: 0, min: 40, max: 65 }],
    nonce: randomFieldElement({ random }), // nu: handed to patients with the criteria, never published
  };
  const criteriaHash = zk.requirementHash(requirement);
  let requirementId = '';
  await timed('step 1', `${ids.labA} publishes a requirement`, () => {
    const receipt = submit(
      ids.labA,
      signTransaction(
        creds.labA.signingKey,
        'publishRequirement',
        { criteriaHash, keywords: ['age', 'diagnosis:C50'], verificationKey: keys.verificationKey, reward: 100, exclusive: true },
        tick(),
        { random },
      ),
      'step 1',
    );
    requirementId = accepted(receipt, 'step 1');
    return {
      lines: [`${requirementId} in block ${receipt.height}: key words [age, diagnosis:C50], reward 100, exclusive licence`],
      saw: [
        { who: 'ledger (all nodes)', what: `criteria hash ${hex(criteriaHash)}, key words, VK_c, reward, exclusive` },
        {
          who: ids.patient,
          what: 'the full criteria and their nonce (given by the institution off the ledger, to prove against)',
        },
      ],
    };
  });

  // --- Steps 2-3 (4.2.4-4.2.5): the hospital encrypts the record for the patient; the commitment goes on the ledger.
  const record = sampleRecord(fields, random);
  const blinding = randomFieldElement({ random }); // rho: kept with the record, sealed with it, never on the ledger
  const commitment = zk.commitRecord(record, blinding);
  let stored!: ReturnType<typeof encryptRecord>;
  let recordId = '';
  await timed('step 2', `${ids.hospital} encrypts the record to ${ids.patient} and stores it with the proxy`, () => {
    stored = encryptRecord(pkg.preParams, ids.patient, commitment, record, blinding, { random });
    return {
      lines: [
        `Encrypt(PK, ID, D || rho) to the record's own identity ${ids.patient}#record:…: ${fields} fields and the commitment's blinding rho -> ${ga07.encodeCiphertext(stored).length}-byte ciphertext`,
      ],
      saw: [
        { who: ids.hospital, what: "the record and its blinding rho (it produced them, on the patient's behalf)" },
        { who: ids.proxies.join(', '), what: 'the ciphertext only' },
      ],
    };
  });
  await timed('step 3', `${ids.hospital} records the commitment on the ledger with the patient's AuthSign`, () => {
    const patientSignature = signRecordCommitment(creds.patient.signingKey, commitment, { random });
    const receipt = submit(
      ids.hospital,
      signTransaction(
        creds.hospital.signingKey,
        'registerRecord',
        { patient: ids.patient, commitment, patientSignature },
        tick(),
        {
          random,
        },
      ),
      'step 3',
    );
    recordId = accepted(receipt, 'step 3');
    return {
      lines: [`${recordId} in block ${receipt.height}: commitment ${hex(commitment)}, sigma_a by ${ids.patient}`],
      saw: [
        {
          who: 'ledger (all nodes)',
          what: 'the commitment and sigma_a, not the record (the commitment is hiding: blinded by rho)',
        },
      ],
    };
  });

  // --- Steps 4-5 (4.2.6-4.2.7): prove and submit.
  let approvalId = '';
  let submission!: Awaited<ReturnType<typeof proofSubmission>>;
  await timed('step 4', `${ids.patient} proves the record meets the requirement`, async () => {
    progress(`proving (${zk.name})`);
    submission = await proofSubmission(
      {
        patientKey: creds.patient.signingKey,
        proofSystem: zk,
        provingKey: keys.provingKey,
        requirementId,
        requirement,
        recordId,
        record,
        blinding,
        time: tick(),
      },
      { random },
    );
    const s = zk.decodePublicSignals(submission.publicSignals);
    return {
      lines: [`R = ${s.eligible ? 1 : 0}, h = ${hex(s.binding)}, T = ${s.timestamp}; sigma_a = AuthSign(SK_p, h)`],
      saw: [{ who: ids.patient, what: 'everything (its own record)' }],
    };
  });
  await timed('step 5', 'the contract verifies the submission', () => {
    const receipt = submit(ids.patient, submission.operation, 'step 5');
    approvalId = accepted(receipt, 'step 5');
    return {
      lines: [
        `accepted in block ${receipt.height}: signature, proof, requirement hash, commitment, R = 1, freshness, no replay`,
        `approval ${approvalId}`,
      ],
      saw: [{ who: 'ledger (all nodes)', what: 'proof, public signals (R, h, commitment, requirement hash, ID_p, T), sigma_a' }],
    };
  });

  const crashed = nodeCount - 1;
  if (crash) {
    network.crash(crashed);
    emit({
      type: 'step',
      step: 'fault',
      title: `verification node ${crashed} crashes`,
      lines: [
        `node ${crashed} stops at height ${network.nodes[crashed]?.store.height}; the other ${nodeCount - 1} still form a quorum`,
      ],
      saw: [],
      ms: 0,
    });
  }

  // --- Step 6 (4.2.8): ReKeyGen, sealed to the proxies; the key commitment goes on the ledger.
  let issued!: ReturnType<typeof issueReKey>;
  await timed('step 6', `${ids.patient} issues the re-encryption key, sealed to the proxy`, () => {
    const recordKey = pkg.recordKey(ids.patient, commitment);
    issued = issueReKey(pkg.preParams, recordKey, ids.labA, ids.proxies, proxyCount, { random });
    const receipt = submit(
      ids.patient,
      signTransaction(creds.patient.signingKey, 'grantAccess', { approvalId, reKeyCommitment: issued.reKeyCommitment }, tick(), {
        random,
      }),
      'step 6',
    );
    accepted(receipt, 'step 6');
    return {
      lines: [
        `ReKeyGen from this record's key only; ${proxyCount}-of-${proxyCount} key shares, each Encrypt(PK, ID_proxy, share): ${issued.sealedShares.map((s) => s.sealed.length).join(', ')} bytes`,
        `key commitment (${issued.reKeyCommitment.length} bytes) recorded in block ${receipt.height}`,
      ],
      saw: [
        { who: ids.proxies.join(', '), what: 'its sealed key share (opens it; cannot decrypt the record alone)' },
        { who: 'ledger (all nodes)', what: 'the re-encryption key commitment' },
      ],
    };
  });

  // --- Step 7: the proxies re-encrypt, with proofs.
  let shares: Uint8Array[] = [];
  await timed('step 7', 'the proxy re-encrypts, with a proof of correct re-encryption', () => {
    shares = issued.sealedShares.map((s, i) =>
      proxyReEncrypt(pkg.preParams, creds.proxies[i] as (typeof creds.proxies)[number], s.sealed, stored, {
        random,
      }),
    );
    return {
      lines: [`${shares.length} re-encryption share(s) with proofs: ${shares.map((s) => s.length).join(', ')} bytes`],
      saw: [{ who: ids.labA, what: 'the stored ciphertext and the re-encryption shares with proofs' }],
    };
  });

  // --- Step 8 (4.2.9): the institution checks, decrypts, checks the commitment.
  let received: number[] = [];
  await timed('step 8', `${ids.labA} checks the proofs, decrypts and checks the record against the ledger`, () => {
    const grant = network.nodes[0]?.ledger.contract.approvals.get(approvalId)?.reKeyCommitment;
    if (grant == null) throw new MedshareError('ERR_NETWORK', 'step 8: the ledger holds no key commitment');
    received = receiveRecord(
      pkg.preParams,
      creds.labA.decryptionKey,
      { reKeyCommitment: grant, commitment, stored, shares },
      zk,
      pkg.signParams,
    );
    return {
      lines: [`received ${received.length} fields; commitment matches the ledger: it is the data that was proven`],
      saw: [{ who: ids.labA, what: `the record [${received.slice(0, 6).join(', ')}${received.length > 6 ? ', …' : ''}]` }],
    };
  });

  // --- Step 9 (4.2.10): the sharing transaction, signed by both, through PBFT.
  await timed('step 9', 'the sharing transaction, signed by the patient and the institution, goes through PBFT', () => {
    const form = sharingForm(ids.patient, ids.labA, commitment, tick());
    const patientSignature = signSharingForm(creds.patient.signingKey, form, { random });
    const institutionSignature = signSharingForm(creds.labA.signingKey, form, { random });
    const transaction = encodeTransaction({ ...form, patientSignature, institutionSignature });
    const receipt = submit(
      ids.labA,
      signTransaction(creds.labA.signingKey, 'share', { approvalId, transaction }, tick(0), { random }),
      'step 9',
    );
    accepted(receipt, 'step 9');
    const balances = network.nodes[0]?.ledger.contract.balances;
    return {
      lines: [
        `block ${receipt.height}: ${ids.patient} -> ${ids.labA}, exclusive licence; reward: patient ${balances?.get(ids.patient)}, institution ${balances?.get(ids.labA)}`,
      ],
      saw: [{ who: 'ledger (all nodes)', what: 'the Fig. 3 form: parties, data hash (commitment), T, both signatures' }],
    };
  });

  let restartedAt: number | null = null;
  if (crash) {
    await timed('recovery', `verification node ${crashed} restarts`, () => {
      network.restart(crashed);
      restartedAt = network.nodes[crashed]?.store.height ?? 0;
      return {
        lines: [
          `replayed its ${restartedAt} blocks (each replayed contract state matches the hash kept beside its block)`,
          `the others are at height ${network.height}; it catches up when the next request reaches it`,
        ],
        saw: [],
      };
    });
  }

  // --- Section 5.1.5: a second sale of the same record under the exclusive licence.
  let secondSale!: Outcome;
  await timed('5.1.5', `${ids.patient} tries to sell the same record to ${ids.labB}`, async () => {
    const criteriaB: Requirement = { criteria: [{ field: 0, min: 18, max: 90 }], nonce: randomFieldElement({ random }) };
    const publishB = submit(
      ids.labB,
      signTransaction(
        creds.labB.signingKey,
        'publishRequirement',
        {
          criteriaHash: zk.requirementHash(criteriaB),
          keywords: ['age'],
          verificationKey: keys.verificationKey,
          reward: 150,
          exclusive: false,
        },
        tick(),
        { random },
      ),
      '5.1.5',
    );
    const requirementB = accepted(publishB, '5.1.5');
    progress(`proving (${zk.name})`);
    const attempt = await proofSubmission(
      {
        patientKey: creds.patient.signingKey,
        proofSystem: zk,
        provingKey: keys.provingKey,
        requirementId: requirementB,
        requirement: criteriaB,
        recordId,
        record,
        blinding,
        time: tick(),
      },
      { random },
    );
    const receipt = submit(ids.patient, attempt.operation, '5.1.5');
    secondSale = receipt.outcome;
    if (secondSale.accepted)
      throw new MedshareError('ERR_NETWORK', '5.1.5: the second sale under an exclusive licence was accepted');
    const licence = network.nodes[0]?.ledger.contract.records.get(recordId)?.licences[0];
    return {
      lines: [
        `refused: ${secondSale.reason}: ${secondSale.detail}`,
        `accountable: ${secondSale.accountable} (the refused transaction ${receipt.transactionId.slice(0, 16)}… is in block ${receipt.height}, signed by ${receipt.outcome.sender})`,
        `licence on the ledger: ${licence?.institution}, exclusive, since T = ${licence?.time}`,
      ],
      saw: [{ who: 'ledger (all nodes)', what: 'the attempt, signed by the patient, and the refusal' }],
    };
  });

  if (restartedAt !== null) {
    const from = restartedAt;
    await timed('recovered', `verification node ${crashed} catches up`, () => {
      const ticks = network.settle();
      return {
        lines: [
          `from height ${from} to ${network.nodes[crashed]?.store.height} (PBFT retransmission or state transfer, then ${ticks} more logical ticks)`,
          `same ledger head and contract-state hash as the others: ${network.agree() ? 'yes' : 'NO'}`,
        ],
        saw: [],
      };
    });
  }

  const stateHash = toHex(contractStateHash((network.nodes[0] as (typeof network.nodes)[number]).ledger.contract));
  return {
    record,
    received,
    secondSale,
    agreed: network.agree(),
    height: network.height,
    stateHash,
    restartedAt,
    network,
    timings,
  };
}
