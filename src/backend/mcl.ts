/**
 * @module
 * `medshare/backend/mcl`: the WebAssembly pairing backend, on herumi's mcl (mcl-wasm, BSD-3-Clause),
 * an optional peer dependency: `npm install mcl-wasm`, then
 *
 * ```ts
 * import { mclBackend } from 'medshare/backend/mcl';
 * import { withBackend } from 'medshare/backend';
 * const { ga07, ga07Verifiable, authSign } = withBackend(await mclBackend());
 * ```
 *
 * Loading is asynchronous (WebAssembly is compiled and instantiated); everything after that is
 * synchronous, with the same interfaces and the same bytes as the default backend.
 *
 * How mcl is mapped onto medshare's formats, each checked by tests (test/backend.test.ts) and by a
 * known-answer self-test when the backend loads:
 * - mcl runs with ETH serialization, so compressed G1 / G2 points are the ZCash / IETF encodings
 *   (flag bits 0x80 compressed, 0x40 infinity, 0x20 larger y; Fp2 as c1 || c0) that @noble/curves
 *   writes, byte for byte.
 * - GT: both write Fp12 as twelve 48-byte big-endian Fp values in the same tower order, but mcl's
 *   ETH mode writes each Fp2 coefficient as c1 || c0 (as in a compressed G2 point) where medshare
 *   and noble write c0 || c1. The backend swaps the two halves of every Fp2, so the 576 bytes are
 *   medshare's.
 * - Hash to G1: mcl's IETF map-to mode (RFC 9380 hash_to_curve, BLS12381G1_XMD:SHA-256_SSWU_RO_)
 *   with the caller's domain-separation tag for every call.
 * - Decoding checks subgroup membership (mcl's order verification, switched on); the canonical
 *   re-encoding and identity checks are medshare's codec's, the same for both backends.
 * - GT membership: the cheap cyclotomic test uses noble's Frobenius map (microseconds), the
 *   expensive f^p = f^u test mcl's generic exponentiation by |u| (valid for any Fp12 value;
 *   mcl's fast GT exponentiation assumes membership and is used only for elements of GT).
 * - Scalar multiplication by `multiply` is mcl's constant-time one; `multiplyUnsafe` (public
 *   scalars, e.g. verification) its faster variable-time one.
 *
 * The backend runs its own instance of mcl's WebAssembly module (from mcl-wasm's
 * `dist/mcl_c.js`), not the instance behind mcl-wasm's own API: its settings (curve, ETH
 * serialization, map-to mode) cannot be changed by other code that uses mcl-wasm in the same
 * program (for BN254, say), and it changes none of theirs. The module is loaded once per program
 * and shared by every call of {@link mclBackend}.
 */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Fp_ as Fp, curve, gtIsCyclotomic, ORDER } from '../internal/bls.js';
import { BackendUnavailableError } from '../internal/errors.js';
import type { Groups, PairingBackend, Point, PointGroup, TargetGroup } from './types.js';

/** The npm package this backend needs. */
export const MCL_PACKAGE = 'mcl-wasm';
/** The versions of mcl-wasm this backend is tested with (its peer-dependency range). */
export const MCL_VERSIONS = '^2.4.1';

// ---------------------------------------------------------------- the raw module

