/**
 * ZKPKeyGen (paper 4.2.6, step 5): the Groth16 key pair (EK_c, VK_c) for one eligibility
 * circuit, written in snarkjs's formats (a .zkey proving key, a verification-key JSON).
 *
 * The paper's PKG is fully trusted, so the default is a single-party setup, as gnark's and
 * arkworks' Groth16 setups are (Groth, "On the Size of Pairing-based Non-interactive
 * Arguments", EUROCRYPT 2016, section 3.2):
 * 1. sample tau, alpha, beta, gamma, delta in Fr* from the caller's RandomSource;
 * 2. evaluate the QAP at tau: with L_c the Lagrange basis of the domain of N = 2^k roots of
 *    unity (N > constraints + public signals), u_j(tau) = sum_c A[c][j] L_c(tau) plus
 *    L_{m+j}(tau) for public j (snarkjs's extra rows binding the public inputs),
 *    v_j(tau) = sum_c B[c][j] L_c(tau), w_j(tau) = sum_c C[c][j] L_c(tau);
 * 3. the CRS by fixed-base multiplication:
 *      A_j = [u_j]_1, B1_j = [v_j]_1, B2_j = [v_j]_2,
 *      IC_j = [(beta u_j + alpha v_j + w_j) / gamma]_1 (public j),
 *      C_j  = [(beta u_j + alpha v_j + w_j) / delta]_1 (private j),
 *      H_i  = [L'_{2i+1}(tau) / delta]_1, L' the Lagrange basis of the 2N-th roots: snarkjs's
 *      prover evaluates A*B - C on the odd 2N-th roots of unity and multiplies these points by
 *      those values directly (rather than the classic [t(tau) tau^i / delta]_1 with h's
 *      coefficients);
 * 4. forget the secrets. JavaScript cannot promise erasure: the scalar buffers are zeroed and
 *    every reference dropped, but bigints and worker memory are left to the garbage collector.
 *
 * Trust: whoever holds tau, alpha and beta can prove anything (an R = 1 proof for any
 * commitment; test/zk-groth16.test.ts forges one), so a zkpKeyGen key is exactly as sound as its
 * maker is honest and its erasure complete. A snarkjs phase-2 contribution on top of such a key
 * (`snarkjs zkey contribute`) re-randomises delta only: tau, alpha and beta stay known to the
 * maker, who can still forge, so contributions on a zkpKeyGen key are not a ceremony.
 *
 * The production path, a ceremony's powers of tau plus phase-2 contributions, is
 * {@link zkpKeyGenFromPtau}, through snarkjs; its keys pass `snarkjs zkey verify` and zkpKeyGen's
 * cannot (see {@link zkpKeyGen}).
 * @module
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { randomFrom, type RandomOptions } from '../internal/random.js';
import type { Circuit } from './circuit.js';
import { loadSnarkjs } from './optional.js';
import { BASE_FIELD_ORDER, FIELD_ORDER, invert, lagrangeAt, randomScalar, writeBigIntLE } from './field.js';
import { fixedBaseTimes } from './fixed-base.js';
import type { ProvingKey, VerificationKey } from './keys.js';
import { provingKeyFromZkey, verificationKeyFromZkey } from './keys.js';
import { type ConstraintSystem, readConstraintSystem } from './r1cs.js';
import { ArgumentTypeError, ArgumentValueError, MedshareError } from '../internal/errors.js';

/** The key pair of ZKPKeyGen: EK_c (proving key) and VK_c (verification key). */
export interface KeyPair {
  /** EK_c: the snarkjs .zkey with the circuit's witness generator, for {@link prove}. */
  readonly provingKey: ProvingKey;
  /** VK_c: snarkjs's verification-key JSON, for {@link verify}. */
  readonly verificationKey: VerificationKey;
}

/** A step of key generation, for progress reports. */
export type KeyGenStage = 'qap' | 'g1' | 'g2' | 'write' | 'ptau' | 'contribute';

/** Options to {@link zkpKeyGen}. */
export interface KeyGenOptions extends RandomOptions {
  /** Called at each step of key generation. */
  onProgress?: (stage: KeyGenStage, message: string) => void;
  /**
   * Run the curve arithmetic on the main thread only. Default false: the worker pool shared
   * with {@link prove}, which stays alive until {@link releaseWorkers} is called.
   */
  singleThread?: boolean;
}

