/**
 * The laws every identity-based proxy re-encryption scheme must obey, over the public
 * `PreScheme` interface only: medshare's ga07 and huang2020 and any third-party scheme that
 * implements the interface run the same laws.
 *
 * @module
 */
import type { Arbitrary } from 'fast-check';
import { DecryptionError } from '../internal/errors.js';
import type { Ciphertext, PreScheme } from '../pre/types.js';
import { fieldSubstitutionArb, identitiesArb, mutationArb, recordArb, seedArb } from './arbitraries.js';
import { fc } from './fast-check.js';
import { flipBit, type FieldSpec } from './hostile.js';
import { holds, type Law, LawViolation, sameBytes, throwsSuch } from './laws.js';
import { seededRandom } from './random.js';

/**
 * Per-field layouts of a scheme's encodings (after the 3-byte header), for the per-field hostile
 * substitutions: `LAYOUTS.ga07` and `LAYOUTS.huang2020` fit medshare's schemes. Any missing one is
 * left out of that law.
 */
export interface PreLayouts {
  /** Public parameters. */
  readonly params?: readonly FieldSpec[];
  /** Master key. */
  readonly masterKey?: readonly FieldSpec[];
  /** Secret key. */
  readonly secretKey?: readonly FieldSpec[];
  /** Re-encryption key. */
  readonly reKey?: readonly FieldSpec[];
  /** Original ciphertext. */
  readonly originalCiphertext?: readonly FieldSpec[];
  /** Re-encrypted ciphertext. */
  readonly reEncryptedCiphertext?: readonly FieldSpec[];
  /** Either ciphertext, when both have one layout (huang2020). */
  readonly ciphertext?: readonly FieldSpec[];
}

/** Options of {@link preSchemeProperties}. */
export interface PreLawOptions {
  /** Whether a re-encrypted ciphertext can be re-encrypted again (huang2020: yes; ga07: no, single-hop). */
  readonly multiHop: boolean;
  /** Runs of the laws whose cases cost pairings (default 12); decoding laws run more. */
  readonly runs?: number;
  /** Seed of the laws' fixed setup (params, master key, fixtures); default: the scheme's name. */
  readonly setupSeed?: string;
  /** Per-field layouts, for the hostile-substitution law (left out when absent). */
  readonly layouts?: PreLayouts;
}

/** An encoding of the scheme: a sample, its decoder and encoder (for the decoding laws). */
interface Codec {
  readonly name: string;
  readonly sample: Uint8Array;
  readonly decode: (bytes: Uint8Array) => unknown;
  readonly encode: (value: never) => Uint8Array;
  readonly layout: readonly FieldSpec[] | undefined;
}

/** Values of the wrong kind that every decoder must refuse with TypeError. */
const NOT_BYTES: readonly unknown[] = [undefined, null, 'bytes', 42, [1, 2, 3], {}, new ArrayBuffer(8), new Uint16Array(4)];

const isRangeError = (e: unknown) => e instanceof RangeError;
const typedOrDecryption = (e: unknown) => e instanceof RangeError || e instanceof DecryptionError;

/**
 * The laws of an IB-PRE scheme, as fast-check properties over `scheme`'s public interface:
 * - round trip: decrypt(SK_ID, encrypt(ID, m)) = m for any identity and any record of 0 B to 1 MiB;
 * - delegation: the delegatee opens reEncrypt(reKeyGen(SK_p, d), encrypt(p, m)), and re-encryption
 *   leaves the sealed record untouched;
 * - third party refused: another identity's key (and the delegatee's, on the original) gets DecryptionError;
 * - multi-hop (p -> d -> e opens for e and no longer for d) or single-hop (re-encrypting a
 *   re-encrypted ciphertext throws), as `options.multiHop` declares;
 * - tamper detection: any flipped bit of an encoded original or re-encrypted ciphertext gives a
 *   RangeError on decode or a DecryptionError on decrypt (the fixed ciphertexts are for
 *   `patient:tamper`, re-encrypted to `institute:tamper`);
 * - encode/decode identity: every object re-encodes to the same bytes, and decoded objects work;
 * - hostile decoding: values that are not a Uint8Array get TypeError; random bytes get RangeError;
 *   random bytes behind a valid header, generic mutations and (with `layouts`) every hostile value
 *   of every field get RangeError or decode to an object that re-encodes to exactly those bytes.
 *
 * Runs `scheme.setup` and a few key generations now (seeded), so the laws share one setup.
 * @param scheme - the scheme under test
 * @param options - hop behaviour, runs, setup seed, layouts
 * @returns the laws, group `pre`, named `<scheme.name>: <the property>`
 */
