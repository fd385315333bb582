/**
 * What the eligibility circuit proves, computed outside the circuit: the record commitment
 * stored on the ledger, the requirement hash a research institution publishes, the binding
 * h = H(commitment, ID_p, T, r) the patient signs (paper 4.2.6, steps 1-3), and the full
 * circuit input (paper 4.2.6, step 4). Every hash here equals the one circuits/eligibility.circom
 * recomputes.
 *
 * Encodings (B = shape.bits, IB = index bits, n = shape.fields, K = shape.criteria):
 * - commitment = PoseidonChain(2^64 + 256 n + B, rho, pack_B(d)), rho the record's blinding (a
 *   random element of Fr the patient keeps with the record; rho = 0 only in the paper's
 *   unblinded form, {@link commitRecordUnblinded}); pack_B puts floor(252/B) values of B bits
 *   into one element, the first value in the lowest bits.
 * - requirementHash = PoseidonChain(2*2^64 + 2^16 n + 2^8 K + B, nu, pack_1(mask), criteria
 *   packed floor(252/CW) to an element), nu the requirement's nonce (a random element of Fr the
 *   institution hands to patients with the criteria), a criterion being field + 2^IB enabled +
 *   2^(IB+1) min + 2^(IB+1+B) max (CW = IB + 1 + 2B bits); mask_i = 1 iff a criterion names field i.
 * - binding h = Poseidon(commitment, patientId, timestamp, salt).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { FIELD_ORDER, bytesToBigIntBE, mod, randomScalar } from './field.js';
import { MalformedError, ZkInputError } from './errors.js';
import { poseidon, poseidonChain } from './poseidon.js';
import { type CircuitShape, indexBits } from './shape.js';
import { canonicalDecimal } from '../internal/decimal.js';
import { ArgumentTypeError } from '../internal/errors.js';
import { utf8Encode } from '../internal/text.js';
import { randomFrom, type RandomOptions } from '../internal/random.js';

/** A medical record D = <d_1..d_n>: integers (fixed-point vitals, codes) in [0, 2^B). */
export type MedicalRecord = readonly (number | bigint)[];

/** One criterion: record field `field` must lie in [min, max] (inclusive; min = max is equality). */
export interface Criterion {
  /** The 0-based index of the record field the criterion constrains, in [0, n). */
  readonly field: number;
  /** The inclusive lower bound, an integer in [0, 2^B) and at most `max` (a number must be a safe integer). */
  readonly min: number | bigint;
  /** The inclusive upper bound, an integer in [0, 2^B) and at least `min`; `min` = `max` requires equality. */
  readonly max: number | bigint;
}

/**
 * A research institution's requirement: at most K criteria on distinct fields, and a random
 * nonce. The institution publishes only {@link requirementHash} and hands the criteria with the
 * nonce to patients; without the nonce the hash does not let anyone test guesses of the criteria.
 */
export interface Requirement {
  /**
   * The criteria, all of which must hold (a conjunction): at most K of them, no two on the
   * same field. An empty list is met by every record.
   */
  readonly criteria: readonly Criterion[];
  /**
   * nu, the requirement nonce: a uniformly random nonzero element of Fr
   * ({@link randomFieldElement}), drawn once per requirement by the institution, handed to
   * patients with the criteria and never published.
   */
  readonly nonce: bigint;
}

/** The public inputs of one proof. */
export interface PublicStatement {
  /** The record commitment stored on the ledger. */
  readonly commitment: bigint;
  /** The hash of the requirement the proof is about. */
  readonly requirementHash: bigint;
  /** ID_p as a field element (see {@link identityToField}). */
  readonly patientId: bigint;
  /** T, the timestamp (any field element; seconds since the epoch by convention). */
  readonly timestamp: bigint;
}

/** The circuit's public signals, decoded: outputs R and h, then the public inputs. */
export interface PublicSignals extends PublicStatement {
  /** R: true iff every criterion holds. */
  readonly eligible: boolean;
  /** h = H(commitment, ID_p, T, r). */
  readonly binding: bigint;
}