/** The C functions of mcl's WebAssembly build that the backend calls (pointers are numbers). */
interface RawMcl {
  readonly wasmMemory: { readonly buffer: ArrayBuffer };
  stackSave(): number;
  stackAlloc(bytes: number): number;
  stackRestore(sp: number): void;
  _mclBn_init(curve: number, compiledTimeVar: number): number;
  _mclBn_getVersion(): number;
  _mclBn_setETHserialization(enable: number): void;
  _mclBn_setMapToMode(mode: number): number;
  _mclBn_verifyOrderG1(doVerify: number): void;
  _mclBn_verifyOrderG2(doVerify: number): void;
  _mclBn_getUint64NumToPrecompute(): number;
  _mclBnFr_setLittleEndianMod(fr: number, buf: number, size: number): number;
  _mclBnG1_deserialize(p: number, buf: number, size: number): number;
  _mclBnG1_serialize(buf: number, max: number, p: number): number;
  _mclBnG1_add(z: number, x: number, y: number): void;
  _mclBnG1_sub(z: number, x: number, y: number): void;
  _mclBnG1_neg(y: number, x: number): void;
  _mclBnG1_mul(z: number, x: number, k: number): void;
  _mclBnG1_mulCT(z: number, x: number, k: number): void;
  _mclBnG1_isEqual(x: number, y: number): number;
  _mclBnG1_isZero(x: number): number;
  _mclBnG1_clear(x: number): void;
  _mclBnG1_hashAndMapToWithDst(p: number, msg: number, msgSize: number, dst: number, dstSize: number): number;
  _mclBnG2_deserialize(p: number, buf: number, size: number): number;
  _mclBnG2_serialize(buf: number, max: number, p: number): number;
  _mclBnG2_add(z: number, x: number, y: number): void;
  _mclBnG2_sub(z: number, x: number, y: number): void;
  _mclBnG2_neg(y: number, x: number): void;
  _mclBnG2_mul(z: number, x: number, k: number): void;
  _mclBnG2_mulCT(z: number, x: number, k: number): void;
  _mclBnG2_isEqual(x: number, y: number): number;
  _mclBnG2_isZero(x: number): number;
  _mclBnG2_clear(x: number): void;
  _mclBnGT_deserialize(f: number, buf: number, size: number): number;
  _mclBnGT_serialize(buf: number, max: number, f: number): number;
  _mclBnGT_setInt32(f: number, v: number): void;
  _mclBnGT_mul(z: number, x: number, y: number): void;
  _mclBnGT_inv(y: number, x: number): void;
  _mclBnGT_pow(z: number, x: number, k: number): void;
  _mclBnGT_powGeneric(z: number, x: number, k: number): void;
  _mclBnGT_isEqual(x: number, y: number): number;
  _mclBnGT_isOne(x: number): number;
  _mclBnGT_isZero(x: number): number;
  _mclBn_millerLoop(f: number, p: number, q: number): void;
  _mclBn_finalExp(y: number, x: number): void;
  _mclBn_precomputeG2(lines: number, q: number): void;
  _mclBn_precomputedMillerLoop(f: number, p: number, lines: number): void;
  _mclBn_precomputedMillerLoop2(f: number, p1: number, lines1: number, p2: number, lines2: number): void;
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
  '_mclBn_millerLoop',
  '_mclBn_finalExp',
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

/**
 * The module and the memory helpers: every operation copies its operands onto the WebAssembly
 * stack, calls one C function and copies the result back, so values live in JavaScript (as
 * Uint8Arrays of mcl's in-memory form) and nothing is ever freed by hand.
 */
class Runtime {
  private heap: Uint8Array;
  /** Bytes of a G2 point's precomputed Miller-loop lines. */
  readonly linesBytes: number;

