/**
 * Identity-based proxy re-encryption of Green and Ateniese, "Identity-Based Proxy
 * Re-encryption", ACNS 2007 (LNCS 4521), scheme IBP1, mapped to the type-3 pairing of
 * BLS12-381 as in docs/schemes.md section 2. This is medshare's default scheme.
 *
 * Notation: e: G1 x G2 -> GT, g / h the G1 / G2 base points, Z = e(g, h). G1 and G2 are
 * written additively in code, so the paper's R3 = H2(X) / sk_1 is `H2(X) - sk_1` here.
 *
 *   Setup:     s in Fr*;  mpk = h^s in G2.
 *   KeyGen:    sk_ID = H1(ID)^s in G1.
 *   Encrypt:   m in GT, r in Fr*;  C1 = h^r,  C2 = m * e(H1(ID), mpk)^r.
 *   Decrypt:   m = C2 / e(sk_ID, C1).
 *   ReKeyGen:  X random in GT;  (R1, R2) = Encrypt(ID_2, X);  R3 = H2(X) - sk_1.
 *   ReEncrypt: C2' = C2 * e(R3, C1);  output (C1, C2', R1, R2).
 *   Decrypt':  X = R2 / e(sk_2, R1);  m = C2' / e(H2(X), C1).
 *
 * H1: identity -> G1 and H2: GT -> G1 are RFC 9380 hash_to_curve (BLS12381G1_XMD:SHA-256_SSWU_RO_)
 * under distinct domain-separation tags; H2 hashes the canonical 576-byte encoding of X.
 * Records of any size go through the KEM + AEAD of ./kem.ts: m is a fresh random GT element,
 * the record is sealed with ChaCha20-Poly1305 under HKDF(m), and the associated data binds
 * C1 and a scheme tag - the part of the capsule that re-encryption leaves unchanged.
 *
 * Security - exactly what is claimed, and what is not:
 * - Confidentiality: the KEM is IND-CPA under the decisional bilinear Diffie-Hellman (DBDH)
 *   assumption in the random-oracle model (H1, H2 random oracles); Green-Ateniese prove this
 *   for IBP1 on a symmetric pairing, and this type-3 mapping relies on the corresponding
 *   asymmetric DBDH variant (no new proof was written for the mapping). Nothing stronger
 *   (no IND-CCA) is claimed for the capsule.
 * - Integrity: the record is protected by the AEAD - a change to the sealed bytes or to C1
 *   (bound as associated data), or to C2, R1 or R2 (each changes the decapsulated m), makes
 *   decryption throw {@link DecryptionError}. Ciphertexts are not authenticated to a sender (anyone can encrypt
 *   to anyone): sign them with AuthSign (`medshare/sign`) where that matters.
 * - Single-hop, as implemented here: a re-encrypted ciphertext cannot be re-encrypted again
 *   (ReEncrypt throws TypeError).
 *   Unidirectional and non-interactive: ReKeyGen needs only the delegatee's identity.
 * - NOT collusion-resistant: the delegatee opens (R1, R2) to X, so the delegatee together with
 *   the proxy recovers the delegator's key sk_1 = H2(X) - R3. Give re-encryption keys only to
 *   proxies that will not collude with the delegatee (or split them, see ./ga07-verifiable.ts).
 * - A re-encryption key is not per record: a proxy holding rk_{1->2} can transform every
 *   ciphertext ever made for ID_1.
 * - PKG key escrow: whoever holds the master key s derives every identity's key and can
 *   decrypt everything, originals and re-encryptions alike.
 * - Side channels: pure-JavaScript big-integer arithmetic; no constant-time guarantee.
 *
 * Costs, as ratios to one pairing (noble's `pairing` on fresh points; bench/suites/ga07.ts, `npm run bench -- --only ga07`
 * measures them, and medians on a 2-core AMD EPYC were): encrypt to a known identity ~0.9 (one
 * G2 multiplication and two GT exponentiations, one of them drawing the fresh KEM element m;
 * no pairing - e(H1(ID), mpk) is cached - and ~1.8 the first time), decrypt ~0.9, re-encrypt
 * ~0.9, delegatee decrypt ~2 (two pairings and one hash to G1; ~0.9 for later ciphertexts
 * under a re-encryption key already seen, see {@link decapsulate}).
 * @module
 */
