/**
 * Deterministic simulation of PBFT (src/testing/pbft-simulator.ts, shipped in medshare/testing): 1,000 seeds over
 * n = 4, 7 and 10 with message loss, duplication, reordering, delay, partitions, crashes and
 * restarts from persisted state, and up to f Byzantine replicas. Safety is checked after every
 * step; liveness after healing (all honest replicas, or for a third of the seeds only 2f + 1 of them). A failure names its seed: replay it with runSimulation({ seed, n }).
 * Longer runs: `npx tsx scripts/soak-pbft.ts`.
 */
import { describe, expect, it } from 'vitest';
import { quorums } from '../src/pbft/index.js';
import { pbftProperties, runSimulation, type SimResult } from '../src/testing/index.js';
import { describeLaws } from './support/laws.js';

const SWEEP = [
  { n: 4, seeds: 450 },
  { n: 7, seeds: 330 },
  { n: 10, seeds: 220 },
] as const;
const CHUNK = 55;

const totals = { runs: 0, viewChanges: 0, stateTransfers: 0, crashes: 0, byzantineRuns: 0, maxView: 0 };

describe('simulation: safety after every step, liveness after healing (1,000 seeds)', () => {
  for (const { n, seeds } of SWEEP) {
    for (let first = 1; first <= seeds; first += CHUNK) {
      const last = Math.min(seeds, first + CHUNK - 1);
      it(`n = ${n}, seeds ${first}..${last}`, () => {
        for (let seed = first; seed <= last; seed++) {
          // A third of the seeds heal only a quorum: 2f + 1 honest replicas, the rest stay down.
          const result: SimResult = runSimulation({ seed, n, healQuorumOnly: seed % 3 === 0 }); // throws SimulationFailure naming the seed
          expect(result.completedAt).toBeGreaterThan(result.healedAt);
          totals.runs++;
          totals.viewChanges += result.viewChanges;
          totals.stateTransfers += result.stateTransfers;
          totals.crashes += result.crashes;
          totals.maxView = Math.max(totals.maxView, result.maxView);
          if (result.byzantine.length > 0) totals.byzantineRuns++;
        }
      });
    }
  }

  it('the sweep exercised view changes, state transfers, crashes and Byzantine replicas', () => {
    expect(totals.runs).toBe(1000);
    expect(totals.viewChanges).toBeGreaterThan(1000);
    expect(totals.stateTransfers).toBeGreaterThan(100);
    expect(totals.crashes).toBeGreaterThan(500);
    expect(totals.byzantineRuns).toBeGreaterThan(400);
  });
});

describe('simulation: reproducibility', () => {
  it('a seed replays exactly; another seed runs differently', () => {
    const a = runSimulation({ seed: 4242, n: 7 });
    const b = runSimulation({ seed: 4242, n: 7 });
    const c = runSimulation({ seed: 4243, n: 7 });
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.ticks).toBe(a.ticks);
    expect(b.ledgers.map((l) => l.length)).toEqual(a.ledgers.map((l) => l.length));
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
});

describe('simulation: f Byzantine replicas alone cannot force a view change (Castro-Liskov 4.5.2)', () => {
  for (const n of [4, 7, 10]) {
    it(`n = ${n}: f Byzantine backups with every behaviour, a reliable network: the view stays 0`, () => {
      const f = quorums(n).f;
      const byzantine = Array.from({ length: f }, (_, i) => n - 1 - i); // backups, never the primary of view 0
      for (let seed = 1; seed <= 12; seed++) {
        const result = runSimulation({
          seed,
          n,
          byzantine,
          behaviours: ['equivocate', 'forge', 'replay', 'wrongViewSeq', 'bogusCheckpoint', 'bogusViewChange', 'silent'],
          loss: 0,
          duplicate: 0,
          partitionRate: 0,
          crashRate: 0,
          maxDelay: 3,
          chaosTicks: 300,
        });
        expect(result.views).toEqual(result.views.map(() => 0));
        expect(result.viewChanges).toBe(0);
      }
    });
  }

  it('whereas a silent primary is replaced: the view moves on and every request still completes', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const result = runSimulation({
        seed,
        n: 4,
        byzantine: [0],
        behaviours: ['silent'],
        loss: 0,
        duplicate: 0,
        partitionRate: 0,
        crashRate: 0,
        chaosTicks: 100,
      });
      expect(Math.min(...result.views)).toBeGreaterThanOrEqual(1);
    }
  });
});

// The shipped PBFT laws (what `medshare check --only pbft` runs), over fast-check's seeds.
describeLaws('simulation: the PBFT laws of medshare/testing', () => pbftProperties({ runs: 10 }));
