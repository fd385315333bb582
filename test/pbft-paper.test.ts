/**
 * PBFT, section by section: Huang et al. 2020 section 4.2.10 (steps 1-5) and the parts of Castro and
 * Liskov (TOCS 2002, section 4) the paper relies on. Each test names the passage it checks, in the
 * manner of etcd raft's raft_paper_test.go.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchDigest,
  blockHash,
  type Checkpoint,
  type DropCode,
  clientStep,
  computeNewViewPlan,
  createClient,
  executionResult,
  GENESIS_HASH,
  type NewView,
  newViewSignable,
  orderingDigest,
  type PrePrepare,
  type ReplicaEffect,
  prePrepareSignable,
  primaryOf,
  quorums,
  type Request,
  type Suspect,
  type ViewChange,
  viewChangeSignable,
} from '../src/pbft/index.js';
import { Cluster, messages, ofType } from './support/pbft-harness.js';

/** The primary's PRE-PREPARE for `requests`, signed like replica 0 would (view 0). */
function prePrepareFrom(
  cluster: Cluster,
  requests: Request[],
  seq = 1,
  view = 0,
  signer = primaryOf(view, cluster.n),
): PrePrepare {
  const unsigned = { view, seq, digest: orderingDigest(0, batchDigest(requests)), time: 0, replica: primaryOf(view, cluster.n) };
  return {
    type: 'prePrepare',
    ...unsigned,
    batch: requests,
    signature: cluster.keys.crypto(signer).sign(prePrepareSignable(unsigned)),
  };
}

/** Runs one request through the whole cluster on a perfect network. */
function commitRequest(cluster: Cluster, request: Request, except: ReadonlySet<number> = new Set()) {
  return cluster.spread(0, cluster.step(0, { type: 'request', request }), except);
}

describe('section 4.2.10: the primary is P = V mod |R|', () => {
  it('primaryOf rotates through the replicas', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((v) => primaryOf(v, 4))).toEqual([0, 1, 2, 3, 0, 1, 1]);
    expect(primaryOf(12, 7)).toBe(5);
  });

  it('in view 0 replica 0 orders a request; a backup forwards it to replica 0 instead', () => {
    const cluster = new Cluster(4);
    const request = cluster.request('alice', 1);
    expect(messages(cluster.step(0, { type: 'request', request }), 'prePrepare')).toHaveLength(1);
    const atBackup = cluster.step(2, { type: 'request', request });
    expect(messages(atBackup, 'prePrepare')).toHaveLength(0);
    expect(ofType(atBackup, 'send')).toEqual([{ type: 'send', to: 0, message: request }]);
  });
});

describe('section 4.2.10: 3f + 1 nodes; every threshold from one function', () => {
  it('n = 4, 7, 10, 13 give f = 1..4, prepared at 2f, committed at 2f + 1, join and reply at f + 1', () => {
    for (const [n, f] of [
      [4, 1],
      [7, 2],
      [10, 3],
      [13, 4],
    ] as const) {
      expect(quorums(n)).toEqual({
        n,
        f,
        prepare: 2 * f,
        commit: 2 * f + 1,
        checkpoint: 2 * f + 1,
        viewChange: 2 * f + 1,
        joinViewChange: f + 1,
        reply: f + 1,
      });
    }
  });

  it('property: any two commit quorums share a correct replica, and a quorum exists with f replicas down', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 400 }), (n) => {
        const q = quorums(n);
        return 2 * q.commit - n >= q.f + 1 && q.commit <= n - q.f && q.prepare === q.commit - 1;
      }),
    );
  });

  it('rejects groups too small to tolerate one fault', () => {
    expect(() => quorums(3)).toThrow(RangeError);
    expect(() => quorums(4.5)).toThrow(RangeError);
  });
});

