/**
 * The default pairing backend: pure JavaScript, on @noble/curves (src/internal/bls.ts adds the
 * pairing products with cached G2 lines, the Frobenius-split GT exponentiation and the fast GT
 * membership test). Needs nothing beyond medshare's own dependencies and is what `ga07`,
 * `huang2020`, `ga07Verifiable` and the functions of medshare/sign use.
 * @module
 */
import {
  fp12FromBytes,
  G1_BYTES,
  G1Point,
  G2_BYTES,
  G2Point,
  GT_BYTES,
  GT_ONE,
  gtCyclotomicIsMember,
  gtDiv,
  gtEq,
  gtIsCyclotomic,
  gtIsMember,
  gtIsOne,
  gtMul,
  gtPow,
  gtToBytes,
  hashToG1,
  isFp12,
  isG1,
  isG2,
  pair,
  pairProduct,
  Z,
  type G1,
  type G2,
  type GT,
} from '../internal/bls.js';
import type { Groups, PairingBackend } from './types.js';

/** The element types of the noble backend: @noble/curves' BLS12-381 points and Fp12 values. */
export interface NobleGroups extends Groups {
  /** A G1 point of @noble/curves. */
  readonly G1: G1;
  /** A G2 point of @noble/curves. */
  readonly G2: G2;
  /** An Fp12 value of @noble/curves (`{ c0, c1 }`). */
  readonly GT: GT;
}

/** Decodes a compressed point with noble and checks curve and subgroup (noble allows the identity). */
function decoder<P extends G1 | G2>(cons: { fromBytes(bytes: Uint8Array): P }): (bytes: Uint8Array) => P {
  return (bytes) => {
    const p = cons.fromBytes(bytes);
    p.assertValidity();
    return p;
  };
}

/**
 * The default backend: @noble/curves, pure JavaScript, synchronous, no extra dependency.
 * The schemes exported by medshare/pre and medshare/sign use it; `withBackend(nobleBackend)`
 * gives objects that behave exactly like them.
 */
export const nobleBackend: PairingBackend<NobleGroups> = Object.freeze({
  name: 'noble',
  G1: Object.freeze({ BASE: G1Point.BASE, ZERO: G1Point.ZERO, BYTES: G1_BYTES, fromBytes: decoder<G1>(G1Point), is: isG1 }),
  G2: Object.freeze({ BASE: G2Point.BASE, ZERO: G2Point.ZERO, BYTES: G2_BYTES, fromBytes: decoder<G2>(G2Point), is: isG2 }),
  GT: Object.freeze({
    ONE: GT_ONE,
    BYTES: GT_BYTES,
    generator: Z,
    mul: gtMul,
    div: gtDiv,
    pow: gtPow,
    eq: gtEq,
    isOne: gtIsOne,
    toBytes: gtToBytes,
    fromBytes: fp12FromBytes,
    isCyclotomic: gtIsCyclotomic,
    cyclotomicIsMember: gtCyclotomicIsMember,
    isMember: gtIsMember,
    is: isFp12,
  }),
  pair,
  pairProduct,
  hashToG1,
});
