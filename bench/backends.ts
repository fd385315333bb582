/**
 * The pairing backends the benchmark measures: the default (noble) always, mcl when the
 * optional package mcl-wasm is installed. Each suite runs once per backend with the same inputs
 * and the same measurement rules, so the report can put them side by side.
 */
import { type Schemes, nobleBackend, withBackend } from '../src/backend/index.js';
import type { Groups, PairingBackend } from '../src/backend/types.js';
import { type VerifiableCore, verifiableCore } from '../src/pre/ga07-verifiable.js';

/** One backend's schemes, as the suites use them. */
export interface BenchKit extends Schemes<Groups> {
  /** 'noble' or 'mcl'. */
  readonly name: string;
  /** The prover alone (to time proof generation without the re-encryption). */
  readonly proveShare: VerifiableCore<Groups>['proveShare'];
}

/** The suites' view of `backend`. */
export function benchKit(backend: PairingBackend): BenchKit {
  return { ...withBackend(backend), name: backend.name, proveShare: verifiableCore(backend).proveShare };
}

/** The names the `--backends` option accepts. */
export const BACKEND_NAMES = ['noble', 'mcl'] as const;

/**
 * The kits for `names`: noble always loads; mcl needs mcl-wasm, and when it does not load the
 * reason comes back as a note instead.
 */
export async function loadKits(names: readonly string[]): Promise<{ kits: BenchKit[]; notes: string[] }> {
  const kits: BenchKit[] = [];
  const notes: string[] = [];
  for (const name of names) {
    if (name === 'noble') kits.push(benchKit(nobleBackend));
    else if (name === 'mcl') {
      try {
        const { mclBackend } = await import('../src/backend/mcl.js');
        kits.push(benchKit(await mclBackend()));
      } catch (e) {
        notes.push(`mcl backend skipped: ${(e as Error).message}`);
      }
    }
  }
  return { kits, notes };
}
