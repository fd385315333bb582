/**
 * Blocks and the hash chain (Huang et al. 2020, section 5.1: "The order and the transaction of
 * blocks are protected with a hash chain"). A block holds its height, the previous block's hash,
 * the Merkle root of its batch, its time (assigned by the PBFT primary, checked by the backups),
 * the batch, the view and sequence number in which PBFT committed it, and the commit certificate:
 * 2f + 1 signed COMMITs for (view, seq, d), where d = orderingDigest(time, merkleRoot).
 *
 * hash = SHA-256(tag || height || previousHash || d). The view and certificate are proofs about
 * the block, not part of its identity: honest replicas can commit the same batch at the same
 * height in different views, and their chains must still be equal.
 * @module
 */
import { ByteReader, ByteWriter, bytesEqual } from '../internal/bytes.js';
import { checkCommitCertificate } from '../pbft/certificates.js';
import { batchDigest, blockHash, DIGEST_BYTES, GENESIS_HASH, orderingDigest } from '../pbft/encoding.js';
import type { Commit, PrePrepare, ReplicaCrypto, ReplicaExecuteEffect, Request } from '../pbft/types.js';
import type { ed25519ReplicaVerifier } from '../pbft/crypto.js';
import { EncodingError } from '../internal/errors.js';

/** One block of the ledger. Height equals the PBFT sequence number (heights start at 1). */
export interface Block {
  /** The block's position in the chain, from 1; hashed. */
  readonly height: number;
  /** The hash of the block at height - 1, or {@link GENESIS_HASH} for height 1 (32 bytes); hashed. */
  readonly previousHash: Uint8Array;
  /**
   * {@link batchDigest} of `batch`: the RFC 6962 Merkle root of the request digests (32 bytes). It
   * is the digest d that the certificate's COMMITs sign; hashed.
   */
  readonly merkleRoot: Uint8Array;
  /**
   * The block time: the time the PBFT primary assigned to the batch ({@link PrePrepare.time}),
   * within the backups' clock bound and never below the previous batch's; certified with the batch
   * (the COMMITs sign orderingDigest(time, merkleRoot)) and hashed. 0 for a null request.
   */
  readonly time: number;
  /**
   * The requests PBFT ordered at `seq`, in PRE-PREPARE order; each operation is, in medshare, an
   * encoded {@link Transaction}. Empty for a null request filled in by a view change.
   */
  readonly batch: readonly Request[];
  /** The view in which the batch was committed (the view of every COMMIT in `certificate`); not hashed. */
  readonly view: number;
  /** The PBFT sequence number, always equal to `height`; not hashed separately. */
  readonly seq: number;
  /**
   * 2f + 1 signed COMMITs from distinct replicas for (view, seq, orderingDigest(time, merkleRoot)), the commit certificate
   * of paper step 4; not hashed (another valid certificate for the same batch is equally good).
   */
  readonly certificate: readonly Commit[];
  /** blockHash(height, previousHash, orderingDigest(time, merkleRoot)). */
  readonly hash: Uint8Array;
}

/** The fields of a replica's `execute` effect a block is made from ({@link ReplicaExecuteEffect}). */
export interface Execution {
  /** The sequence number executed: the new block's height. */
  readonly seq: number;
  /** The view in which the batch committed. */
  readonly view: number;
  /** The batch's time (the block time). */
  readonly time: number;
  /** The batch executed, in PRE-PREPARE order. */
  readonly batch: readonly Request[];
  /** The 2f + 1 matching COMMITs for (view, seq, batch digest). */
  readonly certificate: readonly Commit[];
}

/**
 * Builds the block for an executed batch. Nothing is verified here: the certificate is copied
 * as given (see {@link verifyChain}).
 * @param execution - a replica's `execute` effect
 * @param previousHash - the hash of the block below (default: the genesis hash, for height 1)
 * @returns the block at height execution.seq, with its Merkle root and hash computed
 * @throws RangeError if seq or a request timestamp is not a non-negative safe integer
 */
export function blockFromExecution(execution: Execution, previousHash: Uint8Array = GENESIS_HASH): Block {
  const merkleRoot = batchDigest(execution.batch);
  return {
    height: execution.seq,
    previousHash,
    merkleRoot,
    time: execution.time,
    batch: execution.batch,
    view: execution.view,
    seq: execution.seq,
    certificate: execution.certificate,
    hash: blockHash(execution.seq, previousHash, orderingDigest(execution.time, merkleRoot)),
  };
}

