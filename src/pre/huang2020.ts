/**
 * The IB-PRE of Huang, Zhu, Xiao, Sun, Huang, "A blockchain-based scheme for
 * privacy-preserving and secure sharing of medical data", Computers & Security 99 (2020)
 * 102010, section 4.2 - with the three errata of docs/schemes.md section 1.2 fixed.
 *
 * INSECURE. Any holder of one ordinary secret key computes h^d = D3^(1/B3),
 * h^c = (h^d)^A1 / A2 and g^c likewise, and then opens every ciphertext of every identity
 * (Z^(c(r+s)) = e(c2, h^c) * e(g^c, c3)). The root cause is that A1 and B3 are given out as
 * plain scalars; no reading of the printed formulas avoids it. This scheme exists to
 * reproduce the paper and its benchmarks; use `ga07` to protect data.
 *
 * Mapping to a type-3 pairing (the paper writes a symmetric one): g-side elements in G1,
 * h-side elements in G2, Z = e(g, h). The public parameters hold Z^a, Z^b, Z^c, which the
 * paper leaves implicit but which anyone needs to encrypt. ID is the identity hashed to Fr.
 * @module
 */
import { concatBytes } from '@noble/hashes/utils.js';
import type { NobleGroups } from '../backend/noble.js';
import { nobleBackend } from '../backend/noble.js';
import type { Groups, PairingBackend } from '../backend/types.js';
import { ascalar, frDiv, Fr, hashToScalar, randomScalar } from '../internal/bls.js';
import { Kind, Reader, SchemeId, Writer } from '../internal/codec.js';
import { sameExponent as sameExponentIn } from '../internal/pairing.js';
import { abytes, akind, ArgumentValueError, DecryptionError, EncodingError, Field, groupFields } from '../internal/errors.js';
import { PerObjectCache } from '../internal/cache.js';
import { identityBytes } from '../internal/identity.js';
import { randomFrom, type RandomOptions } from '../internal/random.js';
import { open, seal, TAG_BYTES } from './kem.js';
import type { Ciphertext, PreScheme, SetupResult } from './types.js';

const NAME = 'huang2020';
const ID_DST = 'MEDSHARE-V1-HUANG2020-ID-TO-FR_XMD:SHA-256';

/**
 * Public parameters PK: Z^a, Z^b, Z^c with Z = e(g, h).
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Huang2020Params<E extends Groups = NobleGroups> {
  /** Always 'huang2020'. */
  readonly scheme: 'huang2020';
  /** Z^a. */
  readonly Za: E['GT'];
  /** Z^b. */
  readonly Zb: E['GT'];
  /** Z^c. */
  readonly Zc: E['GT'];
}

/** Master secret key MSK = (a, b, c), held by the PKG. */
export interface Huang2020MasterKey {
  /** Always 'huang2020'. */
  readonly scheme: 'huang2020';
  /** a in Fr*. */
  readonly a: bigint;
  /** b in Fr*. */
  readonly b: bigint;
  /** c in Fr*. */
  readonly c: bigint;
}

/**
 * Secret key SK_ID = (A1, A2, A3, B1, B2, B3, D1, D2, D3), plus the G1 copies
 * D1g = g^x, D2g = g^y, D3g = g^z that ReKeyGen needs for rk2' (docs/schemes.md section 1.2).
 * With d = a + b*ID and the PKG's random t, x, y, z:
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Huang2020SecretKey<E extends Groups = NobleGroups> {
  /** Always 'huang2020'. */
  readonly scheme: 'huang2020';
  /** The identity this key was issued for. */
  readonly identity: string;
  /** A1 = (c + t) / d. */
  readonly A1: bigint;
  /** A2 = h^t. */
  readonly A2: E['G2'];
  /** A3 = g^t. */
  readonly A3: E['G1'];
  /** B1 = (a + x) / d. */
  readonly B1: bigint;
  /** B2 = (b + y) / d. */
  readonly B2: bigint;
  /** B3 = z / d. */
  readonly B3: bigint;
  /** D1 = h^x. */
  readonly D1: E['G2'];
  /** D2 = h^y. */
  readonly D2: E['G2'];
  /** D3 = h^z. */
  readonly D3: E['G2'];
  /** g^x (G1 copy of D1). */
  readonly D1g: E['G1'];
  /** g^y (G1 copy of D2). */
  readonly D2g: E['G1'];
  /** g^z (G1 copy of D3). */
  readonly D3g: E['G1'];
}

