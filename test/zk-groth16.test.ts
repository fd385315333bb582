/**
 * Groth16 for the eligibility circuit (paper 4.2.6 step 5-6 and 4.2.7): our single-party
 * setup (ZKPKeyGen) writes keys that snarkjs proves and verifies with, and our TypeScript
 * verifier accepts snarkjs's proofs; soundness checks (any changed public signal, proof
 * element or key fails), the packed 256-byte encoding and hostile decoder inputs.
 */
import * as snarkjs from 'snarkjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Circuit,
  commitRecord,
  decodeProof,
  decodeProofJson,
  decodeVerificationKey,
  encodeProof,
  FIELD_ORDER,
  type Groth16Proof,
  type KeyPair,
  MalformedError,
  PROOF_BYTES,
  prepareVerificationKey,
  type ProofResult,
  prove,
  provingKeyFromZkey,
  releaseWorkers,
  requirementHash,
  verificationKeyFromZkey,
  verify,
  ZkInputError,
} from '../src/zk/index.js';
import { bn254 } from '@noble/curves/bn254.js';
import { forgeProof, setupSecretsFrom } from './support/hostile-zk.js';
import { seededRandom } from '../src/testing/random.js';
import { proofFixture, SHAPE, testCircuit } from './support/zk.js';

const record = [61, 128, 250, 1, 0, 65535, 37, 90];
const inputs = {
  record,
  requirement: {
    criteria: [
      { field: 0, min: 40, max: 65 },
      { field: 2, min: 250, max: 250 },
    ],
    nonce: 0x1badb002n,
  },
  blinding: 5550123n,
  salt: 123456789n,
  patientId: 42n,
  timestamp: 1_700_000_000n,
};

let circuit: Circuit;
let keys: KeyPair;
let other: KeyPair;
let eligible: ProofResult;
let ineligible: ProofResult;

beforeAll(async () => {
  circuit = await testCircuit();
  ({ keys, other, eligible, ineligible } = await proofFixture(inputs, 77n));
});

afterAll(async () => {
  await releaseWorkers();
});

/** Our key after one snarkjs phase-2 contribution by a second party (made once). */
let contribution: Promise<KeyPair> | undefined;
function contributed(): Promise<KeyPair> {
  contribution ??= (async () => {
    const next: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
    await snarkjs.zKey.contribute(keys.provingKey.zkey, next, 'second party', 'some entropy');
    const provingKey = provingKeyFromZkey(circuit, next.data as Uint8Array);
    return { provingKey, verificationKey: verificationKeyFromZkey(provingKey.zkey) };
  })();
  return contribution;
}

describe('our setup and snarkjs interoperate', () => {
  it('a proof of an eligible record verifies with our verifier and with snarkjs, R = 1', async () => {
    expect(eligible.publicSignals[0]).toBe('1');
    expect(verify(keys.verificationKey, eligible.proof, eligible.publicSignals)).toBe(true);
    expect(await snarkjs.groth16.verify(keys.verificationKey as never, eligible.publicSignals, eligible.proof as never)).toBe(
      true,
    );
  });

  it('a proof of an ineligible record verifies too, with R = 0 (R is an output, not an assertion)', async () => {
    expect(ineligible.publicSignals[0]).toBe('0');
    expect(verify(keys.verificationKey, ineligible.proof, ineligible.publicSignals)).toBe(true);
    expect(await snarkjs.groth16.verify(keys.verificationKey as never, ineligible.publicSignals, ineligible.proof as never)).toBe(
      true,
    );
  });

  it('our verification key equals what snarkjs exports from our .zkey', async () => {
    const exported = await snarkjs.zKey.exportVerificationKey(keys.provingKey.zkey);
    const { vk_alphabeta_12: _ignored, ...rest } = exported as Record<string, unknown>;
    expect(rest).toEqual(keys.verificationKey);
  });

  it('key generation is a function of the RandomSource (same seed, same .zkey)', async () => {
    const { zkpKeyGen } = await import('../src/zk/index.js');
    const again = await zkpKeyGen(circuit, { random: seededRandom('zk-keys'), singleThread: true });
    expect(again.provingKey.zkey).toEqual(keys.provingKey.zkey);
  });

  it('key generation runs beside a proof on the shared worker pool without disturbing it', async () => {
    const { zkpKeyGen } = await import('../src/zk/index.js');
    const [result, fresh] = await Promise.all([
      prove(keys.provingKey, inputs),
      zkpKeyGen(circuit, { random: seededRandom('zk-concurrent') }),
    ]);
    expect(verify(keys.verificationKey, result.proof, result.publicSignals)).toBe(true);
    expect(fresh.provingKey.zkey.length).toBe(keys.provingKey.zkey.length);
  });

  it('a snarkjs phase-2 contribution on top of our key still proves and verifies, under a new delta', async () => {
    const { provingKey, verificationKey } = await contributed();
    expect(verificationKey.vk_delta_2).not.toEqual(keys.verificationKey.vk_delta_2);
    const result = await prove(provingKey, inputs);
    expect(verify(verificationKey, result.proof, result.publicSignals)).toBe(true);
    expect(verify(keys.verificationKey, result.proof, result.publicSignals)).toBe(false);
  });
});

