/**
 * Points for hostile-input tests on short Weierstrass curves y^2 = x^3 + b (BLS12-381 G1, the
 * BN254 twist): the first point on the curve that is outside the prime-order subgroup.
 */

/** The field operations the search needs (noble's IField). */
export interface CurveField<F> {
  add(a: F, b: F): F;
  mul(a: F, b: F): F;
  sqr(a: F): F;
  /** Throws when `a` is not a square. */
  sqrt(a: F): F;
}

/**
 * The point (x, y) with x = candidate(1), candidate(2), ... (the first on y^2 = x^3 + b, y one of
 * its square roots) that is not torsion-free, i.e. on the curve but outside the order-r subgroup.
 * Loops forever on a curve whose points all lie in the subgroup (cofactor 1): call it only on one
 * with a cofactor.
 */
export function firstPointOutsideSubgroup<F, P extends { isTorsionFree(): boolean }>(
  field: CurveField<NoInfer<F>>,
  b: NoInfer<F>,
  candidate: (i: bigint) => F,
  fromAffine: (affine: { x: F; y: F }) => P,
): P {
  for (let i = 1n; ; i++) {
    const x = candidate(i);
    let y: F;
    try {
      y = field.sqrt(field.add(field.mul(field.sqr(x), x), b));
    } catch {
      continue;
    }
    const p = fromAffine({ x, y });
    if (!p.isTorsionFree()) return p;
  }
}
