/**
 * Decoder fuzz suite for medshare/pre (ga07, its verifiable objects, huang2020) and medshare/sign
 * (keys and authVerify), issue 10.
 *
 * Property, for every object type and every mutant of a valid encoding (src/testing/hostile.ts:
 * per-field hostile substitutions - identity, off-subgroup and small-order points, x + p,
 * 0 / 1 / non-member GT elements, scalars 0 / r / r + 1, BOM-prefixed, overlong and over-long
 * strings - bit flips, truncations, extensions, random bytes):
 *   the decoder throws EncodingError (code ERR_ENCODING), or returns an object that re-encodes to
 *   exactly the mutated bytes (canonical) and whose every group element is valid by an
 *   independent oracle (points: not the identity, noble's curve and subgroup check; GT: f^r = 1
 *   by generic exponentiation, f != 1); never any other exception. An accepted mutant that
 *   differs from the original is then checked to be useless: it does not decrypt, verify or
 *   pass as a key. For authVerify: it returns a boolean, true only for the original signature.
 *
 * Runs under every pairing backend (test/support/backends.ts). At least MEDSHARE_FUZZ_CASES
 * (default 10,000) mutants per object type under the default (noble) backend and
 * MEDSHARE_FUZZ_CASES_MCL (default 2,000) under mcl, from a fixed seed (MEDSHARE_FUZZ_SEED to vary
 * it); the per-type counts and CPU time are printed at the end. The mcl count is smaller because
 * only the backend's own decoding differs (point decompression and subgroup check, the Fp12 and
 * GT checks), and every per-field hostile substitution is tried whatever the count: the random
 * mutations beyond them exercise the codec, which both backends share.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { afterAll, describe, expect, it } from 'vitest';
import { gtIsCyclotomic, gtIsMember } from '../src/internal/bls.js';
import { DecryptionError, EncodingError } from '../src/internal/errors.js';
import { type Kit, KITS } from './support/backends.js';
import { ALICE, BOB, sameBytes } from './support/ga07-fixture.js';
import {
  type FieldSpec,
  G1_HOSTILE,
  G2_HOSTILE,
  g1Affine,
  g2Affine,
  GT_HOSTILE,
  LAYOUTS as L,
  type Mutant,
  type MutationKind,
  mutants,
  offSubgroupG1,
  offSubgroupG2,
  smallOrderG1,
  smallOrderG2,
} from '../src/testing/hostile.js';
import { makePreSignObjects } from './support/pre-sign-objects.js';

const CASES_BY_BACKEND: Record<string, number> = {
  noble: Number(process.env.MEDSHARE_FUZZ_CASES ?? 10_000),
  mcl: Number(process.env.MEDSHARE_FUZZ_CASES_MCL ?? 2_000),
};
const SEED = Number(process.env.MEDSHARE_FUZZ_SEED ?? 20261125);
/** How many accepted mutants per type get the (expensive) semantic check. */
const SEMANTIC_CHECKS = 25;

interface ObjectType {
  readonly name: string;
  readonly sample: Uint8Array;
  readonly fields: readonly FieldSpec[];
  readonly decode: (bytes: Uint8Array) => unknown;
  readonly encode: (value: never) => Uint8Array;
  /** For an accepted mutant other than the sample: true iff it is useless (does not decrypt / verify). */
  readonly useless?: (value: never) => boolean;
  /** Bit flips anywhere (each may cost a full decode). */
  readonly anywhereFlips?: number;
}

const throwsDecryption = (run: () => unknown) => {
  try {
    run();
  } catch (e) {
    return e instanceof DecryptionError;
  }
  return false;
};

