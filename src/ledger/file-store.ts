/**
 * @module
 * {@link FileBlockStore}: blocks in an append-only file that survives a crash mid-write. Node only
 * (`node:fs`); exported by `medshare/ledger/file`, not by `medshare/ledger`, so that the ledger,
 * the protocol and the root entry bundle for browsers without it.
 *
 * File format: a sequence of records, each
 *   u32 big-endian payload length || SHA-256(payload) (32 bytes) || payload (an encoded block).
 * A crash can leave only the last record incomplete (a torn write). On open, a last record that
 * is truncated or fails its checksum is detected, reported and cut off; every earlier record is
 * kept. A bad record that is not the last is corruption, not a torn write, and is an error.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual } from '../internal/bytes.js';
import { GENESIS_HASH } from '../pbft/encoding.js';
import { type Block, decodeBlock, encodeBlock } from './block.js';
import { checkNext, MemoryBlockStore } from './store.js';
import { MedshareError } from '../internal/errors.js';

/**
 * Thrown when a stored file is damaged before its last record: a checksum mismatch, an oversized
 * length, a record that does not decode, or a block that does not extend the chain. Such damage
 * is not a torn write, so it is reported rather than repaired.
 */
export class LedgerCorruptionError extends MedshareError {
  declare readonly code: 'ERR_LEDGER_CORRUPT';
  /**
   * @param offset - the byte offset of the damaged record
   * @param message - what is wrong with it
   */
  constructor(
    /** The byte offset in the file of the start (length field) of the damaged record. */
    readonly offset: number,
    message: string,
  ) {
    super('ERR_LEDGER_CORRUPT', `ledger file corrupt at byte ${offset}: ${message}`);
    this.name = 'LedgerCorruptionError';
  }
}

const HEADER_BYTES = 4 + 32;
/** Largest record accepted when reading (64 MiB). */
const MAX_RECORD_BYTES = 64 * 2 ** 20;

/** What {@link FileBlockStore.open} found. */
export interface Recovery {
  /** Number of blocks read from the file: the store's height after opening. */
  readonly blocks: number;
  /** Bytes of a torn last record that were cut off (0 if the file was clean). */
  readonly droppedBytes: number;
}

/**
 * Blocks in an append-only file; each append is written and fsynced before it returns. All blocks
 * are also kept in memory. The file is not locked: only one store may have it open.
 */
export class FileBlockStore extends MemoryBlockStore {
  private fd: number | null;

  private constructor(
    fd: number,
    chain: Block[],
    /** What {@link FileBlockStore.open} found: blocks read and bytes of a torn last record cut off. */
    readonly recovery: Recovery,
  ) {
    super(chain);
    this.fd = fd;
  }

  /**
   * Opens (or creates) a ledger file, reading every complete record and cutting off a torn last one.
   * Records are checked against their SHA-256 checksums and blocks for height and previous-hash
   * links; Merkle roots, block hashes and certificates are not (use `verifyChain` of `medshare/ledger`).
   * @param path - the ledger file
   * @returns the store, with {@link FileBlockStore.recovery} saying what was found
   * @throws LedgerCorruptionError if a record other than the last is damaged, or blocks do not chain
   * @throws Error from `node:fs` if the file cannot be opened, read, truncated or synced
   */
  static open(path: string): FileBlockStore {
    const fd = openSync(path, 'a+');
    try {
      const size = fstatSync(fd).size;
      const data = new Uint8Array(size);
      let read = 0;
      while (read < size) read += readSync(fd, data, read, size - read, read);
      const chain: Block[] = [];
      let offset = 0;
      let torn = false;
      while (offset < size) {
        if (size - offset < HEADER_BYTES) {
          torn = true;
          break;
        }
        const length = new DataView(data.buffer, offset, 4).getUint32(0);
        const end = offset + HEADER_BYTES + length;
        if (length > MAX_RECORD_BYTES) {
          // A length no writer produced: garbage from a torn header if it runs past the end.
          if (end >= size) {
            torn = true;
            break;
          }
          throw new LedgerCorruptionError(offset, `record length ${length} too large`);
        }
        if (end > size) {
          torn = true;
          break;
        }
        const payload = data.subarray(offset + HEADER_BYTES, end);
        if (!bytesEqual(sha256(payload), data.subarray(offset + 4, offset + HEADER_BYTES))) {
          if (end === size) {
            torn = true;
            break;
          }
          throw new LedgerCorruptionError(offset, 'checksum mismatch in a record that is not the last');
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
      if (torn) {
        ftruncateSync(fd, offset);
        fsyncSync(fd);
      }
      return new FileBlockStore(fd, chain, { blocks: chain.length, droppedBytes: size - offset });
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Appends the next block: written and fsynced to the file, then kept in memory. */
  override append(block: Block): void {
    if (this.fd === null) throw new MedshareError('ERR_LEDGER_CLOSED', 'append: the store is closed');
    checkNext(this, block);
    const payload = encodeBlock(block);
    const record = new Uint8Array(HEADER_BYTES + payload.length);
    new DataView(record.buffer).setUint32(0, payload.length);
    record.set(sha256(payload), 4);
    record.set(payload, HEADER_BYTES);
    let written = 0;
    while (written < record.length) written += writeSync(this.fd, record, written, record.length - written);
    fsyncSync(this.fd);
    this.chain.push(block);
  }

  /**
   * Closes the file. Idempotent; afterwards {@link FileBlockStore.append} throws, while the blocks
   * already read or appended stay readable from memory.
   */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
