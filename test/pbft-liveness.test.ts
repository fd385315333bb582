/**
 * Liveness after faults heal (issue 11, items 1 and 6): whatever was lost before, once the network
 * is reliable again the cluster executes new requests, and a replica that timed out alone is not
 * left out of the ordering.
 */
import { describe, expect, it } from 'vitest';
import type { ReplicaMessage } from '../src/pbft/index.js';
import { Cluster } from './support/pbft-harness.js';

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
