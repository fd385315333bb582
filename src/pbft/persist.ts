/**
 * The state a replica must keep across a crash, and its canonical bytes (issue 11, item 7).
 *
 * Castro and Liskov (TOCS 2002, section 4.5.1 and 5) need a replica that restarts never to
 * contradict a message it sent: not a PREPARE or COMMIT for another digest at the same (v, n), not
 * a second PRE-PREPARE for (v, n) as primary, not a VIEW-CHANGE that leaves out what it had
 * prepared. So it keeps, as raft keeps its HardState and log: its view and status, the messages of
 * its log within the watermarks (PRE-PREPAREs, PREPAREs, COMMITs, and the prepared certificates of
 * P), its checkpoints and the stable checkpoint's proof and state, the VIEW-CHANGEs and SUSPECTs it
 * holds and the NEW-VIEW of its view, what it has executed (last executed, chain head, the client
 * table and the time of the last batch), and its logical clock. Everything else (requests waiting
 * to be ordered, timers, messages buffered for a future view, rate limits, memos) is volatile:
 * clients retransmit, timers restart.
 *
 * Encoding: str(`medshare/pbft/v1/replica-state`) || u8(version 1) || the fields in the order of
 * {@link PersistentState} (maps sorted by key, each message in a fixed layout of u64 / u32 / u8
 * integers, 32-byte digests and u32-length bytes and strings) || SHA-256 of everything before it.
 * The decoder takes the bytes as hostile input: every field is bounded and shape-checked against
 * the replica's configuration, the whole is checked for consistency (sequence numbers within the
 * watermarks, keys matching their messages, the stable checkpoint's state matching its digest), and
 * the trailing hash detects a torn or altered file. Signatures are not verified again: the bytes
 * are this replica's own, and the hash protects them from damage, not from an attacker who can
 * write the replica's disk.
 *
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, ByteWriter, bytesEqual } from '../internal/bytes.js';
import { EncodingError } from '../internal/errors.js';
import { checkpointProofProblem, GENESIS_CHECKPOINT_DIGEST } from './certificates.js';
import { DIGEST_BYTES, snapshotDigest } from './encoding.js';
import type {
  Checkpoint,
  ClientRecord,
  Commit,
  NewView,
  PersistentState,
  PreparedProof,
  PrePrepare,
  Prepare,
  ReplicaConfig,
  ReplicaMessage,
  ReplicaState,
  Request,
  Slot,
  Snapshot,
  StableCheckpoint,
  Suspect,
  ViewChange,
} from './types.js';
import { checkPreparedShape, checkReplicaMessage, checkSnapshot } from './validate.js';

/**
 * The persistent part of a replica's state (no copy: the same immutable collections).
 * @param state - a replica's state
 * @returns its {@link PersistentState}
 */
export function persistentState(state: ReplicaState): PersistentState {
  const { config } = state;
  return {
    replica: config.id,
    n: config.n,
    checkpointInterval: config.checkpointInterval,
    logWindow: config.logWindow,
    view: state.view,
    status: state.status,
    now: state.now,
    backoff: state.backoff,
    seqAssigned: state.seqAssigned,
    lastExecuted: state.lastExecuted,
    chainHead: state.chainHead,
    lastTime: state.lastTime,
    clients: state.clients,
    stable: state.stable,
    snapshots: state.snapshots,
    checkpoints: state.checkpoints,
    log: state.log,
    prepared: state.prepared,
    viewChanges: state.viewChanges,
    suspicions: state.suspicions,
    newView: state.newView,
  };
}

const TAG = 'medshare/pbft/v1/replica-state';
const VERSION = 1;
const OBJECT = 'replica state';
const MAX_STRING = 1 << 16;
const MAX_BYTES = 1 << 26;

// ---- writing ---------------------------------------------------------------------------

