/**
 * @module
 * The pairing backends the pre/sign suites run under, each as a "kit": the schemes made with
 * `withBackend`, ga07's internals on that backend, and the backend's primitives under the names
 * src/internal/bls.ts gives the noble ones (`pair`, `gtMul`, `G1Point`, ...), so that a suite
 * written for one backend runs under every one as `for (const K of KITS) describe(K.label, ...)`.
 *
 * Both backends by default; MEDSHARE_BACKENDS=noble (or mcl) restricts a local run. The mcl
 * backend needs the dev dependency mcl-wasm: when it is missing the suites fail rather than skip.
 */
import { nobleBackend, type Schemes, withBackend } from '../../src/backend/index.js';
import { mclBackend } from '../../src/backend/mcl.js';
import type { Groups, PairingBackend } from '../../src/backend/types.js';
import { type Ga07Core, ga07Core } from '../../src/pre/ga07.js';
import { type Huang2020Core, huang2020Core } from '../../src/pre/huang2020.js';

/** Everything a suite needs from one backend. */
export interface Kit extends Schemes<Groups> {
  /** 'noble' or 'mcl'. */
  readonly name: string;
  /** For describe blocks: '[noble]' or '[mcl]'. */
  readonly label: string;
  /** ga07's building blocks on this backend (identityPoint, decapsulate, ...). */
  readonly core: Ga07Core<Groups>;
  /** huang2020's KEM halves on this backend. */
  readonly huang: Huang2020Core<Groups>;
  readonly G1Point: PairingBackend['G1'];
  readonly G2Point: PairingBackend['G2'];
  readonly pair: PairingBackend['pair'];
  readonly pairProduct: PairingBackend['pairProduct'];
  readonly hashToG1: PairingBackend['hashToG1'];
  readonly Z: () => object;
  readonly GT_ONE: object;
  readonly gtMul: (a: object, b: object) => object;
  readonly gtDiv: (a: object, b: object) => object;
  readonly gtPow: (f: object, k: bigint) => object;
  readonly gtEq: (a: object, b: object) => boolean;
  readonly gtIsOne: (f: object) => boolean;
  readonly gtToBytes: (f: object) => Uint8Array;
  readonly gtFromBytes: (bytes: Uint8Array) => object;
  readonly gtIsMember: (f: object) => boolean;
  readonly gtIsCyclotomic: (f: object) => boolean;
}

function kit(backend: PairingBackend): Kit {
  const GT = backend.GT;
  return Object.freeze({
    ...withBackend(backend),
    name: backend.name,
    label: `[${backend.name}]`,
    core: ga07Core(backend),
    huang: huang2020Core(backend),
    G1Point: backend.G1,
    G2Point: backend.G2,
    pair: backend.pair,
    pairProduct: backend.pairProduct,
    hashToG1: backend.hashToG1,
    Z: GT.generator,
    GT_ONE: GT.ONE,
    gtMul: GT.mul,
    gtDiv: GT.div,
    gtPow: GT.pow,
    gtEq: GT.eq,
    gtIsOne: GT.isOne,
    gtToBytes: GT.toBytes,
    gtFromBytes: GT.fromBytes,
    gtIsMember: GT.isMember,
    gtIsCyclotomic: GT.isCyclotomic,
  });
}

const wanted = (process.env.MEDSHARE_BACKENDS ?? 'noble,mcl').split(',').map((s) => s.trim());
for (const name of wanted)
  if (name !== 'noble' && name !== 'mcl') throw new RangeError(`MEDSHARE_BACKENDS: unknown backend ${name}`);

/** The noble kit (always built: other suites compare against it). */
export const NOBLE: Kit = kit(nobleBackend);
/** The mcl kit (always built: the cross-backend suites need it). */
export const MCL: Kit = kit(await mclBackend());
/** The kits the parametrised suites run under. */
export const KITS: readonly Kit[] = [NOBLE, MCL].filter((k) => wanted.includes(k.name));
