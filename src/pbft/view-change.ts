/**
 * The O set of a NEW-VIEW (Castro-Liskov, TOCS 2002, section 4.4), computed by one pure
 * function that the new primary uses to build NEW-VIEW and every backup uses to check it.
 *
 * From the 2f + 1 VIEW-CHANGE messages V:
 * - min-s is the sequence number of the latest stable checkpoint in V;
 * - max-s is the highest sequence number in a prepared certificate in V;
 * - for each n in (min-s, max-s]: if some certificate in V prepared n, O re-proposes the batch of
 *   the certificate with the highest view (ties, impossible between valid certificates, broken by
 *   the smaller digest); otherwise O proposes the null request (an empty batch) at n.
 * The result does not depend on the order of V.
 * @module
 */
import { compareBytes } from '../internal/bytes.js';
import { batchDigest, orderingDigest } from './encoding.js';
import type { Checkpoint, PreparedProof, Request, ViewChange } from './types.js';
import { ArgumentValueError } from '../internal/errors.js';

/** One re-proposal of O: the batch to pre-prepare at `seq` in the new view. */
export interface NewViewEntry {
  /** n, in (min-s, max-s]. */
  readonly seq: number;
  /**
   * The digest of the chosen prepared certificate's PRE-PREPARE, or, for the null request,
   * {@link orderingDigest}(0, {@link batchDigest} of the empty batch).
   */
  readonly digest: Uint8Array;
  /** The time of that PRE-PREPARE (re-proposed unchanged), or 0 for the null request. */
  readonly time: number;
  /** The batch of that PRE-PREPARE (re-proposed unchanged), or the empty batch for the null request. */
  readonly batch: readonly Request[];
}

/** What a NEW-VIEW for `view` must contain, given V. */
export interface NewViewPlan {
  /** v + 1: the view the NEW-VIEW starts. */
  readonly view: number;
  /** min-s, with its digest and proof (from the VIEW-CHANGE that carried it). */
  readonly stableSeq: number;
  /** The state digest of the checkpoint at min-s, as carried by that VIEW-CHANGE. */
  readonly stableDigest: Uint8Array;
  /**
   * The 2f + 1 CHECKPOINTs proving min-s, from the lowest-indexed sender in V whose stable
   * checkpoint is min-s (empty when min-s is 0). Replicas below min-s adopt it as their stable checkpoint.
   */
  readonly checkpointProof: readonly Checkpoint[];
  /** max-s. */
  readonly maxSeq: number;
  /** O, in sequence order: one entry for each n in (min-s, max-s]. */
  readonly entries: readonly NewViewEntry[];
}

const NULL_DIGEST = orderingDigest(0, batchDigest([]));

/**
 * Computes min-s, max-s and O from the VIEW-CHANGE messages of a NEW-VIEW.
 * @param view - the new view
 * @param viewChanges - V: already-checked VIEW-CHANGE messages for `view` (at least one)
 * @returns the plan; the new primary signs each entry as a PRE-PREPARE, backups compare
 * @throws RangeError if V is empty
 */
export function computeNewViewPlan(view: number, viewChanges: readonly ViewChange[]): NewViewPlan {
  if (viewChanges.length === 0) throw new ArgumentValueError('viewChanges', 'V is empty');
  // min-s: the latest stable checkpoint in V (its proof comes from the lowest-numbered sender).
  let best = viewChanges[0] as ViewChange;
  for (const vc of viewChanges) {
    if (vc.stableSeq > best.stableSeq || (vc.stableSeq === best.stableSeq && vc.replica < best.replica)) best = vc;
  }
  const minSeq = best.stableSeq;
  // For each n > min-s: the prepared certificate with the highest view.
  const chosen = new Map<number, PreparedProof>();
  let maxSeq = minSeq;
  for (const vc of viewChanges) {
    for (const proof of vc.prepared) {
      const pp = proof.prePrepare;
      if (pp.seq <= minSeq) continue;
      if (pp.seq > maxSeq) maxSeq = pp.seq;
      const current = chosen.get(pp.seq);
      if (
        current === undefined ||
        pp.view > current.prePrepare.view ||
        (pp.view === current.prePrepare.view && compareBytes(pp.digest, current.prePrepare.digest) < 0)
      ) {
        chosen.set(pp.seq, proof);
      }
    }
  }
  const entries: NewViewEntry[] = [];
  for (let seq = minSeq + 1; seq <= maxSeq; seq++) {
    const proof = chosen.get(seq);
    entries.push(
      proof === undefined
        ? { seq, digest: NULL_DIGEST, time: 0, batch: [] } // the null request
        : { seq, digest: proof.prePrepare.digest, time: proof.prePrepare.time, batch: proof.prePrepare.batch },
    );
  }
  return {
    view,
    stableSeq: minSeq,
    stableDigest: best.stableDigest,
    checkpointProof: best.checkpointProof,
    maxSeq,
    entries,
  };
}
