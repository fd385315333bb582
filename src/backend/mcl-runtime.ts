/**
 * The mcl backend's machinery (internal; the public entry is ./mcl.ts): the raw WebAssembly
 * module of mcl-wasm, the element classes, the backend object and its loader. See ./mcl.ts for
 * how mcl is mapped onto medshare's formats.
 * @module
 */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { curve, Fp, ORDER } from '../internal/bls.js';
import { BackendUnavailableError } from '../internal/errors.js';
import { isPackageNotFound, missingDependency } from '../internal/optional.js';
import type { Groups, PairingBackend, Point, PointGroup, TargetGroup } from './types.js';

/** The npm package the mcl backend needs. */
export const MCL_PACKAGE = 'mcl-wasm';
/** The versions of mcl-wasm the backend is tested with (its peer-dependency range). */
export const MCL_VERSIONS = '^2.4.1';

// ---------------------------------------------------------------- the raw module

/** A C function of mcl's WebAssembly build (pointers and sizes are numbers). */
type Fn = (...args: number[]) => number;

/** The C functions of mcl's WebAssembly build that the backend calls. */
interface RawMcl {
  readonly wasmMemory: { readonly buffer: ArrayBuffer };
  stackSave(): number;
  stackAlloc(bytes: number): number;
  stackRestore(sp: number): void;
  _mclBn_init: Fn;
  _mclBn_getVersion: Fn;
  _mclBn_setETHserialization: Fn;
  _mclBn_setMapToMode: Fn;
  _mclBn_verifyOrderG1: Fn;
  _mclBn_verifyOrderG2: Fn;
  _mclBn_getUint64NumToPrecompute: Fn;
  _mclBnFr_setLittleEndianMod: Fn;
  _mclBnFp_setLittleEndianMod: Fn;
  _mclBnFp_neg: Fn;
  _mclBnFp2_mul: Fn;
  _malloc: Fn;
  _mclBnG1_deserialize: Fn;
  _mclBnG1_serialize: Fn;
  _mclBnG1_add: Fn;
  _mclBnG1_sub: Fn;
  _mclBnG1_neg: Fn;
  _mclBnG1_mul: Fn;
  _mclBnG1_mulCT: Fn;
  _mclBnG1_isEqual: Fn;
  _mclBnG1_isZero: Fn;
  _mclBnG1_clear: Fn;
  _mclBnG1_hashAndMapToWithDst: Fn;
  _mclBnG2_deserialize: Fn;
  _mclBnG2_serialize: Fn;
  _mclBnG2_add: Fn;
  _mclBnG2_sub: Fn;
  _mclBnG2_neg: Fn;
  _mclBnG2_mul: Fn;
  _mclBnG2_mulCT: Fn;
  _mclBnG2_isEqual: Fn;
  _mclBnG2_isZero: Fn;
  _mclBnG2_clear: Fn;
  _mclBnGT_deserialize: Fn;
  _mclBnGT_serialize: Fn;
  _mclBnGT_setInt32: Fn;
  _mclBnGT_mul: Fn;
  _mclBnGT_inv: Fn;
  _mclBnGT_pow: Fn;
  _mclBnGT_powGeneric: Fn;
  _mclBnGT_isEqual: Fn;
  _mclBnGT_isOne: Fn;
  _mclBnGT_isZero: Fn;
  _mclBn_finalExp: Fn;
  _mclBn_millerLoop: Fn;
  _mclBn_precomputeG2: Fn;
  _mclBn_precomputedMillerLoop: Fn;
  _mclBn_precomputedMillerLoop2: Fn;
}

