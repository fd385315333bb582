/**
 * `npm run bench` (or `npx medshare bench`): reproduces the paper's evaluation (section 5.2) on
 * this machine and writes a report beside the paper's numbers.
 *
 *   npm run bench                     full run
 *   npm run bench -- --quick          reduced set, few repeats (minutes)
 *   npm run bench -- --runs 100       at least 100 timed runs per figure (the paper's count)
 *   npm run bench -- --only pre,ga07  run some suites only (comma-separated: pre, ga07, umbral, pbft, zk, evm)
 *   npm run bench -- --clear-cache    delete the compiled circuits (.cache/medshare-zk) first
 *   npm run bench -- --out DIR        where report.md, results.json and the charts go
 *                                     (default bench/results)
 *
 * Progress goes to stderr; the report goes to DIR and its markdown also to stdout.
 * The Umbral comparison needs the dev-only package @nucypher/umbral-pre; without it that suite
 * is skipped with a note.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from '@noble/hashes/utils.js';
import { type MeasureOptions, type Measurement, machine } from './harness.js';
import { type BenchResults, renderReport } from './report.js';
import { runGa07Suite } from './suites/ga07.js';
import { runPbftSuite } from './suites/pbft.js';
import { runPreSuite, runReference } from './suites/pre.js';

const SUITES = ['pre', 'ga07', 'umbral', 'pbft', 'zk', 'evm'] as const;
type SuiteName = (typeof SUITES)[number];
const USAGE = `usage: medshare bench [--quick] [--runs N] [--only ${SUITES.join(',')}] [--out DIR] [--clear-cache]`;

/** A usage error: one line, exit code 2. */
class UsageError extends Error {}

/**
 * Runs the benchmark with command-line arguments `args` (the ones after `bench`).
 * @returns the exit code: 0, or 2 for a usage error
 */
export async function runBench(args: readonly string[]): Promise<number> {
  let values: { quick: boolean; runs?: string; only?: string; out: string; help: boolean; 'clear-cache': boolean };
  try {
    values = parseArgs({
      args: [...args],
      options: {
        quick: { type: 'boolean', default: false },
        runs: { type: 'string' },
        only: { type: 'string' },
        out: { type: 'string', default: path.join('bench', 'results') },
        help: { type: 'boolean', default: false },
        'clear-cache': { type: 'boolean', default: false },
      },
      strict: true,
    }).values as typeof values;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const runs = values.runs === undefined ? (values.quick ? 3 : 15) : Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs must be a positive integer, got ${values.runs}`);
    const only = (values.only?.split(',') ?? [...SUITES]) as SuiteName[];
    for (const name of only)
      if (!SUITES.includes(name)) throw new UsageError(`unknown suite "${name}" (known: ${SUITES.join(', ')})`);
    await bench(values.quick, runs, only, values.out, values['clear-cache']);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`bench: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

async function bench(
  quick: boolean,
  runs: number,
  only: readonly SuiteName[],
  outDir: string,
  clearCache: boolean,
): Promise<void> {
  const started = Date.now();
  const progress = (message: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  if (clearCache) {
    const { defaultCacheDir } = await import('../src/zk/index.js');
    rmSync(defaultCacheDir(), { recursive: true, force: true });
    progress(`cleared ${defaultCacheDir()}`);
  }
  const opts: MeasureOptions = quick ? { minRuns: runs, budgetMs: 200, warmup: 1 } : { minRuns: runs, budgetMs: 2000, warmup: 3 };

  let results: BenchResults = { machine: machine(), date: new Date(started).toISOString(), options: { quick, runs } };
  const targets: string[] = [];
  const notes: string[] = [];
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
  if (only.includes('umbral')) {
    let suite: typeof import('./suites/umbral.js') | undefined;
    try {
      suite = await import('./suites/umbral.js');
    } catch {
      notes.push('Umbral comparison skipped: the dev-only package @nucypher/umbral-pre is not installed.');
    }
    if (suite) operations.push(...suite.runUmbralSuite(opts, progress));
  }
  if (operations.length > 0) results = { ...results, pairing: reference.pairing, operations };
  if (only.includes('pbft')) {
    const pbft = runPbftSuite(opts, quick, progress);
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
    // Loaded only here: medshare/zk pulls in snarkjs and circomlib (GPL-3.0).
    const { runZkSuite } = await import('./suites/zk.js');
    const zk = await runZkSuite(runs, quick, progress);
    results = { ...results, zk };
    const at = zk.find((p) => p.n === 1000);
    if (at) {
      const kb = (b: number) => (b / 1024).toFixed(1);
      targets.push(
        `zk at n = 1000: keyGen ${(at.keyGen.medianMs / 1000).toFixed(1)} s (target < 16.3 s), prove ${(at.prove.medianMs / 1000).toFixed(2)} s (< 5 s), verify ${at.verify.medianMs.toFixed(1)} ms (< 50 ms), proving key ${(at.provingKeyBytes / 2 ** 20).toFixed(2)} MiB (< 15.3 MB), verification key ${kb(at.verificationKeyBytes)} KiB (~3 KB), proof ${at.proofBytes} B (256 B)`,
      );
    }
  }

  if (only.includes('evm')) {
    // Loaded only here: it needs @ethereumjs/vm and viem (optional peers) and medshare/zk.
    let suite: typeof import('./suites/evm.js') | undefined;
    try {
      suite = await import('./suites/evm.js');
    } catch {
      notes.push('EVM suite skipped: viem and @ethereumjs/vm (optional peer dependencies) are not installed.');
    }
    if (suite) {
      const evm = await suite.runEvmSuite(quick ? Math.min(runs, 3) : runs, progress);
      results = { ...results, evm };
      for (const p of evm.points) {
        if (p.target !== undefined) {
          targets.push(
            `EVM ${p.operation}: ${p.gas.toLocaleString('en-US')} gas (target <= ${p.target.toLocaleString('en-US')}: ${p.gas <= p.target ? 'met' : 'NOT met'})`,
          );
        }
      }
    }
  }

  const { markdown, charts } = renderReport(results);
  let report = markdown;
  if (targets.length > 0) report += `\n## Targets\n\n${targets.map((t) => `- ${t}`).join('\n')}\n`;
  if (notes.length > 0) report += `\n## Notes\n\n${notes.map((t) => `- ${t}`).join('\n')}\n`;
  const out = path.resolve(outDir);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'report.md'), report);
  writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  for (const chart of charts) writeFileSync(path.join(out, chart.file), chart.svg);
  console.log(report);
  progress(
    `done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${path.relative(process.cwd(), out) || '.'}/report.md, results.json and ${charts.length} chart(s)`,
  );
}

// `tsx bench/run.ts` (npm run bench); `medshare bench` calls runBench itself.
const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = await runBench(process.argv.slice(2));
