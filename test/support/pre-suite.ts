/**
 * The properties every IB-PRE scheme in medshare must have, run against any `PreScheme`.
 * Each test's name is the property it checks. Register a scheme with
 * `describePreScheme(scheme, { multiHop })` from a test file.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError } from '../../src/internal/errors.js';
import type { PreScheme, SetupResult } from '../../src/pre/types.js';
import { identitiesArb, recordArb, seedArb } from './arbitraries.js';
import { seededRandom } from './random.js';

export interface PreSuiteOptions {
  /** Whether a re-encrypted ciphertext can be re-encrypted again (huang2020 yes, ga07 no). */
  multiHop: boolean;
  /** Runs for the expensive properties (each run does several pairings). */
  runs?: number;
}

/** Flips bit `bit` of a copy of `bytes`. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >>> 3] = (out[bit >>> 3] as number) ^ (1 << (bit & 7));
  return out;
}

/**
 * Applies one of several mutations (bit flip, byte overwrite, truncation, extension) chosen by
 * fast-check, and returns the mutated bytes.
 */
export const mutationArb = (length: number): fc.Arbitrary<(b: Uint8Array) => Uint8Array> =>
  fc.oneof(
    fc.nat({ max: length * 8 - 1 }).map((bit) => (b: Uint8Array) => flipBit(b, bit)),
    fc.tuple(fc.nat({ max: length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => (b: Uint8Array) => {
      const out = b.slice();
      out[i] = v;
      return out;
    }),
    fc.nat({ max: length - 1 }).map((n) => (b: Uint8Array) => b.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra) => (b: Uint8Array) => {
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      return out;
    }),
  );

/** Registers the common properties for `scheme`; `label` prefixes the describe block (the backend, say). */
export function describePreScheme<P, M, S, R, C>(scheme: PreScheme<P, M, S, R, C>, options: PreSuiteOptions, label = ''): void {
  const runs = options.runs ?? 12;
  const assertProperty = <T>(property: fc.IPropertyWithHooks<T> | fc.IProperty<T>, numRuns = runs) =>
    fc.assert(property, { numRuns });

  describe(`${label ? `${label} ` : ''}${scheme.name}: common IB-PRE properties`, () => {
    let setup: SetupResult<P, M>;
    let params: P;
    const keys = new Map<string, S>();
    const keyFor = (id: string): S => {
      let sk = keys.get(id);
      if (sk === undefined) {
        sk = scheme.keyGen(params, setup.masterKey, id, { random: seededRandom(`key:${id}`) });
        keys.set(id, sk);
      }
      return sk;
    };

    beforeAll(() => {
      setup = scheme.setup({ random: seededRandom(`${scheme.name}-suite`) });
      params = setup.params;
    });

    it('decrypt(SK_ID, encrypt(ID, m)) = m for any identity and any record of 0 B to 1 MiB', () => {
      assertProperty(
        fc.property(identitiesArb(1), recordArb, seedArb, ([id], record, seed) => {
          const ct = scheme.encrypt(params, id as string, record, { random: seededRandom(seed) });
          expect(ct.scheme).toBe(scheme.name);
          expect(scheme.decrypt(params, keyFor(id as string), ct)).toEqual(record);
        }),
      );
    });

    it('the delegatee d decrypts reEncrypt(reKeyGen(SK_p, d), encrypt(p, m)) = m', () => {
      assertProperty(
        fc.property(identitiesArb(2), recordArb, seedArb, ([p, d], record, seed) => {
          const random = seededRandom(seed);
          const ct = scheme.encrypt(params, p as string, record, { random });
          const rk = scheme.reKeyGen(params, keyFor(p as string), d as string, { random });
          const shared = scheme.reEncrypt(params, rk, ct);
          expect(shared.sealed).toBe(ct.sealed); // re-encryption never touches the sealed record
          expect(scheme.decrypt(params, keyFor(d as string), shared)).toEqual(record);
        }),
      );
    });

    it('a third identity cannot decrypt the original or the re-encrypted ciphertext (DecryptionError)', () => {
      assertProperty(
        fc.property(identitiesArb(3), recordArb, seedArb, ([p, d, e], record, seed) => {
          const random = seededRandom(seed);
          const ct = scheme.encrypt(params, p as string, record, { random });
          const shared = scheme.reEncrypt(params, scheme.reKeyGen(params, keyFor(p as string), d as string, { random }), ct);
          expect(() => scheme.decrypt(params, keyFor(e as string), ct)).toThrow(DecryptionError);
          expect(() => scheme.decrypt(params, keyFor(e as string), shared)).toThrow(DecryptionError);
          expect(() => scheme.decrypt(params, keyFor(d as string), ct)).toThrow(DecryptionError);
        }),
        Math.ceil(runs / 2),
      );
    });

    if (options.multiHop) {
      it('multi-hop: p -> d -> e, the second delegatee decrypts and the first no longer can', () => {
        assertProperty(
          fc.property(identitiesArb(3), recordArb, seedArb, ([p, d, e], record, seed) => {
            const random = seededRandom(seed);
            const ct = scheme.encrypt(params, p as string, record, { random });
            const toD = scheme.reEncrypt(params, scheme.reKeyGen(params, keyFor(p as string), d as string, { random }), ct);
            const toE = scheme.reEncrypt(params, scheme.reKeyGen(params, keyFor(d as string), e as string, { random }), toD);
            expect(scheme.decrypt(params, keyFor(e as string), toE)).toEqual(record);
            expect(() => scheme.decrypt(params, keyFor(d as string), toE)).toThrow(DecryptionError);
          }),
          Math.ceil(runs / 2),
        );
      });
    }

    describe('tampering', () => {
      let ids: [string, string];
      let record: Uint8Array;
      let original: Uint8Array;
      let reEncrypted: Uint8Array;
      beforeAll(() => {
        ids = ['patient:tamper', 'institute:tamper'];
        record = new TextEncoder().encode('blood type O-, HbA1c 6.1%');
        const random = seededRandom('tamper');
        const ct = scheme.encrypt(params, ids[0], record, { random });
        original = scheme.encodeCiphertext(ct);
        reEncrypted = scheme.encodeCiphertext(
          scheme.reEncrypt(params, scheme.reKeyGen(params, keyFor(ids[0]), ids[1], { random }), ct),
        );
      });

      const openBytes = (bytes: Uint8Array, id: string) => scheme.decrypt(params, keyFor(id), scheme.decodeCiphertext(bytes));

      it('the untampered encodings open (control for the bit-flip properties)', () => {
        expect(openBytes(original, ids[0])).toEqual(record);
        expect(openBytes(reEncrypted, ids[1])).toEqual(record);
      });

      it('any flipped bit of an encoded original ciphertext makes decode or decrypt throw a typed error', () => {
        assertProperty(
          fc.property(fc.nat({ max: original.length * 8 - 1 }), (bit) => {
            expectTypedOrDecryptionError(() => openBytes(flipBit(original, bit), ids[0]));
          }),
          60,
        );
      });

      it('any flipped bit of an encoded re-encrypted ciphertext makes decode or decrypt throw a typed error', () => {
        assertProperty(
          fc.property(fc.nat({ max: reEncrypted.length * 8 - 1 }), (bit) => {
            expectTypedOrDecryptionError(() => openBytes(flipBit(reEncrypted, bit), ids[1]));
          }),
          60,
        );
      });
    });

    describe('encodings', () => {
      it('params, master key, secret key, re-encryption key and ciphertext round-trip through bytes', () => {
        assertProperty(
          fc.property(identitiesArb(2), fc.uint8Array({ maxLength: 300 }), seedArb, ([p, d], record, seed) => {
            const random = seededRandom(seed);
            const params2 = scheme.decodeParams(scheme.encodeParams(params));
            expect(scheme.encodeParams(params2)).toEqual(scheme.encodeParams(params));
            const master2 = scheme.decodeMasterKey(scheme.encodeMasterKey(setup.masterKey));
            expect(scheme.encodeMasterKey(master2)).toEqual(scheme.encodeMasterKey(setup.masterKey));
            const skBytes = scheme.encodeSecretKey(keyFor(p as string));
            const sk2 = scheme.decodeSecretKey(skBytes);
            expect(scheme.encodeSecretKey(sk2)).toEqual(skBytes);
            const rk = scheme.reKeyGen(params, keyFor(p as string), d as string, { random });
            const rkBytes = scheme.encodeReKey(rk);
            const rk2 = scheme.decodeReKey(rkBytes);
            expect(scheme.encodeReKey(rk2)).toEqual(rkBytes);
            const ct = scheme.encrypt(params2, p as string, record, { random });
            const ctBytes = scheme.encodeCiphertext(ct);
            const ct2 = scheme.decodeCiphertext(ctBytes);
            expect(scheme.encodeCiphertext(ct2)).toEqual(ctBytes);
            // decoded objects behave like the originals
            expect(scheme.decrypt(params2, sk2, ct2)).toEqual(record);
            const shared = scheme.reEncrypt(params2, rk2, ct2);
            const sharedBytes = scheme.encodeCiphertext(shared);
            expect(scheme.encodeCiphertext(scheme.decodeCiphertext(sharedBytes))).toEqual(sharedBytes);
            expect(scheme.decrypt(params, keyFor(d as string), scheme.decodeCiphertext(sharedBytes))).toEqual(record);
          }),
          Math.ceil(runs / 2),
        );
      });

      type Codec = {
        name: string;
        sample: () => Uint8Array;
        decode: (b: Uint8Array) => unknown;
        encode: (x: never) => Uint8Array;
      };
      const codecs = (): Codec[] => {
        const random = seededRandom('codecs');
        const p = 'patient:codec';
        const d = 'institute:codec';
        const ct = scheme.encrypt(params, p, new Uint8Array([1, 2, 3]), { random });
        const rk = scheme.reKeyGen(params, keyFor(p), d, { random });
        return [
          {
            name: 'params',
            sample: () => scheme.encodeParams(params),
            decode: scheme.decodeParams,
            encode: scheme.encodeParams as never,
          },
          {
            name: 'master key',
            sample: () => scheme.encodeMasterKey(setup.masterKey),
            decode: scheme.decodeMasterKey,
            encode: scheme.encodeMasterKey as never,
          },
          {
            name: 'secret key',
            sample: () => scheme.encodeSecretKey(keyFor(p)),
            decode: scheme.decodeSecretKey,
            encode: scheme.encodeSecretKey as never,
          },
          {
            name: 're-encryption key',
            sample: () => scheme.encodeReKey(rk),
            decode: scheme.decodeReKey,
            encode: scheme.encodeReKey as never,
          },
          {
            name: 'ciphertext',
            sample: () => scheme.encodeCiphertext(ct),
            decode: scheme.decodeCiphertext,
            encode: scheme.encodeCiphertext as never,
          },
          {
            name: 're-encrypted ciphertext',
            sample: () => scheme.encodeCiphertext(scheme.reEncrypt(params, rk, ct)),
            decode: scheme.decodeCiphertext,
            encode: scheme.encodeCiphertext as never,
          },
        ];
      };

      it('every decoder rejects values that are not a Uint8Array with TypeError', () => {
        for (const codec of codecs()) {
          for (const bad of [undefined, null, 'bytes', 42, [1, 2, 3], {}, new ArrayBuffer(8), new Uint16Array(4)]) {
            expect(() => codec.decode(bad as never), codec.name).toThrow(TypeError);
          }
        }
      });

      it('every decoder rejects random bytes of any length with RangeError', () => {
        const all = codecs();
        assertProperty(
          fc.property(fc.constantFrom(...all), fc.uint8Array({ maxLength: 2000, size: 'max' }), (codec, bytes) => {
            expect(() => codec.decode(bytes)).toThrow(RangeError);
          }),
          200,
        );
      });

      it('random bytes behind a valid header are rejected with RangeError or decode to an object that re-encodes to exactly those bytes', () => {
        const all = codecs();
        let decodedCount = 0;
        assertProperty(
          fc.property(fc.constantFrom(...all), fc.uint8Array({ maxLength: 2000, size: 'max' }), (codec, tail) => {
            const bytes = new Uint8Array(3 + tail.length);
            bytes.set(codec.sample().subarray(0, 3));
            bytes.set(tail, 3);
            let decoded: unknown;
            try {
              decoded = codec.decode(bytes);
            } catch (e) {
              expect(e, `${codec.name}: ${String(e)}`).toBeInstanceOf(RangeError);
              return;
            }
            decodedCount++;
            expect(codec.encode(decoded as never), codec.name).toEqual(bytes);
          }),
          100,
        );
        // Random tails almost never form a valid object, except a bare scalar (a master key).
        expect(decodedCount).toBeLessThan(100);
      });

      it('a mutated encoding either is rejected with RangeError or decodes to an object that re-encodes to exactly those bytes', () => {
        for (const codec of codecs()) {
          const sample = codec.sample();
          assertProperty(
            fc.property(mutationArb(sample.length), (mutate) => {
              const bytes = mutate(sample);
              let decoded: unknown;
              try {
                decoded = codec.decode(bytes);
              } catch (e) {
                expect(e, `${codec.name}: ${String(e)}`).toBeInstanceOf(RangeError);
                return;
              }
              expect(codec.encode(decoded as never), codec.name).toEqual(bytes);
            }),
            codec.name.includes('secret') ? 15 : 40,
          );
        }
      });
    });
  });
}

/** Decode errors are RangeError; a decodable but altered ciphertext must fail with DecryptionError. */
export function expectTypedOrDecryptionError(f: () => unknown): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'altered ciphertext opened').toBeDefined();
  expect(thrown instanceof RangeError || thrown instanceof DecryptionError, `unexpected error: ${String(thrown)}`).toBe(true);
}
