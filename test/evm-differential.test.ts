/**
 * Differential property test (contract v2): random sequences of honest and hostile transactions
 * applied to the TypeScript contract (medshare/protocol) and to the EVM contract (MedShare.sol) give
 * the same accept/refuse decision at every step (refusal names mapped one to one) and the same final
 * state (test/support/evm-differential.ts): members, balances and supply, requirements with their
 * escrow, records with licences and sales in progress, sales with stage, escrow, deadline, grant
 * and delivered partials (by keccak256), bindings.
 *
 * Both contracts are one deployment (the TypeScript contract's deployment id is
 * `evmDeployment(chain id, address)`), so what members sign with medshare/protocol's signers is
 * checked by both. Both take their clock from the block.
 *
 * Designed differences (DESIGNED_DIFFERENCES, docs/evm.md):
 * - sigma_a on h signed by another key, and a lying proxy's partial (decodes, does not verify): the
 *   action goes only to the TypeScript contract, and the test checks that it refuses it;
 * - optimistic delivery: the TypeScript contract's t-th valid deliver is the EVM's t-th deliver, the
 *   dispute window passing and settle (the TypeScript deliver applied at the settle time); the
 *   dispute paths are scripted below: a lying proxy disputed and struck, then another proxy
 *   completes; a false dispute that the authority rejects (the sale settles at the ruling).
 *
 * Runs: EVM_DIFF_RUNS sequences (default 8 in CI), 6-34 steps each, now and then an honest 2-of-3
 * sale (submit, grant, accept, two deliveries) among them; FC_SEED replays a failure.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefusalReason } from '../src/protocol/contract.js';
import { releaseWorkers } from '../src/zk/index.js';
import {
  type Action,
  arbActions,
  BASE_PUBLISH_A,
  DESIGNED_DIFFERENCES,
  type DifferentialWorld,
  DISPUTE_WINDOW,
  EVERYONE,
  evmOnly,
  MEMBER_POOL,
  makeDifferentialWorld,
  PROXIES,
  Run,
  submitAction,
} from './support/evm-differential.js';

const RUNS = Number(process.env.EVM_DIFF_RUNS ?? 8);
let world: DifferentialWorld;

beforeAll(async () => {
  world = await makeDifferentialWorld();
}, 300_000);

afterAll(async () => {
  await releaseWorkers();
});

async function fresh(): Promise<Run> {
  await world.chain.restore();
  await world.chain.snapshot();
  return new Run(world, world.baseState, [...world.baseRequirements], [...world.baseRecords]);
}

const tally = { sequences: 0, steps: 0, compared: 0, designed: 0, settled: 0, decisions: new Map<string, number>() };

/** Applies the actions to both contracts, checks each step's decisions and the final states. */
async function check(actions: readonly Action[], run?: Run): Promise<Run> {
  const r = run ?? (await fresh());
  tally.sequences++;
  for (const action of actions) {
    const { ts, evm } = await r.step(action);
    tally.steps++;
    if (action.kind === 'tick') continue;
    if (ts !== null && evm !== null) {
      expect({ action, evm }).toEqual({ action, evm: ts });
      tally.compared++;
      const key = `${action.kind}:${ts}`;
      tally.decisions.set(key, (tally.decisions.get(key) ?? 0) + 1);
    } else {
      // A designed difference (badBindingSignature, lyingPartial): applied to the refusing side only, never accepted there.
      expect({ action, ts: ts === 'accepted' ? 'accepted' : 'refused' }).toEqual({ action, ts: 'refused' });
      tally.designed++;
    }
  }
  const { ts, evm } = await r.summaries();
  expect(evm).toEqual(ts);
  tally.settled += r.settled;
  return r;
}

