/**
 * Verifiable and threshold re-encryption for ga07 (Green-Ateniese IBP1, ./ga07.ts).
 *
 * This extension is medshare's own construction, built from textbook parts (Shamir secret
 * sharing in the exponent, a Schnorr-style sigma protocol made non-interactive with
 * Fiat-Shamir); it is not part of Green-Ateniese 2007 and has no published proof of its own.
 *
 * 1. Commitment. With the re-encryption key the delegator publishes Y = e(R3, h). Y reveals
 *    e(H2(X), h) = Y * e(H1(ID_1), mpk) but neither R3 nor X.
 * 2. Threshold. R3 is split into n Shamir shares in G1 with threshold t: coefficients
 *    a_j = g^(alpha_j) in G1 (j = 1..t-1, alpha_j random), share_i = R3 + sum_j a_j * i^j, computed
 *    as R3 + g^f(i) with f(i) = sum_j alpha_j i^j. Each share has its commitment
 *    Y_i = e(share_i, h) = Y * Z^f(i). Any t - 1 shares are uniformly random and independent of R3.
 *    n = t = 1 is the plain case: the one share is R3 and Y_1 = Y.
 * 3. Partial re-encryption. Proxy i outputs C2'_i = C2 * e(share_i, C1) (for t = 1 that is the
 *    full re-encryption) and a proof that it used share_i:
 *    knowledge of a G1 element S with e(S, C1) = C2'_i / C2 and e(S, h) = Y_i.
 *      prover:   W = g^w (w hedged: a hash of share_i, the statement and 32 fresh random bytes);
 *                T1 = e(W, C1); T2 = e(W, h) = Z^w;
 *                c = H(statement, T1, T2); response = W + c * share_i.
 *      verifier: T1 = e(response, C1) / (C2'_i / C2)^c; T2 = e(response, h) / Y_i^c;
 *                accept iff c = H(statement, T1, T2).
 *    The proof is (c, response): 32 + 48 bytes. H is RFC 9380 hash_to_field to Fr under
 *    {@link PROOF_DST}; the statement hashed is the delegator, delegatee, t, n, i, R1, R2, Y_i,
 *    C1, C2 and C2'_i (layout in `statement` below). Two accepting transcripts with one (T1, T2)
 *    and different c yield S = (response - response') / (c - c'), so a proof for a wrong C2'_i
 *    passes with probability about 1/r per hash query (random-oracle model); the prover's view
 *    is simulatable, so the proof reveals nothing about share_i beyond Y_i.
 * 4. Combination. Any t verified partials combine by Lagrange interpolation at 0 in the exponent:
 *    C2' = prod_i (C2'_i)^(lambda_i), lambda_i = prod_{j != i} j / (j - i) (the lambda_i sum to 1,
 *    so the C2 factors collapse to one: C2' = C2 * e(R3, C1)). The result is an ordinary ga07
 *    re-encrypted ciphertext (C1, C2', R1, R2). Fewer than t partials determine nothing. Invalid
 *    partials and duplicates are set aside (reported by position: the index an invalid partial
 *    claims is unauthenticated), so neither a liar nor a replay blocks t valid partials.
 * 5. {@link Ga07VerifiableApi.verifyReKeyCommitment | verifyReKeyCommitment} lets the delegatee check, before any proxy works, that the
 *    published commitment really is for R3 = H2(X) - sk_1 with the X inside (R1, R2), and that the
 *    Y_i lie on one polynomial of degree t - 1: then any t verified partials decrypt.
 * Both checks refuse degenerate statements (R2, Y_i, C2, C2'_i outside GT, Y_i = 1, identity R1
 * or C1), which decoded objects never contain but objects built in memory may. docs/security.md
 * gives what each check rules out and what it assumes.
 *
 * What this does not change: collusion. t proxies together hold R3, and t proxies plus the
 * delegatee recover sk_1 (see ./ga07.ts). The threshold raises the number of proxies that
 * must collude from 1 to t. Commitments should be published authenticated (for example signed
 * with AuthSign by the delegator), or a forger could publish a commitment for a key of its own.
 *
 * Costs, as ratios to one pairing (bench/suites/ga07.ts, `npm run bench -- --only ga07`): the partial re-encryption ~0.9 as
 * ReEncrypt; proving ~1.3 more (T1 is a pairing that reuses C1's line precomputes, T2 a GT
 * exponentiation); verifying ~2.6 (two pairings, two GT exponentiations, and the GT membership
 * tests of C2, C2'_i and Y_i, each about a tenth of a pairing; quick run on a loaded 2-core AMD
 * EPYC); combining t partials verifies until t are valid and adds t GT exponentiations.
 * @module
 */
import type { NobleGroups } from '../backend/noble.js';
import { nobleBackend } from '../backend/noble.js';
import type { Groups, PairingBackend } from '../backend/types.js';
import { Fr, hashToScalar, hedgedNonce, randomScalar } from '../internal/bls.js';
import { Kind, Reader, SchemeId, Writer } from '../internal/codec.js';
import {
  ainteger,
  akind,
  ArgumentTypeError,
  ArgumentValueError,
  EncodingError,
  Field,
  groupFields,
  ProofError,
  type RejectedPart,
} from '../internal/errors.js';
import { oncePerObject } from '../internal/cache.js';
import { identityBytes } from '../internal/identity.js';
import { randomFrom, type RandomOptions, type RandomSource } from '../internal/random.js';
import {
  type Ga07Ciphertext as CiphertextOf,
  ga07Core,
  type Ga07Params as ParamsOf,
  type Ga07SecretKey as SecretKeyOf,
  NAME,
} from './ga07.js';

