/**
 * The Groth16 keys and proofs of medshare/zk in snarkjs's formats, and their checks:
 * - the proving key EK_c is a snarkjs .zkey (bytes) with the circuit's witness generator;
 * - the verification key VK_c is snarkjs's JSON (`snarkjs zkey export verificationkey`);
 * - a proof is snarkjs's JSON, or 256 packed bytes: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0,
 *   C.x, C.y, each 32-byte big-endian (the EIP-197 order Solidity verifiers use).
 * Everything decoded from outside is checked: coordinates canonical decimal strings (JSON) or
 * 32-byte words (bytes) below q, points on the curve and in the prime-order subgroup, not at
 * infinity; a defect is a {@link MalformedError}. The cheap checks of every point come before the
 * one costly check (G2 subgroup membership), so malformed input is refused early. Keys of a JSON
 * object other than those named here are ignored (the points are the object).
 * @module
 */
import { bn254 } from '@noble/curves/bn254.js';
import type { Circuit } from './circuit.js';
import { MalformedError } from './errors.js';
import { BASE_FIELD_ORDER, FIELD_ORDER, bytesToBigIntBE, bytesToBigIntLE, invert, writeBigIntBE } from './field.js';
import type { CircuitShape } from './shape.js';
import { canonicalDecimal } from '../internal/decimal.js';
import { ArgumentTypeError } from '../internal/errors.js';

/** EK_c: the snarkjs .zkey and the witness generator of the circuit it belongs to. */
export interface ProvingKey {
  /** The shape of the circuit the key was generated for; {@link prove} checks its inputs against it. */
  readonly shape: CircuitShape;
  /** snarkjs .zkey bytes (Groth16, BN254). */
  readonly zkey: Uint8Array;
  /** The circuit's witness generator (circom WebAssembly). */
  readonly wasm: Uint8Array;
}

/**
 * A point of G1 of BN254 in snarkjs's JSON form: `[x, y, "1"]`, the affine coordinates x and y
 * as decimal strings of base-field (F_q) elements below q, then the projective z = 1. The
 * point at infinity is not accepted where a G1Json is decoded.
 */
export type G1Json = [string, string, string];
/**
 * A point of G2 of BN254 (over F_q2 = F_q[u] / (u^2 + 1)) in snarkjs's JSON form:
 * `[[x0, x1], [y0, y1], ["1", "0"]]`, where x = x0 + x1 u and y = y0 + y1 u are the affine
 * coordinates, each component a decimal string below q, and `["1", "0"]` is the projective
 * z = 1. Note the order: c0 first here, c1 first in the packed (EIP-197) proof bytes.
 */
export type G2Json = [[string, string], [string, string], [string, string]];

/** VK_c: snarkjs's verification-key JSON for Groth16 on bn128. */
export interface VerificationKey {
  /** The proof system: always `'groth16'`. */
  readonly protocol: 'groth16';
  /** The curve, in snarkjs's name: `'bn128'` is BN254 (alt_bn128, the EIP-196/197 curve). */
  readonly curve: 'bn128';
  /**
   * The number of public signals (circuit outputs, then public inputs) a proof is checked
   * against; {@link PUBLIC_SIGNALS} (6) for the eligibility circuit.
   */
  readonly nPublic: number;
  /** [alpha]_1: the setup secret alpha times the generator of G1 of BN254. */
  readonly vk_alpha_1: G1Json;
  /** [beta]_2: the setup secret beta times the generator of G2 of BN254. */
  readonly vk_beta_2: G2Json;
  /** [gamma]_2: the setup secret gamma times the generator of G2; pairs with the public-input term. */
  readonly vk_gamma_2: G2Json;
  /** [delta]_2: the setup secret delta times the generator of G2; pairs with the proof's C. */
  readonly vk_delta_2: G2Json;
  /**
   * The public-input bases, nPublic + 1 points of G1: IC_j = [(beta u_j(tau) + alpha v_j(tau) +
   * w_j(tau)) / gamma]_1 for the QAP polynomials u_j, v_j, w_j of wire j. IC[0] belongs to the
   * constant wire 1 and IC[i] to public signal i - 1, so a verifier forms
   * vk_x = IC[0] + sum_i x_i IC[i + 1] from the public signals x.
   */
  readonly IC: G1Json[];
}

