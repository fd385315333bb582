/**
 * Checks of the certificates replicas relay to one another: checkpoint proofs (2f + 1 CHECKPOINTs),
 * prepared certificates (PRE-PREPARE + 2f PREPAREs), VIEW-CHANGE messages, and commit certificates
 * (2f + 1 COMMITs, the proof attached to each ledger block). Each returns null when valid, or
 * the reason it is not. Signature checks go through the caller's {@link ReplicaCrypto}.
 *
 * Every check stands on its own: it checks the kind, integer ranges and digest lengths of what it
 * counts (so `1`, `"1"` and `[1]` are never three signers), and it does every cheap check (counts,
 * distinct senders, views, sequence numbers, digests) before the first signature, so a hostile
 * certificate costs at most one failed signature verification beyond what is needed to accept a
 * valid one.
 *
 * @module
 */
import { bytesEqual } from '../internal/bytes.js';
import { isNatural } from '../internal/errors.js';
import {
  batchDigest,
  checkpointSignable,
  commitSignable,
  DIGEST_BYTES,
  GENESIS_HASH,
  orderingDigest,
  prePrepareSignable,
  prepareSignable,
  requestSignable,
  snapshotDigest,
  viewChangeSignable,
} from './encoding.js';
import { primaryOf, quorums } from './quorum.js';
import type {
  Checkpoint,
  Commit,
  DropCode,
  PreparedProof,
  PrePrepare,
  ReplicaCrypto,
  Request,
  Snapshot,
  ViewChange,
} from './types.js';

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
export const GENESIS_SNAPSHOT: Snapshot = { seq: 0, chainHead: GENESIS_HASH, time: 0, clients: [] };
/**
 * The digest of the genesis checkpoint: {@link snapshotDigest} of seq 0, the empty ledger
 * ({@link GENESIS_HASH}) and an empty client table. Every replica starts with it as its stable
 * checkpoint, and a VIEW-CHANGE whose stableSeq is 0 must carry it (with an empty proof).
 */
export const GENESIS_CHECKPOINT_DIGEST: Uint8Array = snapshotDigest(GENESIS_SNAPSHOT);

/** Why a certificate is invalid: a stable code (for the replica's drop effect) and the reason. */
export interface Problem {
  /** The drop code a replica reports for it. */
  readonly code: DropCode;
  /** In English. */
  readonly reason: string;
}

const problem = (code: DropCode, reason: string): Problem => ({ code, reason });
const invalid = (reason: string): Problem => problem('invalidCertificate', reason);

/** True iff `value` is a replica index: an integer (a number, not a string) in [0, n). */
export function isReplicaIndex(value: unknown, n: number): value is number {
  return isNatural(value) && value < n;
}

function isDigest(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === DIGEST_BYTES;
}

/** The fields every signed vote shares, checked: type tag, view or seq, digest, replica, signature. */
function voteShape(m: unknown, type: 'prepare' | 'commit' | 'checkpoint', n: number): string | null {
  if (typeof m !== 'object' || m === null) return `a ${type} that is not an object`;
  const v = m as Record<string, unknown>;
  if (v.type !== type) return `an entry of type ${String(v.type).slice(0, 20)}, expected ${type}`;
  if (type !== 'checkpoint' && !isNatural(v.view)) return `a ${type} with a malformed view`;
  if (!isNatural(v.seq)) return `a ${type} with a malformed seq`;
  if (!isDigest(v.digest)) return `a ${type} with a malformed digest`;
  if (!isReplicaIndex(v.replica, n)) return `a ${type} from ${String(v.replica).slice(0, 20)}, not a replica index in [0, ${n})`;
  if (!(v.signature instanceof Uint8Array)) return `a ${type} with a malformed signature`;
  return null;
}

/**
 * Checkpoint proof (with its code): 2f + 1 CHECKPOINTs for (seq, digest) from distinct replicas.
 * With `verify` false only the cheap part runs (kinds, matching, counting); signatures are not checked.
 */