/** Largest number of shares n (indices are one byte). */
export const MAX_SHARES = 255;
/** Domain-separation tag of the Fiat-Shamir challenge. */
export const PROOF_DST = 'MEDSHARE-V1-GA07-REENCRYPTION-PROOF_XMD:SHA-256';
/** Domain-separation tag of the hedged nonce w of the re-encryption proof. */
export const NONCE_DST = 'MEDSHARE-V1-GA07-REENCRYPTION-PROOF-NONCE_XMD:SHA-256';
/** Domain-separation tag of the weights of the commitment consistency check. */
const COMMITMENT_DST = 'MEDSHARE-V1-GA07-COMMITMENT-CHECK_XMD:SHA-256';

/**
 * Who delegates to whom, t of n: the fields that a key share, the commitment and a partial
 * re-encryption all carry, and the first fields of each one's encoding (after the codec header:
 * delegator and delegatee as u16 length + UTF-8, then t and n as one byte each).
 */
export interface Ga07Delegation {
  /** Always 'ga07'. */
  readonly scheme: 'ga07';
  /** ID_1, the delegator. */
  readonly delegator: string;
  /** ID_2, the delegatee. */
  readonly delegatee: string;
  /** t: how many shares it takes to re-encrypt, 1 <= t <= n. */
  readonly threshold: number;
  /** n: how many shares there are, t <= n <= 255. */
  readonly total: number;
}

/**
 * Proxy i's share of a re-encryption key, with its own public commitment Y_i.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07ReKeyShare<E extends Groups = NobleGroups> extends Ga07Delegation {
  /** i in 1..n. */
  readonly index: number;
  /** R1 of the re-encryption key (the same in every share). */
  readonly R1: E['G2'];
  /** R2 of the re-encryption key (the same in every share). */
  readonly R2: E['GT'];
  /** share_i = R3 + sum_j a_j i^j in G1. */
  readonly share: E['G1'];
  /** Y_i = e(share_i, h). */
  readonly Y: E['GT'];
}

/**
 * What the delegator publishes: (R1, R2) and Y_i = e(share_i, h) for i = 1..n (`Y[i - 1]`).
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07ReKeyCommitment<E extends Groups = NobleGroups> extends Ga07Delegation {
  /** R1 of the re-encryption key. */
  readonly R1: E['G2'];
  /** R2 of the re-encryption key. */
  readonly R2: E['GT'];
  /** Y_i = e(share_i, h) for i = 1..n, at index i - 1. */
  readonly Y: readonly E['GT'][];
}

/**
 * A Fiat-Shamir proof (c, response = W + c * share_i).
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07Proof<E extends Groups = NobleGroups> {
  /** c = H(statement, T1, T2) in Fr. */
  readonly challenge: bigint;
  /** response = W + c * share_i in G1 (the Z of the sigma protocol). */
  readonly response: E['G1'];
}

/**
 * Proxy i's output: C2'_i = C2 * e(share_i, C1) and the proof that share_i was used.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07ReEncryptionShare<E extends Groups = NobleGroups> extends Ga07Delegation {
  /** i in 1..n: which share was used. */
  readonly index: number;
  /** C2'_i. */
  readonly C2: E['GT'];
  /** The proof that C2 / C2 of the original = e(share_i, C1) with e(share_i, h) = Y_i. */
  readonly proof: Ga07Proof<E>;
}

/**
 * What {@link Ga07VerifiableApi.reKeyGenShares | reKeyGenShares} returns.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07SharedReKey<E extends Groups = NobleGroups> {
  /** share_1 .. share_n, one per proxy; secret. */
  readonly shares: Ga07ReKeyShare<E>[];
  /** The commitment, for everyone; publish it authenticated. */
  readonly commitment: Ga07ReKeyCommitment<E>;
}

/** Options of {@link Ga07VerifiableApi.reKeyGenShares | reKeyGenShares}. */
export interface ShareOptions extends RandomOptions {
  /** t, 1 <= t <= n (default 1). */
  threshold?: number;
  /** n, t <= n <= 255 (default 1). */
  total?: number;
}

/**
 * What {@link Ga07VerifiableApi.combineReEncryptionSharesDetailed | combineReEncryptionSharesDetailed} returns.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07Combination<E extends Groups = NobleGroups> {
  /** The re-encrypted ciphertext (C1, C2', R1, R2) for the delegatee. */
  readonly ciphertext: CiphertextOf<E>;
  /** Positions (in the array given) of the t partials interpolated, in order. */
  readonly used: readonly number[];
  /**
   * The partials set aside, by position: `invalid` ones (their proof does not verify; the index
   * they claim is unauthenticated) and `duplicate` ones (valid, for an index already used).
   */
  readonly rejected: readonly RejectedPart[];
}

// ------------------------------------------------------------------ helpers

/** Lagrange coefficients at 0 for the distinct nonzero indices `xs`: lambda_i = prod_{j != i} x_j / (x_j - x_i). */
export function lagrangeAtZero(xs: readonly number[]): bigint[] {
  return xs.map((xi, i) => {
    let num = 1n;
    let den = 1n;
    xs.forEach((xj, j) => {
      if (j === i) return;
      num = Fr.mul(num, BigInt(xj));
      den = Fr.mul(den, Fr.sub(BigInt(xj), BigInt(xi)));
    });
    return Fr.div(num, den);
  });
}

/** Lagrange basis at x = k over the points 0, 1, ..., t-1. */
function lagrangeAt(t: number, k: number): bigint[] {
  const out: bigint[] = [];
  for (let j = 0; j < t; j++) {
    let num = 1n;
    let den = 1n;
    for (let m = 0; m < t; m++) {
      if (m === j) continue;
      num = Fr.mul(num, BigInt(k - m));
      den = Fr.mul(den, BigInt(j - m));
    }
    out.push(Fr.div(Fr.create(num), Fr.create(den)));
  }
  return out;
}

/** Writes the delegation's fields, as every layout of this module starts (see {@link Ga07Delegation}). */
function writeDelegation<W extends Writer<Groups>>(w: W, d: Ga07Delegation): W {
  return w.string(d.delegator).string(d.delegatee).u8(d.threshold).u8(d.total);
}

