/**
 * Shape checks for untrusted messages. A replica never trusts the structure of what arrives on
 * the network: every field is checked for type, range and length here before any cryptography
 * or protocol logic sees it. Each check returns the message or a reason; nothing throws.
 * @module
 */
import { isNatural } from '../internal/errors.js';
import { DIGEST_BYTES } from './encoding.js';
import type {
  Checkpoint,
  ClientRecord,
  Commit,
  FetchState,
  NewView,
  PreparedProof,
  PrePrepare,
  Prepare,
  ReplicaConfig,
  ReplicaMessage,
  Request,
  Snapshot,
  StateTransfer,
  Status,
  Suspect,
  ViewChange,
} from './types.js';

/** Longest signature accepted, in bytes. */
export const MAX_SIGNATURE_BYTES = 256;
/** Longest client identifier, in UTF-16 code units. */
export const MAX_CLIENT_ID = 256;

/** A shape check that passed. */
export interface CheckPassed<T> {
  /** Discriminant: the value passed the check. */
  readonly ok: true;
  /**
   * The checked value, rebuilt field by field into a fresh object: it holds only the fields of its
   * type (extra properties of the input are dropped) and shares no object with the input but
   * its Uint8Arrays.
   */
  readonly value: T;
}

/** A shape check that failed. */
export interface CheckFailed {
  /** Discriminant: the value was rejected. */
  readonly ok: false;
  /** The first defect found, naming the field (for example `prePrepare.batch[2].timestamp: not a non-negative safe integer`). */
  readonly reason: string;
}

