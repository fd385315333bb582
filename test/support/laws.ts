/**
 * Runs medshare/testing's laws under vitest: one `it` per law, named by the property it states,
 * each run with `fc.assert` (the seed comes from fast-check-setup.ts: fixed in CI, FC_SEED replays).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Law } from '../../src/testing/index.js';

/**
 * Registers `laws` (built lazily inside the describe block, so their setup runs at collection)
 * as tests; `runs` overrides each law's own count.
 */
export function describeLaws(title: string, laws: () => readonly Law[], runs?: (law: Law) => number): void {
  describe(title, () => {
    for (const law of laws()) {
      it(law.name, () => {
        fc.assert(law.property, { numRuns: runs?.(law) ?? law.runs });
      });
    }
  });
}