function makeVerifiable<E extends Groups>(B: PairingBackend<E>): VerifiableCore<E> {
  type G1 = E['G1'];
  type G2 = E['G2'];
  type GT = E['GT'];
  type Ga07Params = ParamsOf<E>;
  type Ga07SecretKey = SecretKeyOf<E>;
  type Ga07Ciphertext = CiphertextOf<E>;
  type Ga07ReKeyShare = ShareOf<E>;
  type Ga07ReKeyCommitment = CommitmentOf<E>;
  type Ga07Proof = ProofOf<E>;
  type Ga07ReEncryptionShare = PartialOf<E>;
  type Ga07SharedReKey = SharedReKeyOf<E>;
  type Ga07Combination = CombinationOf<E>;
  const { aCiphertext, aParams, aSecretKey, hashGt, makeReKey, recipientBase } = ga07Core(B);
  const { G1: G1Point, G2: G2Point, pair } = B;
  const { ONE: GT_ONE, div: gtDiv, eq: gtEq, isMember: gtIsMember, isOne: gtIsOne, mul: gtMul, pow: gtPow, generator: Z } = B.GT;

  /** g^k for any k (k = 0 gives the identity). */
  function mulBase(k: bigint): G1 {
    const e = Fr.create(k);
    return e === 0n ? G1Point.ZERO : G1Point.BASE.multiply(e);
  }

  /** The public part of a partial re-encryption's statement (without T1, T2). */
  interface Statement {
    readonly meta: Ga07Delegation & { readonly index: number };
    readonly R1: G2;
    readonly R2: GT;
    readonly Yi: GT;
    readonly C1: G2;
    readonly C2: GT;
    readonly C2i: GT;
  }

  /**
   * The statement's bytes: the codec header (1, 2, 10) then delegator, delegatee (u16 length +
   * UTF-8), t, n, i (one byte each), R1, R2, Y_i, C1, C2, C2'_i (compressed G2 / 576-byte GT).
   */
  function statementWriter(s: Statement): Writer<E> {
    return writeDelegation(new Writer(B, SchemeId.ga07, Kind.reEncryptionShare), s.meta)
      .u8(s.meta.index)
      .g2(s.R1)
      .gt(s.R2)
      .gt(s.Yi)
      .g2(s.C1)
      .gt(s.C2)
      .gt(s.C2i);
  }

  /** The Fiat-Shamir challenge: hash_to_field(PROOF_DST, statement bytes || T1 || T2). */
  function challenge(s: Statement, T1: GT, T2: GT): bigint {
    return hashToScalar(PROOF_DST, statementWriter(s).gt(T1).gt(T2).finish());
  }

  function originalCiphertext(ciphertext: Ga07Ciphertext, name: string) {
    const ct = aCiphertext(ciphertext, name);
    if (ct.capsule.form !== 'original') throw new ArgumentTypeError(name, 'an original (not re-encrypted) ciphertext');
    return { ...ct.capsule, recipient: ct.recipient };
  }

  // ------------------------------------------------------------------ argument kinds (see ./ga07.ts)

  const { g1: G1_FIELD, g2: G2_FIELD, gt: GT_FIELD } = groupFields(B);
  const COUNT_FIELD = Field.integer;
  const META = { delegator: Field.string, delegatee: Field.string, threshold: COUNT_FIELD, total: COUNT_FIELD } as const;

  /** Checks that `value` is a ga07 re-encryption key share ({@link Ga07ReKeyShare}). */
  function aKeyShare(value: unknown, name = 'keyShare'): Ga07ReKeyShare {
    return akind<Ga07ReKeyShare>(value, name, 'a ga07 re-encryption key share', NAME, {
      ...META,
      index: COUNT_FIELD,
      R1: G2_FIELD,
      R2: GT_FIELD,
      share: G1_FIELD,
      Y: GT_FIELD,
    });
  }

  /** Checks that `value` is a ga07 re-encryption key commitment ({@link Ga07ReKeyCommitment}). */
  function aCommitment(value: unknown, name = 'commitment'): Ga07ReKeyCommitment {
    return akind<Ga07ReKeyCommitment>(value, name, 'a ga07 re-encryption key commitment', NAME, {
      ...META,
      R1: G2_FIELD,
      R2: GT_FIELD,
      Y: ['an array of Fp12 elements (GT)', (v) => Array.isArray(v) && v.every(B.GT.is)],
    });
  }

  /** Checks that `value` is a ga07 partial re-encryption ({@link Ga07ReEncryptionShare}). */
  function aPartial(value: unknown, name = 'partial'): Ga07ReEncryptionShare {
    return akind<Ga07ReEncryptionShare>(value, name, 'a ga07 re-encryption share', NAME, {
      ...META,
      index: COUNT_FIELD,
      C2: GT_FIELD,
      proof: [
        'a proof { challenge: bigint, response: G1 point }',
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as Ga07Proof).challenge === 'bigint' &&
          B.G1.is((v as Ga07Proof).response),
      ],
    });
  }

  // ------------------------------------------------------------------ algorithms

  /**
   * ReKeyGen with a commitment, split into n shares of threshold t (default n = t = 1).
   * Randomness: X's exponent, r (as ReKeyGen), then alpha_1..alpha_{t-1}.
   * @returns the n shares (one per proxy, secret) and the commitment (public).
   * @throws TypeError for wrong argument types; RangeError for a bad identity, or unless
   * 1 <= t <= n <= 255.
   */
  function reKeyGenShares(
    params: Ga07Params,
    secretKey: Ga07SecretKey,
    delegatee: string,
    options?: ShareOptions,
  ): Ga07SharedReKey {
    aParams(params);
    const sk = aSecretKey(secretKey);
    identityBytes(delegatee, 'delegatee');
    const total = ainteger(options?.total ?? 1, 'total', 1, MAX_SHARES);
    const threshold = ainteger(options?.threshold ?? 1, 'threshold', 1, total);
    const random = randomFrom(options);
    const { R1, R2, R3 } = makeReKey(params, sk, delegatee, random);
    const alphas: bigint[] = [];
    for (let j = 1; j < threshold; j++) alphas.push(randomScalar(random));
    const Y0 = pair(R3, G2Point.BASE); // Y = e(R3, h)
    const shares: Ga07ReKeyShare[] = [];
    for (let index = 1; index <= total; index++) {
      // f(i) = sum_{j=1}^{t-1} alpha_j i^j
      let f = 0n;
      let power = 1n;
      for (const alpha of alphas) {
        power = Fr.mul(power, BigInt(index));
        f = Fr.add(f, Fr.mul(alpha, power));
      }
      const share = R3.add(mulBase(f)); // share_i = R3 + g^f(i)
      const Y = gtMul(Y0, gtPow(Z(), f)); // Y_i = e(share_i, h) = Y * Z^f(i)
      shares.push({ scheme: NAME, delegator: sk.identity, delegatee, threshold, total, index, R1, R2, share, Y });
    }
    const commitment: Ga07ReKeyCommitment = {
      scheme: NAME,
      delegator: sk.identity,
      delegatee,
      threshold,
      total,
      R1,
      R2,
      Y: shares.map((s) => s.Y),
    };
    return { shares, commitment };
  }

  /**
   * Proxy i re-encrypts with its share and proves it: C2'_i = C2 * e(share_i, C1), proof (c, W + c share_i).
   * Randomness: 32 bytes rho for the hedged nonce w = H(share_i, rho, statement) (see `hedgedNonce`:
   * a repeated source does not repeat w across statements). With t = 1 the output, combined alone,
   * is the full re-encryption.
   * @throws TypeError for wrong argument types or an already re-encrypted ciphertext.
   */
  function reEncryptShare(
    params: Ga07Params,
    keyShare: Ga07ReKeyShare,
    ciphertext: Ga07Ciphertext,
    options?: RandomOptions,
  ): Ga07ReEncryptionShare {
    aParams(params);
    const k = aKeyShare(keyShare);
    const original = originalCiphertext(ciphertext, 'ciphertext');
    if (original.recipient !== k.delegator) {
      throw new ArgumentValueError('ciphertext', 'is for another identity than the delegator of the key share');
    }
    const { C1, C2 } = original;
    const C2i = gtMul(C2, pair(k.share, C1)); // C2'_i = C2 * e(share_i, C1)
    return {
      scheme: NAME,
      delegator: k.delegator,
      delegatee: k.delegatee,
      threshold: k.threshold,
      total: k.total,
      index: k.index,
      C2: C2i,
      proof: proveShare(k, C1, C2, C2i, randomFrom(options)),
    };
  }

  /**
   * The proof half of {@link Ga07VerifiableApi.reEncryptShare | reEncryptShare} (separate so that benchmarks can time it alone):
   * W = g^w, T1 = e(W, C1), T2 = e(W, h) = Z^w, c = H(statement, T1, T2), response = W + c * share_i.
   * Not exported from the public entry.
   */
  function proveShare(k: Ga07ReKeyShare, C1: G2, C2: GT, C2i: GT, random: RandomSource): Ga07Proof {
    const statement: Statement = { meta: k, R1: k.R1, R2: k.R2, Yi: k.Y, C1, C2, C2i };
    // w hedged: H(share_i, rho, statement), so a repeated random source cannot repeat w across
    // two statements (which would give share_i = (z - z') / (c - c')).
    const w = hedgedNonce(NONCE_DST, k.share.toBytes(true), statementWriter(statement).finish(), random);
    const W = G1Point.BASE.multiply(w);
    const T1 = pair(W, C1); // e(W, C1), reusing C1's line precomputes
    const T2 = gtPow(Z(), w); // e(W, h) = Z^w
    const c = challenge(statement, T1, T2);
    const response = c === 0n ? W : W.add(k.share.multiply(c)); // W + c * share_i
    return { challenge: c, response };
  }

  /**
   * Checks proxy i's partial re-encryption of `original` against the published commitment:
   * recomputes T1 = e(response, C1) / (C2'_i / C2)^c and T2 = e(response, h) / Y_i^c and
   * compares c with H(statement, T1, T2).
   * Returns false for any mismatch (other key, other ciphertext, altered C2'_i, bad proof, an
   * original that is not for the commitment's delegator, or a degenerate statement: C2, C2'_i or
   * Y_i outside GT, Y_i = 1, C1 the identity); throws TypeError only for wrong argument kinds.
   * Untrusted bytes must come through the decoders, which check that every element lies in its group.
   */
  function verifyReEncryptionShare(
    params: Ga07Params,
    commitment: Ga07ReKeyCommitment,
    original: Ga07Ciphertext,
    partial: Ga07ReEncryptionShare,
  ): boolean {
    aParams(params);
    const com = aCommitment(commitment);
    const orig = originalCiphertext(original, 'original');
    const p = aPartial(partial);
    return originalFits(com, orig) && partialVerifies(com, orig, p);
  }

  /**
   * The checks of {@link Ga07VerifiableApi.verifyReEncryptionShare | verifyReEncryptionShare} that depend on the
   * original only (done once when combining): it is for the commitment's delegator, C1 is not the
   * identity and C2 lies in GT.
   */
  function originalFits(com: Ga07ReKeyCommitment, orig: { recipient: string; C1: G2; C2: GT }): boolean {
    return orig.recipient === com.delegator && !orig.C1.is0() && gtIsMember(orig.C2);
  }

  /** The per-partial checks, for arguments of the right kinds and an original that {@link originalFits}. */
  function partialVerifies(com: Ga07ReKeyCommitment, orig: { C1: G2; C2: GT }, p: Ga07ReEncryptionShare): boolean {
    const { C1, C2 } = orig;
    if (
      p.delegator !== com.delegator ||
      p.delegatee !== com.delegatee ||
      p.threshold !== com.threshold ||
      p.total !== com.total ||
      p.index < 1 ||
      p.index > com.total
    ) {
      return false;
    }
    const Yi = com.Y[p.index - 1];
    if (Yi === undefined) return false;
    const { challenge: c, response } = p.proof;
    if (c < 0n || c >= Fr.ORDER) return false;
    // The statement "e(S, C1) = D and e(S, h) = Y_i" only binds the prover when D and Y_i lie in
    // GT and C1 is not the identity: with D = 0 (C2'_i = 0) or Y_i = 0 both checks below hold for
    // any response. Decoded objects already satisfy this; objects built in JavaScript may not.
    if (!gtIsMember(p.C2) || !gtIsMember(Yi) || gtIsOne(Yi)) return false;
    const D = gtDiv(p.C2, C2); // C2'_i / C2, which should be e(share_i, C1)
    const T1 = gtDiv(pair(response, C1), gtPow(D, c)); // e(Z, C1) = T1 * D^c
    const T2 = gtDiv(pair(response, G2Point.BASE), gtPow(Yi, c)); // e(Z, h) = T2 * Y_i^c
    return challenge({ meta: p, R1: com.R1, R2: com.R2, Yi, C1, C2, C2i: p.C2 }, T1, T2) === c;
  }

  /**
   * Combines partial re-encryptions into the re-encrypted ciphertext (C1, C2', R1, R2) of
   * `original` for the delegatee: verifies partials in order until t valid ones with distinct
   * indices are found and interpolates them, C2' = prod_i (C2'_i)^(lambda_i). Invalid partials
   * and duplicates (a replayed valid partial) are skipped, so any t valid partials suffice however
   * many bad ones surround them. Partials after the t-th valid one are not verified; to learn
   * which partials were bad, use
   * {@link Ga07VerifiableApi.combineReEncryptionSharesDetailed | combineReEncryptionSharesDetailed}.
   * @throws ProofError when fewer than t partials verify (`rejected` lists the others by
   * position); RangeError for fewer than t partials given or an original that is not for the
   * commitment; TypeError for wrong argument kinds.
   */
  function combineReEncryptionShares(
    params: Ga07Params,
    commitment: Ga07ReKeyCommitment,
    original: Ga07Ciphertext,
    partials: readonly Ga07ReEncryptionShare[],
  ): Ga07Ciphertext {
    return combine(params, commitment, original, partials, false).ciphertext;
  }

  /**
   * As {@link Ga07VerifiableApi.combineReEncryptionShares | combineReEncryptionShares}, but verifies every
   * partial and reports which were used and which were set aside, by their position in
   * `partials`. The index a rejected partial claims is unauthenticated (its proof did not verify):
   * blame the party that signed the partial, not the index (medshare/protocol has proxies sign
   * theirs). A valid partial's index is authenticated by its proof, which binds Y_i.
   * @throws as combineReEncryptionShares
   */
  function combineReEncryptionSharesDetailed(
    params: Ga07Params,
    commitment: Ga07ReKeyCommitment,
    original: Ga07Ciphertext,
    partials: readonly Ga07ReEncryptionShare[],
  ): Ga07Combination {
    return combine(params, commitment, original, partials, true);
  }

  function combine(
    params: Ga07Params,
    commitment: Ga07ReKeyCommitment,
    original: Ga07Ciphertext,
    partials: readonly Ga07ReEncryptionShare[],
    verifyAll: boolean,
  ): Ga07Combination {
    aParams(params);
    const com = aCommitment(commitment);
    const orig = originalCiphertext(original, 'original');
    if (!Array.isArray(partials)) throw new ArgumentTypeError('partials', 'an array', partials);
    for (const [i, partial] of partials.entries()) aPartial(partial, `partials[${i}]`);
    if (partials.length < com.threshold) {
      throw new ArgumentValueError('partials', `${partials.length} given, threshold is ${com.threshold}`);
    }
    if (!originalFits(com, orig)) {
      throw new ArgumentValueError('original', "is not a ciphertext for the commitment's delegator (or is degenerate)");
    }
    const used: number[] = [];
    const rejected: RejectedPart[] = [];
    const indices = new Set<number>();
    for (const [position, p] of partials.entries()) {
      if (used.length === com.threshold && !verifyAll) break;
      const valid = partialVerifies(com, orig, p);
      if (!valid) rejected.push({ position, claimedIndex: p.index, reason: 'invalid' });
      else if (indices.has(p.index)) rejected.push({ position, claimedIndex: p.index, reason: 'duplicate' });
      else if (used.length < com.threshold) {
        used.push(position);
        indices.add(p.index);
      }
      // a valid partial beyond the t used ones is simply not needed
    }
    if (used.length < com.threshold) {
      const invalid = rejected.filter((r) => r.reason === 'invalid');
      const list = invalid.map((r) => `position ${r.position} (claims share ${r.claimedIndex}, unauthenticated)`).join(', ');
      throw new ProofError(
        `ga07 re-encryption shares: ${used.length} of ${partials.length} verify with distinct indices, threshold is ${com.threshold}; ` +
          `not verifying: ${list || 'none (duplicates only)'}`,
        invalid.length === 1 ? invalid[0]?.claimedIndex : undefined,
        rejected,
      );
    }
    const chosen = used.map((position) => partials[position] as Ga07ReEncryptionShare);
    const lambdas = lagrangeAtZero(chosen.map((p) => p.index));
    let C2 = GT_ONE;
    chosen.forEach((p, i) => {
      const lambda = lambdas[i] as bigint;
      C2 = gtMul(C2, lambda === 1n ? p.C2 : gtPow(p.C2, lambda)); // C2' = prod_i C2'_i^lambda_i
    });
    const ciphertext: Ga07Ciphertext = {
      scheme: NAME,
      recipient: com.delegatee,
      capsule: { form: 'reEncrypted', delegator: com.delegator, C1: orig.C1, C2, R1: com.R1, R2: com.R2 },
      sealed: original.sealed,
    };
    return { ciphertext, used, rejected };
  }

  /**
   * The delegatee's check of a published commitment, before relying on it: opens (R1, R2) to
   * X = R2 / e(sk_2, R1), checks Y_0 := e(H2(X), h) / e(H1(ID_1), mpk) (which is e(R3, h) for the
   * honest R3 = H2(X) - sk_1), and checks that (Y_0, Y_1, ..., Y_n) lie on one polynomial of
   * degree t - 1 in the exponent with a random linear combination (weights hashed from the
   * commitment; a wrong commitment passes with probability about 2^-128 per hash query).
   * If it returns true, any t partials that verify against it combine to a ciphertext this
   * delegatee decrypts. Costs two or three pairings and n + 1 GT exponentiations.
   * @returns false when the commitment is not for this key or is inconsistent.
   */
  function verifyReKeyCommitment(params: Ga07Params, secretKey: Ga07SecretKey, commitment: Ga07ReKeyCommitment): boolean {
    aParams(params);
    const sk = aSecretKey(secretKey);
    const com = aCommitment(commitment);
    if (com.delegatee !== sk.identity || com.Y.length !== com.total) return false;
    // Degenerate commitments are refused whatever their origin: R1 the identity (X would be public),
    // R2 or any Y_i outside GT (with every Y_i = 0 the consistency check below reads 0 = 0), or a
    // Y_i = 1 (a zero share, whose partials prove nothing).
    if (com.R1.is0() || !gtIsMember(com.R2)) return false;
    for (const y of com.Y) if (!gtIsMember(y) || gtIsOne(y)) return false;
    const x = gtDiv(com.R2, pair(sk.key, com.R1)); // X = R2 / e(sk_2, R1)
    const Y0 = gtDiv(pair(hashGt(x), G2Point.BASE), recipientBase(params, com.delegator, 'commitment.delegator'));
    // Points (0, Y_0), (1, Y_1), ..., (t-1, Y_{t-1}) define the polynomial; check Y_k for k >= t
    // at once: prod_k Y_k^rho_k = prod_j Y_j^(sum_k rho_k L_j(k)), L_j the Lagrange basis.
    const t = com.threshold;
    if (!(t >= 1 && t <= com.total)) return false;
    const seed = encodeReKeyCommitment(com);
    let lhs = GT_ONE;
    const exps = new Array<bigint>(t).fill(0n); // exponents of Y_0, Y_1, ..., Y_{t-1}
    for (let k = t; k <= com.total; k++) {
      const rho = hashToScalar(COMMITMENT_DST, seed, Uint8Array.of(k)) >> 127n; // a 128-bit weight
      lhs = gtMul(lhs, gtPow(com.Y[k - 1] as GT, rho));
      const basis = lagrangeAt(t, k);
      for (let j = 0; j < t; j++) exps[j] = Fr.add(exps[j] as bigint, Fr.mul(rho, basis[j] as bigint));
    }
    let rhs = gtPow(Y0, exps[0] as bigint);
    for (let j = 1; j < t; j++) rhs = gtMul(rhs, gtPow(com.Y[j - 1] as GT, exps[j] as bigint));
    return gtEq(lhs, rhs);
  }

  // ------------------------------------------------------------------ encodings

  const ID = SchemeId.ga07;

  /**
   * Opens one of the layouts below: the codec header of `kind`, then the delegation's fields
   * (see {@link Ga07Delegation}); returns the reader at the next field.
   */
  function readDelegation(bytes: Uint8Array, what: string, kind: number): { r: Reader<E>; delegation: Ga07Delegation } {
    const r = new Reader(B, bytes, what, ID, kind);
    const delegator = r.identity('delegator');
    const delegatee = r.identity('delegatee');
    const threshold = r.u8('threshold', 1, MAX_SHARES);
    const total = r.u8('total', threshold, MAX_SHARES);
    return { r, delegation: { scheme: NAME, delegator, delegatee, threshold, total } };
  }

  /** Layout: header, delegator, delegatee, t, n, i, R1, R2, share_i, Y_i. */
  function encodeReKeyShare(keyShare: Ga07ReKeyShare): Uint8Array {
    const k = aKeyShare(keyShare);
    return writeDelegation(new Writer(B, ID, Kind.reKeyShare), k)
      .u8(k.index)
      .g2(k.R1)
      .gt(k.R2)
      .g1(k.share)
      .gt(k.Y)
      .finish();
  }

  /** Besides the field checks, checks Y_i = e(share_i, h) (one pairing). */
  function decodeReKeyShare(bytes: Uint8Array): Ga07ReKeyShare {
    const what = 'ga07 re-encryption key share';
    const { r, delegation } = readDelegation(bytes, what, Kind.reKeyShare);
    const index = r.u8('index', 1, delegation.total);
    const [R1, R2, share, Y] = [r.g2('R1'), r.gt('R2'), r.g1('share'), r.gt('Y')];
    r.end();
    const out: Ga07ReKeyShare = {
      ...delegation,
      index,
      R1: R1.value,
      R2: R2.value,
      share: share.value,
      Y: Y.value,
    };
    if (!gtEq(pair(out.share, G2Point.BASE), out.Y)) throw new EncodingError(what, 'Y', 'is not e(share, h)');
    return out;
  }

  /** Layout: header, delegator, delegatee, t, n, R1, R2, Y_1..Y_n. */
  function encodeReKeyCommitment(commitment: Ga07ReKeyCommitment): Uint8Array {
    const c = aCommitment(commitment);
    if (c.Y.length !== c.total) throw new ArgumentValueError('commitment.Y', `${c.Y.length} entries, total is ${c.total}`);
    const w = writeDelegation(new Writer(B, ID, Kind.reKeyCommitment), c)
      .g2(c.R1)
      .gt(c.R2);
    for (const y of c.Y) w.gt(y);
    return w.finish();
  }

  /** Field checks only; {@link Ga07VerifiableApi.verifyReKeyCommitment | verifyReKeyCommitment} is the delegatee's semantic check. */
  function decodeReKeyCommitment(bytes: Uint8Array): Ga07ReKeyCommitment {
    const what = 'ga07 re-encryption key commitment';
    const { r, delegation } = readDelegation(bytes, what, Kind.reKeyCommitment);
    const R1 = r.g2('R1');
    const R2 = r.gt('R2');
    const Y = Array.from({ length: delegation.total }, (_, i) => r.gt(`Y[${i + 1}]`));
    r.end();
    return { ...delegation, R1: R1.value, R2: R2.value, Y: Y.map((y) => y.value) };
  }

  /** Layout: header, delegator, delegatee, t, n, i, C2'_i, c (scalar, may be 0), response (G1). */
  function encodeReEncryptionShare(partial: Ga07ReEncryptionShare): Uint8Array {
    const p = aPartial(partial);
    return writeDelegation(new Writer(B, ID, Kind.reEncryptionShare), p)
      .u8(p.index)
      .gt(p.C2)
      .scalar(p.proof.challenge)
      .g1(p.proof.response)
      .finish();
  }

  function decodeReEncryptionShare(bytes: Uint8Array): Ga07ReEncryptionShare {
    const what = 'ga07 re-encryption share';
    const { r, delegation } = readDelegation(bytes, what, Kind.reEncryptionShare);
    const index = r.u8('index', 1, delegation.total);
    const C2 = r.gt('C2');
    const challenge = r.scalar('challenge', false);
    const response = r.g1('response');
    r.end();
    return {
      ...delegation,
      index,
      C2: C2.value,
      proof: { challenge, response: response.value },
    };
  }

  const api: Ga07VerifiableApi<E> = Object.freeze({
    reKeyGenShares,
    reEncryptShare,
    verifyReEncryptionShare,
    combineReEncryptionShares,
    combineReEncryptionSharesDetailed,
    verifyReKeyCommitment,
    encodeReKeyShare,
    decodeReKeyShare,
    encodeReKeyCommitment,
    decodeReKeyCommitment,
    encodeReEncryptionShare,
    decodeReEncryptionShare,
  });
  return Object.freeze({ api, proveShare });
}