/** Every object type's sample, layout, codec and usefulness check, on the backend of `K`. */
function objectTypes(K: Kit) {
  const { ga07, ga07Verifiable: v, huang2020, ga07VerifySecretKey: verifySecretKey } = K;
  const sign = K.authSign;
  const o = makePreSignObjects('decoder-fuzz', K);
  const { random } = o;
  const { params, masterKey, alice, bob, ct, rk, shared, share, commitment, partial } = o.ga07;
  const { alice: hSk, bob: hBob, rk: hRk, ct: hCt } = o.huang2020;
  const h = o.huang2020;
  const s = o.sign;
  const { signingKey, message, signature } = o.sign;

  const types: ObjectType[] = [
    {
      name: 'ga07 params',
      sample: ga07.encodeParams(params),
      fields: L.ga07.params,
      ...codec(ga07.decodeParams, ga07.encodeParams),
    },
    {
      name: 'ga07 master key',
      sample: ga07.encodeMasterKey(masterKey),
      fields: L.ga07.masterKey,
      ...codec(ga07.decodeMasterKey, ga07.encodeMasterKey),
    },
    {
      name: 'ga07 secret key',
      sample: ga07.encodeSecretKey(alice),
      fields: L.ga07.secretKey,
      ...codec(ga07.decodeSecretKey, ga07.encodeSecretKey),
      useless: (k: typeof alice) => !verifySecretKey(params, k) || k.identity !== ALICE,
    },
    {
      name: 'ga07 re-encryption key',
      sample: ga07.encodeReKey(rk),
      fields: L.ga07.reKey,
      ...codec(ga07.decodeReKey, ga07.encodeReKey),
      useless: (k: typeof rk) =>
        k.delegator !== ALICE ||
        k.delegatee !== BOB ||
        throwsDecryption(() => ga07.decrypt(params, bob, ga07.reEncrypt(params, k, ct))),
    },
    {
      name: 'ga07 ciphertext (original)',
      sample: ga07.encodeCiphertext(ct),
      fields: L.ga07.originalCiphertext,
      ...codec(ga07.decodeCiphertext, ga07.encodeCiphertext),
      useless: (c: typeof ct) => throwsDecryption(() => ga07.decrypt(params, alice, c)),
    },
    {
      name: 'ga07 ciphertext (re-encrypted)',
      sample: ga07.encodeCiphertext(shared),
      fields: L.ga07.reEncryptedCiphertext,
      ...codec(ga07.decodeCiphertext, ga07.encodeCiphertext),
      useless: (c: typeof ct) => throwsDecryption(() => ga07.decrypt(params, bob, c)),
      anywhereFlips: 60,
    },
    {
      name: 'ga07 re-encryption key share',
      sample: v.encodeReKeyShare(share),
      fields: L.ga07.reKeyShare,
      ...codec(v.decodeReKeyShare, v.encodeReKeyShare),
      anywhereFlips: 60,
    },
    {
      name: 'ga07 re-encryption key commitment',
      sample: v.encodeReKeyCommitment(commitment),
      fields: L.ga07.reKeyCommitment(2),
      ...codec(v.decodeReKeyCommitment, v.encodeReKeyCommitment),
      useless: (c: typeof commitment) => !v.verifyReKeyCommitment(params, bob, c),
    },
    {
      name: 'ga07 re-encryption share',
      sample: v.encodeReEncryptionShare(partial),
      fields: L.ga07.reEncryptionShare,
      ...codec(v.decodeReEncryptionShare, v.encodeReEncryptionShare),
      useless: (p: typeof partial) => !v.verifyReEncryptionShare(params, commitment, ct, p),
    },
    {
      name: 'huang2020 params',
      sample: huang2020.encodeParams(h.params),
      fields: L.huang2020.params,
      ...codec(huang2020.decodeParams, huang2020.encodeParams),
    },
    {
      name: 'huang2020 master key',
      sample: huang2020.encodeMasterKey(h.masterKey),
      fields: L.huang2020.masterKey,
      ...codec(huang2020.decodeMasterKey, huang2020.encodeMasterKey),
    },
    {
      name: 'huang2020 secret key',
      sample: huang2020.encodeSecretKey(hSk),
      fields: L.huang2020.secretKey,
      ...codec(huang2020.decodeSecretKey, huang2020.encodeSecretKey),
      // No semantic check: a secret key is its holder's own, and fields that Decrypt does not use
      // (B1, B2, B3, the D's) can change without changing what the key decrypts.
      anywhereFlips: 30,
    },
    {
      name: 'huang2020 re-encryption key',
      sample: huang2020.encodeReKey(hRk),
      fields: L.huang2020.reKey,
      ...codec(huang2020.decodeReKey, huang2020.encodeReKey),
      useless: (k: typeof hRk) =>
        k.delegator !== ALICE ||
        k.delegatee !== BOB ||
        throwsDecryption(() => huang2020.decrypt(h.params, hBob, huang2020.reEncrypt(h.params, k, hCt))),
    },
    {
      name: 'huang2020 ciphertext',
      sample: huang2020.encodeCiphertext(hCt),
      fields: L.huang2020.ciphertext,
      ...codec(huang2020.decodeCiphertext, huang2020.encodeCiphertext),
      useless: (c: typeof hCt) => throwsDecryption(() => huang2020.decrypt(h.params, hSk, c)),
    },
    {
      name: 'authSign params',
      sample: sign.encodeParams(s.params),
      fields: L.authSign.params,
      ...codec(sign.decodeParams, sign.encodeParams),
    },
    {
      name: 'authSign master key',
      sample: sign.encodeMasterKey(s.masterKey),
      fields: L.authSign.masterKey,
      ...codec(sign.decodeMasterKey, sign.encodeMasterKey),
    },
    {
      name: 'authSign signing key',
      sample: sign.encodeSigningKey(signingKey),
      fields: L.authSign.signingKey,
      ...codec(sign.decodeSigningKey, sign.encodeSigningKey),
      useless: (k: typeof signingKey) => !sign.authVerify(s.params, ALICE, message, sign.authSign(k, message, { random })),
    },
  ];
  return { types, sign, signParams: s.params, message, signature };
}

