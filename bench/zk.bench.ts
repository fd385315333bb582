/**
 * zk-SNARK eligibility proofs (medshare/zk) beside the paper's section 5.2: key generation,
 * proving and verification time (Figs 6-8, Table 4) and proving key, verification key and
 * proof sizes (Table 3) for n = 100, 250, 500, 750, 1000 record fields, with the constraint
 * count of each circuit. Run: `npx tsx bench/zk.bench.ts [--quick]` (--quick: n = 100 only,
 * one run each). Circuits are compiled once into .cache/medshare-zk (about 10 s each).
 *
 * The paper measured libsnark on an i7-4770 (4 cores, 3.4 GHz); its proof and key sizes grow
 * with the inputs because its circuit takes them as public inputs. Targets (issue 4) at
 * n = 1000 on a 2-core machine: keygen < 16.3 s, proving < 5 s, verification < 50 ms,
 * proving key < 15.3 MB, verification key about 3 KB, proof 256 B packed.
 */
import {
  buildCircuit,
  circuitShape,
  encodeProof,
  prepareVerificationKey,
  prove,
  type Requirement,
  releaseWorkers,
  verify,
  zkpKeyGen,
} from '../src/zk/index.js';
import { describeMachine, fmt, table } from './harness.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [100] : [100, 250, 500, 750, 1000];
const proveRuns = quick ? 1 : 3;
const verifyRuns = quick ? 3 : 20;

/** Paper, Table 3 (sizes) and Table 4 / Figs 6-8 (times; the figures are plots, only n = 1000 is tabulated). */
const paper: Record<number, { pk: string; vk: string; proof: string; keygen: string; prove: string; verify: string }> = {
  100: { pk: '15.3 MB', vk: '3.5 KB', proof: '12.9 KB', keygen: '~16 s', prove: '(Fig. 7)', verify: '(Fig. 8)' },
  250: { pk: '15.3 MB', vk: '8.2 KB', proof: '31.6 KB', keygen: '~16 s', prove: '(Fig. 7)', verify: '(Fig. 8)' },
  500: { pk: '15.3 MB', vk: '16.0 KB', proof: '62.9 KB', keygen: '~16 s', prove: '(Fig. 7)', verify: '(Fig. 8)' },
  750: { pk: '15.3 MB', vk: '23.8 KB', proof: '94.1 KB', keygen: '~16 s', prove: '(Fig. 7)', verify: '(Fig. 8)' },
  1000: { pk: '15.3 MB', vk: '31.5 KB', proof: '125.4 KB', keygen: '16.3 s', prove: '52 s', verify: '0.614 s' },
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const kb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(2)} KB`);

console.log(`medshare zk benchmark - ${describeMachine()}`);
console.log(
  `Groth16 on BN254: our single-party setup, snarkjs 0.7.6 prover (worker threads), our TypeScript verifier (@noble/curves)\n`,
);

const rows: (string | number)[][] = [];
for (const n of sizes) {
  const shape = circuitShape(n);
  const circuit = await buildCircuit(shape, { onProgress: (stage, message) => console.log(`  [n=${n}] ${stage}: ${message}`) });
  let t = performance.now();
  const { provingKey, verificationKey } = await zkpKeyGen(circuit);
  const keygenMs = performance.now() - t;

  // A record meeting a requirement of 8 criteria (the paper's example attributes: age,
  // height, weight, blood type, heart rate, disease, diagnosis, treatment).
  const record = Array.from({ length: n }, (_, i) => (i * 7919) % 65536);
  const requirement: Requirement = {
    criteria: Array.from({ length: 8 }, (_, k) => {
      const field = Math.floor((k * n) / 8);
      const v = record[field] as number;
      return { field, min: Math.max(0, v - 10), max: Math.min(65535, v + 10) };
    }),
  };
  const inputs = { record, requirement, salt: 123456789n, patientId: 42n, timestamp: 1_700_000_000n };
  await prove(provingKey, inputs); // warm-up: worker pool, witness generator
  const proveTimes: number[] = [];
  let result = await prove(provingKey, inputs);
  for (let i = 0; i < proveRuns; i++) {
    t = performance.now();
    result = await prove(provingKey, inputs);
    proveTimes.push(performance.now() - t);
  }
  if (!verify(verificationKey, result.proof, result.publicSignals)) throw new Error('benchmark proof does not verify');
  const verifyTimes: number[] = [];
  for (let i = 0; i < verifyRuns; i++) {
    t = performance.now();
    verify(verificationKey, result.proof, result.publicSignals);
    verifyTimes.push(performance.now() - t);
  }
  const prepared = prepareVerificationKey(verificationKey);
  const preparedTimes: number[] = [];
  for (let i = 0; i < verifyRuns; i++) {
    t = performance.now();
    verify(prepared, result.proof, result.publicSignals);
    preparedTimes.push(performance.now() - t);
  }
  const p = paper[n];
  rows.push([
    n,
    circuit.header.nConstraints,
    `${(keygenMs / 1000).toFixed(1)} s (${p?.keygen ?? '-'})`,
    `${(median(proveTimes) / 1000).toFixed(2)} s (${p?.prove ?? '-'})`,
    `${fmt(median(verifyTimes))} ms / ${fmt(median(preparedTimes))} ms (${p?.verify ?? '-'})`,
    `${kb(provingKey.zkey.length)} (${p?.pk ?? '-'})`,
    `${kb(JSON.stringify(verificationKey).length)} (${p?.vk ?? '-'})`,
    `${encodeProof(result.proof).length} B packed, ${JSON.stringify(result.proof).length} B JSON (${p?.proof ?? '-'})`,
  ]);
  console.log(`  [n=${n}] done\n`);
}
await releaseWorkers();

console.log(
  table(
    [
      'n',
      'constraints',
      'KeyGen (paper)',
      'Prove, median (paper)',
      'Verify, median: JSON key / prepared key (paper)',
      'proving key (paper)',
      'verification key (paper)',
      'proof (paper)',
    ],
    rows,
  ),
);
console.log('\nB = 16 bits per field, K = 16 criteria; proving includes witness generation; the paper: libsnark, i7-4770.');