  constructor(readonly raw: RawMcl) {
    this.heap = new Uint8Array(raw.wasmMemory.buffer);
    this.linesBytes = raw._mclBn_getUint64NumToPrecompute() * 8;
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
  op(fn: (out: number, ...operands: number[]) => unknown, size: number, ...operands: Uint8Array[]): Uint8Array {
    return this.frame(() => {
      const at = operands.map((x) => this.push(x));
      const out = this.reserve(size);
      fn(out, ...at);
      return this.read(out, size);
    });
  }

  /** fn(...operands) as a number (a test: 1 true, 0 false). */
  test(fn: (...operands: number[]) => number, ...operands: Uint8Array[]): number {
    return this.frame(() => fn(...operands.map((x) => this.push(x))));
  }

  /** An mcl Fr value for the scalar 0 <= k < r, as bytes to push. */
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

  /** Serializes with `fn` (ETH format); `expected` bytes. */
  serialize(fn: (buf: number, max: number, x: number) => number, value: Uint8Array, expected: number): Uint8Array {
    return this.frame(() => {
      const x = this.push(value);
      const buf = this.reserve(expected + 16);
      const n = fn(buf, expected + 16, x);
      if (n !== expected) throw new Error(`mcl: serialized ${n} bytes, expected ${expected}`);
      return this.read(buf, expected);
    });
  }

  /** Deserializes `bytes` with `fn` into a value of `size` bytes, or undefined when mcl refuses them. */
  deserialize(fn: (x: number, buf: number, size: number) => number, bytes: Uint8Array, size: number): Uint8Array | undefined {
    return this.frame(() => {
      const x = this.reserve(size);
      const buf = this.push(bytes);
      return fn(x, buf, bytes.length) === bytes.length ? this.read(x, size) : undefined;
    });
  }
}

/** Set once by {@link mclBackend}; every element of this backend exists only after that. */
let rt: Runtime;

// ---------------------------------------------------------------- elements

function checkScalar(k: bigint, allowZero: boolean): void {
  if (typeof k !== 'bigint' || k < (allowZero ? 0n : 1n) || k >= ORDER) throw new RangeError('invalid scalar: out of range');
}

/** The operations of one curve group (G1 or G2) in the raw module. */
interface CurveOps {
  readonly size: number;
  readonly bytes: number;
  add(z: number, x: number, y: number): void;
  sub(z: number, x: number, y: number): void;
  neg(y: number, x: number): void;
  mul(z: number, x: number, k: number): void;
  mulCT(z: number, x: number, k: number): void;
  isEqual(x: number, y: number): number;
  isZero(x: number): number;
  serialize(buf: number, max: number, x: number): number;
}

const g1Ops = (): CurveOps => ({
  size: G1_SIZE,
  bytes: G1_BYTES,
  add: rt.raw._mclBnG1_add,
  sub: rt.raw._mclBnG1_sub,
  neg: rt.raw._mclBnG1_neg,
  mul: rt.raw._mclBnG1_mul,
  mulCT: rt.raw._mclBnG1_mulCT,
  isEqual: rt.raw._mclBnG1_isEqual,
  isZero: rt.raw._mclBnG1_isZero,
  serialize: rt.raw._mclBnG1_serialize,
});

const g2Ops = (): CurveOps => ({
  size: G2_SIZE,
  bytes: G2_BYTES,
  add: rt.raw._mclBnG2_add,
  sub: rt.raw._mclBnG2_sub,
  neg: rt.raw._mclBnG2_neg,
  mul: rt.raw._mclBnG2_mul,
  mulCT: rt.raw._mclBnG2_mulCT,
  isEqual: rt.raw._mclBnG2_isEqual,
  isZero: rt.raw._mclBnG2_isZero,
  serialize: rt.raw._mclBnG2_serialize,
});

let G1_OPS: CurveOps;
let G2_OPS: CurveOps;

/** Shared code of {@link MclG1} and {@link MclG2}. */
abstract class MclPoint<P extends MclPoint<P>> implements Point<P> {
  /**
   * mcl's in-memory form of the point (Jacobian coordinates, Montgomery form).
   * @internal
   */
  readonly raw: Uint8Array;

  /** @internal */
  constructor(raw: Uint8Array) {
    this.raw = raw;
  }

  /** @internal */
  protected abstract ops(): CurveOps;
  /** @internal */
  protected abstract make(raw: Uint8Array): P;

