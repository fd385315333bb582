/**
 * The smart contract of Huang et al. 2020 (src/protocol/contract.ts) and the off-ledger checks of
 * steps 6-8 (src/protocol/parties.ts): every refusal the issue lists, each with its named reason
 * and with the contract state left unchanged (the same object, and the same state hash).
 * Proofs come from the STAND-IN proof system (test/support/protocol-fixture.ts).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTransaction } from '../src/ledger/transaction.js';
import { gtMul, Z } from '../src/internal/bls.js';
import { ga07 } from '../src/pre/ga07.js';
import { ga07Verifiable } from '../src/pre/ga07-verifiable.js';
import { FP12_ZERO } from './support/verifiable-attacks.js';
import {
  applyTransaction,
  type ContractState,
  contractStateHash,
  decodeContractTransaction,
  encodeBody,
  encodeEnvelope,
  encryptRecord,
  envelopeSignable,
  issueReKey,
  type MedicalRecord,
  ProtocolError,
  proofSubmission,
  proxyReEncrypt,
  decodeSignedReEncryptionShare,
  encodeSignedReEncryptionShare,
  receiveRecord,
  receiveRecordDetailed,
  recordIdentity,
  signReEncryptionShare,
  type RefusalReason,
  type Requirement,
  sharingForm,
  signRecordCommitment,
  signSharingForm,
  signTransaction,
} from '../src/protocol/index.js';
import { authSign } from '../src/sign/cha-cheon.js';
import {
  apply,
  applyOk,
  blindingOf,
  commitmentOf,
  IDS,
  makeWorld,
  OTHER_RECORD,
  RECORD,
  REQUIREMENT_A,
  REQUIREMENT_B,
  random,
  recordKey,
  stored,
  T0,
  UNFIT_RECORD,
  type World,
  zk,
} from './support/protocol-fixture.js';

let w: World;
beforeAll(async () => {
  w = await makeWorld();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Applies `operation` to `state` and checks it is refused for `reason` with the state unchanged. */
function expectRefused(state: ContractState, operation: Uint8Array, reason: RefusalReason, blockTime?: number) {
  const before = hex(contractStateHash(state));
  const { state: next, outcome } = apply(w, state, operation, blockTime);
  expect(outcome.accepted ? 'accepted' : outcome.reason).toBe(reason);
  expect(next).toBe(state);
  expect(hex(contractStateHash(next))).toBe(before);
  return outcome;
}

async function submission(
  options: {
    record?: MedicalRecord;
    requirement?: Requirement;
    requirementId?: string;
    recordId?: string;
    time?: number;
    patient?: keyof World['creds'];
  } = {},
) {
  return proofSubmission(
    {
      patientKey: w.creds[options.patient ?? 'patient'].signingKey,
      proofSystem: zk,
      provingKey: w.keys.provingKey,
      requirementId: options.requirementId ?? w.requirementA,
      requirement: options.requirement ?? REQUIREMENT_A,
      recordId: options.recordId ?? w.recordId,
      record: options.record ?? RECORD,
      blinding: blindingOf(options.record ?? RECORD),
      time: options.time ?? T0 + 100,
    },
    { random },
  );
}

/** Runs steps 5, 6 and 9 for (requirement, record) and returns the state and approval id. */
async function shareFlow(state: ContractState, requirementId: string, requirement: Requirement, institution: 'labA' | 'labB') {
  const sub = await submission({ requirementId, requirement, time: T0 + 200 });
  const approved = applyOk(w, state, sub.operation);
  const issued = issueReKey(w.pkg.preParams, recordKey(w), IDS[institution], [IDS.proxy], 1, { random });
  const granted = applyOk(
    w,
    approved.state,
    signTransaction(
      w.creds.patient.signingKey,
      'grantAccess',
      { approvalId: approved.id, reKeyCommitment: issued.reKeyCommitment },
      T0 + 210,
      { random },
    ),
  );
  const share = shareOperation(approved.id, institution, T0 + 220);
  return { approvalId: approved.id, granted: granted.state, share };
}

function shareOperation(approvalId: string, institution: 'labA' | 'labB', time: number, commitment = commitmentOf(zk, RECORD)) {
  const form = sharingForm(IDS.patient, IDS[institution], commitment, time);
  const transaction = encodeTransaction({
    ...form,
    patientSignature: signSharingForm(w.creds.patient.signingKey, form, { random }),
    institutionSignature: signSharingForm(w.creds[institution].signingKey, form, { random }),
  });
  return signTransaction(w.creds[institution].signingKey, 'share', { approvalId, transaction }, time, { random });
}