export function checkpointProofProblem(
  proof: readonly Checkpoint[],
  seq: number,
  digest: Uint8Array,
  n: number,
  crypto: Pick<ReplicaCrypto, 'verifyReplica'>,
  verify = true,
): Problem | null {
  if (seq === 0)
    return bytesEqual(digest, GENESIS_CHECKPOINT_DIGEST) ? null : invalid('checkpoint 0 is not the genesis checkpoint');
  if (!Array.isArray(proof)) return invalid('checkpoint proof: not an array');
  const signers = new Set<number>();
  for (const c of proof) {
    const bad = voteShape(c, 'checkpoint', n);
    if (bad !== null) return invalid(`checkpoint proof: ${bad}`);
    if (c.seq !== seq || !bytesEqual(c.digest, digest)) return invalid('checkpoint proof: a message is for another checkpoint');
    if (signers.has(c.replica)) return invalid(`checkpoint proof: replica ${c.replica} counted twice`);
    signers.add(c.replica);
  }
  const need = quorums(n).checkpoint;
  if (signers.size < need) return invalid(`checkpoint proof: ${signers.size} signers, need ${need}`);
  if (!verify) return null;
  for (const c of proof) {
    if (!safeVerifyReplica(crypto, c.replica, checkpointSignable(c), c.signature)) {
      return invalid(`checkpoint proof: bad signature of replica ${c.replica}`);
    }
  }
  return null;
}

/**
 * Checks that `proof` holds CHECKPOINTs for (seq, digest) signed by at least 2f + 1 distinct replicas.
 * The genesis checkpoint (seq 0) needs no proof. Entries that are not CHECKPOINTs, or whose
 * replica is not an integer index in [0, n), make the proof invalid.
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
  return checkpointProofProblem(proof, seq, digest, n, crypto)?.reason ?? null;
}

/** The cheap part of a PRE-PREPARE check: sent by the primary of its view, digest of its batch. */
function prePrepareShapeProblem(pp: PrePrepare, n: number): Problem | null {
  if (typeof pp !== 'object' || pp === null || pp.type !== 'prePrepare') return invalid('not a PRE-PREPARE');
  if (!isNatural(pp.view) || !isNatural(pp.seq) || !isNatural(pp.time) || !isDigest(pp.digest) || !Array.isArray(pp.batch)) {
    return invalid('a malformed PRE-PREPARE');
  }
  if (!(pp.signature instanceof Uint8Array)) return invalid('a PRE-PREPARE with a malformed signature');
  if (pp.replica !== primaryOf(pp.view, n)) {
    return problem('notPrimary', `pre-prepare from ${String(pp.replica)}, not the primary of view ${pp.view}`);
  }
  return null;
}

/** PRE-PREPARE check with its code (see {@link checkPrePrepare}). */
export function prePrepareProblem(pp: PrePrepare, n: number, crypto: Pick<ReplicaCrypto, 'verifyReplica'>): Problem | null {
  const bad = prePrepareShapeProblem(pp, n);
  if (bad !== null) return bad;
  if (!safeVerifyReplica(crypto, pp.replica, prePrepareSignable(pp), pp.signature)) {
    return problem('badSignature', 'pre-prepare: bad signature');
  }
  if (!bytesEqual(orderingDigest(pp.time, batchDigest(pp.batch)), pp.digest)) {
    return problem('digestMismatch', 'pre-prepare: digest does not match the batch and its time');
  }
  return null;
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
  return prePrepareProblem(pp, n, crypto)?.reason ?? null;
}

