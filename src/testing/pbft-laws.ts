/**
 * The PBFT laws: safety (and liveness after healing) of medshare/pbft's replicas over seeded
 * schedules of the deterministic swarm simulator (./pbft-simulator.ts).
 *
 * @module
 */
import type { Arbitrary } from 'fast-check';
import { fc } from './fast-check.js';
import { holds, type Law } from './laws.js';
import { ALL_BEHAVIOURS, runSimulation, type SimOptions } from './pbft-simulator.js';

/**
 * A PBFT schedule for {@link runSimulation}: a seed (which drives every loss, duplication, delay,
 * partition, crash and Byzantine choice of the run), a cluster size from `sizes`, the Byzantine
 * behaviours the faulty replicas draw from (at least one), and whether only a quorum heals.
 * @param sizes - cluster sizes to draw from (default 4, 7 and 10)
 */
export function pbftScheduleArb(sizes: readonly number[] = [4, 7, 10]): Arbitrary<SimOptions> {
  return fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    n: fc.constantFrom(...sizes),
    pool: fc.subarray([...ALL_BEHAVIOURS], { minLength: 1 }),
    healQuorumOnly: fc.boolean(),
  });
}

/** Options of {@link pbftProperties}. */
export interface PbftLawOptions {
  /** Runs of the safety law (default 20; a schedule takes tens of milliseconds). */
  readonly runs?: number;
  /** Cluster sizes to draw from (default 4, 7 and 10). */
  readonly sizes?: readonly number[];
}

/**
 * The PBFT laws, as fast-check properties over the simulator's schedules ({@link pbftScheduleArb}):
 * - safety after every step (no two honest replicas execute different batches at one sequence
 *   number, every honest ledger is a prefix of one chain, each request executes at most once,
 *   clients accept only results that name the executing position, honest signatures are never
 *   refused) and liveness after healing, for any seed and cluster size, under message loss,
 *   duplication, reordering, partitions, crashes and restarts, and up to f Byzantine replicas;
 * - a seed replays exactly (the same fingerprint twice).
 * A failure is a `SimulationFailure` naming the seed: replay it with `runSimulation({ seed, n })`.
 * @param options - runs and cluster sizes
 * @returns the laws, group `pbft`
 */
export function pbftProperties(options: PbftLawOptions = {}): Law[] {
  const sizes = options.sizes ?? [4, 7, 10];
  const seedArb = fc.integer({ min: 1, max: 2 ** 31 - 1 });
  return [
    {
      name: 'PBFT: safety after every step and liveness after healing, for any seeded schedule of faults and up to f Byzantine replicas',
      group: 'pbft',
      runs: options.runs ?? 20,
      property: fc.property(seedArb, fc.constantFrom(...sizes), fc.boolean(), (seed, n, healQuorumOnly) => {
        const result = runSimulation({ seed, n, healQuorumOnly }); // throws SimulationFailure on a safety or liveness violation
        holds(
          result.completedAt > result.healedAt,
          `seed ${seed} (n = ${n}): requests completed before healing, so liveness went unchecked`,
        );
      }),
    },
    {
      name: 'PBFT: a seed replays exactly (the same schedule, ledgers and fingerprint)',
      group: 'pbft',
      runs: Math.max(1, Math.ceil((options.runs ?? 20) / 10)),
      property: fc.property(seedArb, fc.constantFrom(...sizes), (seed, n) => {
        const a = runSimulation({ seed, n });
        const b = runSimulation({ seed, n });
        holds(a.fingerprint === b.fingerprint && a.ticks === b.ticks, `seed ${seed} (n = ${n}) ran differently twice`);
      }),
    },
  ];
}
