/**
 * `medshare/zk`: zk-SNARK eligibility proofs (Huang et al. 2020, sections 4.2.6-4.2.7).
 *
 * A patient proves, without revealing the record, that the record committed on the ledger
 * meets a research institution's requirement (R = 1), bound to the patient's identity ID_p, a
 * timestamp T and a salt r through h = H(commitment, ID_p, T, r), the value the patient signs
 * with AuthSign. Circuits are circom 2 (circuits/eligibility.circom) compiled by the npm
 * package circom2; proofs are Groth16 on BN254 in snarkjs's formats. One circuit per record
 * size serves every requirement (at most K criteria, each an inclusive range on one field).
 * The record commitment is hiding: it hashes a random blinding rho, which the patient keeps with
 * the record and gives the prover ({@link commitRecord}; the paper's unblinded H(D) is
 * {@link commitRecordUnblinded}). The requirement hash is salted with a random nonce nu, which the
 * institution hands to patients with the criteria ({@link requirementHash}).
 *
 * For medshare/protocol ({@link groth16ProofSystem}): the same proofs as the protocol's
 * `ProofSystem`, for `runStory` and `VerificationNetwork` with real proofs.
 *
 * Dependencies and licensing: snarkjs (key generation, proving) and circom2 with circomlib
 * (compiling a circuit) are GPL-3.0 optional peer dependencies, loaded only when used; missing,
 * they are named in an `ERR_MISSING_DEPENDENCY` error. No compiled circuit ships with the package
 * (a compiled circuit carries circomlib's and circom's GPL-3.0 code); verifying proofs, the
 * encodings, commitments and hashes need none of them.
 *
 * @example
 * ```ts
 * import { buildCircuit, circuitShape, zkpKeyGen, prove, verify, randomFieldElement, releaseWorkers } from 'medshare/zk';
 * const shape = circuitShape(4); // record: age, systolic BP, HbA1c x10, ICD-10 code index
 * const circuit = await buildCircuit(shape);
 * const { provingKey, verificationKey } = await zkpKeyGen(circuit); // the PKG
 * const requirement = {
 *   criteria: [{ field: 0, min: 40, max: 65 }, { field: 3, min: 250, max: 250 }],
 *   nonce: randomFieldElement(), // nu, handed to patients with the criteria
 * };
 * const blinding = randomFieldElement(); // the record's rho, kept with it
 * const { proof, publicSignals } = await prove(provingKey, {
 *   record: [52, 128, 61, 250], blinding, requirement, salt: randomFieldElement(), patientId: 42n, timestamp: 1700000000n,
 * });
 * verify(verificationKey, proof, publicSignals); // true; publicSignals[0] === '1' (R)
 * await releaseWorkers();
 * ```
 * @module
 */
export { buildCircuit, defaultCacheDir, mainSource } from './circuit.js';
export type { BuildOptions, BuildStage, Circuit } from './circuit.js';
export { MalformedError, ZkInputError } from './errors.js';
export { prove, releaseWorkers, verify } from './groth16.js';
export { groth16ProofSystem } from './proof-system.js';
export type { Groth16ProofSystemOptions } from './proof-system.js';
export type { ProofResult, ProveOptions } from './groth16.js';
export {
  PROOF_BYTES,
  PUBLIC_SIGNALS,
  decodeProof,
  decodeProofJson,
  decodeVerificationKey,
  encodeProof,
  prepareVerificationKey,
  provingKeyFromZkey,
  verificationKeyFromZkey,
} from './keys.js';
export type {
  DecodedProof,
  DecodedVerificationKey,
  G1Json,
  G2Json,
  Groth16Proof,
  ProvingKey,
  VerificationKey,
} from './keys.js';
export { poseidon, poseidonChain } from './poseidon.js';
export type { R1csHeader } from './r1cs.js';
export { zkpKeyGen, zkpKeyGenFromPtau } from './setup.js';
export type { Contribution, KeyGenOptions, KeyGenStage, KeyPair, PtauKeyGenOptions } from './setup.js';
export { DEFAULT_BITS, DEFAULT_CRITERIA, circuitShape, shapeId } from './shape.js';
export type { CircuitShape, CircuitShapeOptions } from './shape.js';
export {
  bindingHash,
  circuitInputs,
  commitRecord,
  commitRecordUnblinded,
  decodePublicSignals,
  identityToField,
  meetsRequirement,
  publicStatement,
  randomFieldElement,
  requirementHash,
} from './statement.js';
export type {
  Criterion,
  EligibilityInputs,
  MedicalRecord,
  PublicSignals,
  PublicStatement,
  Requirement,
} from './statement.js';
export { FIELD_ORDER } from './field.js';
export type { RandomOptions, RandomSource } from '../internal/random.js';
export * from '../internal/public-errors.js';
