/**
 * Reader for circom's R1CS binary format (iden3 "r1cs" v1: magic, version, sections; header
 * section 1, constraints section 2). Only what Groth16 key generation needs: the counts and,
 * for each of the matrices A, B, C, the non-zero (constraint, signal, coefficient) entries.
 * Coefficients are stored as little-endian integers mod r.
 * @module
 */
import { MalformedError } from './errors.js';
import { FIELD_ORDER, bytesToBigIntLE } from './field.js';

/** Counts from the R1CS header. Signals: 0 is the constant 1, then outputs, public inputs, private inputs, the rest. */
export interface R1csHeader {
  /** The number of wires (witness signals) after circom's optimisation, counting the constant wire 1. */
  readonly nVars: number;
  /** The number of public outputs (2 for the eligibility circuit: R and h). */
  readonly nOutputs: number;
  /** The number of public inputs (4 for the eligibility circuit: commitment, requirementHash, ID_p, T). */
  readonly nPublicInputs: number;
  /**
   * The number of private inputs (for the eligibility circuit: the record, the salt, the field
   * mask and the K criterion slots' field, enabled flag, min, max and value).
   */
  readonly nPrivateInputs: number;
  /** The number of rank-1 constraints A w * B w = C w. */
  readonly nConstraints: number;
}

/** One matrix in coordinate form: entry t is coefficient[t] at (constraint[t], signal[t]). */
export interface SparseMatrix {
  readonly constraint: Uint32Array;
  readonly signal: Uint32Array;
  readonly coefficient: bigint[];
}

/** The constraint system A w * B w = C w. */
export interface ConstraintSystem extends R1csHeader {
  readonly a: SparseMatrix;
  readonly b: SparseMatrix;
  readonly c: SparseMatrix;
}

interface Sections {
  view: DataView;
  sections: Map<number, { offset: number; size: number }>;
}

function sections(bytes: Uint8Array): Sections {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== 'r1cs') {
    throw new MalformedError('r1cs', 'not an R1CS file (bad magic)');
  }
  if (view.getUint32(4, true) !== 1) throw new MalformedError('r1cs', `unsupported version ${view.getUint32(4, true)}`);
  const count = view.getUint32(8, true);
  const map = new Map<number, { offset: number; size: number }>();
  let pos = 12;
  for (let i = 0; i < count; i++) {
    if (pos + 12 > bytes.length) throw new MalformedError('r1cs', 'truncated section table');
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    pos += 12;
    if (pos + size > bytes.length) throw new MalformedError('r1cs', `section ${type} overruns the file`);
    map.set(type, { offset: pos, size });
    pos += size;
  }
  return { view, sections: map };
}

/** Reads the R1CS header; checks the field is BN254's scalar field. */
export function readR1csHeader(bytes: Uint8Array): R1csHeader {
  const { view, sections: map } = sections(bytes);
  const header = map.get(1);
  if (header === undefined) throw new MalformedError('r1cs', 'no header section');
  let pos = header.offset;
  const n8 = view.getUint32(pos, true);
  if (n8 !== 32) throw new MalformedError('r1cs', `field size ${n8}, expected 32`);
  const prime = bytesToBigIntLE(bytes, pos + 4, 32);
  if (prime !== FIELD_ORDER) throw new MalformedError('r1cs', 'not over the BN254 scalar field');
  pos += 36;
  const nVars = view.getUint32(pos, true);
  const nOutputs = view.getUint32(pos + 4, true);
  const nPublicInputs = view.getUint32(pos + 8, true);
  const nPrivateInputs = view.getUint32(pos + 12, true);
  const nConstraints = view.getUint32(pos + 24, true);
  return { nVars, nOutputs, nPublicInputs, nPrivateInputs, nConstraints };
}

/** Reads the header and the three matrices. */
export function readConstraintSystem(bytes: Uint8Array): ConstraintSystem {
  const header = readR1csHeader(bytes);
  const { view, sections: map } = sections(bytes);
  const body = map.get(2);
  if (body === undefined) throw new MalformedError('r1cs', 'no constraints section');
  const end = body.offset + body.size;
  const entries: { constraint: number[]; signal: number[]; coefficient: bigint[] }[] = [0, 1, 2].map(() => ({
    constraint: [],
    signal: [],
    coefficient: [],
  }));
  let pos = body.offset;
  for (let c = 0; c < header.nConstraints; c++) {
    for (let m = 0; m < 3; m++) {
      if (pos + 4 > end) throw new MalformedError('r1cs', `constraint ${c} truncated`);
      const terms = view.getUint32(pos, true);
      pos += 4;
      if (pos + terms * 36 > end) throw new MalformedError('r1cs', `constraint ${c} truncated`);
      const e = entries[m] as (typeof entries)[number];
      for (let t = 0; t < terms; t++) {
        const signal = view.getUint32(pos, true);
        if (signal >= header.nVars) throw new MalformedError('r1cs', `constraint ${c} names signal ${signal} of ${header.nVars}`);
        e.constraint.push(c);
        e.signal.push(signal);
        e.coefficient.push(bytesToBigIntLE(bytes, pos + 4, 32));
        pos += 36;
      }
    }
  }
  const [a, b, c] = entries.map((e) => ({
    constraint: Uint32Array.from(e.constraint),
    signal: Uint32Array.from(e.signal),
    coefficient: e.coefficient,
  })) as [SparseMatrix, SparseMatrix, SparseMatrix];
  return { ...header, a, b, c };
}