import { concatBytes } from '@noble/hashes/utils.js';
import type { NobleGroups } from '../backend/noble.js';
import { nobleBackend } from '../backend/noble.js';
import type { Groups, PairingBackend } from '../backend/types.js';
import { ascalar, randomScalar, utf8 } from '../internal/bls.js';
import { Kind, Reader, SchemeId, Writer } from '../internal/codec.js';
import {
  abytes,
  akind,
  ArgumentTypeError,
  ArgumentValueError,
  DecryptionError,
  EncodingError,
  Field,
  type FieldCheck,
  groupFields,
} from '../internal/errors.js';
import { utf8Encode } from '../internal/text.js';
import { BoundedCache, PerObjectCache } from '../internal/cache.js';
import { identityBytes } from '../internal/identity.js';
import { randomFrom, type RandomOptions, type RandomSource } from '../internal/random.js';
import { open, seal, TAG_BYTES } from './kem.js';
import type { Ciphertext, PreScheme, SetupResult } from './types.js';

/** The scheme name, written into every ga07 object. */
export const NAME = 'ga07';
/** Domain-separation tag of H1: identity -> G1. */
export const H1_DST = 'MEDSHARE-V1-GA07-H1_BLS12381G1_XMD:SHA-256_SSWU_RO_';
/** Domain-separation tag of H2: GT -> G1. */
export const H2_DST = 'MEDSHARE-V1-GA07-H2_BLS12381G1_XMD:SHA-256_SSWU_RO_';
/** Prefix of the AEAD associated data: this tag, then the 96 bytes of C1. */
const BINDING_TAG = 'medshare/v1/ga07/capsule';

/**
 * Public parameters: the PKG's master public key mpk = h^s.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07Params<E extends Groups = NobleGroups> {
  /** Always 'ga07'. */
  readonly scheme: 'ga07';
  /** mpk = h^s in G2. */
  readonly mpk: E['G2'];
}

/** The PKG's master secret s. */
export interface Ga07MasterKey {
  /** Always 'ga07'. */
  readonly scheme: 'ga07';
  /** The master secret s in Fr*. */
  readonly s: bigint;
}

/**
 * An identity's decryption key sk_ID = H1(ID)^s.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07SecretKey<E extends Groups = NobleGroups> {
  /** Always 'ga07'. */
  readonly scheme: 'ga07';
  /** The identity ID the key was issued for. */
  readonly identity: string;
  /** sk_ID = H1(ID)^s in G1. */
  readonly key: E['G1'];
}

/**
 * Re-encryption key rk_{1->2} = (R1, R2, R3): (R1, R2) encrypts a random X to the delegatee,
 * R3 = H2(X) - sk_1. The identities are carried for bookkeeping.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07ReKey<E extends Groups = NobleGroups> {
  /** Always 'ga07'. */
  readonly scheme: 'ga07';
  /** ID_1, whose ciphertexts this key transforms. */
  readonly delegator: string;
  /** ID_2, who can decrypt the results. */
  readonly delegatee: string;
  /** R1 = h^r in G2. */
  readonly R1: E['G2'];
  /** R2 = X * e(H1(ID_2), mpk)^r in GT. */
  readonly R2: E['GT'];
  /** R3 = H2(X) - sk_1 in G1. */
  readonly R3: E['G1'];
}

/**
 * A capsule as Encrypt makes it: (C1, C2) = (h^r, m * e(H1(ID), mpk)^r), for the ciphertext's `recipient`.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07OriginalCapsule<E extends Groups = NobleGroups> {
  /** Always 'original'. */
  readonly form: 'original';
  /** C1 = h^r in G2. */
  readonly C1: E['G2'];
  /** C2 = m * e(H1(ID), mpk)^r in GT. */
  readonly C2: E['GT'];
}

/**
 * A capsule as ReEncrypt makes it: (C1, C2', R1, R2), C2' = C2 * e(R3, C1).
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Ga07ReEncryptedCapsule<E extends Groups = NobleGroups> {
  /** Always 'reEncrypted'. */
  readonly form: 'reEncrypted';
  /**
   * ID_1, the identity the original ciphertext was for (bound by the AEAD's associated data, as
   * in the original); the ciphertext's `recipient` is the delegatee ID_2.
   */
  readonly delegator: string;
  /** C1 = h^r, unchanged by ReEncrypt. */
  readonly C1: E['G2'];
  /** C2' = m * e(H2(X), C1). */
  readonly C2: E['GT'];
  /** R1 of the re-encryption key. */
  readonly R1: E['G2'];
  /** R2 of the re-encryption key. */
  readonly R2: E['GT'];
}

