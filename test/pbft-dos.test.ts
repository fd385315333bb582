/**
 * Denial of service by one Byzantine replica (issue 11, items 2 and 3). The cost that matters is
 * the number of signature verifications an honest replica spends on a message it will refuse, and
 * the number of messages it sends back for one small one; both are counted here (the CPU time with
 * real Ed25519 signatures is measured by bench/pbft-dos.ts, never asserted in a test).
 */
import { describe, expect, it } from 'vitest';
import {
  batchDigest,
  computeNewViewPlan,
  createReplica,
  GENESIS_CHECKPOINT_DIGEST,
  type NewView,
  newViewSignable,
  orderingDigest,
  type PreparedProof,
  type PrePrepare,
  type Prepare,
  prePrepareSignable,
  prepareSignable,
  type ReplicaCrypto,
  type ReplicaEffect,
  type ReplicaState,
  step,
  suspectSignable,
  type ViewChange,
  viewChangeSignable,
} from '../src/pbft/index.js';
import { Cluster, ofType } from './support/pbft-harness.js';

const n = 4;
const cluster = new Cluster(n, { checkpointInterval: 4, logWindow: 8 });

/** A replica whose crypto counts the signature verifications it is asked for. */
function counted(id: number): { replica: ReplicaState; verifications: () => number } {
  let count = 0;
  const base = cluster.keys.crypto(id);
  const crypto: ReplicaCrypto = {
    sign: base.sign,
    verifyReplica: (r, m, s) => {
      count++;
      return base.verifyReplica(r, m, s);
    },
    verifyClient: (c, m, s) => {
      count++;
      return base.verifyClient(c, m, s);
    },
  };
  return {
    replica: createReplica({ id, n, crypto, checkpointInterval: 4, logWindow: 8 }),
    verifications: () => count,
  };
}

function prePrepare(view: number, seq: number, batch = [cluster.request('alice', seq)]): PrePrepare {
  const by = view % n;
  const unsigned = { view, seq, digest: orderingDigest(0, batchDigest(batch)), time: 0, replica: by };
  return { type: 'prePrepare', ...unsigned, batch, signature: cluster.keys.crypto(by).sign(prePrepareSignable(unsigned)) };
}

/** A genuine prepared certificate of view 0 for seq (PREPAREs from backups 1 and 2). */
function certificate(seq: number): PreparedProof {
  const pp = prePrepare(0, seq);
  const prepares: Prepare[] = [1, 2].map((r) => {
    const unsigned = { view: 0, seq, digest: pp.digest, replica: r };
    return { type: 'prepare', ...unsigned, signature: cluster.keys.crypto(r).sign(prepareSignable(unsigned)) };
  });
  return { prePrepare: pp, prepares };
}

function viewChange(replica: number, view: number, prepared: PreparedProof[]): ViewChange {
  const unsigned = { view, stableSeq: 0, stableDigest: GENESIS_CHECKPOINT_DIGEST, checkpointProof: [], prepared, replica };
  return { type: 'viewChange', ...unsigned, signature: cluster.keys.crypto(replica).sign(viewChangeSignable(unsigned)) };
}

function newView(view: number, viewChanges: ViewChange[]): NewView {
  const by = view % n;
  const plan = computeNewViewPlan(view, viewChanges);
  const prePrepares = plan.entries.map((e) => prePrepare(view, e.seq, [...e.batch]));
  const unsigned = { view, viewChanges, prePrepares, replica: by };
  return { type: 'newView', ...unsigned, signature: cluster.keys.crypto(by).sign(newViewSignable(unsigned)) };
}

const certificates = Array.from({ length: 8 }, (_, i) => certificate(i + 1));
const drops = (effects: readonly ReplicaEffect[]) => ofType(effects, 'drop').map((d) => d.code);