/**
 * The verifiable and threshold re-encryption functions of ga07, as one object.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07VerifiableApi<E extends Groups = NobleGroups> {
  /**
   * ReKeyGen with a commitment, split into n shares of threshold t (default n = t = 1).
   * Randomness: X's exponent, r (as ReKeyGen), then alpha_1..alpha_{t-1}.
   * @returns the n shares (one per proxy, secret) and the commitment (public).
   * @throws TypeError for wrong argument types; RangeError for a bad identity, or unless
   * 1 <= t <= n <= 255.
   */
  reKeyGenShares(params: ParamsOf<E>, secretKey: SecretKeyOf<E>, delegatee: string, options?: ShareOptions): Ga07SharedReKey<E>;
  /**
   * Proxy i re-encrypts with its share and proves it: C2'_i = C2 * e(share_i, C1), proof (c, W + c share_i).
   * Randomness: 32 bytes rho for the hedged nonce w = H(share_i, rho, statement) (see `hedgedNonce`:
   * a repeated source does not repeat w across statements). With t = 1 the output, combined alone,
   * is the full re-encryption.
   * @throws TypeError for wrong argument types or an already re-encrypted ciphertext.
   */
  reEncryptShare(
    params: ParamsOf<E>,
    keyShare: Ga07ReKeyShare<E>,
    ciphertext: CiphertextOf<E>,
    options?: RandomOptions,
  ): Ga07ReEncryptionShare<E>;
  /**
   * Checks proxy i's partial re-encryption of `original` against the published commitment:
   * recomputes T1 = e(response, C1) / (C2'_i / C2)^c and T2 = e(response, h) / Y_i^c and
   * compares c with H(statement, T1, T2).
   * Returns false for any mismatch (other key, other ciphertext, altered C2'_i, bad proof, an
   * original that is not for the commitment's delegator, or a degenerate statement: C2, C2'_i or
   * Y_i outside GT, Y_i = 1, C1 the identity); throws TypeError only for wrong argument kinds.
   * Untrusted bytes must come through the decoders, which check that every element lies in its group.
   */
  verifyReEncryptionShare(
    params: ParamsOf<E>,
    commitment: Ga07ReKeyCommitment<E>,
    original: CiphertextOf<E>,
    partial: Ga07ReEncryptionShare<E>,
  ): boolean;
  /**
   * Combines partial re-encryptions into the re-encrypted ciphertext (C1, C2', R1, R2) of
   * `original` for the delegatee: verifies partials in order until t valid ones with distinct
   * indices are found and interpolates them, C2' = prod_i (C2'_i)^(lambda_i). Invalid partials
   * and duplicates (a replayed valid partial) are skipped, so any t valid partials suffice however
   * many bad ones surround them. Partials after the t-th valid one are not verified; to learn
   * which partials were bad, use
   * {@link Ga07VerifiableApi.combineReEncryptionSharesDetailed | combineReEncryptionSharesDetailed}.
   * @throws ProofError when fewer than t partials verify (`rejected` lists the others by
   * position); RangeError for fewer than t partials given or an original that is not for the
   * commitment; TypeError for wrong argument kinds.
   */
  combineReEncryptionShares(
    params: ParamsOf<E>,
    commitment: Ga07ReKeyCommitment<E>,
    original: CiphertextOf<E>,
    partials: readonly Ga07ReEncryptionShare<E>[],
  ): CiphertextOf<E>;
  /**
   * As {@link Ga07VerifiableApi.combineReEncryptionShares | combineReEncryptionShares}, but verifies every
   * partial and reports which were used and which were set aside, by their position in
   * `partials`. The index a rejected partial claims is unauthenticated (its proof did not verify):
   * blame the party that signed the partial, not the index (medshare/protocol has proxies sign
   * theirs). A valid partial's index is authenticated by its proof, which binds Y_i.
   * @throws as combineReEncryptionShares
   */
  combineReEncryptionSharesDetailed(
    params: ParamsOf<E>,
    commitment: Ga07ReKeyCommitment<E>,
    original: CiphertextOf<E>,
    partials: readonly Ga07ReEncryptionShare<E>[],
  ): Ga07Combination<E>;
  /**
   * The delegatee's check of a published commitment, before relying on it: opens (R1, R2) to
   * X = R2 / e(sk_2, R1), checks Y_0 := e(H2(X), h) / e(H1(ID_1), mpk) (which is e(R3, h) for the
   * honest R3 = H2(X) - sk_1), and checks that (Y_0, Y_1, ..., Y_n) lie on one polynomial of
   * degree t - 1 in the exponent with a random linear combination (weights hashed from the
   * commitment; a wrong commitment passes with probability about 2^-128 per hash query).
   * If it returns true, any t partials that verify against it combine to a ciphertext this
   * delegatee decrypts. Costs two or three pairings and n + 1 GT exponentiations.
   * @returns false when the commitment is not for this key or is inconsistent.
   */
  verifyReKeyCommitment(params: ParamsOf<E>, secretKey: SecretKeyOf<E>, commitment: Ga07ReKeyCommitment<E>): boolean;
  /** Encodes a key share. Layout: header, delegator, delegatee, t, n, i, R1, R2, share_i, Y_i. */
  encodeReKeyShare(keyShare: Ga07ReKeyShare<E>): Uint8Array;
  /** Decodes and validates a key share. Besides the field checks, checks Y_i = e(share_i, h) (one pairing). */
  decodeReKeyShare(bytes: Uint8Array): Ga07ReKeyShare<E>;
  /** Encodes a commitment. Layout: header, delegator, delegatee, t, n, R1, R2, Y_1..Y_n. */
  encodeReKeyCommitment(commitment: Ga07ReKeyCommitment<E>): Uint8Array;
  /** Decodes and validates a commitment. Field checks only; {@link Ga07VerifiableApi.verifyReKeyCommitment | verifyReKeyCommitment} is the delegatee's semantic check. */
  decodeReKeyCommitment(bytes: Uint8Array): Ga07ReKeyCommitment<E>;
  /** Encodes a partial re-encryption with its proof. Layout: header, delegator, delegatee, t, n, i, C2'_i, c (scalar, may be 0), response (G1). */
  encodeReEncryptionShare(partial: Ga07ReEncryptionShare<E>): Uint8Array;
  /** Decodes and validates a partial re-encryption with its proof. */
  decodeReEncryptionShare(bytes: Uint8Array): Ga07ReEncryptionShare<E>;
}