const who = (identity: string) => EVERYONE.indexOf(identity);
const member = (identity: string) => MEMBER_POOL.findIndex(([i]) => i === identity);
const alice = who('patient:alice');
const bob = who('patient:bob');
const hospital = who('hospital:st-mary');
const labA = who('institute:oncology-lab');
const labB = who('institute:pharma-co');
const proxy = (i: number) => who(PROXIES[i - 1] as string);
const submit = submitAction;
type Deliver = Extract<Action, { kind: 'deliver' }>;
const deliver = (index: number, sale: number, variant: Deliver['variant'] = 'ok'): Deliver => ({
  kind: 'deliver',
  sender: proxy(index),
  sale,
  index,
  variant,
  time: 'now',
});

/** Alice's sale 0 (requirement A, her record 0): submitted, granted, accepted, then `last`. */
const openSale = (last: Action): Action[] => [
  submit(alice, 0, 0),
  { kind: 'grant', sender: alice, sale: 0, variant: 'ok', time: 'now' },
  { kind: 'accept', sender: labA, sale: 0, variant: 'ok', time: 'now' },
  last,
];

describe('TypeScript contract and EVM contract (v2), differentially', () => {
  it('a scripted story with a refusal of each kind the harness can produce', async () => {
    // [action, the decision both must give]
    const story: [Action, RefusalReason | 'accepted'][] = [
      [
        { kind: 'register', sender: labA, identity: member('patient:carol'), role: 'patient', clear: false, time: 'now' },
        'wrongRole',
      ],
      [
        {
          kind: 'register',
          sender: who('stranger:mallory'),
          identity: member('patient:carol'),
          role: 'patient',
          clear: false,
          time: 'now',
        },
        'unregisteredSender',
      ],
      [
        { kind: 'register', sender: 0, identity: member('patient:alice'), role: 'patient', clear: false, time: 'now' },
        'alreadyRegistered',
      ],
      [
        { kind: 'register', sender: 0, identity: member('patient:carol'), role: 'patient', clear: true, time: 'now' },
        'notPseudonym',
      ],
      [
        { kind: 'register', sender: 0, identity: member('patient:carol'), role: 'patient', clear: false, time: 'stale' },
        'staleTimestamp',
      ],
      [
        { kind: 'register', sender: 0, identity: member('patient:carol'), role: 'patient', clear: false, time: 'now' },
        'accepted',
      ],
      [{ kind: 'deposit', sender: 0, account: who('stranger:mallory'), amount: 'some', time: 'now' }, 'unknownAccount'],
      [{ kind: 'deposit', sender: 0, account: labA, amount: 'zero', time: 'now' }, 'malformedTransaction'],
      [{ kind: 'deposit', sender: 0, account: labA, amount: 'overflow', time: 'now' }, 'malformedTransaction'],
      [{ kind: 'deposit', sender: labA, account: labA, amount: 'some', time: 'now' }, 'wrongRole'],
      [{ kind: 'withdraw', sender: alice, amount: 'zero', time: 'now' }, 'malformedTransaction'],
      [{ kind: 'withdraw', sender: alice, amount: 'all', time: 'now' }, 'insufficientFunds'],
      [BASE_PUBLISH_A, 'duplicate'],
      [
        {
          kind: 'publish',
          sender: labB,
          template: 2,
          exclusive: false,
          reward: 50,
          capacity: 1,
          keyword: 1,
          emptyKey: true,
          time: 'now',
        },
        'malformedTransaction',
      ],
      [
        {
          kind: 'publish',
          sender: labB,
          template: 2,
          exclusive: false,
          reward: 50,
          capacity: 0,
          keyword: 1,
          emptyKey: false,
          time: 'now',
        },
        'malformedTransaction',
      ],
      // labA: 1000 deposited, 300 in escrow; 500 more in escrow here (requirement 2), 200 left.
      [
        {
          kind: 'publish',
          sender: labA,
          template: 2,
          exclusive: false,
          reward: 100,
          capacity: 5,
          keyword: 1,
          emptyKey: false,
          time: 'now',
        },
        'accepted',
      ],
      [
        {
          kind: 'publish',
          sender: labA,
          template: 1,
          exclusive: false,
          reward: 100,
          capacity: 5,
          keyword: 0,
          emptyKey: false,
          time: 'now',
        },
        'insufficientFunds',
      ],
      [{ kind: 'close', sender: labB, requirement: 2, time: 'now' }, 'notParty'],
      [{ kind: 'close', sender: labA, requirement: 3, time: 'now' }, 'unknownRequirement'],
      [{ kind: 'close', sender: labA, requirement: 2, time: 'now' }, 'accepted'],
      [{ kind: 'close', sender: labA, requirement: 2, time: 'now' }, 'requirementClosed'],
      [{ kind: 'withdraw', sender: labA, amount: 'some', time: 'now' }, 'accepted'],
      [
        { kind: 'registerRecord', sender: hospital, patient: labB, template: 4, signer: 'patient', time: 'now' },
        'unknownPatient',
      ],
      [{ kind: 'registerRecord', sender: bob, patient: alice, template: 4, signer: 'patient', time: 'now' }, 'notRecordOwner'],
      [{ kind: 'registerRecord', sender: hospital, patient: alice, template: 4, signer: 'other', time: 'now' }, 'badSignature'],
      [
        { kind: 'registerRecord', sender: hospital, patient: alice, template: 4, signer: 'otherRegistrant', time: 'now' },
        'badSignature',
      ],
      [{ kind: 'registerRecord', sender: bob, patient: bob, template: 0, signer: 'patient', time: 'now' }, 'duplicate'],
      [{ kind: 'registerRecord', sender: bob, patient: bob, template: 4, signer: 'patient', time: 'future' }, 'futureTimestamp'],
      [{ kind: 'registerRecord', sender: hospital, patient: bob, template: 4, signer: 'patient', time: 'now' }, 'accepted'],
      // Records: 0-2 Alice's (templates 0, 1, 2), 3 Bob's (3), 4 Bob's (4). Requirements: 0 (A, exclusive), 1 (B), 2 (A, closed).
      [submit(alice, 0, 0), 'accepted'], // sale 0: A x Alice's record 0
      [submit(alice, 0, 0, { mutation: 'rerandomise', aliasIndex: 3 }), 'replayedSubmission'],
      [submit(alice, 1, 0, { proof: 'pool', pool: 0 }), 'requirementMismatch'],
      [submit(alice, 0, 1, { proof: 'pool', pool: 0 }), 'commitmentMismatch'],
      [submit(alice, 0, 0, { proof: 'pool', pool: 4 }), 'identityMismatch'],
      [submit(alice, 0, 2), 'notEligible'],
      [submit(alice, 1, 1, { mutation: 'alias', aliasIndex: 1 }), 'malformedTransaction'],
      [submit(alice, 1, 1, { mutation: 'tamper', aliasIndex: 1 }), 'invalidProof'],
      [submit(alice, 0, 0, { proof: 'pool', pool: 5 }), 'staleTimestamp'],
      [submit(alice, 0, 0, { proof: 'pool', pool: 6 }), 'futureTimestamp'],
      [submit(bob, 0, 0), 'notRecordOwner'],
      [submit(alice, 3, 0), 'unknownRequirement'],
      [submit(who('patient:carol'), 0, 5), 'unknownRecord'],
      [submit(alice, 2, 2), 'requirementClosed'],
      [submit(bob, 0, 3, { mutation: 'badBindingSignature' }), 'badSignature'], // designed: the TypeScript side only
      [submit(alice, 1, 0), 'accepted'], // sale 1: B x Alice's record 0
      [submit(alice, 1, 1), 'accepted'], // sale 2: B x Alice's record 1
      [submit(bob, 1, 4), 'requirementFull'], // B had 2 places
      [{ kind: 'grant', sender: alice, sale: 6, variant: 'ok', time: 'now' }, 'unknownApproval'],
      [{ kind: 'grant', sender: bob, sale: 3, variant: 'ok', time: 'now' }, 'notRecordOwner'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'wrongDelegatee', time: 'now' }, 'grantMismatch'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'wrongDelegator', time: 'now' }, 'grantMismatch'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'truncated', time: 'now' }, 'malformedTransaction'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'repeatedProxy', time: 'now' }, 'invalidProxies'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'notAProxy', time: 'now' }, 'invalidProxies'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'fewerProxies', time: 'now' }, 'invalidProxies'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'wrongHeader', time: 'now' }, 'grantMismatch'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'badHeader', time: 'now' }, 'malformedTransaction'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'badForm', time: 'now' }, 'badSignature'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'formReward', time: 'now' }, 'badSignature'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'staleForm', time: 'now' }, 'staleTimestamp'],
      [{ kind: 'accept', sender: labA, sale: 0, variant: 'ok', time: 'now' }, 'wrongStage'],
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'ok', time: 'now' }, 'accepted'], // sale 0 granted (exclusive, to A)
      [{ kind: 'grant', sender: alice, sale: 0, variant: 'ok', time: 'now' }, 'wrongStage'],
      [{ kind: 'grant', sender: alice, sale: 1, variant: 'ok', time: 'now' }, 'conflictingSale'], // sale 1: B, same record
      [deliver(1, 0), 'wrongStage'],
      [{ kind: 'accept', sender: labB, sale: 3, variant: 'ok', time: 'now' }, 'notParty'],
      [{ kind: 'accept', sender: labA, sale: 0, variant: 'badForm', time: 'now' }, 'badSignature'],
      [{ kind: 'accept', sender: labA, sale: 0, variant: 'ok', time: 'now' }, 'accepted'],
      [{ kind: 'reclaim', sender: labA, sale: 0, time: 'now' }, 'deadlineNotReached'],
      [{ kind: 'reclaim', sender: labB, sale: 3, time: 'now' }, 'notParty'],
      [{ ...deliver(1, 3), sender: proxy(2) }, 'notParty'], // sale pick 3: the picked sender is kept
      [deliver(1, 0, 'wrongIndex'), 'notParty'],
      [deliver(1, 0, 'truncated'), 'invalidPartial'],
      [deliver(1, 0, 'lies'), 'invalidPartial'], // designed: the TypeScript side only
      [deliver(1, 0, 'otherGrant'), 'invalidPartial'], // another record's grant: checked where the reference verifies
      [deliver(1, 0), 'accepted'],
      [deliver(1, 0), 'duplicate'],
      [deliver(1, 0, 'otherGrant'), 'duplicate'], // the duplicate check comes first, as in the reference
      [deliver(3, 0), 'accepted'], // the t-th: on the EVM, settle after the window
      [deliver(2, 0), 'wrongStage'],
      [{ kind: 'reclaim', sender: labA, sale: 0, time: 'now' }, 'wrongStage'],
      [{ kind: 'grant', sender: alice, sale: 1, variant: 'ok', time: 'now' }, 'exclusiveLicence'],
      [{ kind: 'tick', seconds: 3_100 }, 'accepted'],
      [{ kind: 'grant', sender: alice, sale: 2, variant: 'ok', time: 'now' }, 'saleExpired'],
      [{ kind: 'reclaim', sender: labB, sale: 14, time: 'now' }, 'accepted'], // sale pick 14: any sale (sale 2)
      [{ kind: 'withdraw', sender: alice, amount: 'some', time: 'now' }, 'accepted'],
    ];
    const run = await check(story.map(([action]) => action));
    expect(run.log.map((step) => step.ts)).toEqual(story.map(([, decision]) => decision));
  }, 300_000);

  it('a lying proxy on the EVM: its partial is accepted, disputed by the institution, struck by the authority; another proxy completes', async () => {
    const run = await fresh();
    const sale = 0;
    await check(openSale(deliver(1, sale, 'lies')), run); // the TypeScript contract refuses the lie (invalidPartial)
    const handle = run.sales[0];
    if (handle === undefined) throw new Error('no sale');
    // On the EVM the lying partial is stored (designedDifference lyingPartial): deliver it there, then an honest one.
    const lie = await run.build(deliver(1, sale, 'lies'), run.now);
    expect(await run.evm(lie.sender, lie.evm)).toBe('accepted');
    expect(await run.step(deliver(2, sale))).toEqual({ ts: 'accepted', evm: 'accepted' }); // TS: 1 of 2; EVM: 2 of 2, settling
    expect(run.state.approvals.get(handle.ts)?.stage).toBe('accepted');
    const lab = 'institute:oncology-lab';
    expect(await run.evm('patient:alice', evmOnly.dispute(handle.evm, 1))).toBe('wrongRole');
    expect(await run.evm('institute:pharma-co', evmOnly.dispute(handle.evm, 1))).toBe('notParty');
    expect(await run.evm(lab, evmOnly.settle(handle.evm))).toBe('deadlineNotReached');
    expect(await run.evm(lab, evmOnly.dispute(handle.evm, 1))).toBe('accepted');
    expect(await run.evm(lab, evmOnly.settle(handle.evm))).toBe('wrongStage');
    expect(await run.evm(lab, evmOnly.resolveDispute(handle.evm, 1, false))).toBe('wrongRole');
    expect(await run.evm('ca:membership', evmOnly.resolveDispute(handle.evm, 1, false))).toBe('accepted');
    // Struck: both contracts hold one valid partial (index 2) and the sale is accepted; proxy 3 completes it.
    const last = await run.step(deliver(3, sale));
    expect(last).toEqual({ ts: 'accepted', evm: 'accepted' });
    expect(run.state.approvals.get(handle.ts)?.stage).toBe('delivered');
    const { ts, evm } = await run.summaries();
    expect(evm).toEqual(ts);
  }, 300_000);

  it('a false dispute on the EVM: the authority finds the partial valid and the sale settles at its ruling', async () => {
    const run = await fresh();
    const sale = 0;
    await check(openSale(deliver(2, sale)), run);
    const handle = run.sales[0];
    if (handle === undefined) throw new Error('no sale');
    // The t-th delivery on the EVM only (the TypeScript deliver follows at the ruling's time).
    const second = await run.build(deliver(3, sale), run.now);
    expect(await run.evm(second.sender, second.evm)).toBe('accepted');
    run.now += 10;
    expect(await run.evm('institute:oncology-lab', evmOnly.dispute(handle.evm, 3))).toBe('accepted');
    run.now += 10;
    expect(await run.evm('ca:membership', evmOnly.resolveDispute(handle.evm, 3, true))).toBe('accepted');
    const ts = await run.applyTs(deliver(3, sale));
    expect(ts).toBe('accepted');
    const summaries = await run.summaries();
    expect(summaries.evm).toEqual(summaries.ts);
    // After the window a dispute is refused (the sale is settled).
    run.now += DISPUTE_WINDOW + 1;
    expect(await run.evm('institute:oncology-lab', evmOnly.dispute(handle.evm, 2))).toBe('wrongStage');
  }, 300_000);

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
        `differential: ${tally.sequences} sequences, ${tally.steps} steps, ${tally.compared} compared, ${tally.designed} designed differences (one-sided), ${tally.settled} sales completed (deliver + window + settle)\n  ${decisions.join('\n  ')}`,
      );
      expect(Object.keys(DESIGNED_DIFFERENCES)).toEqual([
        'badBindingSignature',
        'lyingPartial',
        'accountBinding',
        'optimisticDelivery',
      ]);
    },
    Math.max(300_000, RUNS * 20_000),
  );
});
