/**
 * Messages, inputs, effects and state of the PBFT replica and client (Castro and Liskov,
 * "Practical Byzantine Fault Tolerance and Proactive Recovery", TOCS 2002, section 4, with
 * signatures as in the OSDI 1999 paper; Huang et al. 2020, section 4.2.10).
 *
 * Every message a replica sends is signed by it, so that certificates (prepared, commit,
 * checkpoint, view-change) can be relayed and checked by anyone. Replies to clients are not
 * signed: they travel on the caller's authenticated channel, as Castro-Liskov's MACs do.
 *
 * Units used throughout: views and sequence numbers are non-negative safe integers (encoded as
 * u64); replica indices are integers in [0, n); time is counted in ticks, the logical time
 * unit of {@link ReplicaTickInput} and {@link ClientTickInput}; digests are
 * {@link DIGEST_BYTES} = 32 bytes of SHA-256.
 * @module
 */

/** ⟨REQUEST, o, t, c⟩σc: operation o with timestamp t from client c (paper: a transaction from the smart contract). */
export interface Request {
  /** Message discriminant: always `'request'`. */
  readonly type: 'request';
  /**
   * c: the client's identifier, a non-empty string of at most 256 UTF-16 code units. It keys the
   * replica's client table and is the name passed to {@link ReplicaCrypto.verifyClient}.
   */
  readonly client: string;
  /** Strictly increasing per client; the replica executes a request at most once per (client, timestamp). */
  readonly timestamp: number;
  /**
   * o: the operation, opaque to consensus (in medshare, a ledger transaction encoded by
   * `encodeTransaction` of `medshare/ledger`). At most `maxOperationBytes` bytes (64 KiB by default).
   */
  readonly operation: Uint8Array;
  /**
   * σc: the client's signature on {@link requestSignable}(client, timestamp, operation), checked
   * with {@link ReplicaCrypto.verifyClient}; 1 to 256 bytes (64 for Ed25519). The signature bytes
   * are part of {@link requestDigest}, so a batch digest binds each request exactly as signed.
   */
  readonly signature: Uint8Array;
}

/** ⟨PRE-PREPARE, v, n, d⟩σp with the batch m whose digest is d (paper step 1). */
export interface PrePrepare {
  /** Message discriminant: always `'prePrepare'`. */
  readonly type: 'prePrepare';
  /** v: the view in which the primary assigned `seq`. */
  readonly view: number;
  /**
   * n: the sequence number assigned to the batch, which is also the height of the ledger block the
   * batch becomes. Accepted only within the watermarks h < n <= h + L.
   */
  readonly seq: number;
  /**
   * d: {@link orderingDigest}(time, {@link batchDigest}(batch)): the batch's RFC 6962 Merkle root of
   * the request digests, bound to the batch's time (32 bytes). It is what PREPAREs and COMMITs sign.
   */
  readonly digest: Uint8Array;
  /**
   * The batch's time, assigned by the primary from the clock reading its caller passes in
   * ({@link ReplicaTickInput.time}): a non-negative safe integer in the caller's unit (seconds in
   * medshare/protocol). Backups refuse a time that goes back from the previous batch, or that lies
   * more than `maxClockSkew` from their own clock reading. Bound into `digest`, so the commit
   * certificate certifies it; 0 for the null request of a NEW-VIEW.
   */
  readonly time: number;
  /** Index of the sender, which must be the primary of `view`: p = v mod n ({@link primaryOf}). */
  readonly replica: number;
  /**
   * σp: the primary's signature on {@link prePrepareSignable}(view, seq, digest, replica). The batch
   * itself is not signed; it is bound through `digest`.
   */
  readonly signature: Uint8Array;
  /**
   * m: the requests ordered at `seq`, sorted strictly by (client, timestamp) ({@link compareRequests}),
   * at most `maxBatch` of them. Empty for the null request that a NEW-VIEW places in a gap of O.
   */
  readonly batch: readonly Request[];
}

/** ⟨PREPARE, v, n, d, i⟩σi (paper step 2). */
export interface Prepare {
  /** Message discriminant: always `'prepare'`. */
  readonly type: 'prepare';
  /** v: the view of the PRE-PREPARE this PREPARE agrees with. */
  readonly view: number;
  /** n: the sequence number of that PRE-PREPARE. */
  readonly seq: number;
  /** d: the batch digest of that PRE-PREPARE (32 bytes). */
  readonly digest: Uint8Array;
  /** i: the sending backup. The primary of `view` never sends PREPARE; one from it is dropped. */
  readonly replica: number;
  /** σi: replica i's signature on {@link prepareSignable}(view, seq, digest, replica). */
  readonly signature: Uint8Array;
}

