/**
 * An attacker's tools against medshare/zk: a dictionary search that tests guesses against a
 * published hash (the ledger's record commitment, a requirement hash), and the proof forgery
 * that the maker of a single-party setup can always carry out.
 * Kept apart from the pre/sign tools (src/testing/hostile.ts) so that both can grow.
 */
import { bn254 } from '@noble/curves/bn254.js';
import type { RandomSource } from '../../src/internal/random.js';
import { FIELD_ORDER, invert, randomScalar } from '../../src/zk/field.js';
import { type Circuit, decodeVerificationKey, type Groth16Proof, type VerificationKey } from '../../src/zk/index.js';
import { readConstraintSystem } from '../../src/zk/r1cs.js';
import { firstPointOutsideSubgroup } from './curves.js';
import { domainPower, qapAt } from '../../src/zk/setup.js';

/**
 * Enumerates `candidates` and returns the first whose `hash` equals `target`, or undefined
 * after trying them all; `tried` counts the hashes computed.
 */
export function dictionarySearch<T>(
  candidates: Iterable<T>,
  hash: (candidate: T) => bigint,
  target: bigint,
): { found: T | undefined; tried: number } {
  let tried = 0;
  for (const candidate of candidates) {
    tried++;
    if (hash(candidate) === target) return { found: candidate, tried };
  }
  return { found: undefined, tried };
}

/** Every combination of one value per dimension (the cartesian product), first dimension slowest. */
export function* product<T>(dimensions: readonly (readonly T[])[]): Generator<T[]> {
  if (dimensions.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = dimensions as [readonly T[], ...(readonly T[])[]];
  for (const value of first) for (const tail of product(rest)) yield [value, ...tail];
}

/** The integers from..to (inclusive) in steps of `step`. */
export function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x += step) out.push(x);
  return out;
}

// --- the single-party setup's trapdoor ------------------------------------------------------------

/** The toxic waste of a Groth16 setup. */
export interface SetupSecrets {
  readonly tau: bigint;
  readonly alpha: bigint;
  readonly beta: bigint;
  readonly gamma: bigint;
  readonly delta: bigint;
}

/**
 * The secrets zkpKeyGen drew from `random`: it draws tau, alpha, beta, gamma, delta in this order,
 * each with randomScalar (src/zk/setup.ts). Given the seeded source a test key was made with, this
 * is what the key's maker knows.
 */
