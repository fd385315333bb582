/**
 * The MedShare contract (contracts/MedShare.sol) on an in-process Prague EVM: the nine steps with
 * real Groth16 proofs, every named refusal (one test at least for each of the 24 errors that stand
 * for medshare/protocol's contract refusals, checked at the end), AuthSign signatures bound to the
 * chain id and the contract address, time from the block, replay keyed on the statement, and the
 * gas targets of the issue (registerRecord <= 230k, submitProof <= 300k).
 */
import { bn254 } from '@noble/curves/bn254.js';
import fc from 'fast-check';
import { encodeDeployData, encodeFunctionData, type Hex, hexToBytes } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { medShareAbi, medShareBytecode } from '../src/evm/artifacts.js';
import {
  approvalId,
  encodeAuthSignParams,
  encodeProof,
  encodeSignature,
  encodeVerificationKey,
  formSignable,
  identityField,
  identityKey,
  recordSignable,
  REFUSAL_OF_ERROR,
  ROLE_CODES,
  recordId as recordIdOf,
} from '../src/evm/encoding.js';
import { issueReKey } from '../src/protocol/parties.js';
import { recordSignable as protocolRecordSignable } from '../src/protocol/transactions.js';
import type { RefusalReason } from '../src/protocol/contract.js';
import { authSign } from '../src/sign/cha-cheon.js';
import { FIELD_ORDER, type ProofResult, releaseWorkers } from '../src/zk/index.js';
import { addressOf, DEPLOYER, hex, testKey } from './support/evm.js';
import {
  type CallOutcome,
  commitmentOf,
  type EvmWorld,
  MAX_CLOCK_SKEW,
  MAX_PROOF_AGE,
  makeEvmWorld,
  OTHER_RECORD,
  type PartyName,
  proofFor,
  publishArgs,
  RECORD,
  REQUIREMENT_A,
  REQUIREMENT_B,
  random,
  recordSignature,
  registerArgs,
  signedForm,
  submitArgs,
  T0,
  UNFIT_RECORD,
} from './support/evm-world.js';
import { testKeys } from './support/zk.js';

let w: EvmWorld;
let reqA: Hex; // labA, exclusive, reward 100
let reqB: Hex; // labB, non-exclusive, reward 150
let rec1: Hex; // RECORD of alice
let rec2: Hex; // OTHER_RECORD of alice
let recUnfit: Hex; // UNFIT_RECORD of alice
const NOW = T0 + 30;
const P: Record<string, ProofResult> = {};
const commitment1 = commitmentOf(RECORD);
const seen = new Set<RefusalReason>();

beforeAll(async () => {
  w = await makeEvmWorld();
  const a = await w.send(
    'labA',
    'publishRequirement',
    publishArgs(w, REQUIREMENT_A, { exclusive: true, reward: 100, time: T0 + 10 }),
    T0 + 10,
  );
  const b = await w.send('labB', 'publishRequirement', publishArgs(w, REQUIREMENT_B, { reward: 150, time: T0 + 10 }), T0 + 10);
  reqA = a.events[0]?.args.requirementId as Hex;
  reqB = b.events[0]?.args.requirementId as Hex;
  const ids: Hex[] = [];
  for (const record of [RECORD, OTHER_RECORD, UNFIT_RECORD]) {
    const out = await w.send('hospital', 'registerRecord', registerArgs(w, record, { time: T0 + 20 }), T0 + 20);
    ids.push(out.events[0]?.args.recordId as Hex);
  }
  [rec1, rec2, recUnfit] = ids as [Hex, Hex, Hex];
  P.a1 = await proofFor(w, RECORD, REQUIREMENT_A, { timestamp: T0 + 25, salt: 1n });
  P.b1 = await proofFor(w, RECORD, REQUIREMENT_B, { timestamp: T0 + 25, salt: 2n });
  P.a2 = await proofFor(w, OTHER_RECORD, REQUIREMENT_A, { timestamp: T0 + 25, salt: 3n });
  P.a1Again = await proofFor(w, RECORD, REQUIREMENT_A, { timestamp: T0 + 26, salt: 4n });
  P.unfit = await proofFor(w, UNFIT_RECORD, REQUIREMENT_A, { timestamp: T0 + 25, salt: 5n });
  P.bob = await proofFor(w, RECORD, REQUIREMENT_A, { timestamp: T0 + 25, salt: 6n, patient: w.parties.otherPatient.identity });
  P.stale = await proofFor(w, RECORD, REQUIREMENT_A, { timestamp: NOW - MAX_PROOF_AGE - 1, salt: 7n });
  P.future = await proofFor(w, RECORD, REQUIREMENT_A, { timestamp: NOW + MAX_CLOCK_SKEW + 1, salt: 8n });
  await w.chain.snapshot();
});