function sorted<K extends number | string, V>(map: ReadonlyMap<K, V>): [K, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function writeRequest(w: ByteWriter, r: Request): void {
  w.string(r.client).u64(r.timestamp).bytes(r.operation).bytes(r.signature);
}
function writePrePrepare(w: ByteWriter, m: PrePrepare): void {
  w.u64(m.view).u64(m.seq).raw(m.digest).u64(m.time).u32(m.replica).bytes(m.signature).u32(m.batch.length);
  for (const r of m.batch) writeRequest(w, r);
}
function writeVote(w: ByteWriter, m: Prepare | Commit): void {
  w.u64(m.view).u64(m.seq).raw(m.digest).u32(m.replica).bytes(m.signature);
}
function writeCheckpoint(w: ByteWriter, m: Checkpoint): void {
  w.u64(m.seq).raw(m.digest).u32(m.replica).bytes(m.signature);
}
function writePrepared(w: ByteWriter, p: PreparedProof): void {
  writePrePrepare(w, p.prePrepare);
  w.u32(p.prepares.length);
  for (const m of p.prepares) writeVote(w, m);
}
function writeViewChange(w: ByteWriter, m: ViewChange): void {
  w.u64(m.view).u64(m.stableSeq).raw(m.stableDigest).u32(m.checkpointProof.length);
  for (const c of m.checkpointProof) writeCheckpoint(w, c);
  w.u32(m.prepared.length);
  for (const p of m.prepared) writePrepared(w, p);
  w.u32(m.replica).bytes(m.signature);
}
function writeNewView(w: ByteWriter, m: NewView): void {
  w.u64(m.view).u32(m.viewChanges.length);
  for (const vc of m.viewChanges) writeViewChange(w, vc);
  w.u32(m.prePrepares.length);
  for (const pp of m.prePrepares) writePrePrepare(w, pp);
  w.u32(m.replica).bytes(m.signature);
}
function writeClient(w: ByteWriter, c: ClientRecord): void {
  w.string(c.client).u64(c.timestamp).bytes(c.result);
}
function writeSnapshot(w: ByteWriter, s: Snapshot): void {
  w.u64(s.seq).raw(s.chainHead).u64(s.time).u32(s.clients.length);
  for (const c of s.clients) writeClient(w, c);
}
function writeVotes(w: ByteWriter, votes: ReadonlyMap<number, Prepare | Commit>): void {
  w.u32(votes.size);
  for (const [, m] of sorted(votes)) writeVote(w, m);
}

/**
 * The canonical bytes of a replica's persistent state (see the module documentation for the layout).
 * Equal states give equal bytes.
 * @param state - the state of a `persist` effect
 * @returns the bytes to write to stable storage
 * @throws RangeError if an integer is not a non-negative safe integer (never for a state made by `step`)
 */
export function encodePersistentState(state: PersistentState): Uint8Array {
  const w = new ByteWriter(4096).string(TAG).u8(VERSION);
  w.u32(state.replica).u32(state.n).u64(state.checkpointInterval).u64(state.logWindow);
  w.u64(state.view)
    .u8(state.status === 'viewChanging' ? 1 : 0)
    .u64(state.now)
    .u32(state.backoff)
    .u64(state.seqAssigned)
    .u64(state.lastExecuted)
    .raw(state.chainHead)
    .u64(state.lastTime);
  w.u32(state.clients.size);
  for (const [, c] of sorted(state.clients)) writeClient(w, c);
  const stable = state.stable;
  w.u64(stable.seq).raw(stable.digest).u32(stable.proof.length);
  for (const c of stable.proof) writeCheckpoint(w, c);
  w.u8(stable.snapshot === null ? 0 : 1);
  if (stable.snapshot !== null) writeSnapshot(w, stable.snapshot);
  w.u32(state.snapshots.size);
  for (const [, s] of sorted(state.snapshots)) writeSnapshot(w, s);
  const checkpoints = sorted(state.checkpoints).flatMap(([, bySender]) => sorted(bySender).map(([, c]) => c));
  w.u32(checkpoints.length);
  for (const c of checkpoints) writeCheckpoint(w, c);
  w.u32(state.log.size);
  for (const [seq, slot] of sorted(state.log)) {
    w.u64(seq).u8((slot.prePrepare === null ? 0 : 1) | (slot.prepared ? 2 : 0) | (slot.committed ? 4 : 0));
    if (slot.prePrepare !== null) writePrePrepare(w, slot.prePrepare);
    writeVotes(w, slot.prepares);
    writeVotes(w, slot.commits);
  }
  w.u32(state.prepared.size);
  for (const [, p] of sorted(state.prepared)) writePrepared(w, p);
  w.u32(state.viewChanges.size);
  for (const [, vc] of sorted(state.viewChanges)) writeViewChange(w, vc);
  w.u32(state.suspicions.size);
  for (const [, m] of sorted(state.suspicions)) w.u64(m.view).u32(m.replica).bytes(m.signature);
  w.u8(state.newView === null ? 0 : 1);
  if (state.newView !== null) writeNewView(w, state.newView);
  const body = w.finish();
  return new ByteWriter(body.length + DIGEST_BYTES).raw(body).raw(sha256(body)).finish();
}

// ---- reading ----------------------------------------------------------------------------

/** Reads the raw fields; every value is shape-checked afterwards against the configuration. */
class StateReader {
  constructor(
    private readonly r: ByteReader,
    private readonly remaining: () => number,
  ) {}
  count(field: string, minEntryBytes: number): number {
    const n = this.r.u32(field);
    if (n * minEntryBytes > this.remaining())
      throw new EncodingError(OBJECT, field, `count ${n} exceeds what the bytes can hold`);
    return n;
  }
  /** A counted list: its count (see {@link count}), then each entry read by `read` at `field[i]`. */
  list<T>(field: string, minEntryBytes: number, read: (at: string) => T): T[] {
    return Array.from({ length: this.count(field, minEntryBytes) }, (_, i) => read(`${field}[${i}]`));
  }
  /** The end of every replica message, ⟨..., i⟩σi: the sending replica i and its signature. */
  signedBy(field: string): { replica: number; signature: Uint8Array } {
    return { replica: this.r.u32(`${field}.replica`), signature: this.r.bytes(`${field}.signature`, MAX_STRING) };
  }
  request(field: string): Record<string, unknown> {
    return {
      type: 'request',
      client: this.r.string(`${field}.client`, MAX_STRING),
      timestamp: this.r.u64(`${field}.timestamp`),
      operation: this.r.bytes(`${field}.operation`, MAX_BYTES),
      signature: this.r.bytes(`${field}.signature`, MAX_STRING),
    };
  }
  prePrepare(field: string): Record<string, unknown> {
    const m = {
      type: 'prePrepare',
      view: this.r.u64(`${field}.view`),
      seq: this.r.u64(`${field}.seq`),
      digest: this.r.raw(DIGEST_BYTES, `${field}.digest`),
      time: this.r.u64(`${field}.time`),
      ...this.signedBy(field),
    };
    const batch = this.list(`${field}.batch`, 24, (at) => this.request(at));
    return { ...m, batch };
  }
  vote(type: 'prepare' | 'commit', field: string): Record<string, unknown> {
    return {
      type,
      view: this.r.u64(`${field}.view`),
      seq: this.r.u64(`${field}.seq`),
      digest: this.r.raw(DIGEST_BYTES, `${field}.digest`),
      ...this.signedBy(field),
    };
  }
  checkpoint(field: string): Record<string, unknown> {
    return {
      type: 'checkpoint',
      seq: this.r.u64(`${field}.seq`),
      digest: this.r.raw(DIGEST_BYTES, `${field}.digest`),
      ...this.signedBy(field),
    };
  }
  prepared(field: string): Record<string, unknown> {
    const prePrepare = this.prePrepare(`${field}.prePrepare`);
    const prepares = this.list(`${field}.prepares`, 56, (at) => this.vote('prepare', at));
    return { prePrepare, prepares };
  }
  viewChange(field: string): Record<string, unknown> {
    return {
      type: 'viewChange',
      view: this.r.u64(`${field}.view`),
      stableSeq: this.r.u64(`${field}.stableSeq`),
      stableDigest: this.r.raw(DIGEST_BYTES, `${field}.stableDigest`),
      checkpointProof: this.list(`${field}.checkpointProof`, 48, (at) => this.checkpoint(at)),
      prepared: this.list(`${field}.prepared`, 80, (at) => this.prepared(at)),
      ...this.signedBy(field),
    };
  }
  newView(field: string): Record<string, unknown> {
    return {
      type: 'newView',
      view: this.r.u64(`${field}.view`),
      viewChanges: this.list(`${field}.viewChanges`, 64, (at) => this.viewChange(at)),
      prePrepares: this.list(`${field}.prePrepares`, 64, (at) => this.prePrepare(at)),
      ...this.signedBy(field),
    };
  }
  client(field: string): Record<string, unknown> {
    return {
      client: this.r.string(`${field}.client`, MAX_STRING),
      timestamp: this.r.u64(`${field}.timestamp`),
      result: this.r.bytes(`${field}.result`, MAX_STRING),
    };
  }
  snapshot(field: string): Record<string, unknown> {
    const seq = this.r.u64(`${field}.seq`);
    const chainHead = this.r.raw(DIGEST_BYTES, `${field}.chainHead`);
    const time = this.r.u64(`${field}.time`);
    const clients = this.list(`${field}.clients`, 16, (at) => this.client(at));
    return { seq, chainHead, time, clients };
  }
}

function invalid(field: string, problem: string): never {
  throw new EncodingError(OBJECT, field, problem);
}

/** A decoded message, shape-checked as if it had come from the network. */
function message<T extends ReplicaMessage>(value: Record<string, unknown>, config: ReplicaConfig, field: string): T {
  const checked = checkReplicaMessage(value, config);
  if (!checked.ok) invalid(field, checked.reason);
  return checked.value as T;
}

function snapshotOf(value: Record<string, unknown>, config: ReplicaConfig, field: string): Snapshot {
  const checked = checkSnapshot(value, config);
  if (!checked.ok) invalid(field, checked.reason);
  return checked.value;
}

/**
 * Decodes the bytes of {@link encodePersistentState} as hostile input, for the replica with
 * configuration `config`.
 * @param bytes - what was read from stable storage
 * @param config - the configuration of the replica being restarted
 * @returns the persistent state
 * @throws EncodingError (`ERR_ENCODING`, a RangeError) naming the field for any defect: truncation
 *   or a torn write (the trailing hash does not match), trailing bytes, a value out of range, a
 *   message that fails its shape check, an inconsistency, or a state made for another replica or
 *   other parameters
 */
export function decodePersistentState(bytes: Uint8Array, config: ReplicaConfig): PersistentState {
  if (!(bytes instanceof Uint8Array)) invalid('', 'not a Uint8Array');
  if (bytes.length < DIGEST_BYTES) invalid('check', 'truncated');
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  if (!bytesEqual(sha256(body), bytes.subarray(bytes.length - DIGEST_BYTES))) {
    invalid('check', 'the trailing hash does not match: the state was torn or altered');
  }
  const r = new ByteReader(body, OBJECT);
  const f = new StateReader(r, () => r.remaining);
  if (r.string('tag', 64) !== TAG) invalid('tag', 'not a medshare replica state');
  const version = r.u8('version');
  if (version !== VERSION) invalid('version', `unknown version ${version}`);
  const replica = r.u32('replica');
  const n = r.u32('n');
  const checkpointInterval = r.u64('checkpointInterval');
  const logWindow = r.u64('logWindow');
  if (
    replica !== config.id ||
    n !== config.n ||
    checkpointInterval !== config.checkpointInterval ||
    logWindow !== config.logWindow
  ) {
    invalid(
      'replica',
      `made for replica ${replica} of ${n} (K ${checkpointInterval}, L ${logWindow}), not replica ${config.id} of ${config.n} (K ${config.checkpointInterval}, L ${config.logWindow})`,
    );
  }
  const view = r.u64('view');
  const statusCode = r.u8('status');
  if (statusCode > 1) invalid('status', `unknown status ${statusCode}`);
  const now = r.u64('now');
  const backoff = r.u32('backoff');
  if (backoff > config.maxBackoff) invalid('backoff', `${backoff} above maxBackoff ${config.maxBackoff}`);
  const seqAssigned = r.u64('seqAssigned');
  const lastExecuted = r.u64('lastExecuted');
  const chainHead = r.raw(DIGEST_BYTES, 'chainHead');
  const lastTime = r.u64('lastTime');

  const clientList = f.list('clients', 16, (at) => f.client(at));
  const clientTable = snapshotOf({ seq: 0, chainHead, time: 0, clients: clientList }, config, 'clients').clients;
  const clients = new Map<string, ClientRecord>(clientTable.map((c) => [c.client, c]));

  const stableSeq = r.u64('stable.seq');
  const stableDigest = r.raw(DIGEST_BYTES, 'stable.digest');
  const proof = f.list('stable.proof', 48, (at) => message<Checkpoint>(f.checkpoint(at), config, at));
  const hasSnapshot = r.u8('stable.snapshot');
  if (hasSnapshot > 1) invalid('stable.snapshot', 'expected 0 or 1');
  const stableSnapshot = hasSnapshot === 1 ? snapshotOf(f.snapshot('stable.snapshot'), config, 'stable.snapshot') : null;
  if (stableSeq % config.checkpointInterval !== 0) invalid('stable.seq', `${stableSeq} is not a multiple of K`);
  const badProof = checkpointProofProblem(proof, stableSeq, stableDigest, config.n, config.crypto, false);
  if (badProof !== null) invalid('stable.proof', badProof.reason);
  if (stableSeq === 0 && !bytesEqual(stableDigest, GENESIS_CHECKPOINT_DIGEST))
    invalid('stable.digest', 'not the genesis checkpoint');
  if (
    stableSnapshot !== null &&
    (stableSnapshot.seq !== stableSeq || !bytesEqual(snapshotDigest(stableSnapshot), stableDigest))
  ) {
    invalid('stable.snapshot', 'does not match the stable checkpoint');
  }
  const stable: StableCheckpoint = { seq: stableSeq, digest: stableDigest, proof, snapshot: stableSnapshot };
  const high = stableSeq + config.logWindow;
  const inWindow = (seq: number) => seq > stableSeq && seq <= high;

  const snapshots = new Map<number, Snapshot>();
  for (let i = f.count('snapshots', 48); i > 0; i--) {
    const s = snapshotOf(f.snapshot('snapshots[]'), config, 'snapshots[]');
    if (s.seq <= stableSeq || s.seq % config.checkpointInterval !== 0 || snapshots.has(s.seq) || s.seq > lastExecuted) {
      invalid('snapshots', `a snapshot at seq ${s.seq} that this replica cannot hold`);
    }
    snapshots.set(s.seq, s);
  }

  const checkpoints = new Map<number, Map<number, Checkpoint>>();
  for (let i = f.count('checkpoints', 48); i > 0; i--) {
    const c = message<Checkpoint>(f.checkpoint('checkpoints[]'), config, 'checkpoints[]');
    if (c.seq <= stableSeq || c.seq % config.checkpointInterval !== 0) invalid('checkpoints', `a checkpoint at seq ${c.seq}`);
    const bySender = checkpoints.get(c.seq) ?? new Map<number, Checkpoint>();
    if (bySender.has(c.replica)) invalid('checkpoints', `two checkpoints of replica ${c.replica} at seq ${c.seq}`);
    checkpoints.set(c.seq, bySender.set(c.replica, c));
  }

  const log = new Map<number, Slot>();
  for (let i = f.count('log', 17); i > 0; i--) {
    const seq = r.u64('log[].seq');
    const flags = r.u8('log[].flags');
    if (flags > 7 || !inWindow(seq) || log.has(seq)) invalid('log', `a slot at seq ${seq} outside the watermarks or repeated`);
    const prePrepare = flags & 1 ? message<PrePrepare>(f.prePrepare('log[].prePrepare'), config, 'log[].prePrepare') : null;
    const votes = <T extends Prepare | Commit>(type: 'prepare' | 'commit'): Map<number, T> => {
      const map = new Map<number, T>();
      for (let j = f.count(`log[].${type}s`, 56); j > 0; j--) {
        const m = message<T>(f.vote(type, `log[].${type}s[]`), config, `log[].${type}s[]`);
        if (m.seq !== seq || m.view !== view || map.has(m.replica))
          invalid(`log[].${type}s`, `a ${type} that does not belong to seq ${seq}`);
        map.set(m.replica, m);
      }
      return map;
    };
    const prepares = votes<Prepare>('prepare');
    const commits = votes<Commit>('commit');
    if (prePrepare !== null && (prePrepare.seq !== seq || prePrepare.view !== view))
      invalid('log[].prePrepare', `not for seq ${seq} of view ${view}`);
    if ((flags & 6) !== 0 && prePrepare === null) invalid('log[].flags', 'prepared or committed without a pre-prepare');
    log.set(seq, { prePrepare, prepares, commits, prepared: (flags & 2) !== 0, committed: (flags & 4) !== 0 });
  }

  const prepared = new Map<number, PreparedProof>();
  for (let i = f.count('prepared', 80); i > 0; i--) {
    const checked = checkPreparedShape(f.prepared('prepared[]'), config);
    if (!checked.ok) invalid('prepared[]', checked.reason);
    const p = checked.value;
    const seq = p.prePrepare.seq;
    if (!inWindow(seq) || prepared.has(seq))
      invalid('prepared', `a prepared certificate at seq ${seq} outside the watermarks or repeated`);
    prepared.set(seq, p);
  }

  const viewChanges = new Map<number, ViewChange>();
  for (let i = f.count('viewChanges', 64); i > 0; i--) {
    const vc = message<ViewChange>(f.viewChange('viewChanges[]'), config, 'viewChanges[]');
    if (viewChanges.has(vc.replica)) invalid('viewChanges', `two view-changes of replica ${vc.replica}`);
    viewChanges.set(vc.replica, vc);
  }
  const suspicions = new Map<number, Suspect>();
  for (let i = f.count('suspicions', 16); i > 0; i--) {
    const m = message<Suspect>(
      {
        type: 'suspect',
        view: r.u64('suspicions[].view'),
        replica: r.u32('suspicions[].replica'),
        signature: r.bytes('suspicions[].signature', MAX_STRING),
      },
      config,
      'suspicions[]',
    );
    if (suspicions.has(m.replica)) invalid('suspicions', `two suspicions of replica ${m.replica}`);
    suspicions.set(m.replica, m);
  }
  const hasNewView = r.u8('newView');
  if (hasNewView > 1) invalid('newView', 'expected 0 or 1');
  const newView = hasNewView === 1 ? message<NewView>(f.newView('newView'), config, 'newView') : null;
  if (newView !== null && newView.view > view) invalid('newView', `for view ${newView.view}, after the current view ${view}`);
  r.end();
  return {
    replica,
    n,
    checkpointInterval,
    logWindow,
    view,
    status: statusCode === 1 ? 'viewChanging' : 'normal',
    now,
    backoff,
    seqAssigned,
    lastExecuted,
    chainHead,
    lastTime,
    clients,
    stable,
    snapshots,
    checkpoints,
    log,
    prepared,
    viewChanges,
    suspicions,
    newView,
  };
}
