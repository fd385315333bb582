/**
 * Cha-Cheon identity-based signature (PKC 2003) on BLS12-381: the medshare AuthSign.
 * See ./index.ts for the scheme and its security statement.
 * @module
 */
import { concatBytes } from '@noble/hashes/utils.js';
import type { NobleGroups } from '../backend/noble.js';
import { nobleBackend } from '../backend/noble.js';
import type { Groups, PairingBackend } from '../backend/types.js';
import { ascalar, Fr, G1_BYTES, hashToScalar, hedgedNonce, randomScalar } from '../internal/bls.js';
import { decodePoint, Kind, pointEncodingProblem, Reader, SchemeId, Writer } from '../internal/codec.js';
import { abytes, akind, Field, groupFields } from '../internal/errors.js';
import { BoundedCache } from '../internal/cache.js';
import { identityBytes } from '../internal/identity.js';
import { randomFrom, type RandomOptions } from '../internal/random.js';

const NAME = 'authSign';
const H1_DST = 'MEDSHARE-V1-AUTHSIGN-H1_BLS12381G1_XMD:SHA-256_SSWU_RO_';
const H3_DST = 'MEDSHARE-V1-AUTHSIGN-H3_XMD:SHA-256';
/** Domain-separation tag of AuthSign's hedged nonce r. */
export const NONCE_DST = 'MEDSHARE-V1-AUTHSIGN-NONCE_XMD:SHA-256';

/** Length of a signature: U and V, two compressed G1 points. */
export const SIGNATURE_BYTES = 2 * G1_BYTES;

/**
 * Public parameters: the PKG's signing public key mpk = h^s.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface AuthSignParams<E extends Groups = NobleGroups> {
  /** Always 'authSign'. */
  readonly scheme: 'authSign';
  /** mpk = h^s. */
  readonly mpk: E['G2'];
}

/** The PKG's signing master secret s. */
export interface AuthSignMasterKey {
  /** Always 'authSign'. */
  readonly scheme: 'authSign';
  /** s in Fr*. */
  readonly s: bigint;
}

/**
 * An identity's signing key sk = H1'(ID)^s.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface SigningKey<E extends Groups = NobleGroups> {
  /** Always 'authSign'. */
  readonly scheme: 'authSign';
  /** The identity this key signs for. */
  readonly identity: string;
  /** H1'(ID)^s in G1. */
  readonly key: E['G1'];
}

/**
 * What AuthSign's setup returns.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface AuthSignSetup<E extends Groups = NobleGroups> {
  /** Public parameters (mpk), published to every verifier. */
  readonly params: AuthSignParams<E>;
  /** The PKG's master secret. */
  readonly masterKey: AuthSignMasterKey;
}

/**
 * AuthSign on one pairing backend: the functions of medshare/sign as one object. Signatures are
 * bytes, the same under every backend: sign with one, verify with another.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface AuthSignApi<E extends Groups = NobleGroups> {
  /**
   * Setup: master secret s, public key mpk = h^s.
   * @param options - `random`: source of randomness (default: the platform CSPRNG).
   * @returns the public `params` and the PKG's `masterKey`.
   */
  setup(options?: RandomOptions): AuthSignSetup<E>;
  /**
   * KeyGen: sk_ID = H1'(ID)^s. Deterministic: the same identity always gets the same key.
   * @throws TypeError for wrong argument types; RangeError for an empty or over-long identity.
   */
  keyGen(params: AuthSignParams<E>, masterKey: AuthSignMasterKey, identity: string): SigningKey<E>;
  /**
   * AuthSign(SK, m): r hedged, U = Q^r, v = H3(U, m), V = sk^(r+v); returns U || V (96 bytes).
   * r = H(sk, rho, m) with 32 fresh bytes rho (hedged, domain `MEDSHARE-V1-AUTHSIGN-NONCE_XMD:SHA-256`): two
   * signatures on different messages never share r, even from a repeated random source (which
   * would give sk = (V - V') / (v - v')); the same key, message and random bytes give the same
   * signature.
   * @throws TypeError when `message` is not a Uint8Array or the key is not an AuthSign key.
   */
  authSign(signingKey: SigningKey<E>, message: Uint8Array, options?: RandomOptions): Uint8Array;
  /**
   * AuthVerify(PK, ID, m, sigma): checks e(V, h) = e(U * Q^v, mpk) as one pairing product.
   * @returns false for any signature that does not verify, including malformed bytes.
   * @throws TypeError only for caller mistakes (wrong argument types); RangeError for an
   *   invalid identity string.
   */
  authVerify(params: AuthSignParams<E>, identity: string, message: Uint8Array, signature: Uint8Array): boolean;
  /** Encodes the public parameters (header + mpk). */
  encodeParams(params: AuthSignParams<E>): Uint8Array;
  /** Decodes and validates public parameters; RangeError naming the field on bad bytes. */
  decodeParams(bytes: Uint8Array): AuthSignParams<E>;
  /** Encodes the master key (header + s). */
  encodeMasterKey(masterKey: AuthSignMasterKey): Uint8Array;
  /** Decodes and validates a master key. */
  decodeMasterKey(bytes: Uint8Array): AuthSignMasterKey;
  /** Encodes a signing key (header + identity + key). */
  encodeSigningKey(signingKey: SigningKey<E>): Uint8Array;
  /** Decodes and validates a signing key. */
  decodeSigningKey(bytes: Uint8Array): SigningKey<E>;
}

