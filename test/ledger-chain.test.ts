/**
 * The hash chain (Huang et al. 2020 section 5.1: "the hash value for each block is unique and the
 * hash values of the other blocks would be changed once countering tampering attacks"), the commit
 * certificate of each block (2f + 1 signed COMMITs, section 4.2.10 step 4), the transaction form
 * (Fig. 3) and the Merkle root (RFC 6962).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merkleRoot } from '../src/internal/merkle.js';
import {
  type Block,
  decodeBlock,
  decodeTransaction,
  encodeBlock,
  encodeTransaction,
  transactionSignable,
  verifyChain,
} from '../src/ledger/index.js';
import { commitSignable } from '../src/pbft/index.js';
import { committedChain, sampleTransaction } from './support/ledger-fixtures.js';

const { blocks, cluster } = committedChain(6);
const options = { n: 4, crypto: cluster.keys.crypto(0) };

describe('verifyChain: every link, Merkle root, hash and commit certificate', () => {
  it('accepts the chain the replicas built, and each block carries 2f + 1 = 3 COMMITs', () => {
    expect(blocks).toHaveLength(6);
    expect(verifyChain(blocks, options)).toEqual({ valid: true, height: 6, head: blocks[5]?.hash });
    for (const block of blocks) expect(block.certificate).toHaveLength(3);
  });

  const tamper = (at: number, change: (b: Block) => Block) => blocks.map((b, i) => (i === at - 1 ? change(b) : b));
  const cases: Array<[string, () => Block[], number, string]> = [
    [
      'a transaction altered',
      () => tamper(3, (b) => ({ ...b, batch: [{ ...(b.batch[0] as Block['batch'][number]), operation: new Uint8Array([1]) }] })),
      3,
      'merkle',
    ],
    ['the stored hash altered', () => tamper(2, (b) => ({ ...b, hash: new Uint8Array(32) })), 2, 'hash'],
    ['the previous-hash altered', () => tamper(4, (b) => ({ ...b, previousHash: new Uint8Array(32) })), 4, 'link'],
    ['two blocks swapped', () => [blocks[0], blocks[2], blocks[1], ...blocks.slice(3)] as Block[], 2, 'order'],
    ['a block removed', () => [...blocks.slice(0, 2), ...blocks.slice(3)], 3, 'order'],
    ['a block repeated', () => [...blocks.slice(0, 3), blocks[2], ...blocks.slice(3)] as Block[], 4, 'order'],
    [
      'a forged COMMIT signature',
      () =>
        tamper(5, (b) => ({
          ...b,
          certificate: [
            { ...(b.certificate[0] as Block['certificate'][number]), signature: new Uint8Array(8) },
            ...b.certificate.slice(1),
          ],
        })),
      5,
      'certificate',
    ],
    ['only 2f COMMITs', () => tamper(1, (b) => ({ ...b, certificate: b.certificate.slice(0, 2) })), 1, 'certificate'],
    [
      'one replica counted three times',
      () =>
        tamper(1, (b) => ({ ...b, certificate: [b.certificate[0], b.certificate[0], b.certificate[0]] as Block['certificate'] })),
      1,
      'certificate',
    ],
    ['a certificate for another view', () => tamper(6, (b) => ({ ...b, view: b.view + 1 })), 6, 'certificate'],
  ];
  for (const [what, make, height, problem] of cases) {
    it(`names block ${height} when ${what}`, () => {
      const verdict = verifyChain(make(), options);
      expect(verdict).toMatchObject({ valid: false, height, problem });
    });
  }

  it('a certificate re-signed by a replica for another batch is still rejected', () => {
    const forged = tamper(2, (b) => {
      const c = b.certificate[0] as Block['certificate'][number];
      const other = { ...c, digest: new Uint8Array(32) };
      return {
        ...b,
        certificate: [
          { ...other, signature: cluster.keys.crypto(c.replica).sign(commitSignable(other)) },
          ...b.certificate.slice(1),
        ],
      };
    });
    expect(verifyChain(forged, options)).toMatchObject({ valid: false, height: 2, problem: 'certificate' });
  });

  it('property: flipping any byte of any stored block is caught (decoding fails or the chain is invalid at that block)', () => {
    const encoded = blocks.map(encodeBlock);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: blocks.length - 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (index, position, mask) => {
          const bytes = (encoded[index] as Uint8Array).slice();
          const at = position % bytes.length;
          bytes[at] = (bytes[at] as number) ^ mask;
          let block: Block;
          try {
            block = decodeBlock(bytes);
          } catch (e) {
            return e instanceof RangeError;
          }
          const chain = blocks.map((b, i) => (i === index ? block : b));
          const verdict = verifyChain(chain, options);
          return !verdict.valid && verdict.height <= index + 1;
        },
      ),
      { numRuns: 400 },
    );
  });

  it('checks each operation when asked (e.g. the Fig. 3 form and its signatures)', () => {
    expect(
      verifyChain(blocks, { ...options, checkOperation: (op) => decodeTransaction(op).institution === 'lab:oncology' }).valid,
    ).toBe(true);
    const verdict = verifyChain(blocks, {
      ...options,
      checkOperation: (op) => decodeTransaction(op).patient !== 'addr:patient-2',
    });
    expect(verdict).toMatchObject({ valid: false, height: 2, problem: 'transaction' });
  });

  it('encodeBlock / decodeBlock round-trip', () => {
    for (const block of blocks) expect(decodeBlock(encodeBlock(block))).toEqual(block);
  });
});

describe('the transaction form of Fig. 3', () => {
  it('property: encode / decode round-trip', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }),
        (patient, institution, dataHash, timestamp, patientSignature, institutionSignature) => {
          const tx = { patient, institution, dataHash, timestamp, patientSignature, institutionSignature };
          expect(decodeTransaction(encodeTransaction(tx))).toEqual(tx);
        },
      ),
    );
  });

  it('rejects every truncation, trailing bytes and an unknown version with a RangeError', () => {
    const bytes = encodeTransaction(sampleTransaction(1));
    for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeTransaction(bytes.subarray(0, cut))).toThrow(RangeError);
    expect(() => decodeTransaction(Uint8Array.of(...bytes, 0))).toThrow(/trailing/);
    expect(() => decodeTransaction(Uint8Array.of(9, ...bytes.subarray(1)))).toThrow(/version/);
    expect(() => decodeTransaction('x' as never)).toThrow(TypeError);
  });

  it('the institution signs every field but the signatures; a data hash must be 32 bytes', () => {
    const tx = sampleTransaction(2);
    const resigned = { ...tx, patientSignature: new Uint8Array(1) };
    expect(transactionSignable(tx)).toEqual(transactionSignable(resigned));
    expect(transactionSignable(tx)).not.toEqual(transactionSignable({ ...tx, timestamp: tx.timestamp + 1 }));
    expect(() => encodeTransaction({ ...tx, dataHash: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => encodeTransaction({ ...tx, patient: '' })).toThrow(RangeError);
  });
});

describe('Merkle root (RFC 6962 section 2.1)', () => {
  function reference(leaves: Uint8Array[]): Uint8Array {
    if (leaves.length === 0) return sha256(new Uint8Array(0));
    if (leaves.length === 1) return sha256(Uint8Array.of(0, ...(leaves[0] as Uint8Array)));
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    return sha256(Uint8Array.of(1, ...reference(leaves.slice(0, k)), ...reference(leaves.slice(k))));
  }
  it('property: equals the recursive definition for any list of leaves', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 40 }), (leaves) => {
        expect(merkleRoot(leaves)).toEqual(reference(leaves));
      }),
    );
  });
});
