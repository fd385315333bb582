/**
 * The smart contract of Huang et al. 2020 (src/protocol/contract.ts) with medshare's escrow and
 * fair exchange, and the off-ledger checks of steps 6-8 (src/protocol/parties.ts): every refusal
 * of docs/protocol.md, each with its named reason and with the contract state left unchanged (the
 * same object, and the same state hash), and one section per item of issue 12.
 * Proofs come from the STAND-IN proof system (test/support/protocol-fixture.ts).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ga07 } from '../src/pre/ga07.js';
import { ga07Verifiable } from '../src/pre/ga07-verifiable.js';
import {
  acceptGrant,
  applyTransaction,
  type ContractState,
  contractStateHash,
  createContractState,
  decodeContractTransaction,
  encodeBody,
  encodeEnvelope,
  encryptRecord,
  envelopeSignable,
  grantAccess,
  isPseudonym,
  issueReKey,
  type Outcome,
  ProtocolError,
  proofSubmission,
  proxyReEncrypt,
  receiveRecord,
  recordIdentity,
  type RefusalReason,
  sharingFormOf,
  sharingFormSignable,
  signRecordCommitment,
  signSharingForm,
  signTransaction,
} from '../src/protocol/index.js';
import { ciphertextHeader } from '../src/protocol/parties.js';
import { authSign } from '../src/sign/cha-cheon.js';
import {
  apply,
  applyOk,
  blindingOf,
  CHAIN,
  makeConfig,
  stampedTime,
  commitmentOf,
  FUNDS,
  IDS,
  lyingDelivery,
  makeWorld,
  OTHER_RECORD,
  PROXIES,
  publishOp,
  RECORD,
  REQUIREMENT_A,
  REQUIREMENT_B,
  REWARD_A,
  REWARD_B,
  random,
  reKeyFor,
  recordKey,
  registerOp,
  saleIn,
  saleSteps,
  sell,
  stored,
  submitOp,
  theStored,
  T0,
  UNFIT_RECORD,
  type World,
  zk,
} from './support/protocol-fixture.js';

let w: World;
/** One whole exclusive sale of RECORD to lab A (states are immutable: tests branch off any stage). */
let saleA: Awaited<ReturnType<typeof sell>>;
beforeAll(async () => {
  w = await makeWorld();
  saleA = await sell(w, w.state, 'labA');
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Applies `operation` to `state` and checks it is refused for `reason` with the state unchanged. */
function expectRefused(state: ContractState, operation: Uint8Array, reason: RefusalReason, blockTime?: number) {
  const before = hex(contractStateHash(state));
  const { state: next, outcome } = apply(w, state, operation, blockTime);
  expect(outcome.accepted ? 'accepted' : `${outcome.reason}: ${outcome.detail}`).toMatch(new RegExp(`^${reason}:`));
  expect(next).toBe(state);
  expect(hex(contractStateHash(next))).toBe(before);
  return outcome as Extract<Outcome, { accepted: false }>;
}

/** Runs `run` and checks it throws a ProtocolError for `reason`. */
function expectProtocolError(run: () => unknown, reason: RefusalReason): ProtocolError {
  let caught: unknown = null;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).reason).toBe(reason);
  return caught as ProtocolError;
}

/** The sum the contract holds: balances, the requirements' escrow and the sales' escrow. */
function held(state: ContractState): number {
  let sum = 0;
  for (const b of state.balances.values()) {
    expect(b).toBeGreaterThanOrEqual(0);
    sum += b;
  }
  for (const r of state.requirements.values()) sum += r.places * r.reward;
  for (const a of state.approvals.values()) sum += a.escrow;
  return sum;
}

/** A grantAccess with a hand-made body, signed by the patient (for refusals the client helper would not build). */
function rawGrant(state: ContractState, approvalId: string, overrides: Record<string, unknown>, time = T0 + 110) {
  const sale = saleIn(state, approvalId);
  const issued = reKeyFor(w, sale.institution === w.addr.labA ? 'labA' : 'labB');
  const body = {
    approvalId,
    reKeyCommitment: issued.reKeyCommitment,
    proxies: issued.proxies,
    ciphertextHeader: ciphertextHeader(theStored(w)),
    formTime: time,
    formSignature: signSharingForm(w.creds.patient.signingKey, sharingFormOf(w.config, sale, time), { random }),
    ...overrides,
  };
  return signTransaction(w.config, w.creds.patient.signingKey, 'grantAccess', body as never, time, { random });
}

describe('membership and roles (sections 4.2.3, 5.1.4)', () => {
  it('registration gives a role to a pseudonym', () => {
    const member = w.state.members.get(w.addr.patient);
    expect(member?.role).toBe('patient');
    expect(isPseudonym(w.addr.patient)).toBe(true);
    expect(w.state.members.get(w.addr.labA)?.role).toBe('institution');
    expect(w.state.members.get(w.addr.verifier)?.role).toBe('verifier');
  });

  it('refuses an unregistered sender (keys from the PKG, but never registered)', () => {
    const op = signTransaction(w.config, w.creds.stranger.signingKey, 'reclaim', { approvalId: 'x' }, T0 + 30, { random });
    expectRefused(w.state, op, 'unregisteredSender');
  });

  it('refuses wrong-role senders for every kind', async () => {
    const wrong: [Uint8Array, string][] = [
      [publishOp(w, w.creds.patient, REQUIREMENT_B, { exclusive: false, reward: 1 }, T0 + 30), 'publishRequirement by a patient'],
      [registerOp(w, [1, 2, 3, 4], T0 + 30, { registrant: 'labA' }), 'registerRecord by an institution'],
      [await submitOp(w, { patient: 'proxy' }), 'submitProof by a proxy'],
      [
        signTransaction(
          w.config,
          w.creds.hospital.signingKey,
          'register',
          { identity: `addr:${'1'.repeat(40)}`, role: 'patient' },
          T0 + 30,
          { random },
        ),
        'register by a hospital',
      ],
      [
        signTransaction(w.config, w.creds.labA.signingKey, 'deposit', { account: w.addr.labA, amount: 5 }, T0 + 30, { random }),
        'deposit by an institution',
      ],
      [
        signTransaction(
          w.config,
          w.creds.labA.signingKey,
          'grantAccess',
          {
            approvalId: 'x',
            reKeyCommitment: new Uint8Array(1),
            proxies: [],
            ciphertextHeader: new Uint8Array(1),
            formTime: T0,
            formSignature: new Uint8Array(1),
          },
          T0 + 30,
          { random },
        ),
        'grantAccess by an institution',
      ],
      [
        signTransaction(
          w.config,
          w.creds.patient.signingKey,
          'acceptGrant',
          { approvalId: 'x', formSignature: new Uint8Array(1) },
          T0 + 30,
          { random },
        ),
        'acceptGrant by a patient',
      ],
      [
        signTransaction(w.config, w.creds.labA.signingKey, 'deliver', { approvalId: 'x', partial: new Uint8Array(1) }, T0 + 30, {
          random,
        }),
        'deliver by an institution',
      ],
      [
        signTransaction(w.config, w.creds.proxy.signingKey, 'reclaim', { approvalId: 'x' }, T0 + 30, { random }),
        'reclaim by a proxy',
      ],
      [
        signTransaction(w.config, w.creds.verifier.signingKey, 'closeRequirement', { requirementId: w.requirementA }, T0 + 30, {
          random,
        }),
        'closeRequirement by a verifier',
      ],
    ];
    for (const [op] of wrong) expectRefused(w.state, op, 'wrongRole');
  });

  it('refuses registering a member twice', () => {
    expectRefused(w.state, w.pkg.registration(w.config, IDS.patient, 'institution', T0 + 30, { random }), 'alreadyRegistered');
  });

  it('issue 12 item 8: refuses a clear identity, or a record identity, as a member: only pseudonyms are registered', () => {
    const clear = (identity: string) =>
      signTransaction(w.config, w.pkg.authority, 'register', { identity, role: 'patient' }, T0 + 30, { random });
    expectRefused(w.state, clear('patient:carol'), 'notPseudonym');
    expectRefused(w.state, clear(recordIdentity(w.addr.patient, 5n)), 'notPseudonym');
    expectRefused(w.state, clear(`addr:${'A'.repeat(40)}`), 'notPseudonym');
    expect(apply(w, w.state, clear(`addr:${'a'.repeat(40)}`)).outcome.accepted).toBe(true);
  });
});