/**
 * What is wrong with a chain, and where:
 * - `'order'`: a block's height is not the next one, or its seq differs from its height (a block
 *   missing, repeated or reordered);
 * - `'link'`: previousHash is not the hash of the block below;
 * - `'merkle'`: the batch does not hash to merkleRoot (the batch was altered);
 * - `'hash'`: the stored hash is not the recomputed block hash;
 * - `'certificate'`: the commit certificate is not 2f + 1 valid COMMITs for (view, seq, orderingDigest(time, merkleRoot));
 * - `'transaction'`: {@link VerifyChainOptions.checkOperation} rejected an operation.
 */
export type ChainProblemKind = 'order' | 'link' | 'merkle' | 'hash' | 'certificate' | 'transaction';

/** A {@link verifyChain} verdict for a chain with no defect. */
export interface ValidChainVerdict {
  /** Discriminant: every block checked out. */
  readonly valid: true;
  /** The height of the last block verified (the starting height when there were no blocks). */
  readonly height: number;
  /** The hash of that block: the head of the verified chain, usable as the `after` of the next segment. */
  readonly head: Uint8Array;
}

/** A {@link verifyChain} verdict for a chain with a defect. */
export interface InvalidChainVerdict {
  /** Discriminant: a block is at fault. */
  readonly valid: false;
  /**
   * The height of the first block at fault: the height its position in the chain calls for (which
   * an `'order'` problem means it does not claim). Every block below it was verified.
   */
  readonly height: number;
  /** The kind of defect. */
  readonly problem: ChainProblemKind;
  /** The defect in English, for people (the wording is not a stable interface). */
  readonly reason: string;
}

/** The verdict of {@link verifyChain}. */
export type ChainVerdict = ValidChainVerdict | InvalidChainVerdict;

/** Options of {@link verifyChain}. */
export interface VerifyChainOptions {
  /** Number of replicas (for the 2f + 1 of the commit certificates). */
  readonly n: number;
  /** Verifies replica signatures (e.g. {@link ed25519ReplicaVerifier}). */
  readonly crypto: Pick<ReplicaCrypto, 'verifyReplica'>;
  /**
   * Where the given blocks start: the height and hash below the first (default: genesis). This
   * anchor is trusted as given, so it must come from a verified source (an earlier verdict's head,
   * or a chain head certified by a stable checkpoint).
   */
  readonly after?: {
    /** The height of the block just below the first given block (0 for genesis). */
    readonly height: number;
    /** The hash of that block ({@link GENESIS_HASH} for height 0). */
    readonly hash: Uint8Array;
  };
  /** Optional check of each operation (e.g. decode the Fig. 3 form and verify its AuthSign signatures). */
  readonly checkOperation?: (operation: Uint8Array) => boolean;
}

/**
 * Verifies a chain of blocks: heights in order, every link, every Merkle root and hash, and every
 * commit certificate. The first problem is returned with the height of the block at fault.
 * @param blocks - the blocks in chain order, starting just above `options.after`
 * @param options - the group size and verifier for the commit certificates, the anchor, and an optional operation check
 * @returns `{ valid: true, height, head }`, or `{ valid: false, height, problem, reason }`
 * @throws RangeError or TypeError only for objects that are not well-formed blocks (never for
 * blocks from {@link decodeBlock}); a throwing `checkOperation` counts as a rejection
 * @example
 * ```ts
 * const verdict = verifyChain(blocks, { n: 4, crypto: ed25519ReplicaVerifier(replicaKeys) });
 * if (!verdict.valid) console.log(`block ${verdict.height}: ${verdict.problem}: ${verdict.reason}`);
 * ```
 */
export function verifyChain(blocks: Iterable<Block>, options: VerifyChainOptions): ChainVerdict {
  let height = options.after?.height ?? 0;
  let previous = options.after?.hash ?? GENESIS_HASH;
  for (const block of blocks) {
    const expected = height + 1;
    const bad = (problem: ChainProblemKind, reason: string): ChainVerdict => ({
      valid: false,
      height: expected,
      problem,
      reason,
    });
    if (block.height !== expected || block.seq !== block.height) {
      return bad(
        'order',
        `block at position ${expected} claims height ${block.height} (seq ${block.seq}): missing, repeated or reordered`,
      );
    }
    if (!bytesEqual(block.previousHash, previous)) return bad('link', 'previous-hash does not match the block below');
    if (!bytesEqual(block.merkleRoot, batchDigest(block.batch)))
      return bad('merkle', 'the batch was altered: its Merkle root differs');
    const digest = orderingDigest(block.time, block.merkleRoot);
    const hash = blockHash(block.height, block.previousHash, digest);
    if (!bytesEqual(block.hash, hash)) return bad('hash', 'stored hash differs from the recomputed block hash');
    const badCertificate = checkCommitCertificate(block.certificate, block.view, block.seq, digest, options.n, options.crypto);
    if (badCertificate !== null) return bad('certificate', `commit certificate: ${badCertificate}`);
    if (options.checkOperation !== undefined) {
      for (let i = 0; i < block.batch.length; i++) {
        let ok = false;
        try {
          ok = options.checkOperation((block.batch[i] as Request).operation) === true;
        } catch {
          ok = false;
        }
        if (!ok) return bad('transaction', `operation ${i} rejected`);
      }
    }
    height = expected;
    previous = hash;
  }
  return { valid: true, height, head: previous };
}