/** Everything the prover needs (paper 4.2.6: D, r, ID_p, T, and the requirement). */
export interface EligibilityInputs {
  /** D, the patient's record (private): exactly n values, each in [0, 2^B). */
  readonly record: MedicalRecord;
  /**
   * rho, the record's blinding (private): the element of Fr the record was committed with
   * ({@link commitRecord}); `0n` proves against the paper's unblinded {@link commitRecordUnblinded}.
   */
  readonly blinding: bigint;
  /** The research institution's requirement the proof is about (public through its hash). */
  readonly requirement: Requirement;
  /** r, the patient's random salt, an element of Fr. */
  readonly salt: bigint;
  /** ID_p, the patient's identity as an element of Fr (see {@link identityToField}); public. */
  readonly patientId: bigint;
  /** T, the timestamp, an element of Fr (seconds since the epoch by convention); public. */
  readonly timestamp: bigint;
}

const TAG_RECORD = 1n << 64n;
const TAG_REQUIREMENT = 2n << 64n;
const TAG_CHALLENGE = 3n << 64n;

/**
 * Maps an identity string (as used by medshare/pre and medshare/sign) to ID_p in Fr: SHA-256 of
 * its UTF-8, top 3 bits cleared.
 * @throws ArgumentTypeError for a non-string; ArgumentValueError for a string with a lone UTF-16
 *   surrogate (its UTF-8 would be U+FFFD's, so two different identities would get one ID_p)
 */
export function identityToField(identity: string): bigint {
  if (typeof identity !== 'string') throw new ArgumentTypeError('identity', 'string');
  const digest = sha256(utf8Encode(identity, 'identity'));
  digest[0] = (digest[0] as number) & 0x1f;
  return bytesToBigIntBE(digest);
}

/** Checks the record against the shape; returns the values as bigints. */
export function checkRecord(shape: CircuitShape, record: MedicalRecord): bigint[] {
  if (!Array.isArray(record)) throw new ArgumentTypeError('record', 'an array');
  if (record.length !== shape.fields) {
    throw new ZkInputError('record', `has ${record.length} fields, the circuit takes ${shape.fields}`);
  }
  return record.map((v, i) => boundedInteger(v, shape.bits, `record[${i}]`));
}

interface CheckedCriterion {
  field: number;
  min: bigint;
  max: bigint;
}

/** Checks a requirement against the shape: at most K criteria, distinct fields, 0 <= min <= max < 2^B. */
export function checkRequirement(shape: CircuitShape, requirement: Pick<Requirement, 'criteria'>): CheckedCriterion[] {
  if (typeof requirement !== 'object' || requirement === null || !Array.isArray(requirement.criteria)) {
    throw new ArgumentTypeError('requirement', '{ criteria: Criterion[] }');
  }
  const { criteria } = requirement;
  if (criteria.length > shape.criteria) {
    throw new ZkInputError(
      'requirement.criteria',
      `has ${criteria.length} criteria, the circuit takes at most ${shape.criteria}`,
    );
  }
  const seen = new Set<number>();
  return criteria.map((c, k) => {
    const name = `requirement.criteria[${k}]`;
    if (typeof c !== 'object' || c === null) throw new ArgumentTypeError(name, 'a criterion');
    if (typeof c.field !== 'number' || !Number.isInteger(c.field)) throw new ArgumentTypeError(`${name}.field`, 'an integer');
    if (c.field < 0 || c.field >= shape.fields) {
      throw new ZkInputError(`${name}.field`, `${c.field} is outside [0, ${shape.fields})`);
    }
    if (seen.has(c.field)) throw new ZkInputError(`${name}.field`, `field ${c.field} is constrained twice`);
    seen.add(c.field);
    const min = boundedInteger(c.min, shape.bits, `${name}.min`);
    const max = boundedInteger(c.max, shape.bits, `${name}.max`);
    if (min > max) throw new ZkInputError(name, `min ${min} exceeds max ${max}`);
    return { field: c.field, min, max };
  });
}

