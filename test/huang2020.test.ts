/**
 * huang2020: the paper's IB-PRE (Huang et al. 2020, section 4.2), corrected.
 * - the common IB-PRE properties (shared suite);
 * - each erratum of docs/schemes.md section 1.2 is needed: the printed formula fails;
 * - the key-leak attack: one ordinary key holder opens another identity's ciphertext.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Groups } from '../src/backend/types.js';
import { Fr, randomScalar } from '../src/internal/bls.js';
import { DecryptionError } from '../src/internal/errors.js';
import {
  type Huang2020Ciphertext as CiphertextOf,
  type Huang2020Params as ParamsOf,
  type Huang2020SecretKey as SecretKeyOf,
  huang2020 as nobleHuang2020,
  identityToScalar,
} from '../src/pre/huang2020.js';
import { huang2020 as fromEntry } from '../src/pre/index.js';
import { KITS } from './support/backends.js';

describe('huang2020: public entry', () => {
  it('the public entry exports the same frozen scheme object', () => {
    expect(fromEntry).toBe(nobleHuang2020);
    expect(Object.isFrozen(nobleHuang2020)).toBe(true);
  });
});

import { huangKeyLeak } from './support/huang-attack.js';
import { describePreScheme } from './support/pre-suite.js';
import { LAYOUTS } from '../src/testing/hostile.js';
import { seededRandom } from '../src/testing/random.js';

type Huang2020Ciphertext = CiphertextOf<Groups>;
type Huang2020Params = ParamsOf<Groups>;
type Huang2020SecretKey = SecretKeyOf<Groups>;

for (const K of KITS) {
  const { huang2020, G1Point, G2Point, gtDiv, gtEq, gtMul, gtPow, pair, Z } = K;
  const { encapsulate, decapsulate } = K.huang;

  describePreScheme(huang2020, { multiHop: true, layouts: LAYOUTS.huang2020 }, K.label);

  describe(`${K.label} huang2020: the three errata of the printed scheme (docs/schemes.md section 1.2)`, () => {
    let params: Huang2020Params;
    let patient: Huang2020SecretKey;
    let institute: Huang2020SecretKey;
    const random = seededRandom('errata');
    const P = 'patient:errata';
    const D = 'institute:errata';

    beforeAll(() => {
      const setup = huang2020.setup({ random });
      params = setup.params;
      patient = huang2020.keyGen(params, setup.masterKey, P, { random });
      institute = huang2020.keyGen(params, setup.masterKey, D, { random });
    });

    it('erratum 1: the printed Decrypt m = c1 * e(c2, A2) / c4^A1 misses exactly e(A3, c3); the corrected one recovers m', () => {
      const m = gtPow(Z(), randomScalar(random));
      const capsule = encapsulate(params, P, m, randomScalar(random), randomScalar(random));
      const printed = gtDiv(gtMul(capsule.c1, pair(capsule.c2, patient.A2)), gtPow(capsule.c4, patient.A1));
      expect(gtEq(printed, m)).toBe(false);
      // The printed result is m * Z^(-st): multiplying back e(A3, c3) = Z^(st) gives m.
      expect(gtEq(gtMul(printed, pair(patient.A3, capsule.c3)), m)).toBe(true);
      expect(gtEq(decapsulate(patient, capsule), m)).toBe(true);
    });

    /** ReKeyGen with identity scalar `id` in the formula (the printed text uses ID_p). */
    const reKeyWith = (sk: Huang2020SecretKey, id: bigint, k1: bigint, k2: bigint) => {
      const rk1 = Fr.add(Fr.add(Fr.mul(k1, sk.B3), sk.B1), Fr.mul(Fr.add(Fr.mul(k2, sk.B3), sk.B2), id));
      const rk2 = sk.D1.add(sk.D3.multiply(k1)).add(sk.D2.add(sk.D3.multiply(k2)).multiply(id));
      const rk2g = sk.D1g.add(sk.D3g.multiply(k1)).add(sk.D2g.add(sk.D3g.multiply(k2)).multiply(id));
      return { scheme: 'huang2020' as const, delegator: P, delegatee: D, rk1, rk2, rk2g };
    };

    it('erratum 2: ReKeyGen over ID_p (as printed) leaves the delegatee unable to decrypt; over ID_d it works', () => {
      const record = new TextEncoder().encode('erratum 2');
      const ct = huang2020.encrypt(params, P, record, { random });
      const [k1, k2] = [randomScalar(random), randomScalar(random)];
      const printed = reKeyWith(patient, identityToScalar(P), k1, k2);
      expect(() => huang2020.decrypt(params, institute, huang2020.reEncrypt(params, printed, ct))).toThrow(DecryptionError);
      const corrected = reKeyWith(patient, identityToScalar(D), k1, k2);
      expect(huang2020.decrypt(params, institute, huang2020.reEncrypt(params, corrected, ct))).toEqual(record);
    });

    it('erratum 3: the printed ReEncrypt passes c4 through (its c3^k1 / e(c2, rk2) mixes G2 with GT and needs k1); the delegatee cannot decrypt that', () => {
      const record = new TextEncoder().encode('erratum 3');
      const ct = huang2020.encrypt(params, P, record, { random });
      const rk = huang2020.reKeyGen(params, patient, D, { random });
      // What the printed algorithm outputs for the ciphertext's GT parts: c1 and c4 unchanged
      // (its c'3 is not an element of any group the scheme has).
      const printed: Huang2020Ciphertext = { ...ct, capsule: { ...ct.capsule } };
      expect(() => huang2020.decrypt(params, institute, printed)).toThrow(DecryptionError);
      // The corrected c'4 = c4^rk1 / (e(c2, rk2) * e(rk2', c3)) is Z^((a + b*ID_d)(r+s)).
      const corrected = huang2020.reEncrypt(params, rk, ct);
      expect(gtEq(corrected.capsule.c4, ct.capsule.c4)).toBe(false);
      expect(huang2020.decrypt(params, institute, corrected)).toEqual(record);
    });

    it('the corrected re-encryption yields c4 = Z^((a + b*ID_d)(r+s)), an ordinary ciphertext for ID_d', () => {
      const setup = huang2020.setup({ random });
      const { a, b } = setup.masterKey;
      const sk = huang2020.keyGen(setup.params, setup.masterKey, P, { random });
      const [r, s] = [randomScalar(random), randomScalar(random)];
      const capsule = encapsulate(setup.params, P, Z(), r, s);
      const rk = huang2020.reKeyGen(setup.params, sk, D, { random });
      const re = huang2020.reEncrypt(setup.params, rk, {
        scheme: 'huang2020',
        recipient: P,
        capsule,
        sealed: new Uint8Array(16),
      });
      const expected = gtPow(Z(), Fr.mul(Fr.add(a, Fr.mul(b, identityToScalar(D))), Fr.add(r, s)));
      expect(gtEq(re.capsule.c4, expected)).toBe(true);
    });
  });

  describe(`${K.label} huang2020: security finding - any key holder opens every ciphertext (docs/schemes.md section 1.4)`, () => {
    it('a holder of one ordinary key recovers h^c and g^c and opens a record encrypted to another identity', () => {
      const random = seededRandom('attack');
      const { params, masterKey } = huang2020.setup({ random });
      const mallory = huang2020.keyGen(params, masterKey, 'mallory', { random }); // any registered user
      const record = new TextEncoder().encode('HIV status: positive');
      const ct = huang2020.encrypt(params, 'patient:victim', record, { random });

      // Mallory uses only her own key (test/support/huang-attack.ts has the derivation).
      expect(huangKeyLeak(mallory, ct, K)).toEqual(record);
      // Control: Mallory's key does not open the ciphertext the honest way.
      expect(() => huang2020.decrypt(params, mallory, ct)).toThrow(DecryptionError);
    });
  });

  describe(`${K.label} huang2020: API and argument checks`, () => {
    it('setup and keyGen are deterministic for a given RandomSource', () => {
      const a = huang2020.setup({ random: seededRandom(7) });
      const b = huang2020.setup({ random: seededRandom(7) });
      expect(huang2020.encodeParams(a.params)).toEqual(huang2020.encodeParams(b.params));
      const c = huang2020.setup({ random: seededRandom(8) });
      expect(huang2020.encodeParams(a.params)).not.toEqual(huang2020.encodeParams(c.params));
    });

    it('bad identities, records and objects are refused with TypeError or RangeError', () => {
      const random = seededRandom('args');
      const { params, masterKey } = huang2020.setup({ random });
      expect(() => huang2020.keyGen(params, masterKey, '', { random })).toThrow(RangeError);
      expect(() => huang2020.keyGen(params, masterKey, 'x'.repeat(1025), { random })).toThrow(RangeError);
      expect(() => huang2020.keyGen(params, masterKey, '\uD800', { random })).toThrow(RangeError);
      expect(() => huang2020.keyGen(params, masterKey, 42 as never, { random })).toThrow(TypeError);
      expect(() => huang2020.encrypt(params, 'a', 'not bytes' as never, { random })).toThrow(TypeError);
      expect(() => huang2020.encrypt({ scheme: 'ga07' } as never, 'a', new Uint8Array(1), { random })).toThrow(TypeError);
      expect(() => huang2020.encrypt(params, 'a', new Uint8Array(1), { random: (() => new Uint8Array(1)) as never })).toThrow(
        RangeError,
      );
    });

    it('a secret key whose G1 copy does not match its G2 element is refused on decode', () => {
      const random = seededRandom('mismatch');
      const { params, masterKey } = huang2020.setup({ random });
      const sk = huang2020.keyGen(params, masterKey, 'p', { random });
      const forged = { ...sk, D3g: G1Point.BASE.multiply(5n) };
      expect(() => huang2020.decodeSecretKey(huang2020.encodeSecretKey(forged))).toThrow(/D3g\/D3/);
      const rk = huang2020.reKeyGen(params, sk, 'd', { random });
      const forgedRk = { ...rk, rk2: G2Point.BASE.multiply(5n) };
      expect(() => huang2020.decodeReKey(huang2020.encodeReKey(forgedRk))).toThrow(/rk2/);
    });
  });
}
