/**
 * The replica's persistent state and its bytes (issue 11, item 7): what a replica writes to disk
 * is a small canonical encoding, decoded as hostile input, and `restart` takes those bytes. A
 * replica restarted from them never contradicts a message it sent before the crash.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodingError } from '../src/internal/errors.js';
import {
  decodePersistentState,
  encodePersistentState,
  type PersistentState,
  persistentState,
  type ReplicaEffect,
  type ReplicaState,
  restart,
  suspectSignable,
} from '../src/pbft/index.js';
import { Cluster, messages } from './support/pbft-harness.js';

/** A cluster that has ordered `batches` requests (K = 4, L = 8: checkpoints, snapshots, a stable one). */
function ordered(batches: number): Cluster {
  const cluster = new Cluster(4);
  for (let t = 1; t <= batches; t++)
    cluster.spread(0, cluster.step(0, { type: 'request', request: cluster.request('alice', t) }));
  return cluster;
}

/** Replicas 1, 2 and 3 of `cluster` accuse the primary and move to view 1; replica 1 builds the NEW-VIEW. */
function changedView(cluster: Cluster): void {
  for (const id of [1, 2, 3]) {
    const m = {
      type: 'suspect' as const,
      view: 0,
      replica: id,
      signature: cluster.keys.crypto(id).sign(suspectSignable({ view: 0, replica: id })),
    };
    for (const to of [1, 2, 3]) if (to !== id) cluster.spread(id, cluster.deliver(id, to, m), new Set([0]));
  }
}

const samples: Array<[string, () => ReplicaState]> = [
  ['a fresh replica', () => new Cluster(4).state(1)],
  ['a replica with a stable checkpoint, snapshots and a log', () => ordered(7).state(1)],
  [
    'the primary, mid-batch',
    () => {
      const cluster = ordered(5);
      cluster.step(0, { type: 'request', request: cluster.request('bob', 1) });
      return cluster.state(0);
    },
  ],
  [
    'a replica that entered view 1 by NEW-VIEW',
    () => {
      const cluster = ordered(6);
      changedView(cluster);
      expect(cluster.state(2)).toMatchObject({ view: 1, status: 'normal' });
      return cluster.state(2);
    },
  ],
  [
    'a replica in a view change (VIEW-CHANGEs and SUSPECTs held)',
    () => {
      const cluster = ordered(3);
      const m = {
        type: 'suspect' as const,
        view: 0,
        replica: 2,
        signature: cluster.keys.crypto(2).sign(suspectSignable({ view: 0, replica: 2 })),
      };
      const out = cluster.deliver(2, 3, m);
      cluster.step(3, { type: 'request', request: cluster.request('carol', 1) });
      for (let t = 0; t < 120 && cluster.state(3).status === 'normal'; t++) cluster.step(3, { type: 'tick' });
      expect(out).toBeDefined();
      expect(cluster.state(3)).toMatchObject({ view: 1, status: 'viewChanging' });
      return cluster.state(3);
    },
  ],
];

