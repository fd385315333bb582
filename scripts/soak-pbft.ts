/**
 * Long PBFT soak: many more seeds than the CI sweep, each drawing every knob as CI does (the swarm
 * of src/testing/pbft-simulator.ts), plus runs with n = 13 and longer chaos.
 * Usage: npx tsx scripts/soak-pbft.ts [seeds=2000] [first-seed=100000]
 * Every failure prints its seed and knobs; replay it with runSimulation({ seed }) from
 * src/testing/pbft-simulator.ts (add the fixed knobs printed under "long" for those runs).
 */
import { runSimulation, SimulationFailure, type SimOptions } from '../src/testing/pbft-simulator.js';

const seeds = Number(process.argv[2] ?? 2000);
const firstSeed = Number(process.argv[3] ?? 100_000);
const profiles: { name: string; fixed: Omit<SimOptions, 'seed'> }[] = [
  { name: 'swarm', fixed: {} },
  { name: 'long (n = 13, long chaos)', fixed: { n: 13, chaosTicks: 1500, requestsPerClient: 10, livenessBudget: 20_000 } },
];
let failures = 0;
const started = performance.now();
for (const profile of profiles) {
  const t0 = performance.now();
  const runs = profile.name === 'swarm' ? seeds : Math.max(1, Math.floor(seeds / 20));
  const totals = {
    viewChanges: 0,
    stateTransfers: 0,
    crashes: 0,
    checkpointsLost: 0,
    dosMessages: 0,
    lyingReplies: 0,
    clockAttacks: 0,
  };
  for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
    try {
      const r = runSimulation({ seed, ...profile.fixed });
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += r[key];
    } catch (e) {
      if (!(e instanceof SimulationFailure)) throw e;
      failures++;
      console.log(`FAIL ${e.message}`);
    }
  }
  console.log(
    `${profile.name}: ${runs} seeds from ${firstSeed}, ${JSON.stringify(totals)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
console.log(`${failures} failures in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = failures === 0 ? 0 : 1;