describe("the single-party setup's trapdoor survives a phase-2 contribution (issue 10, item 7)", () => {
  // The maker of a zkpKeyGen key knows tau, alpha, beta, gamma, delta. A phase-2 contribution
  // re-randomises delta only; tau, alpha and beta alone suffice to prove anything.
  const signals = () => {
    // R = 1 for a record that meets nothing: a commitment and requirement hash made up outright.
    const requirement = { criteria: [{ field: 0, min: 70, max: 80 }], nonce: 99n };
    return [
      '1',
      '1234567',
      commitRecord(SHAPE, [1, 1, 1, 1, 1, 1, 1, 1], 3n),
      requirementHash(SHAPE, requirement),
      '42',
      '1700000000',
    ].map((x) => x.toString());
  };

  it("the secrets re-derived from the key's seed are the key's: [alpha]_1, [beta]_2, [delta]_2 match", () => {
    const secrets = setupSecretsFrom(seededRandom('zk-keys'));
    const vk = decodeVerificationKey(keys.verificationKey);
    expect(vk.alpha.equals(bn254.G1.Point.BASE.multiply(secrets.alpha))).toBe(true);
    expect(vk.beta.equals(bn254.G2.Point.BASE.multiply(secrets.beta))).toBe(true);
    expect(vk.delta.equals(bn254.G2.Point.BASE.multiply(secrets.delta))).toBe(true);
  });

  it('from tau, alpha, beta alone the maker forges an R = 1 proof that verifies after a contribution (ours and snarkjs)', async () => {
    const { verificationKey } = await contributed();
    const secrets = setupSecretsFrom(seededRandom('zk-keys'));
    const forged = forgeProof(circuit, secrets, verificationKey, signals(), seededRandom('forger'));
    expect(verify(verificationKey, forged, signals())).toBe(true);
    expect(await snarkjs.groth16.verify(verificationKey as never, signals(), forged as never)).toBe(true);
    // and, the contribution aside, under the original key too
    const direct = forgeProof(circuit, secrets, keys.verificationKey, signals(), seededRandom('forger'));
    expect(verify(keys.verificationKey, direct, signals())).toBe(true);
  });

  it('without the trapdoor the same construction fails (secrets of another setup)', async () => {
    const { verificationKey } = await contributed();
    const wrong = setupSecretsFrom(seededRandom('zk-other-keys'));
    const forged = forgeProof(circuit, wrong, verificationKey, signals(), seededRandom('forger'));
    expect(verify(verificationKey, forged, signals())).toBe(false);
  });
});

