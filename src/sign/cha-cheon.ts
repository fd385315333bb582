/**
 * Cha-Cheon identity-based signature (PKC 2003) on BLS12-381: the medshare AuthSign.
 * See ./index.ts for the scheme and its security statement.
 * @module
 */
import {
  ascalar,
  G1_BYTES,
  G1Point,
  G2Point,
  GroupField,
  gtEq,
  GT_ONE,
  hashToG1,
  hashToScalar,
  pairProduct,
  concatBytes,
  Fr_ as Fr,
  hedgedNonce,
  randomScalar,
  type G1,
  type G2,
} from '../internal/bls.js';
import { decodePoint, Kind, pointEncodingProblem, Reader, SchemeId, Writer } from '../internal/codec.js';
import { abytes, akind, Field } from '../internal/errors.js';
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

/** Public parameters: the PKG's signing public key mpk = h^s. */
export interface AuthSignParams {
  /** Always 'authSign'. */
  readonly scheme: 'authSign';
  /** mpk = h^s. */
  readonly mpk: G2;
}

/** The PKG's signing master secret s. */
export interface AuthSignMasterKey {
  /** Always 'authSign'. */
  readonly scheme: 'authSign';
  /** s in Fr*. */
  readonly s: bigint;
}

/** An identity's signing key sk = H1'(ID)^s. */
export interface SigningKey {
  /** Always 'authSign'. */
  readonly scheme: 'authSign';
  /** The identity this key signs for. */
  readonly identity: string;
  /** H1'(ID)^s in G1. */
  readonly key: G1;
}

/** What AuthSign's setup returns. */
export interface AuthSignSetup {
  /** Public parameters (mpk), published to every verifier. */
  readonly params: AuthSignParams;
  /** The PKG's master secret. */
  readonly masterKey: AuthSignMasterKey;
}

// H1'(ID) is fixed per identity; cached (bounded) since verifiers see the same signers often.
const identityPoints = new BoundedCache<G1>(1024);
function identityPoint(identity: string, name = 'identity'): G1 {
  const bytes = identityBytes(identity, name);
  return identityPoints.get(identity, () => hashToG1(H1_DST, bytes));
}

/**
 * Setup: master secret s, public key mpk = h^s.
 * @param options - `random`: source of randomness (default: the platform CSPRNG).
 * @returns the public `params` and the PKG's `masterKey`.
 */
export function setup(options?: RandomOptions): AuthSignSetup {
  const s = randomScalar(randomFrom(options));
  return { params: { scheme: NAME, mpk: G2Point.BASE.multiply(s) }, masterKey: { scheme: NAME, s } };
}

/**
 * KeyGen: sk_ID = H1'(ID)^s. Deterministic: the same identity always gets the same key.
 * @throws TypeError for wrong argument types; RangeError for an empty or over-long identity.
 */
export function keyGen(params: AuthSignParams, masterKey: AuthSignMasterKey, identity: string): SigningKey {
  aParams(params);
  const { s } = aMasterKey(masterKey);
  return { scheme: NAME, identity, key: identityPoint(identity).multiply(s) };
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

const NEG_H = G2Point.BASE.negate();

/**
 * AuthVerify(PK, ID, m, sigma): checks e(V, h) = e(U * Q^v, mpk) as one pairing product.
 * @returns false for any signature that does not verify, including malformed bytes.
 * @throws TypeError only for caller mistakes (wrong argument types); RangeError for an
 *   invalid identity string.
 */
export function authVerify(params: AuthSignParams, identity: string, message: Uint8Array, signature: Uint8Array): boolean {
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
  const u = decodePoint(G1Point, uBytes, 'G1');
  if (typeof u === 'string') return false;
  const v = decodePoint(G1Point, vBytes, 'G1');
  if (typeof v === 'string') return false;
  const h3 = hashToScalar(H3_DST, uBytes, message);
  return gtEq(
    pairProduct([
      [v, NEG_H],
      [u.add(q.multiply(h3)), mpk],
    ]),
    GT_ONE,
  );
}

const ID = SchemeId.authSign;

// ------------------------------------------------------------------ argument kinds (as in medshare/pre)

function aParams(value: unknown, name = 'params'): AuthSignParams {
  return akind<AuthSignParams>(value, name, 'AuthSign params', NAME, { mpk: GroupField.g2 });
}

function aMasterKey(value: unknown, name = 'masterKey'): AuthSignMasterKey {
  const k = akind<AuthSignMasterKey>(value, name, 'an AuthSign master key', NAME, { s: Field.bigint });
  ascalar(k.s, `${name}.s`, true);
  return k;
}

function aSigningKey(value: unknown, name = 'signingKey'): SigningKey {
  return akind<SigningKey>(value, name, 'an AuthSign signing key', NAME, { identity: Field.string, key: GroupField.g1 });
}

/** Encodes the public parameters (header + mpk). */
export function encodeParams(params: AuthSignParams): Uint8Array {
  return new Writer(ID, Kind.params).g2(aParams(params).mpk).finish();
}
/** Decodes and validates public parameters; RangeError naming the field on bad bytes. */
export function decodeParams(bytes: Uint8Array): AuthSignParams {
  const r = new Reader(bytes, 'authSign params', ID, Kind.params);
  const mpk = r.g2('mpk');
  r.end();
  return { scheme: NAME, mpk: mpk.value };
}
/** Encodes the master key (header + s). */
export function encodeMasterKey(masterKey: AuthSignMasterKey): Uint8Array {
  return new Writer(ID, Kind.masterKey).scalar(aMasterKey(masterKey).s).finish();
}
/** Decodes and validates a master key. */
export function decodeMasterKey(bytes: Uint8Array): AuthSignMasterKey {
  const r = new Reader(bytes, 'authSign master key', ID, Kind.masterKey);
  const out: AuthSignMasterKey = { scheme: NAME, s: r.scalar('s') };
  r.end();
  return out;
}
/** Encodes a signing key (header + identity + key). */
export function encodeSigningKey(signingKey: SigningKey): Uint8Array {
  const k = aSigningKey(signingKey);
  return new Writer(ID, Kind.signingKey).string(k.identity).g1(k.key).finish();
}
/** Decodes and validates a signing key. */
export function decodeSigningKey(bytes: Uint8Array): SigningKey {
  const r = new Reader(bytes, 'authSign signing key', ID, Kind.signingKey);
  const identity = r.identity('identity');
  const key = r.g1('key');
  r.end();
  return { scheme: NAME, identity, key: key.value };
}
