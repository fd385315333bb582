/**
 * @module
 * Checks of the certificates replicas relay to one another: checkpoint proofs (2f + 1 CHECKPOINTs),
 * prepared certificates (PRE-PREPARE + 2f PREPAREs), VIEW-CHANGE messages, and commit certificates
 * (2f + 1 COMMITs, the proof attached to each ledger block). Each returns null when valid, or
 * the reason it is not. Signature checks go through the caller's {@link ReplicaCrypto}.
 */
import { bytesEqual } from '../internal/bytes.js';
import {
  batchDigest,
  checkpointSignable,
  commitSignable,
  GENESIS_HASH,
  prePrepareSignable,
  prepareSignable,
  snapshotDigest,
  viewChangeSignable,
} from './encoding.js';
import { primaryOf, quorums } from './quorum.js';
import type { Checkpoint, Commit, PreparedProof, PrePrepare, ReplicaCrypto, Request, Snapshot, ViewChange } from './types.js';
import { requestSignable } from './encoding.js';

/**
 * A verifier that never throws: a throwing or non-boolean verifier counts as "invalid".
 * @param crypto - the caller's verifier
 * @param replica - the index of the replica whose signature it should be
 * @param message - the signed bytes
 * @param sig - the signature
 * @returns true only if `crypto.verifyReplica` returned exactly `true`
 */
export function safeVerifyReplica(
  crypto: Pick<ReplicaCrypto, 'verifyReplica'>,
  replica: number,
  message: Uint8Array,
  sig: Uint8Array,
): boolean {
  try {
    return crypto.verifyReplica(replica, message, sig) === true;
  } catch {
    return false;
  }
}

/**
 * Checks a request's client signature on {@link requestSignable}, never throwing: a throwing or
 * non-boolean verifier counts as "invalid".
 * @param crypto - the caller's verifier
 * @param request - the signed request
 * @returns true only if `crypto.verifyClient` returned exactly `true`
 */
export function safeVerifyClient(crypto: Pick<ReplicaCrypto, 'verifyClient'>, request: Request): boolean {
  try {
    return crypto.verifyClient(request.client, requestSignable(request), request.signature) === true;
  } catch {
    return false;
  }
}

/** The state of the genesis checkpoint (seq 0): the empty ledger and an empty client table. */
export const GENESIS_SNAPSHOT: Snapshot = { seq: 0, chainHead: GENESIS_HASH, clients: [] };
/**
 * The digest of the genesis checkpoint: {@link snapshotDigest} of seq 0, the empty ledger
 * ({@link GENESIS_HASH}) and an empty client table. Every replica starts with it as its stable
 * checkpoint, and a VIEW-CHANGE whose stableSeq is 0 must carry it (with an empty proof).
 */
export const GENESIS_CHECKPOINT_DIGEST: Uint8Array = snapshotDigest(GENESIS_SNAPSHOT);

/**
 * Checks that `proof` holds CHECKPOINTs for (seq, digest) signed by at least 2f + 1 distinct replicas.
 * The genesis checkpoint (seq 0) needs no proof.
 * Expects messages that passed {@link checkReplicaMessage} (replica indices in [0, n)).
 * @param proof - the CHECKPOINT messages (C of a VIEW-CHANGE, or the proof of a state transfer)
 * @param seq - the checkpoint's sequence number
 * @param digest - the state digest every CHECKPOINT must carry
 * @param n - the number of replicas (sets 2f + 1)
 * @param crypto - verifies the replicas' signatures
 * @returns null if the proof is valid, otherwise the reason it is not
 */
export function checkCheckpointProof(
  proof: readonly Checkpoint[],
  seq: number,
  digest: Uint8Array,
  n: number,
  crypto: Pick<ReplicaCrypto, 'verifyReplica'>,
): string | null {
  if (seq === 0) return bytesEqual(digest, GENESIS_CHECKPOINT_DIGEST) ? null : 'checkpoint 0 is not the genesis checkpoint';
  const signers = new Set<number>();
  for (const c of proof) {
    if (c.seq !== seq || !bytesEqual(c.digest, digest)) return `checkpoint proof: a message is for another checkpoint`;
    if (signers.has(c.replica)) return `checkpoint proof: replica ${c.replica} counted twice`;
    if (!safeVerifyReplica(crypto, c.replica, checkpointSignable(c), c.signature)) {
      return `checkpoint proof: bad signature of replica ${c.replica}`;
    }
    signers.add(c.replica);
  }
  const need = quorums(n).checkpoint;
  return signers.size >= need ? null : `checkpoint proof: ${signers.size} signers, need ${need}`;
}

/**
 * Checks a PRE-PREPARE's signature (by the primary of its view) and that its batch hashes to its digest.
 * Neither the client signatures in the batch nor the watermarks are checked here.
 * @param pp - a shape-checked PRE-PREPARE
 * @param n - the number of replicas (for the primary, v mod n)
 * @param crypto - verifies the primary's signature
 * @returns null if valid, otherwise the reason
 */
export function checkPrePrepare(pp: PrePrepare, n: number, crypto: Pick<ReplicaCrypto, 'verifyReplica'>): string | null {
  if (pp.replica !== primaryOf(pp.view, n)) return `pre-prepare from ${pp.replica}, not the primary of view ${pp.view}`;
  if (!safeVerifyReplica(crypto, pp.replica, prePrepareSignable(pp), pp.signature)) return 'pre-prepare: bad signature';
  if (!bytesEqual(batchDigest(pp.batch), pp.digest)) return 'pre-prepare: digest does not match the batch';
  return null;
}

