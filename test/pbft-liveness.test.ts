/**
 * Liveness after faults heal (issue 11, items 1 and 6): whatever was lost before, once the network
 * is reliable again the cluster executes new requests, and a replica that timed out alone is not
 * left out of the ordering.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaMessage } from '../src/pbft/index.js';
import { Cluster, messages } from './support/pbft-harness.js';

describe('item 1: lost CHECKPOINT messages never halt the cluster', () => {
  for (const [K, L] of [
    [4, 8],
    [64, 128], // the defaults
  ] as const) {
    it(`K = ${K}, L = ${L}: L batches ordered while every CHECKPOINT is lost; after healing, a new request executes everywhere`, () => {
      const cluster = new Cluster(4, { checkpointInterval: K, logWindow: L, viewChangeTimeout: 50 });
      const noCheckpoints = (m: ReplicaMessage) => m.type === 'checkpoint';
      for (let t = 1; t <= L; t++) {
        const queue = [{ from: 0, to: 0, message: cluster.request('alice', t) }].flatMap(({ message }) =>
          cluster
            .step(0, { type: 'request', request: message })
            .flatMap((e) => (e.type === 'broadcast' ? [1, 2, 3].map((to) => ({ from: 0, to, message: e.message })) : [])),
        );
        cluster.run(queue, () => [0, 1, 2, 3].every((id) => cluster.state(id).lastExecuted === t), { lose: noCheckpoints });
      }
      for (let id = 0; id < 4; id++) expect(cluster.state(id)).toMatchObject({ lastExecuted: L, stable: { seq: 0 } });
      // The network heals; the next request (sent to every replica, as a client does after a timeout).
      const request = cluster.request('alice', L + 1);
      const queue = [0, 1, 2, 3].flatMap((id) =>
        cluster
          .step(id, { type: 'request', request })
          .flatMap((e) => (e.type === 'send' ? [{ from: id, to: e.to, message: e.message }] : [])),
      );
      const ticks = cluster.run(queue, () => [0, 1, 2, 3].every((id) => cluster.state(id).lastExecuted === L + 1), {
        maxTicks: 1000,
      });
      expect(ticks).toBeGreaterThanOrEqual(0);
      for (let id = 0; id < 4; id++) expect(cluster.state(id).stable.seq).toBe(L);
    });
  }
});

describe('item 6: a replica that times out alone is not left out (f + 1 accusations, Zyzzyva / BFT-SMaRt)', () => {
  it('replica 3 times out alone, accuses the primary and stays in view 0, where its vote is needed at once', () => {
    const cluster = new Cluster(4, { checkpointInterval: 4, logWindow: 8, viewChangeTimeout: 20 });
    // A request reaches replica 3 only, and its forward to the primary is lost: 3 times out alone.
    cluster.step(3, { type: 'request', request: cluster.request('bob', 1) });
    const accusations = [];
    for (let t = 0; t < 20; t++) accusations.push(...messages(cluster.step(3, { type: 'tick' }), 'suspect'));
    expect(accusations).toHaveLength(1);
    expect(cluster.state(3)).toMatchObject({ view: 0, status: 'normal' });
    // Its accusation reaches the others, who are content: one accusation does not move them.
    for (const to of [0, 1, 2]) cluster.deliver(3, to, accusations[0]);
    expect([0, 1, 2].map((id) => cluster.state(id).view)).toEqual([0, 0, 0]);
    // Replica 2 crashes: now 0, 1 and 3 must order together, and they do, in view 0, without a view change.
    const request = cluster.request('alice', 1);
    const queue = cluster
      .step(0, { type: 'request', request })
      .flatMap((e) => (e.type === 'broadcast' ? [1, 2, 3].map((to) => ({ from: 0, to, message: e.message })) : []));
    const ticks = cluster.run(queue, () => [0, 1, 3].every((id) => cluster.state(id).clients.has('alice')), {
      lose: (_m, from, to) => from === 2 || to === 2,
      maxTicks: 5,
    });
    expect(ticks).toBe(0); // committed on the first delivery round (the old code: replica 3 had left view 0)
    expect([0, 1, 3].map((id) => cluster.state(id).view)).toEqual([0, 0, 0]);
  });

  it('a replica moved ahead by accusations the others never saw relays them, and every correct replica follows', () => {
    const cluster = new Cluster(4, { checkpointInterval: 4, logWindow: 8, viewChangeTimeout: 20 });
    // Replica 3 times out; Byzantine replica 2 accuses too, but only to replica 3.
    cluster.step(3, { type: 'request', request: cluster.request('bob', 1) });
    const own = [];
    for (let t = 0; t < 20; t++) own.push(...cluster.step(3, { type: 'tick' }));
    const [byzantine] = messages(
      (() => {
        cluster.step(2, { type: 'request', request: cluster.request('bob', 1) });
        const out = [];
        for (let t = 0; t < 20; t++) out.push(...cluster.step(2, { type: 'tick' }));
        return out;
      })(),
      'suspect',
    );
    const moved = cluster.deliver(2, 3, byzantine);
    expect(messages(moved, 'viewChange')).toMatchObject([{ view: 1, replica: 3 }]);
    // Replicas 0 and 1 hear replica 3's broadcasts (its own accusation, its VIEW-CHANGE and the relayed
    // accusation of replica 2); replica 2 then goes silent. Everyone correct ends in view 1, working.
    const queue = [...own, ...moved].flatMap((e) =>
      e.type === 'broadcast' ? [0, 1].map((to) => ({ from: 3, to, message: e.message })) : [],
    );
    const ticks = cluster.run(
      queue,
      () => [0, 1, 3].every((id) => cluster.state(id).view === 1 && cluster.state(id).status === 'normal'),
      {
        lose: (_m, from, to) => from === 2 || to === 2,
        maxTicks: 200,
      },
    );
    expect(ticks).toBeGreaterThanOrEqual(0);
    expect(ticks).toBeLessThan(20); // no timeout needed: the relayed accusations suffice
  });
});
