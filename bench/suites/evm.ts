/**
 * The contract on an EVM (contracts/MedShare.sol, issue 14), beside the PBFT figures (Fig. 5): gas
 * and wall time per operation on the in-process Prague EVM (@ethereumjs/vm), and how many of each
 * fit a 30M-gas block. Gas is exact and the same on any Prague chain (Besu QBFT included); wall time
 * is this machine's in-process EVM, with the pairing precompiles named in the report.
 *
 * Each operation runs from the same chain state (a snapshot, restored after each run): register,
 * publishRequirement (with a Groth16 key for 4-field records), registerRecord (one AuthSign on
 * chain), submitProof (Groth16 on chain), grantAccess (a 1-proxy key commitment), share (two
 * AuthSigns). Targets: registerRecord <= 230k gas, submitProof <= 300k gas.
 *
 * Run: npm run bench -- --only evm [--quick]
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeDeployData, encodeFunctionData, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { medShareAbi, medShareBytecode } from '../../src/evm/artifacts.js';
import {
  encodeAuthSignParams,
  encodeProof,
  encodePublicSignals,
  encodeVerificationKey,
  identityField,
  recordId,
  ROLE_CODES,
  requirementId,
  signRecordCommitment,
  signSharingForm,
} from '../../src/evm/encoding.js';
import { type ChainReceipt, InProcessChain } from '../../src/evm/in-process.js';
import { counterModeRandom } from '../../src/internal/random.js';
import { randomFieldElement } from '../../src/protocol/proof-system.js';
import { createPkg, issueReKey } from '../../src/protocol/parties.js';
import { fieldToBytes } from '../../src/protocol/transactions.js';
import { groth16ProofSystem, releaseWorkers, type VerificationKey } from '../../src/zk/index.js';
import type { Measurement } from '../harness.js';
import type { EvmPoint, EvmResults } from '../report.js';

const BLOCK_GAS = 30_000_000;
const T0 = 1_700_000_000;
const TARGETS: Record<string, number> = { registerRecord: 230_000, submitProof: 300_000 };
const PEOPLE = ['ca:membership', 'patient:alice', 'hospital:st-mary', 'institute:oncology-lab', 'patient:carol'] as const;

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
      data: encodeDeployData({
        abi: medShareAbi,
        bytecode: medShareBytecode,
        args: ['ca:membership', accountOf('ca:membership'), hex(encodeAuthSignParams(pkg.signParams)), 3600n, 300n],
      }),
      gasLimit: 29_000_000n,
    }),
    'deployment',
  );
  const contract = deployed.contractAddress as Hex;
  const domain = { chainId: chain.chainId, contract };
  for (const [who, role] of [
    ['patient:alice', 'patient'],
    ['hospital:st-mary', 'hospital'],
    ['institute:oncology-lab', 'institution'],
  ] as const) {
    await must(send('ca:membership', 'register', [who, ROLE_CODES[role], accountOf(who), BigInt(T0)]), 'register');
  }

  progress('evm: Groth16 key and proof for 4-field records (circuit cached after the first build)');
  const zk = groth16ProofSystem(4, { cacheDir: circuitDir });
  const keys = await zk.keyGen(4, { random });
  const vk = encodeVerificationKey(JSON.parse(new TextDecoder().decode(keys.verificationKey)) as VerificationKey);
  const requirement = { criteria: [{ field: 0, min: 40, max: 65 }], nonce: randomFieldElement({ random }) };
  const criteriaHash = zk.requirementHash(requirement);
  const publishArgs = (keyword: string) => [criteriaHash, [keyword], hex(vk), 100n, true, BigInt(T0)];
  await must(send('institute:oncology-lab', 'publishRequirement', publishArgs('age')), 'publish');
  const reqId = requirementId('institute:oncology-lab', {
    criteriaHash,
    keywords: ['age'],
    verificationKey: vk,
    reward: 100,
    exclusive: true,
  });
  const record = [52, 128, 61, 250];
  const blinding = randomFieldElement({ random });
  const commitment = zk.commitRecord(record, blinding);
  const alice = pkg.enroll('patient:alice', 'patient');
  const lab = pkg.enroll('institute:oncology-lab', 'institution');
  await must(
    send('hospital:st-mary', 'registerRecord', [
      'patient:alice',
      commitment,
      hex(signRecordCommitment(alice.signingKey, domain, commitment, { random })),
      BigInt(T0),
    ]),
    'registerRecord',
  );
  const recId = recordId('patient:alice', commitment);
  const { proof, publicSignals } = await zk.prove(keys.provingKey, {
    record,
    blinding,
    requirement,
    salt: 12345n,
    patientId: identityField('patient:alice'),
    timestamp: BigInt(T0),
  });
  await releaseWorkers();
  const otherCommitment = zk.commitRecord([60, 120, 70, 250], randomFieldElement({ random }));
  const otherSignature = hex(signRecordCommitment(alice.signingKey, domain, otherCommitment, { random }));
  const reKey = issueReKey(
    pkg.preParams,
    pkg.recordKey('patient:alice', commitment),
    'institute:oncology-lab',
    ['proxy:cloud-1'],
    1,
    {
      random,
    },
  ).reKeyCommitment;
  const form = {
    patient: 'patient:alice',
    institution: 'institute:oncology-lab',
    dataHash: fieldToBytes(commitment),
    timestamp: T0,
  };
  const sharing = {
    patient: form.patient,
    institution: form.institution,
    dataHash: hex(form.dataHash),
    timestamp: BigInt(T0),
    patientSignature: hex(signSharingForm(alice.signingKey, domain, form, { random })),
    institutionSignature: hex(signSharingForm(lab.signingKey, domain, form, { random })),
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
  points.push(
    await operation('register', 'ca:membership', 'register', [
      'patient:carol',
      ROLE_CODES.patient,
      accountOf('patient:carol'),
      BigInt(T0),
    ]),
  );
  points.push(await operation('publishRequirement', 'institute:oncology-lab', 'publishRequirement', publishArgs('diabetes')));
  points.push(
    await operation('registerRecord', 'hospital:st-mary', 'registerRecord', [
      'patient:alice',
      otherCommitment,
      otherSignature,
      BigInt(T0),
    ]),
  );
  const submitArgs = [reqId, recId, encodeProof(proof), encodePublicSignals(publicSignals), BigInt(T0)];
  points.push(await operation('submitProof', 'patient:alice', 'submitProof', submitArgs));
  await must(send('patient:alice', 'submitProof', submitArgs), 'submitProof');
  points.push(await operation('grantAccess', 'patient:alice', 'grantAccess', [reqId, recId, hex(reKey), BigInt(T0)]));
  await must(send('patient:alice', 'grantAccess', [reqId, recId, hex(reKey), BigInt(T0)]), 'grantAccess');
  points.push(await operation('share', 'institute:oncology-lab', 'share', [reqId, recId, sharing, BigInt(T0)]));
  return { precompiles, deploymentGas: Number(deployed.gasUsed), blockGas: BLOCK_GAS, points };
}