/** Version 2 added the block time (version 1, without it, is refused: its hashes do not cover a time). */
const BLOCK_VERSION = 2;

/**
 * Encodes a block for storage: u8(version 2) || u64(height) || raw(previousHash) || raw(merkleRoot)
 * || u64(time) || u64(view) || u64(seq) || u32(|batch|) || for each request str(client) || u64(timestamp) ||
 * bytes(operation) || bytes(signature), then u32(|certificate|) || for each COMMIT u64(view) ||
 * u64(seq) || raw(digest) || u32(replica) || bytes(signature), then raw(hash); integers big-endian,
 * lengths u32. The hashes and digests must be 32 bytes for {@link decodeBlock} to read the result back.
 * @param block - the block
 * @returns the encoded block
 * @throws RangeError if a height, view, seq or timestamp is not a non-negative safe integer
 */
export function encodeBlock(block: Block): Uint8Array {
  const w = new ByteWriter(512)
    .u8(BLOCK_VERSION)
    .u64(block.height)
    .raw(block.previousHash)
    .raw(block.merkleRoot)
    .u64(block.time)
    .u64(block.view)
    .u64(block.seq)
    .u32(block.batch.length);
  for (const r of block.batch) w.string(r.client).u64(r.timestamp).bytes(r.operation).bytes(r.signature);
  w.u32(block.certificate.length);
  for (const c of block.certificate) w.u64(c.view).u64(c.seq).raw(c.digest).u32(c.replica).bytes(c.signature);
  return w.raw(block.hash).finish();
}

/**
 * Decodes a stored block (structure only; use {@link verifyChain} to check it).
 * @param bytes - the output of {@link encodeBlock}
 * @returns the block, with hashes, Merkle root and certificate as stored (not recomputed)
 * @throws RangeError naming the field for any defect (unknown version, truncation, trailing bytes,
 * integers above 2^53 - 1, malformed UTF-8, signatures over 4096 bytes)
 */
export function decodeBlock(bytes: Uint8Array): Block {
  const r = new ByteReader(bytes, 'block');
  const version = r.u8('version');
  if (version !== BLOCK_VERSION) throw new EncodingError('block', 'version', `unknown version ${version}`);
  const height = r.u64('height');
  const previousHash = r.raw(DIGEST_BYTES, 'previousHash');
  const merkleRoot = r.raw(DIGEST_BYTES, 'merkleRoot');
  const time = r.u64('time');
  const view = r.u64('view');
  const seq = r.u64('seq');
  const batchLength = r.u32('batch length');
  if (batchLength > r.remaining) throw new EncodingError('block', 'batch', 'length exceeds the record');
  const batch: Request[] = [];
  for (let i = 0; i < batchLength; i++) {
    batch.push({
      type: 'request',
      client: r.string(`batch[${i}].client`),
      timestamp: r.u64(`batch[${i}].timestamp`),
      operation: r.bytes(`batch[${i}].operation`),
      signature: r.bytes(`batch[${i}].signature`, 4096),
    });
  }
  const certificateLength = r.u32('certificate length');
  if (certificateLength > r.remaining) throw new EncodingError('block', 'certificate', 'length exceeds the record');
  const certificate: Commit[] = [];
  for (let i = 0; i < certificateLength; i++) {
    certificate.push({
      type: 'commit',
      view: r.u64(`certificate[${i}].view`),
      seq: r.u64(`certificate[${i}].seq`),
      digest: r.raw(DIGEST_BYTES, `certificate[${i}].digest`),
      replica: r.u32(`certificate[${i}].replica`),
      signature: r.bytes(`certificate[${i}].signature`, 4096),
    });
  }
  const hash = r.raw(DIGEST_BYTES, 'hash');
  r.end();
  return { height, previousHash, merkleRoot, time, batch, view, seq, certificate, hash };
}
