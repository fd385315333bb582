/**
 * The pairing-backend interface: everything medshare's pairing-based schemes (ga07, its
 * verifiable / threshold layer, huang2020 and AuthSign) ask of a BLS12-381 implementation.
 *
 * A backend supplies G1, G2 and GT arithmetic, pairing products, RFC 9380 hash to G1 under a
 * caller's domain-separation tag, and the canonical encodings with their validating decoders
 * (compressed G1 / G2 points in the ZCash / IETF format, GT as twelve 48-byte big-endian Fp
 * coefficients in the order c0.c0.c0, c0.c0.c1, c0.c1.c0, ..., c1.c2.c1). Every backend computes
 * the same bilinear map and the same bytes, so objects encoded under one decode under the other
 * and every scheme gives the same outputs for the same random bytes: the known-answer vectors of
 * test/vectors/ pass under each.
 *
 * Scalars (elements of Fr) are plain `bigint`s in [0, r) and are handled by medshare itself, as
 * are the hashes to Fr; only group elements go through a backend.
 *
 * Group elements of G1 and G2 are objects with methods ({@link Point}), as @noble/curves' points
 * are; elements of GT are opaque values that only the backend's {@link TargetGroup} functions
 * touch. Elements of different backends do not mix: every scheme function checks that each
 * argument holds elements of its own backend ({@link PointGroup.is}) and throws
 * ArgumentTypeError otherwise; move objects between backends through their byte encodings.
 * @module
 */

/**
 * A point of G1 or G2 (or of the curve containing it) as the schemes use it: the subset of
 * @noble/curves' point API that every backend implements, with the same meaning.
 * @typeParam P - the point type itself
 */
export interface Point<P> {
  /** This + other. */
  add(other: P): P;
  /** This - other. */
  subtract(other: P): P;
  /** -this. */
  negate(): P;
  /** k * this for a scalar 1 <= k < r (the paper's P^k); throws RangeError otherwise. Constant-time where the backend offers it: use for secret scalars. */
  multiply(scalar: bigint): P;
  /** k * this for a public scalar 0 <= k < r, variable-time; throws RangeError otherwise. */
  multiplyUnsafe(scalar: bigint): P;
  /** True iff both are the same point. */
  equals(other: P): boolean;
  /** True iff this is the identity (the point at infinity). */
  is0(): boolean;
  /** The compressed encoding (48 bytes in G1, 96 in G2), ZCash / IETF format. */
  toBytes(compressed?: boolean): Uint8Array;
}

/**
 * The element types of one backend: G1 and G2 points and GT values.
 * `NobleGroups` (medshare/backend) and `MclGroups` (medshare/backend/mcl) are the two there are.
 */
export interface Groups {
  /** A point of G1. */
  // biome-ignore lint/suspicious/noExplicitAny: F-bounded element types; each backend's own types are exact
  readonly G1: Point<any>;
  /** A point of G2. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  readonly G2: Point<any>;
  /** An element of GT (an Fp12 value). */
  readonly GT: object;
}

/** G1 or G2 of a backend: its constants, decoder and type test. */
export interface PointGroup<P> {
  /** The generator: g in G1, h in G2 (the standard BLS12-381 generators). */
  readonly BASE: P;
  /** The identity. */
  readonly ZERO: P;
  /** Length of a compressed encoding: 48 (G1) or 96 (G2). */
  readonly BYTES: number;
  /**
   * Decodes a compressed encoding. Throws unless the bytes encode a point on the curve that lies
   * in the prime-order subgroup (the identity, 0xc0 then zeros, included). Canonicity beyond that
   * and refusing the identity are the caller's business (medshare's codec does both).
   */
  fromBytes(bytes: Uint8Array): P;
  /** True iff `value` is a point object of this group of this backend (any point, identity included). */
  is(value: unknown): value is P;
}

/** GT of a backend: the order-r subgroup of Fp12*, written multiplicatively. */
export interface TargetGroup<F> {
  /** The identity, 1. */
  readonly ONE: F;
  /** Length of an encoding: 576. */
  readonly BYTES: number;
  /** Z = e(g, h), the generator the schemes use (computed once). */
  generator(): F;
  /** a * b. */
  mul(a: F, b: F): F;
  /** a / b, computed as a times the conjugate of b: exact for b in GT (GT elements are unitary). */
  div(a: F, b: F): F;
  /** f^k for f in GT and any integer k (reduced mod r). Only valid for f in GT. */
  pow(f: F, k: bigint): F;
  /** True iff a = b. */
  eq(a: F, b: F): boolean;
  /** True iff f = 1. */
  isOne(f: F): boolean;
  /** The 576-byte encoding: twelve big-endian Fp coefficients, c0.c0.c0 first. */
  toBytes(f: F): Uint8Array;
  /** Decodes 576 bytes to an Fp12 value: canonical coefficients (< p) only, no subgroup check; throws otherwise. */
  fromBytes(bytes: Uint8Array): F;
  /** The cheap half of the membership test: f != 0 and f^(p^4 - p^2 + 1) = 1 (f is cyclotomic). */
  isCyclotomic(f: F): boolean;
  /** The expensive half: f^p = f^u, for an f that {@link TargetGroup.isCyclotomic} accepted. */
  cyclotomicIsMember(f: F): boolean;
  /** True iff f lies in GT: both halves. */
  isMember(f: F): boolean;
  /** True iff `value` is an Fp12 value of this backend (says nothing about membership in GT). */
  is(value: unknown): value is F;
}

/**
 * A BLS12-381 implementation for medshare's schemes. Get one from `nobleBackend`
 * (medshare/backend, the default, pure JavaScript) or `await mclBackend()`
 * (medshare/backend/mcl, WebAssembly, needs the optional package mcl-wasm), and give it to a
 * scheme factory (`createGa07`, `createGa07Verifiable`, `createHuang2020`, `createAuthSign`) or
 * to `withBackend`, which makes all of them at once.
 * @typeParam E - the backend's element types
 */
export interface PairingBackend<E extends Groups = Groups> {
  /** The backend's name: 'noble' or 'mcl'. */
  readonly name: string;
  /** G1. */
  readonly G1: PointGroup<E['G1']>;
  /** G2. */
  readonly G2: PointGroup<E['G2']>;
  /** GT. */
  readonly GT: TargetGroup<E['GT']>;
  /** e(P, Q); 1 when either point is the identity. */
  pair(p: E['G1'], q: E['G2']): E['GT'];
  /**
   * prod_i e(P_i, Q_i) with one shared final exponentiation; a pair with an identity point
   * contributes 1. Points must be valid (decoded or computed): no subgroup check here.
   */
  pairProduct(pairs: ReadonlyArray<readonly [E['G1'], E['G2']]>): E['GT'];
  /** RFC 9380 hash_to_curve onto G1, suite BLS12381G1_XMD:SHA-256_SSWU_RO_, under the domain-separation tag `dst`. */
  hashToG1(dst: string, message: Uint8Array): E['G1'];
}