describe('section 4.2.10 step 1: the leader sorts the transactions, assigns serial numbers, multicasts PRE-PREPARE', () => {
  it('a full batch is sorted by (client, timestamp), numbered 1, 2, ... and its digest is the Merkle root', () => {
    const cluster = new Cluster(4, { maxBatch: 3 });
    const requests = [cluster.request('carol', 1), cluster.request('alice', 1), cluster.request('bob', 1)];
    expect(messages(cluster.step(0, { type: 'request', request: requests[0] }), 'prePrepare')).toHaveLength(0);
    cluster.step(0, { type: 'request', request: requests[1] });
    const [pp] = messages(cluster.step(0, { type: 'request', request: requests[2] }), 'prePrepare');
    expect(pp?.seq).toBe(1);
    expect(pp?.batch.map((r) => r.client)).toEqual(['alice', 'bob', 'carol']);
    expect(pp?.digest).toEqual(orderingDigest(pp?.time ?? -1, batchDigest(pp?.batch ?? [])));
    const more = ['dave', 'alice', 'bob'].map((c) => cluster.request(c, 2));
    let second: PrePrepare | undefined;
    for (const request of more) second ??= messages(cluster.step(0, { type: 'request', request }), 'prePrepare')[0];
    expect(second?.seq).toBe(2);
  });

  it('a partial batch waits for the next tick', () => {
    const cluster = new Cluster(4, { maxBatch: 10 });
    expect(messages(cluster.step(0, { type: 'request', request: cluster.request('alice', 1) }), 'prePrepare')).toHaveLength(0);
    const [pp] = messages(cluster.step(0, { type: 'tick' }), 'prePrepare');
    expect(pp?.batch).toHaveLength(1);
  });
});

describe('section 4.2.10 step 2: a backup checks signatures, timestamps and serial numbers, then multicasts PREPARE', () => {
  it('accepts a valid PRE-PREPARE and prepares it', () => {
    const cluster = new Cluster(4);
    const pp = prePrepareFrom(cluster, [cluster.request('alice', 1)]);
    const [prepare] = messages(cluster.deliver(0, 1, pp), 'prepare');
    expect(prepare).toMatchObject({ view: 0, seq: 1, digest: pp.digest, replica: 1 });
  });

  const invalid: Array<[string, (c: Cluster) => PrePrepare, DropCode]> = [
    [
      'a forged client signature',
      (c) => prePrepareFrom(c, [{ ...c.request('alice', 1), signature: new Uint8Array(8) }]),
      'badClientSignature',
    ],
    ['an unsorted batch', (c) => prePrepareFrom(c, [c.request('bob', 1), c.request('alice', 1)]), 'batchUnsorted'],
    ['a request twice', (c) => prePrepareFrom(c, [c.request('alice', 1), c.request('alice', 1)]), 'batchUnsorted'],
    ['a signature not by the primary', (c) => prePrepareFrom(c, [c.request('alice', 1)], 1, 0, 3), 'badSignature'],
    ['a serial number above the high watermark h + L', (c) => prePrepareFrom(c, [c.request('alice', 1)], 9), 'outsideWatermarks'],
    ['serial number 0 (at the low watermark)', (c) => prePrepareFrom(c, [c.request('alice', 1)], 0), 'outsideWatermarks'],
    ['another view', (c) => prePrepareFrom(c, [c.request('alice', 1)], 1, 1), 'wrongView'],
    [
      'a digest that is not the batch',
      (c) => ({ ...prePrepareFrom(c, [c.request('alice', 1)]), batch: [c.request('bob', 1)] }),
      'digestMismatch',
    ],
  ];
  for (const [what, make, code] of invalid) {
    it(`rejects a PRE-PREPARE with ${what}, with code ${code}`, () => {
      const cluster = new Cluster(4, { maxBatch: 4 });
      const effects = cluster.deliver(0, 1, make(cluster));
      expect(messages(effects, 'prepare')).toHaveLength(0);
      expect(ofType(effects, 'drop')[0]?.code).toBe(code);
    });
  }

  it('rejects a second, different PRE-PREPARE for the same view and serial number (an equivocating primary)', () => {
    const cluster = new Cluster(4);
    cluster.deliver(0, 1, prePrepareFrom(cluster, [cluster.request('alice', 1)]));
    const effects = cluster.deliver(0, 1, prePrepareFrom(cluster, [cluster.request('bob', 1)]));
    expect(messages(effects, 'prepare')).toHaveLength(0);
    expect(ofType(effects, 'drop')[0]?.code).toBe('conflict');
  });
});

