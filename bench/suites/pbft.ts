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
 * Run: npm run bench -- --only pbft [--quick]
 */
import { createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
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
} from '../../src/pbft/index.js';
import { type MeasureOptions, measure } from '../harness.js';
import { labelKey } from '../keys.js';
import type { PbftPoint } from '../report.js';

const CLIENTS = 50;

const clientKeys = Array.from({ length: CLIENTS }, (_, i) => labelKey(`client-${i}`));
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

/** How client signatures are checked (see the module documentation). */
export type Mode = 'consensus only' | 'full' | 'full, native verify';

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
  const keys = Array.from({ length: n }, (_, i) => labelKey(`replica-${i}`));
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

/**
 * Block generation time and throughput for n in {4, 7, 10, 13} (quick: 4) and batch sizes 1 to
 * 1000 (quick: 1 and 100), in each mode.
 */
export function runPbftSuite(opts: MeasureOptions, quick: boolean, progress: (message: string) => void): PbftPoint[] {
  const sizes = quick ? [4] : [4, 7, 10, 13];
  const batches = quick ? [1, 100] : [1, 10, 100, 1000];
  const modes: Mode[] = quick ? ['consensus only', 'full, native verify'] : ['consensus only', 'full', 'full, native verify'];
  const points: PbftPoint[] = [];
  for (const mode of modes) {
    for (const n of sizes) {
      for (const b of batches) {
        progress(`pbft: ${mode}, n = ${n}, ${b} tx per block`);
        const replicas = cluster(n, b, mode);
        let round = 0;
        // Large blocks are slow in "full" mode: fewer runs there, still at least 2.
        const heavy = b >= 1000 || (mode === 'full' && b >= 100);
        const block = measure(
          `pbft ${mode} n=${n} batch=${b}`,
          (batch: Request[]) => oneBlock(replicas, batch),
          () => requests(b, round++),
          heavy ? { minRuns: 2, budgetMs: 0, warmup: 1 } : { ...opts, budgetMs: Math.min(opts.budgetMs ?? 1000, 1000) },
        );
        points.push({ mode, replicas: n, batch: b, block, throughput: (b / block.medianMs) * 1000 });
      }
    }
  }
  return points;
}
