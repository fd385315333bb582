/**
 * The laws of ga07's verifiable and threshold re-encryption layer, over its public API
 * (`ga07Verifiable` of medshare/pre, or `withBackend(b).ga07Verifiable`).
 *
 * @module
 */
import type { Groups } from '../backend/types.js';
import type { Ga07Scheme } from '../pre/ga07.js';
import type { Ga07VerifiableApi } from '../pre/ga07-verifiable.js';
import { recordArb, seedArb } from './arbitraries.js';
import { fc } from './fast-check.js';
import { flipBit } from './hostile.js';
import { holds, type Law, sameBytes, throwsSuch } from './laws.js';
import { seededRandom } from './random.js';

/** The schemes {@link verifiableProperties} needs: ga07 and its verifiable layer on one backend. */
export interface VerifiableSchemes<E extends Groups> {
  /** ga07 (medshare/pre's `ga07`). */
  readonly ga07: Ga07Scheme<E>;
  /** Its verifiable / threshold layer (medshare/pre's `ga07Verifiable`). */
  readonly ga07Verifiable: Ga07VerifiableApi<E>;
}

/** Options of {@link verifiableProperties}. */
export interface VerifiableLawOptions {
  /** Runs of each law (default 6: a case costs tens of pairings). */
  readonly runs?: number;
  /** The largest number of shares n a case draws (default 4; at most 255). */
  readonly maxShares?: number;
  /** Seed of the fixed setup; default `ga07-verifiable-laws`. */
  readonly setupSeed?: string;
}

const P = 'patient:threshold';
const D = 'institute:threshold';
const E3 = 'third:threshold';

/**
 * The laws of the verifiable / threshold layer, as fast-check properties:
 * - t of n: for any 1 <= t <= n, every honest partial verifies against the commitment, and any t
 *   of the n partials, in any order, combine to a ciphertext the delegatee decrypts to the record;
 * - fewer than t partials do not combine (RangeError);
 * - any flipped bit of an encoded partial makes decode throw RangeError or verification return false;
 * - the delegatee accepts the honest commitment, another identity's key does not; key shares,
 *   commitments and partials re-encode to the same bytes.
 * @param schemes - ga07 and its verifiable layer (`import { ga07, ga07Verifiable } from 'medshare/pre'` fits)
 * @param options - runs, largest n, setup seed
 * @returns the laws, group `pre`, named `ga07 verifiable: <the property>`
 */