/** ga07's verifiable layer on one backend: the API and the prover alone (for the benchmarks). */
export interface VerifiableCore<E extends Groups> {
  readonly api: Ga07VerifiableApi<E>;
  proveShare(k: Ga07ReKeyShare<E>, C1: E['G2'], C2: E['GT'], C2i: E['GT'], random: RandomSource): Ga07Proof<E>;
}

type ShareOf<E extends Groups> = Ga07ReKeyShare<E>;
type CommitmentOf<E extends Groups> = Ga07ReKeyCommitment<E>;
type ProofOf<E extends Groups> = Ga07Proof<E>;
type PartialOf<E extends Groups> = Ga07ReEncryptionShare<E>;
type SharedReKeyOf<E extends Groups> = Ga07SharedReKey<E>;
type CombinationOf<E extends Groups> = Ga07Combination<E>;

const cores = /* @__PURE__ */ oncePerObject(makeVerifiable);

/** ga07's verifiable layer on `backend`, made once per backend object. */
export function verifiableCore<E extends Groups>(backend: PairingBackend<E>): VerifiableCore<E> {
  return cores(backend);
}

const noble = /* @__PURE__ */ verifiableCore(nobleBackend);

/**
 * The proof half of `reEncryptShare` (noble backend; separate so that benchmarks can time it
 * alone): W = g^w, T1 = e(W, C1), T2 = e(W, h) = Z^w, c = H(statement, T1, T2),
 * response = W + c * share_i. Not exported from the public entry.
 */
