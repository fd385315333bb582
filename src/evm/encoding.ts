/**
 * medshare's objects in the forms the MedShare contract takes, and back: BLS12-381 points in
 * EIP-2537 form, AuthSign signatures (96 compressed bytes <-> 256 bytes U || V), Groth16 proofs
 * and verification keys (snarkjs / medshare/zk forms <-> EIP-197 words), public signals, the
 * domain-separated bytes members sign, the contract's ids, and its named errors <-> RefusalReason.
 *
 * Every decoder validates what it reads (length, canonical coordinates, point on the curve and in
 * the subgroup) and throws an {@link EncodingError} (a RangeError, code `ERR_ENCODING`) naming the
 * object and the field; a wrong kind of argument is an {@link ArgumentTypeError}
 * (`ERR_ARGUMENT_TYPE`), a value out of range an {@link ArgumentValueError} (`ERR_ARGUMENT_VALUE`).
 * @module
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bn254 } from '@noble/curves/bn254.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { type Hex, decodeErrorResult, encodeAbiParameters, keccak256, toHex } from 'viem';
import { canonicalDecimal } from '../internal/decimal.js';
import {
  ArgumentTypeError,
  ArgumentValueError,
  aarray,
  abytes,
  ainteger,
  aobject,
  ascheme,
  EncodingError,
} from '../internal/errors.js';
import { identityBytes } from '../internal/identity.js';
import type { RefusalReason } from '../protocol/contract.js';
import { deploymentId, type Role } from '../protocol/transactions.js';
import type { AuthSignParams } from '../sign/cha-cheon.js';
import type { Groth16Proof, VerificationKey } from '../zk/keys.js';
import { identityToField } from '../zk/statement.js';
import { medShareAbi } from './artifacts.js';

type G1 = InstanceType<typeof bls12_381.G1.Point>;
type G2 = InstanceType<typeof bls12_381.G2.Point>;

const FP_BYTES = 64;
/** Length of a G1 point in EIP-2537 form. */
export const G1_POINT_BYTES = 128;
/** Length of a G2 point in EIP-2537 form. */
export const G2_POINT_BYTES = 256;
/** Length of an AuthSign signature on chain: U || V in EIP-2537 form. */
export const EVM_SIGNATURE_BYTES = 256;
/** Length of a Groth16 verification key on chain. */
export const VERIFICATION_KEY_BYTES = 896;
/** Number of public signals of medshare's eligibility circuit. */
export const PUBLIC_SIGNAL_COUNT = 6;

const P = bls12_381.fields.Fp.ORDER;
const Q = bn254.fields.Fp.ORDER;

// ---------------------------------------------------------------- BLS12-381 points (EIP-2537)

function fpToBytes(x: bigint): Uint8Array {
  return numberToBytesBE(x, FP_BYTES);
}

function fpFromBytes(bytes: Uint8Array, object: string, field: string): bigint {
  for (let i = 0; i < 16; i++) if (bytes[i] !== 0) throw new EncodingError(object, field, 'the top 16 bytes must be zero');
  const x = bytesToNumberBE(bytes);
  if (x >= P) throw new EncodingError(object, field, 'not below p');
  return x;
}

/** `field` of `object`, or `sub` of it: the name an error gives a coordinate. */
const within = (field: string, sub: string) => (field === '' ? sub : `${field}.${sub}`);

function g1FromBytes(bytes: Uint8Array, object: string, field: string): G1 {
  if (bytes.length !== G1_POINT_BYTES) {
    throw new EncodingError(object, field, `${bytes.length} bytes, expected ${G1_POINT_BYTES}`);
  }
  if (bytes.every((b) => b === 0)) return bls12_381.G1.Point.ZERO;
  const x = fpFromBytes(bytes.subarray(0, 64), object, within(field, 'x'));
  const y = fpFromBytes(bytes.subarray(64), object, within(field, 'y'));
  try {
    const p = bls12_381.G1.Point.fromAffine({ x, y });
    p.assertValidity();
    return p;
  } catch {
    throw new EncodingError(object, field, 'not a point of G1 (off the curve or outside the subgroup)');
  }
}

