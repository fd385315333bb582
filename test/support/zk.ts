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
  type KeyPair,
  type MedicalRecord,
  type Requirement,
  zkpKeyGen,
} from '../../src/zk/index.js';
import { FIELD_ORDER } from '../../src/zk/field.js';
import { readConstraintSystem } from '../../src/zk/r1cs.js';
import { seededRandom } from './random.js';

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

/** Runs circom's witness generator on raw circuit inputs; returns the witness (w[0] = 1). Rejects if any constraint fails. */
export async function witness(c: Circuit, input: Record<string, unknown>): Promise<bigint[]> {
  const out: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  await snarkjs.wtns.calculate(input, c.wasm, out);
  return (await snarkjs.wtns.exportJson(out.data as Uint8Array)).map((x) => BigInt(x));
}

/** Index of the first R1CS constraint the witness violates, or -1. */
export function firstViolated(c: Circuit, w: readonly bigint[]): number {
  const cs = readConstraintSystem(c.r1cs);
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

/**
 * Wires (other than the constant wire 0) whose value can change alone, by +1, with every R1CS
 * constraint still satisfied: under-constrained wires. Only constraints touching the wire are
 * re-evaluated.
 */
export function looseWires(c: Circuit, w: readonly bigint[]): number[] {
  const cs = readConstraintSystem(c.r1cs);
  const r = FIELD_ORDER;
  const rows = [cs.a, cs.b, cs.c].map((m) => {
    const out = new Array<bigint>(cs.nConstraints).fill(0n);
    for (let t = 0; t < m.signal.length; t++) {
      const i = m.constraint[t] as number;
      out[i] = ((out[i] as bigint) + (m.coefficient[t] as bigint) * (w[m.signal[t] as number] as bigint)) % r;
    }
    return out;
  }) as [bigint[], bigint[], bigint[]];
  // For each wire: its coefficient in each matrix of each constraint it appears in.
  const touches = new Map<number, Map<number, [bigint, bigint, bigint]>>();
  [cs.a, cs.b, cs.c].forEach((m, k) => {
    for (let t = 0; t < m.signal.length; t++) {
      const j = m.signal[t] as number;
      const i = m.constraint[t] as number;
      let byConstraint = touches.get(j);
      if (byConstraint === undefined) {
        byConstraint = new Map();
        touches.set(j, byConstraint);
      }
      const entry = byConstraint.get(i) ?? [0n, 0n, 0n];
      entry[k] = ((entry[k] as bigint) + (m.coefficient[t] as bigint)) % r;
      byConstraint.set(i, entry);
    }
  });
  const loose: number[] = [];
  for (let j = 1; j < cs.nVars; j++) {
    const byConstraint = touches.get(j);
    let broken = false;
    for (const [i, [da, db, dc]] of byConstraint ?? []) {
      const a = ((rows[0][i] as bigint) + da) % r;
      const b = ((rows[1][i] as bigint) + db) % r;
      const cc = ((rows[2][i] as bigint) + dc) % r;
      if ((a * b - cc) % r !== 0n) {
        broken = true;
        break;
      }
    }
    if (!broken) loose.push(j);
  }
  return loose;
}
