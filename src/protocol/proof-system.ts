/**
 * The eligibility proof system the protocol is built on (Huang et al. 2020, sections 4.2.6-4.2.7),
 * as an injected dependency with the shape of `medshare/zk`: commitments, requirement hashes,
 * identity-to-field, prove, verify, and the public signals [R, h, commitment, requirementHash,
 * patientId, T].
 *
 * {@link standInProofSystem} is a STAND-IN, not a zk-SNARK: its "prover" checks the statement in
 * the clear and signs the public signals with an Ed25519 key whose public half is the verification
 * key. The contract accepts exactly the (vk, proof, signals) triples the stand-in prover issued, so
 * the refusal tests stay meaningful, but the prover sees the record and there is no zero
 * knowledge. For anything but tests and the quick demo use the real Groth16 system,
 * `groth16ProofSystem` from `medshare/zk` (kept out of this subpath, which loads no GPL code).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter } from '../internal/bytes.js';
import { canonicalDecimal } from '../internal/decimal.js';
import { abytes, ArgumentTypeError, ArgumentValueError, EncodingError } from '../internal/errors.js';
import { randomFrom, type RandomOptions } from '../internal/random.js';
import { utf8Encode } from '../internal/text.js';
import { FIELD_ORDER, randomScalar } from '../zk/field.js';

/** A medical record D = <d1, ..., dn>: non-negative integers (fixed-point vitals, codes). */
export type MedicalRecord = readonly number[];

/** One criterion: field `field` of the record lies in [min, max] (inclusive). */
export interface Criterion {
  /** Index of the record field. */
  readonly field: number;
  /** Smallest value allowed. */
  readonly min: number;
  /** Largest value allowed. */
  readonly max: number;
}

/**
 * A research institution's full requirement (kept private; only its hash and key words are
 * published). The institution hands the criteria and the nonce to patients off the ledger.
 */
export interface Requirement {
  /** The criteria, all of which must hold. */
  readonly criteria: readonly Criterion[];
  /**
   * nu, the requirement nonce ({@link randomFieldElement}), hashed with the criteria so that the
   * published hash does not let anyone test guesses of them; never published.
   */
  readonly nonce: bigint;
}

/** The public signals of one proof, decoded. */
export interface PublicSignals {
  /** R: true iff every criterion holds. */
  readonly eligible: boolean;
  /** h = H(commitment, ID_p, T, r). */
  readonly binding: bigint;
  /** The record commitment. */
  readonly commitment: bigint;
  /** The requirement hash. */
  readonly requirementHash: bigint;
  /** ID_p as a field element. */
  readonly patientId: bigint;
  /** T, seconds. */
  readonly timestamp: bigint;
}

/** What the prover takes (section 4.2.6: D, r, ID_p, T and the requirement). */
export interface ProofInputs {
  /** D. */
  readonly record: MedicalRecord;
  /** rho, the blinding the record was committed with ({@link ProofSystem.commitRecord}). */
  readonly blinding: bigint;
  /** The requirement, as the institution gave it to the patient. */
  readonly requirement: Requirement;
  /** r, the random salt. */
  readonly salt: bigint;
  /** ID_p as a field element. */
  readonly patientId: bigint;
  /** T, seconds. */
  readonly timestamp: bigint;
}

/** A proof and its public signals as they go on the ledger. */
export interface ProofOutput {
  /** pi, encoded. */
  readonly proof: Uint8Array;
  /** The public signals as decimal strings. */
  readonly publicSignals: string[];
}

/** The key pair of ZKPKeyGen (section 4.2.6, step 5), as bytes. */
export interface ProofKeys {
  /** EK_c (opaque to the protocol). */
  readonly provingKey: unknown;
  /** VK_c, encoded: it is published on the ledger. */
  readonly verificationKey: Uint8Array;
}

/**
 * What the smart contract needs of the proof system. Pure and deterministic: every replica
 * must get the same answer for the same bytes. `verifyProof` returns false (never throws) for
 * malformed or wrong inputs.
 */
export interface ContractDeps {
  /** Verify(VK_c, pi, public signals) -> true or false. */
  verifyProof(verificationKey: Uint8Array, proof: Uint8Array, publicSignals: readonly string[]): boolean;
  /** Decodes [R, h, commitment, requirementHash, patientId, T]; throws for a malformed list. */
  decodePublicSignals(publicSignals: readonly string[]): PublicSignals;
  /** ID_p as a field element, as the circuit takes it. */
  identityToField(identity: string): bigint;
}