/**
 * A G1 point in EIP-2537 form: x, y, each 64 bytes big-endian (16 zero bytes, then 48); all zeros for infinity.
 * @param point - a point of G1 (@noble/curves bls12_381)
 * @returns 128 bytes
 */
export function encodeG1(point: G1): Uint8Array {
  const out = new Uint8Array(G1_POINT_BYTES);
  if (point.is0()) return out;
  const { x, y } = point.toAffine();
  out.set(fpToBytes(x), 0);
  out.set(fpToBytes(y), FP_BYTES);
  return out;
}

/**
 * Decodes and validates a G1 point in EIP-2537 form (canonical, on the curve, in the subgroup).
 * @param bytes - 128 bytes
 * @param what - the object's name in errors
 * @throws ArgumentTypeError for a non-Uint8Array; EncodingError naming the defect
 */
export function decodeG1(bytes: Uint8Array, what = 'G1 point'): G1 {
  return g1FromBytes(abytes(bytes, what), what, '');
}

/**
 * A G2 point in EIP-2537 form: x.c0, x.c1, y.c0, y.c1, each 64 bytes; all zeros for infinity.
 * @param point - a point of G2 (@noble/curves bls12_381)
 * @returns 256 bytes
 */
export function encodeG2(point: G2): Uint8Array {
  const out = new Uint8Array(G2_POINT_BYTES);
  if (point.is0()) return out;
  const { x, y } = point.toAffine();
  [x.c0, x.c1, y.c0, y.c1].forEach((v, i) => {
    out.set(fpToBytes(v), i * FP_BYTES);
  });
  return out;
}

/**
 * Decodes and validates a G2 point in EIP-2537 form.
 * @param bytes - 256 bytes
 * @param what - the object's name in errors
 * @throws ArgumentTypeError for a non-Uint8Array; EncodingError naming the defect
 */
