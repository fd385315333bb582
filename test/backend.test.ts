/**
 * The pairing backends (src/backend/): every backend's primitives give the same values and the
 * same bytes as the noble reference, byte for byte - never assumed, checked here:
 * - compressed G1 / G2 encodings (ZCash / IETF flag bits) of random multiples, and their decoders
 *   on every hostile point of src/testing/hostile.ts;
 * - RFC 9380 hash_to_curve (BLS12381G1_XMD:SHA-256_SSWU_RO_) against the RFC's own vectors and,
 *   for random messages, under medshare's domain-separation tags;
 * - pairings and pairing products (the same bilinear map, not merely a bilinear map), GT
 *   arithmetic, GT as twelve 48-byte big-endian Fp in noble's coefficient order, and the GT
 *   membership test on every hostile Fp12 value;
 * - the mcl loader: memoised; ERR_MISSING_DEPENDENCY naming mcl-wasm when the package is
 *   missing; BackendUnavailableError when it is incomplete or computes other bytes (the self-test).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mclBackend } from '../src/backend/mcl.js';
import { importMcl, loadMcl, swapFp2Halves } from '../src/backend/mcl-runtime.js';
import { nobleBackend, withBackend } from '../src/backend/index.js';
import { ORDER } from '../src/internal/bls.js';
import { BackendUnavailableError, isMedshareError } from '../src/internal/errors.js';
import { H1_DST, H2_DST } from '../src/pre/ga07.js';
import { KITS, MCL, NOBLE } from './support/backends.js';
import { G1_HOSTILE, G2_HOSTILE, GT_HOSTILE } from '../src/testing/hostile.js';

const { Fp, Fp12 } = bls12_381.fields;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const scalar = fc.bigInt({ min: 1n, max: ORDER - 1n });
/** medshare's hash-to-G1 tags: ga07's H1 and H2, AuthSign's H1. */
const DSTS = [H1_DST, H2_DST, 'MEDSHARE-V1-AUTHSIGN-H1_BLS12381G1_XMD:SHA-256_SSWU_RO_'];
/** RFC 9380, appendix J.9.1: BLS12381G1_XMD:SHA-256_SSWU_RO_. */
const RFC_DST = 'QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
const RFC_VECTORS = [
  {
    msg: '',
    x: '052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1',
    y: '08ba738453bfed09cb546dbb0783dbb3a5f1f566ed67bb6be0e8c67e2e81a4cc68ee29813bb7994998f3eae0c9c6a265',
  },
  {
    msg: 'abc',
    x: '03567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903',
    y: '0b9c15f3fe6e5cf4211f346271d7b01c8f3b28be689c8429c85b67af215533311f0b8dfaaa154fa6b88176c229f2885d',
  },
];