/** A Groth16 proof in snarkjs's JSON form. */
export interface Groth16Proof {
  /** A, the proof's first element, a point of G1. */
  readonly pi_a: G1Json;
  /** B, the proof's second element, a point of G2. */
  readonly pi_b: G2Json;
  /** C, the proof's third element, a point of G1. */
  readonly pi_c: G1Json;
  /** The proof system: always `'groth16'`. */
  readonly protocol: 'groth16';
  /** The curve, in snarkjs's name: `'bn128'` is BN254. */
  readonly curve: 'bn128';
}

/** Number of public signals of the eligibility circuit: R, h, commitment, requirementHash, ID_p, T. */
export const PUBLIC_SIGNALS = 6;
/** Size of a packed proof. */
export const PROOF_BYTES = 256;

const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const Fp2 = bn254.fields.Fp2;
const TWIST_B = G2.CURVE().b;
export type G1Point = InstanceType<typeof G1>;
export type G2Point = InstanceType<typeof G2>;

// --- zkey (bytes) ---------------------------------------------------------------------------

interface ZkeyHeader {
  nVars: number;
  nPublic: number;
  domainSize: number;
  header: { offset: number; size: number };
  ic: { offset: number; size: number };
  sections: Map<number, { offset: number; size: number }>;
}

function readZkeyHeader(zkey: Uint8Array): ZkeyHeader {
  if (!(zkey instanceof Uint8Array)) throw new ArgumentTypeError('zkey', 'Uint8Array');
  const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
  if (zkey.length < 12 || new TextDecoder().decode(zkey.subarray(0, 4)) !== 'zkey') throw new MalformedError('zkey', 'bad magic');
  if (view.getUint32(4, true) !== 1) throw new MalformedError('zkey', `version ${view.getUint32(4, true)}, expected 1`);
  const sections = new Map<number, { offset: number; size: number }>();
  let pos = 12;
  for (let i = 0; i < view.getUint32(8, true); i++) {
    if (pos + 12 > zkey.length) throw new MalformedError('zkey', 'truncated section table');
    const id = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    if (pos + 12 + size > zkey.length) throw new MalformedError('zkey', `section ${id} overruns the file`);
    if (id < 1 || id > 10) throw new MalformedError('zkey', `section id ${id} is not one of a Groth16 key's (1 to 10)`);
    if (sections.has(id)) throw new MalformedError('zkey', `section ${id} appears twice`);
    sections.set(id, { offset: pos + 12, size });
    pos += 12 + size;
  }
  if (pos !== zkey.length) throw new MalformedError('zkey', `${zkey.length - pos} bytes after the last section`);
  const protocol = sections.get(1);
  const header = sections.get(2);
  const ic = sections.get(3);
  if (protocol === undefined || header === undefined || ic === undefined) throw new MalformedError('zkey', 'missing sections');
  if (protocol.size !== 4 || view.getUint32(protocol.offset, true) !== 1) throw new MalformedError('zkey', 'not a Groth16 key');
  if (header.size !== 660) throw new MalformedError('zkey', 'unexpected header size');
  const h = header.offset;
  if (view.getUint32(h, true) !== 32 || bytesToBigIntLE(zkey, h + 4, 32) !== BASE_FIELD_ORDER) {
    throw new MalformedError('zkey', 'not over BN254');
  }
  if (view.getUint32(h + 36, true) !== 32 || bytesToBigIntLE(zkey, h + 40, 32) !== FIELD_ORDER) {
    throw new MalformedError('zkey', 'not over BN254');
  }
  const nVars = view.getUint32(h + 72, true);
  const nPublic = view.getUint32(h + 76, true);
  const domainSize = view.getUint32(h + 80, true);
  if (domainSize === 0 || (domainSize & (domainSize - 1)) !== 0)
    throw new MalformedError('zkey', 'domain size is not a power of two');
  if (ic.size !== 64 * (nPublic + 1)) throw new MalformedError('zkey', 'IC section does not match nPublic');
  return { nVars, nPublic, domainSize, header, ic, sections };
}

/**
 * Wraps a .zkey for a circuit, checking the container (sections, sizes, no trailing bytes) and
 * that it is a BN254 Groth16 key for that circuit's wires, public signals and domain. Its points
 * are not checked (thousands of them): a corrupt proving key gives proofs that do not verify.
 * @throws MalformedError naming the first defect; TypeError for a non-Uint8Array.
 */
