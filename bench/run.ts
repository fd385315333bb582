/**
 * `npm run bench`: reproduces the paper's evaluation (section 5.2) on this machine and writes
 * a report beside the paper's numbers.
 *
 *   npm run bench                     full run
 *   npm run bench -- --quick          reduced set, few repeats (minutes)
 *   npm run bench -- --runs 100       at least 100 timed runs per figure (the paper's count)
 *   npm run bench -- --only pre,ga07  run some suites only (comma-separated: pre, ga07, umbral, pbft, zk)
 *   npm run bench -- --clear-cache    delete the compiled circuits (.cache/medshare-zk) first
 *   npm run bench -- --out DIR        where report.md, results.json and the charts go
 *                                     (default bench/results)
 *
 * Progress goes to stderr; the report goes to DIR and its markdown also to stdout.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from '@noble/hashes/utils.js';
import { type MeasureOptions, type Measurement, machine } from './harness.js';
import { type BenchResults, renderReport } from './report.js';
import { runGa07Suite } from './suites/ga07.js';
import { runPbftSuite } from './suites/pbft.js';
import { runPreSuite, runReference } from './suites/pre.js';
import { runUmbralSuite } from './suites/umbral.js';
import { runZkSuite } from './suites/zk.js';
import { defaultCacheDir } from '../src/zk/index.js';

const SUITES = ['pre', 'ga07', 'umbral', 'pbft', 'zk'] as const;
type SuiteName = (typeof SUITES)[number];

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: path.join('bench', 'results') },
    help: { type: 'boolean', default: false },
    'clear-cache': { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(`usage: npm run bench -- [--quick] [--runs N] [--only ${SUITES.join(',')}] [--out DIR] [--clear-cache]`);
  process.exit(0);
}
const runs = values.runs === undefined ? (values.quick ? 3 : 15) : Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a positive integer, got ${values.runs}`);
const only = (values.only?.split(',') ?? [...SUITES]) as SuiteName[];
for (const name of only) if (!SUITES.includes(name)) fail(`unknown suite "${name}" (known: ${SUITES.join(', ')})`);

if (values['clear-cache']) {
  const dir = defaultCacheDir();
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`bench: cleared ${dir}\n`);
}

const opts: MeasureOptions = values.quick
  ? { minRuns: runs, budgetMs: 200, warmup: 1 }
  : { minRuns: runs, budgetMs: 2000, warmup: 3 };
const started = Date.now();
const progress = (message: string) =>
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

let results: BenchResults = { machine: machine(), date: new Date(started).toISOString(), options: { quick: values.quick, runs } };
const targets: string[] = [];
const operations: Measurement[] = [];
// Every suite's costs are ratios to the same reference pairing, measured once here.
const reference = runReference(opts, randomBytes, progress);
if (only.includes('pre')) {
  const pre = runPreSuite(opts, randomBytes, progress, reference);
  operations.push(...pre.operations);
  targets.push(...pre.targets);
}
if (only.includes('ga07')) {
  const ga07 = runGa07Suite(opts, randomBytes, progress, reference.pairing);
  operations.push(...ga07.operations);
  targets.push(...ga07.targets);
}
if (only.includes('umbral')) operations.push(...runUmbralSuite(opts, progress));
if (operations.length > 0) results = { ...results, pairing: reference.pairing, operations };
if (only.includes('pbft')) {
  const pbft = runPbftSuite(opts, values.quick, progress);
  results = { ...results, pbft };
  const at = pbft.find((p) => p.mode === 'consensus only' && p.replicas === 4 && p.batch === 100);
  if (at) {
    const met = at.block.medianMs < 100 && at.throughput > 1000 ? 'met' : 'NOT met';
    targets.push(
      `PBFT at n = 4, 100 tx per block (consensus only): ${at.block.medianMs.toFixed(1)} ms, ${at.throughput.toFixed(0)} tx/s (target < 100 ms and > 1,000 tx/s: ${met})`,
    );
  }
}

if (only.includes('zk')) {
  const zk = await runZkSuite(runs, values.quick, progress);
  results = { ...results, zk };
  const at = zk.find((p) => p.n === 1000);
  if (at) {
    const kb = (b: number) => (b / 1024).toFixed(1);
    targets.push(
      `zk at n = 1000: keyGen ${(at.keyGen.medianMs / 1000).toFixed(1)} s (target < 16.3 s), prove ${(at.prove.medianMs / 1000).toFixed(2)} s (< 5 s), verify ${at.verify.medianMs.toFixed(1)} ms (< 50 ms), proving key ${(at.provingKeyBytes / 2 ** 20).toFixed(2)} MiB (< 15.3 MB), verification key ${kb(at.verificationKeyBytes)} KiB (~3 KB), proof ${at.proofBytes} B (256 B)`,
    );
  }
}

const { markdown, charts } = renderReport(results);
const report = targets.length > 0 ? `${markdown}\n## Targets\n\n${targets.map((t) => `- ${t}`).join('\n')}\n` : markdown;
const out = path.resolve(values.out);
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'report.md'), report);
writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
for (const chart of charts) writeFileSync(path.join(out, chart.file), chart.svg);
console.log(report);
progress(`done: ${path.relative(process.cwd(), out) || '.'}/report.md, results.json and ${charts.length} chart(s)`);
