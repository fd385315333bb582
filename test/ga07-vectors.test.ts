/**
 * ga07 known-answer vectors (test/vectors/ga07.json, made as test/vectors/README.md says).
 * Two kinds of checks: regenerating from the fixed seeds gives exactly the committed bytes
 * (catches any change to encodings, hashing or the order of random draws), and the committed
 * bytes, decoded, behave as they must (checks that do not depend on our randomness at all).
 *
 * Both run under every pairing backend: each must regenerate exactly the committed bytes and
 * decode them to objects that behave as they must.
 *
 * To rewrite the file after an intended format change: GA07_WRITE_VECTORS=1 npx vitest run test/ga07-vectors.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KITS } from './support/backends.js';
import { hex, unhex } from './support/ga07-fixture.js';
import { sameBytes } from './support/ga07-fixture.js';
import { type Ga07Vectors, makeGa07Vectors } from './support/ga07-vectors.js';

const file = new URL('./vectors/ga07.json', import.meta.url);
if (process.env.GA07_WRITE_VECTORS === '1') writeFileSync(file, `${JSON.stringify(makeGa07Vectors(), null, 2)}\n`);
const kat = JSON.parse(readFileSync(file, 'utf8')) as Ga07Vectors;

for (const K of KITS) {
  describe(`${K.label} ga07 known-answer vectors`, () => {
    const { ga07, ga07Verifiable: v, G2Point, gtDiv, gtEq, gtToBytes, hashToG1, pair } = K;

    it('regenerating from the fixed seeds gives exactly the committed bytes', () => {
      const fresh = makeGa07Vectors(K);
      // Field by field first, for a readable failure, then the whole object.
      expect(fresh.setup).toEqual(kat.setup);
      expect(fresh.keyGen).toEqual(kat.keyGen);
      expect(fresh.encrypt).toEqual(kat.encrypt);
      expect(fresh.reKeyGen).toEqual(kat.reKeyGen);
      expect(fresh.reEncrypt).toEqual(kat.reEncrypt);
      expect(fresh.threshold).toEqual(kat.threshold);
      expect(fresh).toEqual(kat);
    });

    it('the committed keys satisfy mpk = h^s, sk = H1(ID)^s with H1 = hash_to_curve under the stated DST', () => {
      const params = ga07.decodeParams(unhex(kat.setup.params));
      const { s } = ga07.decodeMasterKey(unhex(kat.setup.masterKey));
      expect(params.mpk.equals(G2Point.BASE.multiply(s))).toBe(true);
      const h1 = hashToG1(kat.dst.H1, new TextEncoder().encode(kat.identities.delegator));
      expect(hex(h1.toBytes(true))).toBe(kat.keyGen.H1Delegator);
      expect(ga07.decodeSecretKey(unhex(kat.keyGen.delegator)).key.equals(h1.multiply(s))).toBe(true);
    });

    it('the committed ciphertexts open to the committed record and KEM elements', () => {
      const params = ga07.decodeParams(unhex(kat.setup.params));
      const alice = ga07.decodeSecretKey(unhex(kat.keyGen.delegator));
      const lab = ga07.decodeSecretKey(unhex(kat.keyGen.delegatee));
      const record = unhex(kat.record);
      const ct = ga07.decodeCiphertext(unhex(kat.encrypt.ciphertext));
      expect(sameBytes(ga07.decrypt(params, alice, ct), record)).toBe(true);
      if (ct.capsule.form !== 'original') throw new Error('expected an original capsule');
      expect(hex(gtToBytes(gtDiv(ct.capsule.C2, pair(alice.key, ct.capsule.C1))))).toBe(kat.encrypt.m);
      const rk = ga07.decodeReKey(unhex(kat.reKeyGen.reKey));
      expect(hex(gtToBytes(gtDiv(rk.R2, pair(lab.key, rk.R1))))).toBe(kat.reKeyGen.X);
      const shared = ga07.reEncrypt(params, rk, ct);
      expect(hex(ga07.encodeCiphertext(shared))).toBe(kat.reEncrypt.ciphertext);
      expect(sameBytes(ga07.decrypt(params, lab, ga07.decodeCiphertext(unhex(kat.reEncrypt.ciphertext))), record)).toBe(true);
    });

    it('the committed partials verify, and every pair of them combines to the committed re-encryption', () => {
      const params = ga07.decodeParams(unhex(kat.setup.params));
      const lab = ga07.decodeSecretKey(unhex(kat.keyGen.delegatee));
      const ct = ga07.decodeCiphertext(unhex(kat.encrypt.ciphertext));
      const commitment = v.decodeReKeyCommitment(unhex(kat.threshold.commitment));
      expect(v.verifyReKeyCommitment(params, lab, commitment)).toBe(true);
      const shares = kat.threshold.shares.map((s) => v.decodeReKeyShare(unhex(s)));
      shares.forEach((s, i) => {
        expect(gtEq(s.Y, commitment.Y[i] as never)).toBe(true);
      });
      const partials = kat.threshold.partials.map((p) => v.decodeReEncryptionShare(unhex(p.bytes)));
      for (const p of partials) expect(v.verifyReEncryptionShare(params, commitment, ct, p)).toBe(true);
      const [p1, p2, p3] = partials as [(typeof partials)[0], (typeof partials)[0], (typeof partials)[0]];
      for (const pair of [
        [p1, p2],
        [p1, p3],
        [p3, p2],
      ]) {
        expect(hex(ga07.encodeCiphertext(v.combineReEncryptionShares(params, commitment, ct, pair)))).toBe(
          kat.threshold.combined,
        );
      }
      const combined = ga07.decodeCiphertext(unhex(kat.threshold.combined));
      expect(sameBytes(ga07.decrypt(params, lab, combined), unhex(kat.record))).toBe(true);
    });
  });
}