describe('section 4.2.10 step 3: with 2f matching PREPAREs a request is prepared, and COMMIT is multicast', () => {
  it('n = 7 (2f = 4): no COMMIT at 3 PREPAREs, a COMMIT at the 4th', () => {
    const cluster = new Cluster(7);
    const pp = prePrepareFrom(cluster, [cluster.request('alice', 1)]);
    const prepares = [1, 2, 3, 4].map((id) => messages(cluster.deliver(0, id, pp), 'prepare')[0]);
    // Replica 1 holds its own PREPARE; two more make 3.
    expect(messages(cluster.deliver(2, 1, prepares[1]), 'commit')).toHaveLength(0);
    expect(messages(cluster.deliver(3, 1, prepares[2]), 'commit')).toHaveLength(0);
    const [commit] = messages(cluster.deliver(4, 1, prepares[3]), 'commit');
    expect(commit).toMatchObject({ view: 0, seq: 1, digest: pp.digest, replica: 1 });
  });

  it('PREPAREs for another digest do not count, and the primary cannot PREPARE', () => {
    const cluster = new Cluster(4);
    const pp = prePrepareFrom(cluster, [cluster.request('alice', 1)]);
    cluster.deliver(0, 1, pp);
    const other = prePrepareFrom(cluster, [cluster.request('bob', 1)]);
    const [foreign] = messages(cluster.deliver(0, 2, other), 'prepare');
    expect(messages(cluster.deliver(2, 1, foreign), 'commit')).toHaveLength(0);
    const fromPrimary = { ...foreign, replica: 0 };
    expect(ofType(cluster.deliver(0, 1, fromPrimary), 'drop')[0]?.code).toBe('notPrimary');
  });
});

describe('section 4.2.10 step 4: with 2f + 1 matching COMMITs the batch is committed and recorded as a block', () => {
  it('n = 7 (2f + 1 = 5): no block at 4 COMMITs; at the 5th a block with a certificate of 5', () => {
    const cluster = new Cluster(7);
    const pp = prePrepareFrom(cluster, [cluster.request('alice', 1)]);
    const prepares = [1, 2, 3, 4, 5, 6].map((id) => messages(cluster.deliver(0, id, pp), 'prepare')[0]);
    const commits = [];
    for (const id of [2, 3, 4, 5]) {
      for (const p of prepares) if (p !== undefined && p.replica !== id) cluster.deliver(p.replica, id, p);
      commits.push(messages(cluster.step(id, { type: 'tick' }), 'commit')[0] ?? cluster.state(id).log.get(1)?.commits.get(id));
    }
    for (const p of prepares.slice(1, 4)) if (p !== undefined) cluster.deliver(p.replica, 1, p);
    expect(cluster.state(1).log.get(1)?.prepared).toBe(true);
    let executed = ofType(cluster.deliver(2, 1, commits[0]), 'execute');
    executed = [...executed, ...ofType(cluster.deliver(3, 1, commits[1]), 'execute')];
    executed = [...executed, ...ofType(cluster.deliver(4, 1, commits[2]), 'execute')];
    expect(executed).toHaveLength(0); // own + 3 = 4 COMMITs
    const [block] = ofType(cluster.deliver(5, 1, commits[3]), 'execute');
    expect(block?.seq).toBe(1);
    expect(block?.certificate.map((c) => c.replica)).toEqual([1, 2, 3, 4, 5]);
    expect(block?.chainHead).toEqual(blockHash(1, GENESIS_HASH, pp.digest));
  });

  it('every replica on a perfect network records the same block, and persists before it sends', () => {
    const cluster = new Cluster(4);
    cluster.checkPurity = true;
    const seen = commitRequest(cluster, cluster.request('alice', 1));
    const blocks = seen.filter((s) => s.effect.type === 'execute');
    expect(blocks.map((b) => b.replica).sort()).toEqual([0, 1, 2, 3]);
    for (const r of [0, 1, 2, 3]) expect(cluster.state(r).chainHead).toEqual(cluster.state(0).chainHead);
    const sample = cluster.step(1, {
      type: 'message',
      from: 0,
      message: prePrepareFrom(cluster, [cluster.request('bob', 1)], 2),
    });
    expect(sample[0]?.type).toBe('persist');
  });
});

describe('persistence (etcd raft Ready contract): the state is persisted before anything is sent', () => {
  it('a replica restarted from its last persisted state still refuses a conflicting PRE-PREPARE', () => {
    const cluster = new Cluster(4);
    const pp = prePrepareFrom(cluster, [cluster.request('alice', 1)]);
    const effects = cluster.deliver(0, 1, pp);
    expect(effects[0]?.type).toBe('persist');
    expect(effects.findIndex((e) => e.type === 'persist')).toBeLessThan(effects.findIndex((e) => e.type === 'broadcast'));
    const persisted = (effects[0] as Extract<ReplicaEffect, { type: 'persist' }>).state;
    cluster.restartFrom(1, persisted); // through the bytes a disk would hold
    const conflicting = prePrepareFrom(cluster, [cluster.request('bob', 1)]);
    const after = cluster.deliver(0, 1, conflicting);
    expect(messages(after, 'prepare')).toHaveLength(0);
    expect(ofType(after, 'drop')[0]?.code).toBe('conflict');
  });
});