/** The cheap part of a prepared certificate: kinds, matching votes, 2f distinct backups. */
function preparedShapeProblem(proof: PreparedProof, n: number): Problem | null {
  if (typeof proof !== 'object' || proof === null) return invalid('a prepared certificate that is not an object');
  const pp = proof.prePrepare;
  const bad = prePrepareShapeProblem(pp, n);
  if (bad !== null) return invalid(`prepared certificate: ${bad.reason}`);
  if (!Array.isArray(proof.prepares)) return invalid(`prepared certificate for seq ${pp.seq}: PREPAREs not an array`);
  const signers = new Set<number>();
  for (const p of proof.prepares) {
    const badVote = voteShape(p, 'prepare', n);
    if (badVote !== null) return invalid(`prepared certificate for seq ${pp.seq}: ${badVote}`);
    if (p.view !== pp.view || p.seq !== pp.seq || !bytesEqual(p.digest, pp.digest)) {
      return invalid(`prepared certificate for seq ${pp.seq}: a PREPARE does not match`);
    }
    if (p.replica === pp.replica) return invalid(`prepared certificate for seq ${pp.seq}: the primary cannot PREPARE`);
    if (signers.has(p.replica)) return invalid(`prepared certificate for seq ${pp.seq}: replica ${p.replica} counted twice`);
    signers.add(p.replica);
  }
  const need = quorums(n).prepare;
  if (signers.size < need) return invalid(`prepared certificate for seq ${pp.seq}: ${signers.size} PREPAREs, need ${need}`);
  return null;
}

/** The expensive part of a prepared certificate: every signature, and the batch digest. */
function preparedSignaturesProblem(
  proof: PreparedProof,
  n: number,
  crypto: Pick<ReplicaCrypto, 'verifyReplica'>,
): Problem | null {
  const pp = proof.prePrepare;
  const bad = prePrepareProblem(pp, n, crypto);
  if (bad !== null) return invalid(`prepared certificate for seq ${pp.seq}: ${bad.reason}`);
  for (const p of proof.prepares) {
    if (!safeVerifyReplica(crypto, p.replica, prepareSignable(p), p.signature)) {
      return invalid(`prepared certificate for seq ${pp.seq}: bad signature of replica ${p.replica}`);
    }
  }
  return null;
}

/**
 * Checks a prepared certificate: a valid PRE-PREPARE and 2f matching PREPAREs from distinct
 * backups (entries that are not PREPAREs, or whose replica is not an integer index in [0, n),
 * make it invalid).
 * @param proof - the certificate
 * @param n - the number of replicas (sets 2f and the primary)
 * @param crypto - verifies the replicas' signatures
 * @returns null if valid, otherwise the reason
 */
export function checkPreparedProof(proof: PreparedProof, n: number, crypto: Pick<ReplicaCrypto, 'verifyReplica'>): string | null {
  return (preparedShapeProblem(proof, n) ?? preparedSignaturesProblem(proof, n, crypto))?.reason ?? null;
}

/**
 * The cheap part of a VIEW-CHANGE check: its fields, its checkpoint proof's kinds and count, and
 * the structure of P (each certificate above the checkpoint, within the window, from a lower
 * view, one per seq, with 2f matching PREPAREs from distinct backups). No signature is checked.
 */
export function viewChangeShapeProblem(vc: ViewChange, n: number, logWindow: number): Problem | null {
  if (typeof vc !== 'object' || vc === null || vc.type !== 'viewChange') return invalid('not a VIEW-CHANGE');
  if (!isNatural(vc.view) || !isNatural(vc.stableSeq) || !isDigest(vc.stableDigest) || !isReplicaIndex(vc.replica, n)) {
    return invalid('a malformed VIEW-CHANGE');
  }
  if (!(vc.signature instanceof Uint8Array) || !Array.isArray(vc.prepared)) return invalid('a malformed VIEW-CHANGE');
  if (vc.view === 0) return invalid('view-change to view 0');
  const bad = checkpointProofProblem(vc.checkpointProof, vc.stableSeq, vc.stableDigest, n, { verifyReplica: () => true }, false);
  if (bad !== null) return invalid(`view-change: ${bad.reason}`);
  const seen = new Set<number>();
  for (const proof of vc.prepared) {
    const badProof = preparedShapeProblem(proof, n);
    if (badProof !== null) return invalid(`view-change: ${badProof.reason}`);
    const { seq, view } = proof.prePrepare;
    if (seq <= vc.stableSeq || seq > vc.stableSeq + logWindow)
      return invalid(`view-change: prepared seq ${seq} outside the window`);
    if (view >= vc.view) return invalid(`view-change: prepared certificate from view ${view}, not below ${vc.view}`);
    if (seen.has(seq)) return invalid(`view-change: two prepared certificates for seq ${seq}`);
    seen.add(seq);
  }
  return null;
}