/** ⟨COMMIT, v, n, d, i⟩σi (paper step 3). */
export interface Commit {
  /** Message discriminant: always `'commit'`. */
  readonly type: 'commit';
  /** v: the view in which replica i prepared (v, n, d). */
  readonly view: number;
  /** n: the sequence number. */
  readonly seq: number;
  /** d: the batch digest (32 bytes); in a ledger block's certificate it equals the block's Merkle root. */
  readonly digest: Uint8Array;
  /** i: the sending replica (the primary included). */
  readonly replica: number;
  /**
   * σi: replica i's signature on {@link commitSignable}(view, seq, digest, replica). 2f + 1 of these
   * for the same (v, n, d) form the commit certificate stored with each ledger block.
   */
  readonly signature: Uint8Array;
}

/** ⟨CHECKPOINT, n, d, i⟩σi: replica i's state digest d after executing sequence number n. */
export interface Checkpoint {
  /** Message discriminant: always `'checkpoint'`. */
  readonly type: 'checkpoint';
  /** n: the sequence number just executed; a multiple of the checkpoint interval K. */
  readonly seq: number;
  /** d: {@link snapshotDigest} of the replica's {@link Snapshot} at `seq` (32 bytes). */
  readonly digest: Uint8Array;
  /** i: the sending replica. */
  readonly replica: number;
  /** σi: replica i's signature on {@link checkpointSignable}(seq, digest, replica). */
  readonly signature: Uint8Array;
}

/** A prepared certificate: the PRE-PREPARE and 2f matching PREPAREs from distinct backups. */
export interface PreparedProof {
  /** The PRE-PREPARE for (v, n, d), signed by the primary of v, with its batch. */
  readonly prePrepare: PrePrepare;
  /**
   * PREPAREs for the same (v, n, d) from 2f distinct backups (never from the primary of v). A
   * replica builds its own certificates with exactly 2f, ordered by replica index;
   * {@link checkPreparedProof} accepts 2f or more.
   */
  readonly prepares: readonly Prepare[];
}

/** ⟨VIEW-CHANGE, v+1, n, C, P, i⟩σi. */
export interface ViewChange {
  /** Message discriminant: always `'viewChange'`. */
  readonly type: 'viewChange';
  /** The view being moved to. */
  readonly view: number;
  /** n: sequence number of the sender's last stable checkpoint. */
  readonly stableSeq: number;
  /** Digest of that checkpoint. */
  readonly stableDigest: Uint8Array;
  /** C: 2f + 1 CHECKPOINT messages proving it (empty for the genesis checkpoint, seq 0). */
  readonly checkpointProof: readonly Checkpoint[];
  /** P: a prepared certificate for each sequence number above stableSeq that prepared at the sender. */
  readonly prepared: readonly PreparedProof[];
  /** i: the sending replica. */
  readonly replica: number;
  /**
   * σi: replica i's signature on {@link viewChangeSignable}, which covers view, stableSeq,
   * stableDigest, replica and the (seq, view, digest) of every entry of P, so no relay can drop
   * or alter an entry. C and the PREPAREs in P are not covered: they carry their own signatures.
   */
  readonly signature: Uint8Array;
}

/**
 * ⟨SUSPECT, v, i⟩σi: replica i's accusation that the primary of view v is not making progress.
 * It commits the sender to nothing (unlike a VIEW-CHANGE, which carries its prepared certificates
 * and ends its part in view v): a replica whose timer expires sends it and keeps working in its
 * view, and moves to a later view only when f + 1 replicas accuse (the rule of Zyzzyva's
 * I-HATE-THE-PRIMARY and of BFT-SMaRt's STOP, see the replica module). Signed, so that a replica
 * that moved can relay the f + 1 accusations that made it move and every correct replica follows.
 */
export interface Suspect {
  /** Message discriminant: always `'suspect'`. */
  readonly type: 'suspect';
  /** v: the view whose primary is suspected; the sender wants view v + 1 or later. */
  readonly view: number;
  /** i: the accusing replica. */
  readonly replica: number;
  /** σi: replica i's signature on {@link suspectSignable}(view, replica). */
  readonly signature: Uint8Array;
}

