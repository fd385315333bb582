/**
 * The BLS12-381 toolkit (src/internal/bls.ts) against @noble/curves' reference operations,
 * and the validating decoder (src/internal/codec.ts) against a table of hostile inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  curve,
  G1Point,
  G2Point,
  gtCyclotomicIsMember,
  gtEq,
  gtIsMember,
  gtPow,
  gtToBytes,
  ORDER,
  pair,
  pairProduct,
  Z,
} from '../src/internal/bls.js';
import { nobleBackend } from '../src/backend/noble.js';
import { Deferred, Reader, Writer } from '../src/internal/codec.js';
import { sameExponent as sameExponentIn } from '../src/internal/pairing.js';
import { KITS } from './support/backends.js';
import { g1Affine, g2Affine, offSubgroupG1, offSubgroupG2, setByte } from '../src/testing/hostile.js';

const sameExponent = (p: typeof G1Point.BASE, q: typeof G2Point.BASE) => sameExponentIn(nobleBackend, p, q);

const { Fp, Fp12 } = curve.fields;
const scalarArb = fc.bigInt({ min: 0n, max: ORDER * 2n });

/** An Fp12 element from 12 arbitrary coordinates below p. */
const fp12Arb = fc.array(fc.bigInt({ min: 0n, max: Fp.ORDER - 1n }), { minLength: 12, maxLength: 12 }).map((c) => {
  const bytes = new Uint8Array(576);
  c.forEach((v, i) => {
    bytes.set(Fp.toBytes(v), i * 48);
  });
  return Fp12.fromBytes(bytes);
});