describe('issue 12 item 8: pseudonyms on the ledger', () => {
  it('a whole sale puts no clear identity on the ledger, and ID_p is a hash of the pseudonym', async () => {
    const sale = saleA;
    const ops: Uint8Array[] = [];
    const s = saleSteps(w);
    ops.push(await submitOp(w), registerOp(w, [9, 9, 9, 9], T0 + 30));
    ops.push(s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy', T0 + 140));
    const text = new TextDecoder('latin1');
    for (const op of ops) {
      for (const identity of Object.values(IDS)) expect(text.decode(op)).not.toContain(identity);
    }
    // The state: every member, record owner, licence holder and balance is a pseudonym.
    const state = sale.delivered;
    const names = [
      ...state.members.keys(),
      ...[...state.records.values()].flatMap((r) => [r.patient, r.registeredBy, ...r.licences.map((l) => l.institution)]),
      ...[...state.approvals.values()].flatMap((a) => [a.patient, a.institution, ...(a.grant?.proxies ?? [])]),
      ...state.balances.keys(),
    ];
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(isPseudonym(name)).toBe(true);
    const tx = decodeContractTransaction(await submitOp(w));
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const idp = zk.decodePublicSignals(tx.body.publicSignals).patientId;
    expect(idp).toBe(zk.identityToField(w.addr.patient));
    expect(idp).not.toBe(zk.identityToField(IDS.patient));
  });

  it('the pseudonym is keyed: another authority derives another one for the same identity', async () => {
    const { createPkg } = await import('../src/protocol/index.js');
    const other = createPkg({ random });
    expect(other.pseudonymOf(IDS.patient)).not.toBe(w.addr.patient);
    expect(w.pkg.pseudonymOf(IDS.patient)).toBe(w.addr.patient);
    expect(w.pkg.identityOf(w.addr.patient)).toBe(IDS.patient);
  });
});

describe('signatures and the deployment (issue 12 item 7)', () => {
  it('refuses a transaction whose envelope is signed by someone other than the sender', () => {
    const body = encodeBody('closeRequirement', { requirementId: w.requirementA });
    const forged = authSign(
      w.creds.labB.signingKey,
      envelopeSignable(w.config.deployment, 'closeRequirement', w.addr.labA, T0 + 30, body),
      { random },
    );
    expectRefused(w.state, encodeEnvelope('closeRequirement', w.addr.labA, T0 + 30, body, forged), 'badSignature');
  });

  it('a sale signed for one deployment is refused in another deployment of the same PKG', async () => {
    // Staging (w.config) and production share the PKG: the same parties, keys and pseudonyms, and
    // here the same state, so that the only difference is the deployment id in the configuration.
    const production = makeConfig(w.pkg, CHAIN, 'sharing-v2-production');
    expect(hex(production.deployment)).not.toBe(hex(w.config.deployment));
    const staging = saleA;
    const s = saleSteps(w);
    const replay: [ContractState, Uint8Array][] = [
      [w.state, w.pkg.registration(w.config, 'patient:carol', 'patient', T0 + 30, { random })],
      [w.state, w.pkg.deposit(w.config, w.addr.labA, 5, T0 + 30, { random })],
      [w.state, registerOp(w, [9, 9, 9, 9], T0 + 30)],
      [w.state, await submitOp(w)],
      [
        staging.approved,
        grantAccess(
          w.config,
          w.creds.patient.signingKey,
          saleIn(staging.approved, staging.approvalId),
          staging.issued,
          theStored(w),
          T0 + 110,
          { random },
        ),
      ],
      [staging.granted, acceptGrant(w.config, w.creds.labA, saleIn(staging.granted, staging.approvalId), T0 + 120, { random })],
      [staging.accepted, s.deliverOp(staging.accepted, staging.approvalId, staging.issued, 'proxy', T0 + 130)],
    ];
    for (const [state, op] of replay) {
      expect(applyTransaction(state, op, w.config, zk, stampedTime(state, op)).outcome.accepted).toBe(true);
      expect(applyTransaction(state, op, production, zk, stampedTime(state, op)).outcome).toMatchObject({
        accepted: false,
        reason: 'badSignature',
      });
    }
    // A consent, a binding and a form signed for staging, inside envelopes signed for production, are refused too.
    const commitment = commitmentOf(zk, [9, 9, 9, 9]);
    const consent = signRecordCommitment(w.config, w.creds.patient.signingKey, w.addr.hospital, commitment, { random });
    const register = signTransaction(
      production,
      w.creds.hospital.signingKey,
      'registerRecord',
      { patient: w.addr.patient, commitment, patientSignature: consent },
      T0 + 30,
      { random },
    );
    expect(applyTransaction(w.state, register, production, zk, T0 + 30).outcome).toMatchObject({
      accepted: false,
      reason: 'badSignature',
    });
    const tx = decodeContractTransaction(await submitOp(w));
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const rewrapped = signTransaction(production, w.creds.patient.signingKey, 'submitProof', tx.body, tx.time, { random });
    expect(applyTransaction(w.state, rewrapped, production, zk, tx.time).outcome).toMatchObject({
      accepted: false,
      reason: 'badSignature',
    });
    const g = decodeContractTransaction(replay[4]?.[1] as Uint8Array);
    if (g.kind !== 'grantAccess') throw new Error('kind');
    const grant = signTransaction(production, w.creds.patient.signingKey, 'grantAccess', g.body, g.time, { random });
    expect(applyTransaction(staging.approved, grant, production, zk, g.time).outcome).toMatchObject({
      accepted: false,
      reason: 'badSignature',
    });
  });

  it("refuses a proof whose sigma_a on h is not the patient's", async () => {
    const tx = decodeContractTransaction(await submitOp(w));
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const body = { ...tx.body, bindingSignature: authSign(w.creds.otherPatient.signingKey, new Uint8Array(3), { random }) };
    expectRefused(
      w.state,
      signTransaction(w.config, w.creds.patient.signingKey, 'submitProof', body, tx.time, { random }),
      'badSignature',
    );
  });

  it('property: any single-byte change of a valid transaction is refused and leaves the state unchanged', async () => {
    const op = await submitOp(w);
    const before = hex(contractStateHash(w.state));
    fc.assert(
      fc.property(fc.nat(op.length - 1), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const bytes = op.slice();
        bytes[at] = ((bytes[at] as number) + delta) & 0xff;
        const { state, outcome } = apply(w, w.state, bytes);
        return !outcome.accepted && state === w.state && hex(contractStateHash(state)) === before;
      }),
      { numRuns: 12 },
    );
  });
});

