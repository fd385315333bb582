/**
 * AuthSign (Cha-Cheon IBS, docs/schemes.md section 4): completeness, and that any change to the
 * message, the identity or a signature byte makes verification return false.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Groups } from '../src/backend/types.js';
import { type AuthSignMasterKey, type AuthSignParams, SIGNATURE_BYTES } from '../src/sign/index.js';
import { KITS } from './support/backends.js';
import { identitiesArb, seedArb } from './support/arbitraries.js';
import { flipBit, mutationArb } from './support/pre-suite.js';
import { seededRandom } from './support/random.js';

for (const K of KITS) {
  const {
    authSign,
    authVerify,
    decodeMasterKey,
    decodeParams,
    decodeSigningKey,
    encodeMasterKey,
    encodeParams,
    encodeSigningKey,
    keyGen,
    setup,
  } = K.authSign;

  describe(`${K.label} AuthSign (Cha-Cheon identity-based signature)`, () => {
    let params: AuthSignParams<Groups>;
    let masterKey: AuthSignMasterKey;
    beforeAll(() => {
      ({ params, masterKey } = setup({ random: seededRandom('authsign') }));
    });

    it('completeness: authVerify(ID, m, authSign(SK_ID, m)) is true for any identity and message', () => {
      fc.assert(
        fc.property(identitiesArb(1), fc.uint8Array({ maxLength: 4096, size: 'max' }), seedArb, ([id], message, seed) => {
          const sk = keyGen(params, masterKey, id as string);
          const signature = authSign(sk, message, { random: seededRandom(seed) });
          expect(signature.length).toBe(SIGNATURE_BYTES);
          expect(authVerify(params, id as string, message, signature)).toBe(true);
        }),
        { numRuns: 15 },
      );
    });

    it('a changed message, another identity, or any flipped signature bit makes authVerify return false', () => {
      fc.assert(
        fc.property(
          identitiesArb(2),
          fc.uint8Array({ minLength: 1, maxLength: 512 }),
          fc.nat(),
          fc.nat({ max: SIGNATURE_BYTES * 8 - 1 }),
          seedArb,
          ([id, other], message, at, bit, seed) => {
            const signature = authSign(keyGen(params, masterKey, id as string), message, { random: seededRandom(seed) });
            expect(authVerify(params, id as string, message, signature)).toBe(true); // control
            expect(authVerify(params, id as string, flipBit(message, at % (message.length * 8)), signature)).toBe(false);
            expect(authVerify(params, other as string, message, signature)).toBe(false);
            expect(authVerify(params, id as string, message, flipBit(signature, bit))).toBe(false);
          },
        ),
        { numRuns: 15 },
      );
    });

    it('a signature under another PKG (other master key) does not verify', () => {
      const other = setup({ random: seededRandom('other-pkg') });
      const message = new TextEncoder().encode('commitment');
      const signature = authSign(keyGen(other.params, other.masterKey, 'alice'), message);
      expect(authVerify(other.params, 'alice', message, signature)).toBe(true);
      expect(authVerify(params, 'alice', message, signature)).toBe(false);
    });

    it('malformed signatures return false: wrong length, identity points, random bytes', () => {
      const message = new Uint8Array([1, 2, 3]);
      const good = authSign(keyGen(params, masterKey, 'alice'), message);
      expect(authVerify(params, 'alice', message, good.subarray(0, 95))).toBe(false);
      expect(authVerify(params, 'alice', message, new Uint8Array(97))).toBe(false);
      const infinity = new Uint8Array(96);
      infinity[0] = 0xc0;
      infinity[48] = 0xc0;
      expect(authVerify(params, 'alice', message, infinity)).toBe(false);
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 96, maxLength: 96 }), (junk) => {
          expect(authVerify(params, 'alice', message, junk)).toBe(false);
        }),
        { numRuns: 50 },
      );
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

    it('params, master key and signing key round-trip; mutated encodings are rejected with RangeError or re-encode exactly', () => {
      const sk = keyGen(params, masterKey, 'patient:ünïcødé');
      const codecs = [
        { bytes: encodeParams(params), decode: decodeParams, encode: encodeParams as (x: never) => Uint8Array },
        { bytes: encodeMasterKey(masterKey), decode: decodeMasterKey, encode: encodeMasterKey as (x: never) => Uint8Array },
        { bytes: encodeSigningKey(sk), decode: decodeSigningKey, encode: encodeSigningKey as (x: never) => Uint8Array },
      ];
      for (const { bytes, decode, encode } of codecs) {
        expect(encode(decode(bytes) as never)).toEqual(bytes);
        expect(() => decode('x' as never)).toThrow(TypeError);
        fc.assert(
          fc.property(mutationArb(bytes.length), (mutate) => {
            const mutated = mutate(bytes);
            let decoded: unknown;
            try {
              decoded = decode(mutated);
            } catch (e) {
              expect(e).toBeInstanceOf(RangeError);
              return;
            }
            expect(encode(decoded as never)).toEqual(mutated);
          }),
          { numRuns: 40 },
        );
      }
      const decodedKey = decodeSigningKey(encodeSigningKey(sk));
      const m = new Uint8Array([4, 2]);
      expect(authVerify(decodeParams(encodeParams(params)), 'patient:ünïcødé', m, authSign(decodedKey, m))).toBe(true);
    });
  });
}