const REQUIRED: readonly (keyof RawMcl)[] = [
  'stackSave',
  'stackAlloc',
  'stackRestore',
  '_mclBn_init',
  '_mclBn_getVersion',
  '_mclBn_setETHserialization',
  '_mclBn_setMapToMode',
  '_mclBn_verifyOrderG1',
  '_mclBn_verifyOrderG2',
  '_mclBn_getUint64NumToPrecompute',
  '_mclBnFr_setLittleEndianMod',
  '_mclBnFp_setLittleEndianMod',
  '_mclBnFp_neg',
  '_mclBnFp2_mul',
  '_malloc',
  '_mclBnG1_deserialize',
  '_mclBnG1_serialize',
  '_mclBnG1_add',
  '_mclBnG1_sub',
  '_mclBnG1_neg',
  '_mclBnG1_mul',
  '_mclBnG1_mulCT',
  '_mclBnG1_isEqual',
  '_mclBnG1_isZero',
  '_mclBnG1_clear',
  '_mclBnG1_hashAndMapToWithDst',
  '_mclBnG2_deserialize',
  '_mclBnG2_serialize',
  '_mclBnG2_add',
  '_mclBnG2_sub',
  '_mclBnG2_neg',
  '_mclBnG2_mul',
  '_mclBnG2_mulCT',
  '_mclBnG2_isEqual',
  '_mclBnG2_isZero',
  '_mclBnG2_clear',
  '_mclBnGT_deserialize',
  '_mclBnGT_serialize',
  '_mclBnGT_setInt32',
  '_mclBnGT_mul',
  '_mclBnGT_inv',
  '_mclBnGT_pow',
  '_mclBnGT_powGeneric',
  '_mclBnGT_isEqual',
  '_mclBnGT_isOne',
  '_mclBnGT_isZero',
  '_mclBn_finalExp',
  '_mclBn_millerLoop',
  '_mclBn_precomputeG2',
  '_mclBn_precomputedMillerLoop',
  '_mclBn_precomputedMillerLoop2',
];

/** mcl's curve id of BLS12-381, and the build's limb counts (4 for Fr, 6 for Fp). */
const CURVE_BLS12_381 = 5;
const COMPILED_TIME_VAR = 4 * 10 + 6;
/** MCL_MAP_TO_MODE_HASH_TO_CURVE: RFC 9380 hash_to_curve. */
const MAP_TO_IETF = 5;
/** Sizes of mcl's in-memory values: Jacobian coordinates in Montgomery form. */
const FR_SIZE = 32;
const FP_SIZE = 48;
const G1_SIZE = 3 * FP_SIZE;
const G2_SIZE = 6 * FP_SIZE;
const GT_SIZE = 12 * FP_SIZE;
const G1_BYTES = 48;
const G2_BYTES = 96;
const GT_BYTES = 576;
/** |u|, the BLS parameter (u = -0xd201000000010000). */
const U_ABS = 0xd201000000010000n;

/** The operations of one curve group (G1 or G2) in the raw module. */
interface CurveOps {
  readonly size: number;
  readonly bytes: number;
  readonly add: Fn;
  readonly sub: Fn;
  readonly neg: Fn;
  readonly mul: Fn;
  readonly mulCT: Fn;
  readonly isEqual: Fn;
  readonly isZero: Fn;
  readonly serialize: Fn;
  readonly deserialize: Fn;
  /** Writes the identity. */
  readonly clear: Fn;
}

/**
 * One instance of mcl's module and the memory helpers: every operation copies its operands onto
 * the WebAssembly stack, calls one C function and copies the result back, so values live in
 * JavaScript (Uint8Arrays of mcl's in-memory form) and nothing is ever freed by hand.
 */
export class Runtime {
  private heap: Uint8Array;
  /** Bytes of a G2 point's precomputed Miller-loop lines. */
  readonly linesBytes: number;
  /** G1's operations. */
  readonly g1: CurveOps;
  /** G2's operations. */
  readonly g2: CurveOps;
  /** Precomputed Miller-loop lines per G2 point object (as the noble backend caches its line functions). */
  readonly lines = new WeakMap<MclG2, Uint8Array>();

  constructor(readonly raw: RawMcl) {
    this.heap = new Uint8Array(raw.wasmMemory.buffer);
    this.linesBytes = raw._mclBn_getUint64NumToPrecompute() * 8;
    this.g1 = {
      size: G1_SIZE,
      bytes: G1_BYTES,
      add: raw._mclBnG1_add,
      sub: raw._mclBnG1_sub,
      neg: raw._mclBnG1_neg,
      mul: raw._mclBnG1_mul,
      mulCT: raw._mclBnG1_mulCT,
      isEqual: raw._mclBnG1_isEqual,
      isZero: raw._mclBnG1_isZero,
      serialize: raw._mclBnG1_serialize,
      deserialize: raw._mclBnG1_deserialize,
      clear: raw._mclBnG1_clear,
    };
    this.g2 = {
      size: G2_SIZE,
      bytes: G2_BYTES,
      add: raw._mclBnG2_add,
      sub: raw._mclBnG2_sub,
      neg: raw._mclBnG2_neg,
      mul: raw._mclBnG2_mul,
      mulCT: raw._mclBnG2_mulCT,
      isEqual: raw._mclBnG2_isEqual,
      isZero: raw._mclBnG2_isZero,
      serialize: raw._mclBnG2_serialize,
      deserialize: raw._mclBnG2_deserialize,
      clear: raw._mclBnG2_clear,
    };
  }

