/**
 * Poseidon over BN254 exactly as circomlib's `poseidon.circom` computes it (Grassi et al.,
 * "Poseidon", USENIX Security 2021; x^5 S-box, 8 full rounds, circomlib's partial-round
 * counts, round constants and MDS matrix from the Grain LFSR), so that the commitment and the
 * requirement hash computed here equal the ones the circuit recomputes.
 *
 * The permutation is @noble/curves' `abstract/poseidon.js` with constants from its Grain
 * generator, which reproduces circomlib's tables (test/zk-statement.test.ts checks the
 * circomlibjs reference vectors, test/zk-circuit.test.ts the circuit itself).
 * @module
 */
import { Field } from '@noble/curves/abstract/modular.js';
import { grainGenConstants, poseidon as poseidonPermutation } from '@noble/curves/abstract/poseidon.js';
import { FIELD_ORDER, mod } from './field.js';
import { ArgumentValueError } from '../internal/errors.js';

const Fr = Field(FIELD_ORDER);
/** circomlib's partial-round counts for widths t = 2..17. */
const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68] as const;
const permutations = new Map<number, (state: bigint[]) => bigint[]>();

function permutation(width: number): (state: bigint[]) => bigint[] {
  let p = permutations.get(width);
  if (p === undefined) {
    const roundsPartial = PARTIAL_ROUNDS[width - 2] as number;
    const constants = grainGenConstants({ Fp: Fr, t: width, roundsFull: 8, roundsPartial });
    p = poseidonPermutation({ ...constants, Fp: Fr, t: width, roundsFull: 8, roundsPartial, sboxPower: 5 });
    permutations.set(width, p);
  }
  return p;
}

/**
 * circomlib `Poseidon(k)` of 1..16 field elements: the first word of the permutation of
 * [0, inputs...].
 * @param inputs - 1 to 16 elements of Fr (reduced mod r).
 * @returns The hash, an element of Fr.
 * @throws RangeError if there are 0 or more than 16 inputs.
 * @example
 * ```ts
 * poseidon([1n, 2n]); // 7853200120776062878684798364095072458815029376092732009249414926327459813530n
 * ```
 */
export function poseidon(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > 16) throw new ArgumentValueError('inputs', `${inputs.length} inputs, expected 1..16`);
  const out = permutation(inputs.length + 1)([0n, ...inputs.map((x) => mod(x))]);
  return out[0] as bigint;
}

/**
 * Poseidon chain for any number of inputs (template PoseidonChain in circuits/eligibility.circom):
 * s = Poseidon(x[0..16)), then s = Poseidon(s, next up to 15 inputs) until all are absorbed.
 * @param inputs - at least one element of Fr.
 * @returns The final state, an element of Fr.
 * @throws RangeError for an empty input.
 */
export function poseidonChain(inputs: readonly bigint[]): bigint {
  if (inputs.length === 0) throw new ArgumentValueError('inputs', 'no inputs');
  let state = poseidon(inputs.slice(0, 16));
  for (let pos = 16; pos < inputs.length; pos += 15) state = poseidon([state, ...inputs.slice(pos, pos + 15)]);
  return state;
}
