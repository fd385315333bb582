/**
 * The mcl backend's machinery (internal; the public entry is ./mcl.ts): the raw WebAssembly
 * module of mcl-wasm, the element classes, the backend object and its loader. See ./mcl.ts for
 * how mcl is mapped onto medshare's formats.
 * @module
 */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { curve, Fp, gtIsCyclotomic, ORDER } from '../internal/bls.js';
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

/** The backend object on one runtime. */
function makeBackend(rt: Runtime): PairingBackend<MclGroups> {
  const { raw } = rt;
  const { Fp12 } = curve.fields;
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
  /** The same value as an @noble/curves Fp12 element, for the Frobenius maps of the membership test. */
  const toNoble = (f: MclGT) => Fp12.fromBytes(toBytes(f));
  const mul = (a: MclGT, b: MclGT) => gt(rt.op(raw._mclBnGT_mul, GT_SIZE, a.raw, b.raw));
  /** b^-1 for b in GT: the conjugate (mcl's unitary inverse). */
  const conj = (b: MclGT) => gt(rt.op(raw._mclBnGT_inv, GT_SIZE, b.raw));
  const isCyclotomic = (f: MclGT) => rt.test(raw._mclBnGT_isZero, f.raw) === 0 && gtIsCyclotomic(toNoble(f));
  const uAbs = rt.scalar(U_ABS);
  const cyclotomicIsMember = (f: MclGT) => {
    // f^p (noble's Frobenius map) = f^u = conj(f^|u|) (mcl's generic exponentiation: no assumption on f)
    const fu = gt(rt.op(raw._mclBnGT_powGeneric, GT_SIZE, f.raw, uAbs));
    return Fp12.eql(Fp12.frobeniusMap(toNoble(f), 1), toNoble(conj(fu)));
  };

  // --- pairings
  const linesOf = (q: MclG2): Uint8Array => {
    let l = rt.lines.get(q);
    if (l === undefined) {
      l = rt.frame(() => {
        const at = rt.reserve(rt.linesBytes);
        raw._mclBn_precomputeG2(at, rt.push(q.raw));
        return rt.read(at, rt.linesBytes);
      });
      rt.lines.set(q, l);
    }
    return l;
  };
  const pairProduct = (pairs: ReadonlyArray<readonly [MclG1, MclG2]>): MclGT => {
    const live = pairs.filter(([p, q]) => !p.is0() && !q.is0());
    if (live.length === 0) return one;
    return rt.frame(() => {
      const f = rt.reserve(GT_SIZE);
      const term = rt.reserve(GT_SIZE);
      for (let i = 0; i < live.length; i += 2) {
        const [p1, q1] = live[i] as readonly [MclG1, MclG2];
        const second = live[i + 1];
        const target = i === 0 ? f : term;
        // Miller loops two pairs at a time on precomputed lines; one final exponentiation.
        if (second === undefined) raw._mclBn_precomputedMillerLoop(target, rt.push(p1.raw), rt.push(linesOf(q1)));
        else {
          const [p2, q2] = second;
          raw._mclBn_precomputedMillerLoop2(target, rt.push(p1.raw), rt.push(linesOf(q1)), rt.push(p2.raw), rt.push(linesOf(q2)));
        }
        if (i > 0) raw._mclBnGT_mul(f, f, term);
      }
      raw._mclBn_finalExp(f, f);
      return gt(rt.read(f, GT_SIZE));
    });
  };

  // --- G1, G2
  const decoder =
    <P>(length: number, size: number, fn: Fn, make: (bytes: Uint8Array) => P, name: string) =>
    (bytes: Uint8Array): P => {
      if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw new RangeError(`expected ${length} bytes`);
      // The identity has one encoding, 0xc0 then zeros (mcl also reads 0xc0 with other bits set as it).
      if (((bytes[0] as number) & 0x40) !== 0 && (bytes[0] !== 0xc0 || bytes.some((b, i) => i > 0 && b !== 0))) {
        throw new RangeError(`not a valid ${name} point (infinity flag with other bits set)`);
      }
      const value = rt.deserialize(fn, bytes, size);
      if (value === undefined)
        throw new RangeError(`not a valid ${name} point (not on the curve, not in the subgroup, or malformed)`);
      return make(value);
    };
  const g1 = (bytes: Uint8Array) => new MclG1(rt, bytes);
  const g2 = (bytes: Uint8Array) => new MclG2(rt, bytes);
  const fromG1 = decoder(G1_BYTES, G1_SIZE, raw._mclBnG1_deserialize, g1, 'G1');
  const fromG2 = decoder(G2_BYTES, G2_SIZE, raw._mclBnG2_deserialize, g2, 'G2');
  const G1: PointGroup<MclG1> = Object.freeze({
    BASE: fromG1(curve.G1.Point.BASE.toBytes(true)),
    ZERO: g1(rt.constant(raw._mclBnG1_clear, G1_SIZE)),
    BYTES: G1_BYTES,
    fromBytes: fromG1,
    is: (value: unknown): value is MclG1 => value instanceof MclG1 && value.rt === rt,
  });
  const G2: PointGroup<MclG2> = Object.freeze({
    BASE: fromG2(curve.G2.Point.BASE.toBytes(true)),
    ZERO: g2(rt.constant(raw._mclBnG2_clear, G2_SIZE)),
    BYTES: G2_BYTES,
    fromBytes: fromG2,
    is: (value: unknown): value is MclG2 => value instanceof MclG2 && value.rt === rt,
  });

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
    return g1(
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
