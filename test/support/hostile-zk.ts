/**
 * An attacker's tools against medshare/zk: a dictionary search that tests guesses against a
 * published hash (the ledger's record commitment, a requirement hash), and the proof forgery
 * that the maker of a single-party setup can always carry out.
 * Kept apart from the pre/sign tools (test/support/hostile.ts) so that both can grow.
 */
import { bn254 } from '@noble/curves/bn254.js';
import type { RandomSource } from '../../src/internal/random.js';
import { FIELD_ORDER, invert, randomScalar } from '../../src/zk/field.js';
import { type Circuit, decodeVerificationKey, type Groth16Proof, type VerificationKey } from '../../src/zk/index.js';
import { readConstraintSystem } from '../../src/zk/r1cs.js';
import { domainPower, qapAt } from '../../src/zk/setup.js';

/**
 * Enumerates `candidates` and returns the first whose `hash` equals `target`, or undefined
 * after trying them all; `tried` counts the hashes computed.
 */
export function dictionarySearch<T>(
  candidates: Iterable<T>,
  hash: (candidate: T) => bigint,
  target: bigint,
): { found: T | undefined; tried: number } {
  let tried = 0;
  for (const candidate of candidates) {
    tried++;
    if (hash(candidate) === target) return { found: candidate, tried };
  }
  return { found: undefined, tried };
}

/** Every combination of one value per dimension (the cartesian product), first dimension slowest. */
export function* product<T>(dimensions: readonly (readonly T[])[]): Generator<T[]> {
  if (dimensions.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = dimensions as [readonly T[], ...(readonly T[])[]];
  for (const value of first) for (const tail of product(rest)) yield [value, ...tail];
}

/** The integers from..to (inclusive) in steps of `step`. */
export function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x += step) out.push(x);
  return out;
}

// --- the single-party setup's trapdoor ------------------------------------------------------------

/** The toxic waste of a Groth16 setup. */
export interface SetupSecrets {
  readonly tau: bigint;
  readonly alpha: bigint;
  readonly beta: bigint;
  readonly gamma: bigint;
  readonly delta: bigint;
}

/**
 * The secrets zkpKeyGen drew from `random`: it draws tau, alpha, beta, gamma, delta in this order,
 * each with randomScalar (src/zk/setup.ts). Given the seeded source a test key was made with, this
 * is what the key's maker knows.
 */
export function setupSecretsFrom(random: RandomSource): SetupSecrets {
  const [tau, alpha, beta, gamma, delta] = Array.from({ length: 5 }, () => randomScalar(random)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return { tau, alpha, beta, gamma, delta };
}

/**
 * Forges a Groth16 proof of ANY public signals from tau, alpha and beta alone, for a key whose
 * alpha, beta and QAP at tau are these - so also after phase-2 contributions, which change delta
 * only. With l = sum_i x_i (beta u_i(tau) + alpha v_i(tau) + w_i(tau)) over the constant wire and
 * the public signals x (gamma cancels: e(vk_x, [gamma]_2) = e(g1, g2)^l), pick a, s at random and
 *   A = [a]_1,  B = [b]_2 + s [delta]_2,  C = [a s]_1,  b = (alpha beta + l) / a,
 * so that e(A, B) = e(g1, g2)^(alpha beta + l + a s delta) = e(alpha, beta) e(vk_x, gamma) e(C, delta).
 * [delta]_2 is read from the (public) verification key.
 */
export function forgeProof(
  circuit: Circuit,
  secrets: Pick<SetupSecrets, 'tau' | 'alpha' | 'beta'>,
  verificationKey: VerificationKey,
  publicSignals: readonly string[],
  random: RandomSource,
): Groth16Proof {
  const r = FIELD_ORDER;
  const cs = readConstraintSystem(circuit.r1cs);
  const { u, v, w } = qapAt(cs, secrets.tau, domainPower(cs));
  const x = [1n, ...publicSignals.map((s) => BigInt(s))];
  let l = 0n;
  x.forEach((xi, j) => {
    l = (l + xi * ((secrets.beta * (u[j] as bigint) + secrets.alpha * (v[j] as bigint) + (w[j] as bigint)) % r)) % r;
  });
  const a = randomScalar(random);
  const s = randomScalar(random);
  const b = (((secrets.alpha * secrets.beta + l) % r) * invert(a)) % r;
  const { delta } = decodeVerificationKey(verificationKey);
  const A = bn254.G1.Point.BASE.multiply(a).toAffine();
  const B = bn254.G2.Point.BASE.multiply(b).add(delta.multiply(s)).toAffine();
  const C = bn254.G1.Point.BASE.multiply((a * s) % r).toAffine();
  return {
    pi_a: [A.x.toString(), A.y.toString(), '1'],
    pi_b: [
      [B.x.c0.toString(), B.x.c1.toString()],
      [B.y.c0.toString(), B.y.c1.toString()],
      ['1', '0'],
    ],
    pi_c: [C.x.toString(), C.y.toString(), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}
