/**
 * The laws of a ledger `BlockStore`, for anyone who keeps medshare's blocks in their own storage
 * (a database, IndexedDB, a file format): the store must behave as the reference
 * `MemoryBlockStore` on real chains of committed blocks, refuse blocks that do not extend its
 * chain, and (when it can be reopened) keep what it acknowledged.
 *
 * @module
 */
import type { Arbitrary, Random, Stream, Value } from 'fast-check';
import { bytesEqual } from '../internal/bytes.js';
import { type Block, encodeBlock } from '../ledger/block.js';
import { type BlockStore, MemoryBlockStore, type NodeStorage } from '../ledger/store.js';
import { fc } from './fast-check.js';
import { holds, type Law, lawsOf, throwsSuch } from './laws.js';
import { runSimulation } from './pbft-simulator.js';

/**
 * Chains of committed blocks from seeded PBFT simulations, shrinking to their prefixes: a prefix
 * of a committed chain is itself one (every block still links to the one below), so a law that
 * fails on a chain is shown failing on the shortest prefix that still breaks it. The seed itself
 * is not shrunk: a smaller seed is no simpler chain, and each would cost a simulation.
 */
class CommittedChains extends fc.Arbitrary<readonly Block[]> {
  generate(mrng: Random): Value<readonly Block[]> {
    const seed = mrng.nextInt(1, 2 ** 31 - 1);
    const { ledgers } = runSimulation({ seed, n: 4 });
    return new fc.Value(
      ledgers.reduce((a, b) => (b.length > a.length ? b : a), [] as Block[]),
      undefined,
    );
  }
  canShrinkWithoutContext(value: unknown): value is readonly Block[] {
    return false;
  }
  /** Prefixes of 1 block, then ever closer to the whole: L - (L - 1), L - (L - 1) / 2, ..., L - 1. */
  shrink(chain: readonly Block[]): Stream<Value<readonly Block[]>> {
    const lengths: number[] = [];
    for (let gap = chain.length - 1; gap > 0; gap = Math.floor(gap / 2)) lengths.push(chain.length - gap);
    return fc.Stream.of(...lengths.map((k) => new fc.Value(chain.slice(0, k), undefined)));
  }
}

/**
 * A chain of real blocks, committed by a 4-replica PBFT cluster in a seeded simulation (with its
 * faults): 2f + 1 signed commits each, every block linked to the one below (the longest honest
 * ledger of the run, typically 10 to 18 blocks). It shrinks to the chain's prefixes (the seed is
 * not shrunk: each seed would cost a simulation), and the laws shrink the position in the chain.
 */
export const blockChainArb: Arbitrary<readonly Block[]> = new CommittedChains();

/** How {@link blockStoreProperties} gets stores to test. */
export interface BlockStoreLawOptions {
  /** A new, empty store (a fresh table, a fresh temporary file, ...). */
  readonly create: () => BlockStore;
  /**
   * Closes `store` and opens the same storage again, when the store persists (a file, a
   * database): the reopened store must hold the same chain. Leave out for a memory-only store.
   */
  readonly reopen?: (store: BlockStore) => BlockStore;
  /** Releases a store after a case (closes a file, drops a table); default: nothing. */
  readonly dispose?: (store: BlockStore) => void;
  /** Runs per law (default 10: a case simulates a PBFT run to get its chain). */
  readonly runs?: number;
}

const sameBlock = (a: Block | undefined, b: Block | undefined) =>
  a === b || (a !== undefined && b !== undefined && bytesEqual(encodeBlock(a), encodeBlock(b)));

/** Throws a LawViolation unless `store` holds exactly the chain of `model`. */
function agrees(store: BlockStore, model: MemoryBlockStore, when: string): void {
  holds(store.height === model.height, `${when}: height ${store.height}, expected ${model.height}`);
  holds(bytesEqual(store.head(), model.head()), `${when}: head() is not the hash of block ${model.height}`);
  for (let h = 0; h <= model.height + 1; h++) holds(sameBlock(store.get(h), model.get(h)), `${when}: get(${h}) differs`);
  const listed = [...store.blocks()];
  holds(listed.length === model.height, `${when}: blocks() lists ${listed.length} blocks, expected ${model.height}`);
  for (const [i, b] of listed.entries()) holds(sameBlock(b, model.get(i + 1)), `${when}: blocks() differs at height ${i + 1}`);
}

/** Appends `blocks` to the store under test and to its model. */
function appendToBoth(store: BlockStore, model: MemoryBlockStore, blocks: readonly Block[]): void {
  for (const block of blocks) {
    store.append(block);
    model.append(block);
  }
}

/** A chain and a cut point k in 0..length: the laws that reopen a store do so after block k. */
const chainAndCutArb = blockChainArb.chain((chain) => fc.tuple(fc.constant(chain), fc.nat({ max: chain.length })));

/**
 * The laws of a BlockStore, as fast-check properties over real chains ({@link blockChainArb}):
 * - fed a chain block by block, it agrees with `MemoryBlockStore` after every append: `height`,
 *   `head()`, `get(h)` for every h (undefined below 1 and above the height), `blocks()` in order;
 * - a block that does not extend its chain (a gap, a repeat, a wrong previous hash) is refused
 *   with RangeError and changes nothing;
 * - with `reopen`: a reopened store holds the same chain, and appends go on from it.
 * @param options - how to create (and reopen, dispose of) stores; runs
 * @returns the laws, group `ledger`, named `BlockStore: <the property>`
 */
