/**
 * What checking a ga07 partial re-encryption on chain would cost (contract v2's `deliver`, issue 12):
 * EIP-2537 answers pairing *checks* but has no GT (Fp12) arithmetic, while verifyReEncryptionShare
 * hashes GT values (T1 = e(Z, C1) / D^c, T2 = e(Z, h) / Y_i^c). contracts/test/GtCost.sol does one
 * Fp multiplication the way a contract would (two MODEXP squarings); this test checks it against
 * bigint arithmetic, measures its gas and that of PAIRING_CHECK, and prints the estimate of the
 * whole check from operation counts (docs/evm.md, "What an EVM cannot do cheaply").
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import fc from 'fast-check';
import { decodeFunctionResult, encodeFunctionData, type Hex } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeG1, encodeG2 } from '../src/evm/encoding.js';
import type { InProcessChain } from '../src/evm/in-process.js';
import { gtCostAbi, gtCostBytecode } from './support/evm-artifacts.js';
import { DEPLOYER, deploy, hex, testChain } from './support/evm.js';

const P = bls12_381.fields.Fp.ORDER;
const split = (x: bigint) => [x >> 256n, x & ((1n << 256n) - 1n)] as const;
const join = ([hi, lo]: readonly [bigint, bigint]) => (hi << 256n) | lo;
const pow = (b: bigint, n: number) => {
  let r = 1n;
  for (let i = 0; i < n; i++) r = (r * b) % P;
  return r;
};

let chain: InProcessChain;
let address: Hex;

beforeAll(async () => {
  chain = await testChain();
  address = await deploy(chain, gtCostAbi, gtCostBytecode);
});

async function mulChain(a: bigint, b: bigint, n: number): Promise<bigint> {
  const data = encodeFunctionData({ abi: gtCostAbi, functionName: 'mulChain', args: [...split(a), ...split(b), BigInt(n)] });
  const result = await chain.call({ to: address, data });
  expect(result.success).toBe(true);
  return join(decodeFunctionResult({ abi: gtCostAbi, functionName: 'mulChain', data: result.data }) as [bigint, bigint]);
}

/** Gas of a transaction calling the harness (execution, intrinsic and call data included). */
async function gasOf(functionName: 'mulChain' | 'pairingCheck', args: readonly unknown[]): Promise<bigint> {
  const data = encodeFunctionData({ abi: gtCostAbi, functionName, args } as never);
  const receipt = await chain.execute(DEPLOYER, { to: address, data, gasLimit: 29_000_000n });
  expect(receipt.success).toBe(true);
  return receipt.gasUsed;
}

describe('the cost of GT arithmetic on an EVM (contract v2 deliver)', () => {
  it('an Fp multiplication in a contract equals a * b^n mod p (edge values and random ones)', async () => {
    // Property: mulChain(a, b, n) = a * b^n mod p for a, b in [0, p).
    const element = fc.oneof(
      fc.constantFrom(0n, 1n, 2n, P - 1n, P - 2n, (P - 1n) / 2n, (P + 1n) / 2n),
      fc.bigInt({ min: 0n, max: P - 1n }),
    );
    await fc.assert(
      fc.asyncProperty(element, element, fc.integer({ min: 0, max: 3 }), async (a, b, n) => {
        expect(await mulChain(a, b, n)).toBe((a * pow(b, n)) % P);
      }),
      { numRuns: 40 },
    );
  });

  it('PAIRING_CHECK answers a yes/no for a product of pairings, never a GT value', async () => {
    const g1 = bls12_381.G1.Point.BASE;
    const g2 = bls12_381.G2.Point.BASE;
    const pair = (p: typeof g1, q: typeof g2) => [...encodeG1(p), ...encodeG2(q)];
    const check = async (input: number[]) => {
      const data = encodeFunctionData({ abi: gtCostAbi, functionName: 'pairingCheck', args: [hex(Uint8Array.from(input))] });
      const result = await chain.call({ to: address, data });
      return decodeFunctionResult({ abi: gtCostAbi, functionName: 'pairingCheck', data: result.data }) as boolean;
    };
    expect(await check([...pair(g1, g2), ...pair(g1.negate(), g2)])).toBe(true);
    expect(await check([...pair(g1, g2), ...pair(g1, g2)])).toBe(false);
  });

  it('measures: gas per Fp multiplication and per pairing check; the estimate for one partial', async () => {
    const a = 0x1234567890abcdefn;
    const b = P - 12345n;
    const base = await gasOf('mulChain', [...split(a), ...split(b), 0n]);
    const n = 200;
    const chained = await gasOf('mulChain', [...split(a), ...split(b), BigInt(n)]);
    const perMul = Number(chained - base) / n;
    const g1 = bls12_381.G1.Point.BASE;
    const g2 = bls12_381.G2.Point.BASE;
    const pairs = (k: number) =>
      hex(Uint8Array.from(Array.from({ length: k }, (_, i) => [...encodeG1(i % 2 ? g1.negate() : g1), ...encodeG2(g2)]).flat()));
    const two = await gasOf('pairingCheck', [pairs(2)]);
    const four = await gasOf('pairingCheck', [pairs(4)]);
    // Operation counts for verifyReEncryptionShare in Fp12 = Fp6[w] = Fp2[v, w] (Karatsuba: an Fp12
    // multiplication is 18 Fp2 = 54 Fp multiplications; a cyclotomic squaring 9 Fp2 squarings, about
    // 18 Fp multiplications): two 255-bit exponentiations (D^c, Y_i^c), two pairings computed to GT
    // values (Miller loop and final exponentiation, about 10,000 Fp multiplications each, a low
    // estimate), and the GT membership of C2'_i (an exponentiation by r). Additions, inversions and
    // memory are left out, so the figure is a lower bound.
    const exponentiation = 255 * 18 + 128 * 54;
    const fpMuls = 3 * exponentiation + 2 * 10_000;
    const estimate = Math.round(fpMuls * perMul);
    console.log(
      [
        `Fp multiplication in a contract (two MODEXP squarings): ${perMul.toFixed(0)} gas`,
        `PAIRING_CHECK in a transaction: 2 pairs ${two} gas, 4 pairs ${four} gas (${four - two} for 2 more pairs with their call data; EIP-2537 prices 32,600 a pair)`,
        `one 255-bit GT exponentiation: ~${exponentiation} Fp multiplications, ~${Math.round((exponentiation * perMul) / 1e6)}M gas`,
        `verifyReEncryptionShare on chain: >= ~${fpMuls} Fp multiplications, >= ~${(estimate / 1e6).toFixed(0)}M gas (a block holds 30M)`,
      ].join('\n'),
    );
    // The bounds the docs state: an Fp multiplication costs hundreds of gas, the estimate is above a 30M block.
    expect(perMul).toBeGreaterThan(400);
    expect(estimate).toBeGreaterThan(30_000_000);
    // EIP-2537: 32,600 per pair, and the call data of two more pairs (768 bytes).
    expect(four - two).toBeGreaterThan(65_200n);
    expect(four - two).toBeLessThan(65_200n + 768n * 16n + 1_000n);
  });
});
