/**
 * Prove and Verify (paper 4.2.6 step 6, 4.2.7) for the eligibility circuit, Groth16 on BN254.
 * - prove: snarkjs computes the witness (circom's generator) and the proof; snarkjs is an
 *   optional peer dependency, loaded on the first proof (./optional.ts).
 * - verify: our own check in TypeScript on @noble/curves, independent of snarkjs (which it does
 *   not need installed):
 *     e(A, B) = e(alpha, beta) e(sum_i x_i IC_i, gamma) e(C, delta),
 *   as one batched pairing product e(-A, B) e(alpha, beta) e(vk_x, gamma) e(C, delta) = 1.
 * @module
 */
import { bn254 } from '@noble/curves/bn254.js';
import { FIELD_ORDER } from './field.js';
import {
  type DecodedVerificationKey,
  decodeProofJson,
  decodeVerificationKey,
  type Groth16Proof,
  isDecodedVerificationKey,
  PUBLIC_SIGNALS,
  type ProvingKey,
} from './keys.js';
import { MalformedError } from './errors.js';
import { loadSnarkjs } from './optional.js';
import { circuitInputs, type EligibilityInputs } from './statement.js';
import { canonicalDecimal } from '../internal/decimal.js';
import { ArgumentTypeError } from '../internal/errors.js';

/** A proof pi and the public signals [R, h, commitment, requirementHash, ID_p, T] as decimal strings. */
export interface ProofResult {
  /** pi, the Groth16 proof in snarkjs's JSON form ({@link encodeProof} packs it into 256 bytes). */
  readonly proof: Groth16Proof;
  /**
   * The 6 public signals as decimal strings, in the circuit's order: the outputs R (`'1'` iff
   * the record meets the requirement, else `'0'`) and h = H(commitment, ID_p, T, r), then the
   * public inputs commitment, requirementHash, ID_p and T ({@link decodePublicSignals} reads them).
   */
  readonly publicSignals: string[];
}

/** Options to {@link prove}. */
export interface ProveOptions {
  /**
   * Prove on the main thread only. Default false: snarkjs's shared worker pool (both cores),
   * which stays alive until {@link releaseWorkers} is called.
   */
  singleThread?: boolean;
}

/**
 * Prove(EK_c, D, ...) -> pi: a proof that the committed record meets (R = 1) or fails (R = 0)
 * the requirement, bound to ID_p, T and the salt r through h.
 * @param provingKey - EK_c from {@link zkpKeyGen}.
 * @param inputs - the record and its blinding rho, the requirement, the salt r, ID_p and T.
 * @returns The proof and the public signals.
 * @throws ZkInputError (a RangeError) naming any input the circuit cannot take; MedshareError
 *   (`ERR_MISSING_DEPENDENCY`) when snarkjs is not installed (`npm install snarkjs`).
 */
export async function prove(provingKey: ProvingKey, inputs: EligibilityInputs, options: ProveOptions = {}): Promise<ProofResult> {
  if (typeof provingKey !== 'object' || provingKey === null || !(provingKey.zkey instanceof Uint8Array)) {
    throw new ArgumentTypeError('provingKey', 'a ProvingKey');
  }
  const input = circuitInputs(provingKey.shape, inputs);
  const snarkjs = await loadSnarkjs('medshare/zk prove');
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(
    input,
    provingKey.wasm,
    provingKey.zkey,
    undefined,
    undefined,
    {
      singleThread: options.singleThread === true,
    },
  );
  return { proof: proof as unknown as Groth16Proof, publicSignals };
}

/** Ends snarkjs's (ffjavascript's) shared worker threads, so that the process can exit. */
export async function releaseWorkers(): Promise<void> {
  const shared = (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128;
  if (shared) await shared.terminate();
}

/**
 * Verify(VK_c, pi, R, h, ...) -> true or false.
 * @param verificationKey - VK_c (snarkjs JSON), or, faster for repeated use, the object
 *   {@link prepareVerificationKey} (or decodeVerificationKey) returned; any other object is decoded
 *   as JSON.
 * @param proof - a snarkjs JSON proof (see decodeProof for the packed form).
 * @param publicSignals - 6 decimal strings [R, h, commitment, requirementHash, ID_p, T].
 * @returns true iff the proof verifies; false for any wrong or malformed proof, or a signal that
 *   is not a canonical decimal string below r (no sign, no leading zero).
 * @throws TypeError if publicSignals is not an array of 6 strings; MalformedError for a malformed key.
 */
export function verify(verificationKey: unknown, proof: unknown, publicSignals: readonly string[]): boolean {
  if (
    !Array.isArray(publicSignals) ||
    publicSignals.length !== PUBLIC_SIGNALS ||
    !publicSignals.every((s) => typeof s === 'string')
  ) {
    throw new ArgumentTypeError(`publicSignals`, `${PUBLIC_SIGNALS} decimal strings`);
  }
  const vk = isDecodedVerificationKey(verificationKey) ? verificationKey : decodeVerificationKey(verificationKey);
  // One encoding per signal: a canonical decimal below r (x + r would alias x, "007" would be 7).
  const signals: bigint[] = [];
  for (const s of publicSignals) {
    const x = canonicalDecimal(s, FIELD_ORDER);
    if (x === undefined) return false;
    signals.push(x);
  }
  let decoded: ReturnType<typeof decodeProofJson>;
  try {
    decoded = decodeProofJson(proof);
  } catch (error) {
    if (error instanceof MalformedError) return false;
    throw error;
  }
  let vkX = vk.ic[0] as DecodedVerificationKey['ic'][number];
  signals.forEach((x, i) => {
    if (x !== 0n) vkX = vkX.add((vk.ic[i + 1] as typeof vkX).multiplyUnsafe(x));
  });
  if (vkX.is0()) return false;
  const { Fp12 } = bn254.fields;
  const pairs = [
    { g1: decoded.a.negate(), g2: decoded.b },
    { g1: vkX, g2: vk.gamma },
    { g1: decoded.c, g2: vk.delta },
  ];
  if (vk.alphaBeta !== undefined) return Fp12.eql(Fp12.mul(bn254.pairingBatch(pairs), vk.alphaBeta), Fp12.ONE);
  return Fp12.eql(bn254.pairingBatch([...pairs, { g1: vk.alpha, g2: vk.beta }]), Fp12.ONE);
}