export function decodeG2(bytes: Uint8Array, what = 'G2 point'): G2 {
  abytes(bytes, what);
  if (bytes.length !== G2_POINT_BYTES) throw new EncodingError(what, '', `${bytes.length} bytes, expected ${G2_POINT_BYTES}`);
  if (bytes.every((b) => b === 0)) return bls12_381.G2.Point.ZERO;
  const [x0, x1, y0, y1] = [0, 1, 2, 3].map((i) => fpFromBytes(bytes.subarray(i * 64, i * 64 + 64), what, `word ${i}`)) as [
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  try {
    const p = bls12_381.G2.Point.fromAffine({ x: { c0: x0, c1: x1 }, y: { c0: y0, c1: y1 } });
    p.assertValidity();
    return p;
  } catch {
    throw new EncodingError(what, '', 'not a point of G2 (off the curve or outside the subgroup)');
  }
}

/**
 * AuthSign's public parameters as the contract's constructor takes them: mpk in EIP-2537 form.
 * @param params - medshare/sign public parameters
 * @returns 256 bytes
 */
export function encodeAuthSignParams(params: AuthSignParams): Uint8Array {
  return encodeG2(ascheme<AuthSignParams>(params, 'authSign', 'params').mpk);
}

/**
 * A medshare/sign signature (U || V, 96 compressed bytes) in the contract's form (U || V, 256 bytes, EIP-2537).
 * @throws ArgumentTypeError for a non-Uint8Array; EncodingError (object `AuthSign signature`) when
 *   the signature is not two valid compressed G1 points
 */
export function encodeSignature(signature: Uint8Array): Uint8Array {
  abytes(signature, 'signature');
  if (signature.length !== 96) throw new EncodingError('AuthSign signature', '', `${signature.length} bytes, expected 96`);
  const out = new Uint8Array(EVM_SIGNATURE_BYTES);
  for (const [i, name] of ['U', 'V'].entries()) {
    let point: G1;
    try {
      point = bls12_381.G1.Point.fromBytes(signature.subarray(48 * i, 48 * i + 48));
    } catch {
      throw new EncodingError('AuthSign signature', name, 'not a valid compressed G1 point');
    }
    out.set(encodeG1(point), 128 * i);
  }
  return out;
}

/**
 * The contract's form of a signature (256 bytes) back to medshare/sign's 96 compressed bytes.
 * @throws ArgumentTypeError for a non-Uint8Array; EncodingError (object `EVM signature`) naming a malformed point
 */
export function decodeSignature(bytes: Uint8Array): Uint8Array {
  abytes(bytes, 'signature');
  if (bytes.length !== EVM_SIGNATURE_BYTES) {
    throw new EncodingError('EVM signature', '', `${bytes.length} bytes, expected ${EVM_SIGNATURE_BYTES}`);
  }
  const u = g1FromBytes(bytes.subarray(0, 128), 'EVM signature', 'U');
  const v = g1FromBytes(bytes.subarray(128), 'EVM signature', 'V');
  if (u.is0() || v.is0()) throw new EncodingError('EVM signature', u.is0() ? 'U' : 'V', 'the point at infinity');
  const out = new Uint8Array(96);
  out.set(u.toBytes(true), 0);
  out.set(v.toBytes(true), 48);
  return out;
}

// ---------------------------------------------------------------- Groth16 (BN254, EIP-197)

/** A snarkjs JSON coordinate: a canonical decimal string below q (as medshare/zk decodes them). */
function bnCoordinate(value: unknown, object: string, field: string): bigint {
  const x = canonicalDecimal(value, Q);
  if (x === undefined)
    throw new EncodingError(object, field, 'expected a canonical decimal string (no sign, no leading zero) below q');
  return x;
}

function g1Words(value: unknown, object: string, field: string): [bigint, bigint] {
  if (!Array.isArray(value) || value.length !== 3 || value[2] !== '1')
    throw new EncodingError(object, field, 'expected [x, y, "1"]');
  return [bnCoordinate(value[0], object, `${field}[0]`), bnCoordinate(value[1], object, `${field}[1]`)];
}

/** EIP-197 order: x.c1, x.c0, y.c1, y.c0 (snarkjs JSON lists c0 first). */
function g2Words(value: unknown, object: string, field: string): [bigint, bigint, bigint, bigint] {
  const v = value as unknown[][];
  if (
    !Array.isArray(v) ||
    v.length !== 3 ||
    !v.every((pair) => Array.isArray(pair) && pair.length === 2) ||
    v[2]?.[0] !== '1' ||
    v[2]?.[1] !== '0'
  ) {
    throw new EncodingError(object, field, 'expected [[x0, x1], [y0, y1], ["1", "0"]]');
  }
  const [x, y] = v as [unknown[], unknown[]];
  return [
    bnCoordinate(x[1], object, `${field}[0][1]`),
    bnCoordinate(x[0], object, `${field}[0][0]`),
    bnCoordinate(y[1], object, `${field}[1][1]`),
    bnCoordinate(y[0], object, `${field}[1][0]`),
  ];
}

/**
 * A Groth16 verification key (snarkjs JSON, medshare/zk `VerificationKey`) in the contract's form:
 * 896 bytes of 32-byte words, alpha (x, y), beta, gamma, delta (x.c1, x.c0, y.c1, y.c0), IC_0..IC_6.
 * Only the layout is checked here (6 public signals, coordinates below q); the contract checks the
 * points when the key is published and at every verification.
 * @throws ArgumentTypeError for a non-object; EncodingError (object `verificationKey`) naming a malformed field
 */
export function encodeVerificationKey(vk: VerificationKey): Uint8Array {
  aobject(vk, 'verificationKey');
  if (vk.protocol !== 'groth16' || vk.curve !== 'bn128')
    throw new EncodingError('verificationKey', '', 'not a groth16/bn128 key');
  if (vk.nPublic !== PUBLIC_SIGNAL_COUNT)
    throw new EncodingError('verificationKey', 'nPublic', `expected ${PUBLIC_SIGNAL_COUNT}`);
  if (!Array.isArray(vk.IC) || vk.IC.length !== PUBLIC_SIGNAL_COUNT + 1) {
    throw new EncodingError('verificationKey', 'IC', `expected ${PUBLIC_SIGNAL_COUNT + 1} points`);
  }
  const words = [
    ...g1Words(vk.vk_alpha_1, 'verificationKey', 'vk_alpha_1'),
    ...g2Words(vk.vk_beta_2, 'verificationKey', 'vk_beta_2'),
    ...g2Words(vk.vk_gamma_2, 'verificationKey', 'vk_gamma_2'),
    ...g2Words(vk.vk_delta_2, 'verificationKey', 'vk_delta_2'),
    ...vk.IC.flatMap((p, i) => g1Words(p, 'verificationKey', `IC[${i}]`)),
  ];
  const out = new Uint8Array(VERIFICATION_KEY_BYTES);
  words.forEach((w, i) => {
    out.set(numberToBytesBE(w, 32), 32 * i);
  });
  return out;
}

/**
 * The contract's form of a verification key back to snarkjs JSON.
 * @throws ArgumentTypeError for a non-Uint8Array; EncodingError (object `EVM verification key`)
 *   for a wrong length or a coordinate >= q
 */
export function decodeVerificationKey(bytes: Uint8Array): VerificationKey {
  abytes(bytes, 'verificationKey');
  if (bytes.length !== VERIFICATION_KEY_BYTES) {
    throw new EncodingError('EVM verification key', '', `${bytes.length} bytes, expected ${VERIFICATION_KEY_BYTES}`);
  }
  const w = Array.from({ length: 28 }, (_, i) => {
    const x = bytesToNumberBE(bytes.subarray(32 * i, 32 * i + 32));
    if (x >= Q) throw new EncodingError('EVM verification key', `word ${i}`, 'not below q');
    return x.toString();
  });
  const g1 = (i: number): [string, string, string] => [w[i] as string, w[i + 1] as string, '1'];
  const g2 = (i: number): [[string, string], [string, string], [string, string]] => [
    [w[i + 1] as string, w[i] as string],
    [w[i + 3] as string, w[i + 2] as string],
    ['1', '0'],
  ];
  return {
    protocol: 'groth16',
    curve: 'bn128',
    nPublic: PUBLIC_SIGNAL_COUNT,
    vk_alpha_1: g1(0),
    vk_beta_2: g2(2),
    vk_gamma_2: g2(6),
    vk_delta_2: g2(10),
    IC: Array.from({ length: PUBLIC_SIGNAL_COUNT + 1 }, (_, i) => g1(14 + 2 * i)),
  };
}

/** A Groth16 proof as the contract takes it: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y. */
export type ProofWords = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

/**
 * A Groth16 proof (snarkjs JSON, or medshare/zk's packed 256 bytes, which is the same order) as 8 words.
 * Coordinates are checked to be below q; the contract checks the points.
 * @throws ArgumentTypeError for neither bytes nor an object; EncodingError (object `proof`) naming a malformed field
 */
export function encodeProof(proof: Groth16Proof | Uint8Array): ProofWords {
  if (proof instanceof Uint8Array) {
    if (proof.length !== 256) throw new EncodingError('proof', '', `${proof.length} bytes, expected 256`);
    return Array.from({ length: 8 }, (_, i) => {
      const x = bytesToNumberBE(proof.subarray(32 * i, 32 * i + 32));
      if (x >= Q) throw new EncodingError('proof', `word ${i}`, 'not below q');
      return x;
    }) as unknown as ProofWords;
  }
  aobject(proof, 'proof');
  return [
    ...g1Words(proof.pi_a, 'proof', 'pi_a'),
    ...g2Words(proof.pi_b, 'proof', 'pi_b'),
    ...g1Words(proof.pi_c, 'proof', 'pi_c'),
  ] as ProofWords;
}

/**
 * The 8 words of a proof back to medshare/zk's packed 256 bytes (`decodeProof` of medshare/zk reads them).
 * @throws ArgumentTypeError unless an array of 8 bigints; ArgumentValueError for a word outside [0, 2^256)
 */
export function decodeProof(words: readonly bigint[]): Uint8Array {
  if (!Array.isArray(words) || words.length !== 8 || !words.every((w) => typeof w === 'bigint')) {
    throw new ArgumentTypeError('words', '8 bigints');
  }
  const out = new Uint8Array(256);
  words.forEach((w, i) => {
    if (w < 0n || w >= 1n << 256n) throw new ArgumentValueError(`words[${i}]`, 'not a 256-bit integer');
    out.set(numberToBytesBE(w, 32), 32 * i);
  });
  return out;
}

/** The public signals [R, h, commitment, requirementHash, ID_p, T] as the contract takes them. */
export type SignalWords = readonly [bigint, bigint, bigint, bigint, bigint, bigint];

/**
 * Public signals (canonical decimal strings, as medshare/zk returns them) as 6 words. Values are
 * NOT reduced: a value >= r stays as it is and the contract refuses it (`MalformedTransaction`, as
 * the reference refuses a signal that does not decode).
 * @throws ArgumentTypeError unless an array of 6 strings; EncodingError (object `publicSignals`)
 *   for a string that is not a canonical decimal below 2^256
 */
export function encodePublicSignals(publicSignals: readonly string[]): SignalWords {
  if (
    !Array.isArray(publicSignals) ||
    publicSignals.length !== PUBLIC_SIGNAL_COUNT ||
    !publicSignals.every((s) => typeof s === 'string')
  ) {
    throw new ArgumentTypeError('publicSignals', `${PUBLIC_SIGNAL_COUNT} decimal strings`);
  }
  return publicSignals.map((s, i) => {
    const x = canonicalDecimal(s, 1n << 256n);
    if (x === undefined) throw new EncodingError('publicSignals', `[${i}]`, 'expected a canonical decimal string below 2^256');
    return x;
  }) as unknown as SignalWords;
}

// ---------------------------------------------------------------- what members sign

/** The deployment a signature is bound to: the chain id and the contract's address. */
export interface EvmDomain {
  /** The chain id (EIP-155). */
  readonly chainId: number | bigint;
  /** The MedShare contract's address. */
  readonly contract: Hex;
}

/**
 * The deployment id (docs/protocol.md, "The deployment id") of a MedShare contract on an EVM:
 * `deploymentId(chain, contract)` with `chain` the chain id in decimal (no sign, no leading zero)
 * and `contract` the address as "0x" and 40 lower-case hex digits. The contract computes the same
 * 32 bytes in its constructor, so members sign with `medshare/protocol`'s signers
 * (`signRecordCommitment`, `signSharingForm`, the binding) under
 * `{ deployment: evmDeployment(chainId, address) }`, for either ledger, and a signature made for one
 * deployment is refused by every other.
 * @param chainId - the chain id (EIP-155), a non-negative integer
 * @param address - the contract's address (any case)
 * @returns 32 bytes
 * @throws ArgumentTypeError / ArgumentValueError for a chain id that is not a non-negative integer
 *   below 2^256 or an address that is not 0x and 40 hex digits
 * @example
 * ```ts
 * const config = { deployment: evmDeployment(medshare.chainId, medshare.address) };
 * const consent = encodeSignature(signRecordCommitment(config, alice.signingKey, hospital.address, commitment));
 * ```
 */
export function evmDeployment(chainId: number | bigint, address: Hex): Uint8Array {
  if (typeof chainId !== 'bigint' && !Number.isSafeInteger(chainId))
    throw new ArgumentTypeError('chainId', 'an integer', chainId);
  const id = BigInt(chainId);
  if (id < 0n || id >= 1n << 256n) throw new ArgumentValueError('chainId', 'expected an integer in [0, 2^256)');
  if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new ArgumentValueError('address', 'expected a 20-byte address (0x and 40 hex digits)');
  }
  return deploymentId(id.toString(10), address.toLowerCase());
}

