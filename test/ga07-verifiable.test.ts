/**
 * Verifiable and threshold re-encryption for ga07 (src/pre/ga07-verifiable.ts): completeness,
 * soundness of the Fiat-Shamir proof against the cheating proxies we can build, and t-of-n
 * threshold behaviour.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Groups } from '../src/backend/types.js';
import { DecryptionError, ProofError } from '../src/internal/errors.js';
import type { Ga07Ciphertext as CiphertextOf } from '../src/pre/ga07.js';
import {
  type Ga07ReEncryptionShare as PartialOf,
  type Ga07ReKeyShare as ShareOf,
  lagrangeAtZero,
  MAX_SHARES,
} from '../src/pre/ga07-verifiable.js';
import { KITS } from './support/backends.js';
import { describeLaws } from './support/laws.js';
import { verifiableProperties } from '../src/testing/index.js';

import { seededRandom } from '../src/testing/random.js';
import { ALICE, BOB, CAROL, makeFixture, sameBytes } from './support/ga07-fixture.js';

type G2 = Groups['G2'];
type GT = Groups['GT'];
type Ga07Ciphertext = CiphertextOf<Groups>;
type Ga07ReEncryptionShare = PartialOf<Groups>;
type Ga07ReKeyShare = ShareOf<Groups>;

for (const K of KITS) {
  describeLaws(`${K.label} ga07 verifiable laws (medshare/testing)`, () => verifiableProperties(K));

  const { ga07, ga07Verifiable: v, G1Point, G2Point, GT_ONE, gtDiv, gtEq, gtMul, gtPow, pair, Z } = K;
  const { hashGt } = K.core;

  const f = makeFixture(undefined, ga07);
  const { params, alice, bob, carol } = f;
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const record = utf8('{"hba1c": 6.1}');
  const ct = ga07.encrypt(params, ALICE, record, { random: seededRandom('v-ct') });
  const otherCt = ga07.encrypt(params, ALICE, record, { random: seededRandom('v-ct-2') });

  function at<T>(list: readonly T[], i: number): T {
    const item = list[i];
    if (item === undefined) throw new Error(`no item ${i}`);
    return item;
  }

  /** Interpolates the given partials in the exponent regardless of the threshold (for negative tests). */
  function interpolate(original: Ga07Ciphertext, partials: readonly Ga07ReEncryptionShare[], R1: G2, R2: GT): Ga07Ciphertext {
    const lambdas = lagrangeAtZero(partials.map((p) => p.index));
    let C2 = GT_ONE;
    partials.forEach((p, i) => {
      C2 = gtMul(C2, gtPow(p.C2, at(lambdas, i)));
    });
    return {
      scheme: 'ga07',
      recipient: BOB,
      capsule: { form: 'reEncrypted', delegator: original.recipient, C1: original.capsule.C1, C2, R1, R2 },
      sealed: original.sealed,
    };
  }

  describe(`${K.label} ga07 verifiable re-encryption, n = t = 1 (the plain case)`, () => {
    const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, { random: seededRandom('v-plain') });
    const share = at(shares, 0);
    const partial = v.reEncryptShare(params, share, ct, { random: seededRandom('v-plain-proof') });

    it('one share, equal to R3 = H2(X) - sk_1, with commitment Y = e(R3, h)', () => {
      expect(shares.length).toBe(1);
      expect(commitment.Y.length).toBe(1);
      const x = gtDiv(share.R2, pair(bob.key, share.R1));
      expect(share.share.equals(hashGt(x).subtract(alice.key))).toBe(true);
      expect(gtEq(at(commitment.Y, 0), pair(share.share, G2Point.BASE))).toBe(true);
    });

    it("the partial is the full re-encryption: C2' = C2 * e(R3, C1), the same as ReEncrypt with (R1, R2, R3)", () => {
      const plain = ga07.reEncrypt(
        params,
        { scheme: 'ga07', delegator: ALICE, delegatee: BOB, R1: share.R1, R2: share.R2, R3: share.share },
        ct,
      );
      expect(gtEq(partial.C2, plain.capsule.C2)).toBe(true);
      const combined = v.combineReEncryptionShares(params, commitment, ct, [partial]);
      expect(sameBytes(ga07.encodeCiphertext(combined), ga07.encodeCiphertext(plain))).toBe(true);
      expect(sameBytes(ga07.decrypt(params, bob, combined), record)).toBe(true);
    });

    it('an honest proof verifies, also after encoding and decoding every object', () => {
      expect(v.verifyReEncryptionShare(params, commitment, ct, partial)).toBe(true);
      const com = v.decodeReKeyCommitment(v.encodeReKeyCommitment(commitment));
      const part = v.decodeReEncryptionShare(v.encodeReEncryptionShare(partial));
      const original = ga07.decodeCiphertext(ga07.encodeCiphertext(ct));
      expect(v.verifyReEncryptionShare(ga07.decodeParams(ga07.encodeParams(params)), com, original, part)).toBe(true);
      const decodedShare = v.decodeReKeyShare(v.encodeReKeyShare(share));
      expect(v.verifyReEncryptionShare(params, commitment, ct, v.reEncryptShare(params, decodedShare, ct))).toBe(true);
    });

    it('soundness: a proof made for a different ciphertext is rejected', () => {
      expect(v.verifyReEncryptionShare(params, commitment, otherCt, partial)).toBe(false);
      expect(() => v.combineReEncryptionShares(params, commitment, otherCt, [partial])).toThrow(ProofError);
    });

    it('soundness: a proof checked against a different commitment (another re-encryption key) is rejected', () => {
      const other = v.reKeyGenShares(params, alice, BOB, { random: seededRandom('v-plain-other') });
      expect(v.verifyReEncryptionShare(params, other.commitment, ct, partial)).toBe(false);
      // Same Y, other (R1, R2): the statement binds them.
      expect(
        v.verifyReEncryptionShare(params, { ...commitment, R1: other.commitment.R1, R2: other.commitment.R2 }, ct, partial),
      ).toBe(false);
    });

    it('soundness: a proxy that re-encrypts with a wrong key is rejected, even with a proof that is honest for that key', () => {
      const wrong = G1Point.BASE.multiply(424242n);
      const forged: Ga07ReKeyShare = { ...share, share: wrong, Y: pair(wrong, G2Point.BASE) };
      const bad = v.reEncryptShare(params, forged, ct);
      expect(v.verifyReEncryptionShare(params, commitment, ct, bad)).toBe(false);
      expect(v.verifyReEncryptionShare(params, { ...commitment, Y: [forged.Y] }, ct, bad)).toBe(true); // control: valid for its own commitment
      // A share of another re-encryption key of the same delegator.
      const otherShare = at(v.reKeyGenShares(params, alice, BOB).shares, 0);
      expect(
        v.verifyReEncryptionShare(
          params,
          commitment,
          ct,
          v.reEncryptShare(params, { ...otherShare, R1: share.R1, R2: share.R2 }, ct),
        ),
      ).toBe(false);
    });

    it("soundness: an altered C2', challenge, response or header field is rejected", () => {
      const cases: Ga07ReEncryptionShare[] = [
        { ...partial, C2: gtMul(partial.C2, Z()) },
        { ...partial, proof: { ...partial.proof, challenge: partial.proof.challenge + 1n } },
        { ...partial, proof: { ...partial.proof, response: partial.proof.response.add(G1Point.BASE) } },
        { ...partial, delegatee: CAROL },
        { ...partial, delegator: CAROL },
        { ...partial, index: 2 },
        { ...partial, threshold: 2, total: 2 },
      ];
      for (const bad of cases) expect(v.verifyReEncryptionShare(params, commitment, ct, bad)).toBe(false);
    });

    it("combining a partial with an altered C2' throws ProofError listing it by position and claimed (unauthenticated) index", () => {
      const bad = { ...partial, C2: gtMul(partial.C2, Z()) };
      let caught: unknown;
      try {
        v.combineReEncryptionShares(params, commitment, ct, [bad]);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ProofError);
      expect((caught as ProofError).share).toBe(1);
      expect((caught as ProofError).rejected).toEqual([{ position: 0, claimedIndex: 1, reason: 'invalid' }]);
      expect((caught as ProofError).message).toMatch(/0 of 1 verify .* position 0 \(claims share 1, unauthenticated\)/);
    });

    it('argument checks: TypeError for a re-encrypted "original" or another scheme; RangeError for too few partials; a repeated partial is skipped', () => {
      const shared = v.combineReEncryptionShares(params, commitment, ct, [partial]);
      expect(() => v.reEncryptShare(params, share, shared)).toThrow(TypeError);
      expect(() => v.verifyReEncryptionShare(params, commitment, shared, partial)).toThrow(TypeError);
      expect(() => v.combineReEncryptionShares(params, commitment, ct, [])).toThrow(RangeError);
      const twice = v.combineReEncryptionSharesDetailed(params, commitment, ct, [partial, partial]);
      expect(twice.used).toEqual([0]);
      expect(twice.rejected).toEqual([{ position: 1, claimedIndex: 1, reason: 'duplicate' }]);
      expect(() => v.verifyReEncryptionShare(params, { scheme: 'huang2020' } as never, ct, partial)).toThrow(TypeError);
    });
  });

  describe(`${K.label} ga07 threshold re-encryption`, () => {
    it('share_i = R3 + sum_j a_j i^j: each Y_i = e(share_i, h), and any t shares interpolate to R3 in G1', () => {
      const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, {
        threshold: 3,
        total: 5,
        random: seededRandom('v-shares'),
      });
      const x = gtDiv(at(shares, 0).R2, pair(bob.key, at(shares, 0).R1));
      const R3 = hashGt(x).subtract(alice.key);
      shares.forEach((s, i) => {
        expect(s.index).toBe(i + 1);
        expect(gtEq(at(commitment.Y, i), pair(s.share, G2Point.BASE))).toBe(true);
      });
      const combine = (idx: number[]) => {
        const lambdas = lagrangeAtZero(idx);
        return idx.reduce((acc, index, k) => acc.add(at(shares, index - 1).share.multiply(at(lambdas, k))), G1Point.ZERO);
      };
      expect(combine([1, 2, 3]).equals(R3)).toBe(true);
      expect(combine([5, 2, 4]).equals(R3)).toBe(true);
      expect(combine([1, 2]).equals(R3)).toBe(false);
    });

    it('property: for random t <= n <= 10, any t verified partials combine to a ciphertext the delegatee decrypts, and any t - 1 partials interpolate to one the delegatee cannot decrypt', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 10 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }))),
          fc.uint8Array({ minLength: 8, maxLength: 8 }),
          fc.infiniteStream(fc.nat()),
          ([total, threshold], seed, picks) => {
            const random = seededRandom(seed);
            const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, { threshold, total, random });
            // A random subset of t shares, in random order.
            const pool = shares.slice();
            const chosen: Ga07ReKeyShare[] = [];
            const it = picks[Symbol.iterator]();
            while (chosen.length < threshold) chosen.push(at(pool.splice((it.next().value as number) % pool.length, 1), 0));
            const partials = chosen.map((s) => v.reEncryptShare(params, s, ct, { random }));
            const shared = v.combineReEncryptionShares(params, commitment, ct, partials);
            expect(sameBytes(ga07.decrypt(params, bob, shared), record)).toBe(true);
            expect(() => ga07.decrypt(params, carol, shared)).toThrow(DecryptionError);
            if (threshold > 1) {
              const fewer = interpolate(ct, partials.slice(1), commitment.R1, commitment.R2);
              expect(() => ga07.decrypt(params, bob, fewer)).toThrow(DecryptionError);
              expect(() => v.combineReEncryptionShares(params, commitment, ct, partials.slice(1))).toThrow(RangeError);
            }
          },
        ),
        { numRuns: 6 },
      );
    });

    it('one bad partial among t + 1 is set aside and reported by position, whichever position it is in; the t good ones combine', () => {
      const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, {
        threshold: 2,
        total: 4,
        random: seededRandom('v-bad'),
      });
      const partials = shares.slice(0, 3).map((s) => v.reEncryptShare(params, s, ct));
      for (let bad = 0; bad < 3; bad++) {
        const tampered = partials.map((p, i) => (i === bad ? { ...p, C2: gtMul(p.C2, Z()) } : p));
        const result = v.combineReEncryptionSharesDetailed(params, commitment, ct, tampered);
        expect(result.rejected).toEqual([{ position: bad, claimedIndex: bad + 1, reason: 'invalid' }]);
        expect(result.used).toEqual([0, 1, 2].filter((i) => i !== bad));
        expect(sameBytes(ga07.decrypt(params, bob, result.ciphertext), record)).toBe(true);
        expect(sameBytes(ga07.decrypt(params, bob, v.combineReEncryptionShares(params, commitment, ct, tampered)), record)).toBe(
          true,
        );
      }
      // Two bad of three: fewer than t verify; the error lists both by position.
      const twoBad = partials.map((p, i) => (i === 2 ? p : { ...p, C2: gtMul(p.C2, Z()) }));
      try {
        v.combineReEncryptionShares(params, commitment, ct, twoBad);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ProofError);
        expect((e as ProofError).rejected.map((r) => r.position)).toEqual([0, 1]);
        expect((e as ProofError).share).toBeUndefined();
      }
      // A partial made with share 1 but labelled as share 2 is rejected.
      const relabelled = { ...at(partials, 0), index: 2 };
      expect(v.verifyReEncryptionShare(params, commitment, ct, relabelled)).toBe(false);
    });

    it('t and n are validated: RangeError unless 1 <= t <= n <= 255 are integers, TypeError for a non-number', () => {
      const bad: [number, number][] = [
        [0, 1],
        [1, 0],
        [3, 2],
        [1, MAX_SHARES + 1],
        [1.5, 2],
        [1, Number.NaN],
        [1, Number.POSITIVE_INFINITY],
        [-1, 2],
      ];
      for (const [threshold, total] of bad) {
        expect(() => v.reKeyGenShares(params, alice, BOB, { threshold, total })).toThrow(RangeError);
      }
      expect(() => v.reKeyGenShares(params, alice, BOB, { threshold: '2' as never, total: 3 })).toThrow(TypeError);
      expect(MAX_SHARES).toBe(255);
    });
  });

  describe(`${K.label} ga07 delegatee's check of a commitment`, () => {
    for (const [threshold, total] of [
      [1, 1],
      [1, 3],
      [2, 3],
      [3, 3],
    ] as const) {
      it(`t = ${threshold}, n = ${total}: an honest commitment passes; one for another delegatee, a lying Y_0 or any altered Y_i fails`, () => {
        const { commitment } = v.reKeyGenShares(params, alice, BOB, {
          threshold,
          total,
          random: seededRandom(`v-com-${threshold}-${total}`),
        });
        expect(v.verifyReKeyCommitment(params, bob, commitment)).toBe(true);
        expect(v.verifyReKeyCommitment(params, carol, commitment)).toBe(false);
        for (let i = 0; i < total; i++) {
          const Y = commitment.Y.map((y, k) => (k === i ? gtMul(y, Z()) : y));
          expect(v.verifyReKeyCommitment(params, bob, { ...commitment, Y })).toBe(false);
        }
        // The delegator lies: commitments for another R3 with the same (R1, R2).
        const other = v.reKeyGenShares(params, alice, BOB, { threshold, total, random: seededRandom('v-com-other') }).commitment;
        expect(v.verifyReKeyCommitment(params, bob, { ...other, R1: commitment.R1, R2: commitment.R2 })).toBe(false);
        // Shares from a delegator other than the one named.
        const fromCarol = v.reKeyGenShares(params, carol, BOB, { threshold, total }).commitment;
        expect(v.verifyReKeyCommitment(params, bob, { ...fromCarol, delegator: ALICE })).toBe(false);
      });
    }
  });
}
