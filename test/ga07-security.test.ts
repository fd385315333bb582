/**
 * ga07 security statements checked numerically, with honest framing: these tests show that the
 * attack that breaks huang2020 has no counterpart against ordinary ga07 keys, and they
 * demonstrate the limits the module documentation admits (collusion, key escrow). A test can
 * only show that particular manipulations fail; the confidentiality claim rests on the
 * Green-Ateniese proof (DBDH, random oracles), not on these tests.
 */
import { describe, expect, it } from 'vitest';
import type { Groups } from '../src/backend/types.js';
import { Fr } from '../src/internal/bls.js';
import { DecryptionError } from '../src/internal/errors.js';
import { type Ga07SecretKey, H2_DST } from '../src/pre/ga07.js';
import { KITS } from './support/backends.js';
import { huangKeyLeak } from './support/huang-attack.js';
import { seededRandom } from '../src/testing/random.js';
import { ALICE, BOB, makeFixture, sameBytes } from './support/ga07-fixture.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const secret = utf8('diagnosis: confidential');
const MALLORY = 'patient:mallory';

for (const K of KITS) {
  const { ga07, huang2020, gtDiv, gtEq, gtToBytes, hashToG1, pair } = K;
  const { decapsulate, hashGt, identityPoint } = K.core;

  describe(`${K.label} the huang2020 key-leak attack, and its analogue against ga07`, () => {
    it("huang2020 (contrast): one ordinary key holder computes h^d = D3^(1/B3), h^c, g^c and opens another identity's record", () => {
      const random = seededRandom('huang-attack');
      const { params, masterKey } = huang2020.setup({ random });
      const mallory = huang2020.keyGen(params, masterKey, MALLORY, { random });
      const ct = huang2020.encrypt(params, ALICE, secret, { random });
      expect(sameBytes(huangKeyLeak(mallory, ct, K), secret)).toBe(true);
    });

    it('ga07: an ordinary key holds no scalar to invert - it is one G1 point, sk = H1(ID)^s', () => {
      const f = makeFixture(undefined, ga07);
      const mallory = ga07.keyGen(f.params, f.masterKey, MALLORY);
      expect(Object.keys(mallory).sort()).toEqual(['identity', 'key', 'scheme']);
      expect(ga07.encodeSecretKey(mallory).length).toBe(3 + 2 + MALLORY.length + 48);
    });

    it("ga07: the analogous manipulations of one's own key (rescaling, shifting by H1 differences, combining with mpk) do not open another identity's ciphertext", () => {
      const f = makeFixture(undefined, ga07);
      const mallory = ga07.keyGen(f.params, f.masterKey, MALLORY);
      const ct = ga07.encrypt(f.params, ALICE, secret, { random: seededRandom('victim') });
      const capsule = ct.capsule;
      if (capsule.form !== 'original') throw new Error('expected an original capsule');
      const honest = decapsulate(f.alice, capsule); // the m the attacker is after
      const qM = identityPoint(MALLORY);
      const qA = identityPoint(ALICE);
      const candidates = [
        mallory.key,
        mallory.key.negate(),
        mallory.key.subtract(qM).add(qA), // shift by H1(A) - H1(M)
        mallory.key.add(qA),
        mallory.key.multiply(2n),
        mallory.key.multiply(Fr.inv(2n)),
        qA, // H1(A) itself, the "s = 1" guess
        mallory.key.add(qA.subtract(qM).multiply(12345n)),
      ];
      for (const key of candidates) {
        const forged: Ga07SecretKey<Groups> = { scheme: 'ga07', identity: ALICE, key };
        expect(gtEq(decapsulate(forged, capsule), honest)).toBe(false);
        expect(() => ga07.decrypt(f.params, forged, ct)).toThrow(DecryptionError);
      }
      // What an analogue of the huang2020 attack would have to produce is e(H1(A), mpk)^r. The
      // public pieces give e(H1(A), mpk) and C1 = h^r but never r; the key gives e(sk_M, C1)
      // = e(H1(M), mpk)^r, which is a different element.
      expect(gtEq(pair(mallory.key, capsule.C1), gtDiv(capsule.C2, honest))).toBe(false);
      expect(gtEq(pair(qA, f.params.mpk), gtDiv(capsule.C2, honest))).toBe(false);
    });
  });

  describe(`${K.label} ga07: what the documentation admits`, () => {
    it('known limitation - NOT collusion-resistant: the delegatee and the proxy together recover sk_1 = H2(X) - R3', () => {
      const f = makeFixture(undefined, ga07);
      const ct = ga07.encrypt(f.params, ALICE, secret);
      const rk = ga07.reKeyGen(f.params, f.alice, BOB); // held by the proxy
      const x = gtDiv(rk.R2, pair(f.bob.key, rk.R1)); // the delegatee opens (R1, R2)
      const recovered = hashToG1(H2_DST, gtToBytes(x)).subtract(rk.R3);
      expect(recovered.equals(f.alice.key)).toBe(true);
      expect(recovered.equals(hashGt(x).subtract(rk.R3))).toBe(true);
      const stolen: Ga07SecretKey<Groups> = { scheme: 'ga07', identity: ALICE, key: recovered };
      expect(sameBytes(ga07.decrypt(f.params, stolen, ct), secret)).toBe(true);
    });

    it('the proxy alone cannot decrypt: R3 (or -R3) is not a key for the delegator or the delegatee', () => {
      const f = makeFixture(undefined, ga07);
      const ct = ga07.encrypt(f.params, ALICE, secret);
      const rk = ga07.reKeyGen(f.params, f.alice, BOB);
      const shared = ga07.reEncrypt(f.params, rk, ct);
      for (const key of [rk.R3, rk.R3.negate()]) {
        for (const identity of [ALICE, BOB]) {
          const guess: Ga07SecretKey<Groups> = { scheme: 'ga07', identity, key };
          expect(() => ga07.decrypt(f.params, guess, ct)).toThrow(DecryptionError);
          expect(() => ga07.decrypt(f.params, guess, shared)).toThrow(DecryptionError);
        }
      }
      // What the proxy learns from its work is C2' / C2 = e(R3, C1), nothing about e(sk_1, C1).
      const c = ct.capsule;
      const s = shared.capsule;
      if (c.form !== 'original' || s.form !== 'reEncrypted') throw new Error('unexpected forms');
      expect(gtEq(gtDiv(s.C2, c.C2), pair(rk.R3, c.C1))).toBe(true);
    });

    it('known limitation - PKG key escrow: the master key derives every key and opens every ciphertext', () => {
      const f = makeFixture(undefined, ga07);
      const ct = ga07.encrypt(f.params, ALICE, secret);
      const shared = ga07.reEncrypt(f.params, ga07.reKeyGen(f.params, f.alice, BOB), ga07.encrypt(f.params, ALICE, secret));
      expect(sameBytes(ga07.decrypt(f.params, ga07.keyGen(f.params, f.masterKey, ALICE), ct), secret)).toBe(true);
      expect(sameBytes(ga07.decrypt(f.params, ga07.keyGen(f.params, f.masterKey, BOB), shared), secret)).toBe(true);
    });
  });
}
