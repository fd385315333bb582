/**
 * The Groth16 verifier on chain (contracts/Groth16.sol over EIP-196/197) against medshare/zk's
 * `verify` on real proofs of the eligibility circuit (test/support/zk.ts): the same accept/refuse
 * decision for valid proofs, changed public signals, aliased signals (x + r), coordinates >= q,
 * points off the curve or outside the subgroup, points at infinity and malformed keys. A
 * re-randomised proof (tA, B/t, C) still verifies: Groth16 proofs are malleable, which is why the
 * contract keys replay protection on the statement (test/evm-contract.test.ts).
 */
import { bn254 } from '@noble/curves/bn254.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProof, encodePublicSignals, encodeVerificationKey } from '../src/evm/encoding.js';
import type { InProcessChain } from '../src/evm/in-process.js';
import { FIELD_ORDER, type Groth16Proof, type KeyPair, type ProofResult, releaseWorkers, verify } from '../src/zk/index.js';
import { deployHarness, harnessCall, hex, testChain } from './support/evm.js';
import { firstPointOutsideSubgroup } from './support/curves.js';
import { proofFixture, SAMPLE_INPUTS } from './support/zk.js';

const Q = bn254.fields.Fp.ORDER;
const R = FIELD_ORDER;

let chain: InProcessChain;
let harness: `0x${string}`;
let keys: KeyPair;
let other: KeyPair;
let key: `0x${string}`;
let eligible: ProofResult;
let ineligible: ProofResult;

beforeAll(async () => {
  chain = await testChain();
  harness = await deployHarness(chain);
  ({ keys, other, eligible, ineligible } = await proofFixture(SAMPLE_INPUTS, 0xb0b_5eed_f00dn));
  key = hex(encodeVerificationKey(keys.verificationKey));
});

afterAll(async () => {
  await releaseWorkers();
});

type Words = readonly bigint[];
const onChain = async (vk: `0x${string}`, proof: Words, signals: Words) =>
  (await harnessCall(chain, harness, 'groth16Verify', [vk, proof, signals])) as boolean;
const words = (p: Groth16Proof) => [...encodeProof(p)];
const signalWords = (s: readonly string[]) => [...encodePublicSignals(s)];

/** Off chain (medshare/zk) and on chain must agree; returns the common answer. */
async function both(proof: Groth16Proof, signals: readonly string[], vk = keys.verificationKey): Promise<boolean> {
  const offChain = verify(vk, proof, signals);
  const chainAnswer = await onChain(hex(encodeVerificationKey(vk)), words(proof), signalWords(signals));
  expect(chainAnswer).toBe(offChain);
  return chainAnswer;
}

describe('valid proofs', () => {
  it('accepts the real proofs medshare/zk accepts (R = 1 and R = 0 are both valid proofs)', async () => {
    expect(eligible.publicSignals[0]).toBe('1');
    expect(ineligible.publicSignals[0]).toBe('0');
    expect(await both(eligible.proof, eligible.publicSignals)).toBe(true);
    expect(await both(ineligible.proof, ineligible.publicSignals)).toBe(true);
    expect(await harnessCall(chain, harness, 'checkKey', [key])).toBe(true);
  });

  it('refuses a proof under another verification key', async () => {
    expect(await both(eligible.proof, eligible.publicSignals, other.verificationKey)).toBe(false);
  });
});

describe('statements', () => {
  it('refuses any changed public signal, like medshare/zk', async () => {
    // Property: changing one signal to another value below r makes both verifiers refuse.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.bigInt({ min: 1n, max: R - 1n }), async (i, delta) => {
        const signals = [...eligible.publicSignals];
        signals[i] = ((BigInt(signals[i] as string) + delta) % R).toString();
        expect(await both(eligible.proof, signals)).toBe(false);
      }),
      { numRuns: 6 },
    );
  });

  it('refuses an aliased signal x + r, which the precompiles alone would accept', async () => {
    for (const i of [1, 2, 5]) {
      const x = BigInt(eligible.publicSignals[i] as string);
      const signals = [...eligible.publicSignals];
      signals[i] = (x + R).toString();
      expect(await both(eligible.proof, signals)).toBe(false);
    }
    // Without the range check the aliased statement would pass: the ecMul precompile works mod r.
    const ecMul = (k: bigint) =>
      chain.call({
        to: '0x0000000000000000000000000000000000000007',
        data: hex(Uint8Array.from(Buffer.from(`${'0'.repeat(63)}1${'0'.repeat(63)}2${k.toString(16).padStart(64, '0')}`, 'hex'))),
      });
    expect((await ecMul(5n + R)).data).toBe((await ecMul(5n)).data);
  });
});