/**
 * The KEM part of a ga07 ciphertext: original, or re-encrypted (single-hop).
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export type Ga07Capsule<E extends Groups = NobleGroups> = Ga07OriginalCapsule<E> | Ga07ReEncryptedCapsule<E>;
/**
 * A ga07 ciphertext: the identity that can decrypt it (`recipient`), the capsule (original or
 * re-encrypted) and the sealed record. The identity the record was encrypted to (the recipient
 * of an original, the `delegator` of a re-encrypted capsule) is bound by the AEAD's associated
 * data, so a relabelled ciphertext does not decrypt.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export type Ga07Ciphertext<E extends Groups = NobleGroups> = Ciphertext<Ga07Capsule<E>>;

/**
 * The ga07 scheme on one pairing backend: the interface every medshare IB-PRE scheme has.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export type Ga07Scheme<E extends Groups = NobleGroups> = PreScheme<
  Ga07Params<E>,
  Ga07MasterKey,
  Ga07SecretKey<E>,
  Ga07ReKey<E>,
  Ga07Capsule<E>
>;

/** The AEAD associated data's identity part and C1 (see `capsuleBinding` in {@link Ga07Core}). */
function binding(encryptedTo: string, C1bytes: Uint8Array): Uint8Array {
  const id = utf8Encode(encryptedTo, 'recipient');
  return concatBytes(utf8(BINDING_TAG), Uint8Array.of(id.length >>> 8, id.length & 0xff), id, C1bytes);
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

// Bounded caches (first in, first out).
const MAX_CACHED = 1024;
const MAX_CACHED_REKEYS = 256;
/** Form tags of a ciphertext encoding (byte after the header). */
const FORM = { original: 1, reEncrypted: 2 } as const;

/**
 * ga07 on one backend: the scheme and the building blocks that the verifiable layer, the tests
 * and the benchmarks use. Not part of the public API; {@link createGa07} gives the scheme.
 */
export interface Ga07Core<E extends Groups> {
  /** The backend everything here computes with. */
  readonly backend: PairingBackend<E>;
  /** The scheme object. */
  readonly scheme: Ga07Scheme<E>;
  /** H1(ID) in G1 (cached per identity). */
  identityPoint(identity: string, name?: string): E['G1'];
  /** H2(X) in G1: hash_to_curve of the canonical bytes of X in GT. */
  hashGt(x: E['GT']): E['G1'];
  /** e(H1(ID), mpk), cached per params object and identity. */
  recipientBase(params: Ga07Params<E>, identity: string, name?: string): E['GT'];
  /** Encrypt's KEM for a given m and r. */
  encapsulate(params: Ga07Params<E>, identity: string, m: E['GT'], r: bigint, name?: string): Ga07OriginalCapsule<E>;
  /** Recovers the encapsulated m. */
  decapsulate(secretKey: Ga07SecretKey<E>, capsule: Ga07Capsule<E>): E['GT'];
  /** The AEAD associated data. */
  capsuleBinding(encryptedTo: string, C1: E['G2']): Uint8Array;
  /** Argument-kind checks. */
  aParams(value: unknown, name?: string): Ga07Params<E>;
  /** Argument-kind check of a master key. */
  aMasterKey(value: unknown, name?: string): Ga07MasterKey;
  /** Argument-kind check of a secret key. */
  aSecretKey(value: unknown, name?: string): Ga07SecretKey<E>;
  /** Argument-kind check of a re-encryption key. */
  aReKey(value: unknown, name?: string): Ga07ReKey<E>;
  /** Argument-kind check of a ciphertext. */
  aCiphertext(value: unknown, name?: string): Ga07Ciphertext<E>;
  /** ReKeyGen with a given source of randomness (arguments already checked). */
  makeReKey(params: Ga07Params<E>, secretKey: Ga07SecretKey<E>, delegatee: string, random: RandomSource): Ga07ReKey<E>;
  /** True iff `secretKey` is the PKG's key for its identity under `params`. */
  verifySecretKey(params: Ga07Params<E>, secretKey: Ga07SecretKey<E>): boolean;
}

const cores = new WeakMap<object, unknown>();

/** ga07 on `backend`, made once per backend object (its caches are the backend's own). */
export function ga07Core<E extends Groups>(backend: PairingBackend<E>): Ga07Core<E> {
  let core = cores.get(backend) as Ga07Core<E> | undefined;
  if (core === undefined) {
    core = makeGa07(backend);
    cores.set(backend, core);
  }
  return core;
}

function makeGa07<E extends Groups>(B: PairingBackend<E>): Ga07Core<E> {
  type G1 = E['G1'];
  type G2 = E['G2'];
  type GT = E['GT'];
  type Params = Ga07Params<E>;
  type SecretKey = Ga07SecretKey<E>;
  type ReKey = Ga07ReKey<E>;
  type Capsule = Ga07Capsule<E>;
  type Ct = Ga07Ciphertext<E>;
  const { G2: G2_, GT: GT_ } = B;

  // ------------------------------------------------------------------ hashes and caches

  // H1(ID) depends on nothing but the identity; bounded cache (first in, first out).
  const identityPoints = new BoundedCache<G1>(MAX_CACHED);

  /** H1(ID) in G1. @throws TypeError / RangeError for a bad identity. */
  function identityPoint(identity: string, name = 'identity'): G1 {
    const bytes = identityBytes(identity, name);
    return identityPoints.get(identity, () => B.hashToG1(H1_DST, bytes));
  }

  /** H2(X) in G1: hash_to_curve of the canonical bytes of X in GT. */
  function hashGt(x: GT): G1 {
    return B.hashToG1(H2_DST, GT_.toBytes(x));
  }

  // e(H1(ID), mpk), fixed per (params, identity): cached so that repeated encryption to one
  // identity needs no hash and no pairing - one G2 multiplication and one GT exponentiation for
  // (C1, C2), plus the GT exponentiation that draws the fresh m. Bounded.
  const recipientCache = new PerObjectCache<Params, GT>(MAX_CACHED);

  /** e(H1(ID), mpk), the recipient's encryption base; cached per params object and identity. */
  function recipientBase(params: Params, identity: string, name = 'identity'): GT {
    return recipientCache.get(params, identity, () => B.pair(identityPoint(identity, name), params.mpk));
  }

  // H2(X) as the delegatee computes it from (R1, R2), per secret key and (R1, R2): every
  // ciphertext re-encrypted under one re-encryption key carries the same (R1, R2), so the
  // delegatee pays the pairing e(sk_2, R1) and the hash once per key. Bounded.
  const delegatedCache = new PerObjectCache<SecretKey, G1>(MAX_CACHED_REKEYS);

  // ------------------------------------------------------------------ KEM

  /** Encrypt's KEM for a given m and r: C1 = h^r, C2 = m * e(H1(ID), mpk)^r. */
  function encapsulate(params: Params, identity: string, m: GT, r: bigint, name = 'identity'): Ga07OriginalCapsule<E> {
    return { form: 'original', C1: G2_.BASE.multiply(r), C2: GT_.mul(m, GT_.pow(recipientBase(params, identity, name), r)) };
  }

  /**
   * Recovers the encapsulated m.
   * Original capsule: m = C2 / e(sk, C1).
   * Re-encrypted capsule: X = R2 / e(sk_2, R1), m = C2' / e(H2(X), C1). H2(X) is remembered per
   * (secret key object, R1, R2), so later ciphertexts from the same re-encryption key cost one pairing.
   * With a wrong key the result is a wrong m, which the AEAD then rejects.
   */
  function decapsulate(secretKey: SecretKey, capsule: Capsule): GT {
    if (capsule.form === 'original') return GT_.div(capsule.C2, B.pair(secretKey.key, capsule.C1));
    if (capsule.form !== 'reEncrypted') throw new ArgumentTypeError('capsule.form', "'original' or 'reEncrypted'");
    const id = hex(capsule.R1.toBytes(true)) + hex(GT_.toBytes(capsule.R2));
    const hx = delegatedCache.get(secretKey, id, () => {
      const x = GT_.div(capsule.R2, B.pair(secretKey.key, capsule.R1)); // X = R2 / e(sk_2, R1)
      return hashGt(x);
    });
    return GT_.div(capsule.C2, B.pair(hx, capsule.C1)); // m = C2' / e(H2(X), C1)
  }

  /**
   * AEAD associated data: the scheme tag, the identity the record was encrypted to (u16 length +
   * UTF-8) and C1 - the parts re-encryption leaves unchanged. Binding the identity makes the
   * ciphertext's label part of what decryption checks: a relabelled ciphertext does not open.
   */
  function capsuleBinding(encryptedTo: string, C1: G2): Uint8Array {
    return binding(encryptedTo, C1.toBytes(true));
  }

  /** The identity a ciphertext was encrypted to: its recipient, or for a re-encrypted one the delegator. */
  function encryptedTo(ciphertext: Ct): string {
    return ciphertext.capsule.form === 'reEncrypted' ? ciphertext.capsule.delegator : ciphertext.recipient;
  }

  // ------------------------------------------------------------------ argument kinds
  // Plain-JavaScript callers can pass any value anywhere: each public function checks that every
  // argument is the kind of object it expects (all ga07 objects share scheme 'ga07', so the fields
  // tell them apart, and group elements must be this backend's) and throws ArgumentTypeError
  // naming the argument, before any arithmetic.

  const { g1: G1_FIELD, g2: G2_FIELD, gt: GT_FIELD } = groupFields(B);

  /** Checks that `value` is ga07 public parameters ({@link Ga07Params}). */
  function aParams(value: unknown, name = 'params'): Params {
    return akind<Params>(value, name, 'ga07 params', NAME, { mpk: G2_FIELD });
  }

  /** Checks that `value` is a ga07 master key with s in [1, r). */
  function aMasterKey(value: unknown, name = 'masterKey'): Ga07MasterKey {
    const k = akind<Ga07MasterKey>(value, name, 'a ga07 master key', NAME, { s: Field.bigint });
    ascalar(k.s, `${name}.s`, true);
    return k;
  }

  /** Checks that `value` is a ga07 secret key ({@link Ga07SecretKey}). */
  function aSecretKey(value: unknown, name = 'secretKey'): SecretKey {
    return akind<SecretKey>(value, name, 'a ga07 secret key', NAME, { identity: Field.string, key: G1_FIELD });
  }

  /** Checks that `value` is a ga07 re-encryption key ({@link Ga07ReKey}). */
  function aReKey(value: unknown, name = 'reKey'): ReKey {
    return akind<ReKey>(value, name, 'a ga07 re-encryption key', NAME, {
      delegator: Field.string,
      delegatee: Field.string,
      R1: G2_FIELD,
      R2: GT_FIELD,
      R3: G1_FIELD,
    });
  }

  const CAPSULE_FIELDS: Record<string, Readonly<Record<string, FieldCheck>>> = {
    original: { C1: G2_FIELD, C2: GT_FIELD },
    reEncrypted: { delegator: Field.string, C1: G2_FIELD, C2: GT_FIELD, R1: G2_FIELD, R2: GT_FIELD },
  };

  /** Checks that `value` is a ga07 ciphertext ({@link Ga07Ciphertext}), original or re-encrypted. */
  function aCiphertext(value: unknown, name = 'ciphertext'): Ct {
    const ct = akind<Ct>(value, name, 'a ga07 ciphertext', NAME, {
      recipient: Field.string,
      capsule: Field.object,
      sealed: Field.bytes,
    });
    const form = (ct.capsule as { form?: unknown }).form;
    const fields = typeof form === 'string' ? CAPSULE_FIELDS[form] : undefined;
    if (fields === undefined) throw new ArgumentTypeError(`${name}.capsule.form`, "'original' or 'reEncrypted'", form);
    for (const [field, [description, test]] of Object.entries(fields)) {
      const v = (ct.capsule as unknown as Record<string, unknown>)[field];
      if (!test(v)) throw new ArgumentTypeError(`${name}.capsule.${field}`, description, v);
    }
    return ct;
  }

  /** ReKeyGen with a given source of randomness: draws X's exponent, then r. Arguments already checked. */
  function makeReKey(params: Params, secretKey: SecretKey, delegatee: string, random: RandomSource): ReKey {
    const x = GT_.pow(GT_.generator(), randomScalar(random)); // X random in GT
    const { C1: R1, C2: R2 } = encapsulate(params, delegatee, x, randomScalar(random), 'delegatee'); // (R1, R2) = Encrypt(ID_2, X)
    const R3 = hashGt(x).subtract(secretKey.key); // R3 = H2(X) / sk_1
    return { scheme: NAME, delegator: secretKey.identity, delegatee, R1, R2, R3 };
  }

  // ------------------------------------------------------------------ the algorithms

  /**
   * Setup: master secret s in Fr*, mpk = h^s.
   * @param options - `random`: source of randomness (default: the platform CSPRNG).
   * @returns the public `params` and the PKG's `masterKey`.
   */
  function setup(options?: RandomOptions): SetupResult<Params, Ga07MasterKey> {
    const s = randomScalar(randomFrom(options));
    return { params: { scheme: NAME, mpk: G2_.BASE.multiply(s) }, masterKey: { scheme: NAME, s } };
  }

  /**
   * KeyGen: sk_ID = H1(ID)^s. Deterministic (the options are accepted for interface
   * compatibility and not used): the same identity always gets the same key.
   * @throws TypeError for wrong argument types; RangeError for a bad identity.
   */
  function keyGen(params: Params, masterKey: Ga07MasterKey, identity: string, _options?: RandomOptions): SecretKey {
    aParams(params);
    const { s } = aMasterKey(masterKey);
    return { scheme: NAME, identity, key: identityPoint(identity).multiply(s) };
  }

  /**
   * Encrypt(ID, record): a fresh random m in GT (exponent drawn first), then r;
   * C1 = h^r, C2 = m * e(H1(ID), mpk)^r; the record is sealed under HKDF(m) with C1 bound.
   * @throws TypeError for wrong argument types; RangeError for a bad identity.
   */
  function encrypt(params: Params, identity: string, record: Uint8Array, options?: RandomOptions): Ct {
    aParams(params);
    identityBytes(identity);
    abytes(record, 'record');
    const random = randomFrom(options);
    const m = GT_.pow(GT_.generator(), randomScalar(random));
    const capsule = encapsulate(params, identity, m, randomScalar(random));
    return {
      scheme: NAME,
      recipient: identity,
      capsule,
      sealed: seal(NAME, GT_.toBytes(m), capsuleBinding(identity, capsule.C1), record),
    };
  }

  /**
   * ReKeyGen(sk_1, ID_2): X random in GT; (R1, R2) = Encrypt(ID_2, X) = (h^r, X * e(H1(ID_2), mpk)^r);
   * R3 = H2(X) - sk_1. Randomness: X's exponent, then r.
   * @throws TypeError for wrong argument types; RangeError for a bad delegatee identity.
   */
  function reKeyGen(params: Params, secretKey: SecretKey, delegatee: string, options?: RandomOptions): ReKey {
    aParams(params);
    const sk = aSecretKey(secretKey);
    identityBytes(delegatee, 'delegatee');
    return makeReKey(params, sk, delegatee, randomFrom(options));
  }

  /**
   * ReEncrypt(rk, C): C2' = C2 * e(R3, C1) - one pairing; C1 and the sealed record pass
   * unchanged, (R1, R2) are attached; the recipient becomes the delegatee.
   * @throws TypeError for wrong argument types, or for a capsule that was already
   * re-encrypted (the scheme is single-hop); RangeError for a ciphertext whose recipient is not the
   * re-encryption key's delegator (it would not decrypt).
   */
  function reEncrypt(params: Params, reKey: ReKey, ciphertext: Ct): Ct {
    aParams(params);
    const rk = aReKey(reKey);
    const ct = aCiphertext(ciphertext);
    const { capsule } = ct;
    if (capsule.form !== 'original')
      throw new ArgumentTypeError('ciphertext', 'an original ciphertext (this one is re-encrypted; ga07 is single-hop)');
    assertRecipient(ct, rk.delegator, 'the re-encryption key');
    const C2 = GT_.mul(capsule.C2, B.pair(rk.R3, capsule.C1)); // C2' = C2 * e(R3, C1)
    return {
      scheme: NAME,
      recipient: rk.delegatee,
      capsule: { form: 'reEncrypted', delegator: ct.recipient, C1: capsule.C1, C2, R1: rk.R1, R2: rk.R2 },
      sealed: ct.sealed,
    };
  }

  /**
   * Decrypt(sk, C) for an original or a re-encrypted ciphertext (see `decapsulate`).
   * @throws DecryptionError when the key is for another identity or C was altered;
   * TypeError for wrong argument types.
   */
  function decrypt(params: Params, secretKey: SecretKey, ciphertext: Ct): Uint8Array {
    aParams(params);
    const sk = aSecretKey(secretKey);
    const ct = aCiphertext(ciphertext);
    assertCapsuleNotDegenerate(ct.capsule);
    if (ct.recipient !== sk.identity) throw new DecryptionError(); // the label is public; its AEAD binding is checked below
    const m = decapsulate(sk, ct.capsule);
    return open(NAME, GT_.toBytes(m), capsuleBinding(encryptedTo(ct), ct.capsule.C1), ct.sealed);
  }

  /**
   * Cheap defence in depth for capsules built in memory rather than decoded: an identity C1 / R1
   * or a zero (or non-cyclotomic) C2 / R2 would make m independent of the key (C2 = 0 gives m = 0
   * for every key, C1 = identity gives m = C2), so a forger could seal a record that opens under
   * every key. Full subgroup membership is left to the decoders.
   */
  function assertCapsuleNotDegenerate(capsule: Capsule): void {
    const points: [string, G2][] = [['C1', capsule.C1]];
    const gts: [string, GT][] = [['C2', capsule.C2]];
    if (capsule.form === 'reEncrypted') {
      points.push(['R1', capsule.R1]);
      gts.push(['R2', capsule.R2]);
    }
    for (const [field, p] of points)
      if (p.is0()) throw new ArgumentValueError(`ciphertext.capsule.${field}`, 'is the identity of G2');
    for (const [field, f] of gts) {
      if (!GT_.isCyclotomic(f)) throw new ArgumentValueError(`ciphertext.capsule.${field}`, 'is not an element of GT');
    }
  }

  /**
   * True iff `secretKey` is the PKG's key for its identity under `params`:
   * e(sk, h) = e(H1(ID), mpk). One product of two pairings.
   */
  function verifySecretKey(params: Params, secretKey: SecretKey): boolean {
    aParams(params);
    const sk = aSecretKey(secretKey);
    const check = B.pairProduct([
      [sk.key, G2_.BASE],
      [identityPoint(sk.identity).negate(), params.mpk],
    ]);
    return GT_.isOne(check);
  }

  // ------------------------------------------------------------------ encodings

  const ID = SchemeId.ga07;
  const writer = (kind: number) => new Writer(B, ID, kind);
  const reader = (bytes: Uint8Array, what: string, kind: number) => new Reader(B, bytes, what, ID, kind);

  function encodeParams(params: Params): Uint8Array {
    const p = aParams(params);
    return writer(Kind.params).g2(p.mpk).finish();
  }

  function decodeParams(bytes: Uint8Array): Params {
    const r = reader(bytes, 'ga07 params', Kind.params);
    const mpk = r.g2('mpk');
    r.end();
    return { scheme: NAME, mpk: mpk.value };
  }

  function encodeMasterKey(masterKey: Ga07MasterKey): Uint8Array {
    const k = aMasterKey(masterKey);
    return writer(Kind.masterKey).scalar(k.s).finish();
  }

  function decodeMasterKey(bytes: Uint8Array): Ga07MasterKey {
    const r = reader(bytes, 'ga07 master key', Kind.masterKey);
    const out: Ga07MasterKey = { scheme: NAME, s: r.scalar('s') };
    r.end();
    return out;
  }

  function encodeSecretKey(secretKey: SecretKey): Uint8Array {
    const k = aSecretKey(secretKey);
    return writer(Kind.secretKey).string(k.identity).g1(k.key).finish();
  }

  /** Field checks only; `verifySecretKey` checks the key against `params`. */
  function decodeSecretKey(bytes: Uint8Array): SecretKey {
    const r = reader(bytes, 'ga07 secret key', Kind.secretKey);
    const identity = r.identity('identity');
    const key = r.g1('key');
    r.end();
    return { scheme: NAME, identity, key: key.value };
  }

  function encodeReKey(reKey: ReKey): Uint8Array {
    const k = aReKey(reKey);
    return writer(Kind.reKey).string(k.delegator).string(k.delegatee).g2(k.R1).gt(k.R2).g1(k.R3).finish();
  }

  function decodeReKey(bytes: Uint8Array): ReKey {
    const r = reader(bytes, 'ga07 re-encryption key', Kind.reKey);
    const delegator = r.identity('delegator');
    const delegatee = r.identity('delegatee');
    const [R1, R2, R3] = [r.g2('R1'), r.gt('R2'), r.g1('R3')];
    r.end();
    return { scheme: NAME, delegator, delegatee, R1: R1.value, R2: R2.value, R3: R3.value };
  }

  /**
   * Layout: header, form (1 original, 2 re-encrypted), recipient (string), for a re-encrypted
   * capsule the delegator (string), C1 (G2), C2 (GT), for a re-encrypted capsule R1 (G2) and
   * R2 (GT), then the sealed record (u32 length + bytes).
   */
  function encodeCiphertext(ciphertext: Ct): Uint8Array {
    const ct = aCiphertext(ciphertext);
    const c = ct.capsule;
    const w = writer(Kind.ciphertext);
    if (c.form === 'original') w.u8(FORM.original).string(ct.recipient, 'recipient').g2(c.C1).gt(c.C2);
    else
      w.u8(FORM.reEncrypted)
        .string(ct.recipient, 'recipient')
        .string(c.delegator, 'delegator')
        .g2(c.C1)
        .gt(c.C2)
        .g2(c.R1)
        .gt(c.R2);
    return w.bytes(ct.sealed).finish();
  }

  function decodeCiphertext(bytes: Uint8Array): Ct {
    const what = 'ga07 ciphertext';
    const r = reader(bytes, what, Kind.ciphertext);
    const form = r.u8('form', FORM.original, FORM.reEncrypted);
    const recipient = r.identity('recipient');
    const delegator = form === FORM.reEncrypted ? r.identity('delegator') : undefined;
    const C1 = r.g2('C1');
    const C2 = r.gt('C2');
    const R = form === FORM.reEncrypted ? ([r.g2('R1'), r.gt('R2')] as const) : undefined;
    const sealed = r.bytes('sealed');
    if (sealed.length < TAG_BYTES)
      throw new EncodingError(what, 'sealed', `shorter than the ${TAG_BYTES}-byte authentication tag`);
    r.end();
    const capsule: Capsule =
      R === undefined || delegator === undefined
        ? { form: 'original', C1: C1.value, C2: C2.value }
        : { form: 'reEncrypted', delegator, C1: C1.value, C2: C2.value, R1: R[0].value, R2: R[1].value };
    return { scheme: NAME, recipient, capsule, sealed };
  }

  const scheme: Ga07Scheme<E> = Object.freeze({
    name: NAME,
    setup,
    keyGen,
    encrypt,
    reKeyGen,
    reEncrypt,
    decrypt,
    encodeParams,
    decodeParams,
    encodeMasterKey,
    decodeMasterKey,
    encodeSecretKey,
    decodeSecretKey,
    encodeReKey,
    decodeReKey,
    encodeCiphertext,
    decodeCiphertext,
  });

  return Object.freeze({
    backend: B,
    scheme,
    identityPoint,
    hashGt,
    recipientBase,
    encapsulate,
    decapsulate,
    capsuleBinding,
    aParams,
    aMasterKey,
    aSecretKey,
    aReKey,
    aCiphertext,
    makeReKey,
    verifySecretKey,
  });
}

/**
 * Refuses a ciphertext that is not for `delegator` (ReEncrypt, and the proxies of
 * ga07Verifiable): the transformed ciphertext would not decrypt, and the AEAD binds the label.
 * @throws ArgumentValueError
 */
export function assertRecipient(ciphertext: { readonly recipient: string }, delegator: string, what: string): void {
  if (ciphertext.recipient !== delegator) {
    throw new ArgumentValueError('ciphertext', `is for another identity than the delegator of ${what}`);
  }
}

// ------------------------------------------------------------------ the default (noble) backend

const noble = /* @__PURE__ */ ga07Core(nobleBackend);

/** H1(ID) in G1 (noble backend). @throws TypeError / RangeError for a bad identity. */
export const identityPoint: (identity: string, name?: string) => NobleGroups['G1'] = noble.identityPoint;
/** H2(X) in G1 (noble backend): hash_to_curve of the canonical bytes of X in GT. */
export const hashGt: (x: NobleGroups['GT']) => NobleGroups['G1'] = noble.hashGt;
/** e(H1(ID), mpk) (noble backend), cached per params object and identity. */
export const recipientBase: Ga07Core<NobleGroups>['recipientBase'] = noble.recipientBase;
/** Encrypt's KEM for a given m and r (noble backend): C1 = h^r, C2 = m * e(H1(ID), mpk)^r. */
export const encapsulate: Ga07Core<NobleGroups>['encapsulate'] = noble.encapsulate;
/** Recovers the encapsulated m (noble backend); see {@link Ga07Core.decapsulate}. */
export const decapsulate: Ga07Core<NobleGroups>['decapsulate'] = noble.decapsulate;
/** AEAD associated data: the scheme tag, the identity encrypted to (u16 length + UTF-8) and C1. */
export const capsuleBinding: Ga07Core<NobleGroups>['capsuleBinding'] = noble.capsuleBinding;
/** Checks that `value` is ga07 public parameters of the noble backend. */
export const aParams: Ga07Core<NobleGroups>['aParams'] = noble.aParams;
/** Checks that `value` is a ga07 secret key of the noble backend. */
export const aSecretKey: Ga07Core<NobleGroups>['aSecretKey'] = noble.aSecretKey;
/** Checks that `value` is a ga07 ciphertext of the noble backend. */
export const aCiphertext: Ga07Core<NobleGroups>['aCiphertext'] = noble.aCiphertext;
/**
 * True iff `secretKey` is the PKG's key for its identity under `params`:
 * e(sk, h) = e(H1(ID), mpk). One product of two pairings. (Noble backend; for another, see
 * `withBackend` in medshare/backend.)
 */
export const verifySecretKey: (params: Ga07Params<NobleGroups>, secretKey: Ga07SecretKey<NobleGroups>) => boolean =
  noble.verifySecretKey;

/**
 * Green-Ateniese IBP1 identity-based proxy re-encryption: IND-CPA (DBDH, random oracles),
 * single-hop, not collusion-resistant, PKG key escrow - see the module documentation.
 * Verifiable and threshold re-encryption: see `ga07Verifiable`. Computes with the default
 * (noble) backend; {@link createGa07} makes the same scheme on another.
 *
 * @example
 * ```ts
 * import { ga07 } from 'medshare/pre';
 * const { params, masterKey } = ga07.setup();
 * const alice = ga07.keyGen(params, masterKey, 'patient:alice');
 * const lab = ga07.keyGen(params, masterKey, 'institute:lab');
 * const stored = ga07.encrypt(params, 'patient:alice', new TextEncoder().encode('{"hba1c": 6.1}'));
 * const shared = ga07.reEncrypt(params, ga07.reKeyGen(params, alice, 'institute:lab'), stored);
 * ga07.decrypt(params, lab, shared); // the record
 * ```
 */
export const ga07: Ga07Scheme = noble.scheme;

/**
 * ga07 on the pairing backend `backend`: the same interface, algorithms and bytes as
 * {@link ga07}, computed by that backend (objects hold its group elements: move them between
 * backends through their encodings). Made once per backend; `withBackend` (medshare/backend)
 * makes every scheme at once.
 *
 * @example
 * ```ts
 * import { createGa07 } from 'medshare/pre';
 * import { mclBackend } from 'medshare/backend/mcl';
 * const fast = createGa07(await mclBackend()); // needs the optional package mcl-wasm
 * ```
 */
export function createGa07<E extends Groups>(backend: PairingBackend<E>): Ga07Scheme<E> {
  return ga07Core(backend).scheme;
}