/**
 * ZKPKeyGen(1^lambda, C) -> (EK_c, VK_c) with a single trusted party (the paper's PKG).
 *
 * Its maker knows the trapdoor (tau, alpha, beta suffice to forge a proof of any statement) until
 * it erases it, and keeps it through any later phase-2 contribution, which changes delta only.
 * `snarkjs zkey verify <r1cs> <ptau> <zkey>` refuses these keys whatever ptau file it is given:
 * it rebuilds the key a ptau file determines (snarkjs's newZKey: alpha, beta and the IC, A, B
 * sections from the ptau, gamma = delta = the generator, and in section 10 a BLAKE2b-512 "circuit
 * hash" of that initial key) and requires the same alpha, beta, gamma, sections and circuit hash,
 * and delta reached from the generator by the recorded contributions. A zkpKeyGen key comes from
 * no ptau file (tau, alpha, beta are drawn here, gamma is random), so it fails at the first
 * comparison ("Invalid alpha1"); its section 10 holds BLAKE2b-512 of our coefficient section, not
 * snarkjs's circuit hash, and no contributions. Writing snarkjs's hash would not make it pass, as
 * there is no ptau for it to match. For a key that `zkey verify` accepts, use {@link zkpKeyGenFromPtau}.
 * @param circuit - from {@link buildCircuit}.
 * @param options - randomness (default: the platform CSPRNG), progress, threading.
 * @returns The proving key (a snarkjs .zkey) and the verification key (snarkjs JSON).
 * @throws MalformedError if the R1CS is unreadable; RangeError if the circuit is too large;
 *   MedshareError (`ERR_MISSING_DEPENDENCY`) when snarkjs, whose BN254 arithmetic in WebAssembly
 *   computes the CRS, is not installed (`npm install snarkjs`).
 * @example
 * ```ts
 * const circuit = await buildCircuit(circuitShape(100));
 * const { provingKey, verificationKey } = await zkpKeyGen(circuit);
 * await releaseWorkers(); // when no more keys or proofs are to be made
 * ```
 */