/** A record commitment as the contract's uint256 (internal to medshare/evm: the client checks with it too). */
export function checkCommitment(commitment: bigint, name: string): bigint {
  if (typeof commitment !== 'bigint') throw new ArgumentTypeError(name, 'bigint', commitment);
  if (commitment < 0n || commitment >= 1n << 256n) throw new ArgumentValueError(name, 'expected a bigint in [0, 2^256)');
  return commitment;
}

// ---------------------------------------------------------------- ids

/** keccak256 of an identity's UTF-8 (a member's pseudonym): the contract's key for a member. */
export function identityKey(identity: string): Hex {
  return keccak256(identityBytes(identity, 'identity'));
}

/** What a requirement is published with (the fields its id is derived from). */
export interface RequirementFields {
  /** The hash of the private criteria. */
  readonly criteriaHash: bigint;
  /** The public key words. */
  readonly keywords: readonly string[];
  /** The verification key in the contract's form ({@link encodeVerificationKey}). */
  readonly verificationKey: Uint8Array;
  /** The reward per record. */
  readonly reward: bigint | number;
  /** How many records it buys at most. */
  readonly capacity: number;
  /** Whether the licence is exclusive. */
  readonly exclusive: boolean;
}

/**
 * The id the contract gives a requirement: keccak256(abi.encode("req", institution, criteriaHash,
 * keywords, verificationKey, reward, capacity, exclusive)), `institution` being the publishing
 * member's index (its seat: `MedShareClient.member(pseudonym).index`).
 * @throws ArgumentTypeError or ArgumentValueError naming a field that the contract could not take
 */