function makeAuthSign<E extends Groups>(B: PairingBackend<E>): AuthSignApi<E> {
  type G1 = E['G1'];
  type Params = AuthSignParams<E>;
  type Key = SigningKey<E>;

  // H1'(ID) is fixed per identity; cached (bounded) since verifiers see the same signers often.
  const identityPoints = new BoundedCache<G1>(1024);
  function identityPoint(identity: string, name = 'identity'): G1 {
    const bytes = identityBytes(identity, name);
    return identityPoints.get(identity, () => B.hashToG1(H1_DST, bytes));
  }

  function setup(options?: RandomOptions): AuthSignSetup<E> {
    const s = randomScalar(randomFrom(options));
    return { params: { scheme: NAME, mpk: B.G2.BASE.multiply(s) }, masterKey: { scheme: NAME, s } };
  }

  function keyGen(params: Params, masterKey: AuthSignMasterKey, identity: string): Key {
    aParams(params);
    const { s } = aMasterKey(masterKey);
    return { scheme: NAME, identity, key: identityPoint(identity).multiply(s) };
  }

  function authSign(signingKey: Key, message: Uint8Array, options?: RandomOptions): Uint8Array {
    const sk = aSigningKey(signingKey);
    abytes(message, 'message');
    const q = identityPoint(sk.identity, 'signingKey.identity');
    const random = randomFrom(options);
    const secret = sk.key.toBytes(true);
    for (let attempt = 0; ; attempt++) {
      // attempt > 0 only when r + v = 0 (probability 1/r): hedge again with the attempt number.
      const r = hedgedNonce(NONCE_DST, secret, attempt === 0 ? message : concatBytes(Uint8Array.of(attempt), message), random);
      const u = q.multiply(r);
      const uBytes = u.toBytes(true);
      const exponent = Fr.add(r, hashToScalar(H3_DST, uBytes, message));
      if (exponent === 0n) continue; // V would be the identity; probability 1/r
      const out = new Uint8Array(SIGNATURE_BYTES);
      out.set(uBytes, 0);
      out.set(sk.key.multiply(exponent).toBytes(true), G1_BYTES);
      return out;
    }
  }

  const NEG_H = B.G2.BASE.negate();

  function authVerify(params: Params, identity: string, message: Uint8Array, signature: Uint8Array): boolean {
    const { mpk } = aParams(params);
    abytes(message, 'message');
    abytes(signature, 'signature');
    const q = identityPoint(identity);
    if (signature.length !== SIGNATURE_BYTES) return false;
    const uBytes = signature.subarray(0, G1_BYTES);
    const vBytes = signature.subarray(G1_BYTES);
    // Cheap checks of both points first (flags, identity, x < p), then square roots and subgroup
    // checks; canonical encodings only, so a signature has exactly one byte form.
    if (pointEncodingProblem(uBytes, 'G1') !== undefined || pointEncodingProblem(vBytes, 'G1') !== undefined) return false;
    const u = decodePoint(B.G1, uBytes, 'G1');
    if (typeof u === 'string') return false;
    const v = decodePoint(B.G1, vBytes, 'G1');
    if (typeof v === 'string') return false;
    const h3 = hashToScalar(H3_DST, uBytes, message);
    // e(V, -h) * e(U + Q^v, mpk) = 1; v is public, so the variable-time multiplication is fine.
    return B.GT.isOne(
      B.pairProduct([
        [v, NEG_H],
        [u.add(q.multiplyUnsafe(h3)), mpk],
      ]),
    );
  }

  // ------------------------------------------------------------------ argument kinds (as in medshare/pre)

  const { g1: G1_FIELD, g2: G2_FIELD } = groupFields(B);

  function aParams(value: unknown, name = 'params'): Params {
    return akind<Params>(value, name, 'AuthSign params', NAME, { mpk: G2_FIELD });
  }

  function aMasterKey(value: unknown, name = 'masterKey'): AuthSignMasterKey {
    const k = akind<AuthSignMasterKey>(value, name, 'an AuthSign master key', NAME, { s: Field.bigint });
    ascalar(k.s, `${name}.s`, true);
    return k;
  }

  function aSigningKey(value: unknown, name = 'signingKey'): Key {
    return akind<Key>(value, name, 'an AuthSign signing key', NAME, { identity: Field.string, key: G1_FIELD });
  }

  // ------------------------------------------------------------------ encodings

  const ID = SchemeId.authSign;
  const writer = (kind: number) => new Writer(B, ID, kind);
  const reader = (bytes: Uint8Array, what: string, kind: number) => new Reader(B, bytes, what, ID, kind);

  return Object.freeze({
    setup,
    keyGen,
    authSign,
    authVerify,
    encodeParams: (params: Params) => writer(Kind.params).g2(aParams(params).mpk).finish(),
    decodeParams: (bytes: Uint8Array): Params => {
      const r = reader(bytes, 'authSign params', Kind.params);
      const mpk = r.g2('mpk');
      r.end();
      return { scheme: NAME, mpk: mpk.value };
    },
    encodeMasterKey: (masterKey: AuthSignMasterKey) => writer(Kind.masterKey).scalar(aMasterKey(masterKey).s).finish(),
    decodeMasterKey: (bytes: Uint8Array): AuthSignMasterKey => {
      const r = reader(bytes, 'authSign master key', Kind.masterKey);
      const out: AuthSignMasterKey = { scheme: NAME, s: r.scalar('s') };
      r.end();
      return out;
    },
    encodeSigningKey: (signingKey: Key) => {
      const k = aSigningKey(signingKey);
      return writer(Kind.signingKey).string(k.identity).g1(k.key).finish();
    },
    decodeSigningKey: (bytes: Uint8Array): Key => {
      const r = reader(bytes, 'authSign signing key', Kind.signingKey);
      const identity = r.identity('identity');
      const key = r.g1('key');
      r.end();
      return { scheme: NAME, identity, key: key.value };
    },
  });
}