export function setupSecretsFrom(random: RandomSource): SetupSecrets {
  const [tau, alpha, beta, gamma, delta] = Array.from({ length: 5 }, () => randomScalar(random)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return { tau, alpha, beta, gamma, delta };
}

/**
 * Forges a Groth16 proof of ANY public signals from tau, alpha and beta alone, for a key whose
 * alpha, beta and QAP at tau are these - so also after phase-2 contributions, which change delta
 * only. With l = sum_i x_i (beta u_i(tau) + alpha v_i(tau) + w_i(tau)) over the constant wire and
 * the public signals x (gamma cancels: e(vk_x, [gamma]_2) = e(g1, g2)^l), pick a, s at random and
 *   A = [a]_1,  B = [b]_2 + s [delta]_2,  C = [a s]_1,  b = (alpha beta + l) / a,
 * so that e(A, B) = e(g1, g2)^(alpha beta + l + a s delta) = e(alpha, beta) e(vk_x, gamma) e(C, delta).
 * [delta]_2 is read from the (public) verification key.
 */
export function forgeProof(
  circuit: Circuit,
  secrets: Pick<SetupSecrets, 'tau' | 'alpha' | 'beta'>,
  verificationKey: VerificationKey,
  publicSignals: readonly string[],
  random: RandomSource,
): Groth16Proof {
  const r = FIELD_ORDER;
  const cs = readConstraintSystem(circuit.r1cs);
  const { u, v, w } = qapAt(cs, secrets.tau, domainPower(cs));
  const x = [1n, ...publicSignals.map((s) => BigInt(s))];
  let l = 0n;
  x.forEach((xi, j) => {
    l = (l + xi * ((secrets.beta * (u[j] as bigint) + secrets.alpha * (v[j] as bigint) + (w[j] as bigint)) % r)) % r;
  });
  const a = randomScalar(random);
  const s = randomScalar(random);
  const b = (((secrets.alpha * secrets.beta + l) % r) * invert(a)) % r;
  const { delta } = decodeVerificationKey(verificationKey);
  const A = bn254.G1.Point.BASE.multiply(a).toAffine();
  const B = bn254.G2.Point.BASE.multiply(b).add(delta.multiply(s)).toAffine();
  const C = bn254.G1.Point.BASE.multiply((a * s) % r).toAffine();
  return {
    pi_a: [A.x.toString(), A.y.toString(), '1'],
    pi_b: [
      [B.x.c0.toString(), B.x.c1.toString()],
      [B.y.c0.toString(), B.y.c1.toString()],
      ['1', '0'],
    ],
    pi_c: [C.x.toString(), C.y.toString(), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}

// --- mutators for the decoder fuzz (test/zk-fuzz.test.ts) ----------------------------------------
// Each takes a deterministic Rng (so a failing case replays from its seed) and a valid input, and
// returns a mutated copy plus the name of the mutation, for the failure message.

/** A small deterministic generator (xorshift128+ over two 32-bit halves is overkill; mulberry32 suffices here). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** A uniform 32-bit integer. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  /** One of the items. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
  /** A random integer below 2^bits. */
  bigint(bits: number): bigint {
    let x = 0n;
    for (let i = 0; i < bits; i += 32) x = (x << 32n) | BigInt(this.next());
    return x & ((1n << BigInt(bits)) - 1n);
  }
}

/** A mutated input and what was done to it. */
export interface Mutant<T> {
  readonly value: T;
  readonly mutation: string;
}

const BASE_Q = bn254.fields.Fp.ORDER;
const be32 = (x: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  let v = x;
  for (let i = 31; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};
const fromBe32 = (b: Uint8Array, at: number): bigint => {
  let x = 0n;
  for (let i = 0; i < 32; i++) x = (x << 8n) | BigInt(b[at + i] as number);
  return x;
};

/**
 * Generic byte-level mutations: bit flips, byte changes, truncation, extension, insertion,
 * deletion, splices, random bytes. `positions`, when given, are the offsets that flips and byte
 * changes may touch (for example the bytes a decoder reads).
 */
export function mutateBytes(rng: Rng, input: Uint8Array, positions?: readonly number[]): Mutant<Uint8Array> {
  const b = input.slice();
  const position = () => (positions === undefined ? rng.int(b.length) : rng.pick(positions));
  switch (rng.int(9)) {
    case 0: {
      const flips = 1 + rng.int(4);
      for (let k = 0; k < flips; k++) {
        const at = position();
        b[at] = (b[at] as number) ^ (1 << rng.int(8));
      }
      return { value: b, mutation: `flip ${flips} bit(s)` };
    }
    case 1: {
      const at = position();
      b[at] = (b[at] as number) ^ (1 + rng.int(255));
      return { value: b, mutation: `byte ${at} changed` };
    }
    case 2: {
      const length = rng.int(b.length);
      return { value: b.slice(0, length), mutation: `truncated to ${length}` };
    }
    case 3: {
      const extra = 1 + rng.int(40);
      const out = new Uint8Array(b.length + extra);
      out.set(b);
      if (rng.int(2) === 0) out.set(rng.bytes(extra), b.length);
      return { value: out, mutation: `extended by ${extra}` };
    }
    case 4: {
      const at = rng.int(b.length + 1);
      const out = new Uint8Array(b.length + 1);
      out.set(b.subarray(0, at));
      out[at] = rng.int(256);
      out.set(b.subarray(at), at + 1);
      return { value: out, mutation: `byte inserted at ${at}` };
    }
    case 5: {
      const at = rng.int(b.length);
      const out = new Uint8Array(b.length - 1);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + 1), at);
      return { value: out, mutation: `byte ${at} deleted` };
    }
    case 6: {
      const length = 1 + rng.int(64);
      const from = rng.int(Math.max(1, b.length - length));
      const to = rng.int(Math.max(1, b.length - length));
      b.copyWithin(to, from, from + length);
      return { value: b, mutation: `spliced ${length} bytes from ${from} to ${to}` };
    }
    case 7:
      return { value: rng.bytes(b.length), mutation: 'random bytes, same length' };
    default: {
      const length = rng.int(2 * b.length + 2);
      return { value: rng.bytes(length), mutation: `random bytes, length ${length}` };
    }
  }
}

/** An affine point on the BN254 twist outside the prime-order subgroup (c0 = i, c1 = 1 for the first i that works). */
export function twistPointOutsideSubgroup(): { x: [bigint, bigint]; y: [bigint, bigint] } {
  const { Fp2 } = bn254.fields;
  const p = firstPointOutsideSubgroup(
    Fp2,
    bn254.G2.Point.CURVE().b,
    (i) => Fp2.create({ c0: i, c1: 1n }),
    (a) => bn254.G2.Point.fromAffine(a),
  );
  const { x, y } = p.toAffine();
  return { x: [x.c0, x.c1], y: [y.c0, y.c1] };
}

const OFF_SUBGROUP = /* lazily */ (() => {
  let cached: ReturnType<typeof twistPointOutsideSubgroup> | undefined;
  return () => {
    cached ??= twistPointOutsideSubgroup();
    return cached;
  };
})();

/**
 * Mutations of the 256-byte packed proof (A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y):
 * the generic byte mutations, and per-field substitutions - a coordinate set to 0, 1, q - 1, q,
 * q + 1, x + q, r, 2^256 - 1 or q - x (the negated point), A or C at infinity, off the curve, the
 * generator or each other, B at infinity, off the subgroup, the generator, or with c0 and c1
 * swapped (the JSON order).
 */
export function mutateProofBytes(rng: Rng, input: Uint8Array): Mutant<Uint8Array> {
  if (rng.int(10) < 6) return mutateBytes(rng, input);
  const b = input.slice();
  const word = rng.int(8);
  const x = fromBe32(b, 32 * word);
  const set = (w: number, v: bigint) => b.set(be32(v & ((1n << 256n) - 1n)), 32 * w);
  const g1 = bn254.G1.Point.BASE.toAffine();
  const g2 = bn254.G2.Point.BASE.toAffine();
  // Cases 1, 3, 5, 8 and 10 can give valid points (a well-formed, wrong proof): drawn 1 time in
  // 10, since each costs a G2 subgroup check; the rest uniformly.
  switch (rng.int(10) === 0 ? rng.pick([1, 3, 5, 8, 10]) : rng.pick([0, 2, 4, 6, 7, 9, 11])) {
    case 0: {
      const v = rng.pick([0n, 1n, BASE_Q - 1n, BASE_Q, BASE_Q + 1n, x + BASE_Q, FIELD_ORDER, (1n << 256n) - 1n]);
      set(word, v);
      return { value: b, mutation: `word ${word} = ${v}` };
    }
    case 1:
      set(word, x === 0n ? 0n : BASE_Q - x);
      return { value: b, mutation: `word ${word} negated (q - x)` };
    case 2: {
      const p = rng.pick([0, 6]);
      set(p, 0n);
      set(p + 1, 0n);
      return { value: b, mutation: `${p === 0 ? 'A' : 'C'} at infinity` };
    }
    case 3: {
      const p = rng.pick([0, 6]);
      set(p, BigInt(g1.x));
      set(p + 1, BigInt(g1.y));
      return { value: b, mutation: `${p === 0 ? 'A' : 'C'} = generator` };
    }
    case 4: {
      const p = rng.pick([0, 6]);
      set(p + 1, (fromBe32(b, 32 * (p + 1)) + 1n) % BASE_Q);
      return { value: b, mutation: `${p === 0 ? 'A' : 'C'}.y + 1 (off the curve)` };
    }
    case 5:
      b.copyWithin(192, 0, 64);
      return { value: b, mutation: 'C = A' };
    case 6:
      for (let w = 2; w < 6; w++) set(w, 0n);
      return { value: b, mutation: 'B at infinity' };
    case 7: {
      const { x: bx, y: by } = OFF_SUBGROUP();
      [bx[1], bx[0], by[1], by[0]].forEach((v, i) => {
        set(2 + i, v);
      });
      return { value: b, mutation: 'B on the twist, outside the subgroup' };
    }
    case 8:
      [g2.x.c1, g2.x.c0, g2.y.c1, g2.y.c0].forEach((v, i) => {
        set(2 + i, v);
      });
      return { value: b, mutation: 'B = generator' };
    case 9: {
      const [x1, x0, y1, y0] = [2, 3, 4, 5].map((w) => fromBe32(b, 32 * w)) as [bigint, bigint, bigint, bigint];
      [x0, x1, y0, y1].forEach((v, i) => {
        set(2 + i, v);
      });
      return { value: b, mutation: 'B with c0 and c1 swapped' };
    }
    case 10: {
      const A = b.slice(0, 64);
      b.copyWithin(0, 192, 256);
      b.set(A, 192);
      return { value: b, mutation: 'A and C swapped' };
    }
    default:
      set(word, rng.bigint(256));
      return { value: b, mutation: `word ${word} random` };
  }
}

/**
 * Hostile spellings of a decimal string: leading zero, plus and minus signs, whitespace, a BOM,
 * hex, an exponent, a decimal point, the empty string, overlong digit strings, non-ASCII digits,
 * the value plus q or r, other types.
 */
export function mutateDecimal(rng: Rng, s: string): Mutant<unknown> {
  const v = /^[0-9]+$/.test(s) ? BigInt(s) : 0n;
  const options: [string, () => unknown][] = [
    ['leading zero', () => `0${s}`],
    ['two leading zeros', () => `00${s}`],
    ['plus sign', () => `+${s}`],
    ['minus sign', () => `-${s}`],
    ['leading space', () => ` ${s}`],
    ['trailing space', () => `${s} `],
    ['trailing newline', () => `${s}\n`],
    ['BOM prefix', () => `\uFEFF${s}`],
    ['hex', () => `0x${v.toString(16)}`],
    ['exponent', () => `${s}e0`],
    ['decimal point', () => `${s}.0`],
    ['empty', () => ''],
    ['overlong digits', () => '9'.repeat(80 + rng.int(200))],
    ['overlong zeros', () => '0'.repeat(2 + rng.int(200))],
    ['Arabic-Indic digits', () => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x660 + Number(d)))],
    ['full-width digits', () => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
    ['plus q', () => (v + BASE_Q).toString()],
    ['plus r', () => (v + FIELD_ORDER).toString()],
    ['q', () => BASE_Q.toString()],
    ['r', () => FIELD_ORDER.toString()],
    ['2^256', () => (1n << 256n).toString()],
    ['a number', () => Number(v)],
    ['a bigint', () => v],
    ['null', () => null],
    ['an array', () => [s]],
    ['an object', () => ({ value: s })],
    ['undefined', () => undefined],
    ['random digits', () => rng.bigint(1 + rng.int(260)).toString()],
    ['one digit changed', () => (s.length === 0 ? '1' : s.slice(0, -1) + String((Number(s.at(-1)) + 1) % 10))],
  ];
  const [name, make] = rng.pick(options);
  return { value: make(), mutation: name };
}