export function requirementId(institution: number, fields: RequirementFields): Hex {
  ainteger(institution, 'institution', 1, 0xffff_ffff);
  aobject(fields, 'fields');
  checkCommitment(fields.criteriaHash, 'fields.criteriaHash');
  aarray(fields.keywords, 'fields.keywords');
  abytes(fields.verificationKey, 'fields.verificationKey');
  if (typeof fields.reward !== 'bigint') ainteger(fields.reward, 'fields.reward', 0, Number.MAX_SAFE_INTEGER);
  else if (fields.reward < 0n || fields.reward >= 1n << 64n) throw new ArgumentValueError('fields.reward', 'not a uint64');
  ainteger(fields.capacity, 'fields.capacity', 0, 0xffff_ffff);
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'string' },
        { type: 'uint32' },
        { type: 'uint256' },
        { type: 'string[]' },
        { type: 'bytes' },
        { type: 'uint64' },
        { type: 'uint32' },
        { type: 'bool' },
      ],
      [
        'req',
        institution,
        fields.criteriaHash,
        [...fields.keywords],
        toHex(fields.verificationKey),
        BigInt(fields.reward),
        fields.capacity,
        fields.exclusive,
      ],
    ),
  );
}

/**
 * The id the contract gives a record: keccak256(abi.encode("rec", ID_p, commitment)), ID_p being
 * {@link identityField} of the patient (so that one hash checks a proof's ID_p and commitment).
 */