  /** This + other. */
  add(other: P): P {
    return this.make(rt.op(this.ops().add, this.ops().size, this.raw, other.raw));
  }
  /** This - other. */
  subtract(other: P): P {
    return this.make(rt.op(this.ops().sub, this.ops().size, this.raw, other.raw));
  }
  /** -this. */
  negate(): P {
    return this.make(rt.op(this.ops().neg, this.ops().size, this.raw));
  }
  /** k * this for 1 <= k < r, constant-time (mcl's mulCT). */
  multiply(scalar: bigint): P {
    checkScalar(scalar, false);
    return this.make(rt.op(this.ops().mulCT, this.ops().size, this.raw, rt.scalar(scalar)));
  }
  /** k * this for a public 0 <= k < r, variable-time (mcl's mul, with GLV). */
  multiplyUnsafe(scalar: bigint): P {
    checkScalar(scalar, true);
    return this.make(rt.op(this.ops().mul, this.ops().size, this.raw, rt.scalar(scalar)));
  }
  /** True iff both are the same point. */
  equals(other: P): boolean {
    return rt.test(this.ops().isEqual, this.raw, other.raw) === 1;
  }
  /** True iff this is the identity. */
  is0(): boolean {
    return rt.test(this.ops().isZero, this.raw) === 1;
  }
  /** The compressed encoding (ZCash / IETF format); `compressed = false` is not supported. */
  toBytes(compressed = true): Uint8Array {
    if (!compressed) throw new RangeError('the mcl backend encodes points compressed only');
    return rt.serialize(this.ops().serialize, this.raw, this.ops().bytes);
  }
}

/** A point of G1 in the mcl backend (opaque: use its methods, or the backend's functions). */
export class MclG1 extends MclPoint<MclG1> {
  /** @internal */
  protected ops(): CurveOps {
    return G1_OPS;
  }
  /** @internal */
  protected make(raw: Uint8Array): MclG1 {
    return new MclG1(raw);
  }
}

/** A point of G2 in the mcl backend (opaque: use its methods, or the backend's functions). */
export class MclG2 extends MclPoint<MclG2> {
  /** @internal */
  protected ops(): CurveOps {
    return G2_OPS;
  }
  /** @internal */
  protected make(raw: Uint8Array): MclG2 {
    return new MclG2(raw);
  }
}

/** An Fp12 value (an element of GT, or a value being checked for membership) in the mcl backend; opaque. */
export class MclGT {
  /**
   * mcl's in-memory form (twelve Fp values in Montgomery form).
   * @internal
   */
  readonly raw: Uint8Array;
  /** @internal */
  constructor(raw: Uint8Array) {
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

// ---------------------------------------------------------------- encodings

/**
 * mcl's GT serialization (ETH mode) and medshare's differ only in the order of the two Fp
 * halves of every Fp2 coefficient: swapping them maps one onto the other, both ways.
 */
function swapFp2Halves(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(GT_BYTES);
  for (let i = 0; i < GT_BYTES; i += 2 * FP_SIZE) {
    out.set(bytes.subarray(i + FP_SIZE, i + 2 * FP_SIZE), i);
    out.set(bytes.subarray(i, i + FP_SIZE), i + FP_SIZE);
  }
  return out;
}

function gtToBytes(f: MclGT): Uint8Array {
  return swapFp2Halves(rt.serialize(rt.raw._mclBnGT_serialize, f.raw, GT_BYTES));
}

function gtFromBytes(bytes: Uint8Array): MclGT {
  if (!(bytes instanceof Uint8Array) || bytes.length !== GT_BYTES) throw new RangeError(`expected ${GT_BYTES} bytes`);
  for (let i = 0; i < GT_BYTES; i += FP_SIZE) {
    if (bytesToNumberBE(bytes.subarray(i, i + FP_SIZE)) >= Fp.ORDER)
      throw new RangeError('Fp12 coefficient is not canonical (>= p)');
  }
  const raw = rt.deserialize(rt.raw._mclBnGT_deserialize, swapFp2Halves(bytes), GT_SIZE);
  if (raw === undefined) throw new RangeError('mcl refused the Fp12 value');
  return new MclGT(raw);
}

/** The same value as an @noble/curves Fp12 element, for the Frobenius maps of the membership test. */
function toNoble(f: MclGT) {
  return curve.fields.Fp12.fromBytes(gtToBytes(f));
}

function pointFromBytes<P extends MclPoint<P>>(
  bytes: Uint8Array,
  length: number,
  size: number,
  fn: (x: number, buf: number, n: number) => number,
  make: (raw: Uint8Array) => P,
  group: string,
): P {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw new RangeError(`expected ${length} bytes`);
  const raw = rt.deserialize(fn, bytes, size);
  if (raw === undefined) throw new RangeError(`not a valid ${group} point (not on the curve, not in the subgroup, or malformed)`);
  return make(raw);
}

// ---------------------------------------------------------------- pairings

/** Precomputed Miller-loop lines per G2 point object (as noble's backend caches its line functions). */
const lines = new WeakMap<MclG2, Uint8Array>();

function linesOf(q: MclG2): Uint8Array {
  let l = lines.get(q);
  if (l === undefined) {
    const size = rt.linesBytes;
    l = rt.frame(() => {
      const at = rt.reserve(size);
      rt.raw._mclBn_precomputeG2(at, rt.push(q.raw));
      return rt.read(at, size);
    });
    lines.set(q, l);
  }
  return l;
}

function pairProduct(pairs: ReadonlyArray<readonly [MclG1, MclG2]>): MclGT {
  const live = pairs.filter(([p, q]) => !p.is0() && !q.is0());
  if (live.length === 0) return ONE();
  return rt.frame(() => {
    const f = rt.reserve(GT_SIZE);
    const term = rt.reserve(GT_SIZE);
    for (let i = 0; i < live.length; i += 2) {
      const [p1, q1] = live[i] as readonly [MclG1, MclG2];
      const second = live[i + 1];
      const target = i === 0 ? f : term;
      if (second === undefined) rt.raw._mclBn_precomputedMillerLoop(target, rt.push(p1.raw), rt.push(linesOf(q1)));
      else {
        const [p2, q2] = second;
        rt.raw._mclBn_precomputedMillerLoop2(
          target,
          rt.push(p1.raw),
          rt.push(linesOf(q1)),
          rt.push(p2.raw),
          rt.push(linesOf(q2)),
        );
      }
      if (i > 0) rt.raw._mclBnGT_mul(f, f, term);
    }
    rt.raw._mclBn_finalExp(f, f);
    return new MclGT(rt.read(f, GT_SIZE));
  });
}

// ---------------------------------------------------------------- the backend

let one: MclGT;
const ONE = () => one;
let z: MclGT | undefined;

function gtMul(a: MclGT, b: MclGT): MclGT {
  return new MclGT(rt.op(rt.raw._mclBnGT_mul, GT_SIZE, a.raw, b.raw));
}

/** b^-1 for b in GT: the conjugate (mcl's unitary inverse). */
function gtConj(b: MclGT): MclGT {
  return new MclGT(rt.op(rt.raw._mclBnGT_inv, GT_SIZE, b.raw));
}

function mod(k: bigint): bigint {
  const e = k % ORDER;
  return e < 0n ? e + ORDER : e;
}

function makeBackend(): PairingBackend<MclGroups> {
  G1_OPS = g1Ops();
  G2_OPS = g2Ops();
  one = new MclGT(
    rt.frame(() => {
      const at = rt.reserve(GT_SIZE);
      rt.raw._mclBnGT_setInt32(at, 1);
      return rt.read(at, GT_SIZE);
    }),
  );
  const zeroOf = <P>(clear: (x: number) => void, size: number, make: (raw: Uint8Array) => P): P =>
    make(
      rt.frame(() => {
        const at = rt.reserve(size);
        clear(at);
        return rt.read(at, size);
      }),
    );
  const fromG1 = (b: Uint8Array) => pointFromBytes(b, G1_BYTES, G1_SIZE, rt.raw._mclBnG1_deserialize, (r) => new MclG1(r), 'G1');
  const fromG2 = (b: Uint8Array) => pointFromBytes(b, G2_BYTES, G2_SIZE, rt.raw._mclBnG2_deserialize, (r) => new MclG2(r), 'G2');
  const G1: PointGroup<MclG1> = Object.freeze({
    BASE: fromG1(curve.G1.Point.BASE.toBytes(true)),
    ZERO: zeroOf(rt.raw._mclBnG1_clear, G1_SIZE, (r) => new MclG1(r)),
    BYTES: G1_BYTES,
    fromBytes: fromG1,
    is: (value: unknown): value is MclG1 => value instanceof MclG1,
  });
  const G2: PointGroup<MclG2> = Object.freeze({
    BASE: fromG2(curve.G2.Point.BASE.toBytes(true)),
    ZERO: zeroOf(rt.raw._mclBnG2_clear, G2_SIZE, (r) => new MclG2(r)),
    BYTES: G2_BYTES,
    fromBytes: fromG2,
    is: (value: unknown): value is MclG2 => value instanceof MclG2,
  });
  const isCyclotomic = (f: MclGT) => rt.test(rt.raw._mclBnGT_isZero, f.raw) === 0 && gtIsCyclotomic(toNoble(f));
  const uAbs = rt.scalar(U_ABS);
  const cyclotomicIsMember = (f: MclGT) => {
    // f^p (noble's Frobenius map) = f^u = conj(f^|u|) (mcl's generic exponentiation: no assumption on f)
    const { Fp12 } = curve.fields;
    const fu = new MclGT(rt.op(rt.raw._mclBnGT_powGeneric, GT_SIZE, f.raw, uAbs));
    return Fp12.eql(Fp12.frobeniusMap(toNoble(f), 1), toNoble(gtConj(fu)));
  };
  const GT: TargetGroup<MclGT> = Object.freeze({
    ONE: one,
    BYTES: GT_BYTES,
    generator: () => {
      z ??= pairProduct([[G1.BASE, G2.BASE]]);
      return z;
    },
    mul: gtMul,
    div: (a: MclGT, b: MclGT) => gtMul(a, gtConj(b)),
    pow: (f: MclGT, k: bigint) => new MclGT(rt.op(rt.raw._mclBnGT_pow, GT_SIZE, f.raw, rt.scalar(mod(k)))),
    eq: (a: MclGT, b: MclGT) => rt.test(rt.raw._mclBnGT_isEqual, a.raw, b.raw) === 1,
    isOne: (f: MclGT) => rt.test(rt.raw._mclBnGT_isOne, f.raw) === 1,
    toBytes: gtToBytes,
    fromBytes: gtFromBytes,
    isCyclotomic,
    cyclotomicIsMember,
    isMember: (f: MclGT) => isCyclotomic(f) && cyclotomicIsMember(f),
    is: (value: unknown): value is MclGT => value instanceof MclGT,
  });
  const encoder = new TextEncoder();
  const hashToG1 = (dst: string, message: Uint8Array): MclG1 => {
    const tag = encoder.encode(dst);
    if (tag.length > 255) throw new RangeError('hash to G1: the domain-separation tag is longer than 255 bytes');
    return new MclG1(
      rt.frame(() => {
        const out = rt.reserve(G1_SIZE);
        const status = rt.raw._mclBnG1_hashAndMapToWithDst(out, rt.push(message), message.length, rt.push(tag), tag.length);
        if (status !== 0) throw new Error('mcl: hash to G1 failed');
        return rt.read(out, G1_SIZE);
      }),
    );
  };
  return Object.freeze({
    name: 'mcl',
    G1,
    G2,
    GT,
    pair: (p: MclG1, q: MclG2) => pairProduct([[p, q]]),
    pairProduct,
    hashToG1,
  });
}

// ---------------------------------------------------------------- loading

/**
 * What the loaded module must reproduce before it is used: the SHA-256 of Z = e(g, h) in
 * medshare's 576-byte encoding, and the compressed hash_to_curve(dst, "abc").
 */
const SELF_TEST = {
  z: '06fa588b89fdfb034dbc1c163ecb3dfac228f552b643c7294cc5f2c4dc170b84',
  /** RFC 9380, appendix J.9.1 (msg "abc"): P.x = 0x03567bc5...2f6903, compressed with the larger-y flag. */
  dst: 'QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_',
  hashAbc: '83567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903',
};

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

type CreateModule = (options: { cryptoGetRandomValues: (buffer: Uint8Array) => void }) => Promise<unknown>;

async function load(): Promise<PairingBackend<MclGroups>> {
  const unavailable = (problem: string) =>
    new BackendUnavailableError('mcl', MCL_PACKAGE, `the mcl backend ${problem} (npm install ${MCL_PACKAGE}@'${MCL_VERSIONS}')`);
  let createModule: CreateModule;
  try {
    const imported = (await import('mcl-wasm/dist/mcl_c.js')) as { default?: unknown };
    createModule = (imported.default ?? imported) as CreateModule;
  } catch (e) {
    throw unavailable(`needs the optional package ${MCL_PACKAGE}, which could not be loaded: ${(e as Error).message}`);
  }
  if (typeof createModule !== 'function') throw unavailable(`found ${MCL_PACKAGE} without the module factory it expects`);
  const raw = (await createModule({ cryptoGetRandomValues: (buffer) => crypto.getRandomValues(buffer) })) as RawMcl;
  const missing = REQUIRED.filter((name) => typeof raw[name] !== 'function');
  if (missing.length > 0 || !(raw.wasmMemory?.buffer instanceof ArrayBuffer)) {
    throw unavailable(`found a ${MCL_PACKAGE} module without ${missing.join(', ') || 'its memory'}`);
  }
  const status = raw._mclBn_init(CURVE_BLS12_381, COMPILED_TIME_VAR);
  if (status !== 0) throw unavailable(`could not initialise ${MCL_PACKAGE} for BLS12-381 (status ${status})`);
  raw._mclBn_setETHserialization(1);
  if (raw._mclBn_setMapToMode(MAP_TO_IETF) !== 0) throw unavailable(`found a ${MCL_PACKAGE} without RFC 9380 hashing`);
  raw._mclBn_verifyOrderG1(1);
  raw._mclBn_verifyOrderG2(1);
  rt = new Runtime(raw);
  const backend = makeBackend();
  const z = hex(sha256(backend.GT.toBytes(backend.GT.generator())));
  const h = hex(backend.hashToG1(SELF_TEST.dst, encoder.encode('abc')).toBytes());
  if (z !== SELF_TEST.z || h !== SELF_TEST.hashAbc) {
    throw unavailable(`failed its known-answer self-test with ${MCL_PACKAGE} (version ${raw._mclBn_getVersion().toString(16)})`);
  }
  return backend;
}

const encoder = new TextEncoder();
let loading: Promise<PairingBackend<MclGroups>> | undefined;

/**
 * The mcl (WebAssembly) pairing backend: loads mcl-wasm's module once per program and returns
 * the same backend on every call. Runs a known-answer self-test first (Z = e(g, h) and an
 * RFC 9380 hash, byte for byte), so a module that computes other bytes is never used.
 *
 * Works wherever mcl-wasm does: Node, and browsers through a bundler (the WebAssembly is
 * embedded in the package's JavaScript, so no file needs serving).
 *
 * @returns the backend, for `withBackend` (medshare/backend) or the scheme factories
 * @throws BackendUnavailableError (`ERR_BACKEND_UNAVAILABLE`) naming mcl-wasm when the package is
 * not installed, or when the installed version does not have the shape or give the answers
 * checked; a later call tries again
 */
export function mclBackend(): Promise<PairingBackend<MclGroups>> {
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
