/**
 * `medshare/backend`: pairing backends, and every pairing-based scheme of medshare on one of them.
 *
 * medshare's schemes compute on BLS12-381 through a backend. Two exist:
 * - {@link nobleBackend} (the default): @noble/curves, pure JavaScript, no extra dependency. The
 *   exports of medshare/pre (`ga07`, `ga07Verifiable`, `huang2020`) and medshare/sign use it.
 * - `mclBackend()` from `medshare/backend/mcl`: herumi's mcl compiled to WebAssembly, several
 *   times faster, in the optional package mcl-wasm (`npm install mcl-wasm`). Loading it is
 *   asynchronous; what it gives is synchronous.
 *
 * Both compute the same bytes: a ciphertext made with one re-encrypts and decrypts with the
 * other, a signature made with one verifies with the other. Objects in memory hold their
 * backend's group elements, so they do not mix: a function given another backend's object
 * throws ArgumentTypeError; move objects between backends through their encodings.
 *
 * Nothing switches backends behind your back: you choose one by the objects you call.
 *
 * @example
 * ```ts
 * import { nobleBackend, type PairingBackend, withBackend } from 'medshare/backend';
 * import { mclBackend } from 'medshare/backend/mcl';
 * // The WebAssembly backend when mcl-wasm is installed, else the default one.
 * const backend: PairingBackend = await mclBackend().catch(() => nobleBackend);
 * const { ga07, ga07Verifiable, authSign } = withBackend(backend);
 * const { params, masterKey } = ga07.setup();
 * const alice = ga07.keyGen(params, masterKey, 'patient:alice');
 * const stored = ga07.encrypt(params, 'patient:alice', new TextEncoder().encode('{"hba1c": 6.1}'));
 * ga07.decrypt(params, alice, stored); // the record
 * ```
 * @module
 */
import { createGa07, ga07Core, type Ga07Params, type Ga07Scheme, type Ga07SecretKey } from '../pre/ga07.js';
import { createGa07Verifiable, type Ga07VerifiableApi } from '../pre/ga07-verifiable.js';
import { createHuang2020, type Huang2020Scheme } from '../pre/huang2020.js';
import { type AuthSignApi, createAuthSign } from '../sign/cha-cheon.js';
import type { NobleGroups } from './noble.js';
import type { Groups, PairingBackend } from './types.js';

export { nobleBackend } from './noble.js';
export type { NobleGroups } from './noble.js';
export type { Groups, PairingBackend, Point, PointGroup, TargetGroup } from './types.js';
export { BackendUnavailableError, isMedshareError, MedshareError } from '../internal/errors.js';
export type { ErrorCode } from '../internal/errors.js';

/**
 * Every pairing-based scheme of medshare on one backend, as {@link withBackend} returns them.
 * @typeParam E - the pairing backend's element types
 */
export interface Schemes<E extends Groups = NobleGroups> {
  /** The backend they compute with. */
  readonly backend: PairingBackend<E>;
  /** ga07, as medshare/pre's `ga07`. */
  readonly ga07: Ga07Scheme<E>;
  /** Checks a ga07 secret key against the params, as medshare/pre's `ga07VerifySecretKey`. */
  readonly ga07VerifySecretKey: (params: Ga07Params<E>, secretKey: Ga07SecretKey<E>) => boolean;
  /** ga07's verifiable and threshold layer, as medshare/pre's `ga07Verifiable`. */
  readonly ga07Verifiable: Ga07VerifiableApi<E>;
  /** huang2020 (INSECURE, for reproducing the paper), as medshare/pre's `huang2020`. */
  readonly huang2020: Huang2020Scheme<E>;
  /** AuthSign, medshare/sign's functions as one object. */
  readonly authSign: AuthSignApi<E>;
}

/**
 * Every pairing-based scheme of medshare (ga07, its verifiable / threshold layer, huang2020,
 * AuthSign) on `backend`: the same interfaces and bytes as the default exports, computed by that
 * backend. Each scheme is made once per backend and shared, with its caches.
 *
 * @example
 * ```ts
 * import { withBackend } from 'medshare/backend';
 * import { mclBackend } from 'medshare/backend/mcl';
 * const { ga07, ga07Verifiable, authSign } = withBackend(await mclBackend()); // needs mcl-wasm
 * ```
 */
export function withBackend<E extends Groups>(backend: PairingBackend<E>): Schemes<E> {
  return Object.freeze({
    backend,
    ga07: createGa07(backend),
    ga07VerifySecretKey: ga07Core(backend).verifySecretKey,
    ga07Verifiable: createGa07Verifiable(backend),
    huang2020: createHuang2020(backend),
    authSign: createAuthSign(backend),
  });
}