export function recordId(patient: string, commitment: bigint): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'string' }, { type: 'uint256' }, { type: 'uint256' }],
      ['rec', identityField(patient), checkCommitment(commitment, 'commitment')],
    ),
  );
}

/**
 * The id of an accepted submission: keccak256(abi.encode("appr", requirementId, recordId)).
 * @throws ArgumentValueError unless both ids are 32 bytes of hex (0x and 64 hex digits)
 */
export function approvalId(requirement: Hex, record: Hex): Hex {
  for (const [id, name] of [
    [requirement, 'requirement'],
    [record, 'record'],
  ] as const) {
    if (typeof id !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(id))
      throw new ArgumentValueError(name, 'expected a bytes32 id (0x and 64 hex digits)');
  }
  return keccak256(
    encodeAbiParameters([{ type: 'string' }, { type: 'bytes32' }, { type: 'bytes32' }], ['appr', requirement, record]),
  );
}

/** ID_p as the circuit takes it and the contract computes it: SHA-256 of the identity with the top three bits cleared (medshare/zk `identityToField`). */
export function identityField(identity: string): bigint {
  identityBytes(identity, 'identity');
  return identityToField(identity);
}

// ---------------------------------------------------------------- roles and refusals

/** Role codes on chain (1-based, in medshare/protocol's ROLES order). */
export const ROLE_CODES: Readonly<Record<Role, number>> = Object.freeze({
  patient: 1,
  hospital: 2,
  institution: 3,
  proxy: 4,
  verifier: 5,
});

