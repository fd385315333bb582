/**
 * The source of randomness every algorithm takes as a parameter.
 *
 * See {@link RandomSource} for exactly where global randomness is still read and which nonces
 * are hedged.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { afunction, ArgumentValueError } from './errors.js';

/**
 * Returns `length` fresh random bytes. Must be cryptographically secure outside tests.
 *
 * Every randomized algorithm of medshare takes an optional RandomSource, and only when
 * the caller gives none does it fall back to the platform CSPRNG (`crypto.getRandomValues`,
 * through @noble/hashes). Its outputs are a function of its arguments and of the bytes it draws
 * from that source, so a seeded source makes every run reproducible. Exactly where global
 * randomness is still read, and why outputs do not depend on it (except in the last case):
 * - @noble/curves blinds fixed-base scalar multiplication: each `G1.Point.BASE.multiply(k)` and
 *   `G2.Point.BASE.multiply(k)` (medshare/pre and medshare/sign: mpk = h^s, C1 = h^r, R1, the
 *   proofs' W = g^w, g^f(i) of the shares, huang2020's keys and capsules) and Ed25519's
 *   base-point multiplication (medshare/pbft's default signatures: key generation and signing)
 *   draws 16 bytes from the platform CSPRNG and computes (k + blind * r) * BASE, which equals
 *   k * BASE because BASE has order r. The results do not depend on those bytes; only the
 *   sequence of operations (the side-channel profile) does. Multiplications of other points are
 *   constant-time without blinding and draw nothing. Loading a curve module also draws 16 bytes
 *   once, to check that the CSPRNG works.
 * - medshare/zk's `prove` (snarkjs) draws the Groth16 blinding scalars r and s from the platform
 *   CSPRNG: proofs differ from run to run by design (they are re-randomised so that they reveal
 *   nothing), and they verify the same.
 * Nothing reads `Math.random` or a clock.
 *
 * Nonces whose repetition would leak a secret (the re-encryption proof's w, AuthSign's r) are
 * hedged: derived from the secret, the statement and fresh bytes of the source (see
 * `hedgedNonce` in ./bls.ts), so that a repeated or weak source repeats nothing across two
 * statements. Other draws are used as they come: a source that repeats its output repeats
 * ciphertexts (the KEM element m and r of encrypt, hence the AEAD key and nonce) and
 * re-encryption keys (X and r of reKeyGen, so two delegatees would share X). Never reuse a
 * seeded source outside tests.
 */
export type RandomSource = (length: number) => Uint8Array;

/** Options accepted by every randomized algorithm. */
export interface RandomOptions {
  /** Source of randomness; defaults to the platform CSPRNG. */
  random?: RandomSource;
}

/** The platform CSPRNG, as a {@link RandomSource}. */
export const systemRandom: RandomSource = (length) => randomBytes(length);

/** Picks the caller's source, or the system CSPRNG; checks that the source returns the bytes asked for. */
export function randomFrom(options: RandomOptions | undefined): RandomSource {
  const source = options?.random === undefined ? systemRandom : afunction<RandomSource>(options.random, 'random');
  return (length) => {
    const out = source(length);
    if (!(out instanceof Uint8Array) || out.length !== length) {
      throw new ArgumentValueError(
        'random',
        `source returned ${out instanceof Uint8Array ? out.length : typeof out} bytes, expected ${length}`,
      );
    }
    return out;
  };
}

/**
 * A deterministic RandomSource: SHA-256 in counter mode, block_i = SHA-256(prefix || u32be(i)),
 * bytes taken in order. For reproducible tests, vectors and demo runs - never for real keys,
 * since anyone who knows the prefix knows every byte.
 */
export function counterModeRandom(prefix: Uint8Array): RandomSource {
  let counter = 0;
  let buffer = new Uint8Array(0);
  return (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (buffer.length === 0) {
        const block = new Uint8Array(prefix.length + 4);
        block.set(prefix);
        new DataView(block.buffer).setUint32(prefix.length, counter++);
        buffer = sha256(block);
      }
      const n = Math.min(buffer.length, length - filled);
      out.set(buffer.subarray(0, n), filled);
      buffer = buffer.subarray(n);
      filled += n;
    }
    return out;
  };
}
