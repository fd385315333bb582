/**
 * Block storage: the in-memory store and the append-only file store, which must survive a crash
 * in the middle of a write: the torn last record is detected and dropped, nothing earlier is lost.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBlockStore, LedgerCorruptionError } from '../src/ledger/file.js';
import { encodeBlock, MemoryBlockStore, verifyChain } from '../src/ledger/index.js';
import { committedChain } from './support/ledger-fixtures.js';
import { describeLaws } from './support/laws.js';
import { blockStoreProperties } from '../src/testing/index.js';

const { blocks, cluster } = committedChain(5);
const dir = mkdtempSync(join(tmpdir(), 'medshare-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `ledger-${files++}.bin`);
const RECORD_HEADER = 36;

function writeAll(path: string, count = blocks.length): number[] {
  const store = FileBlockStore.open(path);
  const offsets: number[] = [];
  for (const block of blocks.slice(0, count)) {
    offsets.push(statSync(path).size);
    store.append(block);
  }
  store.close();
  return offsets;
}

describe('MemoryBlockStore', () => {
  it('appends only the next block that links to the head', () => {
    const store = new MemoryBlockStore();
    expect(() => store.append(blocks[1] as never)).toThrow(/height 2, expected 1/);
    store.append(blocks[0] as never);
    expect(() => store.append({ ...(blocks[1] as never as object), previousHash: new Uint8Array(32) } as never)).toThrow(
      /does not link/,
    );
    store.append(blocks[1] as never);
    expect(store.height).toBe(2);
    expect(store.head()).toEqual(blocks[1]?.hash);
    expect([...store.blocks()]).toEqual(blocks.slice(0, 2));
  });
});

describe('FileBlockStore', () => {
  it('reopens with every block, equal byte for byte, and the chain verifies', () => {
    const path = freshPath();
    writeAll(path);
    const store = FileBlockStore.open(path);
    expect(store.recovery).toEqual({ blocks: 5, droppedBytes: 0 });
    expect([...store.blocks()].map(encodeBlock)).toEqual(blocks.map(encodeBlock));
    expect(verifyChain(store.blocks(), { n: 4, crypto: cluster.keys.crypto(0) }).valid).toBe(true);
    store.close();
  });

  it('a crash anywhere in the last write: the torn record is dropped, the four before it kept, appends resume', () => {
    const path = freshPath();
    const offsets = writeAll(path);
    const full = readFileSync(path);
    const lastStart = offsets[4] as number;
    // Every cut inside the record header and the start of the payload, then every 7th byte, then the last.
    const cuts = new Set<number>([full.length - 1]);
    for (let cut = lastStart; cut < full.length; cut += cut < lastStart + 64 ? 1 : 7) cuts.add(cut);
    for (const cut of cuts) {
      writeFileSync(path, full.subarray(0, cut));
      const store = FileBlockStore.open(path);
      expect(store.recovery).toEqual({ blocks: 4, droppedBytes: cut - lastStart });
      expect(statSync(path).size).toBe(lastStart);
      store.append(blocks[4] as never);
      store.close();
      expect(readFileSync(path).equals(full)).toBe(true);
    }
  });

  it('a last record whose bytes were garbled (checksum fails) is treated as torn', () => {
    const path = freshPath();
    const offsets = writeAll(path);
    const bytes = readFileSync(path);
    const at = (offsets[4] as number) + RECORD_HEADER + 10;
    bytes[at] = (bytes[at] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const store = FileBlockStore.open(path);
    expect(store.height).toBe(4);
    expect(store.recovery.droppedBytes).toBe(bytes.length - (offsets[4] as number));
    store.close();
  });

  it('garbage after the last record (a torn header) is dropped', () => {
    const path = freshPath();
    writeAll(path, 3);
    const size = statSync(path).size;
    appendFileSync(path, Uint8Array.of(0, 0, 1));
    const store = FileBlockStore.open(path);
    expect(store.recovery).toEqual({ blocks: 3, droppedBytes: 3 });
    expect(statSync(path).size).toBe(size);
    store.close();
  });

  it('damage before the last record is corruption, not a torn write: an error naming the offset', () => {
    const path = freshPath();
    const offsets = writeAll(path);
    const bytes = readFileSync(path);
    const at = (offsets[1] as number) + RECORD_HEADER + 5;
    bytes[at] = (bytes[at] as number) ^ 1;
    writeFileSync(path, bytes);
    expect(() => FileBlockStore.open(path)).toThrow(LedgerCorruptionError);
    expect(() => FileBlockStore.open(path)).toThrow(`at byte ${offsets[1]}`);
    expect(readFileSync(path).equals(bytes)).toBe(true); // nothing was cut
  });

  it('records that are intact but do not chain are corruption', () => {
    const path = freshPath();
    const offsets = writeAll(path);
    const bytes = readFileSync(path);
    // Drop block 2's record: block 3 no longer extends the chain.
    const spliced = Buffer.concat([bytes.subarray(0, offsets[1]), bytes.subarray(offsets[2])]);
    writeFileSync(path, spliced);
    expect(() => FileBlockStore.open(path)).toThrow(/does not extend the chain/);
    truncateSync(path, offsets[1]);
    expect(FileBlockStore.open(path).height).toBe(1);
  });
});

// The shipped BlockStore laws (medshare/testing), against both stores: what a user runs against their own.
describeLaws('MemoryBlockStore: the BlockStore laws of medshare/testing', () =>
  blockStoreProperties({ create: () => new MemoryBlockStore(), runs: 5 }),
);
describeLaws('FileBlockStore: the BlockStore laws of medshare/testing, with reopening', () => {
  const paths = new WeakMap<object, string>();
  return blockStoreProperties({
    create: () => {
      const path = freshPath();
      const store = FileBlockStore.open(path);
      paths.set(store, path);
      return store;
    },
    reopen: (store) => {
      (store as FileBlockStore).close();
      const path = paths.get(store) as string;
      const reopened = FileBlockStore.open(path);
      paths.set(reopened, path);
      return reopened;
    },
    dispose: (store) => (store as FileBlockStore).close(),
    runs: 5,
  });
});
