/**
 * Shared fixtures for the zk tests: one small circuit (n = 8 fields of 16 bits, K = 4
 * criteria), compiled once into the gitignored cache, a seeded key pair, the witness
 * calculator and an R1CS checker.
 */
import * as snarkjs from 'snarkjs';
import fc from 'fast-check';
import {
  buildCircuit,
  type Circuit,
  circuitShape,
  type CircuitShape,
  type EligibilityInputs,
  type KeyPair,
  type MedicalRecord,
  type ProofResult,
  prove,
  type Requirement,
  zkpKeyGen,
} from '../../src/zk/index.js';
import { Field } from '@noble/curves/abstract/modular.js';
import { FIELD_ORDER } from '../../src/zk/field.js';
import { type ConstraintSystem, readConstraintSystem } from '../../src/zk/r1cs.js';
import { seededRandom } from '../../src/testing/random.js';

export const SHAPE: CircuitShape = circuitShape(8, { bits: 16, criteria: 4 });
export const MAX_VALUE = (1 << SHAPE.bits) - 1;

let circuit: Promise<Circuit> | undefined;
const keys = new Map<string, Promise<KeyPair>>();

/** The test circuit, compiled once per cache (about 10 s the first time). */
export function testCircuit(): Promise<Circuit> {
  circuit ??= buildCircuit(SHAPE);
  return circuit;
}

/** A key pair from our single-party setup, seeded (deterministic) and cached per seed. */
export function testKeys(seed = 'zk-keys'): Promise<KeyPair> {
  let k = keys.get(seed);
  if (k === undefined) {
    k = testCircuit().then((c) => zkpKeyGen(c, { random: seededRandom(seed) }));
    keys.set(seed, k);
  }
  return k;
}

/** An eligible statement for SHAPE: the record's field 0 (61) is in [40, 65]; its field 1 is 128. */
export const SAMPLE_INPUTS: EligibilityInputs = {
  record: [61, 128, 250, 1, 0, 65535, 37, 90],
  blinding: 0x5eed_b11d_1e5n,
  requirement: { criteria: [{ field: 0, min: 40, max: 65 }], nonce: 0x5eed_a11c_e0dd_ba11n },
  salt: 987654321n,
  patientId: 42n,
  timestamp: 1_700_000_000n,
};

/** The proofs the Groth16 tests start from (TypeScript verifier and the EVM's alike). */
export interface ProofFixture {
  /** The key pair seeded 'zk-keys'. */
  readonly keys: KeyPair;
  /** Another key pair (seed 'zk-other-keys'), for proofs under the wrong key. */
  readonly other: KeyPair;
  /** A proof of `inputs` under `keys`. */
  readonly eligible: ProofResult;
  /** A proof of `inputs` under `keys` against a requirement (field 1 in [0, 127]) the record does not meet. */
  readonly ineligible: ProofResult;
}

/** Builds the {@link ProofFixture} for `inputs` (whose record's field 1 must be above 127); `ineligibleNonce` is the unmet requirement's nonce. */
export async function proofFixture(inputs: EligibilityInputs, ineligibleNonce: bigint): Promise<ProofFixture> {
  const keys = await testKeys('zk-keys');
  const other = await testKeys('zk-other-keys');
  const eligible = await prove(keys.provingKey, inputs);
  const ineligible = await prove(keys.provingKey, {
    ...inputs,
    requirement: { criteria: [{ field: 1, min: 0, max: 127 }], nonce: ineligibleNonce },
  });
  return { keys, other, eligible, ineligible };
}

/** Runs circom's witness generator on raw circuit inputs; returns the witness (w[0] = 1). Rejects if any constraint fails. */
export async function witness(c: Circuit, input: Record<string, unknown>): Promise<bigint[]> {
  const out: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  await snarkjs.wtns.calculate(input, c.wasm, out);
  return (await snarkjs.wtns.exportJson(out.data as Uint8Array)).map((x) => BigInt(x));
}

/** Index of the first R1CS constraint the witness violates, or -1. */
export function firstViolated(c: Circuit | ConstraintSystem, w: readonly bigint[]): number {
  const cs = 'r1cs' in c ? readConstraintSystem(c.r1cs) : c;
  const rows = (m: typeof cs.a) => {
    const out = new Array<bigint>(cs.nConstraints).fill(0n);
    for (let t = 0; t < m.signal.length; t++) {
      const i = m.constraint[t] as number;
      out[i] = ((out[i] as bigint) + (m.coefficient[t] as bigint) * (w[m.signal[t] as number] as bigint)) % FIELD_ORDER;
    }
    return out;
  };
  const [a, b, cc] = [rows(cs.a), rows(cs.b), rows(cs.c)];
  for (let i = 0; i < cs.nConstraints; i++) {
    if (((a[i] as bigint) * (b[i] as bigint) - (cc[i] as bigint)) % FIELD_ORDER !== 0n) return i;
  }
  return -1;
}