export async function zkpKeyGen(circuit: Circuit, options: KeyGenOptions = {}): Promise<KeyPair> {
  const random = randomFrom(options);
  const snarkjs = await loadSnarkjs('medshare/zk zkpKeyGen'); // first, so that a missing snarkjs fails fast
  const progress = options.onProgress ?? (() => {});
  const cs = readConstraintSystem(circuit.r1cs);
  const nPublic = cs.nOutputs + cs.nPublicInputs;
  const nPrivate = cs.nVars - nPublic - 1;
  const power = domainPower(cs); // snarkjs's domain size rule
  if (power + 1 > 28) throw new ArgumentValueError('circuit', `needs a domain of 2^${power}, too large for BN254`);
  const domainSize = 2 ** power;

  // 1. Toxic waste.
  let tau = randomScalar(random);
  let alpha = randomScalar(random);
  let beta = randomScalar(random);
  let gamma = randomScalar(random);
  let delta = randomScalar(random);

  // 2. The QAP at tau.
  progress('qap', `evaluating ${cs.nConstraints} constraints over a domain of 2^${power}`);
  const r = FIELD_ORDER;
  const { u, v, w, lagrange } = qapAt(cs, tau, power);
  const gammaInverse = invert(gamma);
  const deltaInverse = invert(delta);
  const combined = (j: number, divisor: bigint) =>
    ((((beta * (u[j] as bigint)) % r) + ((alpha * (v[j] as bigint)) % r) + (w[j] as bigint)) * divisor) % r;
  const doubled = lagrangeAt(tau, power + 1);

  // Scalar layout of the G1 batch: alpha, beta, delta | IC | A | B1 | C | H.
  const g1Count = 3 + (nPublic + 1) + 2 * cs.nVars + nPrivate + domainSize;
  const g1 = new Uint8Array(32 * g1Count);
  let at = 0;
  const put = (buffer: Uint8Array, x: bigint) => {
    writeBigIntLE(buffer, 32 * at, x);
    at++;
  };
  for (const x of [alpha, beta, delta]) put(g1, x);
  for (let j = 0; j <= nPublic; j++) put(g1, combined(j, gammaInverse));
  for (let j = 0; j < cs.nVars; j++) put(g1, u[j] as bigint);
  for (let j = 0; j < cs.nVars; j++) put(g1, v[j] as bigint);
  for (let j = nPublic + 1; j < cs.nVars; j++) put(g1, combined(j, deltaInverse));
  for (let i = 0; i < domainSize; i++) put(g1, ((doubled[2 * i + 1] as bigint) * deltaInverse) % r);
  at = 0;
  const g2 = new Uint8Array(32 * (3 + cs.nVars));
  for (const x of [beta, gamma, delta]) put(g2, x);
  for (let j = 0; j < cs.nVars; j++) put(g2, v[j] as bigint);
  // Drop the secrets: only the scalar buffers remain, and they are zeroed below.
  tau = alpha = beta = gamma = delta = 0n;
  lagrange.fill(0n);
  doubled.fill(0n);
  u.fill(0n);
  v.fill(0n);
  w.fill(0n);

  // 3. The CRS.
  // ffjavascript's BN254 through snarkjs. The shared worker pool (ffjavascript caches one threaded
  // curve, which snarkjs's prover uses too): ending it here could break a proof running beside
  // us, so releaseWorkers() ends it.
  const curve = await snarkjs.curves.getCurveFromName('bn128', { singleThread: options.singleThread === true });
  let p1: Uint8Array;
  let p2: Uint8Array;
  try {
    progress('g1', `${g1Count} fixed-base multiplications in G1`);
    p1 = await fixedBaseTimes(curve, 'G1', g1);
    progress('g2', `${3 + cs.nVars} fixed-base multiplications in G2`);
    p2 = await fixedBaseTimes(curve, 'G2', g2);
  } finally {
    g1.fill(0);
    g2.fill(0);
  }

  // 4. The .zkey file.
  progress('write', 'writing the proving key');
  const s1 = 64;
  const s2 = 128;
  const g1At = (i: number) => p1.subarray(s1 * i, s1 * (i + 1));
  const g2At = (i: number) => p2.subarray(s2 * i, s2 * (i + 1));
  const icStart = 3;
  const aStart = icStart + nPublic + 1;
  const b1Start = aStart + cs.nVars;
  const cStart = b1Start + cs.nVars;
  const hStart = cStart + nPrivate;
  const zkey = writeZkey({
    nVars: cs.nVars,
    nPublic,
    domainSize,
    alpha1: g1At(0),
    beta1: g1At(1),
    delta1: g1At(2),
    beta2: g2At(0),
    gamma2: g2At(1),
    delta2: g2At(2),
    ic: p1.subarray(s1 * icStart, s1 * aStart),
    coefficients: coefficientSection(cs, nPublic),
    a: p1.subarray(s1 * aStart, s1 * b1Start),
    b1: p1.subarray(s1 * b1Start, s1 * cStart),
    b2: p2.subarray(s2 * 3),
    c: p1.subarray(s1 * cStart, s1 * hStart),
    h: p1.subarray(s1 * hStart),
  });
  return {
    provingKey: provingKeyFromZkey(circuit, zkey),
    verificationKey: verificationKeyFromZkey(zkey),
  };
}

/** A phase-2 contribution: a name for the transcript and the contributor's entropy. */
export interface Contribution {
  /** The contributor's name, recorded with the contribution in the .zkey's transcript. */
  readonly name: string;
  /**
   * The contributor's entropy text: snarkjs hashes it (UTF-8, BLAKE2b-512) together with 64
   * fresh random bytes into the seed of the contribution's secret. Give a non-empty string:
   * for an empty one snarkjs asks for entropy on the terminal.
   */
  readonly entropy: string;
}

/** Options to {@link zkpKeyGenFromPtau}. */
export interface PtauKeyGenOptions {
  /** Phase-2 contributions, applied in order (at least one for a usable key). */
  contributions: readonly Contribution[];
  /** Called at each step, with a message: `'ptau'` once, then `'contribute'` before each contribution. */
  onProgress?: (stage: KeyGenStage, message: string) => void;
}

/**
 * The production path: a powers-of-tau ceremony file (prepared for phase 2) plus phase-2
 * contributions, through snarkjs (`zKey.newZKey`, `zKey.contribute`). Sound if at least one
 * contributor to the powers of tau erased its share of tau, alpha and beta, and at least one
 * phase-2 contributor erased its share of delta (delta alone, with snarkjs's gamma = 1, also lets
 * its holder forge). The key passes `snarkjs zkey verify <r1cs> <ptau> <zkey>`, which anyone can
 * run to check it was derived from that ceremony with the recorded contributions.
 * @param circuit - from {@link buildCircuit}.
 * @param ptau - the bytes of a prepared .ptau file of enough power for the circuit.
 * @throws Error if snarkjs rejects the ptau (too small, not prepared) or a contribution;
 *   MedshareError (`ERR_MISSING_DEPENDENCY`) when snarkjs is not installed (`npm install snarkjs`).
 */
