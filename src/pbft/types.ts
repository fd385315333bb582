/**
 * @module
 * Messages, inputs, effects and state of the PBFT replica and client (Castro and Liskov,
 * "Practical Byzantine Fault Tolerance and Proactive Recovery", TOCS 2002, section 4, with
 * signatures as in the OSDI 1999 paper; Huang et al. 2020, section 4.2.10).
 *
 * Every message a replica sends is signed by it, so that certificates (prepared, commit,
 * checkpoint, view-change) can be relayed and checked by anyone. Replies to clients are not
 * signed: they travel on the caller's authenticated channel, as Castro-Liskov's MACs do.
 */

/** ⟨REQUEST, o, t, c⟩σc: operation o with timestamp t from client c (paper: a transaction from the smart contract). */
export interface Request {
  readonly type: 'request';
  readonly client: string;
  /** Strictly increasing per client; the replica executes a request at most once per (client, timestamp). */
  readonly timestamp: number;
  readonly operation: Uint8Array;
  readonly signature: Uint8Array;
}

/** ⟨PRE-PREPARE, v, n, d⟩σp with the batch m whose digest is d (paper step 1). */
export interface PrePrepare {
  readonly type: 'prePrepare';
  readonly view: number;
  readonly seq: number;
  readonly digest: Uint8Array;
  readonly replica: number;
  readonly signature: Uint8Array;
  readonly batch: readonly Request[];
}

/** ⟨PREPARE, v, n, d, i⟩σi (paper step 2). */
export interface Prepare {
  readonly type: 'prepare';
  readonly view: number;
  readonly seq: number;
  readonly digest: Uint8Array;
  readonly replica: number;
  readonly signature: Uint8Array;
}

/** ⟨COMMIT, v, n, d, i⟩σi (paper step 3). */
export interface Commit {
  readonly type: 'commit';
  readonly view: number;
  readonly seq: number;
  readonly digest: Uint8Array;
  readonly replica: number;
  readonly signature: Uint8Array;
}

/** ⟨CHECKPOINT, n, d, i⟩σi: replica i's state digest d after executing sequence number n. */
export interface Checkpoint {
  readonly type: 'checkpoint';
  readonly seq: number;
  readonly digest: Uint8Array;
  readonly replica: number;
  readonly signature: Uint8Array;
}

/** A prepared certificate: the PRE-PREPARE and 2f matching PREPAREs from distinct backups. */
export interface PreparedProof {
  readonly prePrepare: PrePrepare;
  readonly prepares: readonly Prepare[];
}

/** ⟨VIEW-CHANGE, v+1, n, C, P, i⟩σi. */
export interface ViewChange {
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
  readonly replica: number;
  readonly signature: Uint8Array;
}

/** ⟨NEW-VIEW, v+1, V, O⟩σp. */
export interface NewView {
  readonly type: 'newView';
  readonly view: number;
  /** V: 2f + 1 valid VIEW-CHANGE messages for `view`. */
  readonly viewChanges: readonly ViewChange[];
  /** O: the PRE-PREPAREs computed from V by {@link computeNewViewPlan}, signed by the new primary. */
  readonly prePrepares: readonly PrePrepare[];
  readonly replica: number;
  readonly signature: Uint8Array;
}

/** The service state at a checkpoint: the ledger head and the client table (last reply per client). */
export interface Snapshot {
  readonly seq: number;
  /** Hash of the ledger block at height `seq` (equals the block hash in medshare/ledger). */
  readonly chainHead: Uint8Array;
  /** Sorted by client: the last executed timestamp and its result, per client. */
  readonly clients: readonly ClientRecord[];
}

/** The last request executed for a client, and its result (kept to answer retransmissions). */
export interface ClientRecord {
  readonly client: string;
  readonly timestamp: number;
  readonly result: Uint8Array;
}

/** A replica asks for the state at a stable checkpoint above `lastExecuted` (state transfer). */
export interface FetchState {
  readonly type: 'fetchState';
  readonly replica: number;
  readonly lastExecuted: number;
}

/** The state at a stable checkpoint, with the 2f + 1 CHECKPOINT messages that prove its digest. */
export interface StateTransfer {
  readonly type: 'stateTransfer';
  readonly snapshot: Snapshot;
  readonly proof: readonly Checkpoint[];
  readonly replica: number;
}

/**
 * A replica that has made no progress for a while says where it is; peers answer with what
 * it is missing (their messages for later sequence numbers, the NEW-VIEW, their VIEW-CHANGE,
 * or a state transfer). This is the retransmission of Castro-Liskov section 5 (status messages).
 */
