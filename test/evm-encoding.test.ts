/**
 * medshare/evm's encoders without a chain: round trips of every encoding (properties), and the
 * typed errors every encoder throws - ArgumentTypeError for a wrong kind of argument,
 * ArgumentValueError for a value out of range, EncodingError naming the object and the field for
 * bytes or snarkjs JSON that do not decode - each with its stable code and a MedshareError.
 */
import { readFileSync } from 'node:fs';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ArgumentTypeError,
  ArgumentValueError,
  approvalId,
  decodeG1,
  decodeG2,
  decodeProof,
  decodeSignature,
  decodeVerificationKey,
  EncodingError,
  encodeAuthSignParams,
  encodeG1,
  encodeG2,
  encodeProof,
  encodePublicSignals,
  encodeSignature,
  encodeVerificationKey,
  DISPUTE_ERRORS,
  evmDeployment,
  isMedshareError,
  medShareAbi,
  REFUSAL_OF_ERROR,
  MedshareError,
  recordId,
  requirementId,
} from 'medshare/evm';
import { deploymentId } from '../src/protocol/transactions.js';
import type { RefusalReason } from '../src/protocol/contract.js';
import { authSign, keyGen, setup } from '../src/sign/index.js';
import { FIELD_ORDER, type Groth16Proof, type VerificationKey } from '../src/zk/index.js';
import { seededRandom } from '../src/testing/random.js';
import { thrown } from './support/thrown.js';

const random = seededRandom('evm-encoding');
/** A real key, proof and signals of the current circuit (the browser example's fixture). */
const fixture = JSON.parse(readFileSync(new URL('../examples/browser/zk-fixture.json', import.meta.url), 'utf8')) as {
  verificationKey: unknown;
  proof: unknown;
  publicSignals: string[];
};
const vk = fixture.verificationKey as unknown as VerificationKey;
const proof = fixture.proof as unknown as Groth16Proof;
const domain = { chainId: 20251, contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const;
const { params, masterKey } = setup({ random });
const alice = keyGen(params, masterKey, 'patient:alice');
const sigma = authSign(alice, new Uint8Array([1, 2, 3]), { random });
const arbScalar = fc.bigInt({ min: 1n, max: bls12_381.fields.Fr.ORDER - 1n });

describe('round trips', () => {
  it('G1 and G2 points (EIP-2537): decode(encode(P)) = P for random points and infinity', () => {
    fc.assert(
      fc.property(arbScalar, (k) => {
        const p1 = bls12_381.G1.Point.BASE.multiply(k);
        const p2 = bls12_381.G2.Point.BASE.multiply(k);
        expect(decodeG1(encodeG1(p1)).equals(p1)).toBe(true);
        expect(decodeG2(encodeG2(p2)).equals(p2)).toBe(true);
      }),
      { numRuns: 20 },
    );
    expect(decodeG1(encodeG1(bls12_381.G1.Point.ZERO)).is0()).toBe(true);
    expect(decodeG2(encodeG2(bls12_381.G2.Point.ZERO)).is0()).toBe(true);
  });

  it('a signature: decodeSignature(encodeSignature(s)) = s (96 <-> 256 bytes)', () => {
    const onChain = encodeSignature(sigma);
    expect(onChain.length).toBe(256);
    expect(decodeSignature(onChain)).toEqual(sigma);
  });

  it('a verification key and a proof: the contract forms give back what went in', () => {
    const key = encodeVerificationKey(vk);
    expect(key.length).toBe(896);
    expect(decodeVerificationKey(key)).toEqual({
      protocol: 'groth16',
      curve: 'bn128',
      nPublic: 6,
      vk_alpha_1: vk.vk_alpha_1,
      vk_beta_2: vk.vk_beta_2,
      vk_gamma_2: vk.vk_gamma_2,
      vk_delta_2: vk.vk_delta_2,
      IC: vk.IC,
    });
    const words = encodeProof(proof);
    expect(encodeProof(decodeProof([...words]))).toEqual(words);
  });

  it('public signals are not reduced: x + r stays x + r (the contract refuses it as malformed)', () => {
    const aliased = fixture.publicSignals.map((s, i) => (i === 1 ? String(BigInt(s) + FIELD_ORDER) : s));
    expect(encodePublicSignals(aliased)[1]).toBe(BigInt(fixture.publicSignals[1] as string) + FIELD_ORDER);
  });
});

describe('contract v2 on the EVM: deployment id and refusals', () => {
  it("evmDeployment is docs/protocol.md's deployment id with the decimal chain id and the lower-case address", () => {
    const id = evmDeployment(20251, domain.contract);
    expect(id).toEqual(deploymentId('20251', domain.contract.toLowerCase()));
    expect(evmDeployment(20251n, domain.contract.toLowerCase() as `0x${string}`)).toEqual(id);
    expect(evmDeployment(20252, domain.contract)).not.toEqual(id);
    expect(evmDeployment(20251, `0x${'11'.repeat(20)}`)).not.toEqual(id);
  });

  it('every error of the ABI is a refusal (one per contract RefusalReason), a dispute-path error, or a chain failure', () => {
    const errors = medShareAbi.filter((item) => item.type === 'error').map((item) => (item as { name: string }).name);
    const refusals = Object.keys(REFUSAL_OF_ERROR);
    expect(errors.filter((e) => !refusals.includes(e) && !(DISPUTE_ERRORS as readonly string[]).includes(e)).sort()).toEqual(
      ['CodeStoreFailed', 'PrecompileMissing'].filter((e) => errors.includes(e)),
    );
    for (const e of refusals) expect(errors).toContain(e);
    // One to one: no two errors stand for one reason; the four off-chain reasons have none.
    const reasons = Object.values(REFUSAL_OF_ERROR) as RefusalReason[];
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const offChain of ['sealedKeyInvalid', 'reEncryptionProofInvalid', 'decryptionFailed', 'recordMismatch'] as const)
      expect(reasons).not.toContain(offChain);
    expect(reasons).toContain('notPseudonym');
    expect(reasons).not.toContain('reservedIdentity' as RefusalReason);
    expect(reasons.length).toBe(33);
  });
});