describe('membership and roles (section 4.2.3)', () => {
  it('registration gives a role and a ledger address', () => {
    const member = w.state.members.get(IDS.patient);
    expect(member?.role).toBe('patient');
    expect(member?.address).toMatch(/^addr:[0-9a-f]{40}$/);
    expect(w.state.members.get(IDS.labA)?.role).toBe('institution');
    expect(w.state.members.get(IDS.verifier)?.role).toBe('verifier');
  });

  it('refuses an unregistered sender (keys from the PKG, but never registered)', async () => {
    const op = signTransaction(
      w.creds.stranger.signingKey,
      'grantAccess',
      { approvalId: 'x', reKeyCommitment: new Uint8Array(1) },
      T0 + 30,
      {
        random,
      },
    );
    expectRefused(w.state, op, 'unregisteredSender');
  });

  it('refuses wrong-role senders for every kind', async () => {
    const publishByPatient = signTransaction(
      w.creds.patient.signingKey,
      'publishRequirement',
      { criteriaHash: 1n, keywords: ['x'], verificationKey: w.keys.verificationKey, reward: 1, exclusive: false },
      T0 + 30,
      { random },
    );
    expectRefused(w.state, publishByPatient, 'wrongRole');
    const commitment = commitmentOf(zk, RECORD);
    const recordByLab = signTransaction(
      w.creds.labA.signingKey,
      'registerRecord',
      {
        patient: IDS.patient,
        commitment,
        patientSignature: signRecordCommitment(w.creds.patient.signingKey, commitment, { random }),
      },
      T0 + 30,
      { random },
    );
    expectRefused(w.state, recordByLab, 'wrongRole');
    const sub = await submission({ patient: 'proxy' });
    expectRefused(w.state, sub.operation, 'wrongRole');
    const registerByHospital = signTransaction(
      w.creds.hospital.signingKey,
      'register',
      { identity: 'x:y', role: 'patient' },
      T0 + 30,
      {
        random,
      },
    );
    expectRefused(w.state, registerByHospital, 'wrongRole');
    const shareByVerifier = signTransaction(
      w.creds.verifier.signingKey,
      'share',
      { approvalId: 'x', transaction: new Uint8Array(1) },
      T0 + 30,
      { random },
    );
    expectRefused(w.state, shareByVerifier, 'wrongRole');
  });

  it('refuses registering an identity twice', () => {
    expectRefused(w.state, w.pkg.registration(IDS.patient, 'institution', T0 + 30, { random }), 'alreadyRegistered');
  });

  it("refuses a member identity that is a record's identity (its key would open the record)", () => {
    const recordIdentity = `${IDS.patient}#record:${'0'.repeat(64)}`;
    expectRefused(w.state, w.pkg.registration(recordIdentity, 'institution', T0 + 30, { random }), 'reservedIdentity');
    expect(() => w.pkg.enroll(recordIdentity, 'institution')).toThrow(RangeError);
  });
});

describe('signatures', () => {
  it('refuses a transaction whose envelope is signed by someone other than the sender', () => {
    const body = encodeBody('publishRequirement', {
      criteriaHash: 5n,
      keywords: ['age'],
      verificationKey: w.keys.verificationKey,
      reward: 1,
      exclusive: false,
    });
    const forged = authSign(w.creds.labB.signingKey, envelopeSignable('publishRequirement', IDS.labA, T0 + 30, body), { random });
    expectRefused(w.state, encodeEnvelope('publishRequirement', IDS.labA, T0 + 30, body, forged), 'badSignature');
  });

  it("refuses a record registration without the patient's sigma_a", () => {
    const commitment = commitmentOf(zk, [1, 2, 3, 4]);
    const op = signTransaction(
      w.creds.hospital.signingKey,
      'registerRecord',
      {
        patient: IDS.patient,
        commitment,
        patientSignature: signRecordCommitment(w.creds.otherPatient.signingKey, commitment, { random }),
      },
      T0 + 30,
      { random },
    );
    expectRefused(w.state, op, 'badSignature');
  });

  it('refuses a record of an unregistered patient, and a patient registering for another patient', () => {
    const commitment = commitmentOf(zk, [9, 9, 9, 9]);
    const forStranger = signTransaction(
      w.creds.hospital.signingKey,
      'registerRecord',
      {
        patient: IDS.stranger,
        commitment,
        patientSignature: signRecordCommitment(w.creds.stranger.signingKey, commitment, { random }),
      },
      T0 + 30,
      { random },
    );
    expectRefused(w.state, forStranger, 'unknownPatient');
    const forBob = signTransaction(
      w.creds.patient.signingKey,
      'registerRecord',
      {
        patient: IDS.otherPatient,
        commitment,
        patientSignature: signRecordCommitment(w.creds.otherPatient.signingKey, commitment, { random }),
      },
      T0 + 30,
      { random },
    );
    expectRefused(w.state, forBob, 'notRecordOwner');
  });

  it("refuses a proof whose sigma_a on h is not the patient's", async () => {
    const sub = await submission();
    const tx = decodeContractTransaction(sub.operation);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const body = { ...tx.body, bindingSignature: authSign(w.creds.otherPatient.signingKey, new Uint8Array(3), { random }) };
    const op = signTransaction(w.creds.patient.signingKey, 'submitProof', body, tx.time, { random });
    expectRefused(w.state, op, 'badSignature');
  });

  it('property: any single-byte change of a valid transaction is refused and leaves the state unchanged', async () => {
    const sub = await submission();
    const before = hex(contractStateHash(w.state));
    fc.assert(
      fc.property(fc.nat(sub.operation.length - 1), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const bytes = sub.operation.slice();
        bytes[at] = ((bytes[at] as number) + delta) & 0xff;
        const { state, outcome } = apply(w, w.state, bytes);
        return !outcome.accepted && state === w.state && hex(contractStateHash(state)) === before;
      }),
      { numRuns: 25 },
    );
  });
});