export interface Status {
  readonly type: 'status';
  readonly replica: number;
  readonly view: number;
  readonly viewChanging: boolean;
  readonly lastExecuted: number;
}

/** ⟨REPLY, v, t, c, i, r⟩ (paper step 5). */
export interface Reply {
  readonly type: 'reply';
  readonly view: number;
  readonly timestamp: number;
  readonly client: string;
  readonly replica: number;
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
}

/** The messages of one sequence number in the current view. */
export interface Slot {
  readonly prePrepare: PrePrepare | null;
  readonly prepares: ReadonlyMap<number, Prepare>;
  readonly commits: ReadonlyMap<number, Commit>;
  /** This replica reached prepared and sent its COMMIT. */
  readonly prepared: boolean;
  /** committed-local: prepared and 2f + 1 matching COMMITs. */
  readonly committed: boolean;
}

/** The last stable checkpoint: h, its digest, its proof and (if held) its snapshot. */
export interface StableCheckpoint {
  readonly seq: number;
  readonly digest: Uint8Array;
  readonly proof: readonly Checkpoint[];
  readonly snapshot: Snapshot | null;
}

/**
 * The whole state of a replica. Immutable: {@link step} returns a new one. Everything except
 * `config` is plain data.
 */
export interface ReplicaState {
  readonly config: ReplicaConfig;
  readonly view: number;
  readonly status: 'normal' | 'viewChanging';
  /** Logical time: the number of ticks seen. */
  readonly now: number;
  /** Tick at which the view-change timer fires, or null when it is stopped. */
  readonly timerDeadline: number | null;
  /** Number of consecutive view changes without progress (the timeout is base * 2^backoff). */
  readonly backoff: number;
  /** Primary: the last sequence number assigned in this view. */
  readonly seqAssigned: number;
  readonly lastExecuted: number;
  /** Hash of the ledger block at height lastExecuted. */
  readonly chainHead: Uint8Array;
  readonly clients: ReadonlyMap<string, ClientRecord>;
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
  /** The NEW-VIEW that started the current view (null in view 0). */
  readonly newView: NewView | null;
  /** Messages for the view being changed to that arrived before its NEW-VIEW. */
  readonly early: readonly { readonly from: number; readonly message: PrePrepare | Prepare | Commit }[];
  /** A state transfer is needed up to this stable checkpoint. */
  readonly transfer: { readonly seq: number; readonly askedAt: number } | null;
  /** Tick of the last progress (execution, new view), for retransmission. */
  readonly lastProgress: number;
  /** Tick of the last STATUS sent. */
  readonly lastStatus: number;
}

/** What a replica is given. */
export type ReplicaInput =
  /** A request from a client (untrusted). */
  | { readonly type: 'request'; readonly request: unknown }
  /** A message from replica `from` (untrusted; `from` is the authenticated channel's sender). */
  | { readonly type: 'message'; readonly from: number; readonly message: unknown }
  /** One unit of logical time. */
  | { readonly type: 'tick' };

/**
 * What a replica asks its caller to do, in order. Contract: when a `persist` effect is present
 * it comes first and must be durable before any later effect is carried out.
 */
export type ReplicaEffect =
  | { readonly type: 'persist'; readonly state: ReplicaState }
  | { readonly type: 'send'; readonly to: number; readonly message: ReplicaMessage }
  | { readonly type: 'broadcast'; readonly message: ReplicaMessage }
  | { readonly type: 'reply'; readonly client: string; readonly reply: Reply }
  | {
      readonly type: 'execute';
      readonly seq: number;
      readonly view: number;
      readonly digest: Uint8Array;
      readonly batch: readonly Request[];
      /** Indices (in batch) of the requests executed; the others were duplicates (timestamp not newer). */
      readonly executed: readonly number[];
      /** Ledger head after this batch: hash of the block at height seq. */
      readonly chainHead: Uint8Array;
      /** 2f + 1 matching signed COMMITs. */
      readonly certificate: readonly Commit[];
    }
  | { readonly type: 'stateTransferred'; readonly seq: number; readonly chainHead: Uint8Array }
  | { readonly type: 'viewEntered'; readonly view: number }
  | { readonly type: 'drop'; readonly from: number | 'client'; readonly reason: string };

/** The result of one {@link step}. */
export interface StepResult {
  readonly state: ReplicaState;
  readonly effects: readonly ReplicaEffect[];
}
