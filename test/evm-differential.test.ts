/**
 * Differential property test: random sequences of honest and hostile transactions applied to the
 * TypeScript contract (medshare/protocol) and to the EVM contract (MedShare.sol) give the same
 * accept/refuse decision at every step (refusal names mapped one to one) and the same final state
 * (test/support/evm-differential.ts).
 *
 * Both take their clock from the block (the TypeScript contract's blockTime is the EVM block's
 * timestamp), so stale and future claimed times are compared like any other step.
 *
 * Where the two differ by design (DESIGNED_DIFFERENCES), the action goes only to the side that
 * refuses it, and the test checks that refusal:
 * - sigma_a on h signed by another key: the TypeScript contract refuses it (badSignature); the EVM
 *   has no sigma_a on h (the patient's transaction signature covers h).
 *
 * Runs: EVM_DIFF_RUNS sequences (default 8 in CI; 60 and 20 were run by hand, all equal), 6-30 steps
 * each, now and then an honest sale (submit, grant, share) among them; FC_SEED replays a failure.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefusalReason } from '../src/protocol/contract.js';
import { releaseWorkers } from '../src/zk/index.js';
import {
  type Action,
  arbActions,
  DESIGNED_DIFFERENCES,
  type DifferentialWorld,
  EVERYONE,
  makeDifferentialWorld,
  Run,
} from './support/evm-differential.js';

const RUNS = Number(process.env.EVM_DIFF_RUNS ?? 8);
let world: DifferentialWorld;

beforeAll(async () => {
  world = await makeDifferentialWorld();
});

afterAll(async () => {
  await releaseWorkers();
});

async function fresh(): Promise<Run> {
  await world.chain.restore();
  await world.chain.snapshot();
  return new Run(world, world.baseState, [...world.baseRequirements], [...world.baseRecords]);
}

const tally = { sequences: 0, steps: 0, compared: 0, designed: 0, decisions: new Map<string, number>() };

async function check(actions: readonly Action[]): Promise<Run['log']> {
  const run = await fresh();
  tally.sequences++;
  for (const action of actions) {
    const { ts, evm } = await run.step(action);
    tally.steps++;
    if (ts !== null && evm !== null) {
      expect({ action, evm }).toEqual({ action, evm: ts });
      tally.compared++;
      const key = `${action.kind}:${ts}`;
      tally.decisions.set(key, (tally.decisions.get(key) ?? 0) + 1);
    } else if (ts !== null) {
      // sigma_a on h by another key (DESIGNED_DIFFERENCES.badBindingSignature): never accepted.
      expect({ action, ts: ts === 'accepted' ? 'accepted' : 'refused' }).toEqual({ action, ts: 'refused' });
      tally.designed++;
    }
  }
  run.index();
  const { ts, evm } = await run.summaries();
  expect(evm).toEqual(ts);
  return run.log;
}

describe('TypeScript contract and EVM contract, differentially', () => {
  it('a scripted story with a refusal of each kind the harness can produce', async () => {
    const who = (identity: string) => EVERYONE.indexOf(identity);
    const alice = who('patient:alice');
    const labA = who('institute:oncology-lab');
    const labB = who('institute:pharma-co');
    const story: Action[] = [
      { kind: 'register', sender: labA, identity: 7, role: 'patient', time: 'now' }, // wrongRole
      { kind: 'register', sender: who('stranger:mallory'), identity: 7, role: 'patient', time: 'now' }, // unregisteredSender
      { kind: 'register', sender: 0, identity: 0, role: 'patient', time: 'now' }, // alreadyRegistered
      { kind: 'register', sender: 0, identity: 11, role: 'patient', time: 'now' }, // reservedIdentity
      { kind: 'register', sender: 0, identity: 7, role: 'patient', time: 'stale' }, // staleTimestamp
      { kind: 'register', sender: 0, identity: 7, role: 'patient', time: 'now' }, // carol
      { kind: 'publish', sender: labA, template: 0, exclusive: true, reward: 100, keyword: 0, emptyKey: false, time: 'now' }, // duplicate
      { kind: 'publish', sender: labB, template: 2, exclusive: false, reward: 50, keyword: 1, emptyKey: true, time: 'now' }, // malformed
      {
        kind: 'registerRecord',
        sender: who('hospital:st-mary'),
        patient: who('institute:pharma-co'),
        template: 0,
        signer: 'patient',
        time: 'now',
      }, // unknownPatient
      { kind: 'registerRecord', sender: who('patient:bob'), patient: alice, template: 1, signer: 'patient', time: 'now' }, // notRecordOwner
      { kind: 'registerRecord', sender: who('hospital:st-mary'), patient: alice, template: 1, signer: 'other', time: 'now' }, // badSignature
      {
        kind: 'registerRecord',
        sender: who('patient:bob'),
        patient: who('patient:bob'),
        template: 0,
        signer: 'patient',
        time: 'now',
      }, // duplicate: Alice's commitment
      {
        kind: 'registerRecord',
        sender: who('patient:bob'),
        patient: who('patient:bob'),
        template: 4,
        signer: 'patient',
        time: 'future',
      }, // futureTimestamp
      {
        kind: 'registerRecord',
        sender: who('hospital:st-mary'),
        patient: who('patient:bob'),
        template: 4,
        signer: 'patient',
        time: 'now',
      }, // accepted
      { kind: 'registerRecord', sender: who('hospital:st-mary'), patient: alice, template: 4, signer: 'patient', time: 'now' }, // duplicate: Bob's now
      {
        kind: 'submit',
        sender: alice,
        requirement: 0,
        record: 0,
        proof: 'matching',
        pool: 0,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // accepted
      {
        kind: 'submit',
        sender: alice,
        requirement: 0,
        record: 0,
        proof: 'matching',
        pool: 0,
        mutation: 'rerandomise',
        aliasIndex: 3,
        time: 'now',
      }, // replayedSubmission
      {
        kind: 'submit',
        sender: alice,
        requirement: 1,
        record: 0,
        proof: 'pool',
        pool: 0,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // requirementMismatch
      {
        kind: 'submit',
        sender: alice,
        requirement: 0,
        record: 1,
        proof: 'pool',
        pool: 0,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // commitmentMismatch
      {
        kind: 'submit',
        sender: alice,
        requirement: 0,
        record: 0,
        proof: 'pool',
        pool: 4,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // identityMismatch
      {
        kind: 'submit',
        sender: alice,
        requirement: 0,
        record: 2,
        proof: 'matching',
        pool: 0,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // notEligible
      {
        kind: 'submit',
        sender: alice,
        requirement: 1,
        record: 1,
        proof: 'matching',
        pool: 0,
        mutation: 'alias',
        aliasIndex: 1,
        time: 'now',
      }, // malformedTransaction: h + r does not decode (the reference's zk decoder)
      {
        kind: 'submit',
        sender: alice,
        requirement: 1,
        record: 1,
        proof: 'matching',
        pool: 0,
        mutation: 'tamper',
        aliasIndex: 1,
        time: 'now',
      }, // invalidProof
      {
        kind: 'submit',
        sender: alice,
        requirement: 0,
        record: 0,
        proof: 'pool',
        pool: 5,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // staleTimestamp (proof)
      {
        kind: 'submit',
        sender: alice,
        requirement: 0,
        record: 0,
        proof: 'pool',
        pool: 6,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // futureTimestamp (proof)
      {
        kind: 'submit',
        sender: who('patient:bob'),
        requirement: 0,
        record: 0,
        proof: 'matching',
        pool: 0,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // notRecordOwner
      {
        kind: 'submit',
        sender: alice,
        requirement: 5,
        record: 0,
        proof: 'matching',
        pool: 0,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // unknownRequirement
      {
        kind: 'submit',
        sender: who('patient:carol'),
        requirement: 0,
        record: 5,
        proof: 'matching',
        pool: 0,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // unknownRecord (Carol has none; 5 % 6 lands past the five records)
      {
        kind: 'submit',
        sender: alice,
        requirement: 1,
        record: 0,
        proof: 'matching',
        pool: 0,
        mutation: 'none',
        aliasIndex: 0,
        time: 'now',
      }, // accepted (B, rec 0)
      { kind: 'grant', sender: alice, requirement: 4, record: 1, variant: 'ok', time: 'now' }, // unknownApproval (B, Alice's rec 1)
      { kind: 'grant', sender: alice, requirement: 0, record: 0, variant: 'wrongDelegatee', time: 'now' }, // grantMismatch
      { kind: 'grant', sender: alice, requirement: 0, record: 0, variant: 'truncated', time: 'now' }, // malformedTransaction
      { kind: 'grant', sender: who('patient:bob'), requirement: 0, record: 0, variant: 'ok', time: 'now' }, // notRecordOwner
      { kind: 'share', sender: labA, requirement: 0, record: 0, variant: 'ok', time: 'now' }, // wrongStage
      { kind: 'grant', sender: alice, requirement: 0, record: 0, variant: 'ok', time: 'now' }, // accepted
      { kind: 'grant', sender: alice, requirement: 0, record: 0, variant: 'ok', time: 'now' }, // wrongStage
      { kind: 'grant', sender: alice, requirement: 1, record: 1, variant: 'ok', time: 'now' }, // accepted (the second approval, B rec 0)
      { kind: 'share', sender: labB, requirement: 0, record: 0, variant: 'ok', time: 'now' }, // notParty
      { kind: 'share', sender: labA, requirement: 0, record: 0, variant: 'formPatient', time: 'now' }, // notParty
      { kind: 'share', sender: labA, requirement: 0, record: 0, variant: 'formCommitment', time: 'now' }, // commitmentMismatch
      { kind: 'share', sender: labA, requirement: 0, record: 0, variant: 'badPatientSignature', time: 'now' }, // badSignature
      { kind: 'share', sender: labB, requirement: 1, record: 1, variant: 'ok', time: 'now' }, // accepted (non-exclusive, to labB)
      { kind: 'share', sender: labA, requirement: 0, record: 0, variant: 'ok', time: 'now' }, // exclusiveLicence
      {
        kind: 'submit',
        sender: who('patient:bob'),
        requirement: 0,
        record: 1,
        proof: 'matching',
        pool: 0,
        mutation: 'badBindingSignature',
        aliasIndex: 0,
        time: 'now',
      }, // designed: a fresh statement (Bob's rec 4 for A), sigma_a on h by Alice's key
      { kind: 'publish', sender: labB, template: 2, exclusive: false, reward: 50, keyword: 1, emptyKey: false, time: 'future' }, // futureTimestamp
    ];
    // What each step of the story must get (the TypeScript contract's decision; the EVM's must equal it).
    const expected: (RefusalReason | 'accepted')[] = [
      'wrongRole',
      'unregisteredSender',
      'alreadyRegistered',
      'reservedIdentity',
      'staleTimestamp',
      'accepted',
      'duplicate',
      'malformedTransaction',
      'unknownPatient',
      'notRecordOwner',
      'badSignature',
      'duplicate',
      'futureTimestamp',
      'accepted',
      'duplicate',
      'accepted',
      'replayedSubmission',
      'requirementMismatch',
      'commitmentMismatch',
      'identityMismatch',
      'notEligible',
      'malformedTransaction',
      'invalidProof',
      'staleTimestamp',
      'futureTimestamp',
      'notRecordOwner',
      'unknownRequirement',
      'unknownRecord',
      'accepted',
      'unknownApproval',
      'grantMismatch',
      'malformedTransaction',
      'notRecordOwner',
      'wrongStage',
      'accepted',
      'wrongStage',
      'accepted',
      'notParty',
      'notParty',
      'commitmentMismatch',
      'badSignature',
      'accepted',
      'exclusiveLicence',
      'badSignature',
      'futureTimestamp',
    ];
    expect(story.length).toBe(expected.length);
    const log = await check(story);
    expect(log.map((step) => step.ts)).toEqual(expected);
  });

  it(
    `random sequences (${RUNS}) of honest and hostile transactions: same decisions, same final state`,
    async () => {
      // Property: for any sequence, every step gets the same decision from both contracts (or the
      // designed one on the side it is applied to), and the final state summaries are equal.
      await fc.assert(
        fc.asyncProperty(arbActions, async (actions) => {
          await check(actions);
        }),
        { numRuns: RUNS },
      );
      const decisions = [...tally.decisions.entries()].sort().map(([k, n]) => `${k} ${n}`);
      console.log(
        `differential: ${tally.sequences} sequences, ${tally.steps} steps, ${tally.compared} compared, ${tally.designed} designed differences\n  ${decisions.join('\n  ')}`,
      );
      expect(Object.keys(DESIGNED_DIFFERENCES)).toEqual(['badBindingSignature']);
    },
    Math.max(120_000, RUNS * 10_000),
  );
});
