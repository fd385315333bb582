/**
 * @module
 * The canonical bytes that replicas sign, and the digests of requests, batches, snapshots and
 * ledger blocks. Each signed form starts with its own domain tag, so a signature on one kind
 * of message can never be read as another.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter } from '../internal/bytes.js';
import { merkleRoot } from '../internal/merkle.js';
import type { Checkpoint, Commit, NewView, PrePrepare, Prepare, Request, Snapshot, ViewChange } from './types.js';

/** Length of every digest (SHA-256). */
export const DIGEST_BYTES = 32;

const Tag = {
  request: 'medshare/pbft/v1/request',
  prePrepare: 'medshare/pbft/v1/pre-prepare',
  prepare: 'medshare/pbft/v1/prepare',
  commit: 'medshare/pbft/v1/commit',
  checkpoint: 'medshare/pbft/v1/checkpoint',
  viewChange: 'medshare/pbft/v1/view-change',
  newView: 'medshare/pbft/v1/new-view',
  snapshot: 'medshare/pbft/v1/snapshot',
  block: 'medshare/ledger/v1/block',
  genesis: 'medshare/ledger/v1/genesis',
} as const;

/** The bytes a client signs: (client, timestamp, operation). */
export function requestSignable(request: Pick<Request, 'client' | 'timestamp' | 'operation'>): Uint8Array {
  return new ByteWriter(64 + request.operation.length)
    .string(Tag.request)
    .string(request.client)
    .u64(request.timestamp)
    .bytes(request.operation)
    .finish();
}

/**
 * D(m) of a request: SHA-256 of its signable bytes and the client's signature, so that the batch
 * digest (and the ledger's Merkle root) covers every byte of the request as it was ordered.
 */
export function requestDigest(request: Pick<Request, 'client' | 'timestamp' | 'operation' | 'signature'>): Uint8Array {
  return sha256(new ByteWriter(96 + request.operation.length).bytes(requestSignable(request)).bytes(request.signature).finish());
}

/** d of a batch: the Merkle root of its request digests (the block's Merkle root in the ledger). */
export function batchDigest(batch: readonly Pick<Request, 'client' | 'timestamp' | 'operation' | 'signature'>[]): Uint8Array {
  return merkleRoot(batch.map(requestDigest));
}

export function prePrepareSignable(m: Pick<PrePrepare, 'view' | 'seq' | 'digest' | 'replica'>): Uint8Array {
  return new ByteWriter(96).string(Tag.prePrepare).u64(m.view).u64(m.seq).raw(m.digest).u32(m.replica).finish();
}

export function prepareSignable(m: Pick<Prepare, 'view' | 'seq' | 'digest' | 'replica'>): Uint8Array {
  return new ByteWriter(96).string(Tag.prepare).u64(m.view).u64(m.seq).raw(m.digest).u32(m.replica).finish();
}

export function commitSignable(m: Pick<Commit, 'view' | 'seq' | 'digest' | 'replica'>): Uint8Array {
  return new ByteWriter(96).string(Tag.commit).u64(m.view).u64(m.seq).raw(m.digest).u32(m.replica).finish();
}

export function checkpointSignable(m: Pick<Checkpoint, 'seq' | 'digest' | 'replica'>): Uint8Array {
  return new ByteWriter(96).string(Tag.checkpoint).u64(m.seq).raw(m.digest).u32(m.replica).finish();
}

/**
 * The signed part of a VIEW-CHANGE: view, stable checkpoint, and the (seq, view, digest) of every
 * prepared certificate. Covering P means no relay (a new primary included) can drop an entry.
 */
export function viewChangeSignable(
  m: Pick<ViewChange, 'view' | 'stableSeq' | 'stableDigest' | 'replica'> & {
    readonly prepared: readonly { readonly prePrepare: Pick<PrePrepare, 'view' | 'seq' | 'digest'> }[];
  },
): Uint8Array {
  const w = new ByteWriter(128 + 56 * m.prepared.length)
    .string(Tag.viewChange)
    .u64(m.view)
    .u64(m.stableSeq)
    .raw(m.stableDigest)
    .u32(m.replica)
    .u32(m.prepared.length);
  for (const p of m.prepared) w.u64(p.prePrepare.seq).u64(p.prePrepare.view).raw(p.prePrepare.digest);
  return w.finish();
}

/** The signed part of a NEW-VIEW: view, the digest of each VIEW-CHANGE in V, and the (seq, digest) of O. */
export function newViewSignable(m: Pick<NewView, 'view' | 'replica' | 'viewChanges' | 'prePrepares'>): Uint8Array {
  const w = new ByteWriter(128 + 40 * (m.viewChanges.length + m.prePrepares.length))
    .string(Tag.newView)
    .u64(m.view)
    .u32(m.replica)
    .u32(m.viewChanges.length);
  for (const vc of m.viewChanges) w.u32(vc.replica).raw(sha256(viewChangeSignable(vc)));
  w.u32(m.prePrepares.length);
  for (const pp of m.prePrepares) w.u64(pp.seq).raw(pp.digest);
  return w.finish();
}

/** Digest of a checkpoint's state: SHA-256 over seq, ledger head and the sorted client table. */
export function snapshotDigest(snapshot: Snapshot): Uint8Array {
  const w = new ByteWriter(128 + 64 * snapshot.clients.length)
    .string(Tag.snapshot)
    .u64(snapshot.seq)
    .raw(snapshot.chainHead)
    .u32(snapshot.clients.length);
  for (const c of snapshot.clients) w.string(c.client).u64(c.timestamp).bytes(c.result);
  return sha256(w.finish());
}

/** The hash of the empty ledger: the head before the first block. */
export const GENESIS_HASH: Uint8Array = sha256(new TextEncoder().encode(Tag.genesis));

/**
 * Hash of a ledger block: SHA-256(tag || height || previous hash || Merkle root of the batch).
 * The view and the commit certificate are not hashed: two honest replicas may commit the same
 * batch at the same height in different views, with different sets of COMMITs, and their
 * ledgers must still agree.
 */
export function blockHash(height: number, previousHash: Uint8Array, merkle: Uint8Array): Uint8Array {
  return sha256(new ByteWriter(112).string(Tag.block).u64(height).raw(previousHash).raw(merkle).finish());
}

/** The result a replica returns for an executed request: where it is on the ledger (height, index). */
export function executionResult(seq: number, index: number): Uint8Array {
  return new ByteWriter(12).u64(seq).u32(index).finish();
}
