/**
 * medshare/testing: property-based testing of medshare's primitives, as a product. For
 * researchers checking a scheme's laws on their own machine, teams testing their integration
 * (their storage, their transport, their own scheme behind the same interface), and other
 * implementations that want to conform.
 *
 * - Arbitraries (fast-check) for identities, records of any size, seeds, mutations of an
 *   encoding, and the hostile values of every field type of medshare's byte formats
 *   ({@link LAYOUTS}, {@link HOSTILE}, {@link mutants}).
 * - Laws: lists of named fast-check properties, `{ name, group, property, runs }`, that any test
 *   runner executes with `fc.assert(law.property, { numRuns: law.runs })`:
 *   {@link preSchemeProperties} (any `PreScheme`), {@link verifiableProperties},
 *   {@link authSignProperties}, {@link pbftProperties}, {@link blockStoreProperties} (your own
 *   ledger storage), {@link proofVerifierProperties} (a proof verifier, over proofs you made);
 *   {@link medshareLaws} for medshare's own.
 * - {@link checkLaw} runs one law without throwing and returns the seed, replay path and shrunk
 *   counterexample (what `npx medshare check` prints).
 * - The seeded PBFT swarm simulator, {@link runSimulation}.
 *
 * fast-check is an optional peer dependency: install it (`npm install --save-dev fast-check`).
 * Without it, importing this module fails with a MedshareError whose code is `ERR_MISSING_DEPENDENCY`.
 * Browser-safe: no Node built-ins.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { preSchemeProperties } from 'medshare/testing';
 * import { ga07 } from 'medshare/pre';
 * for (const law of preSchemeProperties(ga07, { multiHop: false })) fc.assert(law.property, { numRuns: law.runs });
 * ```
 *
 * @module
 */
export {
  type FieldSubstitution,
  fieldSubstitutionArb,
  identitiesArb,
  identityArb,
  MIB,
  type Mutation,
  mutationArb,
  recordArb,
  seedArb,
} from './arbitraries.js';
export { LAW_GROUPS, medshareLaws } from './builtin.js';
export {
  type BlockStoreLawOptions,
  blockChainArb,
  blockStoreProperties,
  type NodeStorageLawOptions,
  nodeStorageProperties,
} from './ledger-laws.js';
export { FAST_CHECK_PACKAGE, FAST_CHECK_VERSIONS } from './fast-check.js';
export { type ProofFixture, proofVerifierProperties, type VerifierLawOptions } from './zk-laws.js';
export {
  BYTES_HOSTILE,
  extend,
  type FieldSpec,
  type FieldType,
  flipBit,
  G1_HOSTILE,
  G2_HOSTILE,
  GT_HOSTILE,
  HOSTILE,
  type HostileValue,
  LAYOUTS,
  type Mutant,
  type MutantOptions,
  type MutationKind,
  mutants,
  SCALAR_HOSTILE,
  STRING_HOSTILE,
  type Span,
  setByte,
  spansOf,
  substitute,
  U8_HOSTILE,
} from './hostile.js';
export {
  assertLaws,
  type CheckOptions,
  checkLaw,
  holds,
  type Law,
  type LawGroup,
  type LawResult,
  LawViolation,
  sameBytes,
  throwsSuch,
} from './laws.js';
export { type PbftLawOptions, pbftProperties, pbftScheduleArb } from './pbft-laws.js';
export {
  ALL_BEHAVIOURS,
  type ByzantineBehaviour,
  type Knobs,
  runSimulation,
  type SimOptions,
  type SimResult,
  SimulationFailure,
} from './pbft-simulator.js';
export { type PreLawOptions, type PreLayouts, preSchemeProperties } from './pre-laws.js';
export { fillerBytes, seededRandom } from './random.js';
export { type SignLawOptions, authSignProperties } from './sign-laws.js';
export { type VerifiableLawOptions, type VerifiableSchemes, verifiableProperties } from './verifiable-laws.js';
export * from '../internal/public-errors.js';
