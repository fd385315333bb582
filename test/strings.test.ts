/**
 * Exact strings (src/internal/text.ts): every string decoder of medshare/pre, medshare/sign,
 * medshare/ledger and medshare/protocol gives back exactly the string that was encoded - a
 * leading U+FEFF included - and accepts one encoding per string. Properties over any
 * well-formed Unicode (astral planes, NUL, BOMs anywhere), with a BOM forced on a share of cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../src/internal/bytes.js';
import { utf8Decode, utf8Encode } from '../src/internal/text.js';
import { decodeBlock, encodeBlock } from '../src/ledger/block.js';
import { decodeTransaction, encodeTransaction } from '../src/ledger/transaction.js';
import { decodeContractTransaction, encodeBody, encodeEnvelope } from '../src/protocol/transactions.js';
import { KITS } from './support/backends.js';
import { seededRandom } from '../src/testing/random.js';

const BOM = '\uFEFF';
/** Any well-formed string (code points of every plane), a BOM in front of one case in three. */
const stringArb = (maxLength: number) =>
  fc
    .tuple(fc.boolean(), fc.boolean(), fc.string({ unit: 'binary', maxLength }))
    .map(([bom, inner, s]) => `${bom ? BOM : ''}${s}${inner ? `${BOM}x` : ''}`)
    .filter((s) => s.isWellFormed());
/** A valid identity: non-empty, at most 1024 UTF-8 bytes. */
const identityArb = stringArb(40).filter((s) => s.length > 0 && utf8Encode(s, 's').length <= 1024);