/** A requirement nonce nu: a nonzero element of Fr. */
export const arbNonce: fc.Arbitrary<bigint> = fc.bigInt({ min: 1n, max: FIELD_ORDER - 1n });

/** A record of SHAPE.fields values of SHAPE.bits bits, edge values over-represented. */
export const arbRecord: fc.Arbitrary<number[]> = fc.array(
  fc.oneof(fc.integer({ min: 0, max: MAX_VALUE }), fc.constantFrom(0, 1, MAX_VALUE - 1, MAX_VALUE)),
  { minLength: SHAPE.fields, maxLength: SHAPE.fields },
);

/** A requirement the record meets: up to K criteria on distinct fields, ranges around the record's values. */
export function arbMetRequirement(record: MedicalRecord): fc.Arbitrary<Requirement> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: SHAPE.fields - 1 }), { maxLength: SHAPE.criteria })
    .chain((fields) =>
      fc.tuple(
        ...fields.map((field) => {
          const v = Number(record[field]);
          return fc
            .tuple(fc.integer({ min: 0, max: v }), fc.integer({ min: v, max: MAX_VALUE }), fc.boolean())
            .map(([min, max, exact]) => (exact ? { field, min: v, max: v } : { field, min, max }));
        }),
      ),
    )
    .chain((criteria) => arbNonce.map((nonce) => ({ criteria, nonce })));
}

/** Any well-formed requirement (met or not). */
export const arbRequirement: fc.Arbitrary<Requirement> = fc
  .uniqueArray(fc.integer({ min: 0, max: SHAPE.fields - 1 }), { maxLength: SHAPE.criteria })
  .chain((fields) =>
    fc.tuple(
      ...fields.map((field) =>
        fc
          .tuple(fc.integer({ min: 0, max: MAX_VALUE }), fc.integer({ min: 0, max: MAX_VALUE }))
          .map(([x, y]) => ({ field, min: Math.min(x, y), max: Math.max(x, y) })),
      ),
    ),
  )
  .chain((criteria) => arbNonce.map((nonce) => ({ criteria, nonce })));

/** An element of Fr. */
export const arbField: fc.Arbitrary<bigint> = fc.bigInt({ min: 0n, max: FIELD_ORDER - 1n });

/** A record blinding rho: a nonzero element of Fr. */
export const arbBlinding: fc.Arbitrary<bigint> = fc.bigInt({ min: 1n, max: FIELD_ORDER - 1n });

/** Full prover inputs: a record, a requirement, a blinding and random salt, ID_p and T. */
export const arbEligibilityInputs = fc.record({
  record: arbRecord,
  requirement: arbRequirement,
  blinding: arbBlinding,
  salt: arbField,
  patientId: arbField,
  timestamp: arbField,
});

// --- how far a witness can move: exact analysis of one-wire and two-wire changes ------------------

const Fr = Field(FIELD_ORDER);

/** The changes delta != 0 of one wire that keep a constraint satisfied: none, any, or one value. */
type Allowed = { readonly kind: 'none' } | { readonly kind: 'any' } | { readonly kind: 'one'; readonly value: bigint };
const NONE: Allowed = { kind: 'none' };
const ANY: Allowed = { kind: 'any' };

/** A wire's coefficients in one constraint: [in A, in B, in C]. */
type Coefficients = [bigint, bigint, bigint];

/** A change that keeps every constraint satisfied: the wires moved and by how much. */
export interface Move {
  /** The wires, one or two. */
  readonly wires: readonly number[];
  /** Their changes, each nonzero ('any': every nonzero change of that single wire works). */
  readonly deltas: readonly (bigint | 'any')[];
}

/** What {@link witnessMoves} found. */
export interface WitnessMoves {
  /** Single wires that can change alone (exactly: every nonzero change of each wire was considered). */
  readonly singles: Move[];
  /** Pairs of wires that share a constraint and can change together, both by nonzero amounts. */
  readonly pairs: Move[];
  /** How many pairs sharing a constraint were examined. */
  readonly pairsExamined: number;
  /** How many of them were solved by sampling the first change (both wires free outside their shared constraints). */
  readonly pairsSampled: number;
}

/**
 * Exact search for other witnesses near `w`: every nonzero change of one wire, and every change
 * of two wires that share a constraint with both changes nonzero (two wires that share none move
 * independently, so their pairs reduce to singles). Each constraint a * b = c is quadratic in the
 * changes, so for one wire the changes that keep it satisfied are none, all, or one value, and for
 * a pair, once one change is fixed, at most two values of the other (a square root in Fr). The one
 * case solved by sampling rather than exactly: two wires that each appear only in constraints
 * they share, where several values of the first change (1, -1, -w, 1 - w, random) are tried.
 * Every move reported is checked against the constraints directly. `w` must satisfy `cs`.
 * @param options.pairs - also examine pairs (default true)
 */
