/**
 * The production key path: a powers-of-tau ceremony file plus snarkjs phase-2 contributions
 * (zkpKeyGenFromPtau). The suite uses its own small shape (n = 4, B = 8, K = 2: 1,711
 * constraints), which fits a 2^11 ceremony; the shared test circuit (n = 8, B = 16, K = 4)
 * needs 2^12 since the blinding and the requirement nonce entered the circuit. Making the
 * ceremony with snarkjs (new accumulator, one contribution, preparePhase2) takes about a minute
 * on these 2-core machines, so the file is cached in the gitignored .cache/ between runs, and
 * MEDSHARE_ZK_SKIP_PTAU=1 skips the suite. A too-small ceremony (2^8) is rejected with an error
 * (snarkjs's newZKey returns -1 rather than throwing).
 *
 * `snarkjs zkey verify` (zKey.verifyFromR1cs) accepts a ceremony-derived key and refuses a
 * zkpKeyGen key: it rebuilds the key the ptau file determines and compares, alpha first, and a
 * single-party key comes from no ptau file at all.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildCircuit,
  type Circuit,
  circuitShape,
  type KeyPair,
  prove,
  releaseWorkers,
  verify,
  zkpKeyGen,
  zkpKeyGenFromPtau,
} from '../src/zk/index.js';
import { seededRandom } from '../src/testing/random.js';
import { testCircuit } from './support/zk.js';

const enabled = process.env.MEDSHARE_ZK_SKIP_PTAU !== '1';
const CEREMONY_SHAPE = circuitShape(4, { bits: 8, criteria: 2 });

async function ceremony(power: number): Promise<Uint8Array> {
  const file = path.resolve('.cache', 'medshare-zk', `test-ceremony-${power}.ptau`);
  if (existsSync(file)) return new Uint8Array(await readFile(file));
  const curve = await snarkjs.curves.getCurveFromName('bn128'); // ffjavascript's buildBn128
  const start: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  await snarkjs.powersOfTau.newAccumulator(curve, power, start);
  const contributed: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  await snarkjs.powersOfTau.contribute(start.data as Uint8Array, contributed, 'test ceremony', 'test entropy');
  const prepared: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  await snarkjs.powersOfTau.preparePhase2(contributed.data as Uint8Array, prepared); // the shared pool ends in afterAll
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, prepared.data as Uint8Array);
  return prepared.data as Uint8Array;
}

let made: Promise<{ circuit: Circuit; ptau: Uint8Array; keys: KeyPair }> | undefined;
/** The small circuit, the 2^11 ceremony and a key from it with two phase-2 contributions (made once). */
function ceremonyKeys() {
  made ??= (async () => {
    const circuit = await buildCircuit(CEREMONY_SHAPE);
    const ptau = await ceremony(11);
    const keys = await zkpKeyGenFromPtau(circuit, ptau, {
      contributions: [
        { name: 'PKG', entropy: 'first contribution entropy' },
        { name: 'hospital', entropy: 'second contribution entropy' },
      ],
    });
    return { circuit, ptau, keys };
  })();
  return made;
}

/** snarkjs's zkey verify from the R1CS and the ptau, with its error log captured. */
async function zkeyVerify(circuit: Circuit, ptau: Uint8Array, zkey: Uint8Array) {
  const errors: string[] = [];
  const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => void errors.push(message) };
  const ok = await snarkjs.zKey.verifyFromR1cs(circuit.r1cs, ptau, zkey, logger);
  return { ok, errors };
}

describe.runIf(enabled)('zkpKeyGenFromPtau (skip with MEDSHARE_ZK_SKIP_PTAU=1)', () => {
  afterAll(async () => {
    await releaseWorkers();
  });

  it('a ceremony plus two phase-2 contributions gives keys that prove and verify with both verifiers', {
    timeout: 900_000,
  }, async () => {
    const { keys } = await ceremonyKeys();
    const { provingKey, verificationKey } = keys;
    const result = await prove(provingKey, {
      record: [61, 128, 250, 1],
      blinding: 4n,
      requirement: { criteria: [{ field: 0, min: 40, max: 65 }], nonce: 3n },
      salt: 5n,
      patientId: 6n,
      timestamp: 7n,
    });
    expect(result.publicSignals[0]).toBe('1');
    expect(verify(verificationKey, result.proof, result.publicSignals)).toBe(true);
    expect(await snarkjs.groth16.verify(verificationKey as never, result.publicSignals, result.proof as never)).toBe(true);
  });

  it('snarkjs zkey verify accepts the ceremony-derived key against its ptau and R1CS', { timeout: 900_000 }, async () => {
    const { circuit, ptau, keys } = await ceremonyKeys();
    expect(await zkeyVerify(circuit, ptau, keys.provingKey.zkey)).toEqual({ ok: true, errors: [] });
  });

  it('snarkjs zkey verify refuses a zkpKeyGen key: no ptau determines it, so alpha differs first', {
    timeout: 900_000,
  }, async () => {
    const { circuit, ptau } = await ceremonyKeys();
    const single = await zkpKeyGen(circuit, { random: seededRandom('zk-ptau-single-party') });
    const { ok, errors } = await zkeyVerify(circuit, ptau, single.provingKey.zkey);
    expect(ok).toBe(false);
    expect(errors.join('\n')).toMatch(/Invalid alpha1/);
  });

  it('a ceremony too small for the circuit is an error, not -1', { timeout: 900_000 }, async () => {
    const circuit = await testCircuit();
    const small = await ceremony(8);
    await expect(zkpKeyGenFromPtau(circuit, small, { contributions: [{ name: 'x', entropy: 'y' }] })).rejects.toThrow(/ptau/);
  });
});

describe('zkpKeyGenFromPtau argument checks', () => {
  it('needs at least one contribution and a byte array', async () => {
    const circuit = await testCircuit();
    await expect(zkpKeyGenFromPtau(circuit, new Uint8Array(8), { contributions: [] })).rejects.toThrow(RangeError);
    await expect(
      zkpKeyGenFromPtau(circuit, 'file.ptau' as never, { contributions: [{ name: 'a', entropy: 'b' }] }),
    ).rejects.toThrow(TypeError);
  });
});
