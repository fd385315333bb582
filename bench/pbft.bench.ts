/**
 * PBFT block generation time and throughput (Huang et al. 2020, Fig. 5), with real Ed25519
 * signatures, all n replicas in this one process and no network: the figures are pure compute.
 *
 * For each n and batch size B: B signed client requests go to the primary, and the clock runs from
 * the first request to the moment all n replicas have recorded the block. Two modes:
 * - "full": every replica verifies every client signature (n * B Ed25519 verifications);
 * - "consensus only": requests arrive pre-authenticated (the smart contract of section 4.2.10 has
 *   checked the patient's and institution's signatures), so only protocol messages are verified;
 * - "full, native verify": as "full", but every verification (same Ed25519 signatures) goes through
 *   node:crypto (OpenSSL) instead of @noble/curves - the ReplicaCrypto the caller passes in decides.
 * Per-replica compute is the in-process time divided by n (replicas run in parallel when deployed).
 *
 * Run: npx tsx bench/pbft.bench.ts [--quick]
 */
import { createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  createReplica,
  ed25519Crypto,
  ed25519Signer,
  type ReplicaCrypto,
  type ReplicaEffect,
  type ReplicaMessage,
  type ReplicaState,
  type Request,
  signRequest,
  step,
} from '../src/pbft/index.js';
import { describeMachine, fmt, table } from './harness.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [4] : [4, 7, 10, 13];
const BATCHES = quick ? [1, 100] : [1, 10, 100, 1000];
const CLIENTS = 50;

function key(label: string) {
  const secretKey = new Uint8Array(32);
  new TextEncoder().encodeInto(label.padEnd(32, '#'), secretKey);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

const clientKeys = Array.from({ length: CLIENTS }, (_, i) => key(`client-${i}`));
const clientIndex = (id: string) => Number(id.slice('client-'.length));

/** B signed requests (signing is the clients' work, not timed), timestamps fresh per round. */
function requests(b: number, round: number): Request[] {
  const out: Request[] = [];
  for (let i = 0; i < b; i++) {
    const client = `client-${i % CLIENTS}`;
    const timestamp = round * 10_000 + Math.floor(i / CLIENTS) + 1;
    const operation = new TextEncoder().encode(`{"patient":"p${i}","institution":"lab","dataHash":"${i}"}`);
    out.push(
      signRequest(
        client,
        timestamp,
        operation,
        ed25519Signer((clientKeys[clientIndex(client)] as { secretKey: Uint8Array }).secretKey),
      ),
    );
  }
  return out;
}

type Mode = 'consensus only' | 'full' | 'full, native verify';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const nativeKeys = new Map<Uint8Array, KeyObject>();
function nativeVerify(publicKey: Uint8Array | undefined, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey === undefined || signature.length !== 64) return false;
  let keyObject = nativeKeys.get(publicKey);
  if (keyObject === undefined) {
    keyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    nativeKeys.set(publicKey, keyObject);
  }
  try {
    return nodeVerify(null, message, keyObject, signature);
  } catch {
    return false;
  }
}

function cluster(n: number, maxBatch: number, mode: Mode): ReplicaState[] {
  const keys = Array.from({ length: n }, (_, i) => key(`replica-${i}`));
  return keys.map((k, id) => {
    const clientKey = (c: string) => clientKeys[clientIndex(c)]?.publicKey;
    const base = ed25519Crypto({ secretKey: k.secretKey, replicaKeys: keys.map((x) => x.publicKey), clientKey });
    const crypto: ReplicaCrypto =
      mode === 'full'
        ? base
        : mode === 'consensus only'
          ? { ...base, verifyClient: () => true }
          : {
              sign: base.sign,
              verifyReplica: (r, m, sig) => nativeVerify(keys[r]?.publicKey, m, sig),
              verifyClient: (c, m, sig) => nativeVerify(clientKey(c), m, sig),
            };
    return createReplica({ id, n, crypto, maxBatch, checkpointInterval: 64, logWindow: 256, maxPending: 100_000 });
  });
}

