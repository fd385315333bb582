/**
 * Long PBFT soak: many more seeds, larger groups and longer chaos than the CI sweep.
 * Usage: npx tsx scripts/soak-pbft.ts [seeds-per-n=2000] [first-seed=100000]
 * Every failure prints its seed; replay it with runSimulation({ seed, n }) from src/testing/pbft-simulator.ts.
 */
import { runSimulation, SimulationFailure } from '../src/testing/pbft-simulator.js';

const seedsPerN = Number(process.argv[2] ?? 2000);
const firstSeed = Number(process.argv[3] ?? 100_000);
const configs = [
  { n: 4, chaosTicks: 1500, requestsPerClient: 20 },
  { n: 7, chaosTicks: 1500, requestsPerClient: 15 },
  { n: 10, chaosTicks: 1200, requestsPerClient: 10 },
  { n: 13, chaosTicks: 1000, requestsPerClient: 8 },
];
let failures = 0;
const started = performance.now();
for (const config of configs) {
  const t0 = performance.now();
  let viewChanges = 0;
  let transfers = 0;
  for (let seed = firstSeed; seed < firstSeed + seedsPerN; seed++) {
    try {
      const r = runSimulation({ seed, ...config, clients: 4, livenessBudget: 20_000 });
      viewChanges += r.viewChanges;
      transfers += r.stateTransfers;
    } catch (e) {
      if (!(e instanceof SimulationFailure)) throw e;
      failures++;
      console.log(`FAIL ${e.message}`);
    }
  }
  console.log(
    `n = ${config.n}: ${seedsPerN} seeds from ${firstSeed}, ${viewChanges} view changes, ${transfers} state transfers, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
console.log(`${failures} failures in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = failures === 0 ? 0 : 1;
