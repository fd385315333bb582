/**
 * CPU cost of one replica step under the denial-of-service messages of issue 11 (items 2 and 3),
 * with real Ed25519 signatures: what one Byzantine replica can make an honest one spend.
 *
 * - an oversized NEW-VIEW: one VIEW-CHANGE carrying 128 genuine prepared certificates (too few
 *   VIEW-CHANGEs for a NEW-VIEW, so it must be refused), sent once and then replayed;
 * - an oversized VIEW-CHANGE with the same 128 certificates;
 * - a STATUS with lastExecuted 0 to a replica holding 127 slots of 1 KiB operations, sent 100
 *   times within one tick: the messages and bytes sent back.
 *
 * Run: npx tsx bench/pbft-dos.ts
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import * as pbft from '../src/pbft/index.js';
import type { PrePrepare, Prepare, ReplicaMessage, ReplicaState, Request, ViewChange } from '../src/pbft/index.js';
import { describeMachine, fmt, measure } from './harness.js';
import { labelKey } from './keys.js';

const N = 4;
const K = 64;
const L = 128;
const CERTS = 128;

const replicaKeys = Array.from({ length: N }, (_, i) => labelKey(`replica-${i}`));
const clientKey = labelKey('client');
const crypto = (id: number) =>
  pbft.ed25519Crypto({
    secretKey: (replicaKeys[id] as { secretKey: Uint8Array }).secretKey,
    replicaKeys: replicaKeys.map((k) => k.publicKey),
    clientKey: () => clientKey.publicKey,
  });
const signer = (id: number) => crypto(id).sign;

/** The ordering digest and extra PRE-PREPARE fields of this version of medshare/pbft. */
const api = pbft as unknown as Record<string, unknown>;
const orderingDigest = api.orderingDigest as ((time: number, merkleRoot: Uint8Array) => Uint8Array) | undefined;
function prePrepare(view: number, seq: number, batch: Request[], by: number): PrePrepare {
  const time = 0;
  const digest = orderingDigest ? orderingDigest(time, pbft.batchDigest(batch)) : pbft.batchDigest(batch);
  const unsigned = { view, seq, digest, replica: by, ...(orderingDigest ? { time } : {}) };
  return {
    type: 'prePrepare',
    ...unsigned,
    signature: signer(by)(pbft.prePrepareSignable(unsigned as never)),
    batch,
  } as PrePrepare;
}

function signedRequest(t: number): Request {
  const operation = new Uint8Array(1024).fill(t % 251);
  return pbft.signRequest('client', t, operation, (m) => ed25519.sign(m, clientKey.secretKey));
}

// 128 genuine prepared certificates of view 0 (primary 0, PREPAREs from 1 and 2).
const certificates = Array.from({ length: CERTS }, (_, i) => {
  const pp = prePrepare(0, i + 1, [signedRequest(i + 1)], 0);
  const prepares: Prepare[] = [1, 2].map((r) => {
    const unsigned = { view: 0, seq: pp.seq, digest: pp.digest, replica: r };
    return { type: 'prepare', ...unsigned, signature: signer(r)(pbft.prepareSignable(unsigned)) };
  });
  return { prePrepare: pp, prepares };
});

// Replica 3 is Byzantine: a VIEW-CHANGE to view 3 (where it is the primary) with all of them.
const vcUnsigned = {
  view: 3,
  stableSeq: 0,
  stableDigest: pbft.GENESIS_CHECKPOINT_DIGEST,
  checkpointProof: [],
  prepared: certificates,
  replica: 3,
};
const viewChange: ViewChange = {
  type: 'viewChange',
  ...vcUnsigned,
  signature: signer(3)(pbft.viewChangeSignable(vcUnsigned)),
};
const plan = pbft.computeNewViewPlan(3, [viewChange]);
const prePrepares = plan.entries.map((e) => ({
  ...prePrepare(3, e.seq, [...e.batch], 3),
  digest: e.digest,
  ...(orderingDigest ? { time: (e as { time?: number }).time ?? 0 } : {}),
}));
for (const pp of prePrepares) {
  const { type: _t, batch: _b, signature: _s, ...unsigned } = pp;
  (pp as { signature: Uint8Array }).signature = signer(3)(pbft.prePrepareSignable(unsigned as never));
}
const nvUnsigned = { view: 3, viewChanges: [viewChange], prePrepares, replica: 3 };
const newView = { type: 'newView', ...nvUnsigned, signature: signer(3)(pbft.newViewSignable(nvUnsigned as never)) };

