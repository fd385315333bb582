/**
 * BLS12-381 on chain (contracts/Bls12381.sol, contracts/AuthSign.sol over EIP-2537) against
 * @noble/curves and medshare/sign, byte for byte: RFC 9380 expand_message_xmd and hash_to_curve,
 * AuthSign's H1 and H3, and verification (valid accepted; forged, cross-identity and malformed
 * refused). A chain without Prague fails closed.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRevert, encodeG1, encodeAuthSignParams, encodeSignature } from '../src/evm/encoding.js';
import type { InProcessChain } from '../src/evm/in-process.js';
import { hashToG1, hashToScalar } from '../src/internal/bls.js';
import { authSign, authVerify, keyGen, setup } from '../src/sign/cha-cheon.js';
import { firstPointOutsideSubgroup } from './support/curves.js';
import { deployHarness, harnessCall, hex, testChain } from './support/evm.js';
import { seededRandom } from '../src/testing/random.js';

const H1_DST = 'MEDSHARE-V1-AUTHSIGN-H1_BLS12381G1_XMD:SHA-256_SSWU_RO_';
const H3_DST = 'MEDSHARE-V1-AUTHSIGN-H3_XMD:SHA-256';
const utf8 = (s: string) => new TextEncoder().encode(s);

let chain: InProcessChain;
let harness: `0x${string}`;
const random = seededRandom('evm-bls');
const { params, masterKey } = setup({ random });
const mpk = hex(encodeAuthSignParams(params));

beforeAll(async () => {
  chain = await testChain();
  harness = await deployHarness(chain);
});

const call = (fn: string, args: readonly unknown[]) => harnessCall(chain, harness, fn, args);

describe('RFC 9380 on chain equals @noble/curves', () => {
  it('expand_message_xmd (SHA-256) for random messages, tags and lengths', async () => {
    // Property: the contract's uniform bytes equal noble's for any msg, DST and len_in_bytes.
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 300 }),
        async (msg, dst, len) => {
          const ours = (await call('expandMessageXmd', [hex(msg), hex(dst), BigInt(len)])) as `0x${string}`;
          expect(ours).toBe(hex(expand_message_xmd(msg, dst, len, sha256)));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('hash_to_curve to G1 for random identities (AuthSign H1)', async () => {
    // Property: H1(ID) computed on chain is noble's hashToCurve(ID) under AuthSign's DST, byte for byte.
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 64, unit: 'binary' }), async (identity) => {
        const id = utf8(identity);
        const ours = (await call('identityPoint', [hex(id)])) as `0x${string}`;
        expect(ours).toBe(hex(encodeG1(hashToG1(H1_DST, id))));
      }),
      { numRuns: 20 },
    );
  });

  it('hash_to_curve under another tag (the RFC 9380 suite with any DST)', async () => {
    const dst = 'QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
    for (const msg of ['', 'abc', 'a'.repeat(512)]) {
      const ours = (await call('hashToG1', [hex(utf8(msg)), hex(utf8(dst))])) as `0x${string}`;
      expect(ours).toBe(hex(encodeG1(bls12_381.G1.hashToCurve(utf8(msg), { DST: dst }) as never)));
    }
  });

  it('H3 = hash_to_field(compressed(U) || m) mod r equals medshare/sign', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: bls12_381.fields.Fr.ORDER - 1n }),
        fc.uint8Array({ maxLength: 120 }),
        async (k, m) => {
          const u = bls12_381.G1.Point.BASE.multiply(k);
          const ours = (await call('challenge', [hex(encodeG1(u)), hex(m)])) as bigint;
          expect(ours).toBe(hashToScalar(H3_DST, u.toBytes(true), m));
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('AuthSign verified on chain equals medshare/sign authVerify', () => {
  const alice = keyGen(params, masterKey, 'patient:alice');
  const bob = keyGen(params, masterKey, 'patient:bob');
  const message = utf8('record commitment 0x12ab');
  const verify = async (identity: string, m: Uint8Array, signature: Uint8Array) =>
    (await call('authVerify', [mpk, hex(utf8(identity)), hex(m), hex(signature)])) as boolean;

  it('accepts valid signatures of random messages, like authVerify', async () => {
    // Property: for random messages, a signature by the identity's key verifies on chain and off chain.
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (m) => {
        const sig = authSign(alice, m, { random });
        expect(authVerify(params, 'patient:alice', m, sig)).toBe(true);
        expect(await verify('patient:alice', m, encodeSignature(sig))).toBe(true);
      }),
      { numRuns: 8 },
    );
  });

  it('refuses a signature under another identity (cross-identity), another message, or another PKG', async () => {
    const sig = encodeSignature(authSign(alice, message, { random }));
    expect(await verify('patient:bob', message, sig)).toBe(false);
    expect(await verify('patient:alice', utf8('another message'), sig)).toBe(false);
    const other = setup({ random: seededRandom('other-pkg') });
    const mallory = keyGen(other.params, other.masterKey, 'patient:alice');
    expect(await verify('patient:alice', message, encodeSignature(authSign(mallory, message, { random })))).toBe(false);
    expect(await verify('patient:bob', message, encodeSignature(authSign(bob, message, { random })))).toBe(true);
  });

  it('refuses forged and malformed signatures, as authVerify does', async () => {
    const good = authSign(alice, message, { random });
    const g = bls12_381.G1.Point.BASE;
    const u = bls12_381.G1.Point.fromBytes(good.subarray(0, 48));
    const v = bls12_381.G1.Point.fromBytes(good.subarray(48));
    const pack = (a: Uint8Array, b: Uint8Array) => Uint8Array.from([...a, ...b]);
    const cases: [string, Uint8Array][] = [
      ['V replaced', pack(encodeG1(u), encodeG1(g))],
      ['U replaced', pack(encodeG1(g), encodeG1(v))],
      ['U at infinity', pack(new Uint8Array(128), encodeG1(v))],
      ['V at infinity', pack(encodeG1(u), new Uint8Array(128))],
      ['short', encodeSignature(good).subarray(0, 255)],
      ['long', pack(encodeSignature(good), new Uint8Array(1))],
      ['empty', new Uint8Array(0)],
    ];
    // U off the curve: y + 1.
    const offCurve = encodeSignature(good);
    offCurve[127] = ((offCurve[127] as number) + 1) & 0xff;
    cases.push(['U off the curve', offCurve]);
    // U not canonical: x + p in the 64-byte field (the precompile refuses it).
    const nonCanonical = encodeSignature(good);
    nonCanonical[15] = 1;
    cases.push(['U with a non-zero padding byte', nonCanonical]);
    // U on the curve but outside the subgroup: a point of the full curve group E(Fp), not of G1.
    cases.push(['U outside the subgroup', pack(encodeG1(torsionPoint()), encodeG1(v))]);
    for (const [name, sig] of cases) {
      expect([name, await verify('patient:alice', message, sig)]).toEqual([name, false]);
    }
    expect(await verify('patient:alice', message, encodeSignature(good))).toBe(true);
  });
});

/** A point of E(Fp) of BLS12-381 G1 outside the order-r subgroup (found by trying x = 1, 2, ...). */
function torsionPoint(): InstanceType<typeof bls12_381.G1.Point> {
  return firstPointOutsideSubgroup(
    bls12_381.fields.Fp,
    bls12_381.G1.Point.CURVE().b,
    (i) => i,
    (a) => bls12_381.G1.Point.fromAffine(a),
  );
}