describe('encodePersistentState / decodePersistentState', () => {
  for (const [what, make] of samples) {
    it(`${what}: bytes round-trip, and a replica restarted from them has the same persistent state`, () => {
      const state = make();
      const bytes = encodePersistentState(persistentState(state));
      const decoded = decodePersistentState(bytes, state.config);
      expect(encodePersistentState(decoded)).toEqual(bytes);
      const resumed = restart({ ...optionsOf(state) }, bytes);
      expect(encodePersistentState(persistentState(resumed))).toEqual(bytes);
      expect(resumed).toMatchObject({ pending: new Map(), early: [], clock: null });
    });
  }

  it('a persist effect carries only the persistent part, and comes first', () => {
    const cluster = new Cluster(4);
    const effects: readonly ReplicaEffect[] = cluster.step(0, { type: 'request', request: cluster.request('alice', 1) });
    expect(effects[0]?.type).toBe('persist');
    const persisted = (effects[0] as Extract<ReplicaEffect, { type: 'persist' }>).state;
    expect(Object.keys(persisted)).not.toContain('pending');
    expect(Object.keys(persisted)).not.toContain('config');
  });

  it('every truncation and every flipped byte is refused with ERR_ENCODING (the trailing hash)', () => {
    const state = ordered(7).state(1);
    const bytes = encodePersistentState(persistentState(state));
    for (let cut = 0; cut < bytes.length; cut += cut < 200 ? 1 : 13) {
      expect(() => decodePersistentState(bytes.subarray(0, cut), state.config)).toThrow(EncodingError);
    }
    for (let at = 0; at < bytes.length; at += 3) {
      const flipped = Uint8Array.from(bytes);
      flipped[at] = (flipped[at] as number) ^ 0x40;
      expect(() => decodePersistentState(flipped, state.config)).toThrow(EncodingError);
    }
  });

  const base = () => ordered(7).state(1);
  const inconsistent: Array<[string, (p: PersistentState) => PersistentState, RegExp]> = [
    ['made for another replica', (p) => ({ ...p, replica: 2 }), /made for replica 2/],
    ['made with another K', (p) => ({ ...p, checkpointInterval: 8 }), /K 8/],
    [
      'a log slot outside the watermarks',
      (p) => ({ ...p, log: new Map([...p.log].map(([seq, slot]) => [seq + 40, slot])) }),
      /log/,
    ],
    [
      'a stable snapshot that does not match its digest',
      (p) => ({ ...p, stable: { ...p.stable, snapshot: p.stable.snapshot && { ...p.stable.snapshot, time: 99 } } }),
      /stable.snapshot/,
    ],
    [
      'a stable checkpoint without its proof',
      (p) => ({ ...p, stable: { ...p.stable, proof: p.stable.proof.slice(1) } }),
      /stable.proof/,
    ],
    [
      'a NEW-VIEW of a later view',
      (p) => ({
        ...p,
        view: 0,
        newView: { type: 'newView', view: 3, viewChanges: [], prePrepares: [], replica: 3, signature: new Uint8Array(8) },
      }),
      /newView/,
    ],
  ];
  for (const [what, alter, field] of inconsistent) {
    it(`a well-hashed state with ${what} is refused, naming the field`, () => {
      const state = base();
      const bytes = encodePersistentState(alter(persistentState(state)));
      expect(() => decodePersistentState(bytes, state.config)).toThrow(field);
      expect(() => restart(optionsOf(state), bytes)).toThrow(EncodingError);
    });
  }

  it('property: bytes with a valid trailing hash (random, or a valid body with bytes changed) decode or throw EncodingError, never anything else', () => {
    const state = base();
    const body = (() => {
      const b = encodePersistentState(persistentState(state));
      return b.subarray(0, b.length - 32);
    })();
    const withHash = (b: Uint8Array) => {
      const out = new Uint8Array(b.length + 32);
      out.set(b);
      out.set(sha256(b), b.length);
      return out;
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.tuple(fc.nat(body.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })
            .map((edits) => {
              const b = Uint8Array.from(body);
              for (const [at, x] of edits) b[at] = (b[at] as number) ^ x;
              return b;
            }),
        ),
        (b) => {
          try {
            decodePersistentState(withHash(b), state.config);
          } catch (e) {
            return e instanceof EncodingError;
          }
          return true;
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('restart from the bytes never contradicts what was sent before the crash', () => {
  it('a primary restarted after assigning seq 1 gives the next request seq 2, never another batch at 1', () => {
    const cluster = new Cluster(4);
    const effects = cluster.step(0, { type: 'request', request: cluster.request('alice', 1) });
    const persisted = (effects[0] as Extract<ReplicaEffect, { type: 'persist' }>).state;
    expect(messages(effects, 'prePrepare')[0]?.seq).toBe(1);
    cluster.restartFrom(0, persisted);
    const [next] = messages(cluster.step(0, { type: 'request', request: cluster.request('bob', 1) }), 'prePrepare');
    expect(next?.seq).toBe(2);
  });

  it('a replica restarted in a view change keeps its VIEW-CHANGE (the same prepared certificates) and resends it', () => {
    const cluster = ordered(3);
    changedView(cluster);
    const before = cluster.state(1);
    const resumed = cluster.restartFrom(1, persistentState(before));
    expect(encodePersistentState(persistentState(resumed))).toEqual(encodePersistentState(persistentState(before)));
  });
});

function optionsOf(state: ReplicaState) {
  const { id, n, crypto, checkpointInterval, logWindow, maxBatch, viewChangeTimeout, maxBackoff, retransmitInterval } =
    state.config;
  return { id, n, crypto, checkpointInterval, logWindow, maxBatch, viewChangeTimeout, maxBackoff, retransmitInterval };
}

describe('a restarted replica catches up with nothing pending (STATUS on its timer, with backoff)', () => {
  it('unanswered, it asks at its first tick, then after r, 2r, 4r ticks, capped at r * 2^maxBackoff; a fresh replica never asks', () => {
    const r = 5;
    const cluster = new Cluster(4, { retransmitInterval: r, maxBackoff: 2 });
    const idle: number[] = [];
    for (let t = 1; t <= 200; t++) if (messages(cluster.step(1, { type: 'tick' }), 'status').length > 0) idle.push(t);
    expect(idle).toEqual([]); // an idle replica that has no reason to think it is behind stays silent
    const bytes = encodePersistentState(persistentState(cluster.state(3)));
    cluster.restartFrom(3, bytes);
    const asked: number[] = [];
    for (let t = 1; t <= 80; t++) {
      const statuses = messages(cluster.step(3, { type: 'tick' }), 'status');
      if (statuses.length > 0) {
        expect(statuses[0]?.catchingUp).toBe(true);
        asked.push(t);
      }
    }
    expect(asked).toEqual([1, 1 + r, 1 + 3 * r, 1 + 7 * r, 1 + 11 * r, 1 + 15 * r]);
  });

  it('stops asking once f + 1 peers answer that they are not ahead of it (one is not enough)', () => {
    const cluster = new Cluster(4, { retransmitInterval: 5 });
    cluster.restartFrom(3, encodePersistentState(persistentState(cluster.state(3))));
    const [ask] = messages(cluster.step(3, { type: 'tick' }), 'status');
    const answer = (peer: number) => {
      const [status] = messages(cluster.deliver(3, peer, ask), 'status');
      expect(status?.catchingUp).toBeUndefined(); // an answer without the flag: it will not be answered with a STATUS
      return status;
    };
    cluster.deliver(0, 3, answer(0));
    expect(cluster.state(3).catchUp).not.toBeNull();
    cluster.deliver(1, 3, answer(1));
    expect(cluster.state(3).catchUp).toBeNull();
    for (let t = 0; t < 100; t++) expect(messages(cluster.step(3, { type: 'tick' }), 'status')).toEqual([]);
  });
});