/** ⟨NEW-VIEW, v+1, V, O⟩σp. */
export interface NewView {
  /** Message discriminant: always `'newView'`. */
  readonly type: 'newView';
  /** v + 1: the view this message starts. */
  readonly view: number;
  /** V: 2f + 1 valid VIEW-CHANGE messages for `view`. */
  readonly viewChanges: readonly ViewChange[];
  /** O: the PRE-PREPAREs computed from V by {@link computeNewViewPlan}, signed by the new primary. */
  readonly prePrepares: readonly PrePrepare[];
  /** The sender, which must be the primary of `view` ({@link primaryOf}). */
  readonly replica: number;
  /**
   * The new primary's signature on {@link newViewSignable}: view, replica, the SHA-256 of each
   * VIEW-CHANGE's signed bytes in V, and the (seq, digest) of each PRE-PREPARE in O.
   */
  readonly signature: Uint8Array;
}

/** The service state at a checkpoint: the ledger head and the client table (last reply per client). */
export interface Snapshot {
  /** The sequence number the state is taken at: a multiple of K, or 0 for the genesis state. */
  readonly seq: number;
  /** Hash of the ledger block at height `seq` (equals the block hash in medshare/ledger). */
  readonly chainHead: Uint8Array;
  /** The time of the batch at `seq` ({@link PrePrepare.time}; 0 for the genesis state). */
  readonly time: number;
  /** Sorted by client: the last executed timestamp and its result, per client. */
  readonly clients: readonly ClientRecord[];
}

/** The last request executed for a client, and its result (kept to answer retransmissions). */
export interface ClientRecord {
  /** The client's identifier c. */
  readonly client: string;
  /** t of the client's last executed request; requests with a timestamp not above it are never executed. */
  readonly timestamp: number;
  /**
   * The result returned for that request: {@link executionResult}(seq, index), 12 bytes giving the
   * block height and the request's index in the block's batch.
   */
  readonly result: Uint8Array;
}

/** A replica asks for the state at a stable checkpoint above `lastExecuted` (state transfer). */
export interface FetchState {
  /** Message discriminant: always `'fetchState'`. */
  readonly type: 'fetchState';
  /** The requesting replica; must equal the authenticated sender (the message is not signed). */
  readonly replica: number;
  /** The requester's last executed sequence number; only a stable checkpoint above it is sent back. */
  readonly lastExecuted: number;
}

/** The state at a stable checkpoint, with the 2f + 1 CHECKPOINT messages that prove its digest. */
export interface StateTransfer {
  /** Message discriminant: always `'stateTransfer'`. */
  readonly type: 'stateTransfer';
  /** The state at the checkpoint; adopted only if `proof` certifies its {@link snapshotDigest}. */
  readonly snapshot: Snapshot;
  /**
   * 2f + 1 CHECKPOINTs from distinct replicas for (snapshot.seq, snapshotDigest(snapshot)). This
   * proof, not the sender, makes the snapshot trustworthy: the message itself is not signed.
   */
  readonly proof: readonly Checkpoint[];
  /** The replica that sent the state (informative only). */
  readonly replica: number;
}

/**
 * A replica that has made no progress for a while says where it is; peers answer with what
 * it is missing (their messages for later sequence numbers, the NEW-VIEW, their VIEW-CHANGE,
 * or a state transfer). This is the retransmission of Castro-Liskov section 5 (status messages).
 */
export interface Status {
  /** Message discriminant: always `'status'`. */
  readonly type: 'status';
  /** The reporting replica; must equal the authenticated sender (the message is not signed). */
  readonly replica: number;
  /** The sender's current view (during a view change, the view it is moving to). */
  readonly view: number;
  /** True while the sender waits for the NEW-VIEW of `view`. */
  readonly viewChanging: boolean;
  /** The sender's last executed sequence number; peers resend what lies above it. */
  readonly lastExecuted: number;
  /**
   * h: the sequence number of the sender's last stable checkpoint (Castro-Liskov's status message
   * carries it too). Peers resend their CHECKPOINTs above it, and the proof of a later stable
   * checkpoint, so CHECKPOINT messages lost earlier never keep the sender's window shut.
   */
  readonly stableSeq: number;
  /**
   * True when the sender has reason to think it is behind (it restarted, or saw a message from a
   * later view or beyond its window) and asks to be told where the receiver is: besides what the
   * sender lacks, the receiver answers with its own STATUS (without this flag unless it is catching
   * up too), within the same one-answer-per-`retransmitInterval` limit. Absent means false.
   */
  readonly catchingUp?: boolean;
}

