/**
 * `medshare/ledger`: the hash-chained ledger that PBFT (`medshare/pbft`) builds (Huang et al. 2020,
 * sections 4.2.5, 4.2.10 and 5.1).
 *
 * - Transactions in the form of the paper's Fig. 3: parties, data hash, timestamp, signatures
 *   ({@link encodeTransaction}, {@link decodeTransaction}).
 * - Blocks: height, previous hash, Merkle root of the batch, the batch, view and sequence number, and
 *   the commit certificate of 2f + 1 signed COMMITs ({@link blockFromExecution}).
 * - {@link verifyChain}: checks every link, Merkle root, hash and certificate, and names the first
 *   block at fault (tampered, reordered, or with a forged certificate).
 * - Storage: the {@link BlockStore} interface and {@link MemoryBlockStore}. The crash-safe file
 *   store, `FileBlockStore` (append-only with framed records: it cuts off a torn last write after
 *   a crash and refuses any other damage, never dropping a complete block), needs `node:fs` and has
 *   its own subpath, `medshare/ledger/file`; all of `medshare/ledger` runs in browsers.
 *
 * @example
 * ```ts
 * import { blockFromExecution, MemoryBlockStore, verifyChain } from 'medshare/ledger';
 * const store = new MemoryBlockStore();
 * // for each `execute` effect of the local replica:
 * store.append(blockFromExecution(effect, store.head()));
 * verifyChain(store.blocks(), { n: 4, crypto: ed25519ReplicaVerifier(replicaKeys) }); // { valid: true, ... }
 * ```
 * @module
 */
export { blockFromExecution, decodeBlock, encodeBlock, verifyChain } from './block.js';
export type {
  Block,
  ChainProblemKind,
  ChainVerdict,
  Execution,
  InvalidChainVerdict,
  ValidChainVerdict,
  VerifyChainOptions,
} from './block.js';
export { decodeTransaction, encodeTransaction, transactionSignable, MAX_PARTY_BYTES } from './transaction.js';
export type { Transaction } from './transaction.js';
export { MemoryBlockStore, MemoryNodeStorage } from './store.js';
export type { BlockStore, NodeStorage } from './store.js';
export { GENESIS_HASH, blockHash } from '../pbft/encoding.js';
export * from '../internal/public-errors.js';
