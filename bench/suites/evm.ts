/**
 * The contract on an EVM (contracts/MedShare.sol, contract v2), beside the PBFT figures (Fig. 5):
 * gas and wall time per operation on the in-process Prague EVM (@ethereumjs/vm), and how many of
 * each fit a 30M-gas block. Gas is exact and the same on any Prague chain (Besu QBFT included); wall
 * time is this machine's in-process EVM, with the pairing precompiles named in the report.
 *
 * Each operation runs from the state a sale reaches before it (a snapshot, restored after each run),
 * then once for real to move the sale on: register, deposit, withdraw, publishRequirement (a Groth16
 * key for 4-field records), closeRequirement, registerRecord (the consent: one AuthSign on chain),
 * submitProof (Groth16 on chain), grantAccess (2-of-3 key commitment, 3 proxies, ciphertext header,
 * the patient's form: one AuthSign), acceptGrant (the institution's form: one AuthSign), deliver
 * (the first, and the t-th that opens the dispute window), dispute, resolveDispute (a struck
 * partial), settle, reclaim. Targets: registerRecord <= 230k gas, submitProof <= 300k gas, deliver
 * and settle < 120k gas.
 *
 * Run: npm run bench -- --only evm [--quick]
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeFunctionData, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { medShareAbi } from '../../src/evm/artifacts.js';
import { medShareDeployData } from '../../src/evm/client.js';
import {
  approvalId,
  encodeProof,
  encodePublicSignals,
  encodeSignature,
  encodeVerificationKey,
  evmDeployment,
  identityField,
  recordId,
  ROLE_CODES,
} from '../../src/evm/encoding.js';
import { type ChainReceipt, InProcessChain } from '../../src/evm/in-process.js';
import { counterModeRandom } from '../../src/internal/random.js';
import { ga07 } from '../../src/pre/ga07.js';
import { ga07Verifiable } from '../../src/pre/ga07-verifiable.js';
import {
  ciphertextHeader,
  createPkg,
  encryptRecord,
  issueReKey,
  signRecordCommitment,
  signSharingForm,
} from '../../src/protocol/parties.js';
import { randomFieldElement } from '../../src/protocol/proof-system.js';
import type { Role, SharingForm } from '../../src/protocol/transactions.js';
import { groth16ProofSystem, releaseWorkers, type VerificationKey } from '../../src/zk/index.js';
import type { Measurement } from '../harness.js';
import type { EvmPoint, EvmResults } from '../report.js';

const BLOCK_GAS = 30_000_000;
const T0 = 1_700_000_000;
const TARGETS: Record<string, number> = {
  registerRecord: 230_000,
  submitProof: 300_000,
  deliver: 120_000,
  'deliver (t-th)': 120_000,
  settle: 120_000,
};
const MEMBERS: readonly (readonly [string, Role])[] = [
  ['patient:alice', 'patient'],
  ['hospital:st-mary', 'hospital'],
  ['institute:oncology-lab', 'institution'],
  ['proxy:cloud-1', 'proxy'],
  ['proxy:cloud-2', 'proxy'],
  ['proxy:cloud-3', 'proxy'],
];
const PEOPLE = ['ca:membership', ...MEMBERS.map(([n]) => n), 'patient:carol'] as const;
const DELIVERY_WINDOW = 3600;
const DISPUTE_WINDOW = 3600;

const keyOf = (name: string) => sha256(new TextEncoder().encode(`medshare-evm-bench:${name}`));
const accountOf = (name: string) => privateKeyToAccount(`0x${Buffer.from(keyOf(name)).toString('hex')}`).address;
const hex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex')}`;

/** Runs the EVM suite: `runs` timed runs per operation (after one warm-up); the 4-field circuit is cached in `circuitDir`. */
export async function runEvmSuite(runs: number, progress: (message: string) => void, circuitDir: string): Promise<EvmResults> {
  let precompiles: 'wasm' | 'noble' = 'wasm';
  let chain: InProcessChain;
  const accounts = PEOPLE.map(keyOf);
  try {
    chain = await InProcessChain.create({ time: T0, precompiles, accounts });
  } catch {
    precompiles = 'noble';
    chain = await InProcessChain.create({ time: T0, precompiles, accounts });
  }
  const random = counterModeRandom(new TextEncoder().encode('medshare-evm-bench:'));
  const pkg = createPkg({ random, authority: 'ca:membership' });
  const send = (who: string, functionName: string, args: readonly unknown[]) =>
    chain.execute(keyOf(who), {
      to: contract,
      data: encodeFunctionData({ abi: medShareAbi, functionName, args } as never),
      gasLimit: 5_000_000n,
    });
  const must = async (receipt: Promise<ChainReceipt>, what: string) => {
    const r = await receipt;
    if (!r.success) throw new Error(`evm bench: ${what} reverted (${r.revertData})`);
    return r;
  };

  progress('evm: deploying MedShare on the in-process Prague EVM');
  const deployed = await must(
    chain.execute(keyOf('ca:membership'), {
      data: medShareDeployData({
        authority: 'ca:membership',
        authorityAccount: accountOf('ca:membership'),
        signParams: pkg.signParams,
        deliveryWindow: DELIVERY_WINDOW,
        disputeWindow: DISPUTE_WINDOW,
      }),
      gasLimit: 29_000_000n,
    }),
    'deployment',
  );
  const contract = deployed.contractAddress as Hex;
  const config = { deployment: evmDeployment(chain.chainId, contract) };
  const creds = new Map(MEMBERS.map(([n, role]) => [n, pkg.enroll(n, role)]));
  const cred = (n: string) => creds.get(n) as ReturnType<typeof pkg.enroll>;
  for (const [who, role] of MEMBERS) {
    await must(send('ca:membership', 'register', [cred(who).address, ROLE_CODES[role], accountOf(who), BigInt(T0)]), 'register');
  }
  const alice = cred('patient:alice');
  const lab = cred('institute:oncology-lab');
  const proxies = ['proxy:cloud-1', 'proxy:cloud-2', 'proxy:cloud-3'];

  progress('evm: Groth16 key and proof for 4-field records (circuit cached after the first build)');
  const zk = groth16ProofSystem(4, { cacheDir: circuitDir });
  const keys = await zk.keyGen(4, { random });
  const vk = encodeVerificationKey(JSON.parse(new TextDecoder().decode(keys.verificationKey)) as VerificationKey);
  const requirement = { criteria: [{ field: 0, min: 40, max: 65 }], nonce: randomFieldElement({ random }) };
  const criteriaHash = zk.requirementHash(requirement);
  const publishArgs = (keyword: string) => [criteriaHash, [keyword], hex(vk), 100n, 2, true, BigInt(T0)];
  const record = [52, 128, 61, 250];
  const blinding = randomFieldElement({ random });
  const commitment = zk.commitRecord(record, blinding);
  const consent = (c: bigint) =>
    hex(encodeSignature(signRecordCommitment(config, alice.signingKey, cred('hospital:st-mary').address, c, { random })));
  const recId = recordId(alice.address, commitment);
  const { proof, publicSignals } = await zk.prove(keys.provingKey, {
    record,
    blinding,
    requirement,
    salt: 12345n,
    patientId: identityField(alice.address),
    timestamp: BigInt(T0),
  });
  await releaseWorkers();
  const otherCommitment = zk.commitRecord([60, 120, 70, 250], randomFieldElement({ random }));
  const stored = encryptRecord(pkg.preParams, alice.address, commitment, record, blinding, { random });
  const issued = issueReKey(
    pkg.preParams,
    pkg.recordKey(alice.address, commitment),
    lab.address,
    proxies.map((p) => cred(p).address),
    2,
    { random },
  );
  const partial = (i: number) => {
    const share = ga07Verifiable.decodeReKeyShare(
      ga07.decrypt(
        pkg.preParams,
        cred(proxies[i - 1] as string).decryptionKey,
        ga07.decodeCiphertext(issued.sealedShares[i - 1]?.sealed as Uint8Array),
      ),
    );
    const p = ga07Verifiable.reEncryptShare(pkg.preParams, share, stored, { random });
    return hex(ga07Verifiable.encodeReEncryptionShare(p));
  };

  /** Times one operation from the current state: each run on a snapshot, restored afterwards. */
  const operation = async (name: string, who: string, functionName: string, args: readonly unknown[]): Promise<EvmPoint> => {
    progress(`evm: ${name}`);
    const times: number[] = [];
    let gas = 0n;
    for (let i = 0; i <= runs; i++) {
      await chain.snapshot();
      const t0 = performance.now();
      const receipt = await must(send(who, functionName, args), name);
      const elapsed = performance.now() - t0;
      await chain.restore();
      gas = receipt.gasUsed;
      if (i > 0) times.push(elapsed); // the first run warms up
    }
    times.sort((a, b) => a - b);
    const mid = times.length >> 1;
    const medianMs = times.length % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
    const wall: Measurement = { name, runs, medianMs, minMs: times[0] as number, maxMs: times[times.length - 1] as number };
    const g = Number(gas);
    return {
      operation: name,
      gas: g,
      perBlock: Math.floor(BLOCK_GAS / g),
      wall,
      ...(TARGETS[name] === undefined ? {} : { target: TARGETS[name] }),
    };
  };

  const points: EvmPoint[] = [];
  /** Measures an operation, then runs it for real so the next one starts from its state. */
  const step = async (name: string, who: string, functionName: string, args: readonly unknown[], keep = true) => {
    points.push(await operation(name, who, functionName, args));
    if (keep) await must(send(who, functionName, args), name);
  };
  const carol = pkg.pseudonymOf('patient:carol');
  await step('register', 'ca:membership', 'register', [carol, ROLE_CODES.patient, accountOf('patient:carol'), BigInt(T0)], false);
  await step('deposit', 'ca:membership', 'deposit', [lab.address, 1000n, BigInt(T0)]);
  await step('withdraw', 'institute:oncology-lab', 'withdraw', [10n, BigInt(T0)], false);
  await step('publishRequirement', 'institute:oncology-lab', 'publishRequirement', publishArgs('age'));
  // The requirement's id: the first topic of the RequirementPublished event the real run emitted.
  const published = chain.allReceipts().at(-1) as ChainReceipt;
  const reqId = (published.logs[0]?.topics[1] ?? '0x') as Hex;
  await step('closeRequirement', 'institute:oncology-lab', 'closeRequirement', [reqId, BigInt(T0)], false);
  await step(
    'registerRecord',
    'hospital:st-mary',
    'registerRecord',
    [alice.address, otherCommitment, consent(otherCommitment), BigInt(T0)],
    false,
  );
  await must(
    send('hospital:st-mary', 'registerRecord', [alice.address, commitment, consent(commitment), BigInt(T0)]),
    'registerRecord',
  );
  await step('submitProof', 'patient:alice', 'submitProof', [
    reqId,
    recId,
    encodeProof(proof),
    encodePublicSignals(publicSignals),
    BigInt(T0),
  ]);
  const saleId = approvalId(reqId, recId);
  const form: SharingForm = {
    deployment: config.deployment,
    approvalId: saleId,
    requirementId: reqId,
    recordId: recId,
    patient: alice.address,
    institution: lab.address,
    commitment,
    reward: 100,
    exclusive: true,
    time: T0,
  };
  const formSig = (key: typeof alice.signingKey) => hex(encodeSignature(signSharingForm(key, form, { random })));
  await step('grantAccess (2-of-3)', 'patient:alice', 'grantAccess', [
    reqId,
    recId,
    hex(issued.reKeyCommitment),
    issued.proxies,
    hex(ciphertextHeader(stored)),
    BigInt(T0),
    formSig(alice.signingKey),
    BigInt(T0),
  ]);
  await step('acceptGrant', 'institute:oncology-lab', 'acceptGrant', [saleId, formSig(lab.signingKey), BigInt(T0)]);
  await chain.snapshot(); // reclaim: the delivery deadline passed with no delivery
  const late = T0 + DELIVERY_WINDOW + 1;
  chain.setTime(late);
  points.push(await operation('reclaim', 'institute:oncology-lab', 'reclaim', [saleId, BigInt(late)]));
  await chain.restore();
  await step('deliver', 'proxy:cloud-1', 'deliver', [saleId, partial(1), BigInt(T0)]);
  await step('deliver (t-th)', 'proxy:cloud-2', 'deliver', [saleId, partial(2), BigInt(T0)]);
  await step('dispute', 'institute:oncology-lab', 'dispute', [saleId, 1]);
  await step('resolveDispute (struck)', 'ca:membership', 'resolveDispute', [saleId, 1, false], false);
  await chain.snapshot(); // a false dispute: settled at the ruling
  points.push(await operation('resolveDispute (settles)', 'ca:membership', 'resolveDispute', [saleId, 1, true]));
  await chain.restore();
  await must(send('ca:membership', 'resolveDispute', [saleId, 1, false]), 'resolveDispute');
  await must(send('proxy:cloud-3', 'deliver', [saleId, partial(3), BigInt(T0)]), 'deliver');
  chain.setTime(T0 + DISPUTE_WINDOW + 1);
  await step('settle', 'patient:alice', 'settle', [saleId], false);
  return { precompiles, deploymentGas: Number(deployed.gasUsed), blockGas: BLOCK_GAS, points };
}
