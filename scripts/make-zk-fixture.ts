/**
 * Writes examples/browser/zk-fixture.json: a Groth16 verification key, proof and public signals
 * for a 2-field record, made with medshare/zk on Node, so that the browser example can verify a
 * real proof without compiling a circuit. Rerun (`npx tsx scripts/make-zk-fixture.ts`) when the
 * eligibility circuit's public signals change; the proof is self-contained (key, proof and
 * signals), so a change of the circuit alone does not invalidate it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCircuit, circuitShape, prove, randomFieldElement, releaseWorkers, verify, zkpKeyGen } from '../src/zk/index.js';

const shape = circuitShape(2);
const circuit = await buildCircuit(shape);
const { provingKey, verificationKey } = await zkpKeyGen(circuit);
const requirement = { criteria: [{ field: 0, min: 40, max: 65 }], nonce: randomFieldElement() };
const { proof, publicSignals } = await prove(provingKey, {
  record: [52, 250],
  requirement,
  blinding: randomFieldElement(),
  salt: 123456789n,
  patientId: 42n,
  timestamp: 1700000000n,
});
await releaseWorkers();
if (!verify(verificationKey, proof, publicSignals)) throw new Error('the fresh proof does not verify');
const file = path.resolve(import.meta.dirname, '..', 'examples', 'browser', 'zk-fixture.json');
const fixture = {
  about: 'Groth16 (BN254) eligibility proof for a 2-field record [52, 250] meeting age 40-65; made by scripts/make-zk-fixture.ts',
  shape,
  verificationKey,
  proof,
  publicSignals,
};
writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), file)}: R = ${publicSignals[0]}`);
