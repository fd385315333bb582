/**
 * The PBFT replica as a pure state machine (Castro and Liskov, TOCS 2002, sections 4.2-4.5;
 * Huang et al. 2020, section 4.2.10). `step(state, input)` returns the next state and the
 * effects the caller must carry out; there is no clock, network, randomness or key inside.
 *
 * Paper steps, and where they happen here:
 * - Step 1 (leader sorts, numbers and multicasts PRE-PREPARE): {@link Machine.propose}.
 * - Step 2 (backups check signatures, timestamps, serial numbers; multicast PREPARE): {@link Machine.onPrePrepare}.
 * - Step 3 (2f PREPAREs: prepared; multicast COMMIT): {@link Machine.checkPrepared}.
 * - Step 4 (2f + 1 COMMITs: committed; record the block): {@link Machine.checkCommitted}, {@link Machine.execute}.
 * - Step 5 (reply; on failure change the leader, P = V mod |R|): {@link Machine.execute}, {@link Machine.startViewChange}.
 * @module
 */
import { bytesEqual } from '../internal/bytes.js';
import {
  checkpointProofProblem,
  GENESIS_CHECKPOINT_DIGEST,
  GENESIS_SNAPSHOT,
  type Problem,
  prePrepareProblem,
  safeVerifyClient,
  safeVerifyReplica,
  viewChangeCertificatesProblem,
  viewChangeShapeProblem,
  viewChangeSignatureProblem,
} from './certificates.js';
import {
  batchDigest,
  blockHash,
  checkpointSignable,
  commitSignable,
  executionResult,
  GENESIS_HASH,
  newViewSignable,
  orderingDigest,
  prePrepareSignable,
  prepareSignable,
  snapshotDigest,
  suspectSignable,
  viewChangeSignable,
} from './encoding.js';
import { primaryOf, type Quorums, quorums } from './quorum.js';
import type {
  Checkpoint,
  ClientRecord,
  Commit,
  DropCode,
  FetchState,
  NewView,
  PersistentState,
  PreparedProof,
  PrePrepare,
  Prepare,
  ReplicaConfig,
  ReplicaCrypto,
  ReplicaEffect,
  ReplicaInput,
  ReplicaMessage,
  ReplicaState,
  Request,
  Slot,
  Snapshot,
  StateTransfer,
  Status,
  StepResult,
  Suspect,
  ViewChange,
} from './types.js';
import { checkReplicaMessage, checkRequest } from './validate.js';
import { decodePersistentState, persistentState } from './persist.js';
import { computeNewViewPlan, type NewViewPlan } from './view-change.js';
import { ArgumentTypeError, ArgumentValueError, ainteger } from '../internal/errors.js';

/** Options of {@link createReplica}; everything but id, n and crypto has a default. */
export interface ReplicaOptions {
  /** This replica's index i, an integer in [0, n). */
  readonly id: number;
  /** Number of replicas |R|, at least 4; n = 3f + 1 tolerates f Byzantine replicas. */
  readonly n: number;
  /** Signs this replica's messages and verifies replicas' and clients' signatures (see {@link ed25519Crypto}). */
  readonly crypto: ReplicaCrypto;
  /** K: a CHECKPOINT every K sequence numbers, in sequence numbers (default 64). */
  readonly checkpointInterval?: number;
  /** L: the log window, H = h + L, in sequence numbers; a multiple of K (default 2K). */
  readonly logWindow?: number;
  /** Most requests in one PRE-PREPARE, hence in one block (default 100). */
  readonly maxBatch?: number;
  /** Base view-change timeout, in ticks (default 100); it doubles with each view change without progress. */
  readonly viewChangeTimeout?: number;
  /** Most doublings of the view-change timeout (default 6: the timeout grows to at most 64 times the base). */
  readonly maxBackoff?: number;
  /** Ticks without progress before a STATUS is broadcast, and between FETCH-STATE retries (default 20). */
  readonly retransmitInterval?: number;
  /** Most verified, unexecuted requests held; further ones are dropped (default 10 000). */
  readonly maxPending?: number;
  /** Largest operation accepted in a request, in bytes (default 64 KiB = 65 536). */
  readonly maxOperationBytes?: number;
  /**
   * How far a PRE-PREPARE's time may lie from this replica's clock reading, either way, in the
   * unit of {@link ReplicaTickInput.time} (default 30). Backups refuse a batch time outside it.
   */
  readonly maxClockSkew?: number;
}

const positiveInteger = (value: unknown, name: string): number => ainteger(value, name, 1, Number.MAX_SAFE_INTEGER);

/** Timeouts double at most this many times (2^32 x the base timeout is already centuries of ticks). */
const MAX_BACKOFF = 32;

/**
 * Creates a replica in view 0 with an empty log and the genesis checkpoint as its stable checkpoint.
 * @param options - replica id, group size, crypto and protocol parameters
 * @returns the initial state
 * @throws TypeError if crypto is not an object with sign / verifyReplica / verifyClient functions
 * @throws RangeError if a parameter is out of range (n < 4, id not in [0, n), L not a multiple of K, ...)
 * @example
 * ```ts
 * import { createReplica, step, ed25519Crypto } from 'medshare/pbft';
 * const replica = createReplica({ id: 0, n: 4, crypto: ed25519Crypto({ secretKey, replicaKeys, clientKey }) });
 * const { state, effects } = step(replica, { type: 'tick' });
 * ```
 */
export function createReplica(options: ReplicaOptions): ReplicaState {
  const q = quorums(options.n);
  ainteger(options.id, 'id', 0, q.n - 1);
  const crypto = options.crypto as Partial<ReplicaCrypto> | null;
  if (
    typeof crypto !== 'object' ||
    crypto === null ||
    typeof crypto.sign !== 'function' ||
    typeof crypto.verifyReplica !== 'function' ||
    typeof crypto.verifyClient !== 'function'
  ) {
    throw new ArgumentTypeError('crypto', '{ sign, verifyReplica, verifyClient } functions');
  }
  const checkpointInterval = positiveInteger(options.checkpointInterval ?? 64, 'checkpointInterval');
  const logWindow = positiveInteger(options.logWindow ?? 2 * checkpointInterval, 'logWindow');
  if (logWindow % checkpointInterval !== 0) {
    throw new ArgumentValueError('logWindow', `${logWindow} is not a multiple of checkpointInterval ${checkpointInterval}`);
  }
  const config: ReplicaConfig = {
    id: options.id,
    n: q.n,
    crypto: options.crypto,
    checkpointInterval,
    logWindow,
    maxBatch: positiveInteger(options.maxBatch ?? 100, 'maxBatch'),
    viewChangeTimeout: positiveInteger(options.viewChangeTimeout ?? 100, 'viewChangeTimeout'),
    maxBackoff: ainteger(options.maxBackoff ?? 6, 'maxBackoff', 0, MAX_BACKOFF),
    retransmitInterval: positiveInteger(options.retransmitInterval ?? 20, 'retransmitInterval'),
    maxPending: positiveInteger(options.maxPending ?? 10_000, 'maxPending'),
    maxOperationBytes: positiveInteger(options.maxOperationBytes ?? 65_536, 'maxOperationBytes'),
    maxClockSkew: positiveInteger(options.maxClockSkew ?? 30, 'maxClockSkew'),
  };
  return {
    config,
    view: 0,
    status: 'normal',
    now: 0,
    timerDeadline: null,
    backoff: 0,
    seqAssigned: 0,
    lastExecuted: 0,
    chainHead: GENESIS_HASH,
    lastTime: 0,
    clock: null,
    clients: new Map(),
    stable: { seq: 0, digest: GENESIS_CHECKPOINT_DIGEST, proof: [], snapshot: GENESIS_SNAPSHOT },
    snapshots: new Map(),
    checkpoints: new Map(),
    log: new Map(),
    prepared: new Map(),
    pending: new Map(),
    proposed: new Set(),
    viewChanges: new Map(),
    suspicions: new Map(),
    newView: null,
    early: [],
    transfer: null,
    lastProgress: 0,
    lastStatus: 0,
    answered: new Map(),
    refused: new Set(),
    verifiedViewChanges: new Set(),
    peerAhead: 0,
    catchUp: null,
  };
}

