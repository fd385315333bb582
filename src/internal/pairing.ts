/**
 * Small pairing identities shared by the schemes, for any backend.
 * @module
 */
import type { Groups, PairingBackend } from '../backend/types.js';

/** True iff P = g^k and Q = h^k for one k: e(P, h) * e(-g, Q) = 1. */
export function sameExponent<E extends Groups>(backend: PairingBackend<E>, p: E['G1'], q: E['G2']): boolean {
  return backend.GT.isOne(
    backend.pairProduct([
      [p, backend.G2.BASE],
      [backend.G1.BASE.negate(), q],
    ]),
  );
}