  /** The module's memory (a fresh view after the memory grew, which detaches the old one). */
  mem(): Uint8Array {
    if (this.heap.byteLength === 0) this.heap = new Uint8Array(this.raw.wasmMemory.buffer);
    return this.heap;
  }

  /** Copies `bytes` onto the stack; returns the address. Call inside {@link Runtime.frame}. */
  push(bytes: Uint8Array): number {
    const at = this.raw.stackAlloc(bytes.length);
    this.mem().set(bytes, at);
    return at;
  }

  /** Reserves `size` bytes on the stack; returns the address. Call inside {@link Runtime.frame}. */
  reserve(size: number): number {
    return this.raw.stackAlloc(size);
  }

  /** Copies `size` bytes at `at` out of the module's memory. */
  read(at: number, size: number): Uint8Array {
    return this.mem().slice(at, at + size);
  }

  /** Runs `body` with a stack frame that is released afterwards, whatever happens. */
  frame<T>(body: () => T): T {
    const sp = this.raw.stackSave();
    try {
      return body();
    } finally {
      this.raw.stackRestore(sp);
    }
  }

  /** out = fn(out, ...operands), `size` bytes of result. */
  op(fn: Fn, size: number, ...operands: Uint8Array[]): Uint8Array {
    return this.frame(() => {
      const at = operands.map((x) => this.push(x));
      const out = this.reserve(size);
      fn(out, ...at);
      return this.read(out, size);
    });
  }

  /** fn(...operands) as a number (a test: 1 true, 0 false). */
  test(fn: Fn, ...operands: Uint8Array[]): number {
    return this.frame(() => fn(...operands.map((x) => this.push(x))));
  }

  /** A value set by `fn(at)` alone (the identity, the GT one). */
  constant(fn: Fn, size: number, ...args: number[]): Uint8Array {
    return this.frame(() => {
      const at = this.reserve(size);
      fn(at, ...args);
      return this.read(at, size);
    });
  }

