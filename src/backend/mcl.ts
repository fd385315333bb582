/**
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
 *
 * Side channels: `multiply` uses mcl's constant-time ladder; GT exponentiation, pairings and
 * hashing are not claimed constant-time (neither are the noble backend's).
 * @module
 */
import type { PairingBackend } from './types.js';
import { loadMcl, type MclGroups } from './mcl-runtime.js';

export { MCL_PACKAGE, MCL_VERSIONS, MclG1, MclG2, MclGT } from './mcl-runtime.js';
export type { MclGroups } from './mcl-runtime.js';
export { BackendUnavailableError } from '../internal/errors.js';

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
 * @throws MedshareError (`ERR_MISSING_DEPENDENCY`) naming mcl-wasm and `npm install mcl-wasm` when
 * the package is not installed
 * @throws BackendUnavailableError (`ERR_BACKEND_UNAVAILABLE`) naming mcl-wasm when the installed
 * version does not have the shape or give the answers checked. After either, a later call tries
 * again
 */
export function mclBackend(): Promise<PairingBackend<MclGroups>> {
  loading ??= loadMcl().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