describe('proof submission (steps 4-5, section 4.2.7)', () => {
  it('accepts a valid submission', async () => {
    const sub = await submission();
    const { state, outcome } = apply(w, w.state, sub.operation);
    expect(outcome.accepted).toBe(true);
    expect(state.approvals.size).toBe(1);
    expect(hex(contractStateHash(state))).not.toBe(hex(contractStateHash(w.state)));
  });

  it('refuses a proof for another record', async () => {
    const sub = await submission({ record: OTHER_RECORD, recordId: w.recordId });
    expectRefused(w.state, sub.operation, 'commitmentMismatch');
  });

  it('refuses a proof for another requirement', async () => {
    const sub = await submission({ requirement: REQUIREMENT_B, requirementId: w.requirementA });
    expectRefused(w.state, sub.operation, 'requirementMismatch');
  });

  it('refuses a proof against the right criteria under another nonce (the criteria alone do not make the hash)', async () => {
    const sub = await submission({ requirement: { ...REQUIREMENT_A, nonce: REQUIREMENT_A.nonce + 1n } });
    expectRefused(w.state, sub.operation, 'requirementMismatch');
  });

  it('refuses a proof with R = 0', async () => {
    const sub = await submission({ record: UNFIT_RECORD, recordId: w.unfitRecordId });
    expectRefused(w.state, sub.operation, 'notEligible');
  });

  it('refuses public signals that claim R = 1 for a proof of R = 0', async () => {
    const sub = await submission({ record: UNFIT_RECORD, recordId: w.unfitRecordId });
    const tx = decodeContractTransaction(sub.operation);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const op = signTransaction(
      w.creds.patient.signingKey,
      'submitProof',
      { ...tx.body, publicSignals: ['1', ...tx.body.publicSignals.slice(1)] },
      tx.time,
      { random },
    );
    expectRefused(w.state, op, 'invalidProof');
  });

  it('refuses a proof not made by the prover (forged bytes)', async () => {
    const sub = await submission();
    const tx = decodeContractTransaction(sub.operation);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const proof = tx.body.proof.slice();
    proof[0] = (proof[0] as number) ^ 1;
    const op = signTransaction(w.creds.patient.signingKey, 'submitProof', { ...tx.body, proof }, tx.time, { random });
    expectRefused(w.state, op, 'invalidProof');
  });

  it('refuses (does not crash on) a proof whose verifier throws', async () => {
    const sub = await submission();
    const throwing = {
      ...zk,
      verifyProof: () => {
        throw new Error('verifier bug');
      },
    };
    const { state, outcome } = applyTransaction(w.state, sub.operation, w.config, throwing, T0 + 100);
    expect(outcome).toMatchObject({ accepted: false, reason: 'invalidProof' });
    expect(state).toBe(w.state);
  });

  it('refuses a proof bound to another patient', async () => {
    // Bob proves about Alice's record under his own identity and submits it as Alice's owner would.
    const sub = await submission({ patient: 'otherPatient' });
    const tx = decodeContractTransaction(sub.operation);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    expectRefused(w.state, sub.operation, 'notRecordOwner');
    const op = signTransaction(w.creds.patient.signingKey, 'submitProof', tx.body, tx.time, { random });
    expectRefused(w.state, op, 'identityMismatch');
  });

  it('refuses a stale timestamp, and one from the future', async () => {
    const old = await submission({ time: T0 + 100 });
    const tx = decodeContractTransaction(old.operation);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const late = signTransaction(w.creds.patient.signingKey, 'submitProof', tx.body, T0 + 100 + w.config.maxProofAge + 1, {
      random,
    });
    expectRefused(w.state, late, 'staleTimestamp');
    // The same proof within the window is accepted: the refusal is about the age alone.
    const inTime = signTransaction(w.creds.patient.signingKey, 'submitProof', tx.body, T0 + 100 + w.config.maxProofAge, {
      random,
    });
    expect(apply(w, w.state, inTime).outcome.accepted).toBe(true);
    const early = signTransaction(w.creds.patient.signingKey, 'submitProof', tx.body, T0 + 100 - w.config.maxClockSkew - 1, {
      random,
    });
    expectRefused(w.state, early, 'futureTimestamp');
  });

  it('refuses a transaction older than the contract clock allows', async () => {
    const sub = await submission({ time: T0 + 1000 });
    const { state } = applyOk(w, w.state, sub.operation);
    const stale = signTransaction(
      w.creds.labA.signingKey,
      'publishRequirement',
      { criteriaHash: 9n, keywords: ['age'], verificationKey: w.keys.verificationKey, reward: 1, exclusive: false },
      T0 + 1000 - w.config.maxClockSkew - 1,
      { random },
    );
    expectRefused(state, stale, 'staleTimestamp');
  });

  it('refuses a replayed submission, and a second proof for an accepted pair', async () => {
    const sub = await submission();
    const { state } = applyOk(w, w.state, sub.operation);
    expectRefused(state, sub.operation, 'replayedSubmission');
    const again = await submission({ time: T0 + 150 });
    expectRefused(state, again.operation, 'duplicate');
  });

  it('refuses unknown requirement or record ids', async () => {
    expectRefused(w.state, (await submission({ requirementId: 'req:nope' })).operation, 'unknownRequirement');
    expectRefused(w.state, (await submission({ recordId: 'rec:nope' })).operation, 'unknownRecord');
  });
});