/**
 * The state to resume from after a crash, from the bytes of the last `persist` effect carried out
 * ({@link encodePersistentState} of its state), decoded as hostile input. Everything volatile
 * starts afresh: no pending requests (clients retransmit), no messages buffered for a future view,
 * no clock reading until the next tick. The view-change timer is re-armed with the current backoff
 * when 2f + 1 VIEW-CHANGEs for the current view or higher are held during a view change; the
 * retransmission clocks restart at the persisted `now`; a replica behind its stable checkpoint asks
 * for a state transfer at once. A restarted replica may have missed anything while it was down, even
 * with nothing pending: it starts catching up ({@link ReplicaState.catchUp}), so its first tick
 * broadcasts a STATUS that asks its peers where they are, repeated with backoff until f + 1 of
 * them answer that they are not ahead of it.
 * @param options - the replica's options (the same id, n, K and L as when the state was persisted)
 * @param persisted - the bytes read back from stable storage
 * @returns the state to continue stepping
 * @throws EncodingError (`ERR_ENCODING`) if the bytes are torn, altered, malformed or made for
 *   another replica or other parameters: such a replica must not run (it could contradict what it
 *   sent before the crash)
 * @throws TypeError / RangeError for bad options, as {@link createReplica}
 */
export function restart(options: ReplicaOptions, persisted: Uint8Array): ReplicaState {
  const fresh = createReplica(options);
  const p = decodePersistentState(persisted, fresh.config);
  const proposed = new Set<string>();
  for (const slot of p.log.values()) for (const request of slot.prePrepare?.batch ?? []) proposed.add(requestKey(request));
  const state: ReplicaState = {
    ...fresh,
    view: p.view,
    status: p.status,
    now: p.now,
    backoff: p.backoff,
    seqAssigned: p.seqAssigned,
    lastExecuted: p.lastExecuted,
    chainHead: p.chainHead,
    lastTime: p.lastTime,
    clients: p.clients,
    stable: p.stable,
    snapshots: p.snapshots,
    checkpoints: p.checkpoints,
    log: p.log,
    prepared: p.prepared,
    viewChanges: p.viewChanges,
    suspicions: p.suspicions,
    newView: p.newView,
    proposed,
    transfer: p.lastExecuted < p.stable.seq ? { seq: p.stable.seq, askedAt: p.now - fresh.config.retransmitInterval } : null,
    lastProgress: p.now,
    lastStatus: p.now - fresh.config.retransmitInterval, // it may ask its peers at once
    catchUp: { confirmed: new Set(), next: p.now + 1, wait: fresh.config.retransmitInterval },
  };
  const armed = state.status === 'viewChanging' && viewChangeQuorumReached(state);
  return { ...state, timerDeadline: armed ? state.now + timeoutTicks(state.config, state.backoff) : null };
}

/**
 * Whether 2f + 1 replicas (this one included) have sent VIEW-CHANGE for the current view or a
 * higher one. Castro-Liskov (section 4.5.2) start the view-change timer only then, so a replica
 * that runs ahead waits for the others instead of racing through views alone; counting higher
 * views too lets replicas that fell one view behind still time out and catch up.
 */
function viewChangeQuorumReached(state: ReplicaState): boolean {
  let count = 0;
  for (const vc of state.viewChanges.values()) if (vc.view >= state.view) count++;
  return count >= quorums(state.config.n).viewChange;
}

/**
 * Advances a replica by one input. Pure: `state` is not modified.
 * Untrusted content never makes it throw: a malformed or invalid request or message is reported
 * as a {@link ReplicaDropEffect}.
 * @param state - the current state
 * @param input - a client request, a message from a replica, or a tick (all untrusted except tick)
 * @returns the next state and the effects to carry out, in order (`persist` first when present)
 * @throws TypeError if `input` is not an object with type `'request'`, `'message'` or `'tick'`;
 * errors thrown by `config.crypto.sign` propagate
 */
export function step(state: ReplicaState, input: ReplicaInput): StepResult {
  const machine = new Machine(state);
  switch (input?.type) {
    case 'tick':
      machine.onTick(input.time);
      break;
    case 'request': {
      const checked = checkRequest(input.request, state.config);
      if (checked.ok) machine.onRequest(checked.value, 'client');
      else machine.drop('client', 'malformed', checked.reason);
      break;
    }
    case 'message':
      machine.onMessage(input.from, input.message);
      break;
    default:
      throw new ArgumentTypeError('input', `a known input type, got type=${String((input as { type?: unknown } | null)?.type)}`);
  }
  return machine.finish();
}

/**
 * Key of a request in the pending table: client and timestamp.
 * @param request - the request's client and timestamp
 * @returns `client + '\u0000' + timestamp` in decimal; distinct (client, timestamp) pairs give distinct keys
 */
export function requestKey(request: Pick<Request, 'client' | 'timestamp'>): string {
  return `${request.client}\u0000${request.timestamp}`;
}

/**
 * Batch order (paper step 1, "the leader sorts the transactions"): by client, then timestamp.
 * @param a - a request's client and timestamp
 * @param b - another request's client and timestamp
 * @returns negative if a sorts first, positive if b does, 0 for the same (client, timestamp);
 * clients compare by UTF-16 code units, timestamps numerically
 */
export function compareRequests(a: Pick<Request, 'client' | 'timestamp'>, b: Pick<Request, 'client' | 'timestamp'>): number {
  if (a.client !== b.client) return a.client < b.client ? -1 : 1;
  return a.timestamp - b.timestamp;
}

/**
 * How many refused messages a replica remembers: one PRE-PREPARE per sequence number of the window
 * and one NEW-VIEW per sender, twice over (entries of views before the current one are dropped first).
 */
function refusedLimit(config: ReplicaConfig): number {
  return 2 * (config.logWindow + config.n);
}

function timeoutTicks(config: ReplicaConfig, backoff: number): number {
  return config.viewChangeTimeout * 2 ** Math.min(backoff, config.maxBackoff);
}

function sameContent(a: Request, b: Request): boolean {
  return a.client === b.client && a.timestamp === b.timestamp && bytesEqual(a.operation, b.operation);
}