/**
 * Re-encryption key RK_{p->d} = (rk1, rk2, rk2'), with the two identities for bookkeeping.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Huang2020ReKey<E extends Groups = NobleGroups> {
  /** Always 'huang2020'. */
  readonly scheme: 'huang2020';
  /** Identity p whose ciphertexts this key converts. */
  readonly delegator: string;
  /** Identity d who can read the converted ciphertexts. */
  readonly delegatee: string;
  /** rk1 = (k1*B3 + B1) + (k2*B3 + B2) * ID_d. */
  readonly rk1: bigint;
  /** rk2 = (D1 * D3^k1) * (D2 * D3^k2)^ID_d, in G2. */
  readonly rk2: E['G2'];
  /** rk2', the same exponent in G1. */
  readonly rk2g: E['G1'];
}

/**
 * Capsule C = (c1, c2, c3, c4); the encapsulated GT element plays the paper's D.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export interface Huang2020Capsule<E extends Groups = NobleGroups> {
  /** c1 = D * Z^(c(r+s)). */
  readonly c1: E['GT'];
  /** c2 = g^r. */
  readonly c2: E['G1'];
  /** c3 = h^s. */
  readonly c3: E['G2'];
  /** c4 = Z^((a + b*ID)(r+s)); the only part ReEncrypt changes. */
  readonly c4: E['GT'];
}

/**
 * A huang2020 ciphertext: the identity that can decrypt it (`recipient`, which ReEncrypt
 * changes to the delegatee), capsule and sealed record. The label is not in the AEAD's
 * associated data (ReEncrypt changes it and the paper's binding is c1 || c2 || c3), but c4 binds
 * the identity: a relabelled ciphertext is refused by its new recipient and does not decrypt
 * for anyone else.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export type Huang2020Ciphertext<E extends Groups = NobleGroups> = Ciphertext<Huang2020Capsule<E>>;

/** The identity hashed to Fr: the paper's ID_p in d = a + b * ID_p. */
export function identityToScalar(identity: string, name = 'identity'): bigint {
  return hashToScalar(ID_DST, identityBytes(identity, name));
}

/**
 * huang2020 on one backend: the scheme and the KEM halves the tests use. Not part of the public
 * API; {@link createHuang2020} gives the scheme.
 */
export interface Huang2020Core<E extends Groups> {
  readonly scheme: Huang2020Scheme<E>;
  encapsulate(params: Huang2020Params<E>, identity: string, m: E['GT'], r: bigint, s: bigint): Huang2020Capsule<E>;
  decapsulate(secretKey: Huang2020SecretKey<E>, capsule: Huang2020Capsule<E>): E['GT'];
}

type ParamsOf<E extends Groups> = Huang2020Params<E>;
type SecretKeyOf<E extends Groups> = Huang2020SecretKey<E>;
type ReKeyOf<E extends Groups> = Huang2020ReKey<E>;
type CapsuleOf<E extends Groups> = Huang2020Capsule<E>;
type CiphertextOf<E extends Groups> = Huang2020Ciphertext<E>;