  /** mcl's Fr value for the scalar 0 <= k < r. */
  scalar(k: bigint): Uint8Array {
    const le = new Uint8Array(32);
    let x = k;
    for (let i = 0; i < 32; i++) {
      le[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return this.frame(() => {
      const fr = this.reserve(FR_SIZE);
      if (this.raw._mclBnFr_setLittleEndianMod(fr, this.push(le), 32) !== 0) throw new Error('mcl: scalar not accepted');
      return this.read(fr, FR_SIZE);
    });
  }

  /** Serializes `value` with `fn` (ETH format), which must write `expected` bytes. */
  serialize(fn: Fn, value: Uint8Array, expected: number): Uint8Array {
    return this.frame(() => {
      const x = this.push(value);
      const buf = this.reserve(expected + 16);
      const n = fn(buf, expected + 16, x);
      if (n !== expected) throw new Error(`mcl: serialized ${n} bytes, expected ${expected}`);
      return this.read(buf, expected);
    });
  }

  /** Deserializes `bytes` with `fn` into a value of `size` bytes, or undefined when mcl refuses them. */
  deserialize(fn: Fn, bytes: Uint8Array, size: number): Uint8Array | undefined {
    return this.frame(() => {
      const x = this.reserve(size);
      const buf = this.push(bytes);
      return fn(x, buf, bytes.length) === bytes.length ? this.read(x, size) : undefined;
    });
  }
}

// ---------------------------------------------------------------- elements

function checkScalar(k: bigint, allowZero: boolean): void {
  if (typeof k !== 'bigint' || k < (allowZero ? 0n : 1n) || k >= ORDER) throw new RangeError('invalid scalar: out of range');
}

/** Shared code of {@link MclG1} and {@link MclG2}. */
abstract class MclPoint<P extends MclPoint<P>> implements Point<P> {
  /** @internal */
  readonly rt: Runtime;
  /**
   * mcl's in-memory form of the point (Jacobian coordinates, Montgomery form).
   * @internal
   */
  readonly raw: Uint8Array;

  /** @internal */
  constructor(rt: Runtime, raw: Uint8Array) {
    this.rt = rt;
    this.raw = raw;
  }

  /** @internal */
  protected abstract ops(): CurveOps;
  /** @internal */
  protected abstract make(raw: Uint8Array): P;

  private op(fn: Fn, ...operands: Uint8Array[]): P {
    return this.make(this.rt.op(fn, this.ops().size, this.raw, ...operands));
  }

  /** This + other. */
  add(other: P): P {
    return this.op(this.ops().add, other.raw);
  }
  /** This - other. */
  subtract(other: P): P {
    return this.op(this.ops().sub, other.raw);
  }
  /** -this. */
  negate(): P {
    return this.op(this.ops().neg);
  }
  /** k * this for 1 <= k < r, constant-time (mcl's mulCT). */
  multiply(scalar: bigint): P {
    checkScalar(scalar, false);
    return this.op(this.ops().mulCT, this.rt.scalar(scalar));
  }
  /** k * this for a public 0 <= k < r, variable-time (mcl's mul, with GLV). */
  multiplyUnsafe(scalar: bigint): P {
    checkScalar(scalar, true);
    return this.op(this.ops().mul, this.rt.scalar(scalar));
  }
  /** True iff both are the same point. */
  equals(other: P): boolean {
    return this.rt.test(this.ops().isEqual, this.raw, other.raw) === 1;
  }
  /** True iff this is the identity. */
  is0(): boolean {
    return this.rt.test(this.ops().isZero, this.raw) === 1;
  }
  /** The compressed encoding (ZCash / IETF format); `compressed = false` is not supported. */
  toBytes(compressed = true): Uint8Array {
    if (!compressed) throw new RangeError('the mcl backend encodes points compressed only');
    return this.rt.serialize(this.ops().serialize, this.raw, this.ops().bytes);
  }
}

/** A point of G1 in the mcl backend: use its methods, or the backend's functions. */
export class MclG1 extends MclPoint<MclG1> {
  /** @internal */
  protected ops(): CurveOps {
    return this.rt.g1;
  }
  /** @internal */
  protected make(raw: Uint8Array): MclG1 {
    return new MclG1(this.rt, raw);
  }
}

/** A point of G2 in the mcl backend: use its methods, or the backend's functions. */
export class MclG2 extends MclPoint<MclG2> {
  /** @internal */
  protected ops(): CurveOps {
    return this.rt.g2;
  }
  /** @internal */
  protected make(raw: Uint8Array): MclG2 {
    return new MclG2(this.rt, raw);
  }
}

/** An Fp12 value in the mcl backend (an element of GT, or a value being checked for membership); opaque. */
export class MclGT {
  /** @internal */
  readonly rt: Runtime;
  /**
   * mcl's in-memory form (twelve Fp values in Montgomery form).
   * @internal
   */
  readonly raw: Uint8Array;
  /** @internal */
  constructor(rt: Runtime, raw: Uint8Array) {
    this.rt = rt;
    this.raw = raw;
  }
}

/** The element types of the mcl backend. */
export interface MclGroups extends Groups {
  /** A point of G1. */
  readonly G1: MclG1;
  /** A point of G2. */
  readonly G2: MclG2;
  /** An Fp12 value. */
  readonly GT: MclGT;
}

// ---------------------------------------------------------------- the backend

/**
 * mcl's GT serialization (ETH mode) and medshare's differ only in the order of the two Fp
 * halves of every Fp2 coefficient: swapping them maps one onto the other, both ways.
 */
export function swapFp2Halves(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(GT_BYTES);
  for (let i = 0; i < GT_BYTES; i += 2 * FP_SIZE) {
    out.set(bytes.subarray(i + FP_SIZE, i + 2 * FP_SIZE), i);
    out.set(bytes.subarray(i, i + FP_SIZE), i + FP_SIZE);
  }
  return out;
}

function mod(k: bigint): bigint {
  const e = k % ORDER;
  return e < 0n ? e + ORDER : e;
}

/**
 * The Frobenius map x -> x^(p^power) of Fp12 in mcl's memory (BLS12-381's tower, the same as
 * noble's: Fp2 = Fp[i]/(i^2 + 1), Fp6 = Fp2[v]/(v^3 - (1 + i)), Fp12 = Fp6[w]/(w^2 - v)) maps each
 * of the six Fp2 coordinates a_k (of v^j w^l) to conj^power(a_k) * gamma_k for a constant
 * gamma_k in Fp2. The gamma_k are read off @noble/curves' own frobeniusMap applied to the basis
 * elements (so they are noble's constants by construction) and written, in mcl's Montgomery form,
 * into memory of the module that stays allocated for the program. Returns the address of the
 * six Fp2 values.
 */
function frobeniusCoefficients(rt: Runtime, power: 1 | 2): number {
  const { Fp12 } = curve.fields;
  const { raw } = rt;
  const at = raw._malloc(6 * 2 * FP_SIZE);
  if (at === 0) throw new Error('mcl: out of memory');
  for (let k = 0; k < 6; k++) {
    const basis = new Uint8Array(GT_BYTES);
    basis[2 * k * FP_SIZE + FP_SIZE - 1] = 1; // a_k = 1, every other coefficient 0
    const image = Fp12.toBytes(Fp12.frobeniusMap(Fp12.fromBytes(basis), power));
    image.forEach((b, i) => {
      if (b !== 0 && (i < 2 * k * FP_SIZE || i >= 2 * (k + 1) * FP_SIZE)) throw new Error('mcl: unexpected Frobenius image');
    });
    for (let half = 0; half < 2; half++) {
      const be = image.subarray((2 * k + half) * FP_SIZE, (2 * k + half + 1) * FP_SIZE);
      const status = rt.frame(() =>
        raw._mclBnFp_setLittleEndianMod(at + (2 * k + half) * FP_SIZE, rt.push(be.slice().reverse()), FP_SIZE),
      );
      if (status !== 0) throw new Error('mcl: Frobenius coefficient not accepted');
    }
  }
  return at;
}

/** The backend object on one runtime. */
function makeBackend(rt: Runtime): PairingBackend<MclGroups> {
  const { raw } = rt;
  const gt = (bytes: Uint8Array) => new MclGT(rt, bytes);

  // --- GT
  const one = gt(rt.constant(raw._mclBnGT_setInt32, GT_SIZE, 1));
  const toBytes = (f: MclGT) => swapFp2Halves(rt.serialize(raw._mclBnGT_serialize, f.raw, GT_BYTES));
  const fromBytes = (bytes: Uint8Array): MclGT => {
    if (!(bytes instanceof Uint8Array) || bytes.length !== GT_BYTES) throw new RangeError(`expected ${GT_BYTES} bytes`);
    for (let i = 0; i < GT_BYTES; i += FP_SIZE) {
      if (bytesToNumberBE(bytes.subarray(i, i + FP_SIZE)) >= Fp.ORDER)
        throw new RangeError('Fp12 coefficient is not canonical (>= p)');
    }
    const value = rt.deserialize(raw._mclBnGT_deserialize, swapFp2Halves(bytes), GT_SIZE);
    if (value === undefined) throw new RangeError('mcl refused the Fp12 value');
    return gt(value);
  };
  const mul = (a: MclGT, b: MclGT) => gt(rt.op(raw._mclBnGT_mul, GT_SIZE, a.raw, b.raw));
  /** b^-1 for b in GT: the conjugate (mcl's unitary inverse). */
  const conj = (b: MclGT) => gt(rt.op(raw._mclBnGT_inv, GT_SIZE, b.raw));
  // The membership tests need f^p and f^(p^2), which mcl does not export: computed here in mcl's
  // memory with its Fp2 arithmetic (see frobeniusCoefficients), microseconds instead of the
  // conversion to @noble/curves the backend used before.
  const frobenius1 = frobeniusCoefficients(rt, 1);
  const frobenius2 = frobeniusCoefficients(rt, 2);
  /** f at `at` becomes f^p (`power` 1) or f^(p^2) (`power` 2), in place. */
  const frobeniusAt = (at: number, power: 1 | 2) => {
    const coefficients = power === 1 ? frobenius1 : frobenius2;
    for (let k = 0; k < 6; k++) {
      const a = at + 2 * FP_SIZE * k;
      if (power === 1) raw._mclBnFp_neg(a + FP_SIZE, a + FP_SIZE); // conjugate the Fp2 coefficient
      raw._mclBnFp2_mul(a, a, coefficients + 2 * FP_SIZE * k);
    }
  };
  const copyAt = (from: number) => {
    const to = rt.reserve(GT_SIZE);
    rt.mem().copyWithin(to, from, from + GT_SIZE);
    return to;
  };
  // The verdict "f is in GT" is remembered per value object, with the bytes it was given for:
  // a verifier is handed decoded objects (the decoder ran the test) and checks them again as
  // defence in depth, so the second test costs a 576-byte comparison instead of ~1 ms. A value
  // whose bytes changed since (only possible by writing into the internal buffer) is tested anew.
  const members = new WeakMap<MclGT, Uint8Array>();
  const knownMember = (f: MclGT) => {
    const seen = members.get(f);
    if (seen === undefined) return false;
    for (let i = 0; i < GT_SIZE; i++) if (seen[i] !== f.raw[i]) return false;
    return true;
  };
  /** f != 0 and f^(p^4) * f = f^(p^2), i.e. f^(p^4 - p^2 + 1) = 1, as noble's gtIsCyclotomic. */
  const isCyclotomic = (f: MclGT) =>
    knownMember(f) ||
    rt.frame(() => {
      const a = rt.push(f.raw);
      if (raw._mclBnGT_isZero(a) !== 0) return false;
      const p2 = copyAt(a);
      frobeniusAt(p2, 2);
      const p4 = copyAt(p2);
      frobeniusAt(p4, 2);
      raw._mclBnGT_mul(p4, p4, a);
      return raw._mclBnGT_isEqual(p4, p2) === 1;
    });
  const uAbs = rt.scalar(U_ABS);
  /** f^p = f^u = conj(f^|u|), as noble's gtCyclotomicIsMember; mcl's generic exponentiation assumes nothing of f. */
  const cyclotomicIsMember = (f: MclGT) => {
    if (knownMember(f)) return true;
    const member = rt.frame(() => {
      const a = rt.push(f.raw);
      const fu = rt.reserve(GT_SIZE);
      raw._mclBnGT_powGeneric(fu, a, rt.push(uAbs));
      raw._mclBnGT_inv(fu, fu);
      frobeniusAt(a, 1);
      return raw._mclBnGT_isEqual(a, fu) === 1;
    });
    // f^p = f^u alone proves membership only for a cyclotomic f: remember it only then.
    if (member && isCyclotomic(f)) members.set(f, f.raw.slice());
    return member;
  };

  // --- pairings
  // Precomputed Miller-loop lines pay off only for a G2 point used again (mpk, R1 under one
  // re-encryption key, AuthSign's h): computing them costs more than the saving of one loop on
  // them. So a G2 point object's first pairing runs mcl's plain Miller loop and marks it; its
  // second computes and caches its lines (as the noble backend caches its line functions).
  const used = new WeakSet<MclG2>();
  const linesOf = (q: MclG2): Uint8Array | undefined => {
    let l = rt.lines.get(q);
    if (l === undefined) {
      if (!used.has(q)) {
        used.add(q);
        return undefined;
      }
      l = rt.frame(() => {
        const at = rt.reserve(rt.linesBytes);
        raw._mclBn_precomputeG2(at, rt.push(q.raw));
        return rt.read(at, rt.linesBytes);
      });
      rt.lines.set(q, l);
    }
    return l;
  };
  /** prod e(P_i, Q_i): Miller loops (two at a time on cached lines), one final exponentiation. */
  const pairProduct = (pairs: ReadonlyArray<readonly [MclG1, MclG2]>): MclGT => {
    const cached: [MclG1, Uint8Array][] = [];
    const fresh: [MclG1, MclG2][] = [];
    for (const [p, q] of pairs) {
      if (p.is0() || q.is0()) continue;
      const lines = linesOf(q);
      if (lines === undefined) fresh.push([p, q]);
      else cached.push([p, lines]);
    }
    if (cached.length + fresh.length === 0) return one;
    return rt.frame(() => {
      const f = rt.reserve(GT_SIZE);
      const term = rt.reserve(GT_SIZE);
      let first = true;
      const accumulate = (loop: (out: number) => void) => {
        loop(first ? f : term);
        if (!first) raw._mclBnGT_mul(f, f, term);
        first = false;
      };
      for (let i = 0; i < cached.length; i += 2) {
        const [p1, l1] = cached[i] as [MclG1, Uint8Array];
        const second = cached[i + 1];
        if (second === undefined) accumulate((out) => raw._mclBn_precomputedMillerLoop(out, rt.push(p1.raw), rt.push(l1)));
        else {
          const [p2, l2] = second;
          accumulate((out) => raw._mclBn_precomputedMillerLoop2(out, rt.push(p1.raw), rt.push(l1), rt.push(p2.raw), rt.push(l2)));
        }
      }
      for (const [p, q] of fresh) accumulate((out) => raw._mclBn_millerLoop(out, rt.push(p.raw), rt.push(q.raw)));
      raw._mclBn_finalExp(f, f);
      return gt(rt.read(f, GT_SIZE));
    });
  };

  // --- G1, G2
  /**
   * G1 or G2: `fromBytes` accepts the canonical compressed encoding of a point on the curve and
   * in the subgroup (mcl's deserializer checks both), and nothing else.
   */
  const pointGroup = <P extends MclG1 | MclG2>(
    Point: new (rt: Runtime, raw: Uint8Array) => P,
    ops: CurveOps,
    name: string,
    base: Uint8Array,
  ): PointGroup<P> => {
    const fromBytes = (bytes: Uint8Array): P => {
      if (!(bytes instanceof Uint8Array) || bytes.length !== ops.bytes) throw new RangeError(`expected ${ops.bytes} bytes`);
      // The identity has one encoding, 0xc0 then zeros (mcl also reads 0xc0 with other bits set as it).
      if (((bytes[0] as number) & 0x40) !== 0 && (bytes[0] !== 0xc0 || bytes.some((b, i) => i > 0 && b !== 0))) {
        throw new RangeError(`not a valid ${name} point (infinity flag with other bits set)`);
      }
      const value = rt.deserialize(ops.deserialize, bytes, ops.size);
      if (value === undefined)
        throw new RangeError(`not a valid ${name} point (not on the curve, not in the subgroup, or malformed)`);
      return new Point(rt, value);
    };
    return Object.freeze({
      BASE: fromBytes(base),
      ZERO: new Point(rt, rt.constant(ops.clear, ops.size)),
      BYTES: ops.bytes,
      fromBytes,
      is: (value: unknown): value is P => value instanceof Point && value.rt === rt,
    });
  };
  const G1 = pointGroup(MclG1, rt.g1, 'G1', curve.G1.Point.BASE.toBytes(true));
  const G2 = pointGroup(MclG2, rt.g2, 'G2', curve.G2.Point.BASE.toBytes(true));

  let z: MclGT | undefined;
  const GT: TargetGroup<MclGT> = Object.freeze({
    ONE: one,
    BYTES: GT_BYTES,
    generator: () => {
      z ??= pairProduct([[G1.BASE, G2.BASE]]);
      return z;
    },
    mul,
    div: (a: MclGT, b: MclGT) => mul(a, conj(b)),
    pow: (f: MclGT, k: bigint) => gt(rt.op(raw._mclBnGT_pow, GT_SIZE, f.raw, rt.scalar(mod(k)))),
    eq: (a: MclGT, b: MclGT) => rt.test(raw._mclBnGT_isEqual, a.raw, b.raw) === 1,
    isOne: (f: MclGT) => rt.test(raw._mclBnGT_isOne, f.raw) === 1,
    toBytes,
    fromBytes,
    isCyclotomic,
    cyclotomicIsMember,
    isMember: (f: MclGT) => isCyclotomic(f) && cyclotomicIsMember(f),
    is: (value: unknown): value is MclGT => value instanceof MclGT && value.rt === rt,
  });

  const encoder = new TextEncoder();
  const hashToG1 = (dst: string, message: Uint8Array): MclG1 => {
    const tag = encoder.encode(dst);
    if (tag.length > 255) throw new RangeError('hash to G1: the domain-separation tag is longer than 255 bytes');
    return new MclG1(
      rt,
      rt.frame(() => {
        const out = rt.reserve(G1_SIZE);
        const status = raw._mclBnG1_hashAndMapToWithDst(out, rt.push(message), message.length, rt.push(tag), tag.length);
        if (status !== 0) throw new Error('mcl: hash to G1 failed');
        return rt.read(out, G1_SIZE);
      }),
    );
  };

  return Object.freeze({ name: 'mcl', G1, G2, GT, pair: (p: MclG1, q: MclG2) => pairProduct([[p, q]]), pairProduct, hashToG1 });
}

// ---------------------------------------------------------------- loading

/**
 * What a loaded module must reproduce before it is used: the SHA-256 of Z = e(g, h) in
 * medshare's 576-byte encoding, and the compressed hash_to_curve(dst, "abc") of RFC 9380,
 * appendix J.9.1 (P.x = 0x03567bc5...2f6903; the flags say compressed, larger y).
 */
const SELF_TEST = {
  z: '06fa588b89fdfb034dbc1c163ecb3dfac228f552b643c7294cc5f2c4dc170b84',
  dst: 'QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_',
  hashAbc: '83567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903',
};

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** mcl-wasm's module factory (`dist/mcl_c.js`): each call instantiates the WebAssembly anew. */
export type CreateModule = (options: { cryptoGetRandomValues: (buffer: Uint8Array) => void }) => Promise<unknown>;

/** Imports mcl-wasm's module factory (the default of {@link loadMcl}). */
export async function importMcl(): Promise<unknown> {
  return import('mcl-wasm/dist/mcl_c.js');
}

/**
 * Instantiates mcl's module with `importer`'s factory, configures it for medshare (BLS12-381, ETH
 * serialization, RFC 9380 map-to, subgroup checks on decode) and runs the self-test.
 * @throws MedshareError (`ERR_MISSING_DEPENDENCY`) naming mcl-wasm and how to install it when
 * the package is not installed
 * @throws BackendUnavailableError naming mcl-wasm when the installed package has another shape or
 * gives other answers
 */
export async function loadMcl(importer: () => Promise<unknown> = importMcl): Promise<PairingBackend<MclGroups>> {
  const unavailable = (problem: string) =>
    new BackendUnavailableError('mcl', MCL_PACKAGE, `the mcl backend ${problem} (npm install ${MCL_PACKAGE}@'${MCL_VERSIONS}')`);
  let createModule: CreateModule;
  try {
    const imported = (await importer()) as { default?: unknown } | undefined;
    createModule = (imported?.default ?? imported) as CreateModule;
  } catch (e) {
    if (isPackageNotFound(e, MCL_PACKAGE)) throw missingDependency([MCL_PACKAGE], 'medshare/backend/mcl', 'BSD-3-Clause');
    throw unavailable(`needs the optional package ${MCL_PACKAGE}, which could not be loaded: ${(e as Error).message}`);
  }
  if (typeof createModule !== 'function') throw unavailable(`found ${MCL_PACKAGE} without the module factory it expects`);
  const raw = (await createModule({ cryptoGetRandomValues: (buffer) => crypto.getRandomValues(buffer) })) as RawMcl;
  const missing = REQUIRED.filter((name) => typeof raw?.[name] !== 'function');
  if (missing.length > 0 || !(raw.wasmMemory?.buffer instanceof ArrayBuffer)) {
    throw unavailable(`found a ${MCL_PACKAGE} module without ${missing.join(', ') || 'its memory'}`);
  }
  const status = raw._mclBn_init(CURVE_BLS12_381, COMPILED_TIME_VAR);
  if (status !== 0) throw unavailable(`could not initialise ${MCL_PACKAGE} for BLS12-381 (status ${status})`);
  raw._mclBn_setETHserialization(1);
  if (raw._mclBn_setMapToMode(MAP_TO_IETF) !== 0) throw unavailable(`found a ${MCL_PACKAGE} without RFC 9380 hashing`);
  raw._mclBn_verifyOrderG1(1);
  raw._mclBn_verifyOrderG2(1);
  let backend: PairingBackend<MclGroups>;
  let z: string;
  let h: string;
  try {
    backend = makeBackend(new Runtime(raw));
    z = hex(sha256(backend.GT.toBytes(backend.GT.generator())));
    h = hex(backend.hashToG1(SELF_TEST.dst, new TextEncoder().encode('abc')).toBytes());
  } catch (e) {
    throw unavailable(`failed its self-test with ${MCL_PACKAGE}: ${(e as Error).message}`);
  }
  if (z !== SELF_TEST.z || h !== SELF_TEST.hashAbc) {
    throw unavailable(
      `failed its known-answer self-test with ${MCL_PACKAGE} (mcl version ${raw._mclBn_getVersion().toString(16)})`,
    );
  }
  return backend;
}