describe('time comes from the ordering layer (issue 11, item 10)', () => {
  // The contract clock is the block time PBFT assigns; a sender's stamp is a claim within maxClockSkew.
  const requirement = (time: number, criteriaHash = 77n) =>
    signTransaction(
      w.creds.labB.signingKey,
      'publishRequirement',
      { criteriaHash, keywords: ['age'], verificationKey: w.keys.verificationKey, reward: 1, exclusive: false },
      time,
      { random },
    );
  const block = T0 + 500;

  it('a stamp of 2^53 - 1 is refused (futureTimestamp), the clock stays, and honest transactions go on', () => {
    const attack = expectRefused(w.state, requirement(2 ** 53 - 1), 'futureTimestamp', block);
    expect(attack).toMatchObject({ accountable: IDS.labB });
    // Before: the clock became 2^53 - 1 and every later transaction, the authority's included, was stale.
    const { state } = applyOk(w, w.state, requirement(block), block);
    expect(state.clock).toBe(block);
    expect(
      apply(w, state, w.pkg.registration('patient:carol', 'patient', block + 1, { random }), block + 1).outcome.accepted,
    ).toBe(true);
  });

  it('a stamp just inside the skew is accepted but does not move the clock: an honest proof in flight still passes', async () => {
    const ahead = applyOk(w, w.state, requirement(block + w.config.maxClockSkew), block);
    expect(ahead.state.clock).toBe(block);
    const sub = await submission({ time: block });
    expect(apply(w, ahead.state, sub.operation, block).outcome.accepted).toBe(true);
    // One second further ahead is a claim the contract refuses.
    expectRefused(w.state, requirement(block + w.config.maxClockSkew + 1), 'futureTimestamp', block);
  });

  it('a back-dated envelope does not make an old proof young: the proof age is measured against the block time', async () => {
    const { state } = applyOk(w, w.state, requirement(block), block); // the clock is at the block time
    const proofTime = block - w.config.maxProofAge - 50; // 50 s too old
    const old = await submission({ time: proofTime });
    const tx = decodeContractTransaction(old.operation);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    // The envelope back-dated by 50 s (within the skew): before, the age was measured from the envelope.
    const backDated = signTransaction(w.creds.patient.signingKey, 'submitProof', tx.body, block - 50, { random });
    expectRefused(state, backDated, 'staleTimestamp', block);
    // An honest envelope time does not help either: the proof itself is too old.
    const honest = signTransaction(w.creds.patient.signingKey, 'submitProof', tx.body, block, { random });
    expectRefused(state, honest, 'staleTimestamp', block);
  });

  it('a proof stamped 30 years ahead is refused, whatever the envelope claims', async () => {
    const future = block + 30 * 365 * 86_400;
    const sub = await submission({ time: future });
    const tx = decodeContractTransaction(sub.operation);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    expect(apply(w, w.state, sub.operation, block).outcome).toMatchObject({ accepted: false, reason: 'futureTimestamp' });
    const honestEnvelope = signTransaction(w.creds.patient.signingKey, 'submitProof', tx.body, block, { random });
    expect(apply(w, w.state, honestEnvelope, block).outcome).toMatchObject({ accepted: false, reason: 'futureTimestamp' });
  });

  it('the clock is the latest block time of an accepted transaction, never lower', () => {
    const first = applyOk(w, w.state, requirement(block), block);
    const second = applyOk(w, first.state, requirement(block - 10, 78n), block - 10);
    expect(second.state.clock).toBe(block);
    expect(() => applyTransaction(w.state, requirement(block), w.config, w.zk, -1)).toThrow(RangeError);
  });
});