describe('section 4.2.10 step 5: replies go to the submitter, which accepts f + 1 matching ones', () => {
  it('the client accepts at f + 1 matching replies, not at f, and lying replies do not combine', () => {
    const cluster = new Cluster(7); // f = 2
    let client = createClient({ id: 'alice', n: 7, sign: cluster.keys.clientSigner('alice') });
    const submitted = clientStep(client, { type: 'submit', operation: new TextEncoder().encode('alice:1') });
    client = submitted.state;
    const [send] = submitted.effects;
    expect(send).toMatchObject({ type: 'send', to: 0 });
    const request = (send as { request: Request }).request;
    const replies = commitRequest(cluster, request)
      .map((s) => s.effect)
      .filter((e) => e.type === 'reply')
      .map((e) => (e as { reply: { replica: number } }).reply);
    expect(replies.length).toBe(7);
    const lie = { ...replies[0], replica: 6, result: executionResult(99, 0) };
    const lie2 = { ...replies[0], replica: 5, result: executionResult(98, 0) };
    for (const [from, reply] of [
      [6, lie],
      [5, lie2],
      [0, replies.find((r) => r.replica === 0)],
    ] as const) {
      const step = clientStep(client, { type: 'reply', from, reply });
      client = step.state;
      expect(step.effects.filter((e) => e.type === 'result')).toHaveLength(0);
    }
    client = clientStep(client, { type: 'reply', from: 1, reply: replies.find((r) => r.replica === 1) }).state;
    const last = clientStep(client, { type: 'reply', from: 2, reply: replies.find((r) => r.replica === 2) });
    expect(last.effects).toEqual([{ type: 'result', request, result: executionResult(1, 0), view: 0 }]);
  });
});

describe('effect order: a batch is recorded (execute) before its requests are answered (reply)', () => {
  it('on every replica, each reply comes after the execute effect of the batch that ran its request', () => {
    const cluster = new Cluster(4, { maxBatch: 2 });
    const first = cluster.step(0, { type: 'request', request: cluster.request('alice', 1) });
    const seen = cluster.spread(0, [...first, ...cluster.step(0, { type: 'request', request: cluster.request('bob', 1) })]);
    for (const replica of [0, 1, 2, 3]) {
      const effects = seen.filter((s) => s.replica === replica).map((s) => s.effect);
      const executeAt = effects.findIndex((e) => e.type === 'execute');
      const replyAt = effects.flatMap((e, i) => (e.type === 'reply' ? [i] : []));
      expect(executeAt, `replica ${replica} executed`).toBeGreaterThanOrEqual(0);
      expect(replyAt, `replica ${replica} replied to both clients`).toHaveLength(2);
      for (const i of replyAt) expect(i, `replica ${replica}: reply at ${i}, execute at ${executeAt}`).toBeGreaterThan(executeAt);
    }
  });
});

describe('Castro-Liskov 4.1: a request runs at most once; the last reply is kept', () => {
  it('a retransmitted request gets the same reply and is not ordered again; an older one is ignored', () => {
    const cluster = new Cluster(4);
    commitRequest(cluster, cluster.request('alice', 2));
    const again = cluster.step(0, { type: 'request', request: cluster.request('alice', 2) });
    expect(messages(again, 'prePrepare')).toHaveLength(0);
    expect(ofType(again, 'reply')[0]?.reply.result).toEqual(executionResult(1, 0));
    const older = cluster.step(0, { type: 'request', request: cluster.request('alice', 1) });
    expect(ofType(older, 'reply')).toHaveLength(0);
    expect(ofType(older, 'drop')[0]?.code).toBe('alreadyExecuted');
  });

  it('a duplicate inside a later batch is recorded but not executed', () => {
    const cluster = new Cluster(4);
    commitRequest(cluster, cluster.request('alice', 1));
    const pp = prePrepareFrom(cluster, [cluster.request('alice', 1)], 2);
    const seen = cluster.spread(0, [{ type: 'broadcast', message: pp }]);
    const blocks = seen.filter((s) => s.effect.type === 'execute' && s.replica === 1).map((s) => s.effect);
    expect(blocks).toMatchObject([{ seq: 2, executed: [] }]);
  });
});

