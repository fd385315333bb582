/**
 * @module
 * Attacks on the verifiable re-encryption layer of ga07 (src/pre/ga07-verifiable.ts), written
 * the way an outside attacker would: from the published byte formats and the statement layout of
 * test/vectors/README.md, without the library's internal prover. Each returns the bytes the
 * attacker would send (and the object, for the checks on objects built in memory); the tests in
 * test/hostile-inputs.test.ts check that they are refused, under every backend (`kit`).
 */
import type { Groups } from '../../src/backend/types.js';
import { curve, Fr, hashToScalar } from '../../src/internal/bls.js';
import { Kind, SchemeId, Writer } from '../../src/internal/codec.js';
import { PROOF_DST } from '../../src/pre/ga07-verifiable.js';
import type { Kit } from './backends.js';

type G1 = Groups['G1'];
type G2 = Groups['G2'];
type GT = Groups['GT'];

/** The zero of Fp12 for the noble backend (the default schemes, medshare/protocol). */
export const FP12_ZERO = curve.fields.Fp12.ZERO;

/** The zero of Fp12 in `kit`'s backend: not an element of GT (nor of Fp12*), the value issue 10 found accepted. */
export function fp12Zero(kit: Kit): GT {
  return kit.gtFromBytes(new Uint8Array(576));
}

/** The public part of a partial re-encryption's statement. */
export interface PartialStatement {
  delegator: string;
  delegatee: string;
  threshold: number;
  total: number;
  index: number;
  R1: G2;
  R2: GT;
  Yi: GT;
  C1: G2;
  C2: GT;
}

/** The Fiat-Shamir challenge, recomputed from the documented statement layout (test/vectors/README.md). */
export function challengeOf(kit: Kit, s: PartialStatement, C2i: GT, T1: GT, T2: GT): bigint {
  const bytes = new Writer(kit.backend, SchemeId.ga07, Kind.reEncryptionShare)
    .string(s.delegator)
    .string(s.delegatee)
    .u8(s.threshold)
    .u8(s.total)
    .u8(s.index)
    .g2(s.R1)
    .gt(s.R2)
    .gt(s.Yi)
    .g2(s.C1)
    .gt(s.C2)
    .gt(C2i)
    .gt(T1)
    .gt(T2)
    .finish();
  return hashToScalar(PROOF_DST, bytes);
}

/** Encodes a partial re-encryption in the documented layout (kind 10), whatever its values. */
export function encodePartial(kit: Kit, s: PartialStatement, C2i: GT, challenge: bigint, response: G1): Uint8Array {
  return new Writer(kit.backend, SchemeId.ga07, Kind.reEncryptionShare)
    .string(s.delegator)
    .string(s.delegatee)
    .u8(s.threshold)
    .u8(s.total)
    .u8(s.index)
    .gt(C2i)
    .scalar(challenge)
    .g1(response)
    .finish();
}

/**
 * A proxy that holds its share sends C2'_i = 0 with an honest proof for the other half of the
 * statement (e(S, h) = Y_i): the verifier computes T1 = e(z, C1) / 0^c = 0, so c = H(..., 0, T2)
 * with T2 = Z^w checks out. Returns the partial and its bytes.
 */
export function zeroPartialWithHonestHalf(kit: Kit, s: PartialStatement, share: G1, w: bigint) {
  const zero = fp12Zero(kit);
  const T2 = kit.gtPow(kit.Z(), w);
  const challenge = challengeOf(kit, s, zero, zero, T2);
  const response = kit.G1Point.BASE.multiply(w).add(share.multiply(challenge));
  return attackerPartial(kit, s, zero, challenge, response);
}

/** The partial an attacker sends, as an object and as bytes. */
function attackerPartial(kit: Kit, s: PartialStatement, C2: GT, challenge: bigint, response: G1) {
  const { delegator, delegatee, threshold, total, index } = s;
  const meta = { scheme: 'ga07' as const, delegator, delegatee, threshold, total, index };
  return { partial: { ...meta, C2, proof: { challenge, response } }, bytes: encodePartial(kit, s, C2, challenge, response) };
}

/**
 * Against a commitment whose Y_i is 0, anyone proves "knowledge" of a share without holding
 * one: take C2'_i = C2 (D = 1), any response z; T1 = e(z, C1), T2 = e(z, h) / 0^c = 0.
 */
export function shareFreePartial(kit: Kit, s: PartialStatement, z: bigint) {
  const response = kit.G1Point.BASE.multiply(Fr.create(z));
  const T1 = kit.pair(response, s.C1);
  const challenge = challengeOf(kit, s, s.C2, T1, fp12Zero(kit));
  return attackerPartial(kit, s, s.C2, challenge, response);
}