/**
 * A uniformly random nonzero element of Fr (64 bytes from the RandomSource reduced mod r, bias
 * below 2^-250): a record's blinding rho, a requirement's nonce, the salt r.
 * @param options - the RandomSource (default: the platform CSPRNG)
 * @example
 * ```ts
 * const blinding = randomFieldElement(); // kept with the record, given to the prover
 * ```
 */
export function randomFieldElement(options?: RandomOptions): bigint {
  return randomScalar(randomFrom(options));
}

/**
 * The record commitment stored on the ledger, hiding: a Poseidon chain over the record's
 * blinding rho and the packed record, H(tag, rho, pack(d)). Whoever lacks rho cannot test a
 * guess of the record against it (Poseidon taken as a random function of a uniformly random
 * rho); rho must be drawn at random for each record (and for each new commitment to the same
 * record: two commitments with one rho show that the records are equal), kept with the record
 * and given to the prover and to whoever must check the record against the ledger.
 * @param shape - from {@link circuitShape}.
 * @param record - D: n values in [0, 2^B).
 * @param blinding - rho, a random nonzero element of Fr ({@link randomFieldElement}).
 * @throws ZkInputError for a record of the wrong length, a value outside [0, 2^B) or a blinding
 *   outside [1, r) (0 would not hide: that is {@link commitRecordUnblinded}); TypeError for a
 *   blinding that is not a bigint.
 * @example
 * ```ts
 * const shape = circuitShape(3);
 * const blinding = randomFieldElement();
 * commitRecord(shape, [62, 1750, 4], blinding); // a different value for every blinding
 * ```
 */
export function commitRecord(shape: CircuitShape, record: MedicalRecord, blinding: bigint): bigint {
  const values = checkRecord(shape, record);
  if (fieldElement(blinding, 'blinding') === 0n) {
    throw new ZkInputError(
      'blinding',
      'is 0, which does not hide the record: draw it with randomFieldElement() (commitRecordUnblinded is the paper form)',
    );
  }
  return recordCommitment(shape, values, blinding);
}

/**
 * The paper's unblinded commitment H(D) (rho = 0): NOT hiding. Anyone who reads it can test
 * guesses of the record, and a low-entropy record (a few vital signs and codes) falls to a
 * short search. For reproducing the paper only; use {@link commitRecord}.
 * @throws ZkInputError for a record of the wrong length or a value outside [0, 2^B).
 */
export function commitRecordUnblinded(shape: CircuitShape, record: MedicalRecord): bigint {
  return recordCommitment(shape, checkRecord(shape, record), 0n);
}

function recordCommitment(shape: CircuitShape, values: readonly bigint[], blinding: bigint): bigint {
  const tag = TAG_RECORD + (BigInt(shape.fields) << 8n) + BigInt(shape.bits);
  return poseidonChain([tag, blinding, ...pack(values, shape.bits)]);
}

/**
 * The requirement hash a research institution publishes (and the verifier recomputes):
 * H(tag, nu, mask, criteria) with the requirement's nonce nu. Whoever lacks nu cannot test
 * guesses of the criteria against it (Poseidon taken as a random function of a uniformly random
 * nu); see docs/zk-circuit.md for what the ledger still shows.
 * @throws ZkInputError for a requirement the circuit cannot take or a nonce outside [1, r);
 *   TypeError for a nonce that is not a bigint.
 */
export function requirementHash(shape: CircuitShape, requirement: Requirement): bigint {
  const criteria = checkRequirement(shape, requirement);
  return requirementParts(shape, criteria, requirementNonce(requirement)).hash;
}