/** Options of {@link ProofSystem.keyGen}. */
export interface ProofKeyGenOptions extends RandomOptions {
  /** Called with a short description as each long stage (circuit build, setup) starts. */
  onProgress?: (stage: string) => void;
}

/** A whole proof system: the contract's part and the off-chain part (key generation, proving, commitments). */
export interface ProofSystem extends ContractDeps {
  /** A name for reports ('stand-in' or 'groth16'). */
  readonly name: string;
  /** ZKPKeyGen(1^lambda, C) -> (EK_c, VK_c), for records of `fields` fields. */
  keyGen(fields: number, options?: ProofKeyGenOptions): Promise<ProofKeys>;
  /** Prove(EK_c, D, r, ID_p, T) -> (pi, public signals). */
  prove(provingKey: unknown, inputs: ProofInputs): Promise<ProofOutput>;
  /**
   * The record commitment stored on the ledger, hiding: a commitment to the record under the
   * blinding rho ({@link randomFieldElement}), which the patient keeps with the record.
   */
  commitRecord(record: MedicalRecord, blinding: bigint): bigint;
  /** The requirement hash an institution publishes: hiding the criteria behind the requirement's nonce. */
  requirementHash(requirement: Requirement): bigint;
  /** Does the record meet the requirement (the R the circuit outputs)? */
  meetsRequirement(record: MedicalRecord, requirement: Requirement): boolean;
}

const STAND_IN_TAG = 'medshare/protocol/v1/stand-in-proof';

/**
 * A uniformly random nonzero element of the BN254 scalar field (64 bytes from the source reduced
 * mod r): a record's blinding rho or a requirement's nonce nu, as both proof systems take them.
 * @param options - `random` (default: the platform CSPRNG)
 * @example
 * ```ts
 * const blinding = randomFieldElement(); // kept with the record; travels inside the sealed record
 * ```
 */
export function randomFieldElement(options?: RandomOptions): bigint {
  return randomScalar(randomFrom(options));
}

/** SHA-256 with the top three bits cleared: a value below 2^253, inside the BN254 scalar field. */
function toField(bytes: Uint8Array): bigint {
  const digest = sha256(bytes);
  digest[0] = (digest[0] as number) & 0x1f;
  return bytesToNumberBE(digest);
}

/** A blinding or nonce as 32 bytes: a nonzero field element below 2^256 (both proof systems take it). */
function secretBytes(value: bigint, name: string): Uint8Array {
  if (typeof value !== 'bigint') throw new ArgumentTypeError(name, 'bigint', value);
  if (value <= 0n || value >= 1n << 256n) throw new ArgumentValueError(name, 'expected a random nonzero field element');
  return numberToBytesBE(value, 32);
}

function checkRecord(record: MedicalRecord): readonly number[] {
  if (!Array.isArray(record) || record.length === 0) throw new ArgumentTypeError('record', 'a non-empty array of integers');
  for (const [i, v] of record.entries()) {
    if (!Number.isSafeInteger(v) || v < 0 || v >= 2 ** 32)
      throw new ArgumentValueError(`record[${i}]`, 'expected an integer in [0, 2^32)');
  }
  return record;
}

function meets(record: MedicalRecord, requirement: Requirement): boolean {
  return requirement.criteria.every((c) => {
    const v = record[c.field];
    return v !== undefined && c.min <= v && v <= c.max;
  });
}

function standInBinding(commitment: bigint, patientId: bigint, timestamp: bigint, salt: bigint): bigint {
  const w = new ByteWriter(160).string('medshare/protocol/v1/stand-in-binding');
  for (const x of [commitment, patientId, timestamp, salt]) w.string(x.toString());
  return toField(w.finish());
}

function signalsMessage(verificationKey: Uint8Array, publicSignals: readonly string[]): Uint8Array {
  const w = new ByteWriter(256).string(STAND_IN_TAG).bytes(verificationKey).u32(publicSignals.length);
  for (const s of publicSignals) w.string(s);
  return w.finish();
}

/**
 * Decodes [R, h, commitment, requirementHash, patientId, T]: six canonical decimal strings (no
 * sign, no leading zero) below the BN254 scalar-field order r, R being 0 or 1.
 * @throws TypeError unless an array of six strings; EncodingError for a non-canonical or out-of-range signal
 */