function codec<T>(decode: (b: Uint8Array) => T, encode: (x: T) => Uint8Array) {
  return { decode, encode: encode as (x: never) => Uint8Array };
}

/** Per object type: how many mutants of each class, how many accepted, CPU milliseconds. */
const report: {
  name: string;
  total: number;
  accepted: number;
  deep: number;
  cpuMs: number;
  byKind: Map<MutationKind, number>;
}[] = [];

afterAll(() => {
  if (report.length === 0) return;
  const lines = report.map(
    (r) =>
      `${r.name.padEnd(44)} ${String(r.total).padStart(6)} cases ${String(r.accepted).padStart(4)} accepted ` +
      `${(r.cpuMs / 1000).toFixed(1).padStart(5)} s CPU`,
  );
  const cpu = report.reduce((a, r) => a + r.cpuMs, 0);
  const total = report.reduce((a, r) => a + r.total, 0);
  const kinds = new Map<MutationKind, number>();
  for (const r of report) for (const [k, n] of r.byKind) kinds.set(k, (kinds.get(k) ?? 0) + n);
  console.log(
    [
      `decoder fuzz: ${total} mutants, ${report.length} object types x backends, ${(cpu / 1000).toFixed(1)} s CPU (seed ${SEED})`,
      ...lines,
      `by class: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    ].join('\n'),
  );
});

/**
 * The validity oracle, independent of the decoders' own tests (and of the mcl backend): every
 * point of an accepted object, re-read by @noble/curves from its encoding, is not the identity
 * and passes noble's curve and subgroup checks; every Fp12 value f, read by noble, satisfies
 * f^r = 1 by a generic exponentiation (the definition of GT) and is not 1. Memoised per
 * encoding: accepted mutants mostly share their group elements with the sample.
 */
const validity = new Map<string, string | undefined>();
function invalidPart(K: Kit, value: unknown, path = 'value'): string | undefined {
  if (value instanceof Uint8Array || typeof value !== 'object' || value === null) return undefined;
  const { Fp12, Fr } = bls12_381.fields;
  const group = K.G1Point.is(value) ? bls12_381.G1.Point : K.G2Point.is(value) ? bls12_381.G2.Point : undefined;
  const isGt = K.backend.GT.is(value);
  if (group !== undefined || isGt) {
    const bytes = group !== undefined ? (value as { toBytes(c: boolean): Uint8Array }).toBytes(true) : K.gtToBytes(value);
    const key = Buffer.from(bytes).toString('hex');
    if (!validity.has(key)) {
      let problem: string | undefined;
      if (group !== undefined) {
        if ((value as { is0(): boolean }).is0()) problem = 'the identity point';
        else {
          try {
            group.fromBytes(bytes).assertValidity();
          } catch (e) {
            problem = `an invalid point (${(e as Error).message})`;
          }
        }
      } else {
        const f = Fp12.fromBytes(bytes);
        if (!Fp12.eql(Fp12.pow(f, Fr.ORDER), Fp12.ONE)) problem = 'an Fp12 element outside GT';
        else if (Fp12.eql(f, Fp12.ONE)) problem = 'the identity of GT';
      }
      validity.set(key, problem);
    }
    const problem = validity.get(key);
    return problem === undefined ? undefined : `${path} is ${problem}`;
  }
  for (const [k, v] of Object.entries(value)) {
    const problem = invalidPart(K, v, `${path}.${k}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function describeFailure(type: string, m: Mutant, problem: string): string {
  return `${type}: mutant "${m.label}" (${m.kind}): ${problem}`;
}

describe('the hostile values are what they claim (src/testing/hostile.ts)', () => {
  const find = <T extends { name: string }>(list: readonly T[], name: string) => {
    const value = list.find((x) => x.name === name);
    if (value === undefined) throw new Error(`no hostile value ${name}`);
    return value;
  };
  const G1 = bls12_381.G1.Point;
  const G2 = bls12_381.G2.Point;
  const { Fp, Fp12 } = bls12_381.fields;
  /** n * p by repeated addition, for points outside the subgroup (noble's multiply wants k < r). */
  const times = <P extends { add(o: P): P }>(p: P, n: number) => {
    let acc = p;
    for (let i = 1; i < n; i++) acc = acc.add(p);
    return acc;
  };

  it('points: off-curve ones do not decompress; off-subgroup and small-order ones lie on the curve with the stated order', () => {
    expect(() => G1.fromBytes(find(G1_HOSTILE, 'not on the curve').bytes(new Uint8Array(48)))).toThrow();
    expect(() => G2.fromBytes(find(G2_HOSTILE, 'not on the curve').bytes(new Uint8Array(96)))).toThrow();
    // noble's fromBytes refuses these outright; check the points the tables compress instead.
    const tables: [Uint8Array, Uint8Array][] = [
      [find(G1_HOSTILE, 'on the curve, outside the subgroup').bytes(new Uint8Array(48)), g1Affine(offSubgroupG1())],
      [find(G1_HOSTILE, 'order 3').bytes(new Uint8Array(48)), g1Affine(smallOrderG1(3n))],
      [find(G2_HOSTILE, 'order 13').bytes(new Uint8Array(96)), g2Affine(smallOrderG2(13n))],
    ];
    for (const [inTable, compressed] of tables) expect(sameBytes(inTable, compressed)).toBe(true);
    for (const p of [offSubgroupG1(), smallOrderG1(3n), smallOrderG1(11n)]) {
      expect(() => p.assertValidity()).toThrow(/subgroup/);
      expect(() => G1.fromBytes(g1Affine(p))).toThrow();
    }
    for (const p of [offSubgroupG2(), smallOrderG2(13n)]) expect(() => p.assertValidity()).toThrow(/subgroup/);
    expect(times(smallOrderG1(3n), 3).is0() && !smallOrderG1(3n).is0()).toBe(true);
    expect(times(smallOrderG1(11n), 11).is0() && !times(smallOrderG1(11n), 10).is0()).toBe(true);
    expect(times(smallOrderG2(13n), 13).is0() && !times(smallOrderG2(13n), 12).is0()).toBe(true);
    const xp = find(G1_HOSTILE, 'x + p of a valid point').bytes(new Uint8Array(48)).slice();
    xp[0] = (xp[0] as number) & 0x1f;
    expect(BigInt(`0x${Buffer.from(xp).toString('hex')}`) >= Fp.ORDER).toBe(true);
  });

  it('GT values: zero, one and small-order elements are not in GT; the cyclotomic non-members pass the cheap step only', () => {
    const gt = (name: string) => Fp12.fromBytes(find(GT_HOSTILE, name).bytes(Fp12.toBytes(Fp12.ONE)));
    for (const name of [
      'zero',
      'minus one',
      'cube root of unity',
      'cyclotomic, outside GT',
      'GT element times a cyclotomic non-member',
    ]) {
      expect(gtIsMember(gt(name)), name).toBe(false);
    }
    expect(gtIsCyclotomic(gt('cyclotomic, outside GT'))).toBe(true);
    expect(gtIsCyclotomic(gt('GT element times a cyclotomic non-member'))).toBe(true);
    expect(gtIsMember(gt('one')) && gtIsMember(gt('another element of GT'))).toBe(true);
  });
});

for (const K of KITS) {
  const CASES = CASES_BY_BACKEND[K.name] as number;
  describe(`${K.label} decoder fuzz: hostile bytes are refused with EncodingError or accepted only when canonical`, () => {
    const { types, sign, signParams, message, signature } = objectTypes(K);
    for (const [index, t] of types.entries()) {
      it(`${t.name}: at least ${CASES} mutants`, () => {
        const start = process.cpuUsage();
        const byKind = new Map<MutationKind, number>();
        let total = 0;
        let accepted = 0;
        let checked = 0;
        for (const m of mutants(t.sample, t.fields, {
          cases: CASES,
          seed: SEED + index,
          anywhereFlips: t.anywhereFlips ?? 100,
        })) {
          total++;
          byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
          let value: unknown;
          try {
            value = t.decode(m.bytes);
          } catch (e) {
            if (!(e instanceof EncodingError) || e.code !== 'ERR_ENCODING') {
              expect.fail(describeFailure(t.name, m, `threw ${String(e)} instead of EncodingError`));
            }
            continue;
          }
          accepted++;
          if (!sameBytes(t.encode(value as never), m.bytes))
            expect.fail(describeFailure(t.name, m, 'accepted but not canonical'));
          const invalid = invalidPart(K, value);
          if (invalid !== undefined) expect.fail(describeFailure(t.name, m, `accepted, but ${invalid}`));
          if (t.useless !== undefined && !sameBytes(m.bytes, t.sample) && checked < SEMANTIC_CHECKS) {
            checked++;
            if (!t.useless(value as never))
              expect.fail(describeFailure(t.name, m, 'accepted, and still works like the original'));
          }
        }
        const used = process.cpuUsage(start);
        report.push({
          name: `${K.label} ${t.name}`,
          total,
          accepted,
          deep: checked,
          cpuMs: (used.user + used.system) / 1000,
          byKind,
        });
        expect(total).toBeGreaterThanOrEqual(CASES);
        expect(accepted).toBeLessThan(total / 10); // almost every mutant is refused
      });
    }

    it(`authVerify: at least ${CASES} mutated signatures return a boolean, true only for the original`, () => {
      const start = process.cpuUsage();
      expect(sign.authVerify(signParams, ALICE, message, signature)).toBe(true); // control
      const byKind = new Map<MutationKind, number>();
      let total = 0;
      let accepted = 0;
      for (const m of mutants(signature, L.authSign.signature, {
        cases: CASES,
        seed: SEED + 99,
        anywhereFlips: 100,
        headerBytes: 0,
      })) {
        total++;
        byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
        let verdict: unknown;
        try {
          verdict = sign.authVerify(signParams, ALICE, message, m.bytes);
        } catch (e) {
          expect.fail(describeFailure('authVerify', m, `threw ${String(e)}`));
        }
        if (typeof verdict !== 'boolean') expect.fail(describeFailure('authVerify', m, 'did not return a boolean'));
        if (verdict) {
          accepted++;
          if (!sameBytes(m.bytes, signature)) expect.fail(describeFailure('authVerify', m, 'a mutated signature verifies'));
        }
      }
      const used = process.cpuUsage(start);
      report.push({
        name: `${K.label} authVerify (signature)`,
        total,
        accepted,
        deep: 0,
        cpuMs: (used.user + used.system) / 1000,
        byKind,
      });
      expect(total).toBeGreaterThanOrEqual(CASES);
    });
  });
}