describe('issue 12 item 5: the consent names the registrant', () => {
  it('a hospital the patient did not delegate cannot lift the consent given to another', () => {
    // The consent names st-mary; st-elsewhere sends it first.
    expectRefused(
      w.state,
      registerOp(w, [9, 9, 9, 9], T0 + 30, { registrant: 'otherHospital', consentFor: 'hospital' }),
      'badSignature',
    );
    expect(apply(w, w.state, registerOp(w, [9, 9, 9, 9], T0 + 30)).outcome.accepted).toBe(true);
    expect(apply(w, w.state, registerOp(w, [9, 9, 9, 9], T0 + 30, { registrant: 'patient' })).outcome.accepted).toBe(true);
  });

  it('refuses a consent by another patient, a record of an unregistered patient, and a patient registering for another', () => {
    const commitment = commitmentOf(zk, [1, 2, 3, 4]);
    const op = (sender: 'hospital' | 'patient', patient: string, signer: 'otherPatient' | 'stranger' | 'otherPatient') =>
      signTransaction(
        w.config,
        w.creds[sender].signingKey,
        'registerRecord',
        {
          patient,
          commitment,
          patientSignature: signRecordCommitment(w.config, w.creds[signer].signingKey, w.addr[sender], commitment, { random }),
        },
        T0 + 30,
        { random },
      );
    expectRefused(w.state, op('hospital', w.addr.patient, 'otherPatient'), 'badSignature');
    expectRefused(w.state, op('hospital', w.addr.stranger, 'stranger'), 'unknownPatient');
    expectRefused(w.state, op('patient', w.addr.otherPatient, 'otherPatient'), 'notRecordOwner');
  });
});

describe('proof submission (steps 4-5, section 4.2.7)', () => {
  it('accepts a valid submission and reserves one reward of the escrow', async () => {
    const { state, outcome } = apply(w, w.state, await submitOp(w));
    expect(outcome.accepted).toBe(true);
    const sale = [...state.approvals.values()][0];
    expect(sale).toMatchObject({
      stage: 'approved',
      escrow: REWARD_A,
      reward: REWARD_A,
      exclusive: true,
      patient: w.addr.patient,
      institution: w.addr.labA,
    });
    expect(state.requirements.get(w.requirementA)?.places).toBe(1);
    expect(held(state)).toBe(held(w.state));
  });

  it('refuses a proof for another record, another requirement, or the right criteria under another nonce', async () => {
    expectRefused(w.state, await submitOp(w, { record: OTHER_RECORD }), 'commitmentMismatch');
    expectRefused(w.state, await submitOp(w, { requirement: REQUIREMENT_B }), 'requirementMismatch');
    expectRefused(
      w.state,
      await submitOp(w, { requirement: { ...REQUIREMENT_A, nonce: REQUIREMENT_A.nonce + 1n } }),
      'requirementMismatch',
    );
  });

  it('refuses R = 0 on the ledger, and public signals that claim R = 1 for a proof of R = 0', async () => {
    const op = await submitOp(w, { record: UNFIT_RECORD, recordId: w.unfitRecordId });
    expectRefused(w.state, op, 'notEligible');
    const tx = decodeContractTransaction(op);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const claim = { ...tx.body, publicSignals: ['1', ...tx.body.publicSignals.slice(1)] };
    expectRefused(
      w.state,
      signTransaction(w.config, w.creds.patient.signingKey, 'submitProof', claim, tx.time, { random }),
      'invalidProof',
    );
  });

  it('refuses a proof not made by the prover, and does not crash on a verifier that throws', async () => {
    const tx = decodeContractTransaction(await submitOp(w));
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const proof = tx.body.proof.slice();
    proof[0] = (proof[0] as number) ^ 1;
    expectRefused(
      w.state,
      signTransaction(w.config, w.creds.patient.signingKey, 'submitProof', { ...tx.body, proof }, tx.time, { random }),
      'invalidProof',
    );
    const throwing = {
      ...zk,
      verifyProof: () => {
        throw new Error('verifier bug');
      },
    };
    const { state, outcome } = applyTransaction(w.state, await submitOp(w), w.config, throwing, T0 + 100);
    expect(outcome).toMatchObject({ accepted: false, reason: 'invalidProof' });
    expect(state).toBe(w.state);
  });

  it('refuses a proof bound to another patient', async () => {
    const op = await submitOp(w, { patient: 'otherPatient' });
    expectRefused(w.state, op, 'notRecordOwner');
    const tx = decodeContractTransaction(op);
    if (tx.kind !== 'submitProof') throw new Error('kind');
    expectRefused(
      w.state,
      signTransaction(w.config, w.creds.patient.signingKey, 'submitProof', tx.body, tx.time, { random }),
      'identityMismatch',
    );
  });

  it('refuses a stale proof and one from the future; the same proof within the window passes', async () => {
    const tx = decodeContractTransaction(await submitOp(w, { time: T0 + 100 }));
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const at = (time: number) => signTransaction(w.config, w.creds.patient.signingKey, 'submitProof', tx.body, time, { random });
    expectRefused(w.state, at(T0 + 100 + w.config.maxProofAge + 1), 'staleTimestamp');
    expect(apply(w, w.state, at(T0 + 100 + w.config.maxProofAge)).outcome.accepted).toBe(true);
    expectRefused(w.state, at(T0 + 100 - w.config.maxClockSkew - 1), 'futureTimestamp');
  });

  it('refuses a replayed submission, a second proof for an accepted pair, unknown ids, a full or closed requirement', async () => {
    const op = await submitOp(w);
    const { state } = applyOk(w, w.state, op);
    expectRefused(state, op, 'replayedSubmission');
    expectRefused(state, await submitOp(w, { time: T0 + 150 }), 'duplicate');
    expectRefused(w.state, await submitOp(w, { requirementId: 'req:nope' }), 'unknownRequirement');
    expectRefused(w.state, await submitOp(w, { recordId: 'rec:nope' }), 'unknownRecord');
    // Two places: a third record finds the requirement full (after the others), and closing it refuses more.
    const two = applyOk(w, state, await submitOp(w, { record: OTHER_RECORD, recordId: w.otherRecordId, time: T0 + 101 })).state;
    const third = applyOk(w, two, registerOp(w, [50, 1, 2, 250], T0 + 102));
    expectRefused(two, await submitOp(w, { record: [50, 1, 2, 250], recordId: third.id, time: T0 + 103 }), 'unknownRecord');
    expectRefused(
      third.state,
      await submitOp(w, { record: [50, 1, 2, 250], recordId: third.id, time: T0 + 103 }),
      'requirementFull',
    );
    const close = signTransaction(
      w.config,
      w.creds.labA.signingKey,
      'closeRequirement',
      { requirementId: w.requirementA },
      T0 + 102,
      { random },
    );
    const closed = applyOk(w, applyOk(w, w.state, registerOp(w, [50, 1, 2, 250], T0 + 102)).state, close).state;
    expectRefused(
      closed,
      await submitOp(w, { record: [50, 1, 2, 250], recordId: third.id, time: T0 + 103 }),
      'requirementClosed',
    );
  });
});

