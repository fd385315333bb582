/**
 * The protocol with real Groth16 proofs (medshare/zk's groth16ProofSystem) at a small
 * record size (n = 4 with medshare/zk's default shape, compiled once into medshare/zk's cache):
 * the contract accepts a real proof and refuses a changed proof or public signals that
 * claim R = 1, and the whole story runs end to end through PBFT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeContractTransaction, proofSubmission, runStory, signTransaction } from '../src/protocol/index.js';
import { groth16ProofSystem, releaseWorkers } from '../src/zk/index.js';
import {
  apply,
  blindingOf,
  makeWorld,
  RECORD,
  REQUIREMENT_A,
  random,
  submitOp,
  T0,
  UNFIT_RECORD,
  type World,
} from './support/protocol-fixture.js';
import { seededRandom } from '../src/testing/random.js';

// The default shape for n = 4, the circuit the README's zk example and `medshare demo` build too (one cache entry).
const groth16 = groth16ProofSystem(4);
let w: World;

beforeAll(async () => {
  w = await makeWorld(groth16);
});

afterAll(async () => {
  await releaseWorkers();
});

async function submit(record = RECORD, recordId = w.recordId) {
  return proofSubmission(
    {
      config: w.config,
      patientKey: w.creds.patient.signingKey,
      proofSystem: groth16,
      provingKey: w.keys.provingKey,
      requirementId: w.requirementA,
      requirement: REQUIREMENT_A,
      recordId,
      record,
      blinding: blindingOf(record),
      time: T0 + 100,
    },
    { random },
  );
}

describe('the contract with real Groth16 proofs', () => {
  it('accepts a real proof; refuses a changed proof and signals that claim R = 1 for R = 0', async () => {
    const good = await submit();
    expect(apply(w, w.state, good.operation).outcome.accepted).toBe(true);

    const tx = decodeContractTransaction(good.operation);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const proof = tx.body.proof.slice();
    proof[40] = (proof[40] as number) ^ 1; // inside A.y: off the curve or another point
    const changed = signTransaction(w.config, w.creds.patient.signingKey, 'submitProof', { ...tx.body, proof }, tx.time, {
      random,
    });
    const refused = apply(w, w.state, changed);
    expect(refused.outcome.accepted ? 'accepted' : refused.outcome.reason).toBe('invalidProof');
    expect(refused.state).toBe(w.state);

    // An honest client refuses to prove R = 0 (issue 12, item 4); a dishonest one's proof of R = 0 is refused on the ledger.
    await expect(submit(UNFIT_RECORD, w.unfitRecordId)).rejects.toMatchObject({ reason: 'notEligible' });
    const unfit = await submitOp(w, { record: UNFIT_RECORD, recordId: w.unfitRecordId });
    const utx = decodeContractTransaction(unfit);
    if (utx.kind !== 'submitProof') throw new Error('kind');
    expect(utx.body.publicSignals[0]).toBe('0');
    expect(apply(w, w.state, unfit).outcome).toMatchObject({ accepted: false, reason: 'notEligible' });
    const claimed = signTransaction(
      w.config,
      w.creds.patient.signingKey,
      'submitProof',
      { ...utx.body, publicSignals: ['1', ...utx.body.publicSignals.slice(1)] },
      utx.time,
      { random },
    );
    expect(apply(w, w.state, claimed).outcome).toMatchObject({ accepted: false, reason: 'invalidProof' });
  });

  it('runs the whole story end to end with real proofs', async () => {
    const result = await runStory({
      proofSystem: groth16,
      fields: 4,
      crash: false,
      random: seededRandom('protocol-zk-story'),
    });
    expect(result.received).toEqual(result.record);
    expect(result.secondSale).toMatchObject({
      accepted: false,
      reason: 'exclusiveLicence',
      accountable: result.context.parties.patient.address,
    });
    expect(result.sale).toMatchObject({ stage: 'delivered', escrow: 0 });
    expect(result.agreed).toBe(true);
  });
});
