/**
 * The canonical bytes that replicas sign, and the digests of requests, batches, snapshots and
 * ledger blocks. Each signed form starts with its own domain tag, so a signature on one kind
 * of message can never be read as another.
 *
 * Notation: `str(s)` is a u32 big-endian byte length then the UTF-8 bytes; `bytes(b)` is a u32
 * length then b; u32 and u64 are big-endian (a u64 holds a non-negative safe integer); `raw(d)`
 * is d with no length prefix, used only for 32-byte digests. Every form has a fixed layout, so
 * it is injective as long as those digests are 32 bytes, which {@link checkReplicaMessage} enforces.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter } from '../internal/bytes.js';
import { merkleRoot } from '../internal/merkle.js';
import type { Checkpoint, Commit, NewView, PrePrepare, Prepare, Request, Snapshot, Suspect, ViewChange } from './types.js';

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
  suspect: 'medshare/pbft/v1/suspect',
  snapshot: 'medshare/pbft/v1/snapshot',
  ordering: 'medshare/pbft/v1/ordering',
  block: 'medshare/ledger/v1/block',
  genesis: 'medshare/ledger/v1/genesis',
} as const;

/**
 * The bytes a client signs: str(tag) || str(client) || u64(timestamp) || bytes(operation), with
 * tag `medshare/pbft/v1/request`.
 * @param request - the client, timestamp and operation of a request
 * @returns the signable bytes
 * @throws RangeError if timestamp is not a non-negative safe integer
 */
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
 * Precisely SHA-256(bytes({@link requestSignable}(request)) || bytes(signature)).
 * @param request - a signed request
 * @returns the 32-byte digest
 * @throws RangeError if timestamp is not a non-negative safe integer
 */
export function requestDigest(request: Pick<Request, 'client' | 'timestamp' | 'operation' | 'signature'>): Uint8Array {
  return sha256(new ByteWriter(96 + request.operation.length).bytes(requestSignable(request)).bytes(request.signature).finish());
}

/**
 * d of a batch: the Merkle root of its request digests (the block's Merkle root in the ledger).
 * The tree is RFC 6962's Merkle tree hash over the {@link requestDigest} of each request, in batch
 * order; the empty batch (the null request) has digest SHA-256 of the empty string.
 * @param batch - the requests, in the order of the PRE-PREPARE
 * @returns the 32-byte digest
 * @throws RangeError if a timestamp is not a non-negative safe integer
 */
export function batchDigest(batch: readonly Pick<Request, 'client' | 'timestamp' | 'operation' | 'signature'>[]): Uint8Array {
  return merkleRoot(batch.map(requestDigest));
}

/**
 * The digest d a PRE-PREPARE carries and every PREPARE and COMMIT signs: the batch's Merkle root
 * bound to the batch's time, SHA-256(str(tag) || u64(time) || raw(merkleRoot)) with tag
 * `medshare/pbft/v1/ordering`. So the commit certificate of a block certifies its time too.
 * @param time - the batch's time ({@link PrePrepare.time})
 * @param merkleRoot - {@link batchDigest} of the batch (32 bytes)
 * @returns the 32-byte digest
 * @throws RangeError if time is not a non-negative safe integer
 */
export function orderingDigest(time: number, merkleRoot: Uint8Array): Uint8Array {
  return sha256(new ByteWriter(80).string(Tag.ordering).u64(time).raw(merkleRoot).finish());
}

/**
 * The bytes a PRE-PREPARE is signed over (σp: signed by the primary of view): str(tag) || u64(view) || u64(seq) ||
 * raw(digest) || u32(replica), with tag `medshare/pbft/v1/pre-prepare`. The batch is not included: it is bound by digest.
 * @param m - the view, sequence number, 32-byte digest and sender of the message
 * @returns the signable bytes
 * @throws RangeError if view or seq is not a non-negative safe integer
 */
export function prePrepareSignable(m: Pick<PrePrepare, 'view' | 'seq' | 'digest' | 'replica'>): Uint8Array {
  return new ByteWriter(96).string(Tag.prePrepare).u64(m.view).u64(m.seq).raw(m.digest).u32(m.replica).finish();
}

/**
 * The bytes a PREPARE is signed over (σi: signed by backup i): str(tag) || u64(view) || u64(seq) ||
 * raw(digest) || u32(replica), with tag `medshare/pbft/v1/prepare`.
 * @param m - the view, sequence number, 32-byte digest and sender of the message
 * @returns the signable bytes
 * @throws RangeError if view or seq is not a non-negative safe integer
 */
export function prepareSignable(m: Pick<Prepare, 'view' | 'seq' | 'digest' | 'replica'>): Uint8Array {
  return new ByteWriter(96).string(Tag.prepare).u64(m.view).u64(m.seq).raw(m.digest).u32(m.replica).finish();
}

/**
 * The bytes a COMMIT is signed over (σi: signed by replica i): str(tag) || u64(view) || u64(seq) ||
 * raw(digest) || u32(replica), with tag `medshare/pbft/v1/commit`.
 * @param m - the view, sequence number, 32-byte digest and sender of the message
 * @returns the signable bytes
 * @throws RangeError if view or seq is not a non-negative safe integer
 */
export function commitSignable(m: Pick<Commit, 'view' | 'seq' | 'digest' | 'replica'>): Uint8Array {
  return new ByteWriter(96).string(Tag.commit).u64(m.view).u64(m.seq).raw(m.digest).u32(m.replica).finish();
}