describe("@ethereumjs/evm's default (noble) precompiles agree", () => {
  it('hash_to_curve and AuthSign verification on a chain with the noble precompiles', async () => {
    const noble = await testChain({ precompiles: 'noble' });
    const address = await deployHarness(noble);
    const id = utf8('patient:alice');
    expect(await harnessCall(noble, address, 'identityPoint', [hex(id)])).toBe(hex(encodeG1(hashToG1(H1_DST, id))));
    const m = utf8('m');
    const sig = encodeSignature(authSign(keyGen(params, masterKey, 'patient:alice'), m, { random }));
    expect(await harnessCall(noble, address, 'authVerify', [mpk, hex(id), hex(m), hex(sig)])).toBe(true);
    expect(await harnessCall(noble, address, 'authVerify', [mpk, hex(utf8('patient:bob')), hex(m), hex(sig)])).toBe(false);
  });
});

describe('fail closed without Prague', () => {
  it('a Cancun chain (no EIP-2537) reverts PrecompileMissing instead of answering', async () => {
    const cancun = await testChain({ hardfork: 'cancun' });
    const address = await deployHarness(cancun);
    const sig = encodeSignature(authSign(keyGen(params, masterKey, 'patient:alice'), utf8('m'), { random }));
    let data: `0x${string}` | undefined;
    try {
      await harnessCall(cancun, address, 'authVerify', [mpk, hex(utf8('patient:alice')), hex(utf8('m')), hex(sig)]);
    } catch (e) {
      data = (e as { data: `0x${string}` }).data;
    }
    expect(data).toBeDefined();
    expect(decodeRevert(data ?? '0x')).toEqual({ kind: 'other', error: 'PrecompileMissing' });
  });
});