/** The sender's own signature on a VIEW-CHANGE (one verification). */
export function viewChangeSignatureProblem(vc: ViewChange, crypto: Pick<ReplicaCrypto, 'verifyReplica'>): Problem | null {
  return safeVerifyReplica(crypto, vc.replica, viewChangeSignable(vc), vc.signature)
    ? null
    : problem('badSignature', 'view-change: bad signature');
}

/** The expensive part of a VIEW-CHANGE check: the signatures of C and of every certificate in P. */
export function viewChangeCertificatesProblem(
  vc: ViewChange,
  n: number,
  crypto: Pick<ReplicaCrypto, 'verifyReplica'>,
): Problem | null {
  const bad = checkpointProofProblem(vc.checkpointProof, vc.stableSeq, vc.stableDigest, n, crypto);
  if (bad !== null) return invalid(`view-change: ${bad.reason}`);
  for (const proof of vc.prepared) {
    const badProof = preparedSignaturesProblem(proof, n, crypto);
    if (badProof !== null) return invalid(`view-change: ${badProof.reason}`);
  }
  return null;
}

/** VIEW-CHANGE check with its code: cheap structure, then the sender's signature, then C and P. */
export function viewChangeProblem(
  vc: ViewChange,
  n: number,
  logWindow: number,
  crypto: Pick<ReplicaCrypto, 'verifyReplica'>,
): Problem | null {
  return (
    viewChangeShapeProblem(vc, n, logWindow) ??
    viewChangeSignatureProblem(vc, crypto) ??
    viewChangeCertificatesProblem(vc, n, crypto)
  );
}

/**
 * Checks a VIEW-CHANGE: its signature, its checkpoint proof C, and each prepared certificate in P
 * (for a view below the new one, above the checkpoint and within the window, one per seq). All
 * counts, kinds and ranges are checked before the first signature.
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
  return viewChangeProblem(vc, n, logWindow, crypto)?.reason ?? null;
}

/**
 * Checks a commit certificate: 2f + 1 COMMITs for (view, seq, digest) signed by distinct replicas.
 * This is the certificate each ledger block carries. Entries that are not COMMITs, or whose replica
 * is not an integer index in [0, n), make it invalid; counts are checked before any signature.
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
  if (!Array.isArray(certificate)) return 'the certificate is not an array';
  const signers = new Set<number>();
  for (const c of certificate) {
    if (
      typeof c !== 'object' ||
      c === null ||
      c.type !== 'commit' ||
      c.view !== view ||
      c.seq !== seq ||
      !isDigest(c.digest) ||
      !bytesEqual(c.digest, digest)
    ) {
      return `a COMMIT is not for (view ${view}, seq ${seq}, this batch)`;
    }
    if (!isReplicaIndex(c.replica, n)) return `COMMIT from unknown replica ${String(c.replica).slice(0, 20)}`;
    if (!(c.signature instanceof Uint8Array)) return `a COMMIT of replica ${c.replica} with a malformed signature`;
    if (signers.has(c.replica)) return `replica ${c.replica} counted twice`;
    signers.add(c.replica);
  }
  const need = quorums(n).commit;
  if (signers.size < need) return `${signers.size} COMMITs, need ${need}`;
  for (const c of certificate) {
    if (!safeVerifyReplica(crypto, c.replica, commitSignable(c), c.signature))
      return `bad COMMIT signature of replica ${c.replica}`;
  }
  return null;
}
