/**
 * ga07 byte encodings: round trips, exact layouts, and the validating decoders against random,
 * mutated and hostile bytes (the convention of src/internal/codec.ts: RangeError naming the
 * field for bad bytes, TypeError for a non-Uint8Array).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curve, GT_BYTES, gtMul, Z } from '../src/internal/bls.js';
import { DecryptionError } from '../src/internal/errors.js';
import { KITS } from './support/backends.js';
import { seededRandom } from '../src/testing/random.js';
import { ALICE, BOB, makeFixture, recordOf, sameBytes } from './support/ga07-fixture.js';

for (const K of KITS) {
  const { ga07, ga07Verifiable: v } = K;

  const f = makeFixture(undefined, ga07);
  const { params, masterKey, alice, bob } = f;
  const random = seededRandom('ga07-codec');
  const record = recordOf(40);
  const original = ga07.encrypt(params, ALICE, record, { random });
  const reKey = ga07.reKeyGen(params, alice, BOB, { random });
  const reEncrypted = ga07.reEncrypt(params, reKey, original);
  const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, { threshold: 2, total: 3, random });
  const partial = v.reEncryptShare(params, shares[1] as (typeof shares)[number], original, { random });

  interface Codec {
    name: string;
    bytes: Uint8Array;
    decode: (b: Uint8Array) => unknown;
    encode: (o: never) => Uint8Array;
  }

  const codecs: Codec[] = [
    { name: 'params', bytes: ga07.encodeParams(params), decode: ga07.decodeParams, encode: ga07.encodeParams },
    { name: 'master key', bytes: ga07.encodeMasterKey(masterKey), decode: ga07.decodeMasterKey, encode: ga07.encodeMasterKey },
    { name: 'secret key', bytes: ga07.encodeSecretKey(alice), decode: ga07.decodeSecretKey, encode: ga07.encodeSecretKey },
    { name: 're-encryption key', bytes: ga07.encodeReKey(reKey), decode: ga07.decodeReKey, encode: ga07.encodeReKey },
    {
      name: 'original ciphertext',
      bytes: ga07.encodeCiphertext(original),
      decode: ga07.decodeCiphertext,
      encode: ga07.encodeCiphertext,
    },
    {
      name: 're-encrypted ciphertext',
      bytes: ga07.encodeCiphertext(reEncrypted),
      decode: ga07.decodeCiphertext,
      encode: ga07.encodeCiphertext,
    },
    {
      name: 're-encryption key share',
      bytes: v.encodeReKeyShare(shares[0] as never),
      decode: v.decodeReKeyShare,
      encode: v.encodeReKeyShare,
    },
    {
      name: 'commitment',
      bytes: v.encodeReKeyCommitment(commitment),
      decode: v.decodeReKeyCommitment,
      encode: v.encodeReKeyCommitment,
    },
    {
      name: 're-encryption share',
      bytes: v.encodeReEncryptionShare(partial),
      decode: v.decodeReEncryptionShare,
      encode: v.encodeReEncryptionShare,
    },
  ];

  /** The property every decoder must have: throw RangeError, or return an object that re-encodes to exactly `bytes`. */
  function rejectsOrReencodesExactly(codec: Codec, bytes: Uint8Array): void {
    let decoded: unknown;
    try {
      decoded = codec.decode(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      return;
    }
    expect(sameBytes(codec.encode(decoded as never), bytes)).toBe(true);
  }

  type Mutation =
    | { kind: 'flip'; pos: number; bit: number }
    | { kind: 'set'; pos: number; value: number }
    | { kind: 'truncate'; keep: number }
    | { kind: 'append'; extra: Uint8Array }
    | { kind: 'splice'; pos: number; remove: number; insert: Uint8Array };

  const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
    fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({
      kind: fc.constant('splice' as const),
      pos: fc.nat(),
      remove: fc.nat({ max: 8 }),
      insert: fc.uint8Array({ maxLength: 8 }),
    }),
  );

  function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
    const out = Array.from(bytes);
    // Earlier mutations may have emptied the bytes: positions are then meaningless.
    if (out.length === 0 && (m.kind === 'flip' || m.kind === 'set' || m.kind === 'truncate')) return new Uint8Array(0);
    switch (m.kind) {
      case 'flip':
        out[m.pos % out.length] = (out[m.pos % out.length] as number) ^ (1 << m.bit);
        break;
      case 'set':
        out[m.pos % out.length] = m.value;
        break;
      case 'truncate':
        out.length = m.keep % out.length;
        break;
      case 'append':
        out.push(...m.extra);
        break;
      case 'splice':
        out.splice(m.pos % (out.length + 1), m.remove, ...m.insert);
        break;
    }
    return Uint8Array.from(out);
  }

  describe(`${K.label} ga07 encodings: round trips and layout`, () => {
    for (const codec of codecs) {
      it(`${codec.name}: decode(encode(x)) re-encodes to the same bytes`, () => {
        const decoded = codec.decode(codec.bytes);
        expect(sameBytes(codec.encode(decoded as never), codec.bytes)).toBe(true);
        expect(Array.from(codec.bytes.subarray(0, 2))).toEqual([1, 2]); // format version 1, scheme id ga07 = 2
      });
    }

    it('decoded objects still work: keys decrypt, re-encryption keys re-encrypt, partials verify', () => {
      const p = ga07.decodeParams(ga07.encodeParams(params));
      const sk = ga07.decodeSecretKey(ga07.encodeSecretKey(bob));
      const rk = ga07.decodeReKey(ga07.encodeReKey(reKey));
      const ct = ga07.decodeCiphertext(ga07.encodeCiphertext(original));
      expect(sameBytes(ga07.decrypt(p, sk, ga07.reEncrypt(p, rk, ct)), record)).toBe(true);
      const com = v.decodeReKeyCommitment(v.encodeReKeyCommitment(commitment));
      const part = v.decodeReEncryptionShare(v.encodeReEncryptionShare(partial));
      expect(v.verifyReEncryptionShare(p, com, ct, part)).toBe(true);
      const mk = ga07.decodeMasterKey(ga07.encodeMasterKey(masterKey));
      expect(ga07.keyGen(p, mk, BOB).key.equals(bob.key)).toBe(true);
    });

    it('exact sizes: params 99, master key 35, original capsule 680 + recipient + record + 16, re-encrypted 680 + 672 + identities + record + 16', () => {
      expect(ga07.encodeParams(params).length).toBe(3 + 96);
      expect(ga07.encodeMasterKey(masterKey).length).toBe(3 + 32);
      expect(ga07.encodeSecretKey(alice).length).toBe(3 + 2 + ALICE.length + 48);
      expect(ga07.encodeCiphertext(original).length).toBe(3 + 1 + 2 + ALICE.length + 96 + GT_BYTES + 4 + record.length + 16);
      expect(ga07.encodeCiphertext(reEncrypted).length).toBe(
        3 + 1 + 2 + BOB.length + 2 + ALICE.length + 96 + GT_BYTES + 96 + GT_BYTES + 4 + record.length + 16,
      );
      expect(v.encodeReEncryptionShare(partial).length).toBe(3 + 2 + ALICE.length + 2 + BOB.length + 3 + GT_BYTES + 32 + 48);
      expect(v.encodeReKeyCommitment(commitment).length).toBe(3 + 2 + ALICE.length + 2 + BOB.length + 2 + 96 + GT_BYTES * 4);
    });

    it('encoders reject objects of another scheme (TypeError) and inconsistent commitments (RangeError)', () => {
      expect(() => ga07.encodeParams({ scheme: 'huang2020' } as never)).toThrow(TypeError);
      expect(() => ga07.encodeCiphertext({ ...original, capsule: { ...original.capsule, form: 'other' } } as never)).toThrow(
        TypeError,
      );
      expect(() => v.encodeReKeyCommitment({ ...commitment, Y: commitment.Y.slice(1) })).toThrow(RangeError);
    });
  });

  describe(`${K.label} ga07 decoders: hostile input`, () => {
    for (const codec of codecs) {
      it(`${codec.name}: TypeError for anything but a Uint8Array`, () => {
        for (const bad of [undefined, null, 'bytes', 42, [1, 2, 3], new ArrayBuffer(8), {}]) {
          expect(() => codec.decode(bad as never)).toThrow(TypeError);
        }
      });

      it(`${codec.name} property: random bytes are rejected with RangeError or re-encode to exactly the same bytes`, () => {
        const header = codec.bytes.subarray(0, 3);
        const withHeader = fc
          .uint8Array({ maxLength: codec.bytes.length + 8 })
          .map((tail) => Uint8Array.from([...header, ...tail]));
        fc.assert(
          fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), withHeader), (bytes) => rejectsOrReencodesExactly(codec, bytes)),
          { numRuns: 40 },
        );
      });

      it(`${codec.name} property: mutated valid bytes are rejected with RangeError or re-encode to exactly the same bytes`, () => {
        fc.assert(
          fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (mutations) => {
            rejectsOrReencodesExactly(codec, mutations.reduce(mutate, codec.bytes));
          }),
          { numRuns: 40 },
        );
      });
    }

    it('errors name the object and the field', () => {
      const ct = ga07.encodeCiphertext(original);
      const at = (offset: number, value: number) => {
        const b = ct.slice();
        b[offset] = value;
        return b;
      };
      expect(() => ga07.decodeCiphertext(ct.subarray(0, 2))).toThrow(/ga07 ciphertext: header/);
      expect(() => ga07.decodeCiphertext(at(1, 1))).toThrow(/header: scheme id 1, expected 2/);
      expect(() => ga07.decodeCiphertext(at(3, 3))).toThrow(/ga07 ciphertext: form/);
      const c1At = 4 + 2 + ALICE.length; // after the form byte and the recipient
      expect(() => ga07.decodeCiphertext(at(4, 0xff))).toThrow(/ga07 ciphertext: recipient/);
      expect(() => ga07.decodeCiphertext(at(c1At, (ct[c1At] as number) ^ 0x40))).toThrow(/C1/); // infinity flag
      // (flipping the sign flag 0x20 gives -C1, a valid point: decrypt then fails, tested below)
      expect(() => ga07.decodeCiphertext(at(c1At + 96 + 100, (ct[c1At + 96 + 100] as number) ^ 1))).toThrow(/C2/);
      expect(() => ga07.decodeCiphertext(Uint8Array.from([...ct, 0]))).toThrow(/trailing bytes/);
      const shortSealed = ga07.encodeCiphertext({ ...original, sealed: new Uint8Array(15) });
      expect(() => ga07.decodeCiphertext(shortSealed)).toThrow(/sealed/);
      expect(() => ga07.decodeSecretKey(ga07.encodeSecretKey({ ...alice, identity: '' }))).toThrow(/identity/);
      const shareBytes = v.encodeReKeyShare(shares[0] as never);
      const badY = v.encodeReKeyShare({
        ...(shares[0] as never as (typeof shares)[number]),
        Y: (shares[1] as (typeof shares)[number]).Y,
      });
      expect(v.decodeReKeyShare(shareBytes).index).toBe(1);
      expect(() => v.decodeReKeyShare(badY)).toThrow(/Y: is not e\(share, h\)/);
    });

    it('threshold and index fields are range-checked: t = 0, t > n, index = 0, index > n', () => {
      const base = v.encodeReEncryptionShare(partial);
      const off = 3 + 2 + ALICE.length + 2 + BOB.length; // t, n, i follow the two identities
      const at = (i: number, value: number) => {
        const b = base.slice();
        b[off + i] = value;
        return b;
      };
      expect(() => v.decodeReEncryptionShare(at(0, 0))).toThrow(/threshold/);
      expect(() => v.decodeReEncryptionShare(at(0, 4))).toThrow(/total/); // t = 4 > n = 3
      expect(() => v.decodeReEncryptionShare(at(2, 0))).toThrow(/index/);
      expect(() => v.decodeReEncryptionShare(at(2, 4))).toThrow(/index/);
    });

    it('RangeError for a master key >= r or = 0, a G2 identity point, and an Fp12 element outside GT', () => {
      const r = curve.fields.Fr.ORDER;
      const big = Uint8Array.from([1, 2, 2, ...Buffer.from(r.toString(16).padStart(64, '0'), 'hex')]);
      expect(() => ga07.decodeMasterKey(big)).toThrow(/not canonical/);
      expect(() => ga07.decodeMasterKey(Uint8Array.from([1, 2, 2, ...new Uint8Array(32)]))).toThrow(/zero/);
      const infinity = new Uint8Array(96);
      infinity[0] = 0xc0;
      expect(() => ga07.decodeParams(Uint8Array.from([1, 2, 1, ...infinity]))).toThrow(/identity/);
      // An element of the cyclotomic subgroup of Fp12 that is not in GT: f^((p^6 - 1)(p^2 + 1)) for f = 1 + w.
      const { Fp12 } = curve.fields;
      const w = Fp12.create({ c0: Fp12.Fp6.ONE, c1: Fp12.Fp6.ONE });
      const easy = Fp12.mul(Fp12.conjugate(w), Fp12.inv(w));
      const cyclotomic = Fp12.mul(Fp12.frobeniusMap(easy, 2), easy);
      const ct = ga07.encodeCiphertext(original).slice();
      const c2At = 4 + 2 + ALICE.length + 96;
      ct.set(Fp12.toBytes(cyclotomic), c2At);
      expect(() => ga07.decodeCiphertext(ct)).toThrow(/C2: not in the order-r subgroup GT/);
      // A GT element multiplied by it is not in GT either.
      ct.set(Fp12.toBytes(gtMul(Z(), cyclotomic)), c2At);
      expect(() => ga07.decodeCiphertext(ct)).toThrow(/C2: not in the order-r subgroup GT/);
    });
  });

  describe(`${K.label} ga07 ciphertexts: any flipped bit is caught`, () => {
    const cases = [
      { name: 'original', bytes: ga07.encodeCiphertext(ga07.encrypt(params, ALICE, recordOf(8), { random })), key: alice },
      {
        name: 're-encrypted',
        bytes: ga07.encodeCiphertext(ga07.reEncrypt(params, reKey, ga07.encrypt(params, ALICE, recordOf(8), { random }))),
        key: bob,
      },
    ];

    /** Decoding throws RangeError, or decrypting throws DecryptionError. */
    function flippedBitIsCaught(bytes: Uint8Array, bit: number, key: typeof alice): void {
      const flipped = bytes.slice();
      flipped[bit >>> 3] = (flipped[bit >>> 3] as number) ^ (1 << (bit & 7));
      let ct: ReturnType<typeof ga07.decodeCiphertext>;
      try {
        ct = ga07.decodeCiphertext(flipped);
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
        return;
      }
      expect(() => ga07.decrypt(params, key, ct)).toThrow(DecryptionError);
    }

    for (const { name, bytes, key } of cases) {
      it(`${name}: the unmodified encoding decrypts (control)`, () => {
        expect(sameBytes(ga07.decrypt(params, key, ga07.decodeCiphertext(bytes)), recordOf(8))).toBe(true);
      });

      it(`${name} property: flipping any one bit of the encoding makes decode or decrypt throw`, () => {
        fc.assert(
          fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => flippedBitIsCaught(bytes, bit, key)),
          { numRuns: 60 },
        );
      });

      it(`${name}: every bit of the header, form, C1 flag byte, length prefix and first and last sealed byte is caught`, () => {
        const sealedStart = bytes.length - 24;
        const bytesToSweep = [
          0,
          1,
          2,
          3,
          4,
          sealedStart - 4,
          sealedStart - 3,
          sealedStart - 2,
          sealedStart - 1,
          sealedStart,
          bytes.length - 1,
        ];
        const bits = bytesToSweep.flatMap((byte) => [0, 1, 2, 3, 4, 5, 6, 7].map((b) => byte * 8 + b));
        for (const bit of bits) flippedBitIsCaught(bytes, bit, key);
      });
    }
  });
}
