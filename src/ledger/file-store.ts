/**
 * {@link FileBlockStore}: blocks in an append-only file that survives a crash mid-write and
 * never loses, nor silently drops, a block that was completely written. Node only (`node:fs`);
 * exported by `medshare/ledger/file`, not by `medshare/ledger`, so that the ledger, the protocol
 * and the root entry bundle for browsers without it.
 *
 * File format, version 2 (medshare 0.1.0 wrote an unframed version 1, which is refused):
 * - a 16-byte file header: the ASCII bytes `MSLEDGER`, u32 version 2, u32 zero;
 * - records, each framed as
 *   `magic` (u32 0x4D53424B, "MSBK") || `length` (u32) || `headerCheck` (the first 4 bytes of
 *   SHA-256(tag || magic || length)) || `payload` (`length` bytes, an encoded block) || `check` (the
 *   first 8 bytes of SHA-256(tag || length || payload)), integers big-endian.
 *
 * A crash writes a prefix of the last record, and a power loss may leave zeros after it (ext4
 * extends a file before its data reaches the disk). On open, a tail that is such a torn write (a
 * prefix of a record whose header, when complete, checks; zeros; or both, with the record's check
 * never written) is reported in {@link Recovery.droppedBytes} and cut off. Anything else is
 * damage, not a crash: a record whose header fails its check (say a flipped length byte), a
 * complete record whose check fails (a flipped byte, even in the last record), a record that does
 * not decode or does not extend the chain, or bytes that are not a ledger file. Then
 * {@link FileBlockStore.open} throws {@link LedgerCorruptionError} and leaves the file untouched.
 *
 * @module
 */
import * as nodeFs from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter, bytesEqual } from '../internal/bytes.js';
import { ArgumentValueError, MedshareError } from '../internal/errors.js';
import { GENESIS_HASH } from '../pbft/encoding.js';
import { type Block, decodeBlock, encodeBlock } from './block.js';
import { join } from 'node:path';
import { type BlockStore, checkNext, MemoryBlockStore, type NodeStorage } from './store.js';

/**
 * Thrown when a stored file is damaged in a way a crash cannot explain (see the module
 * documentation): a record whose header or check fails, a record that does not decode, a block that
 * does not extend the chain, or a file that is not a version 2 ledger. Such damage is reported, not
 * repaired: the file is left as it was.
 */
export class LedgerCorruptionError extends MedshareError {
  declare readonly code: 'ERR_LEDGER_CORRUPT';
  /**
   * @param offset - the byte offset of the damaged record
   * @param message - what is wrong with it
   */
  constructor(
    /** The byte offset in the file of the start (magic) of the damaged record, or 0 for the file header. */
    readonly offset: number,
    message: string,
  ) {
    super('ERR_LEDGER_CORRUPT', `ledger file corrupt at byte ${offset}: ${message}`);
    this.name = 'LedgerCorruptionError';
  }
}

/** What {@link LedgerFileSystem.fstatSync} returns that the store reads. */
export interface FileSize {
  /** The file's length in bytes. */
  readonly size: number;
}

/** The file system calls {@link FileBlockStore} makes: `node:fs` by default; tests inject faults. */
export interface LedgerFileSystem {
  /** As `fs.openSync`. */
  openSync(path: string, flags: string): number;
  /** As `fs.closeSync`. */
  closeSync(fd: number): void;
  /** As `fs.fstatSync` (only `size` is read). */
  fstatSync(fd: number): FileSize;
  /** As `fs.readSync`. */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** As `fs.writeSync`. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** As `fs.fsyncSync`. */
  fsyncSync(fd: number): void;
  /** As `fs.ftruncateSync`. */
  ftruncateSync(fd: number, length: number): void;
}

/** Options of {@link FileBlockStore.open}. */
export interface FileBlockStoreOptions {
  /** The file system to use (default `node:fs`); a test passes one that fails on purpose. */
  readonly fs?: LedgerFileSystem;
}

const FILE_VERSION = 2;
/** `MSLEDGER`, u32 version, u32 zero. */
const FILE_HEADER = new ByteWriter(16).raw(new TextEncoder().encode('MSLEDGER')).u32(FILE_VERSION).u32(0).finish();
const RECORD_MAGIC = 0x4d53424b; // "MSBK"
const MAGIC_BYTES = new ByteWriter(4).u32(RECORD_MAGIC).finish();
const HEADER_BYTES = 12;
const CHECK_BYTES = 8;
/** Largest record accepted when reading (64 MiB). */
const MAX_RECORD_BYTES = 64 * 2 ** 20;
const HEADER_TAG = 'medshare/ledger/v2/record-header';
const RECORD_TAG = 'medshare/ledger/v2/record';

