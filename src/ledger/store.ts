/**
 * Where blocks are kept. {@link BlockStore} is the interface; {@link MemoryBlockStore} keeps them
 * in memory. The file store (`FileBlockStore`, Node only) is in file-store.ts, behind its own
 * subpath `medshare/ledger/file`, so that this module and everything that imports it run in
 * browsers.
 * @module
 */
import { bytesEqual } from '../internal/bytes.js';
import { GENESIS_HASH } from '../pbft/encoding.js';
import type { Block } from './block.js';
import { ArgumentValueError, MedshareError } from '../internal/errors.js';

/** Append-only storage of a chain of blocks. */
export interface BlockStore {
  /** Number of blocks (the height of the last one). */
  readonly height: number;
  /** The block at `height` (1-based), if stored. */
  get(height: number): Block | undefined;
  /** Hash of the last block (the genesis hash when empty). */
  head(): Uint8Array;
  /**
   * Appends the next block.
   * @throws RangeError unless block.height = height + 1 and block.previousHash = head()
   */
  append(block: Block): void;
  /** Every block from height 1. */
  blocks(): IterableIterator<Block>;
}

/** Throws unless `block` is the next block of `store` (height and link). */
export function checkNext(store: BlockStore, block: Block): void {
  if (block.height !== store.height + 1)
    throw new ArgumentValueError('block', `height ${block.height}, expected ${store.height + 1}`);
  if (!bytesEqual(block.previousHash, store.head()))
    throw new ArgumentValueError('block', `block ${block.height} does not link to the head`);
}

/** Blocks in memory. */
export class MemoryBlockStore implements BlockStore {
  /**
   * @param chain - blocks already known, from height 1 (taken as they are: the caller vouches
   *   that they chain)
   */
  constructor(protected readonly chain: Block[] = []) {}

  get height(): number {
    return this.chain.length;
  }

  get(height: number): Block | undefined {
    return this.chain[height - 1];
  }

  head(): Uint8Array {
    return this.chain[this.chain.length - 1]?.hash ?? GENESIS_HASH;
  }

  append(block: Block): void {
    checkNext(this, block);
    this.chain.push(block);
  }

  blocks(): IterableIterator<Block> {
    return this.chain.values();
  }
}

/**
 * Where one verification node keeps what it persists: the bytes of its replica's persistent state
 * (`encodePersistentState` of `medshare/pbft`) and its blocks. {@link MemoryNodeStorage} keeps them
 * in memory (they survive a simulated crash, not a real one); `DirectoryNodeStorage` of
 * `medshare/ledger/file` keeps them in files (Node only).
 */
export interface NodeStorage {
  /** Stores the replica's state durably; called before any message of the step is sent. */
  saveReplica(state: Uint8Array): void;
  /**
   * The bytes last stored by {@link NodeStorage.saveReplica}.
   * @throws when nothing was stored
   */
  loadReplica(): Uint8Array;
  /** The node's block store, as it is after a crash (a file store reopens its file). */
  openStore(): BlockStore;
  /** The node crashed: release what is open (files); what was stored stays. */
  crash(): void;
}

/** A {@link NodeStorage} in memory: what a node "persists" outlives a simulated crash of the node. */
export class MemoryNodeStorage implements NodeStorage {
  private state: Uint8Array | null = null;
  private readonly store = new MemoryBlockStore();

  saveReplica(state: Uint8Array): void {
    this.state = state;
  }

  loadReplica(): Uint8Array {
    if (this.state === null) throw new MedshareError('ERR_NETWORK', 'no replica state was persisted');
    return this.state;
  }

  openStore(): BlockStore {
    return this.store;
  }

  crash(): void {}
}