describe('access and sharing (steps 6 and 9, section 5.1.5)', () => {
  it('shares under an exclusive licence, then refuses a second sale to another institution', async () => {
    const flow = await shareFlow(w.state, w.requirementA, REQUIREMENT_A, 'labA');
    const shared = applyOk(w, flow.granted, flow.share).state;
    expect(shared.records.get(w.recordId)?.licences).toEqual([
      { institution: IDS.labA, approvalId: flow.approvalId, exclusive: true, time: T0 + 220 },
    ]);
    expect(shared.balances.get(IDS.patient)).toBe(100);
    // Second sale: a proof for lab B's requirement over the same record.
    const second = await submission({ requirementId: w.requirementB, requirement: REQUIREMENT_B, time: T0 + 300 });
    const outcome = expectRefused(shared, second.operation, 'exclusiveLicence');
    expect(outcome.accepted ? null : outcome.accountable).toBe(IDS.patient);
    // Sharing the same approval again is refused too.
    expectRefused(shared, shareOperation(flow.approvalId, 'labA', T0 + 400), 'wrongStage');
  });

  it('refuses the sharing transaction of a race lost to an exclusive licence', async () => {
    // Both approvals exist before either is shared; lab B's non-exclusive sale came first.
    const b = await shareFlow(w.state, w.requirementB, REQUIREMENT_B, 'labB');
    const a = await shareFlow(b.granted, w.requirementA, REQUIREMENT_A, 'labA');
    const afterB = applyOk(w, a.granted, b.share).state;
    const outcome = expectRefused(afterB, a.share, 'exclusiveLicence');
    expect(outcome.accepted ? null : outcome.accountable).toBe(IDS.patient);
  });

  it('refuses sharing before access is granted, a grant for another institution, and a wrong data hash', async () => {
    const sub = await submission();
    const approved = applyOk(w, w.state, sub.operation);
    expectRefused(approved.state, shareOperation(approved.id, 'labA', T0 + 220), 'wrongStage');
    const grant = (reKeyCommitment: Uint8Array) =>
      signTransaction(w.creds.patient.signingKey, 'grantAccess', { approvalId: approved.id, reKeyCommitment }, T0 + 210, {
        random,
      });
    // A key for another institution, a key from the patient's own identity (it would cover every
    // record), and a key from another record's identity are all refused.
    const forLabB = issueReKey(w.pkg.preParams, recordKey(w), IDS.labB, [IDS.proxy], 1, { random });
    expectRefused(approved.state, grant(forLabB.reKeyCommitment), 'grantMismatch');
    const wholePatient = issueReKey(w.pkg.preParams, w.creds.patient.decryptionKey, IDS.labA, [IDS.proxy], 1, { random });
    expectRefused(approved.state, grant(wholePatient.reKeyCommitment), 'grantMismatch');
    const otherRecord = issueReKey(w.pkg.preParams, recordKey(w, OTHER_RECORD), IDS.labA, [IDS.proxy], 1, { random });
    expectRefused(approved.state, grant(otherRecord.reKeyCommitment), 'grantMismatch');
    expect(
      apply(
        w,
        approved.state,
        grant(issueReKey(w.pkg.preParams, recordKey(w), IDS.labA, [IDS.proxy], 1, { random }).reKeyCommitment),
      ).outcome.accepted,
    ).toBe(true);
    const flow = await shareFlow(w.state, w.requirementA, REQUIREMENT_A, 'labA');
    expectRefused(
      flow.granted,
      shareOperation(flow.approvalId, 'labA', T0 + 220, commitmentOf(zk, OTHER_RECORD)),
      'commitmentMismatch',
    );
    expectRefused(flow.granted, shareOperation(flow.approvalId, 'labB', T0 + 220), 'notParty');
  });
});

