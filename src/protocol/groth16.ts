/**
 * @module
 * `medshare/zk`'s Groth16 eligibility proofs (Huang et al. 2020, sections 4.2.6-4.2.7) as the
 * protocol's {@link ProofSystem}. Kept out of the `medshare/protocol` entry on purpose: it pulls in
 * snarkjs and circomlib (GPL-3.0), which the other subpaths do not depend on. The command line
 * uses it; a library caller imports `medshare/zk` and builds the same adapter.
 *
 * On the ledger: VK_c is snarkjs's verification-key JSON as UTF-8, a proof is the packed 256-byte
 * form (`encodeProof`). The contract's verifier decodes both and returns false for anything
 * malformed; a verification key is decoded and prepared once per distinct key (bounded memo).
 */
import { toHex } from '../internal/bytes.js';
import {
  buildCircuit,
  circuitShape,
  commitRecord,
  decodeProof,
  decodePublicSignals,
  encodeProof,
  identityToField,
  meetsRequirement,
  prepareVerificationKey,
  prove,
  type ProvingKey,
  requirementHash,
  verify,
  zkpKeyGen,
} from '../zk/index.js';
import type { ProofKeyGenOptions, ProofKeys, ProofSystem } from './proof-system.js';
import { ArgumentValueError, EncodingError } from '../internal/errors.js';
import { utf8Decode } from '../internal/text.js';

/** Options of {@link groth16ProofSystem}. */
export interface Groth16Options {
  /** Bits per record value (default: medshare/zk's default, 16). */
  readonly bits?: number;
  /** Most criteria per requirement (default: medshare/zk's default). */
  readonly criteria?: number;
  /** Where compiled circuits are cached (default: medshare/zk's default cache directory). */
  readonly cacheDir?: string;
}

const MAX_PREPARED = 16;

/**
 * The Groth16 proof system for records of `fields` fields.
 * @param fields - n, the record size (one circuit per n)
 * @param options - circuit shape and cache directory
 * @returns a {@link ProofSystem} named 'groth16'; call medshare/zk's `releaseWorkers()` when done
 */
export function groth16ProofSystem(fields: number, options: Groth16Options = {}): ProofSystem {
  const shape = circuitShape(fields, {
    ...(options.bits === undefined ? {} : { bits: options.bits }),
    ...(options.criteria === undefined ? {} : { criteria: options.criteria }),
  });
  const prepared = new Map<string, ReturnType<typeof prepareVerificationKey>>();
  const preparedKey = (bytes: Uint8Array) => {
    const id = toHex(bytes);
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
      progress(`building the eligibility circuit for ${fields} fields (cached after the first time)`);
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
