/**
 * AuthSign (Cha-Cheon IBS, docs/schemes.md section 4): the shipped laws of medshare/testing
 * (completeness; any change to the message, the identity or a signature byte makes verification
 * return false; other PKG; encodings and mutated encodings), and the caller-mistake checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Groups } from '../src/backend/types.js';
import type { AuthSignMasterKey, AuthSignParams } from '../src/sign/index.js';
import { KITS } from './support/backends.js';
import { authSignProperties } from '../src/testing/index.js';
import { describeLaws } from './support/laws.js';
import { seededRandom } from '../src/testing/random.js';

for (const K of KITS) {
  describeLaws(`${K.label} AuthSign laws (medshare/testing)`, () => authSignProperties(K.authSign));

  const { authSign, authVerify, keyGen, setup } = K.authSign;

  describe(`${K.label} AuthSign (Cha-Cheon identity-based signature)`, () => {
    let params: AuthSignParams<Groups>;
    let masterKey: AuthSignMasterKey;
    beforeAll(() => {
      ({ params, masterKey } = setup({ random: seededRandom('authsign') }));
    });

    it('malformed signatures return false: wrong length, identity points (random bytes: a law)', () => {
      const message = new Uint8Array([1, 2, 3]);
      const good = authSign(keyGen(params, masterKey, 'alice'), message);
      expect(authVerify(params, 'alice', message, good.subarray(0, 95))).toBe(false);
      expect(authVerify(params, 'alice', message, new Uint8Array(97))).toBe(false);
      const infinity = new Uint8Array(96);
      infinity[0] = 0xc0;
      infinity[48] = 0xc0;
      expect(authVerify(params, 'alice', message, infinity)).toBe(false);
    });

    it('caller mistakes throw TypeError; an invalid identity throws RangeError', () => {
      const sk = keyGen(params, masterKey, 'alice');
      const sig = authSign(sk, new Uint8Array(1));
      expect(() => authSign(sk, 'text' as never)).toThrow(TypeError);
      expect(() => authSign({} as never, new Uint8Array(1))).toThrow(TypeError);
      expect(() => authVerify(params, 'alice', [1] as never, sig)).toThrow(TypeError);
      expect(() => authVerify(params, 'alice', new Uint8Array(1), 'sig' as never)).toThrow(TypeError);
      expect(() => authVerify({} as never, 'alice', new Uint8Array(1), sig)).toThrow(TypeError);
      expect(() => authVerify(params, 7 as never, new Uint8Array(1), sig)).toThrow(TypeError);
      expect(() => authVerify(params, '', new Uint8Array(1), sig)).toThrow(RangeError);
    });

    it('signing is randomized but deterministic for a given RandomSource', () => {
      const sk = keyGen(params, masterKey, 'alice');
      const m = new Uint8Array([9]);
      expect(authSign(sk, m, { random: seededRandom(1) })).toEqual(authSign(sk, m, { random: seededRandom(1) }));
      expect(authSign(sk, m, { random: seededRandom(1) })).not.toEqual(authSign(sk, m, { random: seededRandom(2) }));
    });
  });
}