describe('a commitment is registered once: the licence covers the data (issue 11, item 11)', () => {
  /** `sender` registers RECORD's commitment as a record of the other patient (who signs it). */
  const reRegister = (sender: 'otherPatient' | 'hospital') => {
    const commitment = commitmentOf(zk, RECORD);
    const patientSignature = signRecordCommitment(w.creds.otherPatient.signingKey, commitment, { random });
    const body = { patient: IDS.otherPatient, commitment, patientSignature };
    return signTransaction(w.creds[sender].signingKey, 'registerRecord', body, T0 + 40, { random });
  };

  it('a colluding second identity cannot register the same commitment as a new record of its own', () => {
    // Before: a new record id (another patient), so a second, "exclusive" sale of the same data.
    const outcome = expectRefused(w.state, reRegister('otherPatient'), 'duplicate');
    expect(outcome).toMatchObject({ accountable: IDS.otherPatient });
  });

  it("nor can a hospital register another patient's committed record under a second patient", () => {
    expectRefused(w.state, reRegister('hospital'), 'duplicate');
  });
});

describe('re-encryption and delivery (steps 6-8)', () => {
  const deliver = (overrides: { stored?: ReturnType<typeof stored>; proxyStored?: ReturnType<typeof stored> } = {}) => {
    const original = overrides.stored ?? stored(w);
    const issued = issueReKey(w.pkg.preParams, recordKey(w), IDS.labA, [IDS.proxy, IDS.proxy2], 2, { random });
    const keyOf = [w.creds.proxy, w.creds.proxy2];
    const shares = issued.sealedShares.map((s, i) =>
      proxyReEncrypt(w.pkg.preParams, keyOf[i] as (typeof keyOf)[number], s.sealed, overrides.proxyStored ?? original, {
        random,
      }),
    );
    return { original, issued, shares };
  };

  it('the institution receives exactly the committed record (2-of-2 proxies)', () => {
    const { original, issued, shares } = deliver();
    const record = receiveRecord(
      w.pkg.preParams,
      w.creds.labA.decryptionKey,
      { reKeyCommitment: issued.reKeyCommitment, commitment: commitmentOf(zk, RECORD), stored: original, shares },
      zk,
      w.pkg.signParams,
    );
    expect(record).toEqual([...RECORD]);
  });

  it('the key share is sealed to the proxy: another proxy cannot open it', () => {
    const { original, issued } = deliver();
    const sealed = (issued.sealedShares[0] as (typeof issued.sealedShares)[number]).sealed;
    expect(() => proxyReEncrypt(w.pkg.preParams, w.creds.proxy2, sealed, original)).toThrow(ProtocolError);
    try {
      proxyReEncrypt(w.pkg.preParams, w.creds.proxy2, sealed, original);
    } catch (e) {
      expect((e as ProtocolError).reason).toBe('sealedKeyInvalid');
    }
  });

  function expectProtocolError(run: () => unknown, reason: RefusalReason) {
    const before = hex(contractStateHash(w.state));
    let caught: unknown = null;
    try {
      run();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).reason).toBe(reason);
    // Nothing reached the ledger: the institution does not co-sign the sharing transaction.
    expect(hex(contractStateHash(w.state))).toBe(before);
  }

  it('refuses a dishonest proxy: a re-encryption of another ciphertext, presented as this one', () => {
    const other = stored(w);
    const { original, issued, shares } = deliver({ proxyStored: other });
    expectProtocolError(
      () =>
        receiveRecord(
          w.pkg.preParams,
          w.creds.labA.decryptionKey,
          { reKeyCommitment: issued.reKeyCommitment, commitment: commitmentOf(zk, RECORD), stored: original, shares },
          zk,
          w.pkg.signParams,
        ),
      'reEncryptionProofInvalid',
    );
  });

  it('refuses a dishonest proxy: an altered re-encryption share', () => {
    const { original, issued, shares } = deliver();
    const bad = (shares[1] as Uint8Array).slice();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    expectProtocolError(
      () =>
        receiveRecord(
          w.pkg.preParams,
          w.creds.labA.decryptionKey,
          {
            reKeyCommitment: issued.reKeyCommitment,
            commitment: commitmentOf(zk, RECORD),
            stored: original,
            shares: [shares[0] as Uint8Array, bad],
          },
          zk,
          w.pkg.signParams,
        ),
      'reEncryptionProofInvalid',
    );
  });

  it('refuses a record swapped by the proxy (another record encrypted to the patient, re-encrypted honestly)', () => {
    // Anyone can encrypt to the record's identity: the proxy makes a ciphertext of another record.
    const swapped = stored(w, OTHER_RECORD, RECORD);
    const { issued, shares } = deliver({ stored: swapped });
    expectProtocolError(
      () =>
        receiveRecord(
          w.pkg.preParams,
          w.creds.labA.decryptionKey,
          { reKeyCommitment: issued.reKeyCommitment, commitment: commitmentOf(zk, RECORD), stored: swapped, shares },
          zk,
          w.pkg.signParams,
        ),
      'recordMismatch',
    );
  });

  it('refuses a record swapped by the hospital (one record committed, another encrypted)', () => {
    // The hospital committed RECORD (the patient signed that commitment) but stored OTHER_RECORD.
    const { original, issued, shares } = deliver({ stored: stored(w, OTHER_RECORD, RECORD) });
    expectProtocolError(
      () =>
        receiveRecord(
          w.pkg.preParams,
          w.creds.labA.decryptionKey,
          { reKeyCommitment: issued.reKeyCommitment, commitment: commitmentOf(zk, RECORD), stored: original, shares },
          zk,
          w.pkg.signParams,
        ),
      'recordMismatch',
    );
  });

  it('refuses the committed record sealed with another blinding than the commitment was made with', () => {
    // The ledger commitment hides the record: without its blinding rho nobody can check a
    // record against it, and a wrong rho (here the record's rho + 1) does not check.
    const sealed = encryptRecord(w.pkg.preParams, IDS.patient, commitmentOf(zk, RECORD), RECORD, blindingOf(RECORD) + 1n, {
      random,
    });
    const { issued, shares } = deliver({ stored: sealed });
    expectProtocolError(
      () =>
        receiveRecord(
          w.pkg.preParams,
          w.creds.labA.decryptionKey,
          { reKeyCommitment: issued.reKeyCommitment, commitment: commitmentOf(zk, RECORD), stored: sealed, shares },
          zk,
          w.pkg.signParams,
        ),
      'recordMismatch',
    );
  });

  it('the same record committed under two blindings gives two commitments (the ledger cannot link them)', () => {
    expect(zk.commitRecord(RECORD, 1n)).not.toBe(zk.commitRecord(RECORD, 2n));
    expect(zk.commitRecord(RECORD, 1n)).toBe(zk.commitRecord([...RECORD], 1n));
    expect(() => zk.commitRecord(RECORD, 0n)).toThrow(RangeError);
  });

  it("a key granted for one record does not open the patient's other records: the proxy refuses, and a relabelled ciphertext does not decrypt", () => {
    const other = stored(w, OTHER_RECORD);
    // The ciphertext says whose it is, so the proxy refuses to use the grant on it.
    expectProtocolError(() => deliver({ stored: other }), 'grantMismatch');
    // A proxy that relabels it as this record's gets valid proofs, but the AEAD binds the label.
    const relabelled = { ...other, recipient: recordIdentity(IDS.patient, commitmentOf(zk, RECORD)) };
    const { issued, shares } = deliver({ stored: relabelled });
    expectProtocolError(
      () =>
        receiveRecord(
          w.pkg.preParams,
          w.creds.labA.decryptionKey,
          { reKeyCommitment: issued.reKeyCommitment, commitment: commitmentOf(zk, OTHER_RECORD), stored: relabelled, shares },
          zk,
          w.pkg.signParams,
        ),
      'decryptionFailed',
    );
  });

  it('refuses a ciphertext that is not for the patient: the proxy will not re-encrypt it', () => {
    const notForPatient = ga07.encrypt(w.pkg.preParams, IDS.otherPatient, new Uint8Array(12), { random });
    expectProtocolError(() => deliver({ stored: notForPatient }), 'grantMismatch');
  });
});

