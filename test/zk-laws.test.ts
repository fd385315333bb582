/**
 * medshare/testing's proof-verifier laws (proofVerifierProperties): they hold for medshare/zk's
 * Groth16 verifier and the protocol's stand-in, over proofs made here, and each catches a verifier
 * broken in the way it names (a failing law is the test's expectation there).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type ContractDeps, type ProofSystem, standInProofSystem } from '../src/protocol/index.js';
import { seededRandom } from '../src/testing/random.js';
import { checkLaw, type ProofFixture, proofVerifierProperties } from '../src/testing/index.js';
import { groth16ProofSystem, releaseWorkers } from '../src/zk/index.js';
import { describeLaws } from './support/laws.js';

const SEED = 20261201;
const RECORD = [61, 128, 250, 1];
const INPUTS = {
  record: RECORD,
  blinding: 0x5eed_b11d_1e5n,
  salt: 987654321n,
  patientId: 42n,
  timestamp: 1_700_000_000n,
};
const MET = { criteria: [{ field: 0, min: 40, max: 65 }], nonce: 0x5eed_a11c_e0dd_ba11n };
const UNMET = { criteria: [{ field: 1, min: 0, max: 127 }], nonce: 0x0dd_ba11n };

/** Three fixtures: an eligible and an ineligible proof under one key, and an eligible proof under another key. */
async function fixtures(system: ProofSystem, fields: number): Promise<ProofFixture[]> {
  const one = await system.keyGen(fields, { random: seededRandom('zk-laws:one') });
  const two = await system.keyGen(fields, { random: seededRandom('zk-laws:two') });
  const fixture = async (keys: typeof one, requirement: typeof MET, timestamp: bigint) => ({
    verificationKey: keys.verificationKey,
    ...(await system.prove(keys.provingKey, { ...INPUTS, requirement, timestamp })),
  });
  return [
    await fixture(one, MET, INPUTS.timestamp),
    await fixture(one, UNMET, INPUTS.timestamp + 1n),
    await fixture(two, MET, INPUTS.timestamp + 2n),
  ];
}

const standIn = standInProofSystem();
const standInFixtures = await fixtures(standIn, RECORD.length);
const groth16 = groth16ProofSystem(RECORD.length);
const groth16Fixtures = await fixtures(groth16, RECORD.length);

afterAll(async () => {
  await releaseWorkers();
});

describeLaws("the proof-verifier laws hold for the protocol's stand-in", () => proofVerifierProperties(standIn, standInFixtures));
describeLaws("the proof-verifier laws hold for medshare/zk's Groth16 verifier", () =>
  proofVerifierProperties(groth16, groth16Fixtures, { runs: 15 }),
);

describe('the proof-verifier laws catch broken verifiers', () => {
  /** The names of the laws that fail for `deps` over the stand-in's fixtures. */
  const failing = (deps: ContractDeps) =>
    proofVerifierProperties(deps, standInFixtures, { runs: 40 })
      .map((law) => ({ law, result: checkLaw(law, { seed: SEED }) }))
      .filter(({ result }) => !result.passed)
      .map(({ law, result }) => ({ name: law.name, message: result.error ?? '' }));

  it('a verifier that does not check the timestamp signal fails the replaced-signal law', () => {
    const lax: ContractDeps = {
      ...standIn,
      // Checks the proof against the fixture's own timestamp whatever the signals claim.
      verifyProof: (vk, proof, signals) => {
        try {
          standIn.decodePublicSignals(signals);
        } catch {
          return false;
        }
        const match = standInFixtures.find((f) => f.publicSignals.slice(0, 5).every((s, i) => s === signals[i]));
        return match !== undefined && standIn.verifyProof(vk, proof, [...signals.slice(0, 5), match.publicSignals[5] as string]);
      },
    };
    const failed = failing(lax);
    expect(failed.map((f) => f.name)).toEqual([
      'proof verifier: any one public signal replaced by another field element is refused (false, never a throw)',
    ]);
    expect(failed[0]?.message).toMatch(/signal 5 replaced by \d+ still verifies/);
  });

  it('a verifier that throws on a malformed verification key fails the changed-key law', () => {
    const brittle: ContractDeps = {
      ...standIn,
      verifyProof: (vk, proof, signals) => {
        if (!standInFixtures.some((f) => f.verificationKey.every((b, i) => b === vk[i]))) throw new Error('bad key');
        return standIn.verifyProof(vk, proof, signals);
      },
    };
    const failed = failing(brittle);
    expect(failed.map((f) => f.name)).toContain(
      'proof verifier: a verification key with any byte changed is refused (false, never a throw)',
    );
    expect(failed.find((f) => f.name.includes('verification key with any byte'))?.message).toMatch(/threw \(bad key\)/);
  });

  it('a signal decoder that accepts a leading zero fails the malformed-signals law', () => {
    const loose: ContractDeps = {
      ...standIn,
      decodePublicSignals: (signals) =>
        standIn.decodePublicSignals(signals.map((s) => (typeof s === 'string' ? s.replace(/^0+(?=\d)/, '') : s))),
    };
    const failed = failing(loose);
    expect(failed.map((f) => f.name)).toEqual([
      'proof verifier: public-signal lists that are not six canonical decimals below r get false from verifyProof and an Error from decodePublicSignals',
    ]);
  });

  it('an identity map that encodes lone surrogates as U+FFFD fails the identity law (two identities, one ID_p)', () => {
    const replacing: ContractDeps = {
      ...standIn,
      identityToField: (identity) => standIn.identityToField(new TextDecoder().decode(new TextEncoder().encode(identity))),
    };
    const failed = failing(replacing);
    expect(failed.map((f) => f.name)).toEqual([
      'proof verifier: identityToField is deterministic, below r, and never maps two different identities to one value (it may refuse one, with an Error)',
    ]);
    expect(failed[0]?.message).toMatch(/map to the same value/);
  });

  it("medshare's identity maps refuse a lone surrogate (ERR_ARGUMENT_VALUE) instead of hashing U+FFFD's bytes", () => {
    for (const deps of [standIn, groth16]) {
      expect(() => deps.identityToField('patient:\uD800')).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT_VALUE' }));
      expect(deps.identityToField('patient:\uFFFD')).not.toBe(deps.identityToField('patient:?'));
    }
  });

  it('needs at least one fixture', () => {
    expect(() => proofVerifierProperties(standIn, [])).toThrow(RangeError);
  });
});