describe('Castro-Liskov 4.3: checkpoints every K, stable at 2f + 1, garbage collection, watermarks', () => {
  it('after K = 4 batches the checkpoint becomes stable, the log below it is discarded and h moves', () => {
    const cluster = new Cluster(4);
    for (let t = 1; t <= 4; t++) commitRequest(cluster, cluster.request('alice', t));
    for (let r = 0; r < 4; r++) {
      expect(cluster.state(r).stable.seq).toBe(4);
      expect(cluster.state(r).stable.proof.length).toBeGreaterThanOrEqual(3);
      expect([...cluster.state(r).log.keys()].filter((seq) => seq <= 4)).toEqual([]);
    }
    const late = prePrepareFrom(cluster, [cluster.request('bob', 1)], 3);
    expect(ofType(cluster.deliver(0, 1, late), 'drop')[0]).toMatchObject({
      code: 'outsideWatermarks',
      reason: expect.stringContaining('(4, 12]'),
    });
  });

  it('the primary assigns no serial number above h + L while the checkpoint at h is not stable', () => {
    const cluster = new Cluster(4);
    for (let t = 1; t <= 12; t++) cluster.step(0, { type: 'request', request: cluster.request('alice', t) });
    expect(cluster.state(0).seqAssigned).toBe(8);
  });

  it('f CHECKPOINTs (and a Byzantine one with another digest) do not make a checkpoint stable', () => {
    const cluster = new Cluster(4);
    for (let t = 1; t <= 4; t++) commitRequest(cluster, cluster.request('alice', t), new Set([3]));
    expect(cluster.state(3).stable.seq).toBe(0);
    const crypto1 = cluster.keys.crypto(1);
    const checkpoint = cluster.state(1).checkpoints.get(4)?.get(1) as Checkpoint;
    cluster.deliver(1, 3, checkpoint);
    const bogus = { ...checkpoint, replica: 2, digest: new Uint8Array(32) };
    cluster.deliver(2, 3, { ...bogus, signature: cluster.keys.crypto(2).sign(new Uint8Array(0)) });
    expect(cluster.state(3).stable.seq).toBe(0);
    expect(crypto1).toBeDefined();
  });
});

/**
 * Replicas `ids` each wait for a request until their timers expire and accuse the primary; their
 * SUSPECTs are then delivered among them. Returns the VIEW-CHANGEs they send once f + 1 accuse.
 */
function accuseTogether(cluster: Cluster, ids: readonly number[], timeout: number): ViewChange[] {
  const accusations: Suspect[] = [];
  for (const id of ids) {
    cluster.step(id, { type: 'request', request: cluster.request('alice', 1) });
    for (let t = 0; t < timeout; t++) accusations.push(...messages(cluster.step(id, { type: 'tick' }), 'suspect'));
  }
  const vcs: ViewChange[] = [];
  for (const id of ids) {
    for (const m of accusations) if (m.replica !== id) vcs.push(...messages(cluster.deliver(m.replica, id, m), 'viewChange'));
  }
  return vcs;
}