/** h = H(commitment, ID_p, T, r) (paper 4.2.6, step 2, with delta = (D, T, ID_p) through its commitment). */
export function bindingHash(commitment: bigint, patientId: bigint, timestamp: bigint, salt: bigint): bigint {
  return poseidon([
    fieldElement(commitment, 'commitment'),
    fieldElement(patientId, 'patientId'),
    fieldElement(timestamp, 'timestamp'),
    fieldElement(salt, 'salt'),
  ]);
}

/** Does the record meet the requirement? (The value R the circuit must output.) */
export function meetsRequirement(
  shape: CircuitShape,
  record: MedicalRecord,
  requirement: Pick<Requirement, 'criteria'>,
): boolean {
  const values = checkRecord(shape, record);
  return checkRequirement(shape, requirement).every((c) => {
    const v = values[c.field] as bigint;
    return c.min <= v && v <= c.max;
  });
}

/** The public statement a prover and a verifier agree on before a proof. */
export function publicStatement(
  shape: CircuitShape,
  inputs: Pick<EligibilityInputs, 'record' | 'blinding' | 'requirement' | 'patientId' | 'timestamp'>,
): PublicStatement {
  return {
    commitment: recordCommitment(shape, checkRecord(shape, inputs.record), fieldElement(inputs.blinding, 'blinding')),
    requirementHash: requirementHash(shape, inputs.requirement),
    patientId: fieldElement(inputs.patientId, 'patientId'),
    timestamp: fieldElement(inputs.timestamp, 'timestamp'),
  };
}

/**
 * The full circuit input (signal name -> decimal strings) for snarkjs's witness calculator.
 * @throws ZkInputError for any input the circuit cannot take.
 */
export function circuitInputs(shape: CircuitShape, inputs: EligibilityInputs): Record<string, string | string[]> {
  if (typeof inputs !== 'object' || inputs === null) throw new ArgumentTypeError('inputs', 'an object');
  const values = checkRecord(shape, inputs.record);
  const blinding = fieldElement(inputs.blinding, 'blinding');
  const criteria = checkRequirement(shape, inputs.requirement);
  const salt = fieldElement(inputs.salt, 'salt');
  const patientId = fieldElement(inputs.patientId, 'patientId');
  const timestamp = fieldElement(inputs.timestamp, 'timestamp');
  const nonce = requirementNonce(inputs.requirement);
  const { hash, mask, slots } = requirementParts(shape, criteria, nonce);
  const str = (xs: readonly bigint[]): string[] => xs.map((x) => x.toString());
  return {
    record: str(values),
    blinding: blinding.toString(),
    salt: salt.toString(),
    requirementNonce: nonce.toString(),
    mask: str(mask),
    criterionField: str(slots.map((s) => s.field)),
    criterionEnabled: str(slots.map((s) => s.enabled)),
    criterionMin: str(slots.map((s) => s.min)),
    criterionMax: str(slots.map((s) => s.max)),
    criterionValue: str(slots.map((s) => (s.enabled === 1n ? (values[Number(s.field)] as bigint) : 0n))),
    commitment: recordCommitment(shape, values, blinding).toString(),
    requirementHash: hash.toString(),
    patientId: patientId.toString(),
    timestamp: timestamp.toString(),
  };
}

/**
 * Decodes snarkjs public signals [R, h, commitment, requirementHash, patientId, timestamp]
 * (untrusted: from a ledger or a peer).
 * @throws TypeError unless `signals` is an array of 6 strings; MalformedError for a signal that
 *   is not a canonical decimal string (no sign, no leading zero) below r, or an R other than 0 or 1.
 */
export function decodePublicSignals(signals: readonly string[]): PublicSignals {
  if (!Array.isArray(signals) || signals.length !== 6 || !signals.every((s) => typeof s === 'string')) {
    throw new ArgumentTypeError('publicSignals', '6 decimal strings');
  }
  const values = signals.map((s, i) => {
    const x = canonicalDecimal(s, FIELD_ORDER);
    if (x === undefined) {
      throw new MalformedError(`publicSignals[${i}]`, 'expected a canonical decimal string (no sign, no leading zero) below r');
    }
    return x;
  });
  const [r, h, commitment, req, id, t] = values as [bigint, bigint, bigint, bigint, bigint, bigint];
  if (r !== 0n && r !== 1n) throw new MalformedError('publicSignals[0]', 'R is 0 or 1');
  return { eligible: r === 1n, binding: h, commitment, requirementHash: req, patientId: id, timestamp: t };
}