for (const K of KITS) {
  const B = K.backend;
  const G1 = bls12_381.G1.Point;
  const G2 = bls12_381.G2.Point;

  describe(`${K.label} backend primitives against the noble reference, byte for byte`, () => {
    it('G1 and G2: a * g and b * h encode as noble encodes them; add, subtract, negate, equals, is0 and both multiplications agree', () => {
      fc.assert(
        fc.property(scalar, scalar, (a, b) => {
          const p = B.G1.BASE.multiply(a);
          const q = B.G2.BASE.multiply(b);
          expect(hex(p.toBytes())).toBe(hex(G1.BASE.multiply(a).toBytes(true)));
          expect(hex(q.toBytes())).toBe(hex(G2.BASE.multiply(b).toBytes(true)));
          expect(hex(p.add(B.G1.BASE).subtract(p.negate()).toBytes())).toBe(
            hex(G1.BASE.multiply(a).multiply(2n).add(G1.BASE).toBytes(true)),
          );
          expect(p.multiplyUnsafe(b).equals(B.G1.BASE.multiply(a).multiply(b))).toBe(true);
          expect(p.subtract(p).is0() && !p.is0() && p.subtract(p).equals(B.G1.ZERO)).toBe(true);
          expect(B.G1.fromBytes(p.toBytes()).equals(p) && B.G2.fromBytes(q.toBytes()).equals(q)).toBe(true);
        }),
        { numRuns: 6 },
      );
      expect(hex(B.G1.ZERO.toBytes())).toBe(hex(G1.ZERO.toBytes(true)));
      expect(hex(B.G2.ZERO.toBytes())).toBe(hex(G2.ZERO.toBytes(true)));
      expect(B.G1.BASE.multiplyUnsafe(0n).is0()).toBe(true);
    });

    it('scalars out of range are refused as noble refuses them: multiply needs 1 <= k < r, multiplyUnsafe 0 <= k < r', () => {
      for (const k of [0n, ORDER, ORDER + 1n, -1n]) expect(() => B.G1.BASE.multiply(k)).toThrow(RangeError);
      for (const k of [ORDER, -1n]) expect(() => B.G2.BASE.multiplyUnsafe(k)).toThrow(RangeError);
    });

    it('hash to G1: the RFC 9380 vectors (J.9.1), and the same points as noble for random messages under every medshare tag', () => {
      for (const v of RFC_VECTORS) {
        const p = B.hashToG1(RFC_DST, new TextEncoder().encode(v.msg));
        const affine = G1.fromBytes(p.toBytes()).toAffine();
        expect(affine.x.toString(16).padStart(96, '0')).toBe(v.x);
        expect(affine.y.toString(16).padStart(96, '0')).toBe(v.y);
      }
      fc.assert(
        fc.property(fc.constantFrom(...DSTS), fc.uint8Array({ maxLength: 700 }), (dst, message) => {
          expect(hex(B.hashToG1(dst, message).toBytes())).toBe(
            hex(bls12_381.G1.hashToCurve(message, { DST: dst }).toBytes(true)),
          );
        }),
        { numRuns: 8 },
      );
    });

    it('pairings: e(a g, b h) = Z^(ab) with the bytes of noble pairing; products of pairs and identities as noble computes them', () => {
      const a = 0x1234567890abcdefn;
      const b = 0xfedcba0987654321n;
      const e = B.pair(B.G1.BASE.multiply(a), B.G2.BASE.multiply(b));
      expect(hex(B.GT.toBytes(e))).toBe(hex(Fp12.toBytes(bls12_381.pairing(G1.BASE.multiply(a), G2.BASE.multiply(b)))));
      expect(B.GT.eq(e, B.GT.pow(B.GT.generator(), a * b))).toBe(true);
      expect(hex(B.GT.toBytes(B.GT.generator()))).toBe(hex(Fp12.toBytes(bls12_381.pairing(G1.BASE, G2.BASE))));
      const product = B.pairProduct([
        [B.G1.BASE.multiply(a), B.G2.BASE],
        [B.G1.ZERO, B.G2.BASE],
        [B.G1.BASE, B.G2.BASE.multiply(b)],
        [B.G1.BASE.negate(), B.G2.ZERO],
        [B.G1.BASE.multiply(3n), B.G2.BASE.multiply(5n)],
      ]);
      expect(B.GT.eq(product, B.GT.pow(B.GT.generator(), a + b + 15n))).toBe(true);
      expect(B.GT.isOne(B.pairProduct([[B.G1.ZERO, B.G2.BASE]]))).toBe(true);
      // Precomputed lines are cached per G2 object: a second use gives the same value.
      const q = B.G2.BASE.multiply(b);
      expect(B.GT.eq(B.pair(B.G1.BASE, q), B.pair(B.G1.BASE, q))).toBe(true);
    });

    it('GT: mul, div, pow (any integer, reduced mod r), eq, isOne and the 576-byte encoding agree with noble', () => {
      fc.assert(
        fc.property(scalar, fc.bigInt({ min: -(ORDER * 2n), max: ORDER * 2n }), (k, e) => {
          const nz = bls12_381.pairing(G1.BASE, G2.BASE);
          const f = B.GT.pow(B.GT.generator(), k);
          const nf = Fp12.pow(nz, k);
          expect(hex(B.GT.toBytes(f))).toBe(hex(Fp12.toBytes(nf)));
          const ePos = ((e % ORDER) + ORDER) % ORDER;
          expect(hex(B.GT.toBytes(B.GT.pow(f, e)))).toBe(hex(Fp12.toBytes(Fp12.pow(nf, ePos))));
          expect(hex(B.GT.toBytes(B.GT.mul(f, B.GT.generator())))).toBe(hex(Fp12.toBytes(Fp12.mul(nf, nz))));
          expect(hex(B.GT.toBytes(B.GT.div(f, B.GT.generator())))).toBe(hex(Fp12.toBytes(Fp12.div(nf, nz))));
          expect(B.GT.isOne(B.GT.div(f, f)) && !B.GT.isOne(f) && B.GT.eq(B.GT.fromBytes(B.GT.toBytes(f)), f)).toBe(true);
        }),
        { numRuns: 5 },
      );
    });

    it("GT encoding: any twelve canonical coefficients round-trip, in noble's order, through the backend's Fp12 values", () => {
      fc.assert(
        fc.property(fc.array(fc.bigInt({ min: 0n, max: Fp.ORDER - 1n }), { minLength: 12, maxLength: 12 }), (coefficients) => {
          const bytes = new Uint8Array(576);
          coefficients.forEach((c, i) => {
            bytes.set(Fp.toBytes(c), 48 * i);
          });
          const f = B.GT.fromBytes(bytes);
          expect(hex(B.GT.toBytes(f))).toBe(hex(bytes));
          // multiplying by 1 goes through the backend's arithmetic, not only its encoders
          expect(hex(B.GT.toBytes(B.GT.mul(f, B.GT.ONE)))).toBe(hex(bytes));
          // conjugation (used by div) maps the coefficients as noble's conjugate does
          expect(hex(B.GT.toBytes(B.GT.div(B.GT.ONE, f)))).toBe(hex(Fp12.toBytes(Fp12.conjugate(Fp12.fromBytes(bytes)))));
        }),
        { numRuns: 20 },
      );
      const tooBig = new Uint8Array(576);
      tooBig.set(Fp.toBytes(0n), 0);
      tooBig.set(new Uint8Array(48).fill(0xff), 48 * 7);
      expect(() => B.GT.fromBytes(tooBig)).toThrow(/range|canonical/);
    });

    it('GT membership: every hostile Fp12 value of src/testing/hostile.ts gets the verdict noble gives it, at each step', () => {
      const z = Fp12.toBytes(bls12_381.pairing(G1.BASE, G2.BASE));
      let checked = 0;
      for (const h of GT_HOSTILE) {
        const bytes = h.bytes(z);
        let noble: ReturnType<typeof Fp12.fromBytes>;
        try {
          noble = Fp12.fromBytes(bytes);
        } catch {
          expect(() => B.GT.fromBytes(bytes), h.name).toThrow();
          continue;
        }
        const f = B.GT.fromBytes(bytes);
        const cyclotomic = nobleBackend.GT.isCyclotomic(noble);
        expect(B.GT.isCyclotomic(f), h.name).toBe(cyclotomic);
        if (cyclotomic) expect(B.GT.cyclotomicIsMember(f), h.name).toBe(nobleBackend.GT.cyclotomicIsMember(noble));
        expect(B.GT.isMember(f), h.name).toBe(nobleBackend.GT.isMember(noble));
        expect(B.GT.isOne(f), h.name).toBe(Fp12.eql(noble, Fp12.ONE));
        checked++;
      }
      expect(checked).toBeGreaterThan(5);
    });

    it('point decoders: every hostile G1 / G2 encoding of src/testing/hostile.ts is refused or accepted as noble refuses or accepts it', () => {
      const cases: [
        readonly { name: string; bytes: (f: Uint8Array) => Uint8Array }[],
        Uint8Array,
        typeof B.G1 | typeof B.G2,
        typeof G1 | typeof G2,
      ][] = [
        [G1_HOSTILE, G1.BASE.multiply(99n).toBytes(true), B.G1, G1],
        [G2_HOSTILE, G2.BASE.multiply(99n).toBytes(true), B.G2, G2],
      ];
      for (const [table, sample, group, reference] of cases) {
        for (const h of table) {
          const bytes = h.bytes(sample);
          let expected: string | undefined;
          try {
            const p = reference.fromBytes(bytes);
            p.assertValidity();
            expected = hex(p.toBytes(true));
          } catch {
            expected = undefined;
          }
          let got: string | undefined;
          try {
            got = hex(group.fromBytes(bytes).toBytes());
          } catch {
            got = undefined;
          }
          expect(got, h.name).toBe(expected);
        }
      }
    });

    it("elements of another backend are not this backend's: the type tests tell them apart", () => {
      const other = K === NOBLE ? MCL : NOBLE;
      expect(B.G1.is(other.G1Point.BASE) || B.G2.is(other.G2Point.BASE) || B.GT.is(other.Z())).toBe(false);
      expect(B.G1.is(B.G1.BASE) && B.G2.is(B.G2.BASE) && B.GT.is(B.GT.generator())).toBe(true);
      expect(B.G1.is(B.G2.BASE) || B.G2.is(B.G1.BASE)).toBe(false);
    });
  });
}

