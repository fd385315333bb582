/**
 * Cross-backend properties: objects move between the noble and mcl backends through their byte
 * encodings, and every operation gives the same bytes and the same results on either.
 *
 * Properties, each over random identities, records and seeds:
 * - same bytes: the same seed gives byte-identical params, keys, ciphertexts, re-encryption keys,
 *   re-encryptions, shares, commitments, partials and signatures on both backends;
 * - mixed pipelines: encrypt on one, re-encrypt on the other, decrypt on either; re-encryption
 *   keys, shares and partials made on one and used on the other; AuthSign signatures made on one
 *   and verified on the other; huang2020 likewise.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Kit, MCL, NOBLE } from './support/backends.js';
import { seededRandom } from '../src/testing/random.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const identity = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });
const twoIdentities = fc.uniqueArray(identity, { minLength: 2, maxLength: 2 }) as fc.Arbitrary<[string, string]>;
const record = fc.uint8Array({ maxLength: 2000 });
const seed = fc.string({ minLength: 1, maxLength: 12 });
/** Both orders: (encrypting backend, transforming backend). */
const direction = fc.constantFrom<[Kit, Kit]>([NOBLE, MCL], [MCL, NOBLE]);

describe('cross-backend: noble and mcl give the same bytes', () => {
  it('property: for any seed, identities and record, every ga07 object and AuthSign signature is byte-identical on both backends', () => {
    fc.assert(
      fc.property(seed, twoIdentities, record, (s, [from, to], data) => {
        const run = (K: Kit) => {
          const { ga07, ga07Verifiable: v, authSign } = K;
          const { params, masterKey } = ga07.setup({ random: seededRandom(`${s}/setup`) });
          const alice = ga07.keyGen(params, masterKey, from);
          const ct = ga07.encrypt(params, from, data, { random: seededRandom(`${s}/encrypt`) });
          const rk = ga07.reKeyGen(params, alice, to, { random: seededRandom(`${s}/rk`) });
          const shared = ga07.reEncrypt(params, rk, ct);
          const { shares, commitment } = v.reKeyGenShares(params, alice, to, {
            threshold: 2,
            total: 3,
            random: seededRandom(`${s}/shares`),
          });
          const partial = v.reEncryptShare(params, shares[2] as (typeof shares)[number], ct, { random: seededRandom(`${s}/p`) });
          const sp = authSign.setup({ random: seededRandom(`${s}/sign`) });
          const signature = authSign.authSign(authSign.keyGen(sp.params, sp.masterKey, from), data, {
            random: seededRandom(`${s}/sig`),
          });
          return [
            ga07.encodeParams(params),
            ga07.encodeSecretKey(alice),
            ga07.encodeCiphertext(ct),
            ga07.encodeReKey(rk),
            ga07.encodeCiphertext(shared),
            v.encodeReKeyShare(shares[1] as (typeof shares)[number]),
            v.encodeReKeyCommitment(commitment),
            v.encodeReEncryptionShare(partial),
            authSign.encodeParams(sp.params),
            signature,
          ].map(hex);
        };
        expect(run(MCL)).toEqual(run(NOBLE));
      }),
      { numRuns: 4 },
    );
  });
});