describe('proof points', () => {
  const a = () => words(eligible.proof);

  it('accepts a re-randomised proof (tA, B/t, C) and (-A, -B, C) of the same statement: proofs are malleable', async () => {
    const t = 123456789n;
    const A = bn254.G1.Point.fromAffine({ x: BigInt(eligible.proof.pi_a[0]), y: BigInt(eligible.proof.pi_a[1]) });
    const B = g2(eligible.proof);
    const tInv = bn254.fields.Fr.inv(t);
    const rerandomised = withPoints(eligible.proof, A.multiply(t), B.multiply(tInv));
    expect(await both(rerandomised, eligible.publicSignals)).toBe(true);
    expect(await both(withPoints(eligible.proof, A.negate(), B.negate()), eligible.publicSignals)).toBe(true);
    expect(words(rerandomised)).not.toEqual(a());
  });

  it('refuses coordinates >= q (x + q), as medshare/zk does', async () => {
    for (const i of [0, 1, 2, 3, 6, 7]) {
      const w = a();
      w[i] = (w[i] as bigint) + Q;
      expect(await onChain(key, w, signalWords(eligible.publicSignals))).toBe(false);
    }
  });

  it('refuses points off the curve, B outside the subgroup, and points at infinity', async () => {
    const signals = eligible.publicSignals;
    const offCurve = structuredClone(eligible.proof) as Groth16Proof;
    (offCurve.pi_a as string[])[1] = ((BigInt(offCurve.pi_a[1]) + 1n) % Q).toString();
    expect(await both(offCurve, signals)).toBe(false);
    const offC = structuredClone(eligible.proof) as Groth16Proof;
    (offC.pi_c as string[])[0] = ((BigInt(offC.pi_c[0]) + 1n) % Q).toString();
    expect(await both(offC, signals)).toBe(false);
    const twist = twistPointOutsideSubgroup();
    expect(await both(withPoints(eligible.proof, null, twist), signals)).toBe(false);
    for (const i of [0, 2, 6]) {
      const w = a();
      w[i] = 0n;
      w[i + 1] = 0n;
      if (i === 2) {
        w[4] = 0n;
        w[5] = 0n;
      }
      expect(await onChain(key, w, signalWords(signals))).toBe(false);
    }
  });
});

describe('verification keys', () => {
  it('refuses malformed keys: a wrong length, a coordinate >= q, IC off the curve, a G2 point at infinity', async () => {
    const good = encodeVerificationKey(keys.verificationKey);
    const check = async (bytes: Uint8Array) => (await harnessCall(chain, harness, 'checkKey', [hex(bytes)])) as boolean;
    expect(await check(good)).toBe(true);
    expect(await check(good.subarray(0, 895))).toBe(false);
    const big = good.slice();
    big.set(new Uint8Array(32).fill(0xff), 32 * 20);
    expect(await check(big)).toBe(false);
    const offCurve = good.slice();
    offCurve[32 * 15 - 1] = ((offCurve[32 * 15 - 1] as number) ^ 1) & 0xff; // IC_0.y
    expect(await check(offCurve)).toBe(false);
    const infinity = good.slice();
    infinity.fill(0, 192, 320); // gamma
    expect(await check(infinity)).toBe(false);
    // A G2 point off the curve passes the publication check, and the pairing refuses every proof under it.
    const offTwist = good.slice();
    offTwist[319] = ((offTwist[319] as number) ^ 1) & 0xff; // gamma y.c0
    expect(await check(offTwist)).toBe(true);
    expect(await onChain(hex(offTwist), words(eligible.proof), signalWords(eligible.publicSignals))).toBe(false);
  });
});

function g2(p: Groth16Proof) {
  const [[x0, x1], [y0, y1]] = p.pi_b;
  return bn254.G2.Point.fromAffine({ x: { c0: BigInt(x0), c1: BigInt(x1) }, y: { c0: BigInt(y0), c1: BigInt(y1) } });
}

type Bn254G1 = InstanceType<typeof bn254.G1.Point>;
type Bn254G2 = InstanceType<typeof bn254.G2.Point>;

function withPoints(p: Groth16Proof, a: Bn254G1 | null, b: Bn254G2 | null): Groth16Proof {
  const out = structuredClone(p) as { pi_a: string[]; pi_b: string[][] };
  if (a !== null) {
    const { x, y } = a.toAffine();
    out.pi_a = [x.toString(), y.toString(), '1'];
  }
  if (b !== null) {
    const { x, y } = b.toAffine();
    out.pi_b = [
      [x.c0.toString(), x.c1.toString()],
      [y.c0.toString(), y.c1.toString()],
      ['1', '0'],
    ];
  }
  return out as unknown as Groth16Proof;
}

/** A point on BN254's twist E'(Fp2) outside the order-r subgroup G2 (x = i + u for the first i that works). */
function twistPointOutsideSubgroup(): Bn254G2 {
  const Fp2 = bn254.fields.Fp2;
  return firstPointOutsideSubgroup(
    Fp2,
    bn254.G2.Point.CURVE().b,
    (i) => Fp2.create({ c0: i, c1: 1n }),
    (a) => bn254.G2.Point.fromAffine(a),
  );
}