describe('soundness checks', () => {
  it('property: changing any public signal makes verification fail', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.bigInt({ min: 1n, max: FIELD_ORDER - 1n }), (index, delta) => {
        const signals = [...eligible.publicSignals];
        signals[index] = ((BigInt(signals[index] as string) + delta) % FIELD_ORDER).toString();
        expect(verify(keys.verificationKey, eligible.proof, signals)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('property: a prepared key (e(alpha, beta) precomputed) accepts and rejects exactly as the JSON key', () => {
    const prepared = prepareVerificationKey(keys.verificationKey);
    expect(verify(prepared, eligible.proof, eligible.publicSignals)).toBe(true);
    expect(verify(prepared, ineligible.proof, ineligible.publicSignals)).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.bigInt({ min: 1n, max: FIELD_ORDER - 1n }), (index, delta) => {
        const signals = [...eligible.publicSignals];
        signals[index] = ((BigInt(signals[index] as string) + delta) % FIELD_ORDER).toString();
        expect(verify(prepared, eligible.proof, signals)).toBe(false);
      }),
      { numRuns: 10 },
    );
    expect(verify(prepareVerificationKey(other.verificationKey), eligible.proof, eligible.publicSignals)).toBe(false);
  });

  it('a public signal written as x + r (non-canonical) is rejected, not aliased', () => {
    const signals = [...eligible.publicSignals];
    signals[4] = (BigInt(signals[4] as string) + FIELD_ORDER).toString();
    expect(verify(keys.verificationKey, eligible.proof, signals)).toBe(false);
  });

  it('a proof made with another blinding is about another commitment: it fails against the ledger commitment', async () => {
    const wrong = await prove(keys.provingKey, { ...inputs, blinding: inputs.blinding + 1n });
    expect(wrong.publicSignals[2]).not.toBe(eligible.publicSignals[2]);
    expect(verify(keys.verificationKey, wrong.proof, wrong.publicSignals)).toBe(true); // a valid proof, of another statement
    const againstLedger = [
      ...wrong.publicSignals.slice(0, 2),
      eligible.publicSignals[2] as string,
      ...wrong.publicSignals.slice(3),
    ];
    expect(verify(keys.verificationKey, wrong.proof, againstLedger)).toBe(false);
  });

  it('claiming R = 1 for the ineligible record fails', () => {
    const signals = ['1', ...ineligible.publicSignals.slice(1)];
    expect(verify(keys.verificationKey, ineligible.proof, signals)).toBe(false);
  });

  it('property: replacing any proof element by another valid point makes verification fail', () => {
    const g1 = (k: bigint) => {
      const p = bn254.G1.Point.BASE.multiply(k).toAffine();
      return [p.x.toString(), p.y.toString(), '1'];
    };
    const g2 = (k: bigint) => {
      const p = bn254.G2.Point.BASE.multiply(k).toAffine();
      return [
        [p.x.c0.toString(), p.x.c1.toString()],
        [p.y.c0.toString(), p.y.c1.toString()],
        ['1', '0'],
      ];
    };
    fc.assert(
      fc.property(fc.constantFrom('pi_a', 'pi_b', 'pi_c'), fc.bigInt({ min: 1n, max: FIELD_ORDER - 1n }), (element, k) => {
        const forged = { ...eligible.proof, [element]: element === 'pi_b' ? g2(k) : g1(k) } as Groth16Proof;
        expect(verify(keys.verificationKey, forged, eligible.publicSignals)).toBe(false);
      }),
      { numRuns: 15 },
    );
  });

  it('swapping A and C, or using the ineligible proof for the eligible signals, fails', () => {
    const swapped = { ...eligible.proof, pi_a: eligible.proof.pi_c, pi_c: eligible.proof.pi_a };
    expect(verify(keys.verificationKey, swapped, eligible.publicSignals)).toBe(false);
    expect(verify(keys.verificationKey, ineligible.proof, eligible.publicSignals)).toBe(false);
  });

  it('a proof does not verify under another key pair, in either direction', async () => {
    expect(verify(other.verificationKey, eligible.proof, eligible.publicSignals)).toBe(false);
    const underOther = await prove(other.provingKey, inputs);
    expect(verify(other.verificationKey, underOther.proof, underOther.publicSignals)).toBe(true);
    expect(verify(keys.verificationKey, underOther.proof, underOther.publicSignals)).toBe(false);
  });

  it('property: flipping any bit of the packed proof gives a decode error or a failed verification', () => {
    const packed = encodeProof(eligible.proof);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PROOF_BYTES * 8 - 1 }), (bit) => {
        const bytes = packed.slice();
        bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7));
        let proof: Groth16Proof;
        try {
          proof = decodeProof(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedError);
          return;
        }
        expect(verify(keys.verificationKey, proof, eligible.publicSignals)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});

describe('encodings and hostile inputs', () => {
  it('the packed proof is 256 bytes and round-trips', () => {
    const packed = encodeProof(eligible.proof);
    expect(packed.length).toBe(256);
    const decoded = decodeProof(packed);
    expect(encodeProof(decoded)).toEqual(packed);
    expect(verify(keys.verificationKey, decoded, eligible.publicSignals)).toBe(true);
  });

  it('the verification key is constant-size (about 2.4 KB of JSON)', () => {
    expect(keys.verificationKey.IC.length).toBe(7);
    expect(JSON.stringify(keys.verificationKey).length).toBeLessThan(3000);
  });

  const q = bn254.fields.Fp.ORDER;
  const be = (x: bigint) => {
    const out = new Uint8Array(32);
    for (let i = 31, v = x; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
    return out;
  };
  const hostile: [string, () => Uint8Array][] = [
    ['an empty buffer', () => new Uint8Array(0)],
    ['255 bytes', () => encodeProof(eligible.proof).slice(1)],
    ['257 bytes', () => new Uint8Array([...encodeProof(eligible.proof), 0])],
    ['all zeros (points at infinity)', () => new Uint8Array(256)],
    [
      'A.x = q',
      () => {
        const b = encodeProof(eligible.proof);
        b.set(be(q), 0);
        return b;
      },
    ],
    [
      'A off the curve',
      () => {
        const b = encodeProof(eligible.proof);
        b[63] = (b[63] as number) ^ 1;
        return b;
      },
    ],
    [
      'B off the curve',
      () => {
        const b = encodeProof(eligible.proof);
        b[127] = (b[127] as number) ^ 1;
        return b;
      },
    ],
    ['all 0xff', () => new Uint8Array(256).fill(0xff)],
  ];
  it.each(hostile)('decodeProof rejects %s with MalformedError', (_, make) => {
    expect(() => decodeProof(make())).toThrow(MalformedError);
  });

  it('a B on the curve but outside the prime-order subgroup is rejected (decode: MalformedError, verify: false)', () => {
    const { Fp2 } = bn254.fields;
    // Find x with x^3 + b' a square on the twist (b' = 3 / (9 + u)); such points are almost never in the subgroup.
    const twistB = bn254.G2.Point.CURVE().b;
    let point: { x: ReturnType<typeof Fp2.create>; y: ReturnType<typeof Fp2.create> } | undefined;
    for (let i = 1n; point === undefined; i++) {
      const x = Fp2.create({ c0: i, c1: 1n });
      try {
        const y = Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), twistB));
        if (y !== undefined) point = { x, y };
      } catch {}
    }
    const forged = {
      ...eligible.proof,
      pi_b: [
        [point.x.c0.toString(), point.x.c1.toString()],
        [point.y.c0.toString(), point.y.c1.toString()],
        ['1', '0'],
      ],
    } as Groth16Proof;
    expect(() => decodeProofJson(forged)).toThrow(/subgroup/);
    expect(verify(keys.verificationKey, forged, eligible.publicSignals)).toBe(false);
  });

  it('decodeProof rejects a non-Uint8Array with TypeError', () => {
    expect(() => decodeProof([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('verify returns false for malformed proof JSON and throws only for a malformed call', () => {
    expect(verify(keys.verificationKey, { pi_a: ['1', '2', '1'] }, eligible.publicSignals)).toBe(false);
    expect(verify(keys.verificationKey, null, eligible.publicSignals)).toBe(false);
    expect(verify(keys.verificationKey, eligible.proof, [...eligible.publicSignals.slice(0, 5), 'x'])).toBe(false);
    expect(() => verify(keys.verificationKey, eligible.proof, eligible.publicSignals.slice(1))).toThrow(TypeError);
    expect(() => verify({ ...keys.verificationKey, nPublic: 5 }, eligible.proof, eligible.publicSignals)).toThrow(MalformedError);
  });

  it('an object shaped like a decoded key (ic, alpha) is decoded as JSON, not trusted: MalformedError, not a crash', () => {
    const forged = { ...keys.verificationKey, ic: keys.verificationKey.IC, alpha: keys.verificationKey.vk_alpha_1 };
    expect(verify(forged, eligible.proof, eligible.publicSignals)).toBe(true); // the JSON fields are what count
    const { IC: _ic, ...withoutJson } = forged;
    expect(() => verify(withoutJson, eligible.proof, eligible.publicSignals)).toThrow(MalformedError);
    const copy = { ...prepareVerificationKey(keys.verificationKey) }; // a copy is not the key we decoded
    expect(() => verify(copy, eligible.proof, eligible.publicSignals)).toThrow(MalformedError);
  });

  it('one spelling per value: leading zeros, signs and whitespace in signals or coordinates are refused', () => {
    const signals = [...eligible.publicSignals];
    signals[5] = `0${signals[5]}`;
    expect(verify(keys.verificationKey, eligible.proof, signals)).toBe(false);
    const proof = { ...eligible.proof, pi_a: [`0${eligible.proof.pi_a[0]}`, eligible.proof.pi_a[1], '1'] };
    expect(() => decodeProofJson(proof)).toThrow(MalformedError);
    expect(verify(keys.verificationKey, proof, eligible.publicSignals)).toBe(false);
    const vk = {
      ...keys.verificationKey,
      vk_alpha_1: [` ${keys.verificationKey.vk_alpha_1[0]}`, ...keys.verificationKey.vk_alpha_1.slice(1)],
    };
    expect(() => decodeVerificationKey(vk)).toThrow(MalformedError);
  });

  it('a .zkey with bytes after its last section, a section twice, or the wrong domain is refused', () => {
    const zkey = keys.provingKey.zkey;
    expect(() => provingKeyFromZkey(circuit, new Uint8Array([...zkey, 0]))).toThrow(/after the last section/);
    expect(() => verificationKeyFromZkey(new Uint8Array([...zkey, 0]))).toThrow(MalformedError);
    // Sections: "zkey", version, count, then (id u32, size u64, body) each.
    const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
    const bodies = new Map<number, number>();
    for (let pos = 12, i = 0; i < view.getUint32(8, true); i++) {
      bodies.set(view.getUint32(pos, true), pos + 12);
      pos += 12 + Number(view.getBigUint64(pos + 4, true));
    }
    const wrongDomain = zkey.slice();
    new DataView(wrongDomain.buffer).setUint32((bodies.get(2) as number) + 80, 2 ** 20, true);
    expect(() => provingKeyFromZkey(circuit, wrongDomain)).toThrow(/domain/);
    const section1Twice = zkey.slice();
    new DataView(section1Twice.buffer).setUint32((bodies.get(10) as number) - 12, 1, true); // section 10 renamed 1
    expect(() => provingKeyFromZkey(circuit, section1Twice)).toThrow(/twice/);
  });

  it('decodeVerificationKey rejects a key point off the curve or outside the field', () => {
    const vk = keys.verificationKey;
    const [x, y] = vk.IC[3] as [string, string, string];
    expect(() =>
      decodeVerificationKey({ ...vk, IC: vk.IC.map((p, i) => (i === 3 ? [x, (BigInt(y) + 1n).toString(), '1'] : p)) }),
    ).toThrow(MalformedError);
    expect(() => decodeVerificationKey({ ...vk, vk_alpha_1: [q.toString(), '2', '1'] })).toThrow(MalformedError);
    expect(() => decodeVerificationKey({ ...vk, vk_delta_2: vk.vk_gamma_2.map((c) => [...c].reverse()) })).toThrow(
      MalformedError,
    );
    expect(() => decodeVerificationKey('vk')).toThrow(MalformedError);
  });

  it("provingKeyFromZkey rejects another circuit's or a corrupt .zkey", () => {
    const zkey = keys.provingKey.zkey;
    expect(() => provingKeyFromZkey(circuit, zkey.slice(0, 100))).toThrow(MalformedError);
    const bad = zkey.slice();
    bad[0] = 0;
    expect(() => provingKeyFromZkey(circuit, bad)).toThrow(MalformedError);
    const wrongShape = { ...circuit, header: { ...circuit.header, nVars: circuit.header.nVars + 1 } };
    expect(() => provingKeyFromZkey(wrongShape, zkey)).toThrow(MalformedError);
  });

  it('prove rejects bad inputs with ZkInputError before proving', async () => {
    await expect(prove(keys.provingKey, { ...inputs, record: record.slice(1) })).rejects.toThrow(ZkInputError);
    await expect(prove(keys.provingKey, { ...inputs, record: [70000, ...record.slice(1)] })).rejects.toThrow(ZkInputError);
    expect(SHAPE.fields).toBe(8);
  });
});