export function decodePublicSignals(publicSignals: readonly string[]): PublicSignals {
  if (!Array.isArray(publicSignals) || publicSignals.length !== 6 || !publicSignals.every((s) => typeof s === 'string')) {
    throw new ArgumentTypeError('publicSignals', '6 decimal strings');
  }
  const values = publicSignals.map((s, i) => {
    const x = canonicalDecimal(s, FIELD_ORDER);
    if (x === undefined) throw new EncodingError('publicSignals', `[${i}]`, 'expected a canonical decimal string below r');
    return x;
  });
  if (values[0] !== 0n && values[0] !== 1n) throw new EncodingError('publicSignals', '[0]', 'R is 0 or 1');
  const [r, h, commitment, requirementHash, patientId, timestamp] = values as [bigint, bigint, bigint, bigint, bigint, bigint];
  return { eligible: r === 1n, binding: h, commitment, requirementHash, patientId, timestamp };
}

/**
 * ID_p as a field element: SHA-256 of the identity's UTF-8 with the top three bits cleared (as medshare/zk).
 * @throws ArgumentTypeError for a non-string; ArgumentValueError for a string with a lone UTF-16
 *   surrogate (its UTF-8 would be U+FFFD's, so two different identities would get one ID_p)
 */
export function identityToField(identity: string): bigint {
  if (typeof identity !== 'string') throw new ArgumentTypeError('identity', 'string');
  return toField(utf8Encode(identity, 'identity'));
}

/**
 * The stand-in proof system (see the module documentation: NOT zero-knowledge, NOT a SNARK).
 * Commitments and hashes are SHA-256 based; a "proof" is an Ed25519 signature of the proving
 * key on the verification key and the public signals, which the prover computes honestly from
 * the record (so R = 0 when the record does not meet the requirement).
 * @returns a {@link ProofSystem} named 'stand-in'
 * @example
 * ```ts
 * const zk = standInProofSystem();
 * const { provingKey, verificationKey } = await zk.keyGen(4);
 * const requirement = { criteria: [{ field: 0, min: 40, max: 65 }], nonce: randomFieldElement() };
 * const out = await zk.prove(provingKey, { record: [52, 128, 61, 250], blinding: 5n, requirement, salt: 1n, patientId: 2n, timestamp: 3n });
 * zk.verifyProof(verificationKey, out.proof, out.publicSignals); // true
 * ```
 */
export function standInProofSystem(): ProofSystem {
  const commitRecord = (record: MedicalRecord, blinding: bigint): bigint => {
    const w = new ByteWriter(96 + 8 * record.length)
      .string('medshare/protocol/v1/stand-in-record')
      .raw(secretBytes(blinding, 'blinding'));
    for (const v of checkRecord(record)) w.u64(v);
    return toField(w.finish());
  };
  const requirementHash = (requirement: Requirement): bigint => {
    const w = new ByteWriter(160)
      .string('medshare/protocol/v1/stand-in-requirement')
      .raw(secretBytes(requirement.nonce, 'requirement.nonce'))
      .u32(requirement.criteria.length);
    for (const c of requirement.criteria) w.u32(c.field).u64(c.min).u64(c.max);
    return toField(w.finish());
  };
  return Object.freeze({
    name: 'stand-in',
    async keyGen(_fields: number, options?: ProofKeyGenOptions): Promise<ProofKeys> {
      const secret = randomFrom(options)(32);
      return { provingKey: secret, verificationKey: ed25519.getPublicKey(secret) };
    },
    async prove(provingKey: unknown, inputs: ProofInputs): Promise<ProofOutput> {
      const secret = abytes(provingKey, 'provingKey');
      const commitment = commitRecord(inputs.record, inputs.blinding);
      const publicSignals = [
        meets(inputs.record, inputs.requirement) ? '1' : '0',
        standInBinding(commitment, inputs.patientId, inputs.timestamp, inputs.salt).toString(),
        commitment.toString(),
        requirementHash(inputs.requirement).toString(),
        inputs.patientId.toString(),
        inputs.timestamp.toString(),
      ];
      const verificationKey = ed25519.getPublicKey(secret);
      return { proof: ed25519.sign(signalsMessage(verificationKey, publicSignals), secret), publicSignals };
    },
    verifyProof(verificationKey: Uint8Array, proof: Uint8Array, publicSignals: readonly string[]): boolean {
      try {
        if (verificationKey.length !== 32 || proof.length !== 64) return false;
        return ed25519.verify(proof, signalsMessage(verificationKey, publicSignals), verificationKey);
      } catch {
        return false;
      }
    },
    decodePublicSignals,
    identityToField,
    commitRecord,
    requirementHash,
    meetsRequirement: (record: MedicalRecord, requirement: Requirement) => meets(checkRecord(record), requirement),
  });
}