/** A shape check's verdict. */
export type Checked<T> = CheckPassed<T> | CheckFailed;

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what}: not an object`);
  return value as Record<string, unknown>;
}

function natural(value: unknown, what: string): number {
  if (!isNatural(value)) fail(`${what}: not a non-negative safe integer`);
  return value;
}

function replicaId(value: unknown, n: number, what: string): number {
  const id = natural(value, what);
  if (id >= n) fail(`${what}: replica ${id} out of range [0, ${n})`);
  return id;
}

function bytes(value: unknown, what: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(`${what}: not a Uint8Array`);
  if (value.length < min || value.length > max) fail(`${what}: length ${value.length} outside [${min}, ${max}]`);
  return value;
}

function digest(value: unknown, what: string): Uint8Array {
  return bytes(value, what, DIGEST_BYTES, DIGEST_BYTES);
}

function signature(value: unknown, what: string): Uint8Array {
  return bytes(value, what, 1, MAX_SIGNATURE_BYTES);
}

function list(value: unknown, what: string, max: number): readonly unknown[] {
  if (!Array.isArray(value)) fail(`${what}: not an array`);
  if (value.length > max) fail(`${what}: ${value.length} entries, at most ${max}`);
  return value;
}

function boolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') fail(`${what}: not a boolean`);
  return value;
}

function clientId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CLIENT_ID) fail(`${what}: not a client id`);
  return value;
}

function tagged(value: unknown, type: string, what: string): Record<string, unknown> {
  const m = record(value, what);
  if (m.type !== type) fail(`${what}: type is ${String(m.type)}, expected ${type}`);
  return m;
}

function request(value: unknown, config: ReplicaConfig, what = 'request'): Request {
  const m = tagged(value, 'request', what);
  return {
    type: 'request',
    client: clientId(m.client, `${what}.client`),
    timestamp: natural(m.timestamp, `${what}.timestamp`),
    operation: bytes(m.operation, `${what}.operation`, 0, config.maxOperationBytes),
    signature: signature(m.signature, `${what}.signature`),
  };
}

function prePrepare(value: unknown, config: ReplicaConfig, what = 'prePrepare'): PrePrepare {
  const m = tagged(value, 'prePrepare', what);
  return {
    type: 'prePrepare',
    view: natural(m.view, `${what}.view`),
    seq: natural(m.seq, `${what}.seq`),
    digest: digest(m.digest, `${what}.digest`),
    time: natural(m.time, `${what}.time`),
    replica: replicaId(m.replica, config.n, `${what}.replica`),
    signature: signature(m.signature, `${what}.signature`),
    batch: list(m.batch, `${what}.batch`, config.maxBatch).map((r, i) => request(r, config, `${what}.batch[${i}]`)),
  };
}

function vote<T extends 'prepare' | 'commit'>(value: unknown, type: T, config: ReplicaConfig, what: string) {
  const m = tagged(value, type, what);
  return {
    type,
    view: natural(m.view, `${what}.view`),
    seq: natural(m.seq, `${what}.seq`),
    digest: digest(m.digest, `${what}.digest`),
    replica: replicaId(m.replica, config.n, `${what}.replica`),
    signature: signature(m.signature, `${what}.signature`),
  };
}

function checkpoint(value: unknown, config: ReplicaConfig, what = 'checkpoint'): Checkpoint {
  const m = tagged(value, 'checkpoint', what);
  return {
    type: 'checkpoint',
    seq: natural(m.seq, `${what}.seq`),
    digest: digest(m.digest, `${what}.digest`),
    replica: replicaId(m.replica, config.n, `${what}.replica`),
    signature: signature(m.signature, `${what}.signature`),
  };
}

function preparedProof(value: unknown, config: ReplicaConfig, what: string): PreparedProof {
  const m = record(value, what);
  return {
    prePrepare: prePrepare(m.prePrepare, config, `${what}.prePrepare`),
    prepares: list(m.prepares, `${what}.prepares`, config.n).map((p, i) =>
      vote(p, 'prepare', config, `${what}.prepares[${i}]`),
    ) as Prepare[],
  };
}

function viewChange(value: unknown, config: ReplicaConfig, what = 'viewChange'): ViewChange {
  const m = tagged(value, 'viewChange', what);
  return {
    type: 'viewChange',
    view: natural(m.view, `${what}.view`),
    stableSeq: natural(m.stableSeq, `${what}.stableSeq`),
    stableDigest: digest(m.stableDigest, `${what}.stableDigest`),
    checkpointProof: list(m.checkpointProof, `${what}.checkpointProof`, config.n).map((c, i) =>
      checkpoint(c, config, `${what}.checkpointProof[${i}]`),
    ),
    prepared: list(m.prepared, `${what}.prepared`, config.logWindow).map((p, i) =>
      preparedProof(p, config, `${what}.prepared[${i}]`),
    ),
    replica: replicaId(m.replica, config.n, `${what}.replica`),
    signature: signature(m.signature, `${what}.signature`),
  };
}

function newView(value: unknown, config: ReplicaConfig): NewView {
  const m = tagged(value, 'newView', 'newView');
  return {
    type: 'newView',
    view: natural(m.view, 'newView.view'),
    viewChanges: list(m.viewChanges, 'newView.viewChanges', config.n).map((v, i) =>
      viewChange(v, config, `newView.viewChanges[${i}]`),
    ),
    prePrepares: list(m.prePrepares, 'newView.prePrepares', config.logWindow).map((p, i) =>
      prePrepare(p, config, `newView.prePrepares[${i}]`),
    ),
    replica: replicaId(m.replica, config.n, 'newView.replica'),
    signature: signature(m.signature, 'newView.signature'),
  };
}

function suspect(value: unknown, config: ReplicaConfig): Suspect {
  const m = tagged(value, 'suspect', 'suspect');
  return {
    type: 'suspect',
    view: natural(m.view, 'suspect.view'),
    replica: replicaId(m.replica, config.n, 'suspect.replica'),
    signature: signature(m.signature, 'suspect.signature'),
  };
}

function clientRecord(value: unknown, what: string): ClientRecord {
  const m = record(value, what);
  return {
    client: clientId(m.client, `${what}.client`),
    timestamp: natural(m.timestamp, `${what}.timestamp`),
    result: bytes(m.result, `${what}.result`, 0, 1024),
  };
}

function snapshot(value: unknown, config: ReplicaConfig): Snapshot {
  const m = record(value, 'snapshot');
  const clients = list(m.clients, 'snapshot.clients', config.maxPending * 1024).map((c, i) =>
    clientRecord(c, `snapshot.clients[${i}]`),
  );
  for (let i = 1; i < clients.length; i++) {
    if ((clients[i - 1] as ClientRecord).client >= (clients[i] as ClientRecord).client) {
      fail('snapshot.clients: not sorted by client, or a client appears twice');
    }
  }
  return {
    seq: natural(m.seq, 'snapshot.seq'),
    chainHead: digest(m.chainHead, 'snapshot.chainHead'),
    time: natural(m.time, 'snapshot.time'),
    clients,
  };
}

function stateTransfer(value: unknown, config: ReplicaConfig): StateTransfer {
  const m = tagged(value, 'stateTransfer', 'stateTransfer');
  return {
    type: 'stateTransfer',
    snapshot: snapshot(m.snapshot, config),
    proof: list(m.proof, 'stateTransfer.proof', config.n).map((c, i) => checkpoint(c, config, `stateTransfer.proof[${i}]`)),
    replica: replicaId(m.replica, config.n, 'stateTransfer.replica'),
  };
}

function fetchState(value: unknown, config: ReplicaConfig): FetchState {
  const m = tagged(value, 'fetchState', 'fetchState');
  return {
    type: 'fetchState',
    replica: replicaId(m.replica, config.n, 'fetchState.replica'),
    lastExecuted: natural(m.lastExecuted, 'fetchState.lastExecuted'),
  };
}

function status(value: unknown, config: ReplicaConfig): Status {
  const m = tagged(value, 'status', 'status');
  return {
    type: 'status',
    replica: replicaId(m.replica, config.n, 'status.replica'),
    view: natural(m.view, 'status.view'),
    viewChanging: boolean(m.viewChanging, 'status.viewChanging'),
    lastExecuted: natural(m.lastExecuted, 'status.lastExecuted'),
    stableSeq: natural(m.stableSeq, 'status.stableSeq'),
  };
}

function guard<T>(check: () => T): Checked<T> {
  try {
    return { ok: true, value: check() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    return { ok: false, reason: `malformed: ${(e as Error)?.message ?? String(e)}` };
  }
}

/**
 * Checks the shape of a message from another replica: its type tag, every field's type, integer
 * ranges (replica indices in [0, n)), byte lengths (32-byte digests, signatures of 1 to 256
 * bytes, operations up to maxOperationBytes) and list lengths (batches up to maxBatch, P and O up
 * to L entries, proofs up to n). Signatures and protocol rules are not checked here.
 * @param value - anything received from the network
 * @param config - the receiving replica's configuration (n, window, batch and size limits)
 * @returns the message, copied into a fresh well-typed object, or the reason it was rejected; never throws
 */
export function checkReplicaMessage(value: unknown, config: ReplicaConfig): Checked<ReplicaMessage> {
  return guard(() => {
    const m = record(value, 'message');
    switch (m.type) {
      case 'request':
        return request(m, config);
      case 'prePrepare':
        return prePrepare(m, config);
      case 'prepare':
        return vote(m, 'prepare', config, 'prepare') as Prepare;
      case 'commit':
        return vote(m, 'commit', config, 'commit') as Commit;
      case 'checkpoint':
        return checkpoint(m, config);
      case 'viewChange':
        return viewChange(m, config);
      case 'newView':
        return newView(m, config);
      case 'suspect':
        return suspect(m, config);
      case 'fetchState':
        return fetchState(m, config);
      case 'stateTransfer':
        return stateTransfer(m, config);
      case 'status':
        return status(m, config);
      default:
        return fail(`message: unknown type ${String(m.type).slice(0, 40)}`);
    }
  });
}

/**
 * Checks the shape of a prepared certificate (for the replica's persisted state).
 * @param value - anything
 * @param config - the replica's configuration
 * @returns the certificate, copied, or the reason it was rejected; never throws
 */
export function checkPreparedShape(value: unknown, config: ReplicaConfig): Checked<PreparedProof> {
  return guard(() => preparedProof(value, config, 'prepared'));
}

/**
 * Checks the shape of a checkpoint's state (for the replica's persisted state).
 * @param value - anything
 * @param config - the replica's configuration
 * @returns the snapshot, copied, or the reason it was rejected; never throws
 */
export function checkSnapshot(value: unknown, config: ReplicaConfig): Checked<Snapshot> {
  return guard(() => snapshot(value, config));
}

/**
 * Checks the shape of a client request (not its signature).
 * @param value - anything received from a client
 * @param config - the receiving replica's configuration (its maxOperationBytes)
 * @returns the request, copied into a fresh well-typed object, or the reason it was rejected; never throws
 */
export function checkRequest(value: unknown, config: ReplicaConfig): Checked<Request> {
  return guard(() => request(value, config));
}