/** Same request, same signature bytes: already verified when it arrived, no need to verify again. */
function sameSigned(a: Request, b: Request): boolean {
  return sameContent(a, b) && bytesEqual(a.signature, b.signature);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The fields of {@link PersistentState} whose change makes a step persist (by identity: the
 * collections are copied on write). `now` alone does not: a tick that changes nothing else is not
 * worth a write, and a replica restarted with an older `now` only waits a little longer.
 */
const PERSISTENT_FIELDS = [
  'view',
  'status',
  'backoff',
  'seqAssigned',
  'lastExecuted',
  'chainHead',
  'lastTime',
  'clients',
  'stable',
  'snapshots',
  'checkpoints',
  'log',
  'prepared',
  'viewChanges',
  'suspicions',
  'newView',
] as const satisfies readonly (keyof PersistentState)[];

const EMPTY_SLOT: Slot = { prePrepare: null, prepares: new Map(), commits: new Map(), prepared: false, committed: false };

/** One step in progress: a shallow draft of the state with copy-on-write collections, and the effects. */
class Machine {
  private readonly s: Mutable<ReplicaState>;
  private readonly effects: ReplicaEffect[] = [];
  private persist = false;
  /** This step broadcast a new SUSPECT (so the retransmission on the same tick is skipped). */
  private accused = false;
  private readonly copied = new Set<string>();
  private readonly cfg: ReplicaConfig;
  private readonly q: Quorums;
  private readonly me: number;

  constructor(private readonly before: ReplicaState) {
    const state = before;
    this.s = { ...state };
    this.cfg = state.config;
    this.q = quorums(state.config.n);
    this.me = state.config.id;
  }

  finish(): StepResult {
    const state: ReplicaState = this.s;
    if (!this.persist && PERSISTENT_FIELDS.some((key) => state[key] !== this.before[key])) this.persist = true;
    if (!this.persist) return { state, effects: this.effects };
    return { state, effects: [{ type: 'persist', state: persistentState(state) }, ...this.effects] };
  }

  // ---- copy-on-write access to the collections -------------------------------------------

  private own<K extends 'log' | 'clients' | 'snapshots' | 'checkpoints' | 'prepared' | 'pending' | 'viewChanges'>(
    key: K,
  ): ReplicaState[K] extends ReadonlyMap<infer A, infer B> ? Map<A, B> : never {
    if (!this.copied.has(key)) {
      (this.s as Record<string, unknown>)[key] = new Map(this.s[key] as ReadonlyMap<unknown, unknown>);
      this.copied.add(key);
    }
    return this.s[key] as never;
  }

  private proposedSet(): Set<string> {
    if (!this.copied.has('proposed')) {
      this.s.proposed = new Set(this.s.proposed);
      this.copied.add('proposed');
    }
    return this.s.proposed as Set<string>;
  }

  private setSlot(seq: number, change: Partial<Slot>): Slot {
    const slot = { ...(this.s.log.get(seq) ?? EMPTY_SLOT), ...change };
    this.own('log').set(seq, slot);
    return slot;
  }

  // ---- effects --------------------------------------------------------------------------

  drop(from: number | 'client', code: DropCode, reason: string): void {
    this.effects.push({ type: 'drop', from, code, reason });
  }

  private send(to: number, message: ReplicaMessage): void {
    this.persist = true;
    this.effects.push({ type: 'send', to, message });
  }

  private broadcast(message: ReplicaMessage): void {
    this.persist = true;
    this.effects.push({ type: 'broadcast', message });
  }

  private sign(message: Uint8Array): Uint8Array {
    return this.cfg.crypto.sign(message);
  }

  private get isPrimary(): boolean {
    return primaryOf(this.s.view, this.cfg.n) === this.me;
  }

  private inWindow(seq: number): boolean {
    return seq > this.s.stable.seq && seq <= this.s.stable.seq + this.cfg.logWindow;
  }

  private startTimerIfWaiting(): void {
    if (this.s.status === 'normal' && this.s.timerDeadline === null && this.s.pending.size > 0) {
      this.s.timerDeadline = this.s.now + timeoutTicks(this.cfg, this.s.backoff);
    }
  }

  // ---- inputs ---------------------------------------------------------------------------

  onTick(time: unknown): void {
    const s = this.s;
    s.now += 1;
    if (typeof time === 'number' && Number.isSafeInteger(time) && time >= 0) s.clock = time;
    if (s.timerDeadline !== null && s.now >= s.timerDeadline) {
      // Paper step 5: "If the consensus fails, the leader will be changed": accuse the primary; the
      // view changes when f + 1 replicas accuse it (see suspectPrimary).
      this.suspectPrimary();
    }
    if (s.status === 'normal') this.propose(true);
    const interval = this.cfg.retransmitInterval;
    if (s.transfer !== null && s.now - s.transfer.askedAt >= interval) {
      s.transfer = { seq: s.transfer.seq, askedAt: s.now };
      this.broadcast({ type: 'fetchState', replica: this.me, lastExecuted: s.lastExecuted } satisfies FetchState);
    }
    if (s.now - s.lastProgress >= interval && s.now - s.lastStatus >= interval && this.hasOutstandingWork()) {
      s.lastStatus = s.now;
      this.broadcast(this.status());
      // A VIEW-CHANGE is retransmitted until the view changes (Castro-Liskov assume retransmission):
      // replicas still in a lower view need it to join (f + 1) or to reach the 2f + 1 of NEW-VIEW.
      const own = s.viewChanges.get(this.me);
      if (s.status === 'viewChanging' && own !== undefined && own.view === s.view) this.broadcast(own);
      // So is a SUSPECT, while this replica is still in the view it accused.
      const accusation = s.suspicions.get(this.me);
      if (accusation !== undefined && accusation.view === s.view && !this.accused) this.broadcast(accusation);
    }
    if (s.catchUp !== null && s.now >= s.catchUp.next) {
      // Catching up: ask where the peers are even with nothing pending (once this tick at most).
      if (s.lastStatus !== s.now) {
        s.lastStatus = s.now;
        this.broadcast(this.status());
      }
      const cap = interval * 2 ** this.cfg.maxBackoff;
      s.catchUp = { ...s.catchUp, next: s.now + s.catchUp.wait, wait: Math.min(2 * s.catchUp.wait, cap) };
    }
  }

  /**
   * The rule for starting to catch up (issue: a replica behind with nothing pending used to wait for
   * the next client request): a restart ({@link restart}), or an ordering message from a peer for a
   * later view or above this replica's window ({@link askPeerAhead}). Both are cheap to notice and
   * safe: catching up only sends STATUS messages (unsigned, answered at most once per peer per
   * retransmission interval), so a Byzantine peer that keeps setting it off costs at most one STATUS
   * broadcast per `retransmitInterval` and its answers. Already catching up: nothing changes.
   */
  private startCatchUp(): void {
    const s = this.s;
    if (s.catchUp === null)
      s.catchUp = { confirmed: new Set(), next: s.now + this.cfg.retransmitInterval, wait: this.cfg.retransmitInterval };
  }

  /**
   * A peer's STATUS while catching up: the peer counts as confirming if it is not ahead of this
   * replica (not in a later view, not past the NEW-VIEW this replica waits for, not further executed).
   * At f + 1 confirmations, at least one from a correct replica, catching up ends. A peer ahead
   * resets the backoff. O(1): it runs before the STATUS rate limit (a flood changes at most the
   * schedule, never more than one catching-up STATUS broadcast per `retransmitInterval`).
   */
  private noteCaughtUp(from: number, m: Status): void {
    const s = this.s;
    const c = s.catchUp;
    if (c === null || c.confirmed.has(from)) return;
    const ahead =
      m.view > s.view ||
      (m.view === s.view && !m.viewChanging && s.status === 'viewChanging') ||
      m.lastExecuted > s.lastExecuted ||
      m.stableSeq > s.lastExecuted;
    if (ahead) {
      // Evidence that it is behind: ask again after one interval (not the backed-off wait), so a
      // replica many slots behind (K per answer) catches up at the retransmission pace.
      const interval = this.cfg.retransmitInterval;
      if (c.wait > interval || c.next > s.now + interval)
        s.catchUp = { ...c, next: Math.min(c.next, s.now + interval), wait: interval };
      return;
    }
    const confirmed = new Set(c.confirmed).add(from);
    s.catchUp = confirmed.size >= this.q.joinViewChange ? null : { ...c, confirmed };
  }

  private hasOutstandingWork(): boolean {
    const s = this.s;
    if (s.status === 'viewChanging' || s.pending.size > 0 || s.transfer !== null) return true;
    for (const seq of s.log.keys()) if (seq > s.lastExecuted) return true;
    // Peers order or have checkpointed past what this replica executed: it is behind and should ask.
    if (s.peerAhead > s.lastExecuted) return true;
    for (const [seq, bySender] of s.checkpoints) {
      if (seq > s.lastExecuted && bySender.size > (bySender.has(this.me) ? 1 : 0)) return true;
    }
    return false;
  }

  onMessage(from: unknown, raw: unknown): void {
    if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 0 || from >= this.cfg.n || from === this.me) {
      this.drop('client', 'unknownSender', `message from an unknown sender ${String(from)}`);
      return;
    }
    const checked = checkReplicaMessage(raw, this.cfg);
    if (!checked.ok) {
      this.drop(from, 'malformed', checked.reason);
      return;
    }
    this.dispatch(from, checked.value);
  }

  private dispatch(from: number, m: ReplicaMessage): void {
    switch (m.type) {
      case 'request':
        this.onRequest(m, from);
        return;
      case 'prePrepare':
      case 'prepare':
      case 'commit':
        this.onOrdering(from, m);
        return;
      case 'checkpoint':
        this.onCheckpoint(from, m);
        return;
      case 'viewChange':
        this.onViewChange(from, m);
        return;
      case 'newView':
        this.onNewView(from, m);
        return;
      case 'suspect':
        this.onSuspect(from, m);
        return;
      case 'fetchState':
        this.onFetchState(from, m);
        return;
      case 'stateTransfer':
        this.onStateTransfer(from, m);
        return;
      case 'status':
        this.onStatus(from, m);
        return;
    }
  }

  // ---- requests and batching (paper step 1) ----------------------------------------------

  onRequest(request: Request, from: number | 'client'): void {
    const s = this.s;
    const last = s.clients.get(request.client);
    if (last !== undefined && request.timestamp <= last.timestamp) {
      // Already executed: a retransmission gets the last reply again; older requests are ignored.
      if (request.timestamp === last.timestamp && from === 'client') this.reply(request.client, last);
      else this.drop(from, 'alreadyExecuted', 'request already executed');
      return;
    }
    const key = requestKey(request);
    const known = s.pending.get(key);
    if (known !== undefined) {
      if (!sameContent(known, request))
        this.drop(from, 'conflict', 'conflicting request: same client and timestamp, other operation');
      else if (from === 'client' && !this.isPrimary && s.status === 'normal') this.send(primaryOf(s.view, this.cfg.n), known);
      return;
    }
    if (!safeVerifyClient(this.cfg.crypto, request)) {
      this.drop(from, 'badClientSignature', 'request: bad client signature');
      return;
    }
    if (s.pending.size >= this.cfg.maxPending) {
      this.drop(from, 'pendingFull', 'request: pending queue full');
      return;
    }
    this.own('pending').set(key, request);
    if (s.status !== 'normal') return;
    if (!this.isPrimary && from === 'client') this.send(primaryOf(s.view, this.cfg.n), request);
    this.startTimerIfWaiting();
    this.propose(false);
  }

  /**
   * A peer orders past this replica (beyond its window, or in a later view): remember that this
   * replica is behind, so it keeps asking until it has caught up ({@link hasOutstandingWork}), and
   * ask the sender with a STATUS now (at most one per retransmission interval). A sender ahead
   * answers with its stable checkpoint and the 2f + 1 signed CHECKPOINTs that prove it
   * (Castro-Liskov 5.3), which onStateTransfer checks, or with the NEW-VIEW of its view.
   */
  private askPeerAhead(from: number, seq: number): void {
    const s = this.s;
    if (seq > s.peerAhead) s.peerAhead = seq;
    this.startCatchUp();
    if (s.now - s.lastStatus < this.cfg.retransmitInterval) return;
    s.lastStatus = s.now;
    this.send(from, this.status());
  }

  /** This replica's STATUS: where it is (view, last executed, stable checkpoint), and whether it is catching up. */
  private status(): Status {
    const s = this.s;
    return {
      type: 'status',
      replica: this.me,
      view: s.view,
      viewChanging: s.status === 'viewChanging',
      lastExecuted: s.lastExecuted,
      stableSeq: s.stable.seq,
      ...(s.catchUp === null ? {} : { catchingUp: true }),
    };
  }

  /**
   * Paper step 1: the leader takes waiting requests, sorts them, assigns the next serial number
   * and multicasts PRE-PREPARE. Full batches go at once; a partial batch goes on a tick (`flush`).
   */
  private propose(flush: boolean): void {
    const s = this.s;
    if (!this.isPrimary || s.status !== 'normal') return;
    for (;;) {
      if (!this.inWindow(s.seqAssigned + 1)) return; // the high watermark H = h + L
      const batch: Request[] = [];
      for (const [key, request] of s.pending) {
        if (s.proposed.has(key)) continue;
        batch.push(request);
        if (batch.length === this.cfg.maxBatch) break;
      }
      if (batch.length === 0 || (batch.length < this.cfg.maxBatch && !flush)) return;
      batch.sort(compareRequests);
      const seq = s.seqAssigned + 1;
      s.seqAssigned = seq;
      // The batch's time: this replica's clock reading, never below the previous batch's time.
      const time = Math.max(s.clock ?? 0, this.previousTime(seq) ?? s.lastTime);
      const unsigned = { view: s.view, seq, digest: orderingDigest(time, batchDigest(batch)), time, replica: this.me };
      const prePrepare: PrePrepare = {
        type: 'prePrepare',
        ...unsigned,
        signature: this.sign(prePrepareSignable(unsigned)),
        batch,
      };
      const proposed = this.proposedSet();
      for (const request of batch) proposed.add(requestKey(request));
      this.setSlot(seq, { ...EMPTY_SLOT, prePrepare });
      this.broadcast(prePrepare);
    }
  }

  // ---- normal-case ordering (paper steps 2-4) -------------------------------------------

  private onOrdering(from: number, m: PrePrepare | Prepare | Commit): void {
    const s = this.s;
    if (m.view !== s.view) {
      this.drop(from, 'wrongView', `${m.type} for view ${m.view}, replica is in view ${s.view}`);
      if (m.view > s.view) this.askPeerAhead(from, m.seq); // the sender is in a later view
      return;
    }
    if (s.status !== 'normal') {
      // Arrived before the NEW-VIEW that starts this view: keep it for when that view starts.
      if (s.early.length < 4 * this.cfg.n * this.cfg.logWindow) s.early = [...s.early, { from, message: m }];
      else this.drop(from, 'bufferFull', `${m.type}: view change in progress, buffer full`);
      return;
    }
    if (!this.inWindow(m.seq)) {
      this.drop(
        from,
        'outsideWatermarks',
        `${m.type} seq ${m.seq} outside the watermarks (${s.stable.seq}, ${s.stable.seq + this.cfg.logWindow}]`,
      );
      // Above the high watermark: the sender is ordering past our window, so we missed a stable
      // checkpoint (for instance while crashed).
      if (m.seq > s.stable.seq + this.cfg.logWindow) this.askPeerAhead(from, m.seq);
      return;
    }
    if (m.type === 'prePrepare') this.onPrePrepare(from, m);
    else if (m.type === 'prepare') this.onPrepare(from, m);
    else this.onCommit(from, m);
  }

  /**
   * Paper step 2: a backup accepts the PRE-PREPARE if it is signed by the primary of the view,
   * within the watermarks, not in conflict with one already accepted for (v, n), and its batch is
   * sorted, matches the digest and carries valid client signatures; then it multicasts PREPARE.
   */
  private onPrePrepare(from: number, pp: PrePrepare): void {
    const s = this.s;
    if (this.isPrimary) {
      this.drop(from, 'notPrimary', 'pre-prepare: the primary does not accept pre-prepares');
      return;
    }
    const existing = s.log.get(pp.seq)?.prePrepare;
    if (existing != null) {
      if (!bytesEqual(existing.digest, pp.digest)) {
        this.drop(from, 'conflict', `pre-prepare: conflicts with the one accepted for seq ${pp.seq}`);
        return;
      }
    }
    if (existing == null) {
      const badTime = this.timeProblem(pp);
      if (badTime !== null) {
        this.drop(from, 'badTime', `pre-prepare for seq ${pp.seq}: ${badTime}`);
        return;
      }
    }
    const bad = prePrepareProblem(pp, this.cfg.n, this.cfg.crypto);
    if (bad !== null) {
      this.drop(from, bad.code, bad.reason);
      return;
    }
    // The client signatures are the expensive part (up to maxBatch of them): a PRE-PREPARE that
    // failed them is not checked again for the same (sender, view, seq).
    const refusedKey = `prePrepare/${from}/${pp.view}/${pp.seq}`;
    if (s.refused.has(refusedKey)) {
      this.drop(from, 'refusedBefore', `pre-prepare for seq ${pp.seq} from ${from} was refused before`);
      return;
    }
    for (let i = 0; i < pp.batch.length; i++) {
      const request = pp.batch[i] as Request;
      if (i > 0 && compareRequests(pp.batch[i - 1] as Request, request) >= 0) {
        this.drop(from, 'batchUnsorted', 'pre-prepare: batch not sorted by (client, timestamp) or has a duplicate');
        return;
      }
      const known = s.pending.get(requestKey(request));
      const verified = known !== undefined && sameSigned(known, request);
      if (!verified && !safeVerifyClient(this.cfg.crypto, request)) {
        this.remember(refusedKey);
        this.drop(from, 'badClientSignature', `pre-prepare: bad client signature on request ${i}`);
        return;
      }
    }
    this.addPending(pp.batch);
    const unsigned = { view: pp.view, seq: pp.seq, digest: pp.digest, replica: this.me };
    const prepare: Prepare = { type: 'prepare', ...unsigned, signature: this.sign(prepareSignable(unsigned)) };
    const slot = s.log.get(pp.seq) ?? EMPTY_SLOT;
    this.setSlot(pp.seq, { prePrepare: pp, prepares: new Map(slot.prepares).set(this.me, prepare) });
    this.broadcast(prepare);
    this.startTimerIfWaiting();
    this.checkPrepared(pp.seq);
  }

  /** The time of the batch at seq - 1, when this replica knows it (its PRE-PREPARE, or the last executed batch). */
  private previousTime(seq: number): number | undefined {
    const s = this.s;
    const previous = s.log.get(seq - 1)?.prePrepare;
    if (previous != null) return previous.time;
    return seq - 1 === s.lastExecuted ? s.lastTime : undefined;
  }

  /**
   * Time from the ordering layer (issue 11, item 10): a batch's time may not go back from the
   * previous batch's (nor pass the next one's, when that arrived first), and must lie within
   * maxClockSkew of this replica's clock reading, when it has one, unless f + 1 replicas already
   * vouch for it ({@link Machine.vouched}). The re-proposals of a NEW-VIEW keep the time they were
   * prepared with and are not checked against the clock.
   *
   * A replica with no clock reading (started or restarted, no tick with a time yet) cannot check a
   * time that moves forward, so it accepts one only when f + 1 replicas vouch for it: its PREPARE
   * is a vouch too, and one given unchecked would let a Byzantine primary and one clockless
   * replica make every other correct replica accept any future time. A cluster whose hosts pass no
   * time at all keeps working: its correct primaries never move the time forward (every batch time
   * is the first one's).
   */
  private timeProblem(pp: PrePrepare): string | null {
    const s = this.s;
    const previous = this.previousTime(pp.seq);
    if (previous !== undefined && pp.time < previous) return `time ${pp.time} goes back from ${previous}`;
    const next = s.log.get(pp.seq + 1)?.prePrepare;
    if (next != null && pp.time > next.time) return `time ${pp.time} is after the next batch's ${next.time}`;
    if (s.clock !== null && Math.abs(pp.time - s.clock) > this.cfg.maxClockSkew && !this.vouched(pp)) {
      return `time ${pp.time} is more than ${this.cfg.maxClockSkew} from this replica's clock ${s.clock}`;
    }
    const floor = previous ?? s.lastTime;
    if (s.clock === null && pp.time > floor && !this.vouched(pp)) {
      return `time ${pp.time} moves forward from ${floor} and this replica has no clock reading to check it (f + 1 replicas must vouch for it)`;
    }
    return null;
  }

  /**
   * Whether f + 1 replicas vouch for this PRE-PREPARE's time: its primary (which stamped it) and
   * those that sent PREPARE or COMMIT for its digest. At least one of them is correct, so the time
   * was a correct clock's, or accepted by one when it was fresh; a replica catching up (which
   * receives old PRE-PREPAREs by retransmission, after their time left its clock bound) accepts it.
   */
  private vouched(pp: PrePrepare): boolean {
    const slot = this.s.log.get(pp.seq);
    if (slot === undefined) return false;
    const voters = new Set<number>([pp.replica]);
    for (const votes of [slot.prepares, slot.commits]) {
      for (const [replica, m] of votes) if (replica !== this.me && bytesEqual(m.digest, pp.digest)) voters.add(replica);
    }
    return voters.size >= this.q.joinViewChange;
  }

  private addPending(batch: readonly Request[]): void {
    for (const request of batch) {
      const last = this.s.clients.get(request.client);
      if (last !== undefined && request.timestamp <= last.timestamp) continue;
      const key = requestKey(request);
      if (!this.s.pending.has(key) && this.s.pending.size < this.cfg.maxPending) this.own('pending').set(key, request);
    }
  }

  private onPrepare(from: number, p: Prepare): void {
    if (p.replica === primaryOf(p.view, this.cfg.n)) {
      this.drop(from, 'notPrimary', 'prepare from the primary');
      return;
    }
    const slot = this.s.log.get(p.seq) ?? EMPTY_SLOT;
    if (slot.prepares.has(p.replica)) return; // duplicate
    if (!safeVerifyReplica(this.cfg.crypto, p.replica, prepareSignable(p), p.signature)) {
      this.drop(from, 'badSignature', `prepare: bad signature of replica ${p.replica}`);
      return;
    }
    this.setSlot(p.seq, { prepares: new Map(slot.prepares).set(p.replica, p) });
    this.checkPrepared(p.seq);
  }

  /** Paper step 3: prepared = PRE-PREPARE + 2f matching PREPAREs from distinct backups; multicast COMMIT. */
  private checkPrepared(seq: number): void {
    const slot = this.s.log.get(seq);
    if (slot?.prePrepare == null || slot.prepared) return;
    const pp = slot.prePrepare;
    const matching: Prepare[] = [];
    for (const p of slot.prepares.values()) if (bytesEqual(p.digest, pp.digest)) matching.push(p);
    if (matching.length < this.q.prepare) return;
    matching.sort((a, b) => a.replica - b.replica);
    const proof: PreparedProof = { prePrepare: pp, prepares: matching.slice(0, this.q.prepare) };
    this.own('prepared').set(seq, proof);
    const unsigned = { view: pp.view, seq, digest: pp.digest, replica: this.me };
    const commit: Commit = { type: 'commit', ...unsigned, signature: this.sign(commitSignable(unsigned)) };
    this.setSlot(seq, { prepared: true, commits: new Map(slot.commits).set(this.me, commit) });
    this.broadcast(commit);
    this.checkCommitted(seq);
  }

  private onCommit(from: number, c: Commit): void {
    const slot = this.s.log.get(c.seq) ?? EMPTY_SLOT;
    if (slot.commits.has(c.replica)) return; // duplicate
    if (!safeVerifyReplica(this.cfg.crypto, c.replica, commitSignable(c), c.signature)) {
      this.drop(from, 'badSignature', `commit: bad signature of replica ${c.replica}`);
      return;
    }
    this.setSlot(c.seq, { commits: new Map(slot.commits).set(c.replica, c) });
    this.checkCommitted(c.seq);
  }

  /** Paper step 4: committed-local = prepared and 2f + 1 matching COMMITs (own included). */
  private checkCommitted(seq: number): void {
    const slot = this.s.log.get(seq);
    if (slot?.prePrepare == null || !slot.prepared || slot.committed) return;
    let matching = 0;
    for (const c of slot.commits.values()) if (bytesEqual(c.digest, slot.prePrepare.digest)) matching++;
    if (matching < this.q.commit) return;
    this.setSlot(seq, { committed: true });
    this.executeReady();
  }

  /** Executes committed batches in sequence order (requests run in order, never with a gap). */
  private executeReady(): void {
    for (;;) {
      const slot = this.s.log.get(this.s.lastExecuted + 1);
      if (slot?.prePrepare == null || !slot.committed) return;
      this.execute(slot.prePrepare, slot);
    }
  }

  /**
   * Paper steps 4-5: record the batch as the next block and reply to each client. A request runs
   * only if its timestamp is newer than the client's last one (at most once); the last reply is kept.
   * The `execute` effect comes before the batch's `reply` effects (the order {@link ReplicaEffect} promises).
   */
  private execute(pp: PrePrepare, slot: Slot): void {
    const s = this.s;
    const seq = pp.seq;
    const executed: number[] = [];
    const replies: ClientRecord[] = [];
    let waitedFor = false;
    for (let i = 0; i < pp.batch.length; i++) {
      const request = pp.batch[i] as Request;
      const last = s.clients.get(request.client);
      if (last !== undefined && request.timestamp <= last.timestamp) continue;
      const record: ClientRecord = { client: request.client, timestamp: request.timestamp, result: executionResult(seq, i) };
      this.own('clients').set(request.client, record);
      executed.push(i);
      const key = requestKey(request);
      if (s.pending.has(key)) {
        waitedFor = true;
        this.own('pending').delete(key);
      }
      if (s.proposed.has(key)) this.proposedSet().delete(key);
      replies.push(record);
    }
    if (executed.length > 0 && s.pending.size > 0) this.dropStalePending();
    s.lastTime = pp.time;
    const certificate: Commit[] = [];
    for (const c of slot.commits.values()) if (bytesEqual(c.digest, pp.digest)) certificate.push(c);
    certificate.sort((a, b) => a.replica - b.replica);
    s.chainHead = blockHash(seq, s.chainHead, pp.digest);
    s.lastExecuted = seq;
    s.lastProgress = s.now;
    this.persist = true;
    this.effects.push({
      type: 'execute',
      seq,
      view: pp.view,
      digest: pp.digest,
      time: pp.time,
      batch: pp.batch,
      executed,
      chainHead: s.chainHead,
      certificate: certificate.slice(0, this.q.commit),
    });
    // The replies after the block (see ReplicaEffect): a host that stores the block on `execute`
    // and sends replies as they come never answers a client before the block is recorded.
    for (const record of replies) this.reply(record.client, record);
    // The timer stops when nothing is waiting, and restarts when a request waited for ran.
    if (s.status === 'normal') {
      if (s.pending.size === 0) s.timerDeadline = null;
      else if (waitedFor) s.timerDeadline = s.now + timeoutTicks(this.cfg, 0);
      if (waitedFor) s.backoff = 0;
    }
    if (s.transfer !== null && s.lastExecuted >= s.transfer.seq) s.transfer = null;
    if (seq % this.cfg.checkpointInterval === 0) this.takeCheckpoint(seq);
    this.propose(false);
  }

  /** Requests whose client has since had a newer request executed can never run: forget them. */
  private dropStalePending(): void {
    const pending = this.own('pending');
    for (const [key, request] of pending) {
      const last = this.s.clients.get(request.client);
      if (last !== undefined && request.timestamp <= last.timestamp) pending.delete(key);
    }
  }

  private reply(client: string, record: ClientRecord): void {
    this.persist = true;
    this.effects.push({
      type: 'reply',
      client,
      reply: { type: 'reply', view: this.s.view, timestamp: record.timestamp, client, replica: this.me, result: record.result },
    });
  }

  // ---- checkpoints and garbage collection -------------------------------------------------

  private snapshot(seq: number): Snapshot {
    const clients = [...this.s.clients.values()].sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : 0));
    return { seq, chainHead: this.s.chainHead, time: this.s.lastTime, clients };
  }

  /** Every K sequence numbers: multicast ⟨CHECKPOINT, n, d, i⟩ with the digest of the state. */
  private takeCheckpoint(seq: number): void {
    const snapshot = this.snapshot(seq);
    this.own('snapshots').set(seq, snapshot);
    const unsigned = { seq, digest: snapshotDigest(snapshot), replica: this.me };
    const checkpoint: Checkpoint = { type: 'checkpoint', ...unsigned, signature: this.sign(checkpointSignable(unsigned)) };
    this.broadcast(checkpoint);
    this.recordCheckpoint(checkpoint);
  }

  private onCheckpoint(from: number, c: Checkpoint): void {
    const s = this.s;
    if (c.seq <= s.stable.seq) return; // already stable or older
    if (c.seq % this.cfg.checkpointInterval !== 0) {
      this.drop(from, 'notCheckpoint', `checkpoint at seq ${c.seq}, not a multiple of K`);
      return;
    }
    if (s.checkpoints.get(c.seq)?.has(c.replica)) return; // duplicate
    if (!safeVerifyReplica(this.cfg.crypto, c.replica, checkpointSignable(c), c.signature)) {
      this.drop(from, 'badSignature', `checkpoint: bad signature of replica ${c.replica}`);
      return;
    }
    this.recordCheckpoint(c);
  }

  private recordCheckpoint(c: Checkpoint): void {
    const s = this.s;
    const high = s.stable.seq + this.cfg.logWindow;
    const checkpoints = this.own('checkpoints');
    if (c.seq > high) {
      // Above the window only the latest checkpoint of each replica is kept (bounded memory),
      // enough to learn that 2f + 1 replicas are ahead.
      for (const [seq, bySender] of checkpoints) {
        if (seq > high && bySender.has(c.replica)) {
          const rest = new Map(bySender);
          rest.delete(c.replica);
          if (rest.size === 0) checkpoints.delete(seq);
          else checkpoints.set(seq, rest);
        }
      }
    }
    const bySender = new Map(checkpoints.get(c.seq) ?? []).set(c.replica, c);
    checkpoints.set(c.seq, bySender);
    const matching: Checkpoint[] = [];
    for (const m of bySender.values()) if (bytesEqual(m.digest, c.digest)) matching.push(m);
    if (matching.length >= this.q.checkpoint) {
      matching.sort((a, b) => a.replica - b.replica);
      this.makeStable(c.seq, c.digest, matching);
    }
  }

  /** A checkpoint with a proof of 2f + 1 becomes stable: h moves up and the log below it is discarded. */
  private makeStable(seq: number, digest: Uint8Array, proof: readonly Checkpoint[]): void {
    const s = this.s;
    if (seq <= s.stable.seq) return;
    const own = s.snapshots.get(seq);
    const snapshot = own !== undefined && bytesEqual(snapshotDigest(own), digest) ? own : null;
    s.stable = { seq, digest, proof, snapshot };
    for (const key of ['log', 'prepared', 'checkpoints', 'snapshots'] as const) {
      const map = this.own(key) as Map<number, unknown>;
      for (const k of map.keys()) if (k <= seq) map.delete(k);
    }
    if (s.seqAssigned < seq) s.seqAssigned = seq;
    if (s.lastExecuted < seq) {
      // Fell behind a stable checkpoint: the log it would need is gone; fetch the state.
      s.transfer = { seq, askedAt: s.now };
      this.broadcast({ type: 'fetchState', replica: this.me, lastExecuted: s.lastExecuted } satisfies FetchState);
    }
    this.propose(false);
  }

  // ---- state transfer ---------------------------------------------------------------------

  private onFetchState(from: number, m: FetchState): void {
    if (m.replica !== from) {
      this.drop(from, 'senderMismatch', 'fetchState: sender mismatch');
      return;
    }
    const stable = this.s.stable;
    if (stable.snapshot === null || stable.seq <= m.lastExecuted) return;
    this.send(from, {
      type: 'stateTransfer',
      snapshot: stable.snapshot,
      proof: stable.proof,
      replica: this.me,
    } satisfies StateTransfer);
  }

  /** Adopts a snapshot whose digest 2f + 1 replicas signed in CHECKPOINT messages. */
  private onStateTransfer(from: number, m: StateTransfer): void {
    const s = this.s;
    const snapshot = m.snapshot;
    if (snapshot.seq <= s.lastExecuted) return; // not newer
    if (snapshot.seq % this.cfg.checkpointInterval !== 0) {
      this.drop(from, 'notCheckpoint', 'stateTransfer: not at a checkpoint');
      return;
    }
    const digest = snapshotDigest(snapshot);
    const bad = checkpointProofProblem(m.proof, snapshot.seq, digest, this.cfg.n, this.cfg.crypto);
    if (bad !== null) {
      this.drop(from, bad.code, `stateTransfer: ${bad.reason}`);
      return;
    }
    s.lastExecuted = snapshot.seq;
    s.chainHead = snapshot.chainHead;
    s.lastTime = snapshot.time;
    s.clients = new Map(snapshot.clients.map((c) => [c.client, c]));
    this.copied.add('clients');
    if (snapshot.seq > s.stable.seq) this.makeStable(snapshot.seq, digest, m.proof);
    if (s.stable.seq === snapshot.seq) s.stable = { ...s.stable, snapshot };
    if (s.transfer !== null && s.lastExecuted >= s.transfer.seq) s.transfer = null;
    if (s.pending.size > 0) this.dropStalePending();
    if (s.pending.size === 0 && s.status === 'normal') s.timerDeadline = null;
    s.lastProgress = s.now;
    this.persist = true;
    this.effects.push({ type: 'stateTransferred', seq: snapshot.seq, chainHead: snapshot.chainHead });
    this.executeReady();
  }

  // ---- retransmission -----------------------------------------------------------------------

  /**
   * Whether a peer may be answered now: at most one answer (to a STATUS, or a NEW-VIEW resent for
   * a stale VIEW-CHANGE) per peer every `retransmitInterval` ticks, so a flood of small requests
   * cannot make this replica send its log over and over (issue 11, item 3). Records the answer.
   */
  private mayAnswer(from: number): boolean {
    const s = this.s;
    const last = s.answered.get(from);
    if (last !== undefined && s.now - last < this.cfg.retransmitInterval) return false;
    const answered = new Map(s.answered);
    answered.set(from, s.now);
    s.answered = answered;
    return true;
  }

  /**
   * Answers a STATUS with what the sender lacks (Castro-Liskov section 5.2, simplified). Whatever
   * the views: a state transfer if the sender is behind our stable checkpoint; otherwise, if our
   * stable checkpoint is above the sender's, its 2f + 1 CHECKPOINTs; and our own CHECKPOINTs above
   * the sender's stable checkpoint (issue 11, item 1: a CHECKPOINT lost when it was broadcast is
   * sent again, so no loss can keep the watermarks shut). Then, by view: the NEW-VIEW or our
   * VIEW-CHANGE if the sender is in another view, else our messages for the first K slots of our
   * log above its last executed sequence number (a bounded answer: a replica further behind asks again).
   * A sender that is catching up (`catchingUp`) gets this replica's own STATUS last, after what it
   * lacks, so that it can tell when it has caught up ({@link noteCaughtUp}); a STATUS without the
   * flag gets none, so two replicas never bounce STATUS messages off each other.
   * Rate-limited per peer ({@link Machine.mayAnswer}).
   */
  private onStatus(from: number, m: Status): void {
    if (m.replica !== from) {
      this.drop(from, 'senderMismatch', 'status: sender mismatch');
      return;
    }
    this.noteCaughtUp(from, m);
    if (!this.mayAnswer(from)) {
      this.drop(from, 'rateLimited', `status: replica ${from} was answered less than ${this.cfg.retransmitInterval} ticks ago`);
      return;
    }
    this.answerStatus(from, m);
    if (m.catchingUp === true) this.send(from, this.status());
  }

  /** What a peer that sent STATUS `m` lacks (see {@link onStatus}). */
  private answerStatus(from: number, m: Status): void {
    const s = this.s;
    if (s.stable.seq > m.lastExecuted) {
      if (s.stable.snapshot !== null) {
        this.send(from, { type: 'stateTransfer', snapshot: s.stable.snapshot, proof: s.stable.proof, replica: this.me });
      }
    } else if (s.stable.seq > m.stableSeq) {
      for (const checkpoint of s.stable.proof) if (checkpoint.replica !== from) this.send(from, checkpoint);
    }
    for (const [seq, bySender] of s.checkpoints) {
      const mine = bySender.get(this.me);
      if (seq > m.stableSeq && mine !== undefined) this.send(from, mine);
    }
    const ownViewChange = s.viewChanges.get(this.me);
    if (m.view < s.view || (m.view === s.view && m.viewChanging && s.status === 'normal')) {
      if (s.status === 'normal' && s.newView !== null) this.send(from, s.newView);
      else if (s.status === 'viewChanging') this.sendViewChangeEvidence(from);
      return;
    }
    if (m.view !== s.view) return;
    if (s.status === 'viewChanging') {
      if (ownViewChange !== undefined) this.send(from, ownViewChange);
      return;
    }
    const slots = [...s.log.keys()].filter((seq) => seq > m.lastExecuted).sort((x, y) => x - y);
    for (const seq of slots.slice(0, this.cfg.checkpointInterval)) {
      // Votes first: a replica catching up accepts an old PRE-PREPARE that f + 1 replicas vouch for.
      const slot = s.log.get(seq) as Slot;
      const prepare = slot.prepares.get(this.me);
      if (prepare !== undefined) this.send(from, prepare);
      const commit = slot.commits.get(this.me);
      if (commit !== undefined) this.send(from, commit);
      if (slot.prePrepare !== null) this.send(from, slot.prePrepare);
    }
  }

  // ---- view change (Castro-Liskov 4.4) ------------------------------------------------------

  /**
   * The view-change timer expired: accuse the primary of the current view (or, during a view
   * change, the primary of the view being waited for) with a signed SUSPECT, and stay.
   *
   * The rule (issue 11, item 6), from Zyzzyva (Kotla et al., SOSP 2007, section 3.5: a replica
   * commits to a view change only after f + 1 I-HATE-THE-PRIMARY accusations) and BFT-SMaRt
   * (Sousa and Bessani, EDCC 2012: a timeout sends a STOP that carries no state; the decision log
   * goes out, as STOP-DATA, only once the change is under way). A VIEW-CHANGE cannot be taken back:
   * it carries the sender's prepared certificates, and a replica that went on ordering in the old
   * view afterwards could commit what that VIEW-CHANGE does not report. So a replica that times
   * out alone must not send one: it accuses, keeps working in its view (it is never left out),
   * and sends its VIEW-CHANGE only when f + 1 replicas, at least one of them correct, want a later
   * view ({@link joinIfAccused}). It then relays those accusations, and every correct replica
   * that receives them moves with it. f Byzantine replicas alone still cannot force a view change
   * (Castro-Liskov 4.5.2). A replica that does find itself ahead, in a view change the others
   * have not joined, answers their STATUS with its VIEW-CHANGE and the accusations it holds.
   */
  private suspectPrimary(): void {
    const s = this.s;
    s.timerDeadline = null;
    const own = s.suspicions.get(this.me);
    if (own === undefined || own.view < s.view) {
      const unsigned = { view: s.view, replica: this.me };
      const accusation: Suspect = { type: 'suspect', ...unsigned, signature: this.sign(suspectSignable(unsigned)) };
      s.suspicions = new Map(s.suspicions).set(this.me, accusation);
      this.broadcast(accusation);
      this.accused = true;
    }
    this.joinIfAccused();
  }

  /** A SUSPECT from a peer (or relayed): kept if newer and genuine; it may complete f + 1. */
  private onSuspect(from: number, m: Suspect): void {
    const s = this.s;
    if (m.view < s.view || m.replica === this.me) return; // stale, or our own relayed back
    const known = s.suspicions.get(m.replica);
    if (known !== undefined && known.view >= m.view) return; // not newer
    if (!safeVerifyReplica(this.cfg.crypto, m.replica, suspectSignable(m), m.signature)) {
      this.drop(from, 'badSignature', `suspect: bad signature of replica ${m.replica}`);
      return;
    }
    s.suspicions = new Map(s.suspicions).set(m.replica, m);
    this.joinIfAccused();
  }

  /**
   * Castro-Liskov 4.5.2, with accusations: when f + 1 replicas want a view above the current one
   * (a SUSPECT of view v wants v + 1, a VIEW-CHANGE for w wants w), at least one of them correct,
   * move to the smallest view among the f + 1 highest wanted. Returns true if the view changed.
   */
  private joinIfAccused(): boolean {
    const s = this.s;
    const wanted: number[] = [];
    for (let replica = 0; replica < this.cfg.n; replica++) {
      const w = Math.max(s.viewChanges.get(replica)?.view ?? -1, (s.suspicions.get(replica)?.view ?? -2) + 1);
      if (w > s.view) wanted.push(w);
    }
    if (wanted.length < this.q.joinViewChange) return false;
    wanted.sort((a, b) => b - a);
    this.startViewChange(wanted[this.q.joinViewChange - 1] as number);
    return true;
  }

  /** To a peer in an earlier view: our VIEW-CHANGE and what made us move (accusations, others' VIEW-CHANGEs). */
  private sendViewChangeEvidence(to: number): void {
    const s = this.s;
    const own = s.viewChanges.get(this.me);
    if (own !== undefined) this.send(to, own);
    for (const [replica, accusation] of s.suspicions) {
      if (replica !== to && accusation.view + 1 >= s.view) this.send(to, accusation);
    }
    for (const [replica, vc] of s.viewChanges) {
      if (replica !== to && replica !== this.me && vc.view >= s.view) this.send(to, vc);
    }
  }

  /** Moves to view `view` and multicasts ⟨VIEW-CHANGE, v, n, C, P, i⟩; the timeout doubles each time. */
  private startViewChange(view: number): void {
    const s = this.s;
    if (view <= s.view && s.status === 'viewChanging') return;
    s.view = view;
    s.status = 'viewChanging';
    s.log = new Map();
    this.copied.add('log');
    s.early = [];
    s.proposed = new Set();
    this.copied.add('proposed');
    s.newView = null;
    const prepared = [...s.prepared.values()]
      .filter((p) => p.prePrepare.seq > s.stable.seq)
      .sort((a, b) => a.prePrepare.seq - b.prePrepare.seq);
    const unsigned = {
      view,
      stableSeq: s.stable.seq,
      stableDigest: s.stable.digest,
      checkpointProof: s.stable.proof,
      prepared,
      replica: this.me,
    };
    const viewChange: ViewChange = { type: 'viewChange', ...unsigned, signature: this.sign(viewChangeSignable(unsigned)) };
    const viewChanges = this.own('viewChanges');
    for (const [replica, vc] of viewChanges) if (vc.view < view) viewChanges.delete(replica);
    viewChanges.set(this.me, viewChange);
    this.broadcast(viewChange);
    // Relay the accusations that justify this view (they commit nobody to anything), so every
    // correct replica that receives them moves too and none is left behind in the old view.
    const suspicions = new Map(s.suspicions);
    for (const [replica, accusation] of suspicions) {
      if (accusation.view + 1 < view) suspicions.delete(replica);
      else if (replica !== this.me) this.broadcast(accusation);
    }
    s.suspicions = suspicions;
    s.backoff = Math.min(s.backoff + 1, this.cfg.maxBackoff);
    s.timerDeadline = null;
    this.armViewChangeTimer();
    s.lastProgress = s.now;
    this.tryNewView();
  }

  /** During a view change the timer runs once 2f + 1 replicas are known to be in this view or beyond. */
  private armViewChangeTimer(): void {
    const s = this.s;
    if (s.status === 'viewChanging' && s.timerDeadline === null && viewChangeQuorumReached(s)) {
      s.timerDeadline = s.now + timeoutTicks(this.cfg, s.backoff);
    }
  }

  /**
   * A VIEW-CHANGE is checked in two parts (issue 11, item 2): its structure and its sender's
   * signature on arrival (cheap: one signature), and the signatures of its certificates C and P
   * only by the replica that needs them, the primary of its view, when it builds the NEW-VIEW
   * ({@link tryNewView}). Other replicas use a VIEW-CHANGE only as a vote to change view.
   */
  private onViewChange(from: number, vc: ViewChange): void {
    const s = this.s;
    if (vc.view < s.view || (vc.view === s.view && s.status === 'normal')) {
      // The sender missed the NEW-VIEW of the current view: the primary sends it again.
      if (vc.view === s.view && this.isPrimary && s.newView !== null && this.mayAnswer(from)) this.send(from, s.newView);
      return;
    }
    const existing = s.viewChanges.get(vc.replica);
    if (existing !== undefined && existing.view >= vc.view) return; // not newer
    const bad = viewChangeShapeProblem(vc, this.cfg.n, this.cfg.logWindow) ?? viewChangeSignatureProblem(vc, this.cfg.crypto);
    if (bad !== null) {
      this.drop(from, bad.code, bad.reason);
      return;
    }
    if (s.verifiedViewChanges.has(vc.replica)) {
      const verified = new Set(s.verifiedViewChanges);
      verified.delete(vc.replica);
      s.verifiedViewChanges = verified;
    }
    this.own('viewChanges').set(vc.replica, vc);
    if (this.joinIfAccused()) return;
    if (s.status === 'viewChanging') {
      this.armViewChangeTimer();
      this.tryNewView();
    }
  }

  /**
   * The new primary, once it holds 2f + 1 VIEW-CHANGEs for its view whose certificates verify,
   * multicasts NEW-VIEW. Each VIEW-CHANGE's certificates are verified once (remembered in
   * `verifiedViewChanges`); one that fails is discarded.
   */
  private tryNewView(): void {
    const s = this.s;
    if (s.status !== 'viewChanging' || !this.isPrimary) return;
    const own = s.viewChanges.get(this.me);
    if (own === undefined || own.view !== s.view) return;
    const candidates = [...s.viewChanges.values()]
      .filter((vc) => vc.view === s.view && vc.replica !== this.me)
      .sort((a, b) => a.replica - b.replica);
    if (candidates.length + 1 < this.q.viewChange) return;
    const others: ViewChange[] = [];
    for (const vc of candidates) {
      if (others.length + 1 >= this.q.viewChange) break;
      if (!s.verifiedViewChanges.has(vc.replica)) {
        const bad = viewChangeCertificatesProblem(vc, this.cfg.n, this.cfg.crypto);
        if (bad !== null) {
          this.own('viewChanges').delete(vc.replica);
          this.drop(vc.replica, bad.code, bad.reason);
          continue;
        }
        s.verifiedViewChanges = new Set(s.verifiedViewChanges).add(vc.replica);
      }
      others.push(vc);
    }
    if (others.length + 1 < this.q.viewChange) return;
    const viewChanges = [own, ...others];
    const plan = computeNewViewPlan(s.view, viewChanges);
    const prePrepares: PrePrepare[] = plan.entries.map((entry) => {
      const unsigned = { view: s.view, seq: entry.seq, digest: entry.digest, time: entry.time, replica: this.me };
      return { type: 'prePrepare', ...unsigned, signature: this.sign(prePrepareSignable(unsigned)), batch: entry.batch };
    });
    const unsigned = { view: s.view, viewChanges, prePrepares, replica: this.me };
    const newView: NewView = { type: 'newView', ...unsigned, signature: this.sign(newViewSignable(unsigned)) };
    this.broadcast(newView);
    this.enterView(newView, plan);
  }

  /**
   * A backup checks NEW-VIEW: 2f + 1 valid VIEW-CHANGEs, and O equal to the one it computes itself.
   * Every cheap check comes first (view, sender, count and distinct senders of V, the structure of
   * each VIEW-CHANGE, O against V), then the signatures, one per message before any certificate's
   * (issue 11, item 2). A NEW-VIEW refused after its signatures were checked is remembered by
   * (sender, view): the same sender is not heard again for that view (an honest replica only relays
   * a NEW-VIEW it accepted, and the NEW-VIEW of a view is unique).
   */
  private onNewView(from: number, nv: NewView): void {
    const s = this.s;
    if (!(nv.view > s.view || (nv.view === s.view && s.status === 'viewChanging'))) return; // stale
    if (nv.replica !== primaryOf(nv.view, this.cfg.n)) {
      this.drop(from, 'notPrimary', `new-view from ${nv.replica}, not the primary of view ${nv.view}`);
      return;
    }
    const refusedKey = `newView/${from}/${nv.view}`;
    if (s.refused.has(refusedKey)) {
      this.drop(from, 'refusedBefore', `new-view for view ${nv.view} from ${from} was refused before`);
      return;
    }
    const senders = new Set<number>();
    for (const vc of nv.viewChanges) {
      if (vc.view !== nv.view) {
        this.drop(from, 'invalidCertificate', `new-view: contains a view-change for view ${vc.view}`);
        return;
      }
      if (senders.has(vc.replica)) {
        this.drop(from, 'tooFewViewChanges', `new-view: two view-changes from replica ${vc.replica}`);
        return;
      }
      senders.add(vc.replica);
    }
    if (senders.size < this.q.viewChange) {
      this.drop(from, 'tooFewViewChanges', `new-view: ${senders.size} view-changes, need ${this.q.viewChange}`);
      return;
    }
    for (const vc of nv.viewChanges) {
      const bad = viewChangeShapeProblem(vc, this.cfg.n, this.cfg.logWindow);
      if (bad !== null) {
        this.drop(from, 'invalidCertificate', `new-view: ${bad.reason}`);
        return;
      }
    }
    const plan = computeNewViewPlan(nv.view, nv.viewChanges);
    if (nv.prePrepares.length !== plan.entries.length) {
      this.drop(from, 'newViewMismatch', 'new-view: O does not match V');
      return;
    }
    for (let i = 0; i < plan.entries.length; i++) {
      const entry = plan.entries[i] as NewViewPlan['entries'][number];
      const pp = nv.prePrepares[i] as PrePrepare;
      if (
        pp.view !== nv.view ||
        pp.seq !== entry.seq ||
        pp.time !== entry.time ||
        pp.replica !== nv.replica ||
        !bytesEqual(pp.digest, entry.digest)
      ) {
        this.drop(from, 'newViewMismatch', `new-view: O does not match V at seq ${entry.seq}`);
        return;
      }
    }
    // Signatures from here on: the NEW-VIEW's, each VIEW-CHANGE's, then the certificates and O.
    if (!safeVerifyReplica(this.cfg.crypto, nv.replica, newViewSignable(nv), nv.signature)) {
      this.drop(from, 'badSignature', 'new-view: bad signature'); // not remembered: anyone can send a forgery
      return;
    }
    const bad = this.newViewContentProblem(nv);
    if (bad !== null) {
      this.remember(refusedKey);
      this.drop(from, bad.code, `new-view: ${bad.reason}`);
      return;
    }
    this.enterView(nv, plan);
  }

  /** The signatures inside a NEW-VIEW: each VIEW-CHANGE's sender's, then C and P of each, then O. */
  private newViewContentProblem(nv: NewView): Problem | null {
    for (const vc of nv.viewChanges) {
      const bad = viewChangeSignatureProblem(vc, this.cfg.crypto);
      if (bad !== null) return { code: 'invalidCertificate', reason: bad.reason };
    }
    for (const vc of nv.viewChanges) {
      const bad = viewChangeCertificatesProblem(vc, this.cfg.n, this.cfg.crypto);
      if (bad !== null) return bad;
    }
    for (const pp of nv.prePrepares) {
      const bad = prePrepareProblem(pp, this.cfg.n, this.cfg.crypto);
      if (bad !== null) return bad;
    }
    return null;
  }

  /** Remembers an expensive message this replica refused (bounded: the oldest entries are forgotten first). */
  private remember(key: string): void {
    const refused = new Set(this.s.refused);
    refused.add(key);
    const limit = refusedLimit(this.cfg);
    for (const old of refused) {
      if (refused.size <= limit) break;
      refused.delete(old);
    }
    this.s.refused = refused;
  }

  /** Starts view nv.view: adopt min-s, install O, backups multicast PREPARE for each entry of O. */
  private enterView(nv: NewView, plan: NewViewPlan): void {
    const s = this.s;
    if (plan.stableSeq > s.stable.seq) this.makeStable(plan.stableSeq, plan.stableDigest, plan.checkpointProof);
    s.view = nv.view;
    s.status = 'normal';
    s.newView = nv;
    // Refusals are remembered per view (key kind/sender/view/...): older views no longer matter.
    s.refused = new Set([...s.refused].filter((key) => Number(key.split('/')[2]) >= nv.view));
    s.log = new Map();
    this.copied.add('log');
    s.proposed = new Set();
    this.copied.add('proposed');
    const proposed = this.proposedSet();
    for (const pp of nv.prePrepares) {
      for (const request of pp.batch) proposed.add(requestKey(request));
      if (pp.seq <= s.stable.seq) continue;
      this.addPending(pp.batch);
      if (this.isPrimary) {
        this.setSlot(pp.seq, { ...EMPTY_SLOT, prePrepare: pp });
      } else {
        const unsigned = { view: pp.view, seq: pp.seq, digest: pp.digest, replica: this.me };
        const prepare: Prepare = { type: 'prepare', ...unsigned, signature: this.sign(prepareSignable(unsigned)) };
        this.setSlot(pp.seq, { ...EMPTY_SLOT, prePrepare: pp, prepares: new Map([[this.me, prepare]]) });
        this.broadcast(prepare);
      }
    }
    s.seqAssigned = Math.max(plan.maxSeq, s.stable.seq);
    const viewChanges = this.own('viewChanges');
    for (const [replica, vc] of viewChanges) if (vc.view <= nv.view) viewChanges.delete(replica);
    if ([...s.suspicions.values()].some((m) => m.view < nv.view)) {
      s.suspicions = new Map([...s.suspicions].filter(([, m]) => m.view >= nv.view));
    }
    s.timerDeadline = s.pending.size > 0 ? s.now + timeoutTicks(this.cfg, s.backoff) : null;
    s.lastProgress = s.now;
    this.persist = true;
    this.effects.push({ type: 'viewEntered', view: nv.view });
    const early = s.early;
    s.early = [];
    for (const { from, message } of early) this.onOrdering(from, message);
    for (const seq of [...s.log.keys()].sort((a, b) => a - b)) this.checkPrepared(seq);
    this.propose(false);
  }
}
