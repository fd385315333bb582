/**
 * Time from the ordering layer (issue 11, item 10): the primary stamps each batch with the clock
 * reading its caller passes in; backups refuse a time that goes back from the previous batch or lies
 * more than maxClockSkew from their own reading; the time is bound into the digest the COMMITs sign,
 * so the commit certificate certifies the block time.
 */
import { describe, expect, it } from 'vitest';
import {
  batchDigest,
  orderingDigest,
  type PrePrepare,
  prePrepareSignable,
  prepareSignable,
  type Request,
} from '../src/pbft/index.js';
import { Cluster, messages, ofType } from './support/pbft-harness.js';

const SKEW = 30;

function stamped(cluster: Cluster, seq: number, time: number, requests: Request[]): PrePrepare {
  const unsigned = { view: 0, seq, digest: orderingDigest(time, batchDigest(requests)), time, replica: 0 };
  return {
    type: 'prePrepare',
    ...unsigned,
    batch: requests,
    signature: cluster.keys.crypto(0).sign(prePrepareSignable(unsigned)),
  };
}

/** A cluster whose replicas all read `now` from their clocks (one tick each). */
function atTime(now: number): Cluster {
  const cluster = new Cluster(4, { maxClockSkew: SKEW, maxBatch: 10 });
  for (let id = 0; id < 4; id++) cluster.step(id, { type: 'tick', time: now });
  return cluster;
}

describe('the primary assigns the batch time', () => {
  it('from its latest clock reading, bound into the digest and carried to the execute effect (the block time)', () => {
    const cluster = atTime(1000);
    cluster.step(0, { type: 'request', request: cluster.request('alice', 1) });
    const [pp] = messages(cluster.step(0, { type: 'tick', time: 1003 }), 'prePrepare');
    expect(pp?.time).toBe(1003);
    expect(pp?.digest).toEqual(orderingDigest(1003, batchDigest(pp?.batch ?? [])));
    const seen = cluster.spread(0, [{ type: 'broadcast', message: pp as PrePrepare }]);
    const executed = seen.filter((s) => s.effect.type === 'execute').map((s) => s.effect);
    expect(executed.map((e) => (e as { time: number }).time)).toEqual([1003, 1003, 1003, 1003]);
  });

  it('never below the previous batch: a clock that went back stamps the previous time', () => {
    const cluster = atTime(1000);
    cluster.step(0, { type: 'request', request: cluster.request('alice', 1) });
    cluster.spread(0, cluster.step(0, { type: 'tick', time: 1010 }));
    cluster.step(0, { type: 'request', request: cluster.request('alice', 2) });
    const [pp] = messages(cluster.step(0, { type: 'tick', time: 990 }), 'prePrepare');
    expect(pp?.time).toBe(1010);
  });
});

describe('backups check the batch time', () => {
  const cases: Array<[string, number, boolean]> = [
    ['equal to the clock reading', 1000, true],
    ['maxClockSkew ahead', 1000 + SKEW, true],
    ['maxClockSkew behind', 1000 - SKEW, true],
    ['one past maxClockSkew ahead', 1000 + SKEW + 1, false],
    ['one past maxClockSkew behind', 1000 - SKEW - 1, false],
    ['2^53 - 1 (a Byzantine primary)', 2 ** 53 - 1, false],
  ];
  for (const [what, time, accepted] of cases) {
    it(`a PRE-PREPARE stamped ${what} is ${accepted ? 'accepted' : 'refused (badTime)'}`, () => {
      const cluster = atTime(1000);
      const effects = cluster.deliver(0, 1, stamped(cluster, 1, time, [cluster.request('alice', 1)]));
      expect(messages(effects, 'prepare')).toHaveLength(accepted ? 1 : 0);
      if (!accepted) expect(ofType(effects, 'drop')[0]?.code).toBe('badTime');
    });
  }

  it('a time that goes back from the previous batch is refused, even within the clock bound', () => {
    const cluster = atTime(1000);
    cluster.deliver(0, 1, stamped(cluster, 1, 1010, [cluster.request('alice', 1)]));
    const effects = cluster.deliver(0, 1, stamped(cluster, 2, 1005, [cluster.request('alice', 2)]));
    expect(ofType(effects, 'drop')[0]).toMatchObject({ code: 'badTime', reason: expect.stringContaining('goes back') });
    // And one that passes the next batch's, when that one arrived first.
    const late = cluster.deliver(0, 2, stamped(cluster, 2, 1020, [cluster.request('alice', 2)]));
    expect(messages(late, 'prepare')).toHaveLength(1);
    const early = cluster.deliver(0, 2, stamped(cluster, 1, 1025, [cluster.request('alice', 1)]));
    expect(ofType(early, 'drop')[0]?.code).toBe('badTime');
  });

  it('an old PRE-PREPARE that f + 1 replicas vouch for (its primary and one PREPARE) is accepted by a replica catching up', () => {
    const cluster = atTime(1000);
    const old = stamped(cluster, 1, 1000 - 5 * SKEW, [cluster.request('alice', 1)]);
    expect(ofType(cluster.deliver(0, 1, old), 'drop')[0]?.code).toBe('badTime'); // alone: refused
    const unsigned = { view: 0, seq: 1, digest: old.digest, replica: 2 };
    const prepare = { type: 'prepare' as const, ...unsigned, signature: cluster.keys.crypto(2).sign(prepareSignable(unsigned)) };
    cluster.deliver(2, 1, prepare);
    expect(messages(cluster.deliver(0, 1, old), 'prepare')).toHaveLength(1);
    // A time from the future is never vouched into acceptance by retransmission timing alone: it goes back to the rule.
    expect(ofType(cluster.deliver(0, 3, stamped(cluster, 1, 2 ** 53 - 1, [cluster.request('alice', 1)])), 'drop')[0]?.code).toBe(
      'badTime',
    );
  });

  it('a replica without a clock reading takes a time that moves forward only when f + 1 replicas vouch for it', () => {
    const cluster = new Cluster(4, { maxClockSkew: SKEW });
    // A cluster whose hosts pass no time keeps the first batch's time (0): no clock needed.
    expect(messages(cluster.deliver(0, 1, stamped(cluster, 1, 0, [cluster.request('alice', 1)])), 'prepare')).toHaveLength(1);
    // A forward time on the primary's word alone: refused, no PREPARE (which would vouch for it unchecked).
    const future = stamped(cluster, 2, 2 ** 40, [cluster.request('alice', 2)]);
    const alone = cluster.deliver(0, 2, future);
    expect(messages(alone, 'prepare')).toHaveLength(0);
    expect(ofType(alone, 'drop')[0]).toMatchObject({ code: 'badTime' });
    // Replica 3's PREPARE for the same digest makes f + 1 with the primary: at least one correct
    // replica checked the time against its clock, so the clockless one takes it.
    const unsigned = { view: 0, seq: 2, digest: future.digest, replica: 3 };
    const vouch = { type: 'prepare' as const, ...unsigned, signature: cluster.keys.crypto(3).sign(prepareSignable(unsigned)) };
    cluster.deliver(3, 2, vouch);
    expect(messages(cluster.deliver(0, 2, future), 'prepare')).toHaveLength(1);
  });
});