/**
 * Checks a prepared certificate: a valid PRE-PREPARE and 2f matching PREPAREs from distinct backups.
 * Expects messages that passed {@link checkReplicaMessage}.
 * @param proof - the certificate
 * @param n - the number of replicas (sets 2f and the primary)
 * @param crypto - verifies the replicas' signatures
 * @returns null if valid, otherwise the reason
 */
export function checkPreparedProof(proof: PreparedProof, n: number, crypto: Pick<ReplicaCrypto, 'verifyReplica'>): string | null {
  const pp = proof.prePrepare;
  const bad = checkPrePrepare(pp, n, crypto);
  if (bad !== null) return `prepared certificate for seq ${pp.seq}: ${bad}`;
  const signers = new Set<number>();
  for (const p of proof.prepares) {
    if (p.view !== pp.view || p.seq !== pp.seq || !bytesEqual(p.digest, pp.digest)) {
      return `prepared certificate for seq ${pp.seq}: a PREPARE does not match`;
    }
    if (p.replica === pp.replica) return `prepared certificate for seq ${pp.seq}: the primary cannot PREPARE`;
    if (signers.has(p.replica)) return `prepared certificate for seq ${pp.seq}: replica ${p.replica} counted twice`;
    if (!safeVerifyReplica(crypto, p.replica, prepareSignable(p), p.signature)) {
      return `prepared certificate for seq ${pp.seq}: bad signature of replica ${p.replica}`;
    }
    signers.add(p.replica);
  }
  const need = quorums(n).prepare;
  return signers.size >= need ? null : `prepared certificate for seq ${pp.seq}: ${signers.size} PREPAREs, need ${need}`;
}

/**
 * Checks a VIEW-CHANGE: its signature, its checkpoint proof C, and each prepared certificate in P
 * (for a view below the new one, above the checkpoint and within the window, one per seq).
 * Expects a message that passed {@link checkReplicaMessage}.
 * @param vc - the VIEW-CHANGE
 * @param n - the number of replicas
 * @param logWindow - L: prepared sequence numbers must lie in (stableSeq, stableSeq + L]
 * @param crypto - verifies the replicas' signatures
 * @returns null if valid, otherwise the reason (a VIEW-CHANGE to view 0 is never valid)
 */
export function checkViewChange(
  vc: ViewChange,
  n: number,
  logWindow: number,
  crypto: Pick<ReplicaCrypto, 'verifyReplica'>,
): string | null {
  if (vc.view === 0) return 'view-change to view 0';
  if (!safeVerifyReplica(crypto, vc.replica, viewChangeSignable(vc), vc.signature)) return 'view-change: bad signature';
  const bad = checkCheckpointProof(vc.checkpointProof, vc.stableSeq, vc.stableDigest, n, crypto);
  if (bad !== null) return `view-change: ${bad}`;
  const seen = new Set<number>();
  for (const proof of vc.prepared) {
    const { seq, view } = proof.prePrepare;
    if (seq <= vc.stableSeq || seq > vc.stableSeq + logWindow) return `view-change: prepared seq ${seq} outside the window`;
    if (view >= vc.view) return `view-change: prepared certificate from view ${view}, not below ${vc.view}`;
    if (seen.has(seq)) return `view-change: two prepared certificates for seq ${seq}`;
    seen.add(seq);
    const badProof = checkPreparedProof(proof, n, crypto);
    if (badProof !== null) return `view-change: ${badProof}`;
  }
  return null;
}

/**
 * Checks a commit certificate: 2f + 1 COMMITs for (view, seq, digest) signed by distinct replicas.
 * This is the certificate each ledger block carries. Unlike the other checks it also rejects
 * entries that are not COMMITs or come from an index outside [0, n), since stored blocks have
 * not been through {@link checkReplicaMessage}.
 * @param certificate - the COMMIT messages
 * @param view - the view they must all carry
 * @param seq - the sequence number (block height) they must all carry
 * @param digest - the batch digest (block Merkle root) they must all carry
 * @param n - the number of replicas (sets 2f + 1)
 * @param crypto - verifies the replicas' signatures
 * @returns null if valid, otherwise the reason
 */
export function checkCommitCertificate(
  certificate: readonly Commit[],
  view: number,
  seq: number,
  digest: Uint8Array,
  n: number,
  crypto: Pick<ReplicaCrypto, 'verifyReplica'>,
): string | null {
  const signers = new Set<number>();
  for (const c of certificate) {
    if (c.type !== 'commit' || c.view !== view || c.seq !== seq || !bytesEqual(c.digest, digest)) {
      return `a COMMIT is not for (view ${view}, seq ${seq}, this batch)`;
    }
    if (!Number.isSafeInteger(c.replica) || c.replica < 0 || c.replica >= n) return `COMMIT from unknown replica ${c.replica}`;
    if (signers.has(c.replica)) return `replica ${c.replica} counted twice`;
    if (!safeVerifyReplica(crypto, c.replica, commitSignable(c), c.signature))
      return `bad COMMIT signature of replica ${c.replica}`;
    signers.add(c.replica);
  }
  const need = quorums(n).commit;
  return signers.size >= need ? null : `${signers.size} COMMITs, need ${need}`;
}