beforeEach(async () => {
  await w.chain.restore();
  await w.chain.snapshot();
});

afterAll(async () => {
  await releaseWorkers();
});

function refused(outcome: CallOutcome, reason: RefusalReason) {
  expect(outcome.accepted ? 'accepted' : outcome.reason).toBe(reason);
  seen.add(reason);
}

function accepted(outcome: CallOutcome): CallOutcome {
  expect(outcome.accepted ? 'accepted' : outcome.reason).toBe('accepted');
  return outcome;
}

const submit = (proof: ProofResult, requirement = reqA, record = rec1, who: PartyName = 'patient', time = NOW) =>
  w.send(who, 'submitProof', submitArgs(requirement, record, proof, time), time);

function reKeyCommitment(institution: PartyName = 'labA', commitment = commitment1): Hex {
  const issued = issueReKey(
    w.pkg.preParams,
    w.pkg.recordKey(w.parties.patient.identity, commitment),
    w.parties[institution].identity,
    [w.parties.proxy.identity],
    1,
    { random },
  );
  return hex(issued.reKeyCommitment);
}

const grant = (
  requirement = reqA,
  record = rec1,
  commitment: Hex = reKeyCommitment(),
  who: PartyName = 'patient',
  time = NOW + 10,
) => w.send(who, 'grantAccess', [requirement, record, commitment, BigInt(time)], time);

function form(
  overrides: Partial<{ patient: string; institution: string; commitment: bigint; timestamp: number }> = {},
  signers = {},
) {
  return signedForm(
    w,
    {
      patient: w.parties.patient.identity,
      institution: w.parties.labA.identity,
      commitment: commitment1,
      timestamp: NOW + 20,
      ...overrides,
    },
    signers,
  );
}

const share = (f = form(), requirement = reqA, record = rec1, who: PartyName = 'labA', time = NOW + 20) =>
  w.send(who, 'share', [requirement, record, f, BigInt(time)], time);

/** Sends hand-made call data (to put bytes in a string that viem would not produce). */
async function sendRaw(who: PartyName, data: Hex, time = NOW) {
  w.chain.setTime(time);
  const receipt = await w.chain.execute(w.parties[who].key, { to: w.address, data, gasLimit: 5_000_000n });
  const { decodeRevert } = await import('../src/evm/encoding.js');
  const revert = receipt.success ? null : decodeRevert(receipt.revertData);
  return { accepted: receipt.success, reason: revert?.kind === 'refusal' ? revert.reason : null } as CallOutcome;
}

