/**
 * `medshare/ledger/file` (Node only): {@link FileBlockStore}, the crash-safe append-only ledger file
 * of `medshare/ledger`'s {@link BlockStore} interface. Kept out of `medshare/ledger` because it needs
 * `node:fs`; everything else of the ledger runs in browsers too.
 *
 * @example
 * ```ts
 * import { blockFromExecution, verifyChain } from 'medshare/ledger';
 * import { FileBlockStore } from 'medshare/ledger/file';
 * const store = FileBlockStore.open('ledger.bin');
 * store.recovery; // { blocks, droppedBytes }: what was read, and the torn last record cut off
 * // for each `execute` effect of the local replica:
 * store.append(blockFromExecution(effect, store.head()));
 * verifyChain(store.blocks(), { n: 4, crypto: ed25519ReplicaVerifier(replicaKeys) }); // { valid: true, ... }
 * ```
 * @module
 */
export { DirectoryNodeStorage, FileBlockStore, LEDGER_FILE, LedgerCorruptionError, REPLICA_STATE_FILE } from './file-store.js';
export type { FileBlockStoreOptions, FileSize, LedgerFileSystem, NodeFileSystem, Recovery } from './file-store.js';
export type { BlockStore, NodeStorage } from './store.js';