export async function zkpKeyGenFromPtau(circuit: Circuit, ptau: Uint8Array, options: PtauKeyGenOptions): Promise<KeyPair> {
  const progress = options.onProgress ?? (() => {});
  if (!(ptau instanceof Uint8Array)) throw new ArgumentTypeError('ptau', 'Uint8Array');
  if (!Array.isArray(options.contributions) || options.contributions.length === 0) {
    throw new ArgumentValueError('contributions', 'at least one phase-2 contribution is needed');
  }
  const snarkjs = await loadSnarkjs('medshare/zk zkpKeyGenFromPtau');
  progress('ptau', 'phase-2 key from the powers of tau');
  let current: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
  const result = await snarkjs.zKey.newZKey(circuit.r1cs, ptau, current);
  // snarkjs returns -1 instead of throwing when the ptau does not fit the circuit.
  if (result === -1 || current.data === undefined) {
    throw new ArgumentValueError('ptau', 'snarkjs rejected it (too small for the circuit, or not prepared for phase 2)');
  }
  for (const [i, c] of options.contributions.entries()) {
    progress('contribute', `contribution ${i + 1}: ${c.name}`);
    const next: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
    const hash = await snarkjs.zKey.contribute(current.data as Uint8Array, next, c.name, c.entropy);
    if (hash === -1 || next.data === undefined)
      throw new MedshareError('ERR_ZK_TOOLCHAIN', `zkpKeyGenFromPtau: snarkjs failed on contribution ${i + 1}`);
    current = next;
  }
  const zkey = current.data as Uint8Array;
  return { provingKey: provingKeyFromZkey(circuit, zkey), verificationKey: verificationKeyFromZkey(zkey) };
}

/** The domain size 2^power snarkjs uses for a constraint system: N > constraints + public signals. */
export function domainPower(cs: ConstraintSystem): number {
  return Math.floor(Math.log2(cs.nConstraints + cs.nOutputs + cs.nPublicInputs)) + 1;
}

/**
 * Every wire's QAP polynomials at tau, as snarkjs's keys encode them: u_j(tau) = sum_c A[c][j]
 * L_c(tau) plus L_{m+j}(tau) for the constant wire and the public signals j (snarkjs's extra rows
 * binding the public inputs), v_j(tau) = sum_c B[c][j] L_c(tau), w_j(tau) = sum_c C[c][j] L_c(tau),
 * L_c the Lagrange basis of the 2^power-th roots of unity. Internal (setup and the tests that
 * show what the setup's secrets allow); also returns the basis, for zeroing.
 */
export function qapAt(cs: ConstraintSystem, tau: bigint, power: number) {
  const r = FIELD_ORDER;
  const nPublic = cs.nOutputs + cs.nPublicInputs;
  const lagrange = lagrangeAt(tau, power);
  const u = new Array<bigint>(cs.nVars).fill(0n);
  const v = new Array<bigint>(cs.nVars).fill(0n);
  const w = new Array<bigint>(cs.nVars).fill(0n);
  accumulate(u, cs.a, lagrange);
  accumulate(v, cs.b, lagrange);
  accumulate(w, cs.c, lagrange);
  for (let j = 0; j <= nPublic; j++) u[j] = ((u[j] as bigint) + (lagrange[cs.nConstraints + j] as bigint)) % r;
  return { u, v, w, lagrange };
}

function accumulate(out: bigint[], m: { constraint: Uint32Array; signal: Uint32Array; coefficient: bigint[] }, basis: bigint[]) {
  const r = FIELD_ORDER;
  for (let t = 0; t < m.signal.length; t++) {
    const j = m.signal[t] as number;
    out[j] = ((out[j] as bigint) + (m.coefficient[t] as bigint) * (basis[m.constraint[t] as number] as bigint)) % r;
  }
}