describe('the nine steps on chain', () => {
  it('publish, register, prove, grant, share: events, state and rewards', async () => {
    const approval = approvalId(reqA, rec1);
    const submitted = accepted(await submit(P.a1 as ProofResult));
    expect(submitted.events[0]).toMatchObject({
      eventName: 'ProofAccepted',
      args: { approvalId: approval, requirementId: reqA, recordId: rec1 },
    });
    expect(await w.read('approvals', [approval])).toEqual([1, `0x${'0'.repeat(64)}`]);
    const commitmentBytes = reKeyCommitment();
    const granted = accepted(await grant(reqA, rec1, commitmentBytes));
    expect(granted.events[0]).toMatchObject({
      eventName: 'AccessGranted',
      args: { approvalId: approval, reKeyCommitment: commitmentBytes },
    });
    // Mined 10 s after the form's time: the licence's time is the block's (the contract clock), as in the reference.
    const shared = accepted(await share(form(), reqA, rec1, 'labA', NOW + 30));
    expect(shared.events[0]).toMatchObject({ eventName: 'RecordShared', args: { time: BigInt(NOW + 30) } });
    const alice = (await w.read('seatOfIdentity', [identityKey(w.parties.patient.identity)])) as [number, number];
    const labA = (await w.read('seatOfIdentity', [identityKey(w.parties.labA.identity)])) as [number, number];
    expect(await w.read('balances', [alice[0]])).toBe(100n);
    expect(await w.read('balances', [labA[0]])).toBe(-100n);
    expect(await w.read('licences', [rec1, 0n])).toEqual([approval, labA[0], true, BigInt(NOW + 30)]);
    expect(((await w.read('approvals', [approval])) as [number])[0]).toBe(3);
  });

  it('ids are what medshare/evm computes, and the stored requirement reads back', async () => {
    expect(rec1).toBe(recordIdOf(w.parties.patient.identity, commitment1));
    const requirement = (await w.read('requirementOf', [reqA])) as {
      institution: number;
      reward: bigint;
      exclusive: boolean;
      keyValid: boolean;
    };
    expect(requirement).toMatchObject({ reward: 100n, exclusive: true, keyValid: true });
    expect(await w.read('verificationKeyOf', [reqA])).toBe(hex(w.verificationKey));
  });

  it('what members sign: medshare/evm computes the bytes the contract checks, exactly', async () => {
    const alice = w.parties.patient.identity;
    expect(await w.read('recordSignable', [alice, commitment1])).toBe(hex(recordSignable(w.domain, alice, commitment1)));
    const f = {
      patient: alice,
      institution: w.parties.labA.identity,
      dataHash: hexToBytes(`0x${commitment1.toString(16).padStart(64, '0')}`),
      timestamp: NOW,
    };
    expect(await w.read('formSignable', [f.patient, f.institution, hex(f.dataHash), BigInt(f.timestamp)])).toBe(
      hex(formSignable(w.domain, f)),
    );
    expect(await w.read('identityField', [hex(new TextEncoder().encode(alice))])).toBe(identityField(alice));
  });

  it('gas stays within the targets: registerRecord <= 230k, submitProof <= 300k', async () => {
    const commitment = commitmentOf([1, 2, 3, 4, 5, 6, 7, 8]);
    const registered = accepted(
      await w.send(
        'hospital',
        'registerRecord',
        [
          w.parties.patient.identity,
          commitment,
          recordSignature(w, 'patient', w.parties.patient.identity, commitment),
          BigInt(NOW),
        ],
        NOW,
      ),
    );
    const submitted = accepted(await submit(P.a1 as ProofResult));
    expect(registered.gasUsed).toBeLessThanOrEqual(230_000n);
    expect(submitted.gasUsed).toBeLessThanOrEqual(300_000n);
  });
});

