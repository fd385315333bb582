/**
 * ga07 (Green-Ateniese IBP1, docs/schemes.md section 2):
 * - the common IB-PRE properties (shared suite, single-hop);
 * - the equations of docs/schemes.md section 2, checked element by element;
 * - the KEM + AEAD for records of any size, who can and cannot decrypt, argument checks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Groups } from '../src/backend/types.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { DecryptionError } from '../src/internal/errors.js';
import { type Ga07Ciphertext, ga07 as nobleGa07, H1_DST, H2_DST } from '../src/pre/ga07.js';
import { defaultScheme, ga07 as exportedGa07, huang2020 as nobleHuang2020, scheme } from '../src/pre/index.js';
import { open } from '../src/pre/kem.js';
import { KITS } from './support/backends.js';
import { seededRandom } from '../src/testing/random.js';
import { ALICE, BOB, CAROL, makeFixture, recordOf, sameBytes } from './support/ga07-fixture.js';
import { describePreScheme } from './support/pre-suite.js';
import { LAYOUTS } from '../src/testing/hostile.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('ga07: public entry', () => {
  it('ga07 is the default scheme; huang2020 must be asked for by name', () => {
    expect(exportedGa07).toBe(nobleGa07);
    expect(defaultScheme).toBe(nobleGa07);
    expect(scheme).toBe(nobleGa07);
    expect(defaultScheme).not.toBe(nobleHuang2020);
    expect(nobleGa07.name).toBe('ga07');
  });
});

for (const K of KITS) {
  const { ga07, huang2020, G2Point, pair, hashToG1, Z, gtDiv, gtEq, gtMul, gtPow, gtToBytes } = K;
  const { identityPoint, encapsulate, decapsulate, recipientBase, capsuleBinding, verifySecretKey } = K.core;

  describePreScheme(ga07, { multiHop: false, layouts: LAYOUTS.ga07 }, K.label);

  const f = makeFixture(undefined, ga07);
  const { params, alice, bob, carol } = f;

  describe(`${K.label} ga07: the equations of docs/schemes.md section 2`, () => {
    it('mpk = h^s and sk = H1(ID)^s', () => {
      expect(params.mpk.equals(G2Point.BASE.multiply(f.masterKey.s))).toBe(true);
      expect(alice.key.equals(hashToG1(H1_DST, utf8(ALICE)).multiply(f.masterKey.s))).toBe(true);
      expect(identityPoint(ALICE).equals(hashToG1(H1_DST, utf8(ALICE)))).toBe(true);
    });

    it('H1 and H2 use distinct domain-separation tags', () => {
      expect(H1_DST).not.toBe(H2_DST);
      expect(hashToG1(H1_DST, utf8('x')).equals(hashToG1(H2_DST, utf8('x')))).toBe(false);
    });

    it('Encrypt: C1 = h^r, C2 = m * e(H1(ID), mpk)^r; Decrypt: m = C2 / e(sk, C1)', () => {
      const m = gtPow(Z(), 123_456_789n);
      const r = 987_654_321n;
      const capsule = encapsulate(params, ALICE, m, r);
      expect(capsule.C1.equals(G2Point.BASE.multiply(r))).toBe(true);
      expect(gtEq(capsule.C2, gtMul(m, gtPow(pair(hashToG1(H1_DST, utf8(ALICE)), params.mpk), r)))).toBe(true);
      expect(gtEq(gtDiv(capsule.C2, pair(alice.key, capsule.C1)), m)).toBe(true);
      expect(gtEq(decapsulate(alice, capsule), m)).toBe(true);
    });

    it("ReKeyGen: R3 = H2(X) - sk_1 with (R1, R2) = Encrypt(ID_2, X); ReEncrypt: C2' = C2 * e(R3, C1) = m * e(H2(X), C1)", () => {
      const m = gtPow(Z(), 55n);
      const capsule = encapsulate(params, ALICE, m, 77n);
      const rk = ga07.reKeyGen(params, alice, BOB, { random: seededRandom('eq-rk') });
      const x = gtDiv(rk.R2, pair(bob.key, rk.R1)); // X as the delegatee recovers it
      const hx = hashToG1(H2_DST, gtToBytes(x));
      expect(rk.R3.equals(hx.subtract(alice.key))).toBe(true);
      const re = ga07.reEncrypt(params, rk, { scheme: 'ga07', recipient: ALICE, capsule, sealed: new Uint8Array(16) }).capsule;
      if (re.form !== 'reEncrypted') throw new Error('expected a re-encrypted capsule');
      expect(gtEq(re.C2, gtMul(capsule.C2, pair(rk.R3, capsule.C1)))).toBe(true);
      expect(gtEq(re.C2, gtMul(m, pair(hx, capsule.C1)))).toBe(true);
      expect(re.R1.equals(rk.R1) && gtEq(re.R2, rk.R2) && re.C1.equals(capsule.C1)).toBe(true);
      expect(gtEq(decapsulate(bob, re), m)).toBe(true);
    });

    it('verifySecretKey accepts the PKG key and rejects a key for another identity or PKG', () => {
      expect(verifySecretKey(params, alice)).toBe(true);
      expect(verifySecretKey(params, { ...alice, identity: BOB })).toBe(false);
      expect(verifySecretKey(makeFixture('another PKG', ga07).params, alice)).toBe(false);
    });

    it('e(H1(ID), mpk) is cached per params object and identity, and the cache is keyed correctly', () => {
      const other = makeFixture('another PKG', ga07);
      const a1 = recipientBase(params, ALICE);
      expect(recipientBase(params, ALICE)).toBe(a1);
      expect(gtEq(a1, pair(identityPoint(ALICE), params.mpk))).toBe(true);
      expect(gtEq(recipientBase(other.params, ALICE), a1)).toBe(false);
      // A ciphertext made under another PKG's params does not open with this PKG's key.
      const ct = ga07.encrypt(other.params, ALICE, utf8('x'));
      expect(() => ga07.decrypt(params, alice, ct)).toThrow(DecryptionError);
      expect(ga07.decrypt(other.params, other.alice, ct)).toEqual(utf8('x'));
    });
  });

  describe(`${K.label} ga07: records of any size`, () => {
    const sizes = [0, 1, 15, 16, 17, 255, 4096, 65_537, 1 << 20];
    for (const size of sizes) {
      it(`round trip of a ${size}-byte record: owner decrypts the original, delegatee the re-encryption`, () => {
        const record = recordOf(size, size);
        const ct = ga07.encrypt(params, ALICE, record);
        expect(ct.sealed.length).toBe(size + 16);
        expect(sameBytes(ga07.decrypt(params, alice, ct), record)).toBe(true);
        const rk = ga07.reKeyGen(params, alice, BOB);
        const shared = ga07.reEncrypt(params, rk, ct);
        expect(shared.sealed).toBe(ct.sealed); // the record is never touched
        expect(sameBytes(ga07.decrypt(params, bob, shared), record)).toBe(true);
        const decoded = ga07.decodeCiphertext(ga07.encodeCiphertext(shared));
        expect(sameBytes(ga07.decrypt(params, bob, decoded), record)).toBe(true);
      });
    }

    it('property: for any record, identity pair and seed, Decrypt(Encrypt(m)) = m and the delegatee decrypts ReEncrypt(ReKeyGen, Encrypt(m)) = m after encoding', () => {
      const identity = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.isWellFormed());
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 3000 }),
          identity,
          identity,
          fc.uint8Array({ minLength: 8, maxLength: 8 }),
          (record, from, to, seed) => {
            const random = seededRandom(seed);
            const skFrom = ga07.keyGen(params, f.masterKey, from);
            const skTo = ga07.keyGen(params, f.masterKey, to);
            const ct = ga07.decodeCiphertext(ga07.encodeCiphertext(ga07.encrypt(params, from, record, { random })));
            expect(ga07.decrypt(params, skFrom, ct)).toEqual(record);
            const rk = ga07.decodeReKey(ga07.encodeReKey(ga07.reKeyGen(params, skFrom, to, { random })));
            const shared = ga07.decodeCiphertext(ga07.encodeCiphertext(ga07.reEncrypt(params, rk, ct)));
            expect(ga07.decrypt(params, skTo, shared)).toEqual(record);
          },
        ),
        { numRuns: 8 },
      );
    });

    it('encryption is randomized: the same record twice gives different capsules and sealed bytes', () => {
      const a = ga07.encodeCiphertext(ga07.encrypt(params, ALICE, utf8('same')));
      const b = ga07.encodeCiphertext(ga07.encrypt(params, ALICE, utf8('same')));
      expect(a).not.toEqual(b);
    });

    it('the same seed gives the same ciphertext bytes (randomness is only what is passed in)', () => {
      const a = ga07.encodeCiphertext(ga07.encrypt(params, ALICE, utf8('same'), { random: seededRandom('s') }));
      const b = ga07.encodeCiphertext(ga07.encrypt(params, ALICE, utf8('same'), { random: seededRandom('s') }));
      expect(a).toEqual(b);
    });
  });

  describe(`${K.label} ga07: who can decrypt`, () => {
    const record = utf8('{"hba1c": 6.1}');
    const ct = ga07.encrypt(params, ALICE, record);
    const rk = ga07.reKeyGen(params, alice, BOB);
    const shared = ga07.reEncrypt(params, rk, ct);

    it('a third identity opens neither the original nor the re-encryption', () => {
      expect(() => ga07.decrypt(params, carol, ct)).toThrow(DecryptionError);
      expect(() => ga07.decrypt(params, carol, shared)).toThrow(DecryptionError);
    });

    it('the delegatee cannot open the original, the delegator cannot open the re-encryption', () => {
      expect(() => ga07.decrypt(params, bob, ct)).toThrow(DecryptionError);
      expect(() => ga07.decrypt(params, alice, shared)).toThrow(DecryptionError);
    });

    it("a re-encryption key for Bob does not help Carol; a re-encryption key from Carol does not open Alice's data for Bob", () => {
      const rkCarol = ga07.reKeyGen(params, alice, CAROL);
      expect(() => ga07.decrypt(params, bob, ga07.reEncrypt(params, rkCarol, ct))).toThrow(DecryptionError);
      const rkFromCarol = ga07.reKeyGen(params, carol, BOB);
      // The ciphertext says whose it is: the proxy refuses it at once (issue 10, break 5) ...
      expect(() => ga07.reEncrypt(params, rkFromCarol, ct)).toThrow(RangeError);
      expect(() => ga07.reEncrypt(params, rkFromCarol, ct)).toThrow(/ciphertext: is for another identity/);
      // ... and relabelling it as Carol's gets past the proxy but not past the AEAD, which binds the label.
      const relabelled = ga07.reEncrypt(params, rkFromCarol, { ...ct, recipient: CAROL });
      expect(() => ga07.decrypt(params, bob, relabelled)).toThrow(DecryptionError);
      expect(() => ga07.decrypt(params, carol, { ...ct, recipient: CAROL })).toThrow(DecryptionError);
    });

    it('repeated delegatee decryption under one re-encryption key (cached H2(X)) stays correct, and a second key is not confused with it', () => {
      const ct2 = ga07.encrypt(params, ALICE, utf8('second'));
      expect(ga07.decrypt(params, bob, ga07.reEncrypt(params, rk, ct2))).toEqual(utf8('second'));
      expect(ga07.decrypt(params, bob, shared)).toEqual(record);
      const rk2 = ga07.reKeyGen(params, alice, BOB);
      expect(ga07.decrypt(params, bob, ga07.reEncrypt(params, rk2, ct2))).toEqual(utf8('second'));
      // Same (R1, R2) but another key object of Carol: still rejected.
      expect(() => ga07.decrypt(params, carol, ga07.reEncrypt(params, rk2, ct2))).toThrow(DecryptionError);
    });

    it('single-hop: a re-encrypted ciphertext cannot be re-encrypted again (TypeError)', () => {
      const rkBobCarol = ga07.reKeyGen(params, bob, CAROL);
      expect(() => ga07.reEncrypt(params, rkBobCarol, shared)).toThrow(TypeError);
    });

    it('swapping the sealed records of two ciphertexts is detected (AEAD binds C1)', () => {
      const other = ga07.encrypt(params, ALICE, record);
      expect(() => ga07.decrypt(params, alice, { ...ct, sealed: other.sealed })).toThrow(DecryptionError);
      const otherShared = ga07.reEncrypt(params, rk, other);
      expect(() => ga07.decrypt(params, bob, { ...shared, sealed: otherShared.sealed })).toThrow(DecryptionError);
    });

    it('the AEAD associated data is exactly the scheme tag, the identity encrypted to and C1: the right m with another C1, identity or without the tag does not open', () => {
      const c = ct.capsule;
      if (c.form !== 'original') throw new Error('expected original');
      const m = decapsulate(alice, c);
      const tag = utf8('medshare/v1/ga07/capsule');
      const id = utf8(ALICE);
      const ad = concatBytes(tag, Uint8Array.of(0, id.length), id, c.C1.toBytes(true));
      expect(sameBytes(open('ga07', gtToBytes(m), ad, ct.sealed), record)).toBe(true);
      expect(sameBytes(capsuleBinding(ALICE, c.C1), ad)).toBe(true);
      expect(() => open('ga07', gtToBytes(m), capsuleBinding(ALICE, c.C1.negate()), ct.sealed)).toThrow(DecryptionError);
      expect(() => open('ga07', gtToBytes(m), capsuleBinding(BOB, c.C1), ct.sealed)).toThrow(DecryptionError);
      expect(() => open('ga07', gtToBytes(m), concatBytes(tag, c.C1.toBytes(true)), ct.sealed)).toThrow(DecryptionError);
      expect(() => open('ga07', gtToBytes(m), c.C1.toBytes(true), ct.sealed)).toThrow(DecryptionError);
      // The re-encrypted ciphertext keeps C1 and so the same binding.
      expect(shared.capsule.C1).toBe(c.C1);
    });

    it("altering C2 or C2' by a GT factor is detected", () => {
      const c = ct.capsule;
      if (c.form !== 'original') throw new Error('expected original');
      const bad: Ga07Ciphertext<Groups> = { ...ct, capsule: { ...c, C2: gtMul(c.C2, Z()) } };
      expect(() => ga07.decrypt(params, alice, bad)).toThrow(DecryptionError);
      const s = shared.capsule;
      if (s.form !== 'reEncrypted') throw new Error('expected reEncrypted');
      expect(() => ga07.decrypt(params, bob, { ...shared, capsule: { ...s, C2: gtMul(s.C2, Z()) } })).toThrow(DecryptionError);
      expect(() => ga07.decrypt(params, bob, { ...shared, capsule: { ...s, R2: gtMul(s.R2, Z()) } })).toThrow(DecryptionError);
    });
  });

  describe(`${K.label} ga07: argument checks`, () => {
    const ct = ga07.encrypt(params, ALICE, utf8('x'));

    it('TypeError for objects of another scheme or of the wrong type', () => {
      const h = huang2020.setup({ random: seededRandom('h') });
      expect(() => ga07.encrypt(h.params as never, ALICE, utf8('x'))).toThrow(TypeError);
      expect(() => ga07.encrypt(params, ALICE, 'text' as never)).toThrow(TypeError);
      expect(() => ga07.encrypt(params, 42 as never, utf8('x'))).toThrow(TypeError);
      expect(() => ga07.keyGen(params, h.masterKey as never, ALICE)).toThrow(TypeError);
      expect(() => ga07.decrypt(params, null as never, ct)).toThrow(TypeError);
      expect(() => ga07.reKeyGen(params, alice, undefined as never)).toThrow(TypeError);
      expect(() => ga07.reEncrypt(params, alice as never, ct)).toThrow(TypeError);
    });

    it('RangeError for an empty, over-long or ill-formed identity', () => {
      expect(() => ga07.encrypt(params, '', utf8('x'))).toThrow(RangeError);
      expect(() => ga07.encrypt(params, 'x'.repeat(1025), utf8('x'))).toThrow(RangeError);
      expect(() => ga07.keyGen(params, f.masterKey, '\uD800')).toThrow(RangeError);
      expect(() => ga07.reKeyGen(params, alice, '')).toThrow(RangeError);
    });

    it('a broken random source is rejected with RangeError, not silently used', () => {
      expect(() => ga07.encrypt(params, ALICE, utf8('x'), { random: () => new Uint8Array(3) })).toThrow(RangeError);
    });
  });
}