/**
 * Stages of a sale on chain, by code (0: none): the reference's five (approved, granted, accepted,
 * delivered, refunded) and the optimistic delivery's two (settling: t partials delivered, the
 * dispute window running; disputed: waiting for the membership authority's ruling).
 */
export const STAGES = Object.freeze([
  'none',
  'approved',
  'granted',
  'accepted',
  'delivered',
  'refunded',
  'settling',
  'disputed',
] as const);

/** A sale's stage on chain. */
export type EvmStage = (typeof STAGES)[number];

/**
 * The contract's named errors and the medshare/protocol RefusalReason each stands for, one to one:
 * every refusal of contract v2 (docs/protocol.md) has its error; the four off-chain reasons
 * (`sealedKeyInvalid`, `reEncryptionProofInvalid`, `decryptionFailed`, `recordMismatch`), checked
 * by parties, have none.
 */
export const REFUSAL_OF_ERROR = Object.freeze({
  /** Stands for 'malformedTransaction'. */
  MalformedTransaction: 'malformedTransaction',
  /** Stands for 'unregisteredSender'. */
  UnregisteredSender: 'unregisteredSender',
  /** Stands for 'wrongRole'. */
  WrongRole: 'wrongRole',
  /** Stands for 'badSignature'. */
  BadSignature: 'badSignature',
  /** Stands for 'staleTimestamp'. */
  StaleTimestamp: 'staleTimestamp',
  /** Stands for 'futureTimestamp'. */
  FutureTimestamp: 'futureTimestamp',
  /** Stands for 'notPseudonym'. */
  NotPseudonym: 'notPseudonym',
  /** Stands for 'alreadyRegistered'. */
  AlreadyRegistered: 'alreadyRegistered',
  /** Stands for 'duplicate'. */
  Duplicate: 'duplicate',
  /** Stands for 'unknownAccount'. */
  UnknownAccount: 'unknownAccount',
  /** Stands for 'unknownPatient'. */
  UnknownPatient: 'unknownPatient',
  /** Stands for 'unknownRequirement'. */
  UnknownRequirement: 'unknownRequirement',
  /** Stands for 'unknownRecord'. */
  UnknownRecord: 'unknownRecord',
  /** Stands for 'unknownApproval'. */
  UnknownApproval: 'unknownApproval',
  /** Stands for 'notRecordOwner'. */
  NotRecordOwner: 'notRecordOwner',
  /** Stands for 'notParty'. */
  NotParty: 'notParty',
  /** Stands for 'requirementMismatch'. */
  RequirementMismatch: 'requirementMismatch',
  /** Stands for 'commitmentMismatch'. */
  CommitmentMismatch: 'commitmentMismatch',
  /** Stands for 'identityMismatch'. */
  IdentityMismatch: 'identityMismatch',
  /** Stands for 'notEligible'. */
  NotEligible: 'notEligible',
  /** Stands for 'replayedSubmission'. */
  ReplayedSubmission: 'replayedSubmission',
  /** Stands for 'invalidProof'. */
  InvalidProof: 'invalidProof',
  /** Stands for 'insufficientFunds'. */
  InsufficientFunds: 'insufficientFunds',
  /** Stands for 'requirementClosed'. */
  RequirementClosed: 'requirementClosed',
  /** Stands for 'requirementFull'. */
  RequirementFull: 'requirementFull',
  /** Stands for 'exclusiveLicence'. */
  ExclusiveLicence: 'exclusiveLicence',
  /** Stands for 'conflictingSale'. */
  ConflictingSale: 'conflictingSale',
  /** Stands for 'wrongStage'. */
  WrongStage: 'wrongStage',
  /** Stands for 'saleExpired'. */
  SaleExpired: 'saleExpired',
  /** Stands for 'deadlineNotReached'. */
  DeadlineNotReached: 'deadlineNotReached',
  /** Stands for 'grantMismatch'. */
  GrantMismatch: 'grantMismatch',
  /** Stands for 'invalidProxies'. */
  InvalidProxies: 'invalidProxies',
  /** Stands for 'invalidPartial'. */
  InvalidPartial: 'invalidPartial',
} as const satisfies Record<string, RefusalReason>);

