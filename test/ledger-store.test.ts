/**
 * Block storage: the in-memory store and the append-only file store, under fault injection
 * (issue 11, items 8 and 9). A crash leaves a prefix of the last record, possibly followed by
 * zeros: that torn tail is cut off and every complete block kept. Any other damage (a flipped byte
 * in any record, the last included, a damaged length) refuses to open and leaves the file as it
 * was: a committed block is never lost or dropped silently. An append that fails half-way leaves
 * the store consistent.
 */
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryNodeStorage, FileBlockStore, LedgerCorruptionError, type LedgerFileSystem } from '../src/ledger/file.js';
import { encodeBlock, MemoryBlockStore, MemoryNodeStorage, verifyChain } from '../src/ledger/index.js';
import { committedChain } from './support/ledger-fixtures.js';
import { describeLaws } from './support/laws.js';
import { blockChainArb, blockStoreProperties, nodeStorageProperties } from '../src/testing/index.js';
import type { Block } from '../src/ledger/index.js';
import fc from 'fast-check';

const { blocks, cluster } = committedChain(5);
const dir = mkdtempSync(join(tmpdir(), 'medshare-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `ledger-${files++}.bin`);
const FILE_HEADER = 16;

/** Writes the first `count` blocks; returns the offset of each record and the file's bytes. */
function writeAll(path: string, count = blocks.length): { offsets: number[]; bytes: Buffer } {
  const store = FileBlockStore.open(path);
  const offsets: number[] = [];
  for (const block of blocks.slice(0, count)) {
    offsets.push(statSync(path).size);
    store.append(block);
  }
  store.close();
  return { offsets, bytes: readFileSync(path) };
}

/**
 * A ledger file held in memory, behind the store's file-system interface (the exhaustive fault
 * loops below open thousands of files; the disk is exercised by the other tests).
 */
function memoryFile(initial: Uint8Array): { fs: LedgerFileSystem; bytes: () => Buffer } {
  let data = Buffer.from(initial);
  const layer = {
    openSync: () => 3,
    closeSync: () => {},
    fstatSync: () => ({ size: data.length }),
    readSync: (_fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => {
      const n = Math.max(0, Math.min(length, data.length - position));
      buffer.set(data.subarray(position, position + n), offset);
      return n;
    },
    writeSync: (_fd: number, buffer: Uint8Array, offset: number, length: number) => {
      data = Buffer.concat([data, buffer.subarray(offset, offset + length)]);
      return length;
    },
    fsyncSync: () => {},
    ftruncateSync: (_fd: number, length = 0) => {
      data = Buffer.from(data.subarray(0, length));
    },
  };
  return { fs: layer as unknown as LedgerFileSystem, bytes: () => data };
}

/** Opens `bytes` as a ledger file: the height, what was dropped and the size left, or the corruption error. */
function openBytes(bytes: Uint8Array): { height: number; dropped: number; size: number } | LedgerCorruptionError {
  const file = memoryFile(bytes);
  try {
    const store = FileBlockStore.open('ledger.bin', { fs: file.fs });
    store.close();
    return { height: store.height, dropped: store.recovery.droppedBytes, size: file.bytes().length };
  } catch (e) {
    if (!(e instanceof LedgerCorruptionError)) throw e;
    expect(file.bytes().equals(Buffer.from(bytes))).toBe(true); // refused: the file is left untouched
    return e;
  }
}

const full = writeAll(freshPath());
const starts = [...full.offsets, full.bytes.length];

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

describe('FileBlockStore: format', () => {
  it('reopens with every block, equal byte for byte, and the chain verifies', () => {
    const path = freshPath();
    writeAll(path);
    const store = FileBlockStore.open(path);
    expect(store.recovery).toEqual({ blocks: 5, droppedBytes: 0 });
    expect([...store.blocks()].map(encodeBlock)).toEqual(blocks.map(encodeBlock));
    expect(verifyChain(store.blocks(), { n: 4, crypto: cluster.keys.crypto(0) }).valid).toBe(true);
    store.close();
  });

  it('refuses a file of the unframed version 1 format (and any bytes that are not a ledger), untouched', () => {
    const v1 = Buffer.concat([Buffer.from([0, 0, 1, 0]), Buffer.alloc(300, 7)]);
    expect(openBytes(v1)).toBeInstanceOf(LedgerCorruptionError);
    expect(openBytes(Buffer.from('hello'))).toBeInstanceOf(LedgerCorruptionError);
  });

  it('an empty file, or a torn file header, becomes an empty ledger', () => {
    for (let cut = 0; cut < FILE_HEADER; cut++) {
      expect(openBytes(full.bytes.subarray(0, cut))).toEqual({ height: 0, dropped: cut, size: FILE_HEADER });
    }
  });
});

describe('FileBlockStore: a torn last write is cut off, every complete block kept (item 9)', () => {
  it('the file cut at every byte: the blocks wholly before the cut are kept, the rest dropped', () => {
    for (let cut = FILE_HEADER; cut <= full.bytes.length; cut++) {
      const kept = starts.filter((s, i) => i > 0 && s <= cut).length;
      const result = openBytes(full.bytes.subarray(0, cut));
      expect(result).toEqual({ height: kept, dropped: cut - (starts[kept] as number), size: starts[kept] });
    }
  });

  it('zero-filled tails (what ext4 leaves after a power loss), after a record or inside the last one', () => {
    const last = starts[4] as number;
    for (const zeros of [1, 3, 11, 12, 20, 512, 4096]) {
      expect(openBytes(Buffer.concat([full.bytes, Buffer.alloc(zeros)]))).toEqual({
        height: 5,
        dropped: zeros,
        size: full.bytes.length,
      });
    }
    // The last record written up to `cut`, the rest of its length (and a page more) zeros.
    for (let cut = last; cut < full.bytes.length; cut += 3) {
      const bytes = Buffer.concat([full.bytes.subarray(0, cut), Buffer.alloc(full.bytes.length - cut + 4096)]);
      expect(openBytes(bytes)).toMatchObject({ height: 4, size: last });
    }
  });

  it('appends resume after a torn tail is cut, and the file is again the clean one', () => {
    const path = freshPath();
    writeFileSync(path, Buffer.concat([full.bytes.subarray(0, (starts[4] as number) + 30), Buffer.alloc(100)]));
    const store = FileBlockStore.open(path);
    expect(store.height).toBe(4);
    store.append(blocks[4] as never);
    store.close();
    expect(readFileSync(path).equals(full.bytes)).toBe(true);
  });
});

describe('FileBlockStore: damage is refused, never dropped (items 8 and 9)', () => {
  it('a flipped byte anywhere (every byte of every record, the last one included) refuses to open, untouched', () => {
    for (let at = 0; at < full.bytes.length; at++) {
      const bytes = Buffer.from(full.bytes);
      bytes[at] = (bytes[at] as number) ^ 0x01;
      const result = openBytes(bytes);
      expect(result, `byte ${at}`).toBeInstanceOf(LedgerCorruptionError);
    }
  });

  it('a flipped length byte of record 3 of 5, or the top bit of record 1, is named at its offset', () => {
    for (const [record, bit] of [
      [2, 7],
      [0, 4],
    ] as const) {
      const bytes = Buffer.from(full.bytes);
      const at = (starts[record] as number) + (bit === 7 ? 7 : 4);
      bytes[at] = (bytes[at] as number) ^ (bit === 7 ? 0x01 : 0x80);
      const result = openBytes(bytes);
      expect(result).toBeInstanceOf(LedgerCorruptionError);
      expect((result as LedgerCorruptionError).offset).toBe(starts[record]);
      expect((result as LedgerCorruptionError).code).toBe('ERR_LEDGER_CORRUPT');
    }
  });

  it('garbage (not zeros, not a record prefix) after the last record is refused', () => {
    expect(openBytes(Buffer.concat([full.bytes, Buffer.from([0, 0, 1])]))).toBeInstanceOf(LedgerCorruptionError);
  });

  it('records that are intact but do not chain are corruption', () => {
    const spliced = Buffer.concat([full.bytes.subarray(0, starts[1]), full.bytes.subarray(starts[2])]);
    const result = openBytes(spliced);
    expect(result).toBeInstanceOf(LedgerCorruptionError);
    expect((result as Error).message).toMatch(/does not extend the chain/);
    const path = freshPath();
    writeFileSync(path, spliced);
    truncateSync(path, starts[1]);
    expect(FileBlockStore.open(path).height).toBe(1);
  });
});

describe('FileBlockStore: an append that fails half-way (ENOSPC) leaves the store consistent', () => {
  /** node:fs, with writes that stop after `budget` bytes with ENOSPC, and a truncate that can fail. */
  function faulty(budget: number, truncateFails = false): LedgerFileSystem & { budget: number } {
    const layer = {
      ...fs,
      budget,
      writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => {
        const n = Math.min(length, layer.budget);
        if (n > 0) fs.writeSync(fd, buffer, offset, n);
        layer.budget -= n;
        if (n < length) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        return n;
      },
      ftruncateSync: (fd: number, len?: number) => {
        if (truncateFails) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        fs.ftruncateSync(fd, len);
      },
    };
    return layer as unknown as LedgerFileSystem & { budget: number };
  }

  it('the partial record is cut back: the height is unchanged, a later append succeeds, the file reopens clean', () => {
    for (const budget of [0, 1, 11, 12, 40, 200]) {
      const path = freshPath();
      writeAll(path, 3);
      const size = statSync(path).size;
      const layer = faulty(budget);
      const store = FileBlockStore.open(path, { fs: layer });
      expect(() => store.append(blocks[3] as never)).toThrow(/ENOSPC/);
      expect(store.height).toBe(3);
      expect(statSync(path).size).toBe(size);
      layer.budget = Number.POSITIVE_INFINITY; // space is freed
      store.append(blocks[3] as never);
      store.close();
      const again = FileBlockStore.open(path);
      expect(again.recovery).toEqual({ blocks: 4, droppedBytes: 0 });
      again.close();
    }
  });

  it('if the file cannot even be cut back, the store closes itself: no later append succeeds in memory only', () => {
    const path = freshPath();
    writeAll(path, 3);
    const store = FileBlockStore.open(path, { fs: faulty(25, true) });
    expect(() => store.append(blocks[3] as never)).toThrow(/ENOSPC/);
    expect(() => store.append(blocks[3] as never)).toThrow(expect.objectContaining({ code: 'ERR_LEDGER_CLOSED' }));
    expect(store.height).toBe(3);
    // The partial record is a torn tail: the next open cuts it and keeps the three blocks.
    const again = FileBlockStore.open(path);
    expect(again.recovery).toMatchObject({ blocks: 3, droppedBytes: 25 });
    again.close();
  });

  it('appending after close throws ERR_LEDGER_CLOSED', () => {
    const store = FileBlockStore.open(freshPath());
    store.close();
    expect(() => store.append(blocks[0] as never)).toThrow(expect.objectContaining({ code: 'ERR_LEDGER_CLOSED' }));
  });
});

describe('blockChainArb (medshare/testing)', () => {
  it('shrinks a failing chain to the shortest prefix that still fails, and that prefix is a chain a store accepts', () => {
    // Simulated chains hold 10 to 18 blocks: "fewer than 3 blocks" fails on the first one.
    const out = fc.check(
      fc.property(blockChainArb, (chain) => chain.length < 3),
      { seed: 7, numRuns: 2 },
    );
    expect(out.failed).toBe(true);
    const [chain] = out.counterexample as [readonly Block[]];
    expect(chain.map((b) => b.height)).toEqual([1, 2, 3]);
    const store = new MemoryBlockStore();
    for (const block of chain) store.append(block); // refuses any block that does not extend the chain
    expect(store.height).toBe(3);
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

// The shipped NodeStorage laws: the memory storage and the directory storage (a fresh directory per case).
describeLaws('MemoryNodeStorage: the NodeStorage laws of medshare/testing', () =>
  nodeStorageProperties({ create: () => new MemoryNodeStorage(), runs: 5 }),
);
describeLaws('DirectoryNodeStorage: the NodeStorage laws of medshare/testing', () => {
  let nodes = 0;
  return nodeStorageProperties({ create: () => new DirectoryNodeStorage(join(dir, `node-${nodes++}`)), runs: 5 });
});