function makeHuang2020<E extends Groups>(B: PairingBackend<E>): Huang2020Core<E> {
  type G1 = E['G1'];
  type G2 = E['G2'];
  type GT = E['GT'];
  type Huang2020Params = ParamsOf<E>;
  type Huang2020SecretKey = SecretKeyOf<E>;
  type Huang2020ReKey = ReKeyOf<E>;
  type Huang2020Capsule = CapsuleOf<E>;
  type Huang2020Ciphertext = CiphertextOf<E>;
  const { G1: G1Point, G2: G2Point, pairProduct } = B;
  const { div: gtDiv, isCyclotomic: gtIsCyclotomic, mul: gtMul, pow: gtPow, toBytes: gtToBytes, generator: Z } = B.GT;
  const sameExponent = (p: G1, q: G2) => sameExponentIn(B, p, q);

  // Z^(a + b*ID), fixed per recipient: cached so repeated encryption to one identity costs
  // one GT exponentiation less. Bounded; keyed by the params object.
  const recipientCache = new PerObjectCache<Huang2020Params, GT>(1024);
  function recipientBase(params: Huang2020Params, identity: string): GT {
    return recipientCache.get(params, identity, () => gtMul(params.Za, gtPow(params.Zb, identityToScalar(identity))));
  }

  // ------------------------------------------------------------------ argument kinds
  // As in ./ga07.ts: every public function checks the kind of each argument before any arithmetic.

  const { g1: G1_FIELD, g2: G2_FIELD, gt: GT_FIELD } = groupFields(B);

  function aParams(value: unknown, name = 'params'): Huang2020Params {
    return akind<Huang2020Params>(value, name, 'huang2020 params', NAME, { Za: GT_FIELD, Zb: GT_FIELD, Zc: GT_FIELD });
  }

  function aMasterKey(value: unknown, name = 'masterKey'): Huang2020MasterKey {
    const k = akind<Huang2020MasterKey>(value, name, 'a huang2020 master key', NAME, {
      a: Field.bigint,
      b: Field.bigint,
      c: Field.bigint,
    });
    for (const f of ['a', 'b', 'c'] as const) ascalar(k[f], `${name}.${f}`, true);
    return k;
  }

  function aSecretKey(value: unknown, name = 'secretKey'): Huang2020SecretKey {
    const k = akind<Huang2020SecretKey>(value, name, 'a huang2020 secret key', NAME, {
      identity: Field.string,
      A1: Field.bigint,
      A2: G2_FIELD,
      A3: G1_FIELD,
      B1: Field.bigint,
      B2: Field.bigint,
      B3: Field.bigint,
      D1: G2_FIELD,
      D2: G2_FIELD,
      D3: G2_FIELD,
      D1g: G1_FIELD,
      D2g: G1_FIELD,
      D3g: G1_FIELD,
    });
    for (const f of ['A1', 'B1', 'B2'] as const) ascalar(k[f], `${name}.${f}`, false);
    ascalar(k.B3, `${name}.B3`, true);
    return k;
  }

  function aReKey(value: unknown, name = 'reKey'): Huang2020ReKey {
    const k = akind<Huang2020ReKey>(value, name, 'a huang2020 re-encryption key', NAME, {
      delegator: Field.string,
      delegatee: Field.string,
      rk1: Field.bigint,
      rk2: G2_FIELD,
      rk2g: G1_FIELD,
    });
    ascalar(k.rk1, `${name}.rk1`, false);
    return k;
  }

  function aCiphertext(value: unknown, name = 'ciphertext'): Huang2020Ciphertext {
    const ct = akind<Huang2020Ciphertext>(value, name, 'a huang2020 ciphertext', NAME, {
      recipient: Field.string,
      capsule: Field.object,
      sealed: Field.bytes,
    });
    akind({ scheme: NAME, ...ct.capsule }, `${name}.capsule`, 'a huang2020 capsule', NAME, {
      c1: GT_FIELD,
      c2: G1_FIELD,
      c3: G2_FIELD,
      c4: GT_FIELD,
    });
    return ct;
  }

  // ------------------------------------------------------------------ the algorithms

  /** Setup(1^lambda) -> (PK, MSK): random a, b, c in Fr*; PK = (Z^a, Z^b, Z^c). Section 4.2.1. */
  function setup(options?: RandomOptions): SetupResult<Huang2020Params, Huang2020MasterKey> {
    const random = randomFrom(options);
    const a = randomScalar(random);
    const b = randomScalar(random);
    const c = randomScalar(random);
    const z = Z();
    return {
      params: { scheme: NAME, Za: gtPow(z, a), Zb: gtPow(z, b), Zc: gtPow(z, c) },
      masterKey: { scheme: NAME, a, b, c },
    };
  }

  /**
   * KeyGen(MSK, PK, ID) -> SK_ID. Section 4.2.1, as printed: random t, x, y, z and d = a + b*ID;
   *   A1 = (c+t)/d, A2 = h^t, A3 = g^t, B1 = (a+x)/d, B2 = (b+y)/d, B3 = z/d,
   *   D1 = h^x, D2 = h^y, D3 = h^z; and the G1 copies g^x, g^y, g^z.
   */
  function keyGen(
    params: Huang2020Params,
    masterKey: Huang2020MasterKey,
    identity: string,
    options?: RandomOptions,
  ): Huang2020SecretKey {
    aParams(params);
    const { a, b, c } = aMasterKey(masterKey);
    const id = identityToScalar(identity);
    const random = randomFrom(options);
    const [t, x, y, z] = [randomScalar(random), randomScalar(random), randomScalar(random), randomScalar(random)];
    const d = Fr.add(a, Fr.mul(b, id)); // d = a + b*ID
    const g = G1Point.BASE;
    const h = G2Point.BASE;
    return {
      scheme: NAME,
      identity,
      A1: frDiv(Fr.add(c, t), d, 'keyGen: a + b*ID'),
      A2: h.multiply(t),
      A3: g.multiply(t),
      B1: frDiv(Fr.add(a, x), d, 'keyGen: a + b*ID'),
      B2: frDiv(Fr.add(b, y), d, 'keyGen: a + b*ID'),
      B3: frDiv(z, d, 'keyGen: a + b*ID'),
      D1: h.multiply(x),
      D2: h.multiply(y),
      D3: h.multiply(z),
      D1g: g.multiply(x),
      D2g: g.multiply(y),
      D3g: g.multiply(z),
    };
  }

  /**
   * The KEM half of Encrypt, section 4.2.4, for a given GT element m (the paper's D):
   *   c1 = m * Z^(c(r+s)), c2 = g^r, c3 = h^s, c4 = Z^((a + b*ID)(r+s)).
   */
  function encapsulate(params: Huang2020Params, identity: string, m: GT, r: bigint, s: bigint): Huang2020Capsule {
    const rs = Fr.add(r, s);
    return {
      c1: gtMul(m, gtPow(params.Zc, rs)),
      c2: G1Point.BASE.multiply(r),
      c3: G2Point.BASE.multiply(s),
      c4: gtPow(recipientBase(params, identity), rs),
    };
  }

  /**
   * Decrypt, section 4.2.9, corrected (erratum 1):
   *   m = c1 * e(c2, A2) * e(A3, c3) / c4^A1.
   * The printed m = c1 * e(c2, A2) / c4^A1 omits e(A3, c3) and leaves a factor Z^(-st).
   * The two pairings share one final exponentiation.
   */
  function decapsulate(secretKey: Huang2020SecretKey, capsule: Huang2020Capsule): GT {
    const { A1, A2, A3 } = secretKey;
    const pairings = pairProduct([
      [capsule.c2, A2],
      [A3, capsule.c3],
    ]);
    return gtDiv(gtMul(capsule.c1, pairings), gtPow(capsule.c4, A1));
  }

  /** The capsule bytes re-encryption leaves unchanged, bound to the sealed record as AEAD data. */
  function binding(capsule: Huang2020Capsule): Uint8Array {
    return concatBytes(gtToBytes(capsule.c1), capsule.c2.toBytes(true), capsule.c3.toBytes(true));
  }

  /**
   * Encrypt(PK, ID, D) -> C_ID for a record of any length: a fresh random GT element m is
   * encapsulated (section 4.2.4, random r, s in Fr*) and keys ChaCha20-Poly1305 for the record.
   */
  function encrypt(params: Huang2020Params, identity: string, record: Uint8Array, options?: RandomOptions): Huang2020Ciphertext {
    aParams(params);
    identityBytes(identity);
    abytes(record, 'record');
    const random = randomFrom(options);
    const m = gtPow(Z(), randomScalar(random));
    const capsule = encapsulate(params, identity, m, randomScalar(random), randomScalar(random));
    return { scheme: NAME, recipient: identity, capsule, sealed: seal(NAME, gtToBytes(m), binding(capsule), record) };
  }

  /**
   * ReKeyGen(PK, SK_p, ID_d) -> RK_{p->d}. Section 4.2.8 with erratum 2: the delegatee's
   * ID_d stands where the paper prints ID_p (in an identity-based scheme PK_d is ID_d; with
   * ID_p the delegatee cannot decrypt). Random k1, k2:
   *   rk1 = (k1*B3 + B1) + (k2*B3 + B2) * ID_d
   *   rk2 = (D1 * D3^k1) * (D2 * D3^k2)^ID_d   in G2, and rk2' the same in G1.
   * Writing w for the exponent of rk2, rk1 = (a + b*ID_d + w) / (a + b*ID_p).
   */
  function reKeyGen(
    params: Huang2020Params,
    secretKey: Huang2020SecretKey,
    delegatee: string,
    options?: RandomOptions,
  ): Huang2020ReKey {
    aParams(params);
    const sk = aSecretKey(secretKey);
    const idD = identityToScalar(delegatee, 'delegatee');
    const random = randomFrom(options);
    const k1 = randomScalar(random);
    const k2 = randomScalar(random);
    const rk1 = Fr.add(Fr.add(Fr.mul(k1, sk.B3), sk.B1), Fr.mul(Fr.add(Fr.mul(k2, sk.B3), sk.B2), idD));
    // D1 * D2^ID_d * D3^(k1 + k2*ID_d): the same element as the printed product, two multiplications.
    const k3 = Fr.add(k1, Fr.mul(k2, idD));
    return {
      scheme: NAME,
      delegator: sk.identity,
      delegatee,
      rk1,
      rk2: sk.D1.add(sk.D2.multiply(idD)).add(sk.D3.multiply(k3)),
      rk2g: sk.D1g.add(sk.D2g.multiply(idD)).add(sk.D3g.multiply(k3)),
    };
  }

  /**
   * ReEncrypt(PK, RK_{p->d}, C_p) -> C_d. Section 4.2.8 with erratum 3: the printed
   * c'3 = c3^k1 / e(c2, rk2) mixes groups and needs k1, which the proxy does not have. What works:
   *   c'4 = c4^rk1 / (e(c2, rk2) * e(rk2', c3)) = Z^((a + b*ID_d)(r+s)),  c1, c2, c3 unchanged.
   * The result is an ordinary ciphertext for ID_d, so the scheme is multi-hop. The sealed
   * record is passed through untouched.
   */
  function reEncrypt(params: Huang2020Params, reKey: Huang2020ReKey, ciphertext: Huang2020Ciphertext): Huang2020Ciphertext {
    aParams(params);
    const rk = aReKey(reKey);
    const ct = aCiphertext(ciphertext);
    if (ct.recipient !== rk.delegator) {
      throw new ArgumentValueError('ciphertext', 'is for another identity than the delegator of the re-encryption key');
    }
    const { capsule } = ct;
    const pairings = pairProduct([
      [capsule.c2, rk.rk2],
      [rk.rk2g, capsule.c3],
    ]);
    const c4 = gtDiv(gtPow(capsule.c4, rk.rk1), pairings);
    return { scheme: NAME, recipient: rk.delegatee, capsule: { ...capsule, c4 }, sealed: ct.sealed };
  }

  /**
   * Decrypt(PK, C, SK) -> D for an original or re-encrypted ciphertext (both have the same
   * form). Throws DecryptionError when the key is for another identity or C was altered.
   */
  function decrypt(params: Huang2020Params, secretKey: Huang2020SecretKey, ciphertext: Huang2020Ciphertext): Uint8Array {
    aParams(params);
    const sk = aSecretKey(secretKey);
    const ct = aCiphertext(ciphertext);
    // Defence in depth for capsules built in memory: c1 = 0 or c4 = 0 would fix m whatever the key.
    const { c1, c2, c3, c4 } = ct.capsule;
    for (const [field, f] of [
      ['c1', c1],
      ['c4', c4],
    ] as const) {
      if (!gtIsCyclotomic(f)) throw new ArgumentValueError(`ciphertext.capsule.${field}`, 'is not an element of GT');
    }
    if (c2.is0() || c3.is0()) throw new ArgumentValueError('ciphertext.capsule', 'c2 or c3 is the identity');
    if (ct.recipient !== sk.identity) throw new DecryptionError(); // the label is public; c4 binds it
    const m = decapsulate(sk, ct.capsule);
    return open(NAME, gtToBytes(m), binding(ct.capsule), ct.sealed);
  }

  // ------------------------------------------------------------------ encodings

  const ID = SchemeId.huang2020;

  function encodeParams(params: Huang2020Params): Uint8Array {
    const p = aParams(params);
    return new Writer(B, ID, Kind.params).gt(p.Za).gt(p.Zb).gt(p.Zc).finish();
  }

  function decodeParams(bytes: Uint8Array): Huang2020Params {
    const r = new Reader(B, bytes, 'huang2020 params', ID, Kind.params);
    const [Za, Zb, Zc] = [r.gt('Za'), r.gt('Zb'), r.gt('Zc')];
    r.end();
    return { scheme: NAME, Za: Za.value, Zb: Zb.value, Zc: Zc.value };
  }

  function encodeMasterKey(masterKey: Huang2020MasterKey): Uint8Array {
    const k = aMasterKey(masterKey);
    return new Writer(B, ID, Kind.masterKey).scalar(k.a).scalar(k.b).scalar(k.c).finish();
  }

  function decodeMasterKey(bytes: Uint8Array): Huang2020MasterKey {
    const r = new Reader(B, bytes, 'huang2020 master key', ID, Kind.masterKey);
    const out: Huang2020MasterKey = { scheme: NAME, a: r.scalar('a'), b: r.scalar('b'), c: r.scalar('c') };
    r.end();
    return out;
  }

  function encodeSecretKey(secretKey: Huang2020SecretKey): Uint8Array {
    const k = aSecretKey(secretKey);
    return new Writer(B, ID, Kind.secretKey)
      .string(k.identity)
      .scalar(k.A1)
      .g2(k.A2)
      .g1(k.A3)
      .scalar(k.B1)
      .scalar(k.B2)
      .scalar(k.B3)
      .g2(k.D1)
      .g2(k.D2)
      .g2(k.D3)
      .g1(k.D1g)
      .g1(k.D2g)
      .g1(k.D3g)
      .finish();
  }

  /**
   * Besides the field checks, checks that each G1 copy matches its G2 element
   * (e(g^x, h) = e(g, h^x), for A3/A2 and the three D's), so a key that decodes is one that works.
   */
  function decodeSecretKey(bytes: Uint8Array): Huang2020SecretKey {
    const r = new Reader(B, bytes, 'huang2020 secret key', ID, Kind.secretKey);
    const identity = r.identity('identity');
    const A1 = r.scalar('A1', false);
    const A2 = r.g2('A2');
    const A3 = r.g1('A3');
    const B1 = r.scalar('B1', false);
    const B2 = r.scalar('B2', false);
    const B3 = r.scalar('B3');
    const [D1, D2, D3] = [r.g2('D1'), r.g2('D2'), r.g2('D3')];
    const [D1g, D2g, D3g] = [r.g1('D1g'), r.g1('D2g'), r.g1('D3g')];
    r.end();
    const out: Huang2020SecretKey = {
      scheme: NAME,
      identity,
      A1,
      A2: A2.value,
      A3: A3.value,
      B1,
      B2,
      B3,
      D1: D1.value,
      D2: D2.value,
      D3: D3.value,
      D1g: D1g.value,
      D2g: D2g.value,
      D3g: D3g.value,
    };
    const pairs: [string, G1, G2][] = [
      ['A3/A2', out.A3, out.A2],
      ['D1g/D1', out.D1g, out.D1],
      ['D2g/D2', out.D2g, out.D2],
      ['D3g/D3', out.D3g, out.D3],
    ];
    for (const [field, inG1, inG2] of pairs) {
      if (!sameExponent(inG1, inG2)) throw new EncodingError('huang2020 secret key', field, 'G1 and G2 elements do not match');
    }
    return out;
  }

  function encodeReKey(reKey: Huang2020ReKey): Uint8Array {
    const k = aReKey(reKey);
    return new Writer(B, ID, Kind.reKey).string(k.delegator).string(k.delegatee).scalar(k.rk1).g2(k.rk2).g1(k.rk2g).finish();
  }

  /** Besides the field checks, checks that rk2 and rk2' carry the same exponent. */
  function decodeReKey(bytes: Uint8Array): Huang2020ReKey {
    const r = new Reader(B, bytes, 'huang2020 re-encryption key', ID, Kind.reKey);
    const delegator = r.identity('delegator');
    const delegatee = r.identity('delegatee');
    const rk1 = r.scalar('rk1', false);
    const [rk2, rk2g] = [r.g2('rk2'), r.g1('rk2g')];
    r.end();
    const out: Huang2020ReKey = { scheme: NAME, delegator, delegatee, rk1, rk2: rk2.value, rk2g: rk2g.value };
    if (!sameExponent(out.rk2g, out.rk2))
      throw new EncodingError('huang2020 re-encryption key', "rk2/rk2'", 'G1 and G2 elements do not match');
    return out;
  }

  function encodeCiphertext(ciphertext: Huang2020Ciphertext): Uint8Array {
    const ct = aCiphertext(ciphertext);
    const { c1, c2, c3, c4 } = ct.capsule;
    return new Writer(B, ID, Kind.ciphertext)
      .string(ct.recipient, 'recipient')
      .gt(c1)
      .g1(c2)
      .g2(c3)
      .gt(c4)
      .bytes(ct.sealed)
      .finish();
  }

  function decodeCiphertext(bytes: Uint8Array): Huang2020Ciphertext {
    const r = new Reader(B, bytes, 'huang2020 ciphertext', ID, Kind.ciphertext);
    const recipient = r.identity('recipient');
    const [c1, c2, c3, c4] = [r.gt('c1'), r.g1('c2'), r.g2('c3'), r.gt('c4')];
    const sealed = r.bytes('sealed');
    if (sealed.length < TAG_BYTES)
      throw new EncodingError('huang2020 ciphertext', 'sealed', `shorter than the ${TAG_BYTES}-byte authentication tag`);
    r.end();
    return { scheme: NAME, recipient, capsule: { c1: c1.value, c2: c2.value, c3: c3.value, c4: c4.value }, sealed };
  }

  const scheme: Huang2020Scheme<E> = Object.freeze({
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
  return Object.freeze({ scheme, encapsulate, decapsulate });
}

/**
 * The huang2020 scheme on one pairing backend.
 * @typeParam E - the pairing backend's element types (default: the noble backend's)
 */
export type Huang2020Scheme<E extends Groups = NobleGroups> = PreScheme<
  Huang2020Params<E>,
  Huang2020MasterKey,
  Huang2020SecretKey<E>,
  Huang2020ReKey<E>,
  Huang2020Capsule<E>
>;

const cores = new WeakMap<object, unknown>();

/** huang2020 on `backend`, made once per backend object (internal: tests use its KEM halves). */
export function huang2020Core<E extends Groups>(backend: PairingBackend<E>): Huang2020Core<E> {
  let core = cores.get(backend) as Huang2020Core<E> | undefined;
  if (core === undefined) {
    core = makeHuang2020(backend);
    cores.set(backend, core);
  }
  return core;
}

const noble = /* @__PURE__ */ huang2020Core(nobleBackend);

/**
 * The KEM half of Encrypt (noble backend), section 4.2.4, for a given GT element m (the paper's D):
 *   c1 = m * Z^(c(r+s)), c2 = g^r, c3 = h^s, c4 = Z^((a + b*ID)(r+s)).
 */
export const encapsulate: Huang2020Core<NobleGroups>['encapsulate'] = noble.encapsulate;
/**
 * Decrypt's KEM half (noble backend), section 4.2.9, corrected (erratum 1):
 *   m = c1 * e(c2, A2) * e(A3, c3) / c4^A1.
 */
export const decapsulate: Huang2020Core<NobleGroups>['decapsulate'] = noble.decapsulate;

/**
 * The paper's IB-PRE, corrected. INSECURE: any key holder opens every ciphertext (see the
 * module documentation); for reproducing the paper only.
 */
export const huang2020: Huang2020Scheme = noble.scheme;

/**
 * huang2020 on the pairing backend `backend` (same interface and bytes as {@link huang2020}).
 * INSECURE, like huang2020 itself: for reproducing the paper only.
 */
export function createHuang2020<E extends Groups>(backend: PairingBackend<E>): Huang2020Scheme<E> {
  return huang2020Core(backend).scheme;
}