describe('item 2: a NEW-VIEW or VIEW-CHANGE costs its cheap checks before any signature', () => {
  it('a NEW-VIEW with one VIEW-CHANGE carrying 8 genuine certificates is refused without one verification', () => {
    // Replica 3 is Byzantine and the primary of view 3.
    const nv = newView(3, [viewChange(3, 3, certificates)]);
    const { replica, verifications } = counted(1);
    const { effects } = step(replica, { type: 'message', from: 3, message: nv });
    expect(drops(effects)).toEqual(['tooFewViewChanges']);
    expect(verifications()).toBe(0); // the old code verified 1 + 1 + 8 x 3 = 26 signatures first
  });

  it('a NEW-VIEW whose last certificate is forged is refused once, then its replays cost nothing', () => {
    const forged = certificate(8);
    const tampered = {
      ...forged,
      prepares: [forged.prepares[0] as Prepare, { ...(forged.prepares[1] as Prepare), signature: new Uint8Array(8) }],
    };
    const vcs = [viewChange(1, 3, []), viewChange(2, 3, []), viewChange(3, 3, [...certificates.slice(0, 7), tampered])];
    const nv = newView(3, vcs);
    const { replica, verifications } = counted(1);
    const first = step(replica, { type: 'message', from: 3, message: nv });
    expect(drops(first.effects)).toEqual(['invalidCertificate']);
    const spent = verifications();
    expect(spent).toBeGreaterThan(4);
    let state = first.state;
    for (let i = 0; i < 10; i++) {
      const again = step(state, { type: 'message', from: 3, message: nv });
      expect(drops(again.effects)).toEqual(['refusedBefore']);
      state = again.state;
    }
    expect(verifications()).toBe(spent);
    // The memory is per sender: another replica may still relay a (valid) NEW-VIEW for view 3.
    expect(state.refused.has('newView/3/3')).toBe(true);
    expect(state.refused.size).toBe(1);
  });

  it('a backup spends one verification on a VIEW-CHANGE (the sender signature); its certificates wait for the new primary', () => {
    const vc = viewChange(3, 1, certificates);
    const backup = counted(2); // the primary of view 1 is replica 1
    step(backup.replica, { type: 'message', from: 3, message: vc });
    expect(backup.verifications()).toBe(1);
  });

  it('the new primary verifies the certificates of the 2f + 1 it uses, once each, and discards a forged one', () => {
    const primary = counted(1);
    let state = primary.replica;
    // Replica 1 times out and is in the view change to view 1 (its own VIEW-CHANGE has no certificates).
    state = step(state, { type: 'request', request: cluster.request('bob', 1) }).state;
    for (let t = 0; t < state.config.viewChangeTimeout; t++) state = step(state, { type: 'tick' }).state;
    const accusation = {
      type: 'suspect',
      view: 0,
      replica: 3,
      signature: cluster.keys.crypto(3).sign(suspectSignable({ view: 0, replica: 3 })),
    };
    state = step(state, { type: 'message', from: 3, message: accusation }).state;
    expect(state).toMatchObject({ view: 1, status: 'viewChanging' });
    const forged = certificate(3);
    const bad = {
      ...forged,
      prepares: [forged.prepares[0] as Prepare, { ...(forged.prepares[1] as Prepare), signature: new Uint8Array(8) }],
    };
    const out3 = step(state, { type: 'message', from: 3, message: viewChange(3, 1, certificates.slice(0, 2)) });
    const before = primary.verifications();
    const out2 = step(out3.state, { type: 'message', from: 2, message: viewChange(2, 1, [bad]) });
    expect(drops(out2.effects)).toEqual(['invalidCertificate']);
    expect(out2.state.viewChanges.has(2)).toBe(false);
    expect(out2.state.status).toBe('viewChanging'); // its own and replica 3's: 2 of 3
    expect(out2.state.verifiedViewChanges).toEqual(new Set([3]));
    const checked = primary.verifications();
    expect(checked - before).toBe(1 + 3 + 2 * 3); // replica 2's signature and certificate, replica 3's two certificates
    const out0 = step(out2.state, { type: 'message', from: 0, message: viewChange(0, 1, []) });
    expect(primary.verifications() - checked).toBe(1); // replica 0's signature; replica 3 is not checked again
    expect(ofType(out0.effects, 'viewEntered')).toEqual([{ type: 'viewEntered', view: 1 }]);
  });
});

describe('item 3: STATUS answers are rate-limited per peer and bounded', () => {
  /** Replica 1 holding 8 slots of view 0 (pre-prepared and prepared by itself). */
  function loaded(): ReplicaState {
    let state = cluster.state(1);
    for (const cert of certificates) {
      state = step(state, { type: 'message', from: 0, message: cert.prePrepare }).state;
    }
    return state;
  }
  const status = { type: 'status', replica: 3, view: 0, viewChanging: false, lastExecuted: 0, stableSeq: 0 };

  it('100 STATUS within one tick get one answer, of at most K slots', () => {
    let state = loaded();
    let sent = 0;
    let answers = 0;
    for (let i = 0; i < 100; i++) {
      const out = step(state, { type: 'message', from: 3, message: status });
      state = out.state;
      const messages = out.effects.filter((e) => e.type === 'send').length;
      if (messages > 0) answers++;
      sent += messages;
      if (i > 0) expect(drops(out.effects)).toEqual(['rateLimited']);
    }
    expect(answers).toBe(1);
    // K = 4 slots, a PRE-PREPARE and this replica's PREPARE for each (the old code: all 8 slots, 100 times).
    expect(sent).toBe(8);
  });

  it('100 STATUS marked catchingUp within one tick: still one answer, its K slots and one STATUS of its own', () => {
    let state = loaded();
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      const out = step(state, { type: 'message', from: 3, message: { ...status, catchingUp: true } });
      state = out.state;
      for (const e of out.effects) if (e.type === 'send') sent.push(e.message.type);
      if (i > 0) expect(drops(out.effects)).toEqual(['rateLimited']);
    }
    expect(sent).toHaveLength(9);
    expect(sent.filter((t) => t === 'status')).toHaveLength(1);
    expect(sent[8]).toBe('status'); // last, after what the peer lacks
  });

  it('after retransmitInterval ticks the same peer is answered again; another peer is answered at once', () => {
    let state = step(loaded(), { type: 'message', from: 3, message: status }).state;
    const other = step(state, { type: 'message', from: 2, message: { ...status, replica: 2 } });
    expect(other.effects.filter((e) => e.type === 'send').length).toBeGreaterThan(0);
    for (let t = 0; t < state.config.retransmitInterval; t++) state = step(state, { type: 'tick' }).state;
    const later = step(state, { type: 'message', from: 3, message: status });
    expect(later.effects.filter((e) => e.type === 'send').length).toBeGreaterThan(0);
  });
});