export function verifiableProperties<E extends Groups>(schemes: VerifiableSchemes<E>, options: VerifiableLawOptions = {}): Law[] {
  const { ga07, ga07Verifiable: v } = schemes;
  const runs = options.runs ?? 6;
  const maxShares = options.maxShares ?? 4;
  const setupSeed = options.setupSeed ?? 'ga07-verifiable-laws';
  const { params, masterKey } = ga07.setup({ random: seededRandom(setupSeed) });
  const [p, d, e] = [P, D, E3].map((id) =>
    ga07.keyGen(params, masterKey, id, { random: seededRandom(`${setupSeed}:${id}`) }),
  ) as [ReturnType<typeof ga07.keyGen>, ReturnType<typeof ga07.keyGen>, ReturnType<typeof ga07.keyGen>];
  const law = (name: string, property: Law['property'], n: number): Law => ({
    name: `ga07 verifiable: ${name}`,
    group: 'pre',
    property,
    runs: n,
  });
  /** (t, n) with 1 <= t <= n <= maxShares, and a permutation of the n shares. */
  const thresholdArb = fc
    .integer({ min: 1, max: maxShares })
    .chain((n) =>
      fc.tuple(
        fc.integer({ min: 1, max: n }),
        fc.constant(n),
        fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      ),
    );
  const split = (t: number, n: number, seed: number) =>
    v.reKeyGenShares(params, p, D, { threshold: t, total: n, random: seededRandom(`split:${seed}`) });

  const sample = (() => {
    const ct = ga07.encrypt(params, P, new Uint8Array([7, 7, 7]), { random: seededRandom(`${setupSeed}:ct`) });
    const { shares, commitment } = v.reKeyGenShares(params, p, D, {
      threshold: 2,
      total: 3,
      random: seededRandom(`${setupSeed}:split`),
    });
    const partial = v.reEncryptShare(params, shares[0] as (typeof shares)[number], ct, {
      random: seededRandom(`${setupSeed}:partial`),
    });
    return { ct, shares, commitment, partial, partialBytes: v.encodeReEncryptionShare(partial) };
  })();

  return [
    law(
      'for any 1 <= t <= n, every honest partial verifies and any t of the n partials, in any order, combine to a ciphertext the delegatee decrypts',
      fc.property(thresholdArb, recordArb, seedArb, ([t, n, order], record, seed) => {
        const ct = ga07.encrypt(params, P, record, { random: seededRandom(seed) });
        const { shares, commitment } = split(t, n, seed);
        const partials = order
          .slice(0, t)
          .map((i) =>
            v.reEncryptShare(params, shares[i] as (typeof shares)[number], ct, { random: seededRandom(`p:${seed}:${i}`) }),
          );
        for (const partial of partials)
          holds(v.verifyReEncryptionShare(params, commitment, ct, partial), `honest partial ${partial.index} does not verify`);
        const combined = v.combineReEncryptionShares(params, commitment, ct, partials);
        sameBytes(ga07.decrypt(params, d, combined), record, `the record decrypted from ${t} of ${n} combined partials`);
      }),
      runs,
    ),
    law(
      'fewer than t partials do not combine (RangeError)',
      fc.property(
        fc
          .integer({ min: 2, max: Math.max(2, maxShares) })
          .chain((n) => fc.tuple(fc.integer({ min: 2, max: n }), fc.constant(n))),
        seedArb,
        ([t, n], seed) => {
          const ct = ga07.encrypt(params, P, new Uint8Array([1]), { random: seededRandom(seed) });
          const { shares, commitment } = split(t, n, seed);
          const partials = shares
            .slice(0, t - 1)
            .map((s) => v.reEncryptShare(params, s, ct, { random: seededRandom(`p:${seed}`) }));
          throwsSuch(
            () => v.combineReEncryptionShares(params, commitment, ct, partials),
            (x) => x instanceof RangeError,
            `${t - 1} partials of a ${t}-of-${n} key do not combine (RangeError)`,
          );
        },
      ),
      runs,
    ),
    law(
      'any flipped bit of an encoded partial re-encryption makes decode throw RangeError or verifyReEncryptionShare return false',
      fc.property(fc.nat({ max: sample.partialBytes.length * 8 - 1 }), (bit) => {
        let altered: ReturnType<typeof v.decodeReEncryptionShare>;
        try {
          altered = v.decodeReEncryptionShare(flipBit(sample.partialBytes, bit));
        } catch (x) {
          holds(x instanceof RangeError, `decoding the partial with bit ${bit} flipped threw ${String(x)}, not RangeError`);
          return;
        }
        holds(
          !v.verifyReEncryptionShare(params, sample.commitment, sample.ct, altered),
          `the partial with bit ${bit} flipped verifies`,
        );
      }),
      60,
    ),
    law(
      "the delegatee accepts the honest commitment and a third identity's key does not; shares, commitments and partials re-encode to the same bytes",
      fc.property(fc.integer({ min: 1, max: maxShares }), seedArb, (n, seed) => {
        const { shares, commitment } = split(n, n, seed);
        holds(v.verifyReKeyCommitment(params, d, commitment), 'the delegatee refuses the honest commitment');
        holds(!v.verifyReKeyCommitment(params, e, commitment), "a third identity's key accepts the commitment");
        const commitmentBytes = v.encodeReKeyCommitment(commitment);
        sameBytes(v.encodeReKeyCommitment(v.decodeReKeyCommitment(commitmentBytes)), commitmentBytes, 'commitment re-encoded');
        const shareBytes = v.encodeReKeyShare(shares[0] as (typeof shares)[number]);
        sameBytes(v.encodeReKeyShare(v.decodeReKeyShare(shareBytes)), shareBytes, 'key share re-encoded');
        sameBytes(
          v.encodeReEncryptionShare(v.decodeReEncryptionShare(sample.partialBytes)),
          sample.partialBytes,
          'partial re-encoded',
        );
      }),
      runs,
    ),
  ];
}