export function blockStoreProperties(options: BlockStoreLawOptions): Law[] {
  const runs = options.runs ?? 10;
  const law = lawsOf('BlockStore', 'ledger');
  /** Runs `f` on a new store and disposes of whatever store it ends with. */
  const withStore = (f: (store: BlockStore) => BlockStore | undefined) => {
    let store = options.create();
    try {
      store = f(store) ?? store;
    } finally {
      options.dispose?.(store);
    }
  };
  const laws: Law[] = [
    law(
      'fed a chain block by block, it agrees with MemoryBlockStore after every append (height, head, get, blocks)',
      fc.property(blockChainArb, (chain) =>
        withStore((store) => {
          const model = new MemoryBlockStore();
          agrees(store, model, 'empty');
          for (const block of chain) {
            store.append(block);
            model.append(block);
            agrees(store, model, `after block ${block.height}`);
          }
          return undefined;
        }),
      ),
      runs,
    ),
    law(
      'a block that does not extend the chain (a gap, a repeat, a wrong previous hash) is refused with RangeError and changes nothing',
      fc.property(
        blockChainArb.chain((chain) =>
          fc.tuple(fc.constant(chain), fc.nat({ max: Math.max(0, chain.length - 1) }), fc.constantFrom('gap', 'repeat', 'link')),
        ),
        ([chain, k, kind]) =>
          withStore((store) => {
            const model = new MemoryBlockStore();
            appendToBoth(store, model, chain.slice(0, k));
            const next = chain[k] as Block;
            const bad =
              kind === 'gap'
                ? chain[k + 1]
                : kind === 'repeat'
                  ? chain[k - 1]
                  : { ...next, previousHash: new Uint8Array(32).fill(0xab) };
            if (bad === undefined) return undefined; // no block past the end, or none before the first
            throwsSuch(
              () => store.append(bad),
              (e) => e instanceof RangeError,
              `appending a ${kind} at height ${k + 1} throws RangeError`,
            );
            agrees(store, model, `after the refused ${kind}`);
            return undefined;
          }),
      ),
      runs,
    ),
  ];
  const reopen = options.reopen;
  if (reopen !== undefined) {
    laws.push(
      law(
        'a reopened store holds the same chain, and appends go on from it',
        fc.property(chainAndCutArb, ([chain, k]) =>
          withStore((first) => {
            const model = new MemoryBlockStore();
            appendToBoth(first, model, chain.slice(0, k));
            const store = reopen(first);
            agrees(store, model, `reopened after ${k} blocks`);
            appendToBoth(store, model, chain.slice(k));
            agrees(store, model, 'after appending the rest');
            return store;
          }),
        ),
        runs,
      ),
    );
  }
  return laws;
}

/** How {@link nodeStorageProperties} gets storages to test. */
export interface NodeStorageLawOptions {
  /** A new, empty storage (a fresh directory, a fresh table, ...). */
  readonly create: () => NodeStorage;
  /** Releases a storage after a case (removes its directory, ...); default: nothing. */
  readonly dispose?: (storage: NodeStorage) => void;
  /** Runs per law (default 10). */
  readonly runs?: number;
}

/**
 * The laws of a NodeStorage (where a verification node keeps its replica's state and its blocks):
 * - loadReplica() throws before anything is saved, and returns exactly the bytes last saved,
 *   whether or not the node crashed in between;
 * - the blocks appended to openStore() survive crash(): the store opened after it holds the same
 *   chain ({@link blockChainArb}), and appends go on from it.
 * @param options - how to create (and dispose of) storages; runs
 * @returns the laws, group `ledger`, named `NodeStorage: <the property>`
 */
export function nodeStorageProperties(options: NodeStorageLawOptions): Law[] {
  const runs = options.runs ?? 10;
  const law = lawsOf('NodeStorage', 'ledger');
  const withStorage = (f: (storage: NodeStorage) => void) => {
    const storage = options.create();
    try {
      f(storage);
    } finally {
      storage.crash();
      options.dispose?.(storage);
    }
  };
  return [
    law(
      'loadReplica() throws before any save, then returns exactly the bytes last saved, across crashes',
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 4096 }), fc.boolean()), { minLength: 1, maxLength: 6 }), (saves) =>
        withStorage((storage) => {
          throwsSuch(
            () => storage.loadReplica(),
            () => true,
            'loadReplica() before any save throws',
          );
          for (const [i, [bytes, crash]] of saves.entries()) {
            storage.saveReplica(bytes);
            if (crash) storage.crash();
            const loaded = storage.loadReplica();
            holds(bytesEqual(loaded, bytes), `save ${i + 1}${crash ? ' and a crash' : ''}: loadReplica() returned other bytes`);
          }
        }),
      ),
      runs,
    ),
    law(
      'the blocks appended to openStore() survive crash(): the reopened store holds the same chain, and appends go on',
      fc.property(chainAndCutArb, ([chain, k]) =>
        withStorage((storage) => {
          const model = new MemoryBlockStore();
          let store = storage.openStore();
          agrees(store, model, 'a new storage');
          appendToBoth(store, model, chain.slice(0, k));
          storage.crash();
          store = storage.openStore();
          agrees(store, model, `reopened after a crash at ${k} blocks`);
          appendToBoth(store, model, chain.slice(k));
          agrees(store, model, 'after appending the rest');
        }),
      ),
      runs,
    ),
  ];
}