/** The name of one of the contract's refusal errors. */
export type RefusalError = keyof typeof REFUSAL_OF_ERROR;

/**
 * The contract's errors of the dispute path, which stand for no RefusalReason (the reference has
 * no dispute): `DisputeWindowClosed` (a dispute after the window) and `NotDelivered` (no delivered
 * share with that index, or not the disputed one).
 */
export const DISPUTE_ERRORS = Object.freeze(['DisputeWindowClosed', 'NotDelivered'] as const);

/** The name of one of the contract's dispute-path errors. */
export type DisputeError = (typeof DISPUTE_ERRORS)[number];

/** What a revert of the contract means. */
export type DecodedRevert =
  | {
      /** A named refusal. */
      readonly kind: 'refusal';
      /** The error's name. */
      readonly error: RefusalError;
      /** The RefusalReason it stands for. */
      readonly reason: RefusalReason;
    }
  | {
      /** A refusal of the dispute path (dispute, resolveDispute), which has no RefusalReason. */
      readonly kind: 'dispute';
      /** The error's name. */
      readonly error: DisputeError;
    }
  | {
      /** Another error of the contract (PrecompileMissing, CodeStoreFailed) or of the EVM. */
      readonly kind: 'other';
      /** The error's name, when the data decodes ('Error', 'Panic', ...), else null. */
      readonly error: string | null;
    };

/**
 * Decodes the revert data of a MedShare call.
 * @param data - the revert data (hex)
 * @returns a refusal with its RefusalReason, or another kind of failure
 */
export function decodeRevert(data: Hex): DecodedRevert {
  if (data === '0x' || data.length < 10) return { kind: 'other', error: null };
  try {
    const { errorName } = decodeErrorResult({ abi: medShareAbi, data });
    if (Object.hasOwn(REFUSAL_OF_ERROR, errorName)) {
      const error = errorName as RefusalError;
      return { kind: 'refusal', error, reason: REFUSAL_OF_ERROR[error] };
    }
    if ((DISPUTE_ERRORS as readonly string[]).includes(errorName)) return { kind: 'dispute', error: errorName as DisputeError };
    return { kind: 'other', error: errorName };
  } catch {
    return { kind: 'other', error: null };
  }
}