describe('the mcl loader', () => {
  it('mclBackend() loads once: every call gives the same backend, and withBackend the same schemes', async () => {
    const a = await mclBackend();
    expect(await mclBackend()).toBe(a);
    expect(withBackend(a).ga07).toBe(withBackend(await mclBackend()).ga07);
    expect(a.name).toBe('mcl');
  });

  it('mcl-wasm missing: ERR_MISSING_DEPENDENCY naming the package, its licence and how to install it', async () => {
    // What Node's loader throws for an uninstalled package (import of a subpath of it).
    const notFound = Object.assign(
      new Error("Cannot find package 'mcl-wasm' imported from /app/node_modules/medshare/dist/backend/mcl-runtime.js"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    const error = await loadMcl(() => Promise.reject(notFound)).catch((e: unknown) => e);
    expect(isMedshareError(error) && error.code).toBe('ERR_MISSING_DEPENDENCY');
    expect(error).not.toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe(
      'medshare/backend/mcl needs mcl-wasm (BSD-3-Clause, optional peer dependency of medshare), which is not installed: npm install mcl-wasm',
    );
  });

  it('mcl-wasm installed but failing to load (not "package not found"): BackendUnavailableError (ERR_BACKEND_UNAVAILABLE)', async () => {
    const broken = () =>
      Promise.reject(Object.assign(new Error("Cannot find module './mcl_c.wasm'"), { code: 'ERR_MODULE_NOT_FOUND' }));
    const error = await loadMcl(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(isMedshareError(error) && error.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect((error as BackendUnavailableError).packageName).toBe('mcl-wasm');
    expect((error as Error).message).toMatch(/optional package mcl-wasm.*npm install mcl-wasm/);
  });

  it('a module without the functions the backend calls, or not a module factory at all, is refused', async () => {
    const real = (await importMcl()) as { default: (o: unknown) => Promise<Record<string, unknown>> };
    const incomplete = async () => ({
      default: async (options: unknown) => {
        const mod = await real.default(options);
        return { ...mod, _mclBnGT_powGeneric: undefined };
      },
    });
    await expect(loadMcl(incomplete)).rejects.toThrow(/without _mclBnGT_powGeneric/);
    await expect(loadMcl(async () => ({ default: 42 }))).rejects.toThrow(BackendUnavailableError);
  });

  it('a module that computes other bytes fails the self-test: here one whose ETH serialization cannot be switched on', async () => {
    const real = (await importMcl()) as { default: (o: unknown) => Promise<Record<string, unknown>> };
    const otherBytes = async () => ({
      default: async (options: unknown) => ({ ...(await real.default(options)), _mclBn_setETHserialization: () => 0 }),
    });
    await expect(loadMcl(otherBytes)).rejects.toThrow(/self-test/);
  });

  it("the Fp2 swap that maps mcl's GT encoding onto medshare's is an involution", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 576, maxLength: 576 }), (bytes) => {
        expect(swapFp2Halves(swapFp2Halves(bytes))).toEqual(bytes);
        expect(swapFp2Halves(bytes).subarray(0, 48)).toEqual(bytes.subarray(48, 96));
      }),
      { numRuns: 20 },
    );
  });
});