/** Orders one batch; returns the elapsed milliseconds until every replica has executed it. */
function oneBlock(replicas: ReplicaState[], batch: Request[]): number {
  const n = replicas.length;
  const queue: Array<{ to: number; from: number; message: ReplicaMessage }> = [];
  let executed = 0;
  const apply = (id: number, effects: readonly ReplicaEffect[]) => {
    for (const e of effects) {
      if (e.type === 'broadcast') {
        for (let j = 0; j < n; j++) if (j !== id) queue.push({ to: j, from: id, message: e.message });
      } else if (e.type === 'send') queue.push({ to: e.to, from: id, message: e.message });
      else if (e.type === 'execute') executed++;
    }
  };
  const t0 = performance.now();
  for (const request of batch) {
    const out = step(replicas[0] as ReplicaState, { type: 'request', request });
    replicas[0] = out.state;
    apply(0, out.effects);
  }
  let head = 0;
  while (head < queue.length) {
    const { to, from, message } = queue[head++] as (typeof queue)[number];
    const out = step(replicas[to] as ReplicaState, { type: 'message', from, message });
    replicas[to] = out.state;
    apply(to, out.effects);
  }
  const elapsed = performance.now() - t0;
  if (executed !== n) throw new Error(`expected ${n} executions, saw ${executed}`);
  return elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

console.log(`# PBFT block generation (medshare/pbft), Ed25519, ${describeMachine()}\n`);
const rows: (string | number)[][] = [];
let target = { ms: Number.NaN, tps: Number.NaN };
let native = { ms: Number.NaN, tps: Number.NaN };
const MODES: Mode[] = ['consensus only', 'full', 'full, native verify'];
for (const mode of MODES) {
  for (const n of SIZES) {
    for (const b of BATCHES) {
      const runs = quick ? 1 : b >= 1000 || (mode === 'full' && b >= 100) ? 2 : 5;
      const replicas = cluster(n, b, mode);
      oneBlock(replicas, requests(b, 0)); // warm-up
      const times: number[] = [];
      for (let r = 1; r <= runs; r++) times.push(oneBlock(replicas, requests(b, r)));
      const ms = median(times);
      const tps = (b / ms) * 1000;
      if (mode === 'consensus only' && n === 4 && b === 100) target = { ms, tps };
      if (mode === 'full, native verify' && n === 4 && b === 100) native = { ms, tps };
      rows.push([mode, n, b, fmt(ms), fmt(ms / n), Math.round(tps), runs]);
    }
  }
}
console.log(
  table(['mode', 'n', 'batch', 'block time, all n in-process (ms)', 'per replica (ms)', 'throughput (tx/s)', 'runs'], rows),
);
console.log('\n## Beside the paper (Fig. 5, block generation time)\n');
console.log(
  table(
    ['scheme', 'consensus', 'time per block'],
    [
      ['MedRec (Azaria et al. 2016)', 'PoW', 'about 10 min (600 000 ms)'],
      ['MDSM (Xue et al. 2017)', 'DPoS', 'about 3 min (180 000 ms)'],
      [
        'Huang et al. 2020, Fig. 5',
        'PBFT',
        'no figure given; "33% growth rate of block generation speed" over MDSM, i.e. about 135 000 ms',
      ],
      ['medshare/pbft, n = 4, 100 tx, consensus only', 'PBFT', `${fmt(target.ms)} ms compute (network latency not included)`],
    ],
  ),
);
console.log(
  `\nTarget at n = 4 (100 tx per block under 100 ms, over 1,000 tx/s): ${fmt(target.ms)} ms, ${Math.round(target.tps)} tx/s -> ${
    target.ms < 100 && target.tps > 1000 ? 'met' : 'NOT met'
  } (consensus-only mode); with every replica checking every client signature through node:crypto: ${fmt(native.ms)} ms, ${Math.round(native.tps)} tx/s.`,
);