describe('GT arithmetic', () => {
  it('gtPow(f, k) equals the generic Fp12 power f^(k mod r) for GT elements and any k', () => {
    fc.assert(
      fc.property(scalarArb, scalarArb, (base, k) => {
        const f = Fp12.pow(Z(), base % ORDER);
        expect(gtEq(gtPow(f, k), Fp12.pow(f, k % ORDER))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('gtIsMember accepts exactly the elements with f^r = 1: pairing outputs yes, random Fp12 and cyclotomic non-members no', () => {
    fc.assert(
      fc.property(fp12Arb, scalarArb, (x, k) => {
        const inGT = Fp12.pow(Z(), k % ORDER);
        expect(gtIsMember(inGT)).toBe(true);
        // x^((p^6 - 1)(p^2 + 1)) lies in the cyclotomic subgroup but almost never in GT.
        const t = Fp12.mul(Fp12.conjugate(x), Fp12.inv(x));
        const cyclotomic = Fp12.mul(Fp12.frobeniusMap(t, 2), t);
        for (const f of [x, cyclotomic]) {
          expect(gtIsMember(f)).toBe(Fp12.eql(Fp12.pow(f, ORDER), Fp12.ONE));
        }
      }),
      { numRuns: 10 },
    );
  });

  it('gtIsMember accepts exactly GT: gcd(p^4 - p^2 + 1, p - u) = r, so the two-step test leaves no other subgroup of Fp12*', () => {
    // Fp12* is cyclic: the nonzero f with f^(p^4 - p^2 + 1) = 1 and f^(p - u) = 1 form its unique
    // subgroup of order gcd(p^4 - p^2 + 1, p - u). That this gcd is r is the whole argument.
    const p = Fp.ORDER;
    const u = -0xd201000000010000n;
    const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
    expect(gcd(p ** 4n - p ** 2n + 1n, p - u)).toBe(ORDER);
    expect((p - u) % ORDER).toBe(0n); // so every element of GT passes the second step
  });

  it('gtIsMember refuses 0 and the other small-order elements of Fp12: 0, -1, a cube root of unity, and 1 is in GT', () => {
    // Zero is not in Fp12* but satisfies f^(p^4) * f = f^(p^2) and f^p = f^u (0 = 0): the bug of issue 10.
    expect(gtIsMember(Fp12.ZERO)).toBe(false);
    expect(gtIsMember(Fp12.neg(Fp12.ONE))).toBe(false);
    const omega = Fp.pow(Fp.create(2n), (Fp.ORDER - 1n) / 3n); // a primitive cube root of unity in Fp
    expect(Fp.eql(Fp.pow(omega, 3n), Fp.ONE) && !Fp.eql(omega, Fp.ONE)).toBe(true);
    expect(gtIsMember(Fp12.mul(Fp12.ONE, omega))).toBe(false);
    expect(gtIsMember(Fp12.ONE)).toBe(true);
  });

  it('a remembered GT verdict never outlives its value: members stay members, non-members stay out, and a value that can still change is tested anew', () => {
    type Fp6 = typeof Fp12.ONE.c0;
    /** A plain, unfrozen copy of f's coefficient tree (what a caller could build by hand). */
    const thaw = (f: typeof Fp12.ONE) => {
      const half = (h: Fp6) => ({ c0: { ...h.c0 }, c1: { ...h.c1 }, c2: { ...h.c2 } });
      return { c0: half(f.c0), c1: half(f.c1) };
    };
    fc.assert(
      fc.property(fp12Arb, fc.bigInt({ min: 1n, max: ORDER - 1n }), (x, k) => {
        const member = Fp12.fromBytes(gtToBytes(gtPow(Z(), k))); // frozen, as decoded
        const t = Fp12.mul(Fp12.conjugate(x), Fp12.inv(x));
        const outside = Fp12.mul(Fp12.frobeniusMap(t, 2), t); // cyclotomic, almost never in GT
        const outsideIsMember = Fp12.eql(Fp12.pow(outside, ORDER), Fp12.ONE);
        for (let round = 0; round < 2; round++) {
          expect(gtIsMember(member)).toBe(true);
          expect(gtIsMember(outside)).toBe(outsideIsMember);
          expect(gtCyclotomicIsMember(outside)).toBe(outsideIsMember);
        }
        // A hand-built copy, unfrozen at every level, then changed into the non-member.
        const loose = thaw(member);
        expect(gtIsMember(loose)).toBe(true);
        Object.assign(loose, thaw(outside));
        expect(gtIsMember(loose)).toBe(outsideIsMember);
        // Frozen on the outside only: its coefficients can still change, so it is not remembered.
        const shell = Object.freeze(thaw(member));
        expect(gtIsMember(shell)).toBe(true);
        Object.assign(shell.c1, thaw(outside).c1);
        expect(gtIsMember(shell)).toBe(Fp12.eql(Fp12.pow(shell, ORDER), Fp12.ONE));
        Object.assign(shell.c1.c2, { c0: Fp.ZERO, c1: Fp.ONE });
        expect(gtIsMember(shell)).toBe(Fp12.eql(Fp12.pow(shell, ORDER), Fp12.ONE));
      }),
      { numRuns: 5 },
    );
  });

  it('pairProduct is bilinear and agrees with noble pairing: e(aP, bQ) = e(P, Q)^(ab)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: ORDER - 1n }), fc.bigInt({ min: 1n, max: ORDER - 1n }), (a, b) => {
        const P = G1Point.BASE.multiply(a);
        const Q = G2Point.BASE.multiply(b);
        expect(gtEq(pair(P, Q), curve.pairing(P, Q))).toBe(true);
        expect(gtEq(pair(P, Q), gtPow(Z(), (a * b) % ORDER))).toBe(true);
        expect(
          gtEq(
            pairProduct([
              [P, Q],
              [P.negate(), Q],
            ]),
            Fp12.ONE,
          ),
        ).toBe(true);
      }),
      { numRuns: 5 },
    );
  });

  it('sameExponent(g^a, h^b) holds iff a = b', () => {
    expect(sameExponent(G1Point.BASE.multiply(9n), G2Point.BASE.multiply(9n))).toBe(true);
    expect(sameExponent(G1Point.BASE.multiply(9n), G2Point.BASE.multiply(10n))).toBe(false);
  });
});

/** An element of the cyclotomic subgroup of Fp12 (it passes the cheap first step) that is not in GT. */
function cyclotomicNonMember() {
  const w = Fp12.create({ c0: Fp12.Fp6.ONE, c1: Fp12.Fp6.ONE });
  const easy = Fp12.mul(Fp12.conjugate(w), Fp12.inv(w));
  return Fp12.mul(Fp12.frobeniusMap(easy, 2), easy);
}

for (const K of KITS) {
  describe(`${K.label} codec: hostile inputs are refused with RangeError naming the field`, () => {
    const read = (fieldBytes: Uint8Array, method: 'scalar' | 'g1' | 'g2' | 'gt' | 'string' | 'bytes') => {
      const input = new Uint8Array(3 + fieldBytes.length);
      input.set([1, 9, 9]);
      input.set(fieldBytes, 3);
      const r = new Reader(K.backend, input, 'test object', 9, 9);
      const value = r[method]('field');
      r.end();
      return value instanceof Deferred ? value.value : value;
    };
    const g1 = G1Point.BASE.multiply(77n).toBytes(true);
    const g2 = G2Point.BASE.multiply(77n).toBytes(true);
    const gt = gtToBytes(Z());
    const xTooBig = setByte(new Uint8Array(48).fill(0xff), 0, 0x9f); // compressed flag set, value of x >= p

    const table: [string, 'scalar' | 'g1' | 'g2' | 'gt' | 'string' | 'bytes', Uint8Array, RegExp][] = [
      ['scalar equal to r', 'scalar', new Uint8Array(Fp.toBytes(ORDER).subarray(16)), /not canonical/],
      ['scalar above r', 'scalar', new Uint8Array(32).fill(0xff), /not canonical/],
      ['zero scalar', 'scalar', new Uint8Array(32), /zero/],
      ['truncated scalar', 'scalar', new Uint8Array(31), /truncated/],
      ['G1 x >= p', 'g1', xTooBig, /G1 x coordinate is not canonical/],
      ['G1 uncompressed flag', 'g1', setByte(g1, 0, (g1[0] as number) & 0x7f), /G1/],
      ['G1 identity', 'g1', setByte(new Uint8Array(48), 0, 0xc0), /identity|G1/],
      ['G1 not on curve', 'g1', setByte(g1, 47, (g1[47] as number) ^ 1), /G1/],
      ['G1 on curve, outside the subgroup', 'g1', g1Affine(offSubgroupG1()), /G1/],
      ['G2 not on curve', 'g2', setByte(g2, 95, (g2[95] as number) ^ 1), /G2/],
      ['G2 on twist, outside the subgroup', 'g2', g2Affine(offSubgroupG2()), /G2/],
      ['GT coordinate >= p', 'gt', Uint8Array.from([...new Uint8Array(48).fill(0xff), ...gt.subarray(48)]), /canonical/],
      ['Fp12 element outside GT', 'gt', setByte(gt, 575, (gt[575] as number) ^ 1), /subgroup/],
      ['the zero of Fp12 in a GT field', 'gt', new Uint8Array(576), /not in the order-r subgroup GT/],
      ['the identity of GT in a GT field', 'gt', gtToBytes(Fp12.ONE), /identity of GT/],
      ['a cyclotomic Fp12 element outside GT', 'gt', gtToBytes(cyclotomicNonMember()), /not in the order-r subgroup GT/],
      ['string with invalid UTF-8', 'string', Uint8Array.of(0, 2, 0xc3, 0x28), /UTF-8/],
      ['string length past the end', 'string', Uint8Array.of(0, 9, 0x41), /truncated/],
      ['bytes length past the end', 'bytes', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1), /truncated/],
    ];

    for (const [label, method, bytes, message] of table) {
      it(`refuses ${label}`, () => {
        expect(() => read(bytes, method)).toThrow(RangeError);
        expect(() => read(bytes, method)).toThrow(message);
        expect(() => read(bytes, method)).toThrow(/test object: field/);
      });
    }

    it('accepts the valid encodings the table mutates (control)', () => {
      expect((read(g1, 'g1') as typeof K.G1Point.BASE).equals(K.G1Point.BASE.multiply(77n))).toBe(true);
      expect((read(g2, 'g2') as typeof K.G2Point.BASE).equals(K.G2Point.BASE.multiply(77n))).toBe(true);
      expect(K.gtEq(read(gt, 'gt') as object, K.Z())).toBe(true);
      expect(
        read(
          new Writer(K.backend, 9, 9)
            .scalar(ORDER - 1n)
            .finish()
            .subarray(3),
          'scalar',
        ),
      ).toBe(ORDER - 1n);
    });

    it('refuses a wrong header, trailing bytes and a non-Uint8Array', () => {
      expect(() => new Reader(K.backend, Uint8Array.of(2, 9, 9), 'x', 9, 9)).toThrow(/format version/);
      expect(() => new Reader(K.backend, Uint8Array.of(1, 8, 9), 'x', 9, 9)).toThrow(/scheme id/);
      expect(() => new Reader(K.backend, Uint8Array.of(1, 9, 8), 'x', 9, 9)).toThrow(/object kind/);
      expect(() => new Reader(K.backend, Uint8Array.of(1, 9), 'x', 9, 9)).toThrow(/too short/);
      expect(() => new Reader(K.backend, [1, 9, 9] as never, 'x', 9, 9)).toThrow(TypeError);
      const r = new Reader(K.backend, Uint8Array.of(1, 9, 9, 0), 'x', 9, 9);
      expect(() => r.end()).toThrow(/trailing/);
    });
  });
}