export function provingKeyFromZkey(circuit: Circuit, zkey: Uint8Array): ProvingKey {
  const h = readZkeyHeader(zkey);
  const nPublic = circuit.header.nOutputs + circuit.header.nPublicInputs;
  if (h.nVars !== circuit.header.nVars || h.nPublic !== nPublic) {
    throw new MalformedError(
      'zkey',
      `is for ${h.nVars} wires and ${h.nPublic} public signals, the circuit has ${circuit.header.nVars} and ${nPublic}`,
    );
  }
  // snarkjs's domain: the least power of two above constraints + public signals.
  const domainSize = 2 ** (Math.floor(Math.log2(circuit.header.nConstraints + nPublic)) + 1);
  if (h.domainSize !== domainSize) {
    throw new MalformedError('zkey', `has a domain of ${h.domainSize} points, the circuit needs ${domainSize}`);
  }
  // Every section the prover reads, at the size the header implies (coefficients: a count, then
  // 44 bytes each; A, B1, C, H: 64-byte G1 points; B2: 128-byte G2 points).
  const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
  const coefficients = h.sections.get(4);
  if (coefficients === undefined || coefficients.size < 4) throw new MalformedError('zkey', 'section 4 (coefficients) missing');
  const expected: [number, number][] = [
    [4, 4 + 44 * view.getUint32(coefficients.offset, true)],
    [5, 64 * h.nVars],
    [6, 64 * h.nVars],
    [7, 128 * h.nVars],
    [8, 64 * (h.nVars - h.nPublic - 1)],
    [9, 64 * h.domainSize],
  ];
  for (const [id, size] of expected) {
    if (h.sections.get(id)?.size !== size) throw new MalformedError('zkey', `section ${id} is missing or not ${size} bytes`);
  }
  if ((h.sections.get(10)?.size ?? 0) < 68) throw new MalformedError('zkey', 'section 10 (contributions) is missing or short');
  return { shape: circuit.shape, zkey, wasm: circuit.wasm };
}

const MONTGOMERY_INVERSE = invert((1n << 256n) % BASE_FIELD_ORDER, BASE_FIELD_ORDER);
const fromMontgomery = (bytes: Uint8Array, offset: number) => {
  const x = bytesToBigIntLE(bytes, offset, 32);
  if (x >= BASE_FIELD_ORDER) throw new MalformedError('zkey', `coordinate at byte ${offset} is not below q`);
  return ((x * MONTGOMERY_INVERSE) % BASE_FIELD_ORDER).toString();
};
const g1FromZkey = (z: Uint8Array, o: number): G1Json => [fromMontgomery(z, o), fromMontgomery(z, o + 32), '1'];
const g2FromZkey = (z: Uint8Array, o: number): G2Json => [
  [fromMontgomery(z, o), fromMontgomery(z, o + 32)],
  [fromMontgomery(z, o + 64), fromMontgomery(z, o + 96)],
  ['1', '0'],
];

/** VK_c from a .zkey: what `snarkjs zkey export verificationkey` gives, without vk_alphabeta_12 (unused by verifiers). */
export function verificationKeyFromZkey(zkey: Uint8Array): VerificationKey {
  const h = readZkeyHeader(zkey);
  const o = h.header.offset + 84;
  const IC: G1Json[] = [];
  for (let i = 0; i <= h.nPublic; i++) IC.push(g1FromZkey(zkey, h.ic.offset + 64 * i));
  const vk: VerificationKey = {
    protocol: 'groth16',
    curve: 'bn128',
    nPublic: h.nPublic,
    vk_alpha_1: g1FromZkey(zkey, o),
    vk_beta_2: g2FromZkey(zkey, o + 128),
    vk_gamma_2: g2FromZkey(zkey, o + 256),
    vk_delta_2: g2FromZkey(zkey, o + 448),
    IC,
  };
  decodeVerificationKey(vk);
  return vk;
}

// --- verification key (JSON) -----------------------------------------------------------------

/** VK_c as curve points, checked; `alphaBeta` = e(alpha, beta) once {@link prepareVerificationKey} computed it. */
export interface DecodedVerificationKey {
  /** [alpha]_1 in G1 (from {@link VerificationKey.vk_alpha_1}). */
  readonly alpha: G1Point;
  /** [beta]_2 in G2 (from {@link VerificationKey.vk_beta_2}). */
  readonly beta: G2Point;
  /** [gamma]_2 in G2 (from {@link VerificationKey.vk_gamma_2}). */
  readonly gamma: G2Point;
  /** [delta]_2 in G2 (from {@link VerificationKey.vk_delta_2}). */
  readonly delta: G2Point;
  /** The public-input bases IC_0..IC_nPublic in G1 (from {@link VerificationKey.IC}). */
  readonly ic: readonly G1Point[];
  /**
   * e(alpha, beta), the pairing of the first two points, an element of the target group
   * (in F_q12); present only in the form {@link prepareVerificationKey} returns, absent after
   * {@link decodeVerificationKey}.
   */
  readonly alphaBeta?: ReturnType<typeof bn254.pairing>;
}