describe('typed errors with stable codes', () => {
  const g1 = encodeG1(bls12_381.G1.Point.BASE);
  const withByte = (bytes: Uint8Array, at: number, value: number) => {
    const copy = bytes.slice();
    copy[at] = value;
    return copy;
  };
  const noncanonical = { ...vk, vk_alpha_1: [`0${vk.vk_alpha_1[0]}`, vk.vk_alpha_1[1], '1'] } as unknown as VerificationKey;
  const infinityU = encodeSignature(sigma).fill(0, 0, 128);

  type Case = [name: string, run: () => unknown, code: string, fields: Record<string, string>];
  const cases: Case[] = [
    ['decodeG1 of 5 bytes', () => decodeG1(new Uint8Array(5)), 'ERR_ENCODING', { object: 'G1 point', field: '' }],
    ['decodeG1 with a top byte set', () => decodeG1(withByte(g1, 0, 1)), 'ERR_ENCODING', { object: 'G1 point', field: 'x' }],
    [
      'decodeG1 off the curve',
      () => decodeG1(withByte(g1, 127, (g1[127] as number) ^ 1)),
      'ERR_ENCODING',
      { object: 'G1 point' },
    ],
    ['decodeG1 of a string', () => decodeG1('0x00' as unknown as Uint8Array), 'ERR_ARGUMENT_TYPE', { argument: 'G1 point' }],
    ['decodeG2 of 255 bytes', () => decodeG2(new Uint8Array(255)), 'ERR_ENCODING', { object: 'G2 point' }],
    ['encodeSignature of 95 bytes', () => encodeSignature(new Uint8Array(95)), 'ERR_ENCODING', { object: 'AuthSign signature' }],
    [
      'encodeSignature of a bad U',
      () => encodeSignature(withByte(sigma, 0, 0)),
      'ERR_ENCODING',
      { object: 'AuthSign signature', field: 'U' },
    ],
    [
      'decodeSignature with U at infinity',
      () => decodeSignature(infinityU),
      'ERR_ENCODING',
      { object: 'EVM signature', field: 'U' },
    ],
    ['decodeSignature of 257 bytes', () => decodeSignature(new Uint8Array(257)), 'ERR_ENCODING', { object: 'EVM signature' }],
    ['encodeAuthSignParams of another scheme', () => encodeAuthSignParams({ scheme: 'ga07' } as never), 'ERR_ARGUMENT_TYPE', {}],
    [
      'encodeVerificationKey of null',
      () => encodeVerificationKey(null as never),
      'ERR_ARGUMENT_TYPE',
      { argument: 'verificationKey' },
    ],
    [
      'encodeVerificationKey with 5 public signals',
      () => encodeVerificationKey({ ...vk, nPublic: 5 }),
      'ERR_ENCODING',
      { object: 'verificationKey', field: 'nPublic' },
    ],
    [
      'encodeVerificationKey with a leading zero',
      () => encodeVerificationKey(noncanonical),
      'ERR_ENCODING',
      { object: 'verificationKey', field: 'vk_alpha_1[0]' },
    ],
    [
      'decodeVerificationKey of 895 bytes',
      () => decodeVerificationKey(new Uint8Array(895)),
      'ERR_ENCODING',
      { object: 'EVM verification key' },
    ],
    [
      'encodeProof with z = 0',
      () => encodeProof({ ...proof, pi_a: [proof.pi_a[0], proof.pi_a[1], '0'] } as Groth16Proof),
      'ERR_ENCODING',
      { object: 'proof', field: 'pi_a' },
    ],
    ['encodeProof of 255 bytes', () => encodeProof(new Uint8Array(255)), 'ERR_ENCODING', { object: 'proof' }],
    ['encodeProof of a number', () => encodeProof(7 as never), 'ERR_ARGUMENT_TYPE', { argument: 'proof' }],
    ['decodeProof of 7 words', () => decodeProof([1n, 2n, 3n, 4n, 5n, 6n, 7n]), 'ERR_ARGUMENT_TYPE', { argument: 'words' }],
    [
      'decodeProof with a word of 257 bits',
      () => decodeProof([1n << 256n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]),
      'ERR_ARGUMENT_VALUE',
      { argument: 'words[0]' },
    ],
    ['encodePublicSignals of 5', () => encodePublicSignals(['1', '2', '3', '4', '5']), 'ERR_ARGUMENT_TYPE', {}],
    [
      'encodePublicSignals with a leading zero',
      () => encodePublicSignals(['1', '02', '3', '4', '5', '6']),
      'ERR_ENCODING',
      { object: 'publicSignals', field: '[1]' },
    ],
    [
      'encodePublicSignals with 2^256',
      () => encodePublicSignals(['1', '2', '3', '4', '5', String(1n << 256n)]),
      'ERR_ENCODING',
      { object: 'publicSignals', field: '[5]' },
    ],
    [
      'evmDeployment with a negative chain id',
      () => evmDeployment(-1n, domain.contract),
      'ERR_ARGUMENT_VALUE',
      { argument: 'chainId' },
    ],
    ['evmDeployment with a short address', () => evmDeployment(1, '0x1234'), 'ERR_ARGUMENT_VALUE', { argument: 'address' }],
    [
      'evmDeployment with a string chain id',
      () => evmDeployment('1' as never, domain.contract),
      'ERR_ARGUMENT_TYPE',
      { argument: 'chainId' },
    ],
    [
      'recordId with a negative commitment',
      () => recordId('patient:alice', -1n),
      'ERR_ARGUMENT_VALUE',
      { argument: 'commitment' },
    ],
    [
      'requirementId with a negative reward',
      () =>
        requirementId(3, {
          criteriaHash: 1n,
          keywords: [],
          verificationKey: new Uint8Array(896),
          reward: -1,
          capacity: 1,
          exclusive: false,
        }),
      'ERR_ARGUMENT_VALUE',
      { argument: 'fields.reward' },
    ],
    [
      'approvalId of a short id',
      () => approvalId('0x12', `0x${'00'.repeat(32)}`),
      'ERR_ARGUMENT_VALUE',
      { argument: 'requirement' },
    ],
  ];
  const classOf: Record<string, abstract new (...args: never) => Error> = {
    ERR_ARGUMENT_TYPE: ArgumentTypeError,
    ERR_ARGUMENT_VALUE: ArgumentValueError,
    ERR_ENCODING: EncodingError,
  };
  for (const [name, run, code, fields] of cases) {
    it(`${name}: ${code}`, () => {
      const e = thrown(run);
      expect(e).toBeInstanceOf(classOf[code] as unknown as new () => Error);
      expect(e).toBeInstanceOf(code === 'ERR_ARGUMENT_TYPE' ? TypeError : RangeError);
      expect(e).toBeInstanceOf(MedshareError);
      expect(isMedshareError(e)).toBe(true);
      expect(e).toMatchObject({ code, ...fields });
    });
  }
});