describe('membership (section 4.2.3)', () => {
  const register = (who: PartyName, identity: string, role: number, account: Hex, time = NOW) =>
    w.send(who, 'register', [identity, role, account, BigInt(time)], time);
  const fresh = addressOf(testKey('fresh'));

  it('the authority registers; others may not', async () => {
    accepted(await register('authority', 'patient:carol', ROLE_CODES.patient, fresh));
    refused(await register('labA', 'patient:dave', ROLE_CODES.patient, addressOf(testKey('dave'))), 'wrongRole');
    refused(await register('stranger', 'patient:dave', ROLE_CODES.patient, addressOf(testKey('dave'))), 'unregisteredSender');
  });

  it('refuses an identity or account registered before, and the authority itself', async () => {
    refused(await register('authority', w.parties.patient.identity, ROLE_CODES.patient, fresh), 'alreadyRegistered');
    refused(await register('authority', 'ca:membership', ROLE_CODES.patient, fresh), 'alreadyRegistered');
    refused(await register('authority', 'patient:carol', ROLE_CODES.patient, w.parties.patient.account), 'alreadyRegistered');
    refused(await register('authority', 'patient:carol', ROLE_CODES.patient, w.parties.authority.account), 'alreadyRegistered');
  });

  it("refuses '#' in a member identity (record identities use it)", async () => {
    refused(await register('authority', 'patient:eve#record:00', ROLE_CODES.patient, fresh), 'reservedIdentity');
  });

  it('refuses malformed registrations: empty identity, unknown role, zero account', async () => {
    refused(await register('authority', '', ROLE_CODES.patient, fresh), 'malformedTransaction');
    refused(await register('authority', 'patient:carol', 0, fresh), 'malformedTransaction');
    refused(await register('authority', 'patient:carol', 6, fresh), 'malformedTransaction');
    refused(
      await register('authority', 'patient:carol', 1, '0x0000000000000000000000000000000000000000'),
      'malformedTransaction',
    );
    refused(await register('authority', 'x'.repeat(1025), 1, fresh), 'malformedTransaction');
  });

  it('identity bytes are checked as UTF-8 exactly as medshare decodes them (TextDecoder, fatal)', async () => {
    // Property: the contract calls an identity malformed iff it is empty, over 1024 bytes, or not
    // well-formed UTF-8 (overlong forms, surrogates, code points above U+10FFFF, truncations).
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const interesting = fc.constantFrom(
      0x00,
      0x41,
      0x7f,
      0x80,
      0xbf,
      0xc0,
      0xc1,
      0xc2,
      0xdf,
      0xe0,
      0xa0,
      0xed,
      0x9f,
      0xef,
      0xf0,
      0x90,
      0xf4,
      0x8f,
      0xf5,
      0xff,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(interesting, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        async (raw) => {
          const bytes = Uint8Array.from(raw);
          let wellFormed = true;
          try {
            decoder.decode(bytes);
          } catch {
            wellFormed = false;
          }
          // Sent by an institution: a well-formed identity gets past decoding and is refused for the role.
          const placeholder = 'Z'.repeat(bytes.length);
          const data = encodeFunctionData({
            abi: medShareAbi,
            functionName: 'register',
            args: [placeholder, 1, fresh, BigInt(NOW)],
          });
          const patched = data.replace(Buffer.from(placeholder).toString('hex'), Buffer.from(bytes).toString('hex')) as Hex;
          const out = await sendRaw('labA', patched);
          expect(out.reason).toBe(wellFormed ? 'wrongRole' : 'malformedTransaction');
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('time: the block is the clock; claimed times are checked within a window', () => {
  it('accepts a claimed time within maxClockSkew of the block, refuses stale and future ones', async () => {
    const args = (time: number) => publishArgs(w, REQUIREMENT_B, { keywords: [`t${time}`], time });
    accepted(await w.send('labB', 'publishRequirement', args(NOW - MAX_CLOCK_SKEW), NOW));
    accepted(await w.send('labB', 'publishRequirement', args(NOW + MAX_CLOCK_SKEW), NOW));
    refused(await w.send('labB', 'publishRequirement', args(NOW - MAX_CLOCK_SKEW - 1), NOW), 'staleTimestamp');
    refused(await w.send('labB', 'publishRequirement', args(NOW + MAX_CLOCK_SKEW + 1), NOW), 'futureTimestamp');
  });

  it("refuses a proof whose T is older than maxProofAge, or ahead of the block's time", async () => {
    refused(await submit(P.stale as ProofResult), 'staleTimestamp');
    refused(await submit(P.future as ProofResult), 'futureTimestamp');
    // The same proof becomes stale when the block's time moves on, whatever time the sender claims.
    const later = T0 + 25 + MAX_PROOF_AGE + 1;
    refused(await submit(P.a1 as ProofResult, reqA, rec1, 'patient', later), 'staleTimestamp');
  });
});

describe('publishRequirement (step 1)', () => {
  it('refuses a patient, a duplicate and malformed fields', async () => {
    refused(await w.send('patient', 'publishRequirement', publishArgs(w, REQUIREMENT_A, { time: NOW }), NOW), 'wrongRole');
    refused(
      await w.send('labA', 'publishRequirement', publishArgs(w, REQUIREMENT_A, { exclusive: true, reward: 100, time: NOW }), NOW),
      'duplicate',
    );
    const bad: Parameters<typeof publishArgs>[2][] = [
      { keywords: Array.from({ length: 33 }, (_, i) => `k${i}`) },
      { keywords: [''] },
      { keywords: ['x'.repeat(65)] },
      { key: new Uint8Array(0) },
      { reward: 2 ** 53 },
    ];
    for (const options of bad) {
      refused(
        await w.send('labB', 'publishRequirement', publishArgs(w, REQUIREMENT_B, { ...options, time: NOW }), NOW),
        'malformedTransaction',
      );
    }
  });

  it('keeps a malformed key as published and refuses every proof under it (as the reference verifier does)', async () => {
    const broken = w.verificationKey.slice();
    broken[32 * 15 - 1] = ((broken[32 * 15 - 1] as number) ^ 1) & 0xff; // IC_0 off the curve
    const out = accepted(
      await w.send('labB', 'publishRequirement', publishArgs(w, REQUIREMENT_A, { key: broken, time: NOW }), NOW),
    );
    const id = out.events[0]?.args.requirementId as Hex;
    expect(((await w.read('requirementOf', [id])) as { keyValid: boolean }).keyValid).toBe(false);
    refused(await submit(P.a1 as ProofResult, id), 'invalidProof');
    const short = accepted(
      await w.send(
        'labB',
        'publishRequirement',
        publishArgs(w, REQUIREMENT_A, { key: new Uint8Array(7).fill(1), time: NOW }),
        NOW,
      ),
    );
    refused(await submit(P.a1 as ProofResult, short.events[0]?.args.requirementId as Hex), 'invalidProof');
  });
});

describe('registerRecord (steps 2-3): sigma_a bound to the chain id and the contract', () => {
  const commitment = commitmentOf([9, 9, 9, 9, 9, 9, 9, 9]);
  const alice = () => w.parties.patient.identity;
  const send = (who: PartyName, patient: string, signature: Hex, c = commitment) =>
    w.send(who, 'registerRecord', [patient, c, signature, BigInt(NOW)], NOW);

  it('accepts the patient or a hospital, refuses others', async () => {
    accepted(await send('patient', alice(), recordSignature(w, 'patient', alice(), commitment)));
    refused(await send('labA', alice(), recordSignature(w, 'patient', alice(), commitment)), 'wrongRole');
    refused(await send('otherPatient', alice(), recordSignature(w, 'patient', alice(), commitment)), 'notRecordOwner');
    refused(await send('stranger', alice(), recordSignature(w, 'patient', alice(), commitment)), 'unregisteredSender');
  });

  it('refuses an unknown patient and a duplicate', async () => {
    refused(
      await send('hospital', 'patient:nobody', recordSignature(w, 'patient', 'patient:nobody', commitment)),
      'unknownPatient',
    );
    refused(
      await send('hospital', w.parties.labA.identity, recordSignature(w, 'labA', w.parties.labA.identity, commitment)),
      'unknownPatient',
    );
    refused(await send('hospital', alice(), recordSignature(w, 'patient', alice(), commitment1), commitment1), 'duplicate');
  });

  it("refuses a commitment registered before, whoever registered it (another patient's record id)", async () => {
    const bob = w.parties.otherPatient.identity;
    // Bob's own valid signature on Alice's commitment: a new record id, the same data.
    refused(await send('otherPatient', bob, recordSignature(w, 'otherPatient', bob, commitment1), commitment1), 'duplicate');
    refused(await send('hospital', bob, recordSignature(w, 'otherPatient', bob, commitment1), commitment1), 'duplicate');
    expect(await w.read('recordOfCommitment', [commitment1])).toBe(rec1);
    // A fresh commitment is Bob's, and then no one else's.
    accepted(await send('otherPatient', bob, recordSignature(w, 'otherPatient', bob, commitment)));
    expect(await w.read('recordOfCommitment', [commitment])).toBe(recordIdOf(bob, commitment));
    refused(await send('hospital', alice(), recordSignature(w, 'patient', alice(), commitment)), 'duplicate');
  });

  it('refuses forged, cross-identity and cross-deployment signatures', async () => {
    // Cross-identity: Bob's valid signature on Alice's record.
    refused(await send('hospital', alice(), recordSignature(w, 'otherPatient', alice(), commitment)), 'badSignature');
    // Another commitment.
    refused(await send('hospital', alice(), recordSignature(w, 'patient', alice(), commitment1)), 'badSignature');
    // Another chain id, another contract address.
    refused(
      await send('hospital', alice(), recordSignature(w, 'patient', alice(), commitment, { chainId: 1338, contract: w.address })),
      'badSignature',
    );
    refused(
      await send(
        'hospital',
        alice(),
        recordSignature(w, 'patient', alice(), commitment, {
          chainId: w.chain.chainId,
          contract: addressOf(testKey('elsewhere')),
        }),
      ),
      'badSignature',
    );
    // The PBFT reference's signed bytes (no chain id, no contract).
    const reference = encodeSignature(
      authSign(w.parties.patient.credentials.signingKey, protocolRecordSignable(alice(), commitment), { random }),
    );
    refused(await send('hospital', alice(), hex(reference)), 'badSignature');
    // Garbage and a wrong length.
    refused(await send('hospital', alice(), hex(new Uint8Array(256).fill(7))), 'badSignature');
    refused(await send('hospital', alice(), hex(new Uint8Array(96))), 'badSignature');
    refused(await send('hospital', alice(), hex(new Uint8Array(1025))), 'malformedTransaction');
  });

  it('a signature for one deployment is refused by a second deployment of the same PKG on the same chain', async () => {
    const deployed = await w.chain.execute(DEPLOYER, {
      data: encodeDeployData({
        abi: medShareAbi,
        bytecode: medShareBytecode,
        args: ['ca:membership', w.parties.authority.account, hex(encodeAuthSignParams(w.pkg.signParams)), 600n, 60n],
      }),
      gasLimit: 29_000_000n,
    });
    const second = deployed.contractAddress as Hex;
    const call = (functionName: string, args: readonly unknown[], who: PartyName) =>
      w.chain.execute(w.parties[who].key, {
        to: second,
        data: encodeFunctionData({ abi: medShareAbi, functionName, args } as never),
      });
    for (const name of ['patient', 'hospital'] as const) {
      const p = w.parties[name];
      expect((await call('register', [p.identity, ROLE_CODES[p.role], p.account, BigInt(NOW)], 'authority')).success).toBe(true);
    }
    const forFirst = recordSignature(w, 'patient', alice(), commitment);
    const onSecond = await call('registerRecord', [alice(), commitment, forFirst, BigInt(NOW)], 'hospital');
    expect(onSecond.success).toBe(false);
    expect(onSecond.revertData.slice(0, 10)).toBe(
      encodeFunctionData({ abi: [{ type: 'function', name: 'BadSignature', inputs: [] }], functionName: 'BadSignature' }),
    );
    const forSecond = recordSignature(w, 'patient', alice(), commitment, { chainId: w.chain.chainId, contract: second });
    expect((await call('registerRecord', [alice(), commitment, forSecond, BigInt(NOW)], 'hospital')).success).toBe(true);
  });
});

describe('submitProof (steps 4-5)', () => {
  it("refuses unknown entries, other senders, and statements that are not the ledger's", async () => {
    const nowhere = `0x${'ab'.repeat(32)}` as Hex;
    refused(await submit(P.a1 as ProofResult, nowhere), 'unknownRequirement');
    refused(await submit(P.a1 as ProofResult, reqA, nowhere), 'unknownRecord');
    refused(await submit(P.a1 as ProofResult, reqA, rec1, 'otherPatient'), 'notRecordOwner');
    refused(await submit(P.a1 as ProofResult, reqA, rec1, 'hospital'), 'wrongRole');
    refused(await submit(P.a1 as ProofResult, reqA, rec1, 'stranger'), 'unregisteredSender');
    refused(await submit(P.b1 as ProofResult, reqA, rec1), 'requirementMismatch');
    refused(await submit(P.a2 as ProofResult, reqA, rec1), 'commitmentMismatch');
    refused(await submit(P.bob as ProofResult, reqA, rec1), 'identityMismatch');
    refused(await submit(P.unfit as ProofResult, reqA, recUnfit), 'notEligible');
    accepted(await submit(P.a2 as ProofResult, reqA, rec2));
  });

  it('refuses signals the reference does not decode (x + r at every index, R > 1) as malformedTransaction', async () => {
    const a1 = P.a1 as ProofResult;
    for (let i = 0; i < 6; i++) {
      const aliased = { ...a1, publicSignals: [...a1.publicSignals] };
      aliased.publicSignals[i] = (BigInt(aliased.publicSignals[i] as string) + FIELD_ORDER).toString();
      refused(await submit(aliased), 'malformedTransaction');
    }
    refused(await submit({ ...a1, publicSignals: ['2', ...a1.publicSignals.slice(1)] }), 'malformedTransaction');
    // The proof itself is fine: unaliased, it is accepted.
    accepted(await submit(a1));
  });

  it('refuses proofs that do not verify: tampered, under another key', async () => {
    const tampered = { ...(P.a1 as ProofResult), proof: structuredClone((P.a1 as ProofResult).proof) };
    const g = bn254.G1.Point.BASE.multiply(7n).toAffine();
    (tampered.proof.pi_c as string[])[0] = g.x.toString();
    (tampered.proof.pi_c as string[])[1] = g.y.toString();
    refused(await submit(tampered), 'invalidProof');
    const other = await testKeys('zk-other-keys');
    const out = accepted(
      await w.send(
        'labA',
        'publishRequirement',
        publishArgs(w, REQUIREMENT_A, { key: encodeVerificationKey(other.verificationKey), time: NOW }),
        NOW,
      ),
    );
    refused(await submit(P.a1 as ProofResult, out.events[0]?.args.requirementId as Hex), 'invalidProof');
    accepted(await submit(P.a1 as ProofResult));
  });

  it('keys replay on the statement: the same proof, or a re-randomised one, is refused', async () => {
    accepted(await submit(P.a1 as ProofResult));
    refused(await submit(P.a1 as ProofResult), 'replayedSubmission');
    const proof = (P.a1 as ProofResult).proof;
    const t = 987654321n;
    const A = bn254.G1.Point.fromAffine({ x: BigInt(proof.pi_a[0]), y: BigInt(proof.pi_a[1]) })
      .multiply(t)
      .toAffine();
    const [[x0, x1], [y0, y1]] = proof.pi_b;
    const B = bn254.G2.Point.fromAffine({ x: { c0: BigInt(x0), c1: BigInt(x1) }, y: { c0: BigInt(y0), c1: BigInt(y1) } })
      .multiply(bn254.fields.Fr.inv(t))
      .toAffine();
    const rerandomised = {
      ...proof,
      pi_a: [A.x.toString(), A.y.toString(), '1'],
      pi_b: [
        [B.x.c0.toString(), B.x.c1.toString()],
        [B.y.c0.toString(), B.y.c1.toString()],
        ['1', '0'],
      ],
    } as typeof proof;
    expect(encodeProof(rerandomised)).not.toEqual(encodeProof(proof));
    refused(await submit({ ...(P.a1 as ProofResult), proof: rerandomised }), 'replayedSubmission');
    // A fresh proof (another h) for the same requirement and record is a duplicate.
    refused(await submit(P.a1Again as ProofResult), 'duplicate');
  });

  it('refuses a submission to another institution once the record is licensed exclusively', async () => {
    accepted(await submit(P.a1 as ProofResult));
    accepted(await grant());
    accepted(await share());
    refused(await submit(P.b1 as ProofResult, reqB, rec1, 'patient', NOW + 30), 'exclusiveLicence');
  });
});

describe('grantAccess (step 6)', () => {
  it('refuses without an approval, by another patient or role, twice, and for a mismatched or malformed commitment', async () => {
    refused(await grant(), 'unknownApproval');
    accepted(await submit(P.a1 as ProofResult));
    refused(await grant(reqA, rec1, reKeyCommitment(), 'otherPatient'), 'notRecordOwner');
    refused(await grant(reqA, rec1, reKeyCommitment(), 'labA'), 'wrongRole');
    refused(await grant(reqA, rec1, reKeyCommitment('labB')), 'grantMismatch');
    refused(await grant(reqA, rec1, reKeyCommitment('labA', commitmentOf(OTHER_RECORD))), 'grantMismatch');
    const good = reKeyCommitment();
    refused(await grant(reqA, rec1, `${good.slice(0, -2)}` as Hex), 'malformedTransaction');
    refused(await grant(reqA, rec1, `0x010208${good.slice(8)}` as Hex), 'malformedTransaction');
    refused(await grant(reqA, rec1, hex(new Uint8Array(65537))), 'malformedTransaction');
    accepted(await grant(reqA, rec1, good));
    refused(await grant(reqA, rec1, good), 'wrongStage');
  });
});

describe('share (step 9): the Fig. 3 form signed by both parties', () => {
  it('refuses without an approval, before the grant, by another institution, and twice', async () => {
    refused(await share(), 'unknownApproval');
    accepted(await submit(P.a1 as ProofResult));
    refused(await share(), 'wrongStage');
    accepted(await grant());
    refused(await share(form({ institution: w.parties.labB.identity }, { institution: 'labB' }), reqA, rec1, 'labB'), 'notParty');
    refused(await share(form(), reqA, rec1, 'patient'), 'wrongRole');
    accepted(await share());
    refused(await share(), 'wrongStage');
  });

  it('refuses a form naming other parties, another record, malformed fields, or a bad signature', async () => {
    accepted(await submit(P.a1 as ProofResult));
    accepted(await grant());
    refused(await share(form({ patient: w.parties.otherPatient.identity }, { patient: 'otherPatient' })), 'notParty');
    refused(await share(form({ institution: w.parties.labB.identity }, { institution: 'labB' })), 'notParty');
    refused(await share(form({ commitment: commitmentOf(OTHER_RECORD) })), 'commitmentMismatch');
    refused(await share({ ...form(), timestamp: 2n ** 53n }), 'malformedTransaction');
    refused(await share({ ...form(), patient: '' }), 'malformedTransaction');
    refused(await share(form({}, { patient: 'otherPatient' })), 'badSignature');
    refused(await share(form({}, { institution: 'labB' })), 'badSignature');
    refused(await share(form({}, { domain: { chainId: 1, contract: w.address } })), 'badSignature');
    accepted(await share());
  });

  it('refuses an exclusive licence over a licence already given to another institution', async () => {
    accepted(await submit(P.a1 as ProofResult));
    accepted(await submit(P.b1 as ProofResult, reqB, rec1));
    accepted(await grant());
    accepted(await grant(reqB, rec1, reKeyCommitment('labB')));
    accepted(await share(form({ institution: w.parties.labB.identity }, { institution: 'labB' }), reqB, rec1, 'labB'));
    refused(await share(), 'exclusiveLicence');
  });
});

describe('every refusal', () => {
  it('each of the 24 contract refusals of medshare/protocol has a named error, and a test above met it', () => {
    const named = new Set(Object.values(REFUSAL_OF_ERROR));
    expect(named.size).toBe(24);
    const errors = medShareAbi.filter((x) => x.type === 'error').map((x) => x.name);
    expect(errors.sort()).toEqual([...Object.keys(REFUSAL_OF_ERROR), 'CodeStoreFailed', 'PrecompileMissing'].sort());
    expect([...named].filter((r) => !seen.has(r))).toEqual([]);
  });
});
