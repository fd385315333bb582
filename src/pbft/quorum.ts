import { ArgumentValueError } from '../internal/errors.js';
/**
 * @module
 * Every threshold of the protocol, from one function (Huang et al. 2020, section 4.2.10;
 * Castro and Liskov, OSDI 1999 / TOCS 2002, section 4).
 */

/** The thresholds of a group of n = 3f + 1 (or more) replicas. */
export interface Quorums {
  /** Number of replicas |R|. */
  readonly n: number;
  /** Faults tolerated: f = floor((n - 1) / 3). */
  readonly f: number;
  /** Matching PREPAREs (from distinct backups) that, with the PRE-PREPARE, make a request prepared: 2f when n = 3f + 1 (paper step 3). */
  readonly prepare: number;
  /** Matching COMMITs (own included) that make a request committed-local: 2f + 1 when n = 3f + 1 (paper step 4). */
  readonly commit: number;
  /** Matching CHECKPOINTs that make a checkpoint stable (2f + 1 when n = 3f + 1). */
  readonly checkpoint: number;
  /** VIEW-CHANGE messages the new primary needs for NEW-VIEW (2f + 1 when n = 3f + 1). */
  readonly viewChange: number;
  /** VIEW-CHANGEs for higher views that make a replica join the view change: f + 1. */
  readonly joinViewChange: number;
  /** Matching replies a client needs before it accepts a result: f + 1. */
  readonly reply: number;
}

/**
 * The quorum sizes for `n` replicas. Every threshold in medshare/pbft is read from here.
 * @param n - number of replicas, at least 4 (3f + 1 with f >= 1)
 * @returns the thresholds
 * @throws RangeError if n is not an integer >= 4
 * @example
 * ```ts
 * quorums(4); // { n: 4, f: 1, prepare: 2, commit: 3, checkpoint: 3, viewChange: 3, joinViewChange: 2, reply: 2 }
 * ```
 */
export function quorums(n: number): Quorums {
  if (!Number.isSafeInteger(n) || n < 4)
    throw new ArgumentValueError('n', `must be an integer >= 4 (3f + 1 with f >= 1), got ${n}`);
  const f = Math.floor((n - 1) / 3);
  // Any two quorums of size q intersect in at least f + 1 replicas, so in one honest replica:
  // 2q - n >= f + 1, i.e. q = ceil((n + f + 1) / 2), which is 2f + 1 when n = 3f + 1 (the paper's case).
  const q = Math.ceil((n + f + 1) / 2);
  return {
    n,
    f,
    prepare: q - 1,
    commit: q,
    checkpoint: q,
    viewChange: q,
    joinViewChange: f + 1,
    reply: f + 1,
  };
}

/**
 * The primary of `view`: P = V mod |R| (paper section 4.2.10).
 * @param view - the view number, a non-negative integer (not checked)
 * @param n - the number of replicas |R|
 * @returns the index of the primary, in [0, n)
 */
export function primaryOf(view: number, n: number): number {
  return view % n;
}