function backup(): ReplicaState {
  return pbft.createReplica({ id: 1, n: N, crypto: crypto(1), checkpointInterval: K, logWindow: L });
}

const lines: string[] = [`machine: ${describeMachine()}`, ''];
function report(name: string, m: { medianMs: number; minMs: number; maxMs: number; runs: number }, extra = '') {
  lines.push(`${name}: median ${fmt(m.medianMs)} ms (min ${fmt(m.minMs)}, max ${fmt(m.maxMs)}, ${m.runs} runs)${extra}`);
}

const bytesOf = (m: unknown) => JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? 'x'.repeat(v.length) : v)).length;
lines.push(
  `NEW-VIEW size ~${(bytesOf(newView) / 1024).toFixed(0)} KiB (JSON estimate), VIEW-CHANGE ~${(bytesOf(viewChange) / 1024).toFixed(0)} KiB`,
);

let dropped = '';
report(
  'oversized NEW-VIEW (1 VIEW-CHANGE, 128 certificates), first delivery',
  measure(
    'nv',
    (state) => {
      const out = pbft.step(state, { type: 'message', from: 3, message: newView });
      dropped = out.effects
        .map((e) => (e.type === 'drop' ? `${(e as { code?: string }).code ?? ''} ${e.reason}` : e.type))
        .join('; ');
    },
    backup,
    { minRuns: 3, budgetMs: 3000, warmup: 1 },
  ),
);
lines.push(`  -> ${dropped}`);
{
  // The same bytes replayed to a replica that already refused them.
  const first = pbft.step(backup(), { type: 'message', from: 3, message: newView }).state;
  report(
    'the same NEW-VIEW replayed',
    measure(
      'nv replay',
      (state) => pbft.step(state, { type: 'message', from: 3, message: newView }),
      () => first,
      {
        minRuns: 3,
        budgetMs: 3000,
        warmup: 1,
      },
    ),
  );
}
report(
  'oversized VIEW-CHANGE (128 certificates)',
  measure('vc', (state) => pbft.step(state, { type: 'message', from: 3, message: viewChange }), backup, {
    minRuns: 3,
    budgetMs: 3000,
    warmup: 1,
  }),
);

// STATUS amplification: replica 1 holds 127 slots (a pre-prepare, its prepare and its commit each).
{
  let state = backup();
  for (const cert of certificates.slice(0, 127)) {
    state = pbft.step(state, { type: 'message', from: 0, message: cert.prePrepare }).state;
    state = pbft.step(state, { type: 'message', from: 2, message: cert.prepares[1] as Prepare }).state;
  }
  const status = { type: 'status', replica: 3, view: 0, viewChanging: false, lastExecuted: 0, stableSeq: 0 };
  let messages = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) {
    const out = pbft.step(state, { type: 'message', from: 3, message: status });
    state = out.state;
    for (const e of out.effects) {
      if (e.type === 'send' || e.type === 'broadcast') {
        messages++;
        bytes += bytesOf(e.message as ReplicaMessage);
      }
    }
  }
  const ms = performance.now() - t0;
  lines.push(
    `100 STATUS (lastExecuted 0, ~${bytesOf(status)} B each) within one tick: ${messages} messages, ~${(bytes / 1024).toFixed(0)} KiB sent back, ${fmt(ms)} ms`,
  );
}
console.log(lines.join('\n'));