/** ⟨REPLY, v, t, c, i, r⟩ (paper step 5). */
export interface Reply {
  /** Message discriminant: always `'reply'`. */
  readonly type: 'reply';
  /** v: the replica's current view, from which the client learns the primary. */
  readonly view: number;
  /** t: the timestamp of the request answered. */
  readonly timestamp: number;
  /** c: the client the reply is for. */
  readonly client: string;
  /** i: the replying replica; the client checks it against the channel's sender. */
  readonly replica: number;
  /** r: the result ({@link executionResult}: block height and index in the batch). */
  readonly result: Uint8Array;
}

/** Everything one replica sends to another. */
export type ReplicaMessage =
  | Request
  | PrePrepare
  | Prepare
  | Commit
  | Checkpoint
  | ViewChange
  | NewView
  | Suspect
  | FetchState
  | StateTransfer
  | Status;

/** Signing and verification, supplied by the caller (Ed25519 by default, see {@link ed25519Crypto}). */
export interface ReplicaCrypto {
  /** Signs `message` with this replica's key. */
  sign(message: Uint8Array): Uint8Array;
  /** True iff `signature` is replica `replica`'s signature on `message`. Must not throw for bad data. */
  verifyReplica(replica: number, message: Uint8Array, signature: Uint8Array): boolean;
  /** True iff `signature` is client `client`'s signature on `message`. Must not throw for bad data. */
  verifyClient(client: string, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Fixed parameters of one replica. */
export interface ReplicaConfig {
  /** This replica's index i in [0, n). */
  readonly id: number;
  /** Number of replicas |R| = 3f + 1. */
  readonly n: number;
  /** Signs this replica's messages and verifies those of replicas and clients. */
  readonly crypto: ReplicaCrypto;
  /** K: a checkpoint every K sequence numbers. */
  readonly checkpointInterval: number;
  /** L: the high watermark is H = h + L (a multiple of K; 2K by default). */
  readonly logWindow: number;
  /** Most requests in one batch (one block). */
  readonly maxBatch: number;
  /** Base view-change timeout, in ticks; it doubles with each view change that fails. */
  readonly viewChangeTimeout: number;
  /** The timeout stops doubling after this many doublings. */
  readonly maxBackoff: number;
  /** Ticks without progress before a replica asks its peers for retransmission (status). */
  readonly retransmitInterval: number;
  /** Most unexecuted requests a replica keeps. */
  readonly maxPending: number;
  /** Largest operation accepted, in bytes. */
  readonly maxOperationBytes: number;
  /** How far a PRE-PREPARE's time may lie from this replica's clock reading, in the caller's time unit. */
  readonly maxClockSkew: number;
}

/** The messages of one sequence number in the current view. */
export interface Slot {
  /** The PRE-PREPARE accepted for this sequence number, or null while none has arrived (votes can come first). */
  readonly prePrepare: PrePrepare | null;
  /**
   * PREPAREs received, by sender index (a backup's own included). A PREPARE whose digest differs
   * from the PRE-PREPARE's is kept but does not count towards the 2f.
   */
  readonly prepares: ReadonlyMap<number, Prepare>;
  /** COMMITs received, by sender index (this replica's own once prepared); only those matching the digest count. */
  readonly commits: ReadonlyMap<number, Commit>;
  /** This replica reached prepared and sent its COMMIT. */
  readonly prepared: boolean;
  /** committed-local: prepared and 2f + 1 matching COMMITs. */
  readonly committed: boolean;
}

/** The last stable checkpoint: h, its digest, its proof and (if held) its snapshot. */
export interface StableCheckpoint {
  /** h: the low watermark. Sequence numbers at or below it are garbage-collected from the log. */
  readonly seq: number;
  /** {@link snapshotDigest} of the state at `seq` (the genesis checkpoint digest for seq 0). */
  readonly digest: Uint8Array;
  /** At least 2f + 1 CHECKPOINTs for (seq, digest) from distinct replicas; empty for seq 0. */
  readonly proof: readonly Checkpoint[];
  /**
   * The state at `seq`, if this replica holds it (its own snapshot with that digest, or one
   * received by state transfer); null otherwise, and then it cannot serve a state transfer.
   */
  readonly snapshot: Snapshot | null;
}

/**
 * The whole state of a replica. Immutable: {@link step} returns a new one. Everything except
 * `config` is plain data.
 */
export interface ReplicaState {
  /** The fixed parameters, including the {@link ReplicaCrypto} (the only part that is not plain data). */
  readonly config: ReplicaConfig;
  /** v: the current view. While `status` is `'viewChanging'`, the view being moved to. */
  readonly view: number;
  /** `'normal'` while ordering requests in `view`; `'viewChanging'` from sending VIEW-CHANGE until NEW-VIEW for `view` is accepted. */
  readonly status: 'normal' | 'viewChanging';
  /** Logical time: the number of ticks seen. */
  readonly now: number;
  /** Tick at which the view-change timer fires, or null when it is stopped. */
  readonly timerDeadline: number | null;
  /** Number of consecutive view changes without progress (the timeout is base * 2^backoff). */
  readonly backoff: number;
  /** Primary: the last sequence number assigned in this view. */
  readonly seqAssigned: number;
  /** The sequence number of the last batch executed, which is also the ledger's height. Batches run in order, without gaps. */
  readonly lastExecuted: number;
  /** Hash of the ledger block at height lastExecuted. */
  readonly chainHead: Uint8Array;
  /** The time of the batch at lastExecuted ({@link PrePrepare.time}): the next batch's time may not be lower. */
  readonly lastTime: number;
  /**
   * The latest clock reading passed in with a tick ({@link ReplicaTickInput.time}), or null before
   * the first one. The primary stamps batches with it; backups check batch times against it. Volatile.
   */
  readonly clock: number | null;
  /** The client table: the last executed request and its result, by client identifier. */
  readonly clients: ReadonlyMap<string, ClientRecord>;
  /** The last stable checkpoint; its seq is the low watermark h. */
  readonly stable: StableCheckpoint;
  /** Own snapshots at checkpoints above the stable one, by sequence number. */
  readonly snapshots: ReadonlyMap<number, Snapshot>;
  /** CHECKPOINT messages received for sequence numbers above h, by seq then sender. */
  readonly checkpoints: ReadonlyMap<number, ReadonlyMap<number, Checkpoint>>;
  /** Slots of the current view, seq in (h, h + L]. */
  readonly log: ReadonlyMap<number, Slot>;
  /** The latest prepared certificate per sequence number above h (the P of a VIEW-CHANGE). */
  readonly prepared: ReadonlyMap<number, PreparedProof>;
  /** Verified requests not yet executed, by request key, in arrival order. */
  readonly pending: ReadonlyMap<string, Request>;
  /** Primary: keys of the requests already given a sequence number in this view. */
  readonly proposed: ReadonlySet<string>;
  /** The latest valid VIEW-CHANGE from each replica, for views >= the current one. */
  readonly viewChanges: ReadonlyMap<number, ViewChange>;
  /**
   * The latest valid SUSPECT from each replica (this one included) for the current view or a later
   * one. With the VIEW-CHANGEs they decide when to move on: f + 1 replicas wanting a later view.
   */
  readonly suspicions: ReadonlyMap<number, Suspect>;
  /** The NEW-VIEW that started the current view (null in view 0). */
  readonly newView: NewView | null;
  /**
   * Messages for the view being changed to that arrived before its NEW-VIEW, in arrival order;
   * replayed when the view starts. Each entry holds `from`, the authenticated sender, and `message`,
   * a shape-checked PRE-PREPARE, PREPARE or COMMIT for that view. Bounded at 4 · n · L entries;
   * volatile (cleared by {@link restart}).
   */
  readonly early: readonly {
    /** The replica that sent `message` (the authenticated channel's sender). */
    readonly from: number;
    /** A shape-checked ordering message for the view being changed to. */
    readonly message: PrePrepare | Prepare | Commit;
  }[];
  /** A state transfer is needed up to this stable checkpoint. */
  readonly transfer: {
    /** The stable checkpoint's sequence number; the transfer is complete once lastExecuted reaches it. */
    readonly seq: number;
    /** Tick of the last FETCH-STATE broadcast; it is repeated every `retransmitInterval` ticks. */
    readonly askedAt: number;
  } | null;
  /** Tick of the last progress (execution, new view), for retransmission. */
  readonly lastProgress: number;
  /** Tick of the last STATUS sent. */
  readonly lastStatus: number;
  /**
   * Tick of the last answer to each peer (to a STATUS, or a NEW-VIEW resent for a stale
   * VIEW-CHANGE): at most one per `retransmitInterval` ticks per peer. Volatile.
   */
  readonly answered: ReadonlyMap<number, number>;
  /**
   * Expensive messages refused after their signatures were checked, as `kind/sender/view[/seq]`
   * (a NEW-VIEW per sender and view, a PRE-PREPARE per sender, view and seq), so the same sender
   * cannot make this replica check them again. At most 2 (L + n) entries, oldest forgotten first;
   * entries of earlier views are dropped when a view starts. Volatile.
   */
  readonly refused: ReadonlySet<string>;
  /**
   * The highest sequence number seen in an ordering message from a peer above this replica's window:
   * while it is above lastExecuted, this replica knows it is behind and keeps asking (STATUS). Volatile.
   */
  readonly peerAhead: number;
  /**
   * Set while this replica has reason to think it is behind without work pending: it was restarted
   * ({@link restart}), or a peer sent an ordering message for a later view or beyond its window.
   * Until f + 1 peers' STATUS answers show it is not behind them, it broadcasts a STATUS with
   * `catchingUp` set every `wait` ticks, `wait` doubling from `retransmitInterval` up to
   * `retransmitInterval` · 2^maxBackoff; null otherwise (the steady state: an idle replica is silent). Volatile.
   */
  readonly catchUp: {
    /** The peers whose STATUS showed them not ahead of this replica (their view, NEW-VIEW and last executed). */
    readonly confirmed: ReadonlySet<number>;
    /** Tick at which the next catching-up STATUS goes out. */
    readonly next: number;
    /** Ticks until the one after it. */
    readonly wait: number;
  } | null;
  /** Replicas whose VIEW-CHANGE held in `viewChanges` has had its certificates verified (by the new primary). Volatile. */
  readonly verifiedViewChanges: ReadonlySet<number>;
}

/**
 * What a replica persists: the part of {@link ReplicaState} that must survive a crash (see the
 * module documentation), with the parameters it was made with. Carried by every `persist` effect;
 * {@link encodePersistentState} turns it into the bytes to write, and {@link restart} takes those bytes.
 */
export interface PersistentState
  extends Pick<
    ReplicaState,
    | 'view'
    | 'status'
    | 'now'
    | 'backoff'
    | 'seqAssigned'
    | 'lastExecuted'
    | 'chainHead'
    | 'lastTime'
    | 'clients'
    | 'stable'
    | 'snapshots'
    | 'checkpoints'
    | 'log'
    | 'prepared'
    | 'viewChanges'
    | 'suspicions'
    | 'newView'
  > {
  /** The replica's index i (checked on restart against the options). */
  readonly replica: number;
  /** Number of replicas n the state was made for. */
  readonly n: number;
  /** K, the checkpoint interval. */
  readonly checkpointInterval: number;
  /** L, the log window. */
  readonly logWindow: number;
}

/** A request from a client (untrusted), as a {@link ReplicaInput}. */
export interface ReplicaRequestInput {
  /** Input discriminant: always `'request'`. */
  readonly type: 'request';
  /**
   * The request as received, of unknown shape: it is checked by {@link checkRequest}, then its
   * client signature. A retransmission of the client's last executed request is answered again
   * with the stored reply; a backup forwards a new request to the primary.
   */
  readonly request: unknown;
}

/** A message from another replica (untrusted), as a {@link ReplicaInput}. */
export interface ReplicaMessageInput {
  /** Input discriminant: always `'message'`. */
  readonly type: 'message';
  /**
   * The index of the sending replica, as established by the caller's authenticated channel. Signed
   * messages may be relayed (their `replica` field need not equal `from`); `from` is what drops
   * are attributed to and where answers to STATUS and FETCH-STATE go. A value outside [0, n), or
   * this replica's own index, makes the input dropped.
   */
  readonly from: number;
  /** The message as received, of unknown shape: it is checked by {@link checkReplicaMessage} before use. */
  readonly message: unknown;
}

/**
 * One unit of logical time, as a {@link ReplicaInput}. Ticks drive every timer: the view-change
 * timeout, the proposal of a partial batch by the primary, FETCH-STATE and STATUS retransmission.
 */
export interface ReplicaTickInput {
  /** Input discriminant: always `'tick'`. */
  readonly type: 'tick';
  /**
   * The caller's clock reading (a non-negative safe integer, in the unit batch times are counted
   * in, e.g. seconds), when it has one. The replica never reads a clock itself: batch times come
   * from these readings. A reading that is not a non-negative safe integer is ignored. Until its
   * first reading a replica takes a batch time that moves forward only when f + 1 replicas vouch
   * for it, and as primary stamps the previous batch's time.
   */
  readonly time?: number;
}

/** What a replica is given. */
export type ReplicaInput = ReplicaRequestInput | ReplicaMessageInput | ReplicaTickInput;

/**
 * Write the state to stable storage. Emitted first in a step's effects whenever the step sends or
 * replies, or changes any part of the {@link PersistentState} other than the logical clock `now`
 * (a message logged, a checkpoint, a batch executed, a view entered, a state transfer installed).
 */
export interface ReplicaPersistEffect {
  /** Effect discriminant: always `'persist'`. */
  readonly type: 'persist';
  /**
   * The state to persist: the part of {@link StepResult.state} that must survive a crash. Encode it
   * with {@link encodePersistentState}; the bytes must be durable before any later effect of the
   * step is carried out, so that a replica resumed with {@link restart} from them never contradicts
   * a message it already sent (for example, a PREPARE for another digest at the same (v, n)).
   */
  readonly state: PersistentState;
}

/** Send a message to one replica. */
export interface ReplicaSendEffect {
  /** Effect discriminant: always `'send'`. */
  readonly type: 'send';
  /** The index of the receiving replica, in [0, n) and never this replica's own. */
  readonly to: number;
  /** The message to deliver. */
  readonly message: ReplicaMessage;
}

/** Send a message to every other replica. */
export interface ReplicaBroadcastEffect {
  /** Effect discriminant: always `'broadcast'`. */
  readonly type: 'broadcast';
  /**
   * The message to deliver to the n - 1 other replicas. Not to this replica: its own messages are
   * already recorded in the state (and one delivered back to it would be dropped).
   */
  readonly message: ReplicaMessage;
}

/** Send a reply to a client (paper step 5). */
export interface ReplicaReplyEffect {
  /** Effect discriminant: always `'reply'`. */
  readonly type: 'reply';
  /** The client to deliver `reply` to (equal to `reply.client`). */
  readonly client: string;
  /** The reply, unsigned: the caller's channel to the client must authenticate this replica. */
  readonly reply: Reply;
}

/**
 * A batch committed and executed (paper step 4): the caller records it as the next ledger block,
 * for example with `blockFromExecution` of `medshare/ledger`.
 */
export interface ReplicaExecuteEffect {
  /** Effect discriminant: always `'execute'`. */
  readonly type: 'execute';
  /**
   * The sequence number executed, which is the block's height. Executions come in order without
   * gaps: each is one above the previous, except after a {@link ReplicaStateTransferredEffect}.
   */
  readonly seq: number;
  /** The view of the PRE-PREPARE, and of every COMMIT in `certificate`. */
  readonly view: number;
  /** The PRE-PREPARE's digest d = {@link orderingDigest}(time, {@link batchDigest}(batch)), which the COMMITs sign. */
  readonly digest: Uint8Array;
  /** The batch's time, assigned by the primary and certified with the batch (the block time). */
  readonly time: number;
  /** The requests ordered at `seq`, in batch order (empty for a null request). */
  readonly batch: readonly Request[];
  /** Indices (in batch) of the requests executed; the others were duplicates (timestamp not newer). */
  readonly executed: readonly number[];
  /** Ledger head after this batch: hash of the block at height seq. */
  readonly chainHead: Uint8Array;
  /** 2f + 1 matching signed COMMITs. */
  readonly certificate: readonly Commit[];
}

/**
 * The replica adopted a snapshot certified by 2f + 1 CHECKPOINTs and skipped to its sequence
 * number. The snapshot holds only the ledger head, not the blocks: the caller must obtain the
 * blocks it lacks up to `seq` elsewhere (from peers' ledgers, checked with `verifyChain` of
 * `medshare/ledger` against `chainHead`).
 */
export interface ReplicaStateTransferredEffect {
  /** Effect discriminant: always `'stateTransferred'`. */
  readonly type: 'stateTransferred';
  /** The checkpoint's sequence number, now the replica's last executed one (the ledger height). */
  readonly seq: number;
  /** The hash of the ledger block at height `seq`, as certified by the checkpoint proof. */
  readonly chainHead: Uint8Array;
}

/** The replica entered a new view, by sending (primary) or accepting (backup) its NEW-VIEW. */
export interface ReplicaViewEnteredEffect {
  /** Effect discriminant: always `'viewEntered'`. */
  readonly type: 'viewEntered';
  /** The view now current; its primary is {@link primaryOf}(view, n). */
  readonly view: number;
}

/**
 * Why a replica dropped an input: a stable code a program can branch on (the English `reason`
 * beside it is for people and may change).
 * - `malformed`: the input failed the shape check ({@link checkReplicaMessage} or {@link checkRequest});
 * - `unknownSender`: the message's `from` is not a peer index (outside [0, n), or this replica's own);
 * - `senderMismatch`: an unsigned message (STATUS, FETCH-STATE) names another replica than its sender;
 * - `badSignature`: a replica's signature on the message itself does not verify;
 * - `badClientSignature`: a request's client signature does not verify (alone or inside a batch);
 * - `invalidCertificate`: a certificate the message carries (checkpoint proof, prepared certificate,
 *   VIEW-CHANGE inside a NEW-VIEW) is invalid;
 * - `notPrimary`: a PRE-PREPARE or NEW-VIEW not from the primary of its view, a PREPARE from the
 *   primary, or a PRE-PREPARE sent to the primary itself;
 * - `wrongView`: an ordering message for a view other than the current one;
 * - `outsideWatermarks`: a sequence number outside (h, h + L];
 * - `notCheckpoint`: a checkpoint or state transfer at a sequence number that is not a multiple of K;
 * - `conflict`: a second PRE-PREPARE for (v, n) with another digest, or a request with the same
 *   client and timestamp as a pending one but another operation;
 * - `batchUnsorted`: a batch not sorted strictly by (client, timestamp);
 * - `digestMismatch`: a PRE-PREPARE's digest is not that of its batch;
 * - `badTime`: a PRE-PREPARE's time goes back, or lies outside this replica's clock bound;
 * - `tooFewViewChanges`: a NEW-VIEW with fewer than 2f + 1 VIEW-CHANGEs from distinct replicas;
 * - `newViewMismatch`: a NEW-VIEW whose O is not the one computed from its V;
 * - `alreadyExecuted`: a request not newer than the client's last executed one;
 * - `pendingFull`: the table of pending requests is full (`maxPending`);
 * - `bufferFull`: the buffer of messages for a view being changed to is full;
 * - `refusedBefore`: an expensive message this replica already checked and refused, sent again;
 * - `rateLimited`: a STATUS answered less than `retransmitInterval` ticks ago for the same peer.
 */
export type DropCode =
  | 'malformed'
  | 'unknownSender'
  | 'senderMismatch'
  | 'badSignature'
  | 'badClientSignature'
  | 'invalidCertificate'
  | 'notPrimary'
  | 'wrongView'
  | 'outsideWatermarks'
  | 'notCheckpoint'
  | 'conflict'
  | 'batchUnsorted'
  | 'digestMismatch'
  | 'badTime'
  | 'tooFewViewChanges'
  | 'newViewMismatch'
  | 'alreadyExecuted'
  | 'pendingFull'
  | 'bufferFull'
  | 'refusedBefore'
  | 'rateLimited';

/** An input was ignored, and did not change the state. */
export interface ReplicaDropEffect {
  /** Effect discriminant: always `'drop'`. */
  readonly type: 'drop';
  /**
   * Whom the dropped input came from: the replica index of a {@link ReplicaMessageInput}, or
   * `'client'` for a {@link ReplicaRequestInput} and for a message input whose `from` is not a
   * valid peer index.
   */
  readonly from: number | 'client';
  /** Why, as a stable code to branch on. */
  readonly code: DropCode;
  /** Why, in English, for logs and metrics (the wording is not a stable interface; branch on `code`). */
  readonly reason: string;
}

/**
 * Why a client dropped a reply (a stable code; the English `reason` beside it may change):
 * - `malformed`: not a well-formed reply, or its `replica` is not the channel's sender;
 * - `notOutstanding`: not for the client's outstanding request (another client or timestamp, or none outstanding);
 * - `duplicate`: a second reply from the same replica for the same request.
 */
export type ClientDropCode = 'malformed' | 'notOutstanding' | 'duplicate';

/**
 * What a replica asks its caller to do, in order. Contract:
 * - when a `persist` effect is present it comes first and must be durable before any later effect
 *   is carried out;
 * - the `execute` effect of a batch comes before the `reply` effects of the requests it executed,
 *   so a host that records the block when it meets `execute` and sends each reply as it meets it
 *   never answers a client before the block is stored. (A `reply` with no `execute` before it in
 *   the step is the stored reply resent for a retransmitted request, whose block is already recorded.)
 */
export type ReplicaEffect =
  | ReplicaPersistEffect
  | ReplicaSendEffect
  | ReplicaBroadcastEffect
  | ReplicaReplyEffect
  | ReplicaExecuteEffect
  | ReplicaStateTransferredEffect
  | ReplicaViewEnteredEffect
  | ReplicaDropEffect;

/** The result of one {@link step}. */
export interface StepResult {
  /** The next state of the replica; `state` passed to {@link step} is left unchanged. */
  readonly state: ReplicaState;
  /** The effects to carry out, in order; a {@link ReplicaPersistEffect}, when present, is the first. */
  readonly effects: readonly ReplicaEffect[];
}