export function witnessMoves(
  cs: ConstraintSystem,
  w: readonly bigint[],
  options: { pairs?: boolean; random?: () => bigint } = {},
): WitnessMoves {
  const r = FIELD_ORDER;
  const m = (x: bigint) => ((x % r) + r) % r;
  const rows = [cs.a, cs.b, cs.c].map((mat) => {
    const out = new Array<bigint>(cs.nConstraints).fill(0n);
    for (let t = 0; t < mat.signal.length; t++) {
      const i = mat.constraint[t] as number;
      out[i] = ((out[i] as bigint) + (mat.coefficient[t] as bigint) * (w[mat.signal[t] as number] as bigint)) % r;
    }
    return out;
  }) as [bigint[], bigint[], bigint[]];
  // touches[j]: constraint -> j's coefficients there; members[i]: the wires of constraint i.
  const touches: Map<number, Coefficients>[] = Array.from({ length: cs.nVars }, () => new Map());
  [cs.a, cs.b, cs.c].forEach((mat, k) => {
    for (let t = 0; t < mat.signal.length; t++) {
      const j = mat.signal[t] as number;
      const i = mat.constraint[t] as number;
      const entry = (touches[j] as Map<number, Coefficients>).get(i) ?? [0n, 0n, 0n];
      entry[k] = ((entry[k] as bigint) + (mat.coefficient[t] as bigint)) % r;
      (touches[j] as Map<number, Coefficients>).set(i, entry);
    }
  });
  const members: number[][] = Array.from({ length: cs.nConstraints }, () => []);
  touches.forEach((byConstraint, j) => {
    if (j === 0) return; // the constant wire 1 cannot move
    for (const [i, [ca, cb, cc]] of byConstraint) if (ca !== 0n || cb !== 0n || cc !== 0n) (members[i] as number[]).push(j);
  });

  // One wire j changing by d in constraint i: value d (L + d ca cb), L = ca B + cb A - cc.
  const single = (i: number, [ca, cb, cc]: Coefficients): Allowed => {
    const L = m(ca * (rows[1][i] as bigint) + cb * (rows[0][i] as bigint) - cc);
    const q = m(ca * cb);
    if (q !== 0n) {
      const v = m(-L * Fr.inv(q));
      return v === 0n ? NONE : { kind: 'one', value: v };
    }
    return L === 0n ? ANY : NONE;
  };
  const meet = (x: Allowed, y: Allowed): Allowed => {
    if (x.kind === 'none' || y.kind === 'any') return x;
    if (y.kind === 'none' || x.kind === 'any') return y;
    return x.value === y.value ? x : NONE;
  };
  // Per wire and constraint, the allowed single change; per wire, their meet over all constraints.
  const allowed: Map<number, Allowed>[] = touches.map((byConstraint, j) =>
    j === 0 ? new Map() : new Map([...byConstraint].map(([i, c]) => [i, single(i, c)])),
  );
  const alone = (j: number, except?: ReadonlySet<number>): Allowed => {
    let acc: Allowed = ANY;
    for (const [i, a] of allowed[j] as Map<number, Allowed>) {
      if (except?.has(i)) continue;
      acc = meet(acc, a);
      if (acc.kind === 'none') break;
    }
    return acc;
  };
  // Direct check of a move on every constraint it touches.
  const holds = (moves: readonly [number, bigint][]): boolean => {
    const affected = new Set<number>();
    for (const [j] of moves) for (const i of (touches[j] as Map<number, Coefficients>).keys()) affected.add(i);
    for (const i of affected) {
      let [a, b, c] = [rows[0][i] as bigint, rows[1][i] as bigint, rows[2][i] as bigint];
      for (const [j, d] of moves) {
        const co = (touches[j] as Map<number, Coefficients>).get(i);
        if (co === undefined) continue;
        a += co[0] * d;
        b += co[1] * d;
        c += co[2] * d;
      }
      if (m(a * b - c) !== 0n) return false;
    }
    return true;
  };
  const randomDelta = options.random ?? (() => 0x1234_5678_9abc_def0_1357_9bdf_2468_ace0n);

  const singles: Move[] = [];
  for (let j = 1; j < cs.nVars; j++) {
    const a = alone(j);
    if (a.kind === 'none') continue;
    const d = a.kind === 'one' ? a.value : randomDelta();
    if (!holds([[j, d]])) throw new Error(`witnessMoves: single move of wire ${j} by ${d} does not hold`);
    singles.push({ wires: [j], deltas: [a.kind === 'one' ? a.value : 'any'] });
  }
  if (options.pairs === false) return { singles, pairs: [], pairsExamined: 0, pairsSampled: 0 };

  // The changes dk != 0 of wire k that keep constraint i satisfied once wire j changed by dj.
  const second = (i: number, cj: Coefficients, dj: bigint, ck: Coefficients): Allowed | { kind: 'two'; values: bigint[] } => {
    const A = m((rows[0][i] as bigint) + cj[0] * dj);
    const B = m((rows[1][i] as bigint) + cj[1] * dj);
    const C = m((rows[2][i] as bigint) + cj[2] * dj);
    const c0 = m(A * B - C);
    const c1 = m(A * ck[1] + B * ck[0] - ck[2]);
    const c2 = m(ck[0] * ck[1]);
    let roots: bigint[];
    if (c2 === 0n) {
      if (c1 === 0n) return c0 === 0n ? ANY : NONE;
      roots = [m(-c0 * Fr.inv(c1))];
    } else {
      const disc = m(c1 * c1 - 4n * c2 * c0);
      let s: bigint;
      try {
        s = Fr.sqrt(disc);
      } catch {
        return NONE;
      }
      const inv = Fr.inv(m(2n * c2));
      roots = [...new Set([m((-c1 + s) * inv), m((-c1 - s) * inv)])];
    }
    const nonzero = roots.filter((x) => x !== 0n);
    return nonzero.length === 0 ? NONE : { kind: 'two', values: nonzero };
  };
  const pairs: Move[] = [];
  let pairsExamined = 0;
  let pairsSampled = 0;
  const seen = new Set<number>();
  // Given dj, every dk != 0 that keeps the shared constraints and k's own (`restK`) satisfied; checked directly.
  const solve = (j: number, dj: bigint, k: number, shared: readonly number[], restK: Allowed): bigint[] | 'any' => {
    let candidates: bigint[] | 'any' = restK.kind === 'any' ? 'any' : restK.kind === 'one' ? [restK.value] : [];
    for (const i of shared) {
      const s = second(
        i,
        (touches[j] as Map<number, Coefficients>).get(i) as Coefficients,
        dj,
        (touches[k] as Map<number, Coefficients>).get(i) as Coefficients,
      );
      if (s.kind === 'any') continue;
      const values = s.kind === 'none' ? [] : s.kind === 'one' ? [s.value] : s.values;
      candidates = candidates === 'any' ? values : candidates.filter((x) => values.includes(x));
      if (candidates.length === 0) return [];
    }
    if (candidates === 'any')
      return holds([
        [j, dj],
        [k, randomDelta()],
      ])
        ? 'any'
        : [];
    return candidates.filter((dk) =>
      holds([
        [j, dj],
        [k, dk],
      ]),
    );
  };
  for (let i = 0; i < cs.nConstraints; i++) {
    const wires = members[i] as number[];
    for (let x = 0; x < wires.length; x++) {
      for (let y = x + 1; y < wires.length; y++) {
        const [j, k] = [wires[x] as number, wires[y] as number].sort((p, q) => p - q) as [number, number];
        const key = j * cs.nVars + k;
        if (seen.has(key)) continue;
        seen.add(key);
        pairsExamined++;
        const [tj, tk] = [touches[j] as Map<number, Coefficients>, touches[k] as Map<number, Coefficients>];
        const shared = tj.size < tk.size ? [...tj.keys()].filter((c) => tk.has(c)) : [...tk.keys()].filter((c) => tj.has(c));
        const sharedSet = new Set(shared);
        const restJ = alone(j, sharedSet);
        const restK = alone(k, sharedSet);
        if (restJ.kind === 'none' || restK.kind === 'none') continue;
        // Fix the wire whose own constraints pin it (or sample if neither is pinned), solve for the other.
        const [p, q, restP, restQ] = restJ.kind === 'one' || restK.kind !== 'one' ? [j, k, restJ, restK] : [k, j, restK, restJ];
        if (restP.kind === 'any') pairsSampled++;
        const trials =
          restP.kind === 'one'
            ? [restP.value]
            : [1n, r - 1n, m(-(w[p] as bigint)), m(1n - (w[p] as bigint)), randomDelta()].filter((d) => d !== 0n);
        for (const dp of trials) {
          const found = solve(p, dp, q, shared, restQ);
          if (found === 'any' || found.length > 0) {
            pairs.push({ wires: [p, q], deltas: [dp, found === 'any' ? 'any' : (found[0] as bigint)] });
            break;
          }
        }
      }
    }
  }
  return { singles, pairs, pairsExamined, pairsSampled };
}
