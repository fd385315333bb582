/**
 * `medshare/pbft`: Practical Byzantine Fault Tolerance (Castro and Liskov, OSDI 1999 / TOCS 2002)
 * as a pure, synchronous state machine: the consensus of Huang et al. 2020, section 4.2.10, among
 * 3f + 1 verification nodes, with primary P = V mod |R|.
 *
 * `step(state, input)` takes a client request, a message from another replica, or a logical tick
 * (with the caller's clock reading), and returns the next state and effects: messages to send, the
 * state to persist first ({@link PersistentState}, written as {@link encodePersistentState} bytes
 * and read back by {@link restart}), batches to record as ledger blocks, replies to clients, and
 * dropped inputs with a stable {@link DropCode} and a reason. Network, disk, clock and keys belong
 * to the caller; signatures go through a {@link ReplicaCrypto} (Ed25519 by default,
 * {@link ed25519Crypto}).
 *
 * The protocol: request batching; PRE-PREPARE / PREPARE (prepared = pre-prepare + 2f matching
 * prepares) / COMMIT (committed-local = 2f + 1 commits); execution in sequence order with client
 * deduplication by timestamp and the last reply kept; f + 1 matching replies at the client;
 * watermarks h < n <= h + L; a checkpoint every K with a stable checkpoint at 2f + 1 and garbage
 * collection of the log; batch times from the primary's clock, bounded by the backups' clocks and
 * certified with the batch; view change with doubling timeouts, started on f + 1 accusations
 * (SUSPECT) or VIEW-CHANGEs, NEW-VIEW whose O set every backup recomputes with
 * {@link computeNewViewPlan}; state transfer from a stable checkpoint; retransmission on STATUS,
 * rate-limited and bounded.
 *
 * @example
 * ```ts
 * import { createReplica, step } from 'medshare/pbft';
 * let replica = createReplica({ id: 1, n: 4, crypto });
 * const { state, effects } = step(replica, { type: 'message', from: 0, message: prePrepare });
 * // after a crash: replica = restart({ id: 1, n: 4, crypto }, await storage.load());
 * for (const effect of effects) {
 *   if (effect.type === 'persist') await storage.save(encodePersistentState(effect.state)); // before anything else
 *   if (effect.type === 'broadcast') network.sendToAll(effect.message);
 *   if (effect.type === 'execute') ledger.append(effect);
 * }
 * replica = state;
 * ```
 * @module
 */
export { createReplica, restart, step, requestKey, compareRequests } from './replica.js';
export type { ReplicaOptions } from './replica.js';
export { createClient, clientStep, signRequest, ClientBusyError } from './client.js';
export type {
  ClientBroadcastEffect,
  ClientDropEffect,
  ClientEffect,
  ClientInput,
  ClientOptions,
  ClientReplyInput,
  ClientResultEffect,
  ClientSendEffect,
  ClientState,
  ClientStepResult,
  ClientSubmitInput,
  ClientTickInput,
} from './client.js';
export { primaryOf, quorums } from './quorum.js';
export type { Quorums } from './quorum.js';
export { computeNewViewPlan } from './view-change.js';
export type { NewViewEntry, NewViewPlan } from './view-change.js';
export {
  checkCheckpointProof,
  checkCommitCertificate,
  checkPreparedProof,
  checkPrePrepare,
  checkViewChange,
  GENESIS_CHECKPOINT_DIGEST,
} from './certificates.js';
export {
  batchDigest,
  blockHash,
  checkpointSignable,
  commitSignable,
  DIGEST_BYTES,
  executionResult,
  GENESIS_HASH,
  newViewSignable,
  orderingDigest,
  prePrepareSignable,
  prepareSignable,
  requestDigest,
  requestSignable,
  snapshotDigest,
  suspectSignable,
  viewChangeSignable,
} from './encoding.js';
export { checkReplicaMessage, checkRequest } from './validate.js';
export { decodePersistentState, encodePersistentState, persistentState } from './persist.js';
export type { Checked, CheckFailed, CheckPassed } from './validate.js';
export { ed25519Crypto, ed25519ReplicaVerifier, ed25519Signer } from './crypto.js';
export type { Ed25519CryptoOptions } from './crypto.js';
export type * from './types.js';
export * from '../internal/public-errors.js';