describe('cross-backend: mixed pipelines', () => {
  it('property: encrypt on one backend, re-encrypt on the other, and both backends decrypt both ciphertexts', () => {
    fc.assert(
      fc.property(direction, seed, twoIdentities, record, ([A, B], s, [from, to], data) => {
        const a = A.ga07;
        const b = B.ga07;
        const setup = a.setup({ random: seededRandom(s) });
        const paramsB = b.decodeParams(a.encodeParams(setup.params));
        const masterKey = b.decodeMasterKey(a.encodeMasterKey(setup.masterKey));
        const ct = a.encrypt(setup.params, from, data, { random: seededRandom(`${s}/ct`) });
        // The delegator's key made on B, the re-encryption key on B, the proxy on B.
        const aliceB = b.keyGen(paramsB, masterKey, from);
        const rk = b.reKeyGen(paramsB, aliceB, to, { random: seededRandom(`${s}/rk`) });
        const sharedB = b.reEncrypt(paramsB, rk, b.decodeCiphertext(a.encodeCiphertext(ct)));
        // The delegatee decrypts on either backend; the delegator decrypts the original on either.
        const bobA = a.keyGen(setup.params, setup.masterKey, to);
        expect(a.decrypt(setup.params, bobA, a.decodeCiphertext(b.encodeCiphertext(sharedB)))).toEqual(data);
        expect(b.decrypt(paramsB, b.keyGen(paramsB, masterKey, to), sharedB)).toEqual(data);
        expect(b.decrypt(paramsB, aliceB, b.decodeCiphertext(a.encodeCiphertext(ct)))).toEqual(data);
        // A re-encryption key made on A works on B's proxy, and the result decrypts on A.
        const rkA = a.reKeyGen(setup.params, a.keyGen(setup.params, setup.masterKey, from), to, {
          random: seededRandom(`${s}/rkA`),
        });
        const viaB = b.reEncrypt(paramsB, b.decodeReKey(a.encodeReKey(rkA)), b.decodeCiphertext(a.encodeCiphertext(ct)));
        expect(a.decrypt(setup.params, bobA, a.decodeCiphertext(b.encodeCiphertext(viaB)))).toEqual(data);
      }),
      { numRuns: 4 },
    );
  });

  it('property: verifiable shares across backends - shares made on one, partials on both, combined and decrypted on either', () => {
    fc.assert(
      fc.property(direction, seed, twoIdentities, fc.integer({ min: 1, max: 4 }), ([A, B], s, [from, to], extra) => {
        const total = 1 + extra;
        const threshold = 1 + (extra % total);
        const data = new TextEncoder().encode(`record ${s}`);
        const setup = A.ga07.setup({ random: seededRandom(s) });
        const alice = A.ga07.keyGen(setup.params, setup.masterKey, from);
        const ct = A.ga07.encrypt(setup.params, from, data, { random: seededRandom(`${s}/ct`) });
        const { shares, commitment } = A.ga07Verifiable.reKeyGenShares(setup.params, alice, to, {
          threshold,
          total,
          random: seededRandom(`${s}/shares`),
        });
        // Every other proxy runs on B (its share and the ciphertext arrive as bytes).
        const paramsB = B.ga07.decodeParams(A.ga07.encodeParams(setup.params));
        const ctB = B.ga07.decodeCiphertext(A.ga07.encodeCiphertext(ct));
        const partialBytes = shares.map((share, i) =>
          i % 2 === 0
            ? A.ga07Verifiable.encodeReEncryptionShare(A.ga07Verifiable.reEncryptShare(setup.params, share, ct))
            : B.ga07Verifiable.encodeReEncryptionShare(
                B.ga07Verifiable.reEncryptShare(
                  paramsB,
                  B.ga07Verifiable.decodeReKeyShare(A.ga07Verifiable.encodeReKeyShare(share)),
                  ctB,
                ),
              ),
        );
        for (const K of [A, B]) {
          const params = K.ga07.decodeParams(A.ga07.encodeParams(setup.params));
          const com = K.ga07Verifiable.decodeReKeyCommitment(A.ga07Verifiable.encodeReKeyCommitment(commitment));
          const original = K.ga07.decodeCiphertext(A.ga07.encodeCiphertext(ct));
          const partials = partialBytes.map((p) => K.ga07Verifiable.decodeReEncryptionShare(p));
          for (const p of partials) expect(K.ga07Verifiable.verifyReEncryptionShare(params, com, original, p)).toBe(true);
          const bob = K.ga07.keyGen(params, K.ga07.decodeMasterKey(A.ga07.encodeMasterKey(setup.masterKey)), to);
          expect(K.ga07Verifiable.verifyReKeyCommitment(params, bob, com)).toBe(true);
          const shared = K.ga07Verifiable.combineReEncryptionShares(params, com, original, partials.slice(-threshold));
          expect(K.ga07.decrypt(params, bob, shared)).toEqual(data);
        }
      }),
      { numRuns: 3 },
    );
  });

  it('property: an AuthSign signature made on one backend verifies on the other, and a changed message does not', () => {
    fc.assert(
      fc.property(direction, seed, identity, fc.uint8Array({ minLength: 1, maxLength: 300 }), ([A, B], s, id, message) => {
        const { params, masterKey } = A.authSign.setup({ random: seededRandom(s) });
        const key = A.authSign.keyGen(params, masterKey, id);
        const signature = A.authSign.authSign(key, message, { random: seededRandom(`${s}/sig`) });
        const paramsB = B.authSign.decodeParams(A.authSign.encodeParams(params));
        expect(B.authSign.authVerify(paramsB, id, message, signature)).toBe(true);
        const changed = message.slice();
        changed[0] = (changed[0] as number) ^ 1;
        expect(B.authSign.authVerify(paramsB, id, changed, signature)).toBe(false);
        // and the signing key itself moves across
        const keyB = B.authSign.decodeSigningKey(A.authSign.encodeSigningKey(key));
        expect(A.authSign.authVerify(params, id, message, B.authSign.authSign(keyB, message))).toBe(true);
      }),
      { numRuns: 5 },
    );
  });

  it('property: huang2020 ciphertexts, re-encryption keys and secret keys move between backends: re-encrypted on one, decrypted on either', () => {
    fc.assert(
      fc.property(direction, seed, twoIdentities, record, ([A, B], s, [from, to], data) => {
        const random = seededRandom(s);
        const setup = A.huang2020.setup({ random });
        const alice = A.huang2020.keyGen(setup.params, setup.masterKey, from, { random });
        const ct = A.huang2020.encrypt(setup.params, from, data, { random });
        const rk = A.huang2020.reKeyGen(setup.params, alice, to, { random });
        const paramsB = B.huang2020.decodeParams(A.huang2020.encodeParams(setup.params));
        const shared = B.huang2020.reEncrypt(
          paramsB,
          B.huang2020.decodeReKey(A.huang2020.encodeReKey(rk)),
          B.huang2020.decodeCiphertext(A.huang2020.encodeCiphertext(ct)),
        );
        const bob = A.huang2020.keyGen(setup.params, setup.masterKey, to, { random });
        expect(
          A.huang2020.decrypt(setup.params, bob, A.huang2020.decodeCiphertext(B.huang2020.encodeCiphertext(shared))),
        ).toEqual(data);
        expect(B.huang2020.decrypt(paramsB, B.huang2020.decodeSecretKey(A.huang2020.encodeSecretKey(bob)), shared)).toEqual(data);
      }),
      { numRuns: 3 },
    );
  });
});