describe('blame rests on what a proxy signed (issue 10, break 3)', () => {
  const PROXY3 = 'proxy:cloud-3';
  /** 2-of-3 delivery; `lie` maps a position to how that proxy misbehaves. */
  const deliver3 = (lie: Record<number, 'zeroC2' | 'alteredC2' | 'forgedSignature'> = {}) => {
    const original = stored(w);
    const proxies = [w.creds.proxy, w.creds.proxy2, w.pkg.enroll(PROXY3, 'proxy')];
    const issued = issueReKey(
      w.pkg.preParams,
      recordKey(w),
      IDS.labA,
      proxies.map((p) => p.identity),
      2,
      { random },
    );
    const commitment = ga07Verifiable.decodeReKeyCommitment(issued.reKeyCommitment);
    const shares = issued.sealedShares.map((s, i) => {
      const proxy = proxies[i] as (typeof proxies)[number];
      const honest = proxyReEncrypt(w.pkg.preParams, proxy, s.sealed, original, { random });
      const how = lie[i];
      if (how === undefined) return honest;
      const partial = ga07Verifiable.decodeReEncryptionShare(decodeSignedReEncryptionShare(honest).partial);
      if (how === 'forgedSignature') {
        // Mallory (not a proxy) signs an altered partial in this proxy's name with her own key.
        const mallory = w.pkg.enroll('patient:mallory', 'patient').signingKey;
        const bad = ga07Verifiable.encodeReEncryptionShare({ ...partial, C2: gtMul(partial.C2, Z()) });
        const forged = decodeSignedReEncryptionShare(signReEncryptionShare(mallory, original, commitment, bad, { random }));
        return encodeSignedReEncryptionShare({ ...forged, proxy: proxy.identity });
      }
      // The proxy itself signs a bad partial: C2'_i = 0 (bytes no decoder accepts) or C2'_i * Z.
      const C2 = how === 'zeroC2' ? FP12_ZERO : gtMul(partial.C2, Z());
      const bytes = ga07Verifiable.encodeReEncryptionShare({ ...partial, C2 });
      return signReEncryptionShare(proxy.signingKey, original, commitment, bytes, { random });
    });
    return { original, issued, shares };
  };
  const receive = (d: ReturnType<typeof deliver3>) =>
    receiveRecordDetailed(
      w.pkg.preParams,
      w.creds.labA.decryptionKey,
      { reKeyCommitment: d.issued.reKeyCommitment, commitment: commitmentOf(zk, RECORD), stored: d.original, shares: d.shares },
      zk,
      w.pkg.signParams,
    );

  it("2-of-3 survives one lying proxy and names it: a signed partial that does not verify, or one with C2'_i = 0", () => {
    for (const [position, how, reason] of [
      [0, 'alteredC2', 'invalid'],
      [1, 'zeroC2', 'undecodable'],
      [2, 'alteredC2', 'invalid'],
    ] as const) {
      const result = receive(deliver3({ [position]: how }));
      expect(result.record).toEqual([...RECORD]);
      const liar = [IDS.proxy, IDS.proxy2, PROXY3][position];
      expect(result.rejected).toEqual([{ position, proxy: liar, reason }]);
    }
  });

  it('with two liars of three, receiveRecord refuses and ProtocolError.accountable names both proxies (not decryptionFailed)', () => {
    const d = deliver3({ 0: 'zeroC2', 2: 'alteredC2' });
    let caught: unknown;
    try {
      receiveRecord(
        w.pkg.preParams,
        w.creds.labA.decryptionKey,
        { reKeyCommitment: d.issued.reKeyCommitment, commitment: commitmentOf(zk, RECORD), stored: d.original, shares: d.shares },
        zk,
        w.pkg.signParams,
      );
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).reason).toBe('reEncryptionProofInvalid');
    expect((caught as ProtocolError).accountable).toEqual([IDS.proxy, PROXY3]);
  });

  it("a partial signed by someone else in a proxy's name blames nobody: it is set aside unattributed, and the honest two combine", () => {
    const result = receive(deliver3({ 1: 'forgedSignature' }));
    expect(result.record).toEqual([...RECORD]);
    expect(result.rejected).toEqual([{ position: 1, proxy: null, reason: 'badSignature' }]);
  });

  it('a replayed valid partial does not stop the delivery: reported as a duplicate, nobody blamed', () => {
    const d = deliver3();
    const replayed = { ...d, shares: [d.shares[0] as Uint8Array, d.shares[0] as Uint8Array, d.shares[2] as Uint8Array] };
    const result = receive(replayed);
    expect(result.record).toEqual([...RECORD]);
    expect(result.rejected).toEqual([{ position: 1, proxy: IDS.proxy, reason: 'duplicate' }]);
  });

  it('garbage bytes in the delivery are set aside as malformed', () => {
    const d = deliver3();
    const result = receive({ ...d, shares: [new Uint8Array([1, 2, 3]), ...d.shares] });
    expect(result.rejected).toEqual([{ position: 0, proxy: null, reason: 'malformed' }]);
    expect(result.record).toEqual([...RECORD]);
  });
});

describe('untrusted bytes', () => {
  it('refuses malformed transactions with a named reason', () => {
    expectRefused(w.state, new Uint8Array(0), 'malformedTransaction');
    expectRefused(w.state, Uint8Array.of(1, 99), 'malformedTransaction');
    const valid = w.pkg.registration('patient:carol', 'patient', T0 + 30, { random });
    expectRefused(w.state, valid.subarray(0, valid.length - 1), 'malformedTransaction');
    const extended = new Uint8Array(valid.length + 1);
    extended.set(valid);
    expectRefused(w.state, extended, 'malformedTransaction');
  });

  it('property: random bytes never throw and never change the state', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const { state, outcome } = apply(w, w.state, bytes);
        return !outcome.accepted && state === w.state;
      }),
      { numRuns: 200 },
    );
  });
});
