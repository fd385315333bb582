/**
 * @module
 * One object of every kind medshare/pre and medshare/sign define, from a fixed seed: ga07
 * params, keys, original and re-encrypted ciphertexts, a 2-of-2 shared re-encryption key with
 * its commitment and a partial; the same for huang2020; AuthSign keys and a signature. For the
 * suites that exercise every decoder or every argument position, on any backend (the bytes are
 * the same on every backend for the same seed).
 */
import { type Kit, NOBLE } from './backends.js';
import { ALICE, BOB, makeFixture } from './ga07-fixture.js';
import { seededRandom } from '../../src/testing/random.js';

/** Builds every object from the seed with the schemes of `kit` (a few hundred milliseconds). */
export function makePreSignObjects(seed: string, kit: Kit = NOBLE) {
  const { ga07, ga07Verifiable: v, huang2020, authSign: sign } = kit;
  const random = seededRandom(seed);
  const { params, masterKey, alice, bob } = makeFixture(undefined, ga07);
  const record = new TextEncoder().encode('{"hba1c": 6.1}');
  const ct = ga07.encrypt(params, ALICE, record, { random });
  const rk = ga07.reKeyGen(params, alice, BOB, { random });
  const shared = ga07.reEncrypt(params, rk, ct);
  const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, { threshold: 2, total: 2, random });
  const share = shares[0] as (typeof shares)[number];
  const partial = v.reEncryptShare(params, share, ct, { random });
  const h = huang2020.setup({ random });
  const hAlice = huang2020.keyGen(h.params, h.masterKey, ALICE, { random });
  const hBob = huang2020.keyGen(h.params, h.masterKey, BOB, { random });
  const hRk = huang2020.reKeyGen(h.params, hAlice, BOB, { random });
  const hCt = huang2020.encrypt(h.params, ALICE, record, { random });
  const s = sign.setup({ random });
  const signingKey = sign.keyGen(s.params, s.masterKey, ALICE);
  const message = new TextEncoder().encode('record commitment 0x12ab');
  const signature = sign.authSign(signingKey, message, { random });
  return {
    random,
    record,
    ga07: { params, masterKey, alice, bob, ct, rk, shared, share, commitment, partial },
    huang2020: { params: h.params, masterKey: h.masterKey, alice: hAlice, bob: hBob, rk: hRk, ct: hCt },
    sign: { params: s.params, masterKey: s.masterKey, signingKey, message, signature },
  };
}