function headerCheck(length: number): Uint8Array {
  return sha256(new ByteWriter(48).string(HEADER_TAG).u32(RECORD_MAGIC).u32(length).finish()).subarray(0, 4);
}

function recordCheck(payload: Uint8Array): Uint8Array {
  return sha256(new ByteWriter(48 + payload.length).string(RECORD_TAG).bytes(payload).finish()).subarray(0, CHECK_BYTES);
}

/** One framed record for `payload`. */
function frame(payload: Uint8Array): Uint8Array {
  return new ByteWriter(HEADER_BYTES + payload.length + CHECK_BYTES)
    .u32(RECORD_MAGIC)
    .u32(payload.length)
    .raw(headerCheck(payload.length))
    .raw(payload)
    .raw(recordCheck(payload))
    .finish();
}

function allZero(data: Uint8Array, from: number): boolean {
  for (let i = from; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

/**
 * Whether the bytes of `field` from `at`, up to where the file turns to zeros for good, are a
 * prefix of `expected`: the field was being written when the write stopped (and the rest of the
 * file is zeros or absent). A field that was written in full and then changed is not.
 */
function tornInside(data: Uint8Array, at: number, expected: Uint8Array): boolean {
  let zeroFrom = data.length;
  while (zeroFrom > at && data[zeroFrom - 1] === 0) zeroFrom--;
  if (zeroFrom > at + expected.length) return false; // non-zero bytes after the field
  return bytesEqual(data.subarray(at, zeroFrom), expected.subarray(0, zeroFrom - at));
}

/** What {@link FileBlockStore.open} found. */
export interface Recovery {
  /** Number of blocks read from the file: the store's height after opening. */
  readonly blocks: number;
  /** Bytes of a torn last write (a record prefix, zeros, or both) that were cut off (0 if the file was clean). */
  readonly droppedBytes: number;
}

/**
 * Reads the records after the file header; returns the blocks and where the intact part of the
 * file ends. Throws LedgerCorruptionError for damage that is not a torn tail.
 */
function readRecords(data: Uint8Array): { chain: Block[]; end: number } {
  const chain: Block[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = FILE_HEADER.length;
  while (offset < data.length) {
    const rest = data.length - offset;
    if (allZero(data, offset)) break; // a zero-filled tail: nothing was written there
    if (rest < HEADER_BYTES) {
      // A torn header: its magic must be a prefix of the magic (the rest of it may be anything).
      const seen = data.subarray(offset, offset + Math.min(4, rest));
      if (bytesEqual(seen, MAGIC_BYTES.subarray(0, seen.length))) break;
      throw new LedgerCorruptionError(offset, 'bytes after the last record that are not the start of one');
    }
    if (view.getUint32(offset) !== RECORD_MAGIC) {
      if (tornInside(data, offset, MAGIC_BYTES)) break; // the write stopped inside the magic
      throw new LedgerCorruptionError(offset, 'no record magic');
    }
    const length = view.getUint32(offset + 4);
    if (!bytesEqual(data.subarray(offset + 8, offset + HEADER_BYTES), headerCheck(length))) {
      // A header whose check was being written when the write stopped (its bytes so far right, then
      // zeros to the end of the file) is a torn write; otherwise its length or check was damaged.
      if (tornInside(data, offset + 8, headerCheck(length))) break;
      throw new LedgerCorruptionError(offset, `record header fails its check (length ${length})`);
    }
    if (length > MAX_RECORD_BYTES) throw new LedgerCorruptionError(offset, `record length ${length} too large`);
    const checkAt = offset + HEADER_BYTES + length;
    const end = checkAt + CHECK_BYTES;
    if (end > data.length) break; // the write stopped inside this record (its header is intact)
    const payload = data.subarray(offset + HEADER_BYTES, checkAt);
    if (!bytesEqual(data.subarray(checkAt, end), recordCheck(payload))) {
      // The check is the last thing written: zeros in its place (or a right prefix of it), and zeros
      // after it, mean a torn write. A complete record whose bytes changed is damage, even the last
      // one, and is never dropped.
      if (tornInside(data, checkAt, recordCheck(payload))) break;
      throw new LedgerCorruptionError(offset, 'record fails its check (a complete record was altered)');
    }
    let block: Block;
    try {
      block = decodeBlock(payload);
    } catch (e) {
      throw new LedgerCorruptionError(offset, (e as Error).message);
    }
    const previous = chain[chain.length - 1]?.hash ?? GENESIS_HASH;
    if (block.height !== chain.length + 1 || !bytesEqual(block.previousHash, previous)) {
      throw new LedgerCorruptionError(offset, `block ${block.height} does not extend the chain at height ${chain.length}`);
    }
    chain.push(block);
    offset = end;
  }
  return { chain, end: offset };
}

/**
 * Blocks in an append-only file; each append is written and fsynced before it returns. All blocks
 * are also kept in memory. The file is not locked: only one store may have it open.
 *
 * An append that fails part-way (a full disk, an I/O error) is undone: the file is cut back to
 * where it was and the error is rethrown, so no later append can succeed in memory only. If even
 * that fails, the store closes itself and every later append throws (`ERR_LEDGER_CLOSED`); the
 * partial record is then a torn tail that the next {@link FileBlockStore.open} cuts off.
 */
export class FileBlockStore extends MemoryBlockStore {
  private fd: number | null;
  private size: number;
  private failure: Error | null = null;

  private constructor(
    private readonly fs: LedgerFileSystem,
    fd: number,
    size: number,
    chain: Block[],
    /** What {@link FileBlockStore.open} found: blocks read and bytes of a torn last write cut off. */
    readonly recovery: Recovery,
  ) {
    super(chain);
    this.fd = fd;
    this.size = size;
  }

  /**
   * Opens (or creates) a ledger file, reading every complete record and cutting off a torn last
   * write (see the module documentation for what counts as one). Records are checked against their
   * checks and blocks for height and previous-hash links; Merkle roots, block hashes and
   * certificates are not (use `verifyChain` of `medshare/ledger`).
   * @param path - the ledger file
   * @param options - the file system to use (for fault injection)
   * @returns the store, with {@link FileBlockStore.recovery} saying what was found
   * @throws LedgerCorruptionError if the file is damaged other than by a torn last write; the file is then left untouched
   * @throws Error from the file system if the file cannot be opened, read, truncated or synced
   */
  static open(path: string, options: FileBlockStoreOptions = {}): FileBlockStore {
    const fs = options.fs ?? nodeFs;
    const fd = fs.openSync(path, 'a+');
    try {
      const size = fs.fstatSync(fd).size;
      const data = new Uint8Array(size);
      let read = 0;
      while (read < size) {
        const n = fs.readSync(fd, data, read, size - read, read);
        if (n <= 0) throw new LedgerCorruptionError(read, 'the file shrank while it was read');
        read += n;
      }
      if (size < FILE_HEADER.length) {
        // A new file, or one whose header write was torn: (re)write the header.
        if (!allZero(data, 0) && !bytesEqual(data, FILE_HEADER.subarray(0, size))) {
          throw new LedgerCorruptionError(0, 'not a medshare ledger file');
        }
        fs.ftruncateSync(fd, 0);
        writeAll(fs, fd, FILE_HEADER);
        fs.fsyncSync(fd);
        return new FileBlockStore(fs, fd, FILE_HEADER.length, [], { blocks: 0, droppedBytes: size });
      }
      if (!bytesEqual(data.subarray(0, FILE_HEADER.length), FILE_HEADER)) {
        throw new LedgerCorruptionError(0, 'not a version 2 medshare ledger file (version 1 files are not read)');
      }
      const { chain, end } = readRecords(data);
      if (end < size) {
        fs.ftruncateSync(fd, end);
        fs.fsyncSync(fd);
      }
      return new FileBlockStore(fs, fd, end, chain, { blocks: chain.length, droppedBytes: size - end });
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /**
   * Appends the next block: written and fsynced to the file, then kept in memory.
   * @throws RangeError unless block.height = height + 1 and block.previousHash = head()
   * @throws MedshareError `ERR_LEDGER_CLOSED` if the store is closed (or closed itself after a failed append)
   * @throws Error from the file system if the write or sync fails (the file is cut back first)
   */
  override append(block: Block): void {
    if (this.fd === null) {
      const why = this.failure === null ? 'the store is closed' : `the store failed: ${this.failure.message}`;
      throw new MedshareError('ERR_LEDGER_CLOSED', `append: ${why}`);
    }
    checkNext(this, block);
    const record = frame(encodeBlock(block));
    try {
      writeAll(this.fs, this.fd, record);
      this.fs.fsyncSync(this.fd);
    } catch (e) {
      this.undo(e as Error);
      throw e;
    }
    this.size += record.length;
    this.chain.push(block);
  }

  /** Cuts the file back to its size before a failed append; if that fails too, closes the store. */
  private undo(cause: Error): void {
    const fd = this.fd as number;
    try {
      this.fs.ftruncateSync(fd, this.size);
      this.fs.fsyncSync(fd);
    } catch {
      this.failure = cause;
      this.fd = null;
      try {
        this.fs.closeSync(fd);
      } catch {
        // already failing; the next open cuts the torn tail
      }
    }
  }

  /**
   * Closes the file. Idempotent; afterwards {@link FileBlockStore.append} throws, while the blocks
   * already read or appended stay readable from memory.
   */
  close(): void {
    if (this.fd !== null) this.fs.closeSync(this.fd);
    this.fd = null;
  }
}

function writeAll(fs: LedgerFileSystem, fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
}

/** The file system calls a {@link DirectoryNodeStorage} makes (a superset of {@link LedgerFileSystem}). */
export interface NodeFileSystem extends LedgerFileSystem {
  /** As `fs.readFileSync` (no encoding: bytes). */
  readFileSync(path: string): Uint8Array;
  /** As `fs.renameSync`. */
  renameSync(from: string, to: string): void;
  /** As `fs.mkdirSync`. */
  mkdirSync(path: string, options: { recursive: true }): unknown;
  /** As `fs.existsSync`. */
  existsSync(path: string): boolean;
  /** As `fs.rmSync`. */
  rmSync(path: string): void;
  /** As `fs.readdirSync`. */
  readdirSync(path: string): readonly unknown[];
}

/** The name of a node's replica-state file in its directory. */
export const REPLICA_STATE_FILE = 'replica.state';
/** The name of a node's ledger file in its directory. */
export const LEDGER_FILE = 'ledger.bin';

/**
 * A {@link NodeStorage} in a directory of its own (Node only): `replica.state`, written
 * crash-safely (a temporary file, fsync, rename, fsync of the directory), and `ledger.bin`, a
 * {@link FileBlockStore}. A restart reads both back from disk alone.
 */
export class DirectoryNodeStorage implements NodeStorage {
  private store: FileBlockStore | null = null;

  /**
   * @param directory - the node's directory, created if missing; it must not hold another node's files
   * @param fs - the file system (default `node:fs`; tests inject faults)
   * @throws ArgumentValueError if the directory already holds files
   */
  constructor(
    readonly directory: string,
    private readonly fs: NodeFileSystem = nodeFs,
  ) {
    fs.mkdirSync(directory, { recursive: true });
    if (fs.readdirSync(directory).length > 0) {
      throw new ArgumentValueError('directory', `${directory} already holds a node's files`);
    }
  }

  /** Writes the replica's state durably: a temporary file, fsync, rename, fsync of the directory. */
  saveReplica(bytes: Uint8Array): void {
    const path = join(this.directory, REPLICA_STATE_FILE);
    const temporary = `${path}.tmp`;
    const fd = this.fs.openSync(temporary, 'w');
    try {
      let written = 0;
      while (written < bytes.length) written += this.fs.writeSync(fd, bytes, written, bytes.length - written);
      this.fs.fsyncSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
    this.fs.renameSync(temporary, path);
    const dir = this.fs.openSync(this.directory, 'r');
    try {
      this.fs.fsyncSync(dir);
    } finally {
      this.fs.closeSync(dir);
    }
  }

  /** The bytes of the replica's last persisted state (a temporary file left by a crash is discarded). */
  loadReplica(): Uint8Array {
    const path = join(this.directory, REPLICA_STATE_FILE);
    if (this.fs.existsSync(`${path}.tmp`)) this.fs.rmSync(`${path}.tmp`);
    return new Uint8Array(this.fs.readFileSync(path));
  }

  /** The block store, opened from the ledger file (its torn tail cut off). */
  openStore(): BlockStore {
    this.store?.close();
    this.store = FileBlockStore.open(join(this.directory, LEDGER_FILE), { fs: this.fs });
    return this.store;
  }

  /** Closes the ledger file. */
  crash(): void {
    this.store?.close();
    this.store = null;
  }
}