/** The in-circuit challenge gamma (exposed for tests of the lookup argument). */
export function lookupChallenge(shape: CircuitShape, commitment: bigint, reqHash: bigint, values: readonly bigint[]): bigint {
  const tag = TAG_CHALLENGE + (BigInt(shape.fields) << 16n) + (BigInt(shape.criteria) << 8n) + BigInt(shape.bits);
  return poseidonChain([tag, commitment, reqHash, ...pack(values, shape.bits)]);
}

interface Slot {
  field: bigint;
  enabled: bigint;
  min: bigint;
  max: bigint;
}

function requirementParts(shape: CircuitShape, criteria: readonly CheckedCriterion[], nonce: bigint) {
  const ib = indexBits(shape);
  const mask = new Array<bigint>(shape.fields).fill(0n);
  const slots: Slot[] = [];
  for (const c of criteria) {
    mask[c.field] = 1n;
    slots.push({ field: BigInt(c.field), enabled: 1n, min: c.min, max: c.max });
  }
  while (slots.length < shape.criteria) slots.push({ field: 0n, enabled: 0n, min: 0n, max: 0n });
  const b = BigInt(shape.bits);
  const cw = ib + 1 + 2 * shape.bits;
  const words = slots.map(
    (s) => s.field + (s.enabled << BigInt(ib)) + (s.min << BigInt(ib + 1)) + (s.max << (BigInt(ib + 1) + b)),
  );
  const tag = TAG_REQUIREMENT + (BigInt(shape.fields) << 16n) + (BigInt(shape.criteria) << 8n) + b;
  const hash = poseidonChain([tag, nonce, ...pack(mask, 1), ...pack(words, cw)]);
  return { hash, mask, slots };
}

/** Packs values of `width` bits, floor(252/width) to an element, first value lowest. */
function pack(values: readonly bigint[], width: number): bigint[] {
  const per = Math.floor(252 / width);
  const out: bigint[] = [];
  for (let e = 0; e * per < values.length; e++) {
    let acc = 0n;
    for (let j = Math.min(per, values.length - e * per) - 1; j >= 0; j--) {
      acc = (acc << BigInt(width)) | (values[e * per + j] as bigint);
    }
    out.push(acc);
  }
  return out;
}

function boundedInteger(value: unknown, bits: number, name: string): bigint {
  let v: bigint;
  if (typeof value === 'bigint') v = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
  else if (typeof value === 'number') throw new ZkInputError(name, `${value} is not a safe integer`);
  else throw new ArgumentTypeError(name, 'an integer (number or bigint)');
  if (v < 0n || v >= 1n << BigInt(bits)) throw new ZkInputError(name, `${v} is outside [0, 2^${bits})`);
  return v;
}

/** The requirement's nonce nu, checked: a nonzero element of Fr (0 would leave the hash open to guessing). */
function requirementNonce(requirement: Requirement): bigint {
  if (fieldElement(requirement.nonce, 'requirement.nonce') === 0n) {
    throw new ZkInputError(
      'requirement.nonce',
      'is 0, which lets anyone test guesses of the criteria: draw it with randomFieldElement()',
    );
  }
  return requirement.nonce;
}

function fieldElement(value: unknown, name: string): bigint {
  if (typeof value !== 'bigint') throw new ArgumentTypeError(name, 'bigint');
  if (value < 0n || value >= FIELD_ORDER) throw new ZkInputError(name, 'is not an element of the BN254 scalar field [0, r)');
  return mod(value);
}
