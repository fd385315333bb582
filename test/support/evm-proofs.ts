/**
 * Real Groth16 proofs for the EVM tests, cached on disk (.cache/medshare-evm-proofs, gitignored)
 * under SHA-256 of the verification key and the inputs: a proof is valid for as long as the key is,
 * and the test keys are seeded (test/support/zk.ts), so reruns skip snarkjs (about 0.5-1 s a proof).
 * A changed circuit or key is a cache miss, never a stale hit.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { type EligibilityInputs, type KeyPair, type ProofResult, prove } from '../../src/zk/index.js';

const DIR = path.resolve('.cache', 'medshare-evm-proofs');

/** prove(keys.provingKey, inputs), from the disk cache when it holds a proof for this key and these inputs. */
export async function cachedProof(keys: KeyPair, inputs: EligibilityInputs): Promise<ProofResult> {
  const id = Buffer.from(
    sha256(
      new TextEncoder().encode(
        JSON.stringify({ vk: keys.verificationKey, inputs }, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
      ),
    ),
  ).toString('hex');
  const file = path.join(DIR, `${id}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ProofResult;
  } catch {
    const result = await prove(keys.provingKey, inputs);
    await mkdir(DIR, { recursive: true });
    await writeFile(file, JSON.stringify(result));
    return result;
  }
}