export const proveShare: VerifiableCore<NobleGroups>['proveShare'] = noble.proveShare;

/**
 * Verifiable and threshold re-encryption for {@link ga07} (see the module documentation).
 *
 * @example
 * ```ts
 * import { ga07, ga07Verifiable as v } from 'medshare/pre';
 * const { params, masterKey } = ga07.setup();
 * const alice = ga07.keyGen(params, masterKey, 'patient:alice');
 * const lab = ga07.keyGen(params, masterKey, 'institute:lab');
 * const stored = ga07.encrypt(params, 'patient:alice', new TextEncoder().encode('{"hba1c": 6.1}'));
 * const { shares, commitment } = v.reKeyGenShares(params, alice, 'institute:lab', { threshold: 2, total: 3 });
 * v.verifyReKeyCommitment(params, lab, commitment); // true
 * const partials = shares.filter((s) => s.index !== 2).map((s) => v.reEncryptShare(params, s, stored)); // proxies 1 and 3
 * const shared = v.combineReEncryptionShares(params, commitment, stored, partials); // any 2 valid partials; ProofError if fewer verify
 * ga07.decrypt(params, lab, shared); // the record
 * ```
 */
export const ga07Verifiable: Ga07VerifiableApi = noble.api;

/**
 * ga07's verifiable and threshold layer on the pairing backend `backend`: the same functions
 * and bytes as {@link ga07Verifiable}, for objects of `createGa07(backend)`. Made once per
 * backend; `withBackend` (medshare/backend) makes every scheme at once.
 */
export function createGa07Verifiable<E extends Groups>(backend: PairingBackend<E>): Ga07VerifiableApi<E> {
  return verifiableCore(backend).api;
}