/** The point substitutions of {@link mutateJson} that give a well-formed value (or one only the subgroup check refuses). */
const VALID_SUBSTITUTES = new Set(['the generator', 'negated', 'outside the subgroup']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a string leaf of a JSON value. */
function stringPaths(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []) {
  if (typeof value === 'string') out.push(path);
  else if (Array.isArray(value))
    value.forEach((v, i) => {
      stringPaths(v, [...path, i], out);
    });
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) stringPaths(v, [...path, k], out);
  return out;
}
function getAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
}
function setAt(value: unknown, path: readonly (string | number)[], leaf: unknown): void {
  const parent = getAt(value, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  if (leaf === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = leaf;
}

/**
 * Mutations of a JSON object (a proof, a verification key): a hostile spelling of one string leaf
 * ({@link mutateDecimal}), a key removed or added, an array shortened, lengthened or nested, the
 * projective z changed, the whole value replaced by another type, and `points`: named point
 * substitutions (infinity in both of snarkjs's spellings, off the curve, the generator, a twist
 * point outside the subgroup, the negated point).
 */
export function mutateJson(rng: Rng, input: object, points: { g1: string[]; g2: string[] }): Mutant<unknown> {
  const value = structuredClone(input) as Record<string, Json>;
  const choice = rng.int(20);
  // Substitutions that leave a well-formed object (the generator, a negated point, a twist point
  // that only the subgroup check refuses, an unknown key) are drawn 1 time in 40 among their
  // kind: each costs the decoder its G2 subgroup checks.
  const valid = rng.int(40) === 0;
  if (choice < 11) {
    const paths = stringPaths(value);
    const path = rng.pick(paths);
    const m = mutateDecimal(rng, getAt(value, path) as string);
    setAt(value, path, m.value);
    return { value, mutation: `${path.join('.')}: ${m.mutation}` };
  }
  if (choice < 16 && (points.g1.length > 0 || points.g2.length > 0)) {
    const g1 = bn254.G1.Point.BASE.toAffine();
    const g2 = bn254.G2.Point.BASE.toAffine();
    const useG2 = points.g1.length === 0 || (points.g2.length > 0 && rng.int(2) === 0);
    const name = rng.pick(useG2 ? points.g2 : points.g1);
    const [key, index] = name.split('.') as [string, string | undefined];
    const at = index === undefined ? [key] : [key, Number(index)];
    const old = getAt(value, at) as Json[];
    if (!useG2) {
      const [x, y] = old as [string, string];
      const substitutes: [string, Json][] = [
        ['infinity [0, 0, 1]', ['0', '0', '1']],
        ['infinity [0, 1, 0] (snarkjs)', ['0', '1', '0']],
        ['off the curve (y + 1)', [x, ((BigInt(y) + 1n) % BASE_Q).toString(), '1']],
        ['the generator', [g1.x.toString(), g1.y.toString(), '1']],
        ['negated', [x, ((BASE_Q - BigInt(y)) % BASE_Q).toString(), '1']],
        ['x and y swapped', [y, x, '1']],
        ['z = 0', [x, y, '0']],
        ['z = 2', [x, y, '2']],
        ['z a number', [x, y, 1]],
        ['two coordinates', [x, y]],
        ['four coordinates', [x, y, '1', '1']],
      ];
      const [what, sub] = rng.pick(substitutes.filter(([n]) => VALID_SUBSTITUTES.has(n) === valid));
      setAt(value, at, sub);
      return { value, mutation: `${name}: ${what}` };
    }
    const [[x0, x1], [y0, y1]] = old as [[string, string], [string, string]];
    const off = OFF_SUBGROUP();
    const substitutes: [string, Json][] = [
      [
        'infinity',
        [
          ['0', '0'],
          ['0', '0'],
          ['1', '0'],
        ],
      ],
      [
        'infinity (snarkjs)',
        [
          ['0', '0'],
          ['1', '0'],
          ['0', '0'],
        ],
      ],
      ['outside the subgroup', [off.x.map(String), off.y.map(String), ['1', '0']]],
      [
        'the generator',
        [
          [g2.x.c0.toString(), g2.x.c1.toString()],
          [g2.y.c0.toString(), g2.y.c1.toString()],
          ['1', '0'],
        ],
      ],
      [
        'c0 and c1 swapped',
        [
          [x1, x0],
          [y1, y0],
          ['1', '0'],
        ],
      ],
      [
        'off the curve',
        [
          [x0, x1],
          [y0, ((BigInt(y1) + 1n) % BASE_Q).toString()],
          ['1', '0'],
        ],
      ],
      [
        'z = [0, 1]',
        [
          [x0, x1],
          [y0, y1],
          ['0', '1'],
        ],
      ],
      ['z = [1]', [[x0, x1], [y0, y1], ['1']]],
      [
        'a coordinate of three',
        [
          [x0, x1, '0'],
          [y0, y1],
          ['1', '0'],
        ],
      ],
      ['flattened', [x0, x1, y0, y1, '1', '0']],
    ];
    const [what, sub] = rng.pick(substitutes.filter(([n]) => VALID_SUBSTITUTES.has(n) === valid));
    setAt(value, at, sub);
    return { value, mutation: `${name}: ${what}` };
  }
  const keys = Object.keys(value);
  if (valid) {
    value.extra = 'ignored';
    return { value, mutation: 'an unknown key added (ignored)' };
  }
  switch (rng.int(6)) {
    case 0: {
      const key = rng.pick(keys);
      delete value[key];
      return { value, mutation: `key ${key} removed` };
    }
    case 1: {
      const key = rng.pick(keys);
      value[key] = rng.pick<Json>([null, 6, '6', [], {}, true, 'groth16']);
      return { value, mutation: `key ${key} replaced by another type` };
    }
    case 2: {
      const key = rng.pick(keys.filter((k) => Array.isArray(value[k])));
      const arr = value[key] as Json[];
      if (rng.int(2) === 0) arr.pop();
      else arr.push(structuredClone(arr[0] as Json));
      return { value, mutation: `array ${key} shortened or lengthened` };
    }
    case 3:
      return { value: rng.pick<unknown>([null, [], 'proof', 42, true, [value]]), mutation: 'replaced by another type' };
    case 4: {
      const key = rng.pick(['protocol', 'curve', 'nPublic']);
      value[key] = rng.pick<Json>(['plonk', 'bls12381', 'BN128', 'groth16 ', 5, 7, '6', 6.5, -6]);
      return { value, mutation: `${key} changed` };
    }
    default: {
      const key = rng.pick(keys.filter((k) => Array.isArray(value[k])));
      value[key] = [value[key] as Json];
      return { value, mutation: `array ${key} nested` };
    }
  }
}

/** Mutations of a public-signal list: one signal respelled ({@link mutateDecimal}), or the list's length or type changed. */
export function mutateSignals(rng: Rng, signals: readonly string[]): Mutant<unknown> {
  const out: unknown[] = [...signals];
  if (rng.int(10) < 8) {
    const i = rng.int(out.length);
    const m = mutateDecimal(rng, signals[i] as string);
    out[i] = m.value;
    return { value: out, mutation: `signal ${i}: ${m.mutation}` };
  }
  switch (rng.int(5)) {
    case 0:
      return { value: out.slice(0, rng.int(out.length)), mutation: 'fewer signals' };
    case 1:
      return { value: [...out, '0'], mutation: 'a seventh signal' };
    case 2:
      return { value: out.join(','), mutation: 'a string, not an array' };
    case 3:
      return { value: [out], mutation: 'nested' };
    default:
      return { value: Object.fromEntries(out.map((s, i) => [i, s])), mutation: 'an object, not an array' };
  }
}