describe('Castro-Liskov 4.4 and 4.5.2: view change', () => {
  it('a backup waiting for a request accuses the primary when its timer expires, not before, and stays in its view', () => {
    const cluster = new Cluster(4, { viewChangeTimeout: 10 });
    cluster.step(1, { type: 'request', request: cluster.request('alice', 1) });
    for (let t = 1; t < 10; t++) expect(messages(cluster.step(1, { type: 'tick' }), 'suspect')).toHaveLength(0);
    const effects = cluster.step(1, { type: 'tick' });
    expect(messages(effects, 'suspect')).toMatchObject([{ type: 'suspect', view: 0, replica: 1 }]);
    expect(messages(effects, 'viewChange')).toHaveLength(0);
    expect(cluster.state(1)).toMatchObject({ view: 0, status: 'normal' });
  });

  it('f + 1 accusations (its own included) make it send VIEW-CHANGE for the next view; f do not', () => {
    const cluster = new Cluster(7, { viewChangeTimeout: 5 }); // f = 2
    const accusations: Suspect[] = [];
    for (const id of [3, 4, 5]) {
      cluster.step(id, { type: 'request', request: cluster.request('alice', 1) });
      for (let t = 0; t < 5; t++) accusations.push(...messages(cluster.step(id, { type: 'tick' }), 'suspect'));
    }
    expect(accusations.map((m) => [m.replica, m.view])).toEqual([
      [3, 0],
      [4, 0],
      [5, 0],
    ]);
    // Replica 6 (no accusation of its own): f = 2 accusations leave it in view 0, the third moves it.
    expect(messages(cluster.deliver(3, 6, accusations[0]), 'viewChange')).toHaveLength(0);
    expect(messages(cluster.deliver(4, 6, accusations[1]), 'viewChange')).toHaveLength(0);
    expect(cluster.state(6)).toMatchObject({ view: 0, status: 'normal' });
    const moved = cluster.deliver(5, 6, accusations[2]);
    expect(messages(moved, 'viewChange')).toMatchObject([{ view: 1, replica: 6 }]);
    // It relays the accusations that made it move, so replicas that missed some follow it.
    expect(
      messages(moved, 'suspect')
        .map((m) => m.replica)
        .sort(),
    ).toEqual([3, 4, 5]);
    // Replica 3 accused itself: with one more accusation (f + 1 = 3 with its own) it moves.
    expect(messages(cluster.deliver(4, 3, accusations[1]), 'viewChange')).toHaveLength(0);
    expect(messages(cluster.deliver(5, 3, accusations[2]), 'viewChange')).toMatchObject([{ view: 1, replica: 3 }]);
  });

  it('joins a view change at f + 1 VIEW-CHANGEs for higher views; f alone cannot force it', () => {
    const cluster = new Cluster(7, { viewChangeTimeout: 5 }); // f = 2
    const vcs = accuseTogether(cluster, [3, 4, 5], 5);
    expect(vcs.map((v) => v.view)).toEqual([1, 1, 1]);
    expect(messages(cluster.deliver(3, 6, vcs[0]), 'viewChange')).toHaveLength(0);
    expect(messages(cluster.deliver(4, 6, vcs[1]), 'viewChange')).toHaveLength(0);
    expect(cluster.state(6).view).toBe(0); // f = 2 VIEW-CHANGEs
    const [joined] = messages(cluster.deliver(5, 6, vcs[2]), 'viewChange');
    expect(joined).toMatchObject({ view: 1, replica: 6 });
  });

  it('the timeout doubles: view 1 after T, then (with 2f + 1 in the view change) an accusation of view 1 after 2T more', () => {
    const cluster = new Cluster(4, { viewChangeTimeout: 4 });
    const vcs = accuseTogether(cluster, [1, 2, 3], 4);
    expect(vcs.map((v) => [v.replica, v.view])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    // Replica 2 hears the others (replica 1, the new primary, stays silent in this test).
    cluster.deliver(1, 2, vcs[0]);
    cluster.deliver(3, 2, vcs[2]);
    let ticks = 0;
    let next: Suspect | undefined;
    while (next === undefined && ticks < 100) {
      ticks++;
      next = messages(cluster.step(2, { type: 'tick' }), 'suspect')[0];
    }
    expect(next).toMatchObject({ view: 1, replica: 2 });
    expect(ticks).toBe(8);
    expect(cluster.state(2)).toMatchObject({ view: 1, status: 'viewChanging' });
  });

  it('the new primary sends NEW-VIEW with O from computeNewViewPlan; a request prepared in view 0 keeps its number', () => {
    const cluster = new Cluster(4, { viewChangeTimeout: 5 });
    const request = cluster.request('alice', 1);
    const pp = prePrepareFrom(cluster, [request]);
    // Prepared at replicas 1, 2, 3 but no COMMIT gets through: the primary then goes silent.
    const prepares = [1, 2, 3].map((id) => messages(cluster.deliver(0, id, pp), 'prepare')[0]);
    for (const to of [1, 2, 3])
      for (const p of prepares) if (p !== undefined && p.replica !== to) cluster.deliver(p.replica, to, p);
    for (const id of [1, 2, 3]) expect(cluster.state(id).prepared.has(1)).toBe(true);
    const effects = [1, 2, 3].map((id) => {
      const out = [];
      for (let t = 0; t < 5; t++) out.push(...cluster.step(id, { type: 'tick' }));
      return out;
    });
    const seen = [1, 2, 3].flatMap((id, i) => cluster.spread(id, effects[i] ?? [], new Set([0])));
    const newView = seen.map((s) => s.effect).find((e) => e.type === 'broadcast' && e.message.type === 'newView');
    const nv = (newView as { message: NewView }).message;
    expect(nv.replica).toBe(1);
    const plan = computeNewViewPlan(1, nv.viewChanges);
    expect(nv.prePrepares.map((p) => [p.seq, p.digest])).toEqual(plan.entries.map((e) => [e.seq, e.digest]));
    expect(plan.entries[0]?.digest).toEqual(pp.digest);
    for (const id of [1, 2, 3]) {
      expect(cluster.state(id)).toMatchObject({ view: 1, status: 'normal', lastExecuted: 1 });
    }
  });

  it('a backup rejects a NEW-VIEW whose O differs from the one it computes from V', () => {
    const cluster = new Cluster(4, { viewChangeTimeout: 3 });
    const vcs = accuseTogether(cluster, [1, 2, 3], 3);
    const crypto = cluster.keys.crypto(1);
    const unsigned = { view: 1, seq: 1, digest: orderingDigest(0, batchDigest([])), time: 0, replica: 1 };
    const extra: PrePrepare = {
      type: 'prePrepare',
      ...unsigned,
      batch: [],
      signature: crypto.sign(prePrepareSignable(unsigned)),
    };
    // O should be empty (nothing prepared); this one re-proposes a null request at 1.
    const forged = { type: 'newView' as const, view: 1, viewChanges: vcs, prePrepares: [extra], replica: 1 };
    const nv: NewView = { ...forged, signature: crypto.sign(newViewSignable(forged)) };
    const effects = cluster.deliver(1, 2, nv);
    expect(ofType(effects, 'drop')[0]?.code).toBe('newViewMismatch');
    expect(cluster.state(2).status).toBe('viewChanging');
  });

  it('property: O does not depend on the order of V; gaps are filled with null requests; the highest view wins', () => {
    const digest = (b: number) => new Uint8Array(32).fill(b);
    const proof = (seq: number, view: number, b: number) => ({
      prePrepare: {
        type: 'prePrepare' as const,
        view,
        seq,
        digest: digest(b),
        time: 0,
        replica: view % 4,
        signature: new Uint8Array(1),
        batch: [],
      },
      prepares: [],
    });
    const arbitraryViewChange = fc.record({
      replica: fc.integer({ min: 0, max: 3 }),
      stableSeq: fc.constantFrom(0, 4),
      prepared: fc.uniqueArray(
        fc.record({
          seq: fc.integer({ min: 1, max: 12 }),
          view: fc.integer({ min: 0, max: 4 }),
          b: fc.integer({ min: 0, max: 3 }),
        }),
        {
          selector: (p) => p.seq,
          maxLength: 6,
        },
      ),
    });
    fc.assert(
      fc.property(fc.array(arbitraryViewChange, { minLength: 1, maxLength: 5 }), fc.integer(), (raw, seed) => {
        const vcs: ViewChange[] = raw.map((r) => ({
          type: 'viewChange',
          view: 5,
          stableSeq: r.stableSeq,
          stableDigest: digest(r.stableSeq),
          checkpointProof: [],
          prepared: r.prepared.filter((p) => p.seq > r.stableSeq).map((p) => proof(p.seq, p.view, p.b)),
          replica: r.replica,
          signature: new Uint8Array(1),
        }));
        const plan = computeNewViewPlan(5, vcs);
        const shuffled = [...vcs].sort(() => (seed % 2 === 0 ? 1 : -1));
        const again = computeNewViewPlan(5, shuffled.reverse());
        expect(again.entries).toEqual(plan.entries);
        const minS = Math.max(...vcs.map((v) => v.stableSeq));
        expect(plan.stableSeq).toBe(minS);
        expect(plan.entries.map((e) => e.seq)).toEqual(Array.from({ length: plan.maxSeq - minS }, (_, i) => minS + 1 + i));
        for (const entry of plan.entries) {
          const candidates = vcs.flatMap((v) => v.prepared).filter((p) => p.prePrepare.seq === entry.seq);
          if (candidates.length === 0) expect(entry.digest).toEqual(orderingDigest(0, batchDigest([])));
          else {
            const top = Math.max(...candidates.map((c) => c.prePrepare.view));
            expect(candidates.some((c) => c.prePrepare.view === top && c.prePrepare.digest[0] === entry.digest[0])).toBe(true);
          }
        }
      }),
    );
  });

  it('a VIEW-CHANGE altered by a relay fails its signature check', () => {
    const cluster = new Cluster(4);
    const crypto = cluster.keys.crypto(2);
    const unsigned = {
      view: 1,
      stableSeq: 0,
      stableDigest: cluster.state(2).stable.digest,
      checkpointProof: [],
      prepared: [] as ViewChange['prepared'],
      replica: 2,
    };
    const vc: ViewChange = { type: 'viewChange', ...unsigned, signature: crypto.sign(viewChangeSignable(unsigned)) };
    expect(ofType(cluster.deliver(2, 1, vc), 'drop')).toHaveLength(0);
    const forged = { ...vc, view: 2 }; // the signature covers view, stable checkpoint and every entry of P
    expect(ofType(cluster.deliver(2, 3, forged), 'drop')[0]?.code).toBe('badSignature');
  });
});

describe('Castro-Liskov 4.3 and 5.3: state transfer for a replica behind a stable checkpoint', () => {
  it('a replica that missed 8 batches learns the stable checkpoint, fetches the state and adopts it', () => {
    const cluster = new Cluster(4);
    for (let t = 1; t <= 8; t++) commitRequest(cluster, cluster.request('bob', t), new Set([3]));
    expect(cluster.state(0).stable.seq).toBe(8);
    const proof = cluster.state(0).stable.proof;
    let effects: readonly ReplicaEffect[] = proof.flatMap((c) => cluster.deliver(c.replica, 3, c));
    const [fetch] = messages(effects, 'fetchState');
    expect(fetch).toMatchObject({ replica: 3, lastExecuted: 0 });
    effects = cluster.deliver(3, 0, fetch);
    const [transfer] = messages(effects, 'stateTransfer');
    effects = cluster.deliver(0, 3, transfer);
    expect(ofType(effects, 'stateTransferred')).toEqual([
      { type: 'stateTransferred', seq: 8, chainHead: cluster.state(0).chainHead },
    ]);
    expect(cluster.state(3).lastExecuted).toBe(8);
    // The client table came along: a retransmission gets the old reply.
    const again = cluster.step(3, { type: 'request', request: cluster.request('bob', 8) });
    expect(ofType(again, 'reply')[0]?.reply.result).toEqual(executionResult(8, 0));
  });

  it('a restarted replica that sees ordering above its high watermark asks the sender and catches up without waiting for a new checkpoint', () => {
    const cluster = new Cluster(4);
    for (let t = 1; t <= 12; t++) commitRequest(cluster, cluster.request('bob', t), new Set([3]));
    expect(cluster.state(0).stable.seq).toBe(12);
    // Replica 3 was down the whole time (no CHECKPOINTs reached it); time passes while it restarts.
    for (let i = 0; i < 20; i++) cluster.step(3, { type: 'tick' });
    const effects = cluster.step(0, { type: 'request', request: cluster.request('bob', 13) });
    const [prePrepare] = messages(effects, 'prePrepare');
    expect(prePrepare?.seq).toBe(13); // above replica 3's window (0, 8]
    const reaction = cluster.deliver(0, 3, prePrepare);
    expect(ofType(reaction, 'drop')[0]?.code).toBe('outsideWatermarks');
    const [status] = messages(reaction, 'status');
    expect(status).toMatchObject({ replica: 3, lastExecuted: 0 });
    // At most one STATUS per retransmission interval, however many such messages arrive.
    expect(messages(cluster.deliver(0, 3, prePrepare), 'status')).toHaveLength(0);
    const [transfer] = messages(cluster.deliver(3, 0, status), 'stateTransfer');
    expect(ofType(cluster.deliver(0, 3, transfer), 'stateTransferred')[0]?.seq).toBe(12);
    expect(cluster.state(3).lastExecuted).toBe(12);
  });

  it('rejects a snapshot that does not match the digest 2f + 1 replicas signed', () => {
    const cluster = new Cluster(4);
    for (let t = 1; t <= 4; t++) commitRequest(cluster, cluster.request('bob', t), new Set([3]));
    const stable = cluster.state(0).stable;
    const snapshot = { ...stable.snapshot, seq: 4, chainHead: new Uint8Array(32), clients: stable.snapshot?.clients ?? [] };
    const effects = cluster.deliver(0, 3, { type: 'stateTransfer', snapshot, proof: stable.proof, replica: 0 });
    expect(ofType(effects, 'drop')[0]?.code).toBe('invalidCertificate');
    expect(cluster.state(3).lastExecuted).toBe(0);
  });
});
