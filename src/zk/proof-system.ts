/**
 * The Groth16 eligibility proofs of medshare/zk (Huang et al. 2020, sections 4.2.6-4.2.7) as
 * medshare/protocol's `ProofSystem`, for `runStory`, `VerificationNetwork`, `proofSubmission` and
 * the contract. It lives in medshare/zk, not medshare/protocol, on purpose: key generation and
 * proving load snarkjs (GPL-3.0, an optional peer dependency), which medshare/protocol never
 * loads. `medshare demo` uses it.
 *
 * On the ledger: VK_c is snarkjs's verification-key JSON as UTF-8, a proof is the packed 256-byte
 * form (`encodeProof`). The contract's verifier decodes both and returns false for anything
 * malformed; a verification key is decoded and prepared once per distinct key (bounded memo).
 * Verification runs on @noble/curves alone, so verification nodes need neither snarkjs nor circom2.
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { ArgumentValueError, EncodingError } from '../internal/errors.js';
import { utf8Decode } from '../internal/text.js';
import type { ProofKeyGenOptions, ProofKeys, ProofSystem } from '../protocol/proof-system.js';
import { buildCircuit } from './circuit.js';
import { prove, verify } from './groth16.js';
import { decodeProof, encodeProof, prepareVerificationKey, type ProvingKey } from './keys.js';
import { zkpKeyGen } from './setup.js';
import { circuitShape } from './shape.js';
import { commitRecord, decodePublicSignals, identityToField, meetsRequirement, requirementHash } from './statement.js';

/** Options of {@link groth16ProofSystem}. */
export interface Groth16ProofSystemOptions {
  /** Bits per record value (default: medshare/zk's default, 16). */
  readonly bits?: number;
  /** Most criteria per requirement (default: medshare/zk's default). */
  readonly criteria?: number;
  /**
   * Where circuits compiled on this machine are cached (default: {@link defaultCacheDir}); the
   * package ships n = 4 with the default bits and criteria compiled, other shapes need circom2
   * and circomlib.
   */
  readonly cacheDir?: string;
}

const MAX_PREPARED = 16;

/**
 * The Groth16 proof system for records of `fields` fields, as medshare/protocol takes it:
 * `keyGen` builds the circuit ({@link buildCircuit}) and runs {@link zkpKeyGen} (the PKG's
 * single-party setup), `prove` is {@link prove}, `verifyProof` is {@link verify} on the packed
 * proof and the JSON verification key; commitments and hashes are medshare/zk's Poseidon ones.
 *
 * Key generation and proving need snarkjs (`npm install snarkjs`; they throw an
 * `ERR_MISSING_DEPENDENCY` MedshareError naming it otherwise), and a record size other than 4
 * needs circom2 and circomlib to compile its circuit; verification needs neither.
 * @param fields - n, the record size (one circuit per n)
 * @param options - circuit shape and cache directory
 * @returns a `ProofSystem` (medshare/protocol) named 'groth16'; call {@link releaseWorkers} when done
 * @example
 * ```ts
 * import { runStory } from 'medshare/protocol';
 * import { groth16ProofSystem, releaseWorkers } from 'medshare/zk';
 * const story = await runStory({ proofSystem: groth16ProofSystem(4), fields: 4, crash: false });
 * story.agreed; // true: every node verified the Groth16 proofs and holds the same state
 * await releaseWorkers();
 * ```
 */
export function groth16ProofSystem(fields: number, options: Groth16ProofSystemOptions = {}): ProofSystem {
  const shape = circuitShape(fields, {
    ...(options.bits === undefined ? {} : { bits: options.bits }),
    ...(options.criteria === undefined ? {} : { criteria: options.criteria }),
  });
  const prepared = new Map<string, ReturnType<typeof prepareVerificationKey>>();
  const preparedKey = (bytes: Uint8Array) => {
    const id = bytesToHex(bytes);
    let key = prepared.get(id);
    if (key === undefined) {
      // Exact UTF-8 (../internal/text.ts): BOM-prefixed bytes are not a second encoding of a key.
      const json = utf8Decode(bytes);
      if (json === undefined) throw new EncodingError('verification key', '', 'not well-formed UTF-8');
      key = prepareVerificationKey(JSON.parse(json));
      if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value as string);
      prepared.set(id, key);
    }
    return key;
  };
  return Object.freeze({
    name: 'groth16',
    async keyGen(n: number, opts: ProofKeyGenOptions = {}): Promise<ProofKeys> {
      if (n !== fields) throw new ArgumentValueError('keyGen', `this proof system is for ${fields}-field records, not ${n}`);
      const progress = opts.onProgress ?? (() => {});
      progress(`building the eligibility circuit for ${fields} fields`);
      const circuit = await buildCircuit(shape, {
        ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
        onProgress: (_stage, message) => progress(`circuit: ${message}`),
      });
      progress('ZKPKeyGen: Groth16 setup');
      const keys = await zkpKeyGen(circuit, {
        ...(opts.random === undefined ? {} : { random: opts.random }),
        onProgress: (_stage, message) => progress(`setup: ${message}`),
      });
      return { provingKey: keys.provingKey, verificationKey: new TextEncoder().encode(JSON.stringify(keys.verificationKey)) };
    },
    async prove(provingKey, inputs) {
      const result = await prove(provingKey as ProvingKey, {
        record: inputs.record,
        blinding: inputs.blinding,
        requirement: inputs.requirement,
        salt: inputs.salt,
        patientId: inputs.patientId,
        timestamp: inputs.timestamp,
      });
      return { proof: encodeProof(result.proof), publicSignals: result.publicSignals };
    },
    verifyProof(verificationKey, proof, publicSignals) {
      try {
        return verify(preparedKey(verificationKey), decodeProof(proof), publicSignals);
      } catch {
        return false;
      }
    },
    decodePublicSignals,
    identityToField,
    commitRecord: (record, blinding) => commitRecord(shape, record, blinding),
    requirementHash: (requirement) => requirementHash(shape, requirement),
    meetsRequirement: (record, requirement) => meetsRequirement(shape, record, requirement),
  } satisfies ProofSystem);
}
