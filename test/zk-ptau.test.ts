/**
 * The production key path: a powers-of-tau ceremony file plus snarkjs phase-2 contributions
 * (zkpKeyGenFromPtau). The test circuit needs 2^11; making that ceremony with snarkjs
 * (new accumulator, one contribution, preparePhase2) takes about a minute on these 2-core
 * machines, so the file is cached in the gitignored .cache/ between runs, and
 * MEDSHARE_ZK_SKIP_PTAU=1 skips the suite. A too-small ceremony (2^8) is rejected with an
 * error (snarkjs's newZKey returns -1 rather than throwing).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, describe, expect, it } from 'vitest';
import { prove, releaseWorkers, verify, zkpKeyGenFromPtau } from '../src/zk/index.js';
import { testCircuit } from './support/zk.js';

const enabled = process.env.MEDSHARE_ZK_SKIP_PTAU !== '1';

async function ceremony(power: number): Promise<Uint8Array> {
  const file = path.resolve('.cache', 'medshare-zk', `test-ceremony-${power}.ptau`);
  if (existsSync(file)) return new Uint8Array(await readFile(file));
  const { buildBn128 } = await import('ffjavascript');
  const curve = await buildBn128();
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

describe.runIf(enabled)('zkpKeyGenFromPtau (skip with MEDSHARE_ZK_SKIP_PTAU=1)', () => {
  afterAll(async () => {
    await releaseWorkers();
  });

  it('a ceremony plus two phase-2 contributions gives keys that prove and verify with both verifiers', {
    timeout: 900_000,
  }, async () => {
    const circuit = await testCircuit();
    const ptau = await ceremony(11);
    const { provingKey, verificationKey } = await zkpKeyGenFromPtau(circuit, ptau, {
      contributions: [
        { name: 'PKG', entropy: 'first contribution entropy' },
        { name: 'hospital', entropy: 'second contribution entropy' },
      ],
    });
    const result = await prove(provingKey, {
      record: [61, 128, 250, 1, 0, 65535, 37, 90],
      requirement: { criteria: [{ field: 0, min: 40, max: 65 }], nonce: 3n },
      blinding: 4n,
      salt: 5n,
      patientId: 6n,
      timestamp: 7n,
    });
    expect(result.publicSignals[0]).toBe('1');
    expect(verify(verificationKey, result.proof, result.publicSignals)).toBe(true);
    expect(await snarkjs.groth16.verify(verificationKey as never, result.publicSignals, result.proof as never)).toBe(true);
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