describe('issue 12 item 4: failed eligibility is never published by an honest client', () => {
  it('proofSubmission refuses a record that does not meet the requirement: nothing is proved, signed or sent', async () => {
    let proved = 0;
    const counting = {
      ...zk,
      prove: (...args: Parameters<typeof zk.prove>) => {
        proved++;
        return zk.prove(...args);
      },
    };
    const input = {
      config: w.config,
      patientKey: w.creds.patient.signingKey,
      proofSystem: counting,
      provingKey: w.keys.provingKey,
      requirementId: w.requirementA,
      requirement: REQUIREMENT_A,
      recordId: w.unfitRecordId,
      record: UNFIT_RECORD,
      blinding: blindingOf(UNFIT_RECORD),
      time: T0 + 100,
    };
    await expect(proofSubmission(input, { random })).rejects.toMatchObject({ name: 'ProtocolError', reason: 'notEligible' });
    expect(proved).toBe(0);
    // A prover that returns R = 0 despite the check is caught before anything is signed.
    const lying = { ...counting, meetsRequirement: () => true };
    await expect(proofSubmission({ ...input, proofSystem: lying }, { random })).rejects.toMatchObject({ reason: 'notEligible' });
    const ok = await proofSubmission(
      { ...input, proofSystem: zk, record: RECORD, recordId: w.recordId, blinding: blindingOf(RECORD) },
      { random },
    );
    expect(apply(w, w.state, ok.operation).outcome.accepted).toBe(true);
  });
});

describe('time comes from the ordering layer (issue 11, item 10)', () => {
  const publish = (time: number, reward = 1) => publishOp(w, w.creds.labB, REQUIREMENT_B, { exclusive: false, reward }, time);
  const block = T0 + 500;

  it('a stamp of 2^53 - 1 is refused (futureTimestamp), the clock stays, and honest transactions go on', () => {
    const attack = expectRefused(w.state, publish(2 ** 53 - 1), 'futureTimestamp', block);
    expect(attack.accountable).toBe(w.addr.labB);
    const { state } = applyOk(w, w.state, publish(block), block);
    expect(state.clock).toBe(block);
    expect(
      apply(w, state, w.pkg.registration(w.config, 'patient:carol', 'patient', block + 1, { random }), block + 1).outcome
        .accepted,
    ).toBe(true);
  });

  it('a stamp just inside the skew is accepted but does not move the clock', async () => {
    const ahead = applyOk(w, w.state, publish(block + w.config.maxClockSkew), block);
    expect(ahead.state.clock).toBe(block);
    expect(apply(w, ahead.state, await submitOp(w, { time: block }), block).outcome.accepted).toBe(true);
    expectRefused(w.state, publish(block + w.config.maxClockSkew + 1), 'futureTimestamp', block);
  });

  it('a back-dated envelope does not make an old proof young', async () => {
    const { state } = applyOk(w, w.state, publish(block), block);
    const tx = decodeContractTransaction(await submitOp(w, { time: block - w.config.maxProofAge - 50 }));
    if (tx.kind !== 'submitProof') throw new Error('kind');
    const backDated = signTransaction(w.config, w.creds.patient.signingKey, 'submitProof', tx.body, block - 50, { random });
    expectRefused(state, backDated, 'staleTimestamp', block);
  });

  it('the clock is the latest block time of an accepted transaction, never lower', () => {
    const first = applyOk(w, w.state, publish(block), block);
    const second = applyOk(w, first.state, publish(block - 10, 2), block - 10);
    expect(second.state.clock).toBe(block);
    expect(() => applyTransaction(w.state, publish(block), w.config, w.zk, -1)).toThrow(RangeError);
  });
});