const apis = new WeakMap<object, unknown>();

/**
 * AuthSign on the pairing backend `backend`: the same functions and bytes as medshare/sign's,
 * computed by that backend. Made once per backend; `withBackend` (medshare/backend) makes every
 * scheme at once.
 *
 * @example
 * ```ts
 * import { createAuthSign } from 'medshare/sign';
 * import { mclBackend } from 'medshare/backend/mcl';
 * const sign = createAuthSign(await mclBackend()); // needs the optional package mcl-wasm
 * ```
 */
export function createAuthSign<E extends Groups>(backend: PairingBackend<E>): AuthSignApi<E> {
  let api = apis.get(backend) as AuthSignApi<E> | undefined;
  if (api === undefined) {
    api = makeAuthSign(backend);
    apis.set(backend, api);
  }
  return api;
}

// ------------------------------------------------------------------ the default (noble) backend

const noble = /* @__PURE__ */ createAuthSign(nobleBackend);

/**
 * Setup: master secret s, public key mpk = h^s.
 * @param options - `random`: source of randomness (default: the platform CSPRNG).
 * @returns the public `params` and the PKG's `masterKey`.
 */
export function setup(options?: RandomOptions): AuthSignSetup {
  return noble.setup(options);
}

/**
 * KeyGen: sk_ID = H1'(ID)^s. Deterministic: the same identity always gets the same key.
 * @throws TypeError for wrong argument types; RangeError for an empty or over-long identity.
 */
export function keyGen(params: AuthSignParams, masterKey: AuthSignMasterKey, identity: string): SigningKey {
  return noble.keyGen(params, masterKey, identity);
}

/**
 * AuthSign(SK, m): r hedged, U = Q^r, v = H3(U, m), V = sk^(r+v); returns U || V (96 bytes).
 * r = H(sk, rho, m) with 32 fresh bytes rho (hedged, domain `MEDSHARE-V1-AUTHSIGN-NONCE_XMD:SHA-256`): two
 * signatures on different messages never share r, even from a repeated random source (which
 * would give sk = (V - V') / (v - v')); the same key, message and random bytes give the same
 * signature.
 * @throws TypeError when `message` is not a Uint8Array or the key is not an AuthSign key.
 */
export function authSign(signingKey: SigningKey, message: Uint8Array, options?: RandomOptions): Uint8Array {
  return noble.authSign(signingKey, message, options);
}

/**
 * AuthVerify(PK, ID, m, sigma): checks e(V, h) = e(U * Q^v, mpk) as one pairing product.
 * @returns false for any signature that does not verify, including malformed bytes.
 * @throws TypeError only for caller mistakes (wrong argument types); RangeError for an
 *   invalid identity string.
 */
export function authVerify(params: AuthSignParams, identity: string, message: Uint8Array, signature: Uint8Array): boolean {
  return noble.authVerify(params, identity, message, signature);
}

/** Encodes the public parameters (header + mpk). */
export function encodeParams(params: AuthSignParams): Uint8Array {
  return noble.encodeParams(params);
}
/** Decodes and validates public parameters; RangeError naming the field on bad bytes. */
export function decodeParams(bytes: Uint8Array): AuthSignParams {
  return noble.decodeParams(bytes);
}
/** Encodes the master key (header + s). */
export function encodeMasterKey(masterKey: AuthSignMasterKey): Uint8Array {
  return noble.encodeMasterKey(masterKey);
}
/** Decodes and validates a master key. */
export function decodeMasterKey(bytes: Uint8Array): AuthSignMasterKey {
  return noble.decodeMasterKey(bytes);
}
/** Encodes a signing key (header + identity + key). */
export function encodeSigningKey(signingKey: SigningKey): Uint8Array {
  return noble.encodeSigningKey(signingKey);
}
/** Decodes and validates a signing key. */
export function decodeSigningKey(bytes: Uint8Array): SigningKey {
  return noble.decodeSigningKey(bytes);
}