/**
 * The bytes a CHECKPOINT is signed over: str(tag) || u64(seq) || raw(digest) || u32(replica), with
 * tag `medshare/pbft/v1/checkpoint`.
 * @param m - the sequence number, 32-byte state digest ({@link snapshotDigest}) and sender
 * @returns the signable bytes
 * @throws RangeError if seq is not a non-negative safe integer
 */
export function checkpointSignable(m: Pick<Checkpoint, 'seq' | 'digest' | 'replica'>): Uint8Array {
  return new ByteWriter(96).string(Tag.checkpoint).u64(m.seq).raw(m.digest).u32(m.replica).finish();
}

/**
 * The signed part of a VIEW-CHANGE: view, stable checkpoint, and the (seq, view, digest) of every
 * prepared certificate. Covering P means no relay (a new primary included) can drop an entry.
 * Layout: str(tag) || u64(view) || u64(stableSeq) || raw(stableDigest) || u32(replica) || u32(|P|),
 * then u64(seq) || u64(view) || raw(digest) for each entry of P in order, with tag
 * `medshare/pbft/v1/view-change`. The checkpoint proof C and the PREPAREs of P are not included.
 * @param m - the VIEW-CHANGE (only the fields above are read)
 * @returns the signable bytes
 * @throws RangeError if a view or sequence number is not a non-negative safe integer
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

/**
 * The bytes a SUSPECT is signed over: str(tag) || u64(view) || u32(replica), with tag
 * `medshare/pbft/v1/suspect`.
 * @param m - the suspected view and the accusing replica
 * @returns the signable bytes
 * @throws RangeError if view is not a non-negative safe integer
 */
export function suspectSignable(m: Pick<Suspect, 'view' | 'replica'>): Uint8Array {
  return new ByteWriter(64).string(Tag.suspect).u64(m.view).u32(m.replica).finish();
}

/**
 * The signed part of a NEW-VIEW: view, the digest of each VIEW-CHANGE in V, and the (seq, digest) of O.
 * Layout: str(tag) || u64(view) || u32(replica) || u32(|V|), then u32(replica) ||
 * SHA-256({@link viewChangeSignable}(vc)) for each VIEW-CHANGE vc of V, then u32(|O|), then
 * u64(seq) || raw(digest) for each PRE-PREPARE of O, with tag `medshare/pbft/v1/new-view`.
 * @param m - the NEW-VIEW (only the fields above are read)
 * @returns the signable bytes
 * @throws RangeError if a view or sequence number is not a non-negative safe integer
 */
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

/**
 * Digest of a checkpoint's state: SHA-256 over seq, ledger head and the sorted client table.
 * Precisely SHA-256(str(tag) || u64(seq) || raw(chainHead) || u64(time) || u32(|clients|) || for each record
 * str(client) || u64(timestamp) || bytes(result)), with tag `medshare/pbft/v1/snapshot`. The
 * records are hashed in the given order, so replicas agree only if `clients` is sorted by client.
 * @param snapshot - the state at a checkpoint
 * @returns the 32-byte digest d of ⟨CHECKPOINT, n, d, i⟩
 * @throws RangeError if seq or a timestamp is not a non-negative safe integer
 */
export function snapshotDigest(snapshot: Snapshot): Uint8Array {
  const w = new ByteWriter(128 + 64 * snapshot.clients.length)
    .string(Tag.snapshot)
    .u64(snapshot.seq)
    .raw(snapshot.chainHead)
    .u64(snapshot.time)
    .u32(snapshot.clients.length);
  for (const c of snapshot.clients) w.string(c.client).u64(c.timestamp).bytes(c.result);
  return sha256(w.finish());
}

/**
 * The hash of the empty ledger: the head before the first block, and the previous hash of the
 * block at height 1. It is SHA-256 of the UTF-8 string `medshare/ledger/v1/genesis`.
 */
export const GENESIS_HASH: Uint8Array = sha256(new TextEncoder().encode(Tag.genesis));

/**
 * Hash of a ledger block: SHA-256(tag || height || previous hash || d), where d is the PRE-PREPARE
 * digest {@link orderingDigest}(time, Merkle root of the batch), so the hash covers the batch and its
 * time. The view and the commit certificate are not hashed: two honest replicas may commit the same
 * batch at the same height in different views, with different sets of COMMITs, and their ledgers
 * must still agree.
 * Precisely SHA-256(str(tag) || u64(height) || raw(previousHash) || raw(digest)), with tag
 * `medshare/ledger/v1/block`.
 * @param height - the block's height, equal to its PBFT sequence number (1 for the first block)
 * @param previousHash - the hash of the block at height - 1, or {@link GENESIS_HASH} for height 1
 * @param digest - the block's ordering digest, {@link orderingDigest}(time, merkleRoot)
 * @returns the 32-byte block hash
 * @throws RangeError if height is not a non-negative safe integer
 */
export function blockHash(height: number, previousHash: Uint8Array, digest: Uint8Array): Uint8Array {
  return sha256(new ByteWriter(112).string(Tag.block).u64(height).raw(previousHash).raw(digest).finish());
}

/**
 * The result a replica returns for an executed request: where it is on the ledger (height, index).
 * @param seq - the sequence number of the batch, which is the block's height
 * @param index - the request's index in the batch
 * @returns 12 bytes: u64(seq) || u32(index)
 * @throws RangeError if seq is not a non-negative safe integer
 */
export function executionResult(seq: number, index: number): Uint8Array {
  return new ByteWriter(12).u64(seq).u32(index).finish();
}