describe('issue 12 item 3: the reward is escrowed when the requirement is published', () => {
  // Closing a requirement and refunds: test/testdata/contract-escrow.txt.
  it('publishing moves reward x capacity into escrow; an unfunded publication is refused; balances never go negative', () => {
    expect(w.state.balances.get(w.addr.labA)).toBe(FUNDS - 2 * REWARD_A);
    expect(w.state.balances.get(w.addr.labB)).toBe(FUNDS - 2 * REWARD_B);
    expect(held(w.state)).toBe(w.state.supply);
    expect(w.state.supply).toBe(2 * FUNDS);
    const unfunded = publishOp(w, w.creds.labA, REQUIREMENT_B, { exclusive: false, reward: 500, capacity: 2 }, T0 + 30);
    expect(expectRefused(w.state, unfunded, 'insufficientFunds').accountable).toBe(w.addr.labA);
    const overflow = publishOp(w, w.creds.labA, REQUIREMENT_B, { exclusive: false, reward: 2 ** 40, capacity: 2 ** 20 }, T0 + 30);
    expectRefused(w.state, overflow, 'malformedTransaction');
    const withdraw = (amount: number) =>
      signTransaction(w.config, w.creds.labA.signingKey, 'withdraw', { amount }, T0 + 30, { random });
    expectRefused(w.state, withdraw(FUNDS - 2 * REWARD_A + 1), 'insufficientFunds');
    const out = applyOk(w, w.state, withdraw(FUNDS - 2 * REWARD_A)).state;
    expect(out.balances.get(w.addr.labA)).toBe(0);
    expect(held(out)).toBe(out.supply);
  });
});