/**
 * Decodes and checks a verification key once and precomputes e(alpha, beta), so that each
 * verification costs three pairings and no point checks of the key (about 20 ms here instead
 * of about 45 ms for the JSON key).
 * @throws MalformedError naming the first defect.
 */
export function prepareVerificationKey(vk: unknown): DecodedVerificationKey {
  const decoded = decodeVerificationKey(vk);
  return checked({ ...decoded, alphaBeta: bn254.pairing(decoded.alpha, decoded.beta) });
}

/** The decoded keys this module made (a caller-built object is decoded again, never trusted). */
const decodedKeys = new WeakSet<object>();
function checked(key: DecodedVerificationKey): DecodedVerificationKey {
  decodedKeys.add(Object.freeze(key));
  return key;
}

/** True iff `value` is a key returned by {@link decodeVerificationKey} or {@link prepareVerificationKey}. */
export function isDecodedVerificationKey(value: unknown): value is DecodedVerificationKey {
  return typeof value === 'object' && value !== null && decodedKeys.has(value);
}

/**
 * Checks a verification key (JSON from outside) and decodes its points.
 * @throws MalformedError naming the first defect.
 */
export function decodeVerificationKey(vk: unknown): DecodedVerificationKey {
  if (typeof vk !== 'object' || vk === null) throw new MalformedError('verificationKey', 'expected an object');
  const k = vk as Record<string, unknown>;
  if (k.protocol !== 'groth16' || k.curve !== 'bn128') throw new MalformedError('verificationKey', 'not a groth16/bn128 key');
  if (k.nPublic !== PUBLIC_SIGNALS) throw new MalformedError('verificationKey.nPublic', `expected ${PUBLIC_SIGNALS}`);
  if (!Array.isArray(k.IC) || k.IC.length !== PUBLIC_SIGNALS + 1) {
    throw new MalformedError('verificationKey.IC', `expected ${PUBLIC_SIGNALS + 1} points`);
  }
  const alpha = g1FromJson(k.vk_alpha_1, 'verificationKey.vk_alpha_1');
  const ic = k.IC.map((p, i) => g1FromJson(p, `verificationKey.IC[${i}]`));
  const beta = g2OnCurve(k.vk_beta_2, 'verificationKey.vk_beta_2');
  const gamma = g2OnCurve(k.vk_gamma_2, 'verificationKey.vk_gamma_2');
  const delta = g2OnCurve(k.vk_delta_2, 'verificationKey.vk_delta_2');
  return checked({
    alpha,
    beta: g2InSubgroup(beta, 'verificationKey.vk_beta_2'),
    gamma: g2InSubgroup(gamma, 'verificationKey.vk_gamma_2'),
    delta: g2InSubgroup(delta, 'verificationKey.vk_delta_2'),
    ic,
  });
}

// --- proofs ------------------------------------------------------------------------------------

/** A proof as curve points, checked. */
export interface DecodedProof {
  /** A in G1 (from {@link Groth16Proof.pi_a}). */
  readonly a: G1Point;
  /** B in G2 (from {@link Groth16Proof.pi_b}). */
  readonly b: G2Point;
  /** C in G1 (from {@link Groth16Proof.pi_c}). */
  readonly c: G1Point;
}

/**
 * Checks a snarkjs JSON proof and decodes its points.
 * @throws MalformedError naming the first defect.
 */
export function decodeProofJson(proof: unknown): DecodedProof {
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof))
    throw new MalformedError('proof', 'expected an object');
  const p = proof as Record<string, unknown>;
  if (p.protocol !== undefined && p.protocol !== 'groth16') throw new MalformedError('proof.protocol', 'expected groth16');
  if (p.curve !== undefined && p.curve !== 'bn128') throw new MalformedError('proof.curve', 'expected bn128');
  const a = g1FromJson(p.pi_a, 'proof.pi_a');
  const c = g1FromJson(p.pi_c, 'proof.pi_c');
  const b = g2InSubgroup(g2OnCurve(p.pi_b, 'proof.pi_b'), 'proof.pi_b');
  return { a, b, c };
}

/**
 * Packs a proof into 256 bytes: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y (32-byte big-endian each).
 * @throws MalformedError if the proof is not a valid proof object.
 * @example
 * ```ts
 * const bytes = encodeProof(proof); // 256 bytes
 * decodeProof(bytes); // the same proof
 * ```
 */