describe('exact UTF-8', () => {
  it('utf8Decode(utf8Encode(s)) = s for every well-formed string, a leading U+FEFF kept', () => {
    fc.assert(
      fc.property(stringArb(64), (s) => {
        expect(utf8Decode(utf8Encode(s, 's'))).toBe(s);
      }),
      { numRuns: 500 },
    );
    expect(utf8Decode(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe(`${BOM}a`);
  });

  it('one encoding per string: overlong forms, encoded surrogates and truncated sequences are refused; lone surrogates cannot be encoded', () => {
    for (const bad of [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]]) {
      expect(utf8Decode(Uint8Array.from(bad)), bad.join(',')).toBeUndefined();
    }
    expect(() => utf8Encode('a\uD800', 'name')).toThrow(RangeError);
    expect(() => new ByteWriter().string('\uDC00', 'client')).toThrow(/client: contains a lone UTF-16 surrogate/);
  });
});

describe('string decoders round-trip every valid string exactly', () => {
  it('ByteReader / ByteWriter (pbft, ledger, protocol formats)', () => {
    fc.assert(
      fc.property(stringArb(64), (s) => {
        const r = new ByteReader(new ByteWriter().string(s).finish(), 'test');
        expect(r.string('s')).toBe(s);
        r.end();
      }),
      { numRuns: 300 },
    );
  });

  it('medshare/ledger: transaction parties and block client ids', () => {
    fc.assert(
      fc.property(identityArb, identityArb, (a, b) => {
        const tx = {
          patient: a,
          institution: b,
          dataHash: new Uint8Array(32),
          timestamp: 1,
          patientSignature: new Uint8Array(2),
          institutionSignature: new Uint8Array(3),
        };
        const decoded = decodeTransaction(encodeTransaction(tx));
        expect([decoded.patient, decoded.institution]).toEqual([a, b]);
        const block = {
          height: 1,
          previousHash: new Uint8Array(32),
          merkleRoot: new Uint8Array(32),
          view: 0,
          seq: 1,
          time: 0,
          batch: [
            { type: 'request' as const, client: a, timestamp: 1, operation: new Uint8Array(1), signature: new Uint8Array(1) },
          ],
          certificate: [],
          hash: new Uint8Array(32),
        };
        expect(decodeBlock(encodeBlock(block)).batch[0]?.client).toBe(a);
      }),
      { numRuns: 200 },
    );
  });

  it('medshare/protocol: transaction sender, registered identity, keywords and ids', () => {
    fc.assert(
      fc.property(
        identityArb.filter((s) => !s.includes('#')),
        stringArb(20).filter((s) => s.length > 0 && utf8Encode(s, 's').length <= 64),
        stringArb(30).filter((s) => utf8Encode(s, 's').length <= 128),
        (a, keyword, id) => {
          const register = encodeBody('register', { identity: a, role: 'patient' });
          const tx = decodeContractTransaction(encodeEnvelope('register', a, 5, register, new Uint8Array(96)));
          expect(tx.sender).toBe(a);
          expect(tx.kind === 'register' && tx.body.identity).toBe(a);
          const publish = encodeBody('publishRequirement', {
            criteriaHash: 1n,
            keywords: [keyword],
            verificationKey: new Uint8Array(1),
            reward: 0,
            capacity: 1,
            exclusive: false,
          });
          const p = decodeContractTransaction(encodeEnvelope('publishRequirement', a, 5, publish, new Uint8Array(96)));
          expect(p.kind === 'publishRequirement' && p.body.keywords).toEqual([keyword]);
          const grant = encodeBody('grantAccess', {
            approvalId: id,
            reKeyCommitment: new Uint8Array(1),
            proxies: [a],
            ciphertextHeader: new Uint8Array(1),
            formTime: 5,
            formSignature: new Uint8Array(1),
          });
          const g = decodeContractTransaction(encodeEnvelope('grantAccess', a, 5, grant, new Uint8Array(96)));
          expect(g.kind === 'grantAccess' && g.body.approvalId).toBe(id);
          expect(g.kind === 'grantAccess' && g.body.proxies).toEqual([a]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

for (const K of KITS) {
  describe(`${K.label} pre/sign string decoders round-trip every valid identity exactly`, () => {
    const { ga07, ga07Verifiable: v, huang2020, Z } = K;
    const { decodeSigningKey, encodeSigningKey } = K.authSign;
    const point1 = K.G1Point.BASE.multiply(5n);
    const point2 = K.G2Point.BASE.multiply(5n);

    it('medshare/pre ga07: secret key identity, re-encryption key delegator and delegatee', () => {
      fc.assert(
        fc.property(identityArb, identityArb, (a, b) => {
          const sk = ga07.decodeSecretKey(ga07.encodeSecretKey({ scheme: 'ga07', identity: a, key: point1 }));
          expect(sk.identity).toBe(a);
          const rk = ga07.decodeReKey(
            ga07.encodeReKey({ scheme: 'ga07', delegator: a, delegatee: b, R1: point2, R2: Z(), R3: point1 }),
          );
          expect([rk.delegator, rk.delegatee]).toEqual([a, b]);
        }),
        { numRuns: 20 },
      );
    });

    it('medshare/pre ga07Verifiable: commitment and partial re-encryption delegator and delegatee', () => {
      fc.assert(
        fc.property(identityArb, identityArb, (a, b) => {
          const meta = { scheme: 'ga07' as const, delegator: a, delegatee: b, threshold: 1, total: 1 };
          const com = v.decodeReKeyCommitment(v.encodeReKeyCommitment({ ...meta, R1: point2, R2: Z(), Y: [Z()] }));
          expect([com.delegator, com.delegatee]).toEqual([a, b]);
          const partial = { ...meta, index: 1, C2: Z(), proof: { challenge: 7n, response: point1 } };
          const p = v.decodeReEncryptionShare(v.encodeReEncryptionShare(partial));
          expect([p.delegator, p.delegatee]).toEqual([a, b]);
        }),
        { numRuns: 10 },
      );
    });

    it('medshare/pre huang2020: re-encryption key delegator and delegatee', () => {
      const random = seededRandom('strings-huang');
      const { params, masterKey } = huang2020.setup({ random });
      const sk = huang2020.keyGen(params, masterKey, 'patient:x', { random });
      const rk = huang2020.reKeyGen(params, sk, 'institute:y', { random });
      fc.assert(
        fc.property(identityArb, identityArb, (a, b) => {
          const decoded = huang2020.decodeReKey(huang2020.encodeReKey({ ...rk, delegator: a, delegatee: b }));
          expect([decoded.delegator, decoded.delegatee]).toEqual([a, b]);
        }),
        { numRuns: 6 },
      );
    });

    it('medshare/sign: signing key identity', () => {
      fc.assert(
        fc.property(identityArb, (a) => {
          expect(decodeSigningKey(encodeSigningKey({ scheme: 'authSign', identity: a, key: point1 })).identity).toBe(a);
        }),
        { numRuns: 20 },
      );
    });
  });
}