describe('issue 12 item 3: fair exchange - paid and licensed the moment the institution can decrypt', () => {
  it('the t-th valid partial pays the patient and writes the licence; no transaction of the institution follows', async () => {
    const sale = saleA;
    // After t - 1 partials: nothing paid, no licence, and the institution cannot decrypt.
    const s = saleSteps(w);
    const one = applyOk(w, sale.accepted, s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy', T0 + 130)).state;
    expect(saleIn(one, sale.approvalId)).toMatchObject({ stage: 'accepted', escrow: REWARD_A });
    expect(one.balances.get(w.addr.patient) ?? 0).toBe(0);
    expect(one.records.get(w.recordId)?.licences).toEqual([]);
    expectProtocolError(
      () => receiveRecord(w.pkg.preParams, w.creds.labA.decryptionKey, saleIn(one, sale.approvalId), theStored(w), zk),
      'wrongStage',
    );
    const partials = saleIn(one, sale.approvalId).deliveries.map((d) => ga07Verifiable.decodeReEncryptionShare(d.partial));
    const commitment = ga07Verifiable.decodeReKeyCommitment(sale.issued.reKeyCommitment);
    expect(() => ga07Verifiable.combineReEncryptionShares(w.pkg.preParams, commitment, theStored(w), partials)).toThrow();
    // At the t-th: paid, licensed, escrow released - in the same transition.
    const done = sale.delivered;
    expect(saleIn(done, sale.approvalId)).toMatchObject({ stage: 'delivered', escrow: 0 });
    expect(done.balances.get(w.addr.patient)).toBe(REWARD_A);
    expect(done.records.get(w.recordId)?.licences).toEqual([
      { institution: w.addr.labA, approvalId: sale.approvalId, exclusive: true, time: T0 + 131 },
    ]);
    expect(done.records.get(w.recordId)?.pending).toEqual([]);
    expect(held(done)).toBe(done.supply);
    // And the institution decrypts from what the ledger holds.
    expect(receiveRecord(w.pkg.preParams, w.creds.labA.decryptionKey, saleIn(done, sale.approvalId), theStored(w), zk)).toEqual([
      ...RECORD,
    ]);
    // A later delivery or reclaim changes nothing.
    expectRefused(done, s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy3', T0 + 140), 'wrongStage');
    const reclaim = signTransaction(w.config, w.creds.labA.signingKey, 'reclaim', { approvalId: sale.approvalId }, T0 + 2000, {
      random,
    });
    expectRefused(done, reclaim, 'wrongStage');
  });

  it('an incomplete sale is refunded to the institution after its deadline, never before; the patient is not paid', async () => {
    const sale = saleA;
    const deadline = saleIn(sale.accepted, sale.approvalId).deadline;
    expect(deadline).toBe(T0 + 120 + w.config.deliveryWindow);
    const reclaim = (time: number, who: 'labA' | 'labB' = 'labA') =>
      signTransaction(w.config, w.creds[who].signingKey, 'reclaim', { approvalId: sale.approvalId }, time, { random });
    expectRefused(sale.accepted, reclaim(deadline - 1), 'deadlineNotReached');
    expectRefused(sale.accepted, reclaim(deadline, 'labB'), 'notParty');
    const refunded = applyOk(w, sale.accepted, reclaim(deadline)).state;
    expect(saleIn(refunded, sale.approvalId)).toMatchObject({ stage: 'refunded', escrow: 0 });
    expect(refunded.balances.get(w.addr.labA)).toBe(FUNDS - REWARD_A);
    expect(refunded.balances.get(w.addr.patient) ?? 0).toBe(0);
    expect(refunded.records.get(w.recordId)).toMatchObject({ licences: [], pending: [] });
    expect(held(refunded)).toBe(refunded.supply);
    // A proxy does not deliver near the deadline (its partial would stay on the ledger unpaid), and the contract refuses after the refund.
    const s = saleSteps(w);
    expectProtocolError(
      () => s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy', deadline - 2 * w.config.maxClockSkew),
      'saleExpired',
    );
    const early = decodeContractTransaction(s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy', T0 + 130));
    const after = signTransaction(
      w.config,
      w.creds.proxy.signingKey,
      'deliver',
      early.body as { approvalId: string; partial: Uint8Array },
      deadline,
      { random },
    );
    expectRefused(refunded, after, 'wrongStage');
  });

  it('a sale the patient never grants, or the institution never accepts, expires and is refunded', async () => {
    const approved = applyOk(w, w.state, await submitOp(w));
    const deadline = saleIn(approved.state, approved.id).deadline;
    expect(deadline).toBe(T0 + 100 + w.config.grantWindow);
    const issued = reKeyFor(w, 'labA');
    const late = grantAccess(
      w.config,
      w.creds.patient.signingKey,
      saleIn(approved.state, approved.id),
      issued,
      theStored(w),
      deadline,
      { random },
    );
    expectRefused(approved.state, late, 'saleExpired');
    const granted = saleSteps(w).grant(approved.state, approved.id, issued, T0 + 110).state;
    const lateAccept = acceptGrant(w.config, w.creds.labA, saleIn(granted, approved.id), deadline, { random });
    expectRefused(granted, lateAccept, 'saleExpired');
    const reclaim = signTransaction(w.config, w.creds.labA.signingKey, 'reclaim', { approvalId: approved.id }, deadline, {
      random,
    });
    const refunded = applyOk(w, granted, reclaim).state;
    expect(refunded.balances.get(w.addr.labA)).toBe(FUNDS - REWARD_A);
    expect(refunded.records.get(w.recordId)?.pending).toEqual([]);
  });

  it('the patient is not paid for data the institution cannot decrypt: an invalid partial is refused, naming the proxy', async () => {
    const sale = saleA;
    const s = saleSteps(w);
    const honestOp = s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy', T0 + 130);
    const honest = decodeContractTransaction(honestOp);
    if (honest.kind !== 'deliver') throw new Error('kind');
    const lie = lyingDelivery(w, honestOp, 'proxy');
    expect(expectRefused(sale.accepted, lie, 'invalidPartial').accountable).toBe(w.addr.proxy);
    const garbage = signTransaction(
      w.config,
      w.creds.proxy.signingKey,
      'deliver',
      { approvalId: sale.approvalId, partial: new Uint8Array([1, 2, 3]) },
      T0 + 130,
      { random },
    );
    expectRefused(sale.accepted, garbage, 'invalidPartial');
    // Share 1 posted by proxy 2, and the same share twice.
    const stolen = signTransaction(w.config, w.creds.proxy2.signingKey, 'deliver', honest.body, T0 + 130, { random });
    expectRefused(sale.accepted, stolen, 'notParty');
    const once = applyOk(w, sale.accepted, s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy', T0 + 130)).state;
    expectRefused(once, s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy', T0 + 131), 'duplicate');
    // A key commitment that does not open for the institution: it does not accept (and reclaims later).
    const forB = issueReKey(
      w.pkg.preParams,
      recordKey(w),
      w.addr.labB,
      PROXIES.map((k) => w.addr[k]),
      2,
      { random },
    );
    const mislabelled = { ...ga07Verifiable.decodeReKeyCommitment(forB.reKeyCommitment), delegatee: w.addr.labA };
    const grantBody = ga07Verifiable.encodeReKeyCommitment(mislabelled);
    const approved = applyOk(w, w.state, await submitOp(w));
    const granted = applyOk(w, approved.state, rawGrant(approved.state, approved.id, { reKeyCommitment: grantBody })).state;
    const refused = expectProtocolError(
      () => acceptGrant(w.config, w.creds.labA, saleIn(granted, approved.id), T0 + 120, { random }),
      'reEncryptionProofInvalid',
    );
    expect(refused.accountable).toEqual([w.addr.patient]);
  });

  it('property: along any order of sale steps, no balance goes negative and the contract holds exactly the supply', async () => {
    const sale = saleA;
    const s = saleSteps(w);
    const deadline = saleIn(sale.accepted, sale.approvalId).deadline;
    const candidates = [
      s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy', T0 + 130),
      s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy2', T0 + 131),
      s.deliverOp(sale.accepted, sale.approvalId, sale.issued, 'proxy3', T0 + 132),
      signTransaction(w.config, w.creds.labA.signingKey, 'reclaim', { approvalId: sale.approvalId }, deadline, { random }),
      signTransaction(w.config, w.creds.labA.signingKey, 'closeRequirement', { requirementId: w.requirementA }, T0 + 133, {
        random,
      }),
      signTransaction(w.config, w.creds.patient.signingKey, 'withdraw', { amount: REWARD_A }, T0 + 134, { random }),
      signTransaction(w.config, w.creds.labA.signingKey, 'withdraw', { amount: 700 }, T0 + 135, { random }),
    ];
    fc.assert(
      fc.property(fc.array(fc.nat(candidates.length - 1), { maxLength: 6 }), (order) => {
        let state = sale.accepted;
        for (const i of order) state = apply(w, state, candidates[i] as Uint8Array).state;
        const a = saleIn(state, sale.approvalId);
        const paid =
          (state.balances.get(w.addr.patient) ?? 0) > 0 || (a.stage === 'delivered' && !state.balances.has(w.addr.patient));
        const licensed = (state.records.get(w.recordId)?.licences.length ?? 0) === 1;
        // Licence and delivery go together, and a refunded sale has no licence.
        return (
          held(state) === state.supply &&
          licensed === (a.stage === 'delivered') &&
          (a.stage !== 'refunded' || !licensed) &&
          (paid || a.stage !== 'delivered' || state.supply < 2 * FUNDS)
        );
      }),
      { numRuns: 8 },
    );
  });
});

describe('issue 12 item 1: the sharing form binds the sale', () => {
  it('a form signed for another sale (approval, reward, licence) does not complete this one; a form dated T = 0 is refused', async () => {
    // Lab B's non-exclusive sale (reward 150) and lab A's exclusive one (reward 100), both approved.
    const b = applyOk(w, w.state, await submitOp(w, { requirementId: w.requirementB, requirement: REQUIREMENT_B }));
    const a = applyOk(w, b.state, await submitOp(w, { time: T0 + 101 }));
    const formB = signSharingForm(w.creds.patient.signingKey, sharingFormOf(w.config, saleIn(a.state, b.id), T0 + 110), {
      random,
    });
    expectRefused(a.state, rawGrant(a.state, a.id, { formSignature: formB }), 'badSignature');
    // The same sale with another reward or licence than the ledger's is another form.
    const sale = saleIn(a.state, a.id);
    for (const changed of [
      { ...sale, reward: 1 },
      { ...sale, exclusive: false },
      { ...sale, requirementId: w.requirementB },
    ]) {
      const sig = signSharingForm(w.creds.patient.signingKey, sharingFormOf(w.config, changed, T0 + 110), { random });
      expectRefused(a.state, rawGrant(a.state, a.id, { formSignature: sig }), 'badSignature');
    }
    // A form dated 0 (or ahead of the clock) is refused on its time, even well signed.
    const old = signSharingForm(w.creds.patient.signingKey, sharingFormOf(w.config, sale, 0), { random });
    expectRefused(a.state, rawGrant(a.state, a.id, { formTime: 0, formSignature: old }), 'staleTimestamp');
    const ahead = T0 + 110 + w.config.maxClockSkew + 1;
    const future = signSharingForm(w.creds.patient.signingKey, sharingFormOf(w.config, sale, ahead), { random });
    expectRefused(a.state, rawGrant(a.state, a.id, { formTime: ahead, formSignature: future }), 'futureTimestamp');
    // The institution's countersignature must be on the same form.
    const granted = applyOk(w, a.state, rawGrant(a.state, a.id, {})).state;
    const wrongForm = signSharingForm(w.creds.labA.signingKey, sharingFormOf(w.config, saleIn(granted, a.id), T0 + 111), {
      random,
    });
    const accept = signTransaction(
      w.config,
      w.creds.labA.signingKey,
      'acceptGrant',
      { approvalId: a.id, formSignature: wrongForm },
      T0 + 120,
      { random },
    );
    expectRefused(granted, accept, 'badSignature');
    expect(
      apply(w, granted, acceptGrant(w.config, w.creds.labA, saleIn(granted, a.id), T0 + 120, { random })).outcome.accepted,
    ).toBe(true);
  });

  it('the signed form covers every field: changing any one changes the bytes', async () => {
    const approved = applyOk(w, w.state, await submitOp(w));
    const sale = saleIn(approved.state, approved.id);
    const base = hex(sharingFormSignable(sharingFormOf(w.config, sale, T0)));
    const variants = [
      { ...sale, id: 'appr:other' },
      { ...sale, requirementId: 'req:other' },
      { ...sale, recordId: 'rec:other' },
      { ...sale, patient: w.addr.otherPatient },
      { ...sale, institution: w.addr.labB },
      { ...sale, commitment: sale.commitment + 1n },
      { ...sale, reward: sale.reward + 1 },
      { ...sale, exclusive: !sale.exclusive },
    ];
    for (const v of variants) expect(hex(sharingFormSignable(sharingFormOf(w.config, v, T0)))).not.toBe(base);
    expect(hex(sharingFormSignable(sharingFormOf(w.config, sale, T0 + 1)))).not.toBe(base);
    expect(hex(sharingFormSignable(sharingFormOf({ deployment: new Uint8Array(32) }, sale, T0)))).not.toBe(base);
  });
});

describe('issue 12 item 2: no grant contradicts a licence in force or a sale in progress', () => {
  // Sales in progress blocking grants, and licences side by side: test/testdata/contract-licences.txt.
  it('after an exclusive sale to A, a grant to B is refused, and the proxies do not act on it', async () => {
    // B's (non-exclusive) submission was accepted before A's sale completed.
    const b = applyOk(
      w,
      w.state,
      await submitOp(w, { requirementId: w.requirementB, requirement: REQUIREMENT_B, time: T0 + 90 }),
    );
    const a = await sell(w, b.state, 'labA');
    const grantB = grantAccess(
      w.config,
      w.creds.patient.signingKey,
      saleIn(a.delivered, b.id),
      reKeyFor(w, 'labB'),
      theStored(w),
      T0 + 140,
      { random },
    );
    expect(expectRefused(a.delivered, grantB, 'exclusiveLicence').accountable).toBe(w.addr.patient);
    // The refused grant leaves B's sale unapproved for delivery: no proxy acts on it.
    const issuedB = reKeyFor(w, 'labB');
    expectProtocolError(
      () =>
        proxyReEncrypt(
          w.config,
          w.creds.proxy,
          saleIn(a.delivered, b.id),
          issuedB.sealedShares[0]?.sealed ?? new Uint8Array(0),
          theStored(w),
          T0 + 150,
        ),
      'wrongStage',
    );
    // And a new submission to B is refused too (section 5.1.5), naming the patient.
    const pub = applyOk(w, a.delivered, publishOp(w, w.creds.labB, REQUIREMENT_B, { exclusive: false, reward: 5 }, T0 + 150));
    const again = await submitOp(w, { requirementId: pub.id, requirement: REQUIREMENT_B, time: T0 + 151 });
    expect(expectRefused(pub.state, again, 'exclusiveLicence').accountable).toBe(w.addr.patient);
  });
});

describe('issue 12 item 6: shares go to distinct registered proxies, and the proxy acts only on an accepted grant', () => {
  it('issueReKey refuses repeated proxies and the delegatee among them', () => {
    const key = recordKey(w);
    expect(() => issueReKey(w.pkg.preParams, key, w.addr.labA, [w.addr.proxy, w.addr.proxy], 2, { random })).toThrow(RangeError);
    expect(() => issueReKey(w.pkg.preParams, key, w.addr.labA, [w.addr.proxy, w.addr.labA], 2, { random })).toThrow(RangeError);
  });

  it('the contract refuses a grant whose proxies repeat, include the institution, are not proxies, or do not match n', async () => {
    const approved = applyOk(w, w.state, await submitOp(w));
    const g = (proxies: string[]) => rawGrant(approved.state, approved.id, { proxies });
    expectRefused(approved.state, g([w.addr.proxy, w.addr.proxy, w.addr.proxy2]), 'invalidProxies');
    expectRefused(approved.state, g([w.addr.proxy, w.addr.labA, w.addr.proxy2]), 'invalidProxies');
    expectRefused(approved.state, g([w.addr.proxy, w.addr.hospital, w.addr.proxy2]), 'invalidProxies');
    expectRefused(approved.state, g([w.addr.proxy, w.addr.stranger, w.addr.proxy2]), 'invalidProxies');
    expectRefused(approved.state, g([w.addr.proxy, w.addr.proxy2]), 'invalidProxies');
    expect(apply(w, approved.state, g(PROXIES.map((p) => w.addr[p]))).outcome.accepted).toBe(true);
  });

  it('the contract refuses a key from another identity or for another institution, and a header for another ciphertext', async () => {
    const approved = applyOk(w, w.state, await submitOp(w));
    const g = (overrides: Record<string, unknown>) => rawGrant(approved.state, approved.id, overrides);
    const ps = PROXIES.map((p) => w.addr[p]);
    for (const key of [
      issueReKey(w.pkg.preParams, recordKey(w), w.addr.labB, ps, 2, { random }), // another institution
      issueReKey(w.pkg.preParams, w.creds.patient.decryptionKey, w.addr.labA, ps, 2, { random }), // the patient's own key: every record
      issueReKey(w.pkg.preParams, recordKey(w, OTHER_RECORD), w.addr.labA, ps, 2, { random }), // another record
    ]) {
      expectRefused(approved.state, g({ reKeyCommitment: key.reKeyCommitment }), 'grantMismatch');
    }
    expectRefused(approved.state, g({ ciphertextHeader: ciphertextHeader(stored(w, OTHER_RECORD)) }), 'grantMismatch');
    expectRefused(approved.state, g({ ciphertextHeader: new Uint8Array(10) }), 'malformedTransaction');
  });

  it('the proxy refuses a sale not yet accepted, a grant it is not on, a share that is not the one on the ledger, and another ciphertext', async () => {
    const s = saleSteps(w);
    const approved = applyOk(w, w.state, await submitOp(w));
    const issued = reKeyFor(w, 'labA', ['proxy', 'proxy2'], 2);
    expectProtocolError(() => s.deliverOp(approved.state, approved.id, issued, 'proxy', T0 + 120), 'wrongStage');
    const granted = s.grant(approved.state, approved.id, issued, T0 + 110).state;
    expectProtocolError(() => s.deliverOp(granted, approved.id, issued, 'proxy', T0 + 120), 'wrongStage');
    const accepted = s.accept(granted, approved.id, 'labA', T0 + 120).state;
    const sale = saleIn(accepted, approved.id);
    expectProtocolError(
      () => proxyReEncrypt(w.config, w.creds.proxy3, sale, issued.sealedShares[0]?.sealed as Uint8Array, theStored(w), T0 + 130),
      'notParty',
    );
    // Another proxy's sealed share does not open; a share of another key (not on the ledger) is not used.
    expectProtocolError(
      () => proxyReEncrypt(w.config, w.creds.proxy, sale, issued.sealedShares[1]?.sealed as Uint8Array, theStored(w), T0 + 130),
      'sealedKeyInvalid',
    );
    const otherKey = reKeyFor(w, 'labA', ['proxy', 'proxy2'], 2);
    const mismatch = expectProtocolError(
      () => proxyReEncrypt(w.config, w.creds.proxy, sale, otherKey.sealedShares[0]?.sealed as Uint8Array, theStored(w), T0 + 130),
      'grantMismatch',
    );
    expect(mismatch.accountable).toEqual([w.addr.patient]);
    expectProtocolError(
      () => proxyReEncrypt(w.config, w.creds.proxy, sale, issued.sealedShares[0]?.sealed as Uint8Array, stored(w), T0 + 130),
      'grantMismatch',
    );
  });

  it('2-of-3: a delivery survives a proxy that is down, and one that lies (the contract names it)', async () => {
    const s = saleSteps(w);
    const approved = applyOk(w, w.state, await submitOp(w));
    const issued = reKeyFor(w, 'labA', PROXIES, 2);
    const ciphertext = stored(w);
    const granted = s.grant(approved.state, approved.id, issued, T0 + 110, ciphertext).state;
    const accepted = s.accept(granted, approved.id, 'labA', T0 + 120).state;
    // Proxy 1 lies, proxy 2 is down, proxy 3 delivers: not yet complete.
    const lie = lyingDelivery(w, s.deliverOp(accepted, approved.id, issued, 'proxy', T0 + 130, ciphertext), 'proxy');
    expect(expectRefused(accepted, lie, 'invalidPartial').accountable).toBe(w.addr.proxy);
    const three = applyOk(w, accepted, s.deliverOp(accepted, approved.id, issued, 'proxy3', T0 + 131, ciphertext)).state;
    expect(saleIn(three, approved.id).stage).toBe('accepted');
    // The liar, now honest (or any second proxy), completes it.
    const done = applyOk(w, three, s.deliverOp(three, approved.id, issued, 'proxy', T0 + 132, ciphertext)).state;
    expect(saleIn(done, approved.id).stage).toBe('delivered');
    expect(receiveRecord(w.pkg.preParams, w.creds.labA.decryptionKey, saleIn(done, approved.id), ciphertext, zk)).toEqual([
      ...RECORD,
    ]);
  });
});

describe('step 8: the institution checks what it decrypts against the ledger', () => {
  /** A delivered 2-of-2 sale whose grant names `ciphertext`. */
  async function deliveredWith(ciphertext: ReturnType<typeof stored>) {
    const s = saleSteps(w);
    const approved = applyOk(w, w.state, await submitOp(w));
    const issued = reKeyFor(w, 'labA', ['proxy', 'proxy2'], 2);
    let state = s.grant(approved.state, approved.id, issued, T0 + 110, ciphertext).state;
    state = s.accept(state, approved.id, 'labA', T0 + 120).state;
    state = applyOk(w, state, s.deliverOp(state, approved.id, issued, 'proxy', T0 + 130, ciphertext)).state;
    state = applyOk(w, state, s.deliverOp(state, approved.id, issued, 'proxy2', T0 + 131, ciphertext)).state;
    return saleIn(state, approved.id);
  }

  it('refuses a record swapped before encryption (one committed, another encrypted), naming the patient who granted it', async () => {
    const swapped = stored(w, OTHER_RECORD, RECORD);
    const sale = await deliveredWith(swapped);
    const e = expectProtocolError(
      () => receiveRecord(w.pkg.preParams, w.creds.labA.decryptionKey, sale, swapped, zk),
      'recordMismatch',
    );
    expect(e.accountable).toEqual([w.addr.patient]);
  });

  it('refuses the committed record sealed with another blinding', async () => {
    const sealed = encryptRecord(w.pkg.preParams, w.addr.patient, commitmentOf(zk, RECORD), RECORD, blindingOf(RECORD) + 1n, {
      random,
    });
    const sale = await deliveredWith(sealed);
    expectProtocolError(() => receiveRecord(w.pkg.preParams, w.creds.labA.decryptionKey, sale, sealed, zk), 'recordMismatch');
  });

  it('refuses a stored ciphertext other than the one the grant names', async () => {
    const sale = await deliveredWith(stored(w));
    expectProtocolError(() => receiveRecord(w.pkg.preParams, w.creds.labA.decryptionKey, sale, stored(w), zk), 'grantMismatch');
    const other = ga07.encrypt(w.pkg.preParams, w.addr.otherPatient, new Uint8Array(12), { random });
    expect(() => ciphertextHeader(other)).not.toThrow();
    expectProtocolError(() => receiveRecord(w.pkg.preParams, w.creds.labA.decryptionKey, sale, other, zk), 'grantMismatch');
  });
});

describe('a commitment is registered once: the licence covers the data (issue 11, item 11)', () => {
  it('a second identity cannot register the same commitment, nor a hospital under a second patient', () => {
    const outcome = expectRefused(
      w.state,
      registerOp(w, RECORD, T0 + 40, { patient: 'otherPatient', registrant: 'otherPatient' }),
      'duplicate',
    );
    expect(outcome.accountable).toBe(w.addr.otherPatient);
    expectRefused(w.state, registerOp(w, RECORD, T0 + 40, { patient: 'otherPatient' }), 'duplicate');
  });
});

describe('untrusted bytes', () => {
  it('refuses malformed transactions with a named reason', () => {
    expectRefused(w.state, new Uint8Array(0), 'malformedTransaction');
    expectRefused(w.state, Uint8Array.of(2, 99), 'malformedTransaction');
    const valid = w.pkg.registration(w.config, 'patient:carol', 'patient', T0 + 30, { random });
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

  it('an empty contract refuses everything but the authority', () => {
    const empty = createContractState();
    expect(applyTransaction(empty, registerOp(w, RECORD, T0), w.config, zk, T0).outcome).toMatchObject({
      accepted: false,
      reason: 'unregisteredSender',
    });
  });
});