/** Section 4: the A and B coefficients, constraint by constraint, then snarkjs's public-input rows; values times R^2 mod r. */
function coefficientSection(cs: ReturnType<typeof readConstraintSystem>, nPublic: number): Uint8Array {
  const r = FIELD_ORDER;
  const r2 = (1n << 512n) % r;
  const count = cs.a.signal.length + cs.b.signal.length + nPublic + 1;
  const out = new Uint8Array(4 + 44 * count);
  const view = new DataView(out.buffer);
  view.setUint32(0, count, true);
  let pos = 4;
  const write = (matrix: number, constraint: number, signal: number, value: bigint) => {
    view.setUint32(pos, matrix, true);
    view.setUint32(pos + 4, constraint, true);
    view.setUint32(pos + 8, signal, true);
    writeBigIntLE(out, pos + 12, (value * r2) % r);
    pos += 44;
  };
  let ia = 0;
  let ib = 0;
  for (let c = 0; c < cs.nConstraints; c++) {
    for (; ia < cs.a.signal.length && cs.a.constraint[ia] === c; ia++)
      write(0, c, cs.a.signal[ia] as number, cs.a.coefficient[ia] as bigint);
    for (; ib < cs.b.signal.length && cs.b.constraint[ib] === c; ib++)
      write(1, c, cs.b.signal[ib] as number, cs.b.coefficient[ib] as bigint);
  }
  for (let s = 0; s <= nPublic; s++) write(0, cs.nConstraints + s, s, 1n);
  return out;
}

interface ZkeyParts {
  nVars: number;
  nPublic: number;
  domainSize: number;
  alpha1: Uint8Array;
  beta1: Uint8Array;
  delta1: Uint8Array;
  beta2: Uint8Array;
  gamma2: Uint8Array;
  delta2: Uint8Array;
  ic: Uint8Array;
  coefficients: Uint8Array;
  a: Uint8Array;
  b1: Uint8Array;
  b2: Uint8Array;
  c: Uint8Array;
  h: Uint8Array;
}

/** snarkjs's zkey container: "zkey", version 1, 10 sections of (id u32, size u64, bytes). */
function writeZkey(z: ZkeyParts): Uint8Array {
  const header = new Uint8Array(4 + 32 + 4 + 32 + 12 + 64 + 64 + 128 + 128 + 64 + 128);
  const hv = new DataView(header.buffer);
  let pos = 0;
  hv.setUint32(pos, 32, true);
  writeBigIntLE(header, pos + 4, BASE_FIELD_ORDER);
  hv.setUint32(pos + 36, 32, true);
  writeBigIntLE(header, pos + 40, FIELD_ORDER);
  pos += 72;
  hv.setUint32(pos, z.nVars, true);
  hv.setUint32(pos + 4, z.nPublic, true);
  hv.setUint32(pos + 8, z.domainSize, true);
  pos += 12;
  for (const p of [z.alpha1, z.beta1, z.beta2, z.gamma2, z.delta1, z.delta2]) {
    header.set(p, pos);
    pos += p.length;
  }
  const protocol = new Uint8Array(4);
  new DataView(protocol.buffer).setUint32(0, 1, true); // 1 = Groth16
  // Section 10: a 64-byte hash and the number of contributions (none: single-party setup). The hash
  // is BLAKE2b-512 of section 4, not snarkjs's circuit hash (which hashes the points of the key a
  // ptau file determines; there is no ptau here): see zkpKeyGen on `snarkjs zkey verify`.
  const contributions = new Uint8Array(68);
  contributions.set(blake2b(z.coefficients, { dkLen: 64 }), 0);
  const sections: [number, Uint8Array][] = [
    [1, protocol],
    [2, header],
    [3, z.ic],
    [4, z.coefficients],
    [5, z.a],
    [6, z.b1],
    [7, z.b2],
    [8, z.c],
    [9, z.h],
    [10, contributions],
  ];
  const total = 12 + sections.reduce((s, [, b]) => s + 12 + b.length, 0);
  const out = new Uint8Array(total);
  const ov = new DataView(out.buffer);
  out.set(new TextEncoder().encode('zkey'), 0);
  ov.setUint32(4, 1, true);
  ov.setUint32(8, sections.length, true);
  pos = 12;
  for (const [id, bytes] of sections) {
    ov.setUint32(pos, id, true);
    ov.setBigUint64(pos + 4, BigInt(bytes.length), true);
    out.set(bytes, pos + 12);
    pos += 12 + bytes.length;
  }
  return out;
}