export function encodeProof(proof: Groth16Proof): Uint8Array {
  const { a, b, c } = decodeProofJson(proof);
  const out = new Uint8Array(PROOF_BYTES);
  const pa = a.toAffine();
  const pb = b.toAffine();
  const pc = c.toAffine();
  const words = [pa.x, pa.y, pb.x.c1, pb.x.c0, pb.y.c1, pb.y.c0, pc.x, pc.y];
  words.forEach((x, i) => {
    writeBigIntBE(out, 32 * i, x);
  });
  return out;
}

/**
 * Unpacks 256 bytes into a snarkjs JSON proof.
 * @throws TypeError for a non-Uint8Array; MalformedError for a wrong length, a coordinate
 *   >= q, a point off the curve or outside the subgroup, or the point at infinity.
 */
export function decodeProof(bytes: Uint8Array): Groth16Proof {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentTypeError('proof', 'Uint8Array');
  if (bytes.length !== PROOF_BYTES) throw new MalformedError('proof', `is ${bytes.length} bytes, expected ${PROOF_BYTES}`);
  const w = Array.from({ length: 8 }, (_, i) => {
    const x = bytesToBigIntBE(bytes, 32 * i, 32);
    if (x >= BASE_FIELD_ORDER) throw new MalformedError('proof', `coordinate ${i} is not below q`);
    return x.toString();
  }) as [string, string, string, string, string, string, string, string];
  const json: Groth16Proof = {
    pi_a: [w[0], w[1], '1'],
    pi_b: [
      [w[3], w[2]],
      [w[5], w[4]],
      ['1', '0'],
    ],
    pi_c: [w[6], w[7], '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
  decodeProofJson(json);
  return json;
}

// --- points --------------------------------------------------------------------------------------

function coordinate(value: unknown, what: string): bigint {
  const x = canonicalDecimal(value, BASE_FIELD_ORDER);
  if (x === undefined) throw new MalformedError(what, 'expected a canonical decimal string (no sign, no leading zero) below q');
  return x;
}

function g1FromJson(value: unknown, what: string): G1Point {
  if (!Array.isArray(value) || value.length !== 3 || value[2] !== '1') throw new MalformedError(what, 'expected [x, y, "1"]');
  const x = coordinate(value[0], `${what}[0]`);
  const y = coordinate(value[1], `${what}[1]`);
  if (x === 0n && y === 0n) throw new MalformedError(what, 'is the point at infinity');
  try {
    const p = G1.fromAffine({ x, y });
    p.assertValidity();
    return p;
  } catch {
    throw new MalformedError(what, 'is not on the curve');
  }
}

/** A G2 point from JSON, checked to lie on the twist (the subgroup check is {@link g2InSubgroup}). */
function g2OnCurve(value: unknown, what: string): G2Point {
  if (!Array.isArray(value) || value.length !== 3) throw new MalformedError(what, 'expected [[x0, x1], [y0, y1], ["1", "0"]]');
  const [xs, ys, zs] = value as unknown[];
  if (!Array.isArray(xs) || !Array.isArray(ys) || !Array.isArray(zs) || xs.length !== 2 || ys.length !== 2) {
    throw new MalformedError(what, 'expected [[x0, x1], [y0, y1], ["1", "0"]]');
  }
  if (zs.length !== 2 || zs[0] !== '1' || zs[1] !== '0') throw new MalformedError(what, 'expected affine z = ["1", "0"]');
  const x = Fp2.create({ c0: coordinate(xs[0], `${what}[0][0]`), c1: coordinate(xs[1], `${what}[0][1]`) });
  const y = Fp2.create({ c0: coordinate(ys[0], `${what}[1][0]`), c1: coordinate(ys[1], `${what}[1][1]`) });
  if (Fp2.is0(x) && Fp2.is0(y)) throw new MalformedError(what, 'is the point at infinity');
  // y^2 = x^3 + b' (the twist), the cheap check; subgroup membership costs a scalar multiplication.
  if (!Fp2.eql(Fp2.sqr(y), Fp2.add(Fp2.mul(Fp2.sqr(x), x), TWIST_B))) throw new MalformedError(what, 'is not on the curve');
  return G2.fromAffine({ x, y });
}

/** Checks that a G2 point (on the twist) lies in the prime-order subgroup. */
function g2InSubgroup(p: G2Point, what: string): G2Point {
  try {
    p.assertValidity();
    return p;
  } catch {
    throw new MalformedError(what, 'is not in the prime-order subgroup');
  }
}
