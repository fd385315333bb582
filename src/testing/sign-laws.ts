/**
 * The laws of AuthSign (Cha-Cheon identity-based signatures), over the public `AuthSignApi`:
 * the default `medshare/sign` exports, or the API of any backend (`withBackend(b).authSign`).
 *
 * @module
 */
import type { Groups } from '../backend/types.js';
import type { AuthSignApi } from '../sign/cha-cheon.js';
import { SIGNATURE_BYTES } from '../sign/cha-cheon.js';
import { identitiesArb, mutationArb, seedArb } from './arbitraries.js';
import { fc } from './fast-check.js';
import { flipBit } from './hostile.js';
import { holds, type Law, LawViolation, sameBytes, throwsSuch } from './laws.js';
import { seededRandom } from './random.js';

/** Options of {@link authSignProperties}. */
export interface SignLawOptions {
  /** Runs of the laws whose cases cost pairings (default 15). */
  readonly runs?: number;
  /** Seed of the laws' fixed setup; default `authsign-laws`. */
  readonly setupSeed?: string;
}

/**
 * The laws of AuthSign, as fast-check properties:
 * - completeness: authVerify(ID, m, authSign(SK_ID, m)) for any identity and message (0 to 4 KiB);
 * - a changed message, another identity or any flipped signature bit makes authVerify return false;
 * - any 96 random bytes are no signature (false, never a throw);
 * - a signature under another PKG does not verify;
 * - params, master key and signing key re-encode to the same bytes; mutated encodings are
 *   rejected with RangeError or re-encode to exactly those bytes; a non-Uint8Array gets TypeError.
 * @param api - the AuthSign API under test (`import * as sign from 'medshare/sign'` fits)
 * @param options - runs and setup seed
 * @returns the laws, group `sign`, named `AuthSign: <the property>`
 */
export function authSignProperties<E extends Groups>(api: AuthSignApi<E>, options: SignLawOptions = {}): Law[] {
  const runs = options.runs ?? 15;
  const { params, masterKey } = api.setup({ random: seededRandom(options.setupSeed ?? 'authsign-laws') });
  const other = api.setup({ random: seededRandom(`${options.setupSeed ?? 'authsign-laws'}:other-pkg`) });
  const law = (name: string, property: Law['property'], n: number): Law => ({
    name: `AuthSign: ${name}`,
    group: 'sign',
    property,
    runs: n,
  });
  const sign = (id: string, message: Uint8Array, seed: number) =>
    api.authSign(api.keyGen(params, masterKey, id), message, { random: seededRandom(seed) });

  const sk = api.keyGen(params, masterKey, 'patient:ünïcødé');
  const codecs = [
    {
      name: 'params',
      sample: api.encodeParams(params),
      decode: api.decodeParams,
      encode: api.encodeParams as (x: never) => Uint8Array,
    },
    {
      name: 'master key',
      sample: api.encodeMasterKey(masterKey),
      decode: api.decodeMasterKey,
      encode: api.encodeMasterKey as (x: never) => Uint8Array,
    },
    {
      name: 'signing key',
      sample: api.encodeSigningKey(sk),
      decode: api.decodeSigningKey,
      encode: api.encodeSigningKey as (x: never) => Uint8Array,
    },
  ];
  type Codec = (typeof codecs)[number];
  const byName = new Map(codecs.map((c) => [c.name, c]));
  const codecArb = fc.constantFrom(...codecs.map((c) => c.name)).map(
    (name) => byName.get(name) as Codec,
    (c) => (c as Codec).name,
  );

  return [
    law(
      'completeness: authVerify(ID, m, authSign(SK_ID, m)) is true for any identity and any message of 0 to 4 KiB',
      fc.property(identitiesArb(1), fc.uint8Array({ maxLength: 4096, size: 'max' }), seedArb, ([id], message, seed) => {
        const signature = sign(id as string, message, seed);
        holds(signature.length === SIGNATURE_BYTES, `the signature has ${signature.length} bytes, not ${SIGNATURE_BYTES}`);
        holds(api.authVerify(params, id as string, message, signature), 'an honest signature does not verify');
      }),
      runs,
    ),
    law(
      'a changed message, another identity, or any flipped signature bit makes authVerify return false',
      fc.property(
        identitiesArb(2),
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.nat({ max: SIGNATURE_BYTES * 8 - 1 }),
        seedArb,
        ([id, otherId], message, at, bit, seed) => {
          const signature = sign(id as string, message, seed);
          holds(api.authVerify(params, id as string, message, signature), 'an honest signature does not verify (control)');
          holds(
            !api.authVerify(params, id as string, flipBit(message, at % (message.length * 8)), signature),
            'a changed message verifies',
          );
          holds(!api.authVerify(params, otherId as string, message, signature), 'the signature verifies for another identity');
          holds(
            !api.authVerify(params, id as string, message, flipBit(signature, bit)),
            `the signature with bit ${bit} flipped verifies`,
          );
        },
      ),
      runs,
    ),
    law(
      'random bytes of any length are no signature: authVerify returns false (never throws)',
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: SIGNATURE_BYTES, maxLength: SIGNATURE_BYTES }), fc.uint8Array({ maxLength: 200 })),
        (junk) => holds(!api.authVerify(params, 'alice', new Uint8Array([1, 2, 3]), junk), 'random bytes verify as a signature'),
      ),
      50,
    ),
    law(
      'a signature under another PKG (other master key) does not verify',
      fc.property(identitiesArb(1), fc.uint8Array({ maxLength: 64 }), seedArb, ([id], message, seed) => {
        const signature = api.authSign(api.keyGen(other.params, other.masterKey, id as string), message, {
          random: seededRandom(seed),
        });
        holds(
          api.authVerify(other.params, id as string, message, signature),
          'the other PKG rejects its own signature (control)',
        );
        holds(!api.authVerify(params, id as string, message, signature), "another PKG's signature verifies");
      }),
      Math.max(1, Math.ceil(runs / 3)),
    ),
    law(
      'params, master key and signing key re-encode to the same bytes; mutated encodings are rejected with RangeError or re-encode exactly; non-bytes get TypeError',
      fc.property(
        codecArb.chain((codec) => mutationArb(codec.sample.length).map((mutation) => ({ codec, mutation }))),
        ({ codec, mutation }) => {
          sameBytes(codec.encode(codec.decode(codec.sample) as never), codec.sample, `${codec.name} re-encoded`);
          throwsSuch(
            () => codec.decode('x' as never),
            (e) => e instanceof TypeError,
            `the ${codec.name} decoder given a string throws TypeError`,
          );
          const bytes = mutation.apply(codec.sample);
          let decoded: unknown;
          try {
            decoded = codec.decode(bytes);
          } catch (e) {
            if (e instanceof RangeError) return;
            throw new LawViolation(`${codec.name} decoder, ${mutation.label}: threw ${String(e)}, not RangeError`);
          }
          sameBytes(
            codec.encode(decoded as never),
            bytes,
            `${codec.name} decoder, ${mutation.label}: accepted bytes that re-encode differently`,
          );
        },
      ),
      120,
    ),
  ];
}