export function preSchemeProperties<P, M, S, R, C>(scheme: PreScheme<P, M, S, R, C>, options: PreLawOptions): Law[] {
  const runs = options.runs ?? 12;
  const half = Math.max(1, Math.ceil(runs / 2));
  const setup = scheme.setup({ random: seededRandom(options.setupSeed ?? `${scheme.name}-laws`) });
  const { params, masterKey } = setup;
  const keys = new Map<string, S>();
  const keyFor = (id: string): S => {
    let sk = keys.get(id);
    if (sk === undefined) {
      sk = scheme.keyGen(params, masterKey, id, { random: seededRandom(`key:${id}`) });
      keys.set(id, sk);
    }
    return sk;
  };
  const law = (name: string, property: Law['property'], n: number): Law => ({
    name: `${scheme.name}: ${name}`,
    group: 'pre',
    property,
    runs: n,
  });
  const encrypt = (id: string, record: Uint8Array, seed: number | string) =>
    scheme.encrypt(params, id, record, { random: seededRandom(seed) });
  const reKey = (from: string, to: string, seed: number | string) =>
    scheme.reKeyGen(params, keyFor(from), to, { random: seededRandom(`rk:${seed}`) });
  const opens = (sk: S, ct: Ciphertext<C>, record: Uint8Array, what: string) =>
    sameBytes(scheme.decrypt(params, sk, ct), record, what);
  const refused = (sk: S, ct: Ciphertext<C>, what: string) =>
    throwsSuch(
      () => scheme.decrypt(params, sk, ct),
      (e) => e instanceof DecryptionError,
      `${what} throws DecryptionError`,
    );

  const laws: Law[] = [
    law(
      'decrypt(SK_ID, encrypt(ID, m)) = m for any identity and any record of 0 B to 1 MiB',
      fc.property(identitiesArb(1), recordArb, seedArb, ([id], record, seed) => {
        const ct = encrypt(id as string, record, seed);
        holds(ct.scheme === scheme.name, `the ciphertext's scheme is ${ct.scheme}, not ${scheme.name}`);
        holds(ct.recipient === id, 'the ciphertext names another recipient');
        opens(keyFor(id as string), ct, record, 'the decrypted record');
      }),
      runs,
    ),
    law(
      'the delegatee d decrypts reEncrypt(reKeyGen(SK_p, d), encrypt(p, m)) = m; the sealed record is untouched',
      fc.property(identitiesArb(2), recordArb, seedArb, ([p, d], record, seed) => {
        const ct = encrypt(p as string, record, seed);
        const shared = scheme.reEncrypt(params, reKey(p as string, d as string, seed), ct);
        holds(shared.sealed === ct.sealed, 're-encryption replaced the sealed record');
        holds(shared.recipient === d, 'the re-encrypted ciphertext does not name the delegatee');
        opens(keyFor(d as string), shared, record, "the delegatee's decrypted record");
      }),
      runs,
    ),
    law(
      'a third identity cannot decrypt the original or the re-encrypted ciphertext, nor the delegatee the original (DecryptionError)',
      fc.property(identitiesArb(3), recordArb, seedArb, ([p, d, e], record, seed) => {
        const ct = encrypt(p as string, record, seed);
        const shared = scheme.reEncrypt(params, reKey(p as string, d as string, seed), ct);
        refused(keyFor(e as string), ct, "a third party's decrypt of the original");
        refused(keyFor(e as string), shared, "a third party's decrypt of the re-encrypted ciphertext");
        refused(keyFor(d as string), ct, "the delegatee's decrypt of the original");
      }),
      half,
    ),
    options.multiHop
      ? law(
          'multi-hop: p -> d -> e, the second delegatee decrypts and the first no longer can',
          fc.property(identitiesArb(3), recordArb, seedArb, ([p, d, e], record, seed) => {
            const ct = encrypt(p as string, record, seed);
            const toD = scheme.reEncrypt(params, reKey(p as string, d as string, seed), ct);
            const toE = scheme.reEncrypt(params, reKey(d as string, e as string, seed), toD);
            opens(keyFor(e as string), toE, record, "the second delegatee's decrypted record");
            refused(keyFor(d as string), toE, "the first delegatee's decrypt of the twice re-encrypted ciphertext");
          }),
          half,
        )
      : law(
          'single-hop: re-encrypting a re-encrypted ciphertext throws (TypeError or RangeError)',
          fc.property(identitiesArb(3), fc.uint8Array({ maxLength: 64 }), seedArb, ([p, d, e], record, seed) => {
            const toD = scheme.reEncrypt(params, reKey(p as string, d as string, seed), encrypt(p as string, record, seed));
            throwsSuch(
              () => scheme.reEncrypt(params, reKey(d as string, e as string, seed), toD),
              (x) => x instanceof TypeError || x instanceof RangeError,
              'a second re-encryption throws TypeError or RangeError',
            );
          }),
          half,
        ),
  ];

  // ---- tamper detection, on two fixed ciphertexts
  const tamperIds = ['patient:tamper', 'institute:tamper'] as const;
  const tamperRecord = new TextEncoder().encode('blood type O-, HbA1c 6.1%');
  const tamperCt = encrypt(tamperIds[0], tamperRecord, 'tamper');
  const original = scheme.encodeCiphertext(tamperCt);
  const reEncrypted = scheme.encodeCiphertext(scheme.reEncrypt(params, reKey(tamperIds[0], tamperIds[1], 'tamper'), tamperCt));
  const openBytes = (bytes: Uint8Array, id: string) => scheme.decrypt(params, keyFor(id), scheme.decodeCiphertext(bytes));
  sameBytes(openBytes(original, tamperIds[0]), tamperRecord, `${scheme.name}: the untampered original (control)`);
  sameBytes(
    openBytes(reEncrypted, tamperIds[1]),
    tamperRecord,
    `${scheme.name}: the untampered re-encrypted ciphertext (control)`,
  );
  for (const [which, bytes, id] of [
    ['original', original, tamperIds[0]],
    ['re-encrypted', reEncrypted, tamperIds[1]],
  ] as const) {
    laws.push(
      law(
        `any flipped bit of an encoded ${which} ciphertext makes decode throw RangeError or decrypt throw DecryptionError`,
        fc.property(fc.nat({ max: bytes.length * 8 - 1 }), (bit) => {
          throwsSuch(
            () => openBytes(flipBit(bytes, bit), id),
            typedOrDecryption,
            `the ${which} ciphertext with bit ${bit} flipped is refused`,
          );
        }),
        60,
      ),
    );
  }

  // ---- encodings
  laws.push(
    law(
      'params, master key, secret key, re-encryption key and ciphertexts re-encode to the same bytes, and decoded objects work',
      fc.property(identitiesArb(2), fc.uint8Array({ maxLength: 300 }), seedArb, ([p, d], record, seed) => {
        const params2 = scheme.decodeParams(scheme.encodeParams(params));
        sameBytes(scheme.encodeParams(params2), scheme.encodeParams(params), 'params re-encoded');
        const master2 = scheme.decodeMasterKey(scheme.encodeMasterKey(masterKey));
        sameBytes(scheme.encodeMasterKey(master2), scheme.encodeMasterKey(masterKey), 'master key re-encoded');
        const skBytes = scheme.encodeSecretKey(keyFor(p as string));
        const sk2 = scheme.decodeSecretKey(skBytes);
        sameBytes(scheme.encodeSecretKey(sk2), skBytes, 'secret key re-encoded');
        const rkBytes = scheme.encodeReKey(reKey(p as string, d as string, seed));
        const rk2 = scheme.decodeReKey(rkBytes);
        sameBytes(scheme.encodeReKey(rk2), rkBytes, 're-encryption key re-encoded');
        const ctBytes = scheme.encodeCiphertext(scheme.encrypt(params2, p as string, record, { random: seededRandom(seed) }));
        const ct2 = scheme.decodeCiphertext(ctBytes);
        sameBytes(scheme.encodeCiphertext(ct2), ctBytes, 'ciphertext re-encoded');
        opens(sk2, ct2, record, 'the record decrypted with decoded key and ciphertext');
        const sharedBytes = scheme.encodeCiphertext(scheme.reEncrypt(params2, rk2, ct2));
        const shared2 = scheme.decodeCiphertext(sharedBytes);
        sameBytes(scheme.encodeCiphertext(shared2), sharedBytes, 're-encrypted ciphertext re-encoded');
        opens(keyFor(d as string), shared2, record, 'the record decrypted from the decoded re-encrypted ciphertext');
      }),
      half,
    ),
  );

  // ---- hostile decoding
  const sampleCt = encrypt('patient:codec', new Uint8Array([1, 2, 3]), 'codecs');
  const sampleRk = reKey('patient:codec', 'institute:codec', 'codecs');
  const layouts = options.layouts ?? {};
  const codecs: Codec[] = [
    {
      name: 'params',
      sample: scheme.encodeParams(params),
      decode: scheme.decodeParams,
      encode: scheme.encodeParams as never,
      layout: layouts.params,
    },
    {
      name: 'master key',
      sample: scheme.encodeMasterKey(masterKey),
      decode: scheme.decodeMasterKey,
      encode: scheme.encodeMasterKey as never,
      layout: layouts.masterKey,
    },
    {
      name: 'secret key',
      sample: scheme.encodeSecretKey(keyFor('patient:codec')),
      decode: scheme.decodeSecretKey,
      encode: scheme.encodeSecretKey as never,
      layout: layouts.secretKey,
    },
    {
      name: 're-encryption key',
      sample: scheme.encodeReKey(sampleRk),
      decode: scheme.decodeReKey,
      encode: scheme.encodeReKey as never,
      layout: layouts.reKey,
    },
    {
      name: 'ciphertext',
      sample: scheme.encodeCiphertext(sampleCt),
      decode: scheme.decodeCiphertext,
      encode: scheme.encodeCiphertext as never,
      layout: layouts.originalCiphertext ?? layouts.ciphertext,
    },
    {
      name: 're-encrypted ciphertext',
      sample: scheme.encodeCiphertext(scheme.reEncrypt(params, sampleRk, sampleCt)),
      decode: scheme.decodeCiphertext,
      encode: scheme.encodeCiphertext as never,
      layout: layouts.reEncryptedCiphertext ?? layouts.ciphertext,
    },
  ];
  /** The decoder refuses `bytes` with RangeError, or decodes them to an object that re-encodes to exactly `bytes`. */
  const refusedOrCanonical = (codec: Codec, bytes: Uint8Array, what: string) => {
    let decoded: unknown;
    try {
      decoded = codec.decode(bytes);
    } catch (e) {
      if (isRangeError(e)) return;
      throw new LawViolation(
        `${codec.name} decoder, ${what}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not RangeError`,
      );
    }
    sameBytes(codec.encode(decoded as never), bytes, `${codec.name} decoder, ${what}: accepted bytes that re-encode differently`);
  };
  const byName = new Map(codecs.map((c) => [c.name, c]));
  // Cases name the codec (a readable counterexample), not the codec object.
  const codecArb = fc.constantFrom(...codecs.map((c) => c.name)).map(
    (name) => byName.get(name) as Codec,
    (c) => (c as Codec).name,
  );
  laws.push(
    law(
      'every decoder rejects values that are not a Uint8Array with TypeError',
      fc.property(codecArb, fc.constantFrom(...NOT_BYTES), (codec, bad) => {
        throwsSuch(
          () => codec.decode(bad as never),
          (e) => e instanceof TypeError,
          `the ${codec.name} decoder given ${Object.prototype.toString.call(bad)} throws TypeError`,
        );
      }),
      60,
    ),
    law(
      'every decoder rejects random bytes of any length with RangeError',
      fc.property(codecArb, fc.uint8Array({ maxLength: 2000, size: 'max' }), (codec, bytes) => {
        throwsSuch(
          () => codec.decode(bytes),
          isRangeError,
          `the ${codec.name} decoder given ${bytes.length} random bytes throws RangeError`,
        );
      }),
      200,
    ),
    law(
      'random bytes behind a valid header are rejected with RangeError or decode to an object that re-encodes to exactly those bytes',
      fc.property(codecArb, fc.uint8Array({ maxLength: 2000, size: 'max' }), (codec, tail) => {
        const bytes = new Uint8Array(3 + tail.length);
        bytes.set(codec.sample.subarray(0, 3));
        bytes.set(tail, 3);
        refusedOrCanonical(codec, bytes, `header + ${tail.length} random bytes`);
      }),
      100,
    ),
    law(
      'a mutated encoding (bit flip, byte overwrite, truncation, extension) is rejected with RangeError or re-encodes to exactly those bytes',
      fc.property(
        codecArb.chain((codec) => mutationArb(codec.sample.length).map((mutation) => ({ codec, mutation }))),
        ({ codec, mutation }) => refusedOrCanonical(codec, mutation.apply(codec.sample), mutation.label),
      ),
      120,
    ),
  );
  const withLayouts = codecs.filter((c) => c.layout !== undefined);
  if (withLayouts.length > 0) {
    const substitutionArb: Arbitrary<{ codec: Codec; label: string; bytes: Uint8Array }> = fc
      .constantFrom(...withLayouts)
      .chain((codec) => fieldSubstitutionArb(codec.sample, codec.layout as readonly FieldSpec[]).map((s) => ({ codec, ...s })));
    laws.push(
      law(
        'every hostile value of every field (per-field substitution) is rejected with RangeError or decodes to an object that re-encodes to exactly those bytes',
        fc.property(substitutionArb, ({ codec, label, bytes }) => refusedOrCanonical(codec, bytes, label)),
        100,
      ),
    );
  }
  return laws;
}
