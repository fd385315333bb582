/**
 * `npm run bench` (or `npx medshare bench`): reproduces the paper's evaluation (section 5.2) on
 * this machine and writes a report beside the paper's numbers.
 *
 *   npm run bench                     full run
 *   npm run bench -- --quick          reduced set, few repeats (minutes)
 *   npm run bench -- --runs 100       at least 100 timed runs per figure (the paper's count)
 *   npm run bench -- --only pre,ga07  run some suites only (comma-separated: pre, ga07, umbral, pbft, zk, evm)
 *   npm run bench -- --backends noble run the pairing suites on some backends only (noble, mcl; default both)
 *   npm run bench -- --out DIR        where report.md, results.json and the charts go
 *   npm run bench -- --cache-dir DIR  where compiled circuits are kept
 *   npm run bench -- --clear-cache    delete the compiled circuits first
 *
 * Progress goes to stderr; the report's markdown goes to stdout and, with results.json and the
 * SVG charts, to a new folder per run under the platform's data folder (on Linux
 * ~/.local/share/medshare/bench/<start time>/), or to --out. Circuits are cached in the
 * platform's cache folder (~/.cache/medshare/zk-circuits on Linux; MEDSHARE_CACHE_DIR overrides).
 * The Umbral comparison needs the dev-only package @nucypher/umbral-pre, the zk suite snarkjs,
 * circom2 and circomlib (optional peer dependencies); without them those suites are skipped with
 * a note. The pre and ga07 suites run once per pairing backend: the default (noble) and, when the
 * optional package mcl-wasm is installed, the WebAssembly one (mcl); the report puts them side by
 * side with Umbral. Exit codes as for every medshare command: 0 done, 1 failed, 2 usage error.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from '@noble/hashes/utils.js';
import { EXIT, integerOption, parseOptions, UsageError } from '../src/cli/args.js';
import { cacheDir, circuitCacheDir, dataDir, processEnvironment, runFolderName } from '../src/cli/paths.js';
import { type MeasureOptions, type Measurement, machine } from './harness.js';
import { BACKEND_NAMES, loadKits } from './backends.js';
import { type BackendResults, type BenchResults, renderReport } from './report.js';
import { runGa07Suite } from './suites/ga07.js';
import { runPbftSuite } from './suites/pbft.js';
import { measurePairing, runPreSuite, runReference } from './suites/pre.js';

const SUITES = ['pre', 'ga07', 'umbral', 'pbft', 'zk', 'evm'] as const;
/** What the zk suite needs beside medshare (optional peer dependencies). */
const ZK_PACKAGES = ['snarkjs', 'circom2', 'circomlib'];
/** What the evm suite needs beside medshare and ZK_PACKAGES (optional peer dependencies). */
const EVM_PACKAGES = ['viem', '@ethereumjs/vm'];
type SuiteName = (typeof SUITES)[number];
const USAGE = `usage: medshare bench [options]

The paper's evaluation (section 5.2: Figs. 5-8, Tables 3-4) measured on this machine,
beside the paper's figures. The markdown report goes to stdout and, with results.json
and SVG charts, to a new folder per run.

options:
  --quick           reduced set, few repeats (a few minutes; indicative only)
  --runs N          at least N timed runs per figure (default 15, quick 3; the paper used 100)
  --only LIST       some suites only, comma-separated: ${SUITES.join(', ')}
  --backends LIST   pairing backends for the pre and ga07 suites, comma-separated:
                    ${BACKEND_NAMES.join(', ')} (default: both; mcl needs mcl-wasm installed)
  --out DIR         where the report goes (default: the platform's data folder,
                    e.g. ~/.local/share/medshare/bench/<start time>/)
  --cache-dir DIR   where compiled circuits are kept (default: the platform's cache
                    folder, e.g. ~/.cache/medshare; or set MEDSHARE_CACHE_DIR)
  --clear-cache     delete the compiled circuits first
  -h, --help        show this help

The zk suite (n = 100 to 1000 record fields) needs snarkjs, circom2 and circomlib
(GPL-3.0, not installed with medshare): npm install snarkjs circom2 circomlib, or run
npx -p medshare -p snarkjs -p circom2 -p circomlib medshare bench. Without them it is
skipped with a note. The Umbral comparison needs @nucypher/umbral-pre (skipped without).`;

/**
 * Runs the benchmark with command-line arguments `args` (the ones after `bench`).
 * @returns the exit code: 0, or 2 for a usage error (one line on stderr)
 */
export async function runBench(args: readonly string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBench(args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`medshare bench: error: ${e.message} (try: medshare bench --help)`);
      return EXIT.usage;
    }
    throw e;
  }
  if (options === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  await bench(options);
  return EXIT.ok;
}

/** The options of a run, from its command line, or 'help'. @throws UsageError for a bad option */
function parseBench(args: readonly string[]) {
  const values = parseOptions(args, {
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    only: { type: 'string' },
    backends: { type: 'string' },
    out: { type: 'string' },
    'cache-dir': { type: 'string' },
    'clear-cache': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return 'help' as const;
  const quick = values.quick === true;
  const runs = values.runs === undefined ? (quick ? 3 : 15) : integerOption('--runs', values.runs, 1, 100_000);
  const only = (values.only?.split(',') ?? [...SUITES]) as SuiteName[];
  for (const name of only)
    if (!SUITES.includes(name)) throw new UsageError(`unknown suite '${name}' (known: ${SUITES.join(', ')})`);
  const backends = values.backends?.split(',') ?? [...BACKEND_NAMES];
  for (const name of backends)
    if (!(BACKEND_NAMES as readonly string[]).includes(name))
      throw new UsageError(`unknown backend '${name}' (known: ${BACKEND_NAMES.join(', ')})`);
  const environment = processEnvironment();
  const started = new Date();
  return {
    quick,
    runs,
    only,
    backends,
    started,
    outDir: values.out ?? path.join(dataDir(environment), 'bench', runFolderName(started)),
    circuitDir: values['cache-dir'] ?? circuitCacheDir(cacheDir(environment)),
    clearCache: values['clear-cache'] === true,
  };
}

/** What {@link parseBench} makes of a command line that asks for a run. */
type BenchOptions = Exclude<ReturnType<typeof parseBench>, 'help'>;

async function bench(options: BenchOptions): Promise<void> {
  const { quick, runs, only, outDir, circuitDir, clearCache } = options;
  const started = options.started.getTime();
  const progress = (message: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  if (clearCache) {
    rmSync(circuitDir, { recursive: true, force: true });
    progress(`cleared ${circuitDir}`);
  }
  const opts: MeasureOptions = quick ? { minRuns: runs, budgetMs: 200, warmup: 1 } : { minRuns: runs, budgetMs: 2000, warmup: 3 };

  let results: BenchResults = { machine: machine(), date: new Date(started).toISOString(), options: { quick, runs } };
  const targets: string[] = [];
  const notes: string[] = [];
  // The pairing suites run once per backend; each backend's costs are ratios to its own
  // reference pairing, measured here before the suites (the unit) and again after them (how far
  // the machine's speed moved meanwhile).
  const backendResults: BackendResults[] = [];
  if (only.includes('pre') || only.includes('ga07')) {
    const loaded = await loadKits(options.backends);
    notes.push(...loaded.notes);
    for (const kit of loaded.kits) {
      const reference = runReference(opts, randomBytes, progress, kit);
      const ops: Measurement[] = [];
      if (only.includes('pre')) {
        const pre = runPreSuite(opts, randomBytes, progress, reference, kit);
        ops.push(...pre.operations);
        targets.push(...pre.targets);
      }
      if (only.includes('ga07')) {
        const ga07 = runGa07Suite(opts, randomBytes, progress, reference.pairing, kit);
        ops.push(...ga07.operations);
        targets.push(...ga07.targets);
      }
      progress(`[${kit.name}] reference: pairing again, after the suites`);
      const pairingAfter = measurePairing(opts, randomBytes, kit);
      backendResults.push({ name: kit.name, pairing: reference.pairing, pairingAfter, operations: ops });
    }
  }
  let umbral: Measurement[] | undefined;
  if (only.includes('umbral')) {
    let suite: typeof import('./suites/umbral.js') | undefined;
    try {
      suite = await import('./suites/umbral.js');
    } catch {
      notes.push('Umbral comparison skipped: the dev-only package @nucypher/umbral-pre is not installed.');
    }
    if (suite) umbral = suite.runUmbralSuite(opts, progress);
  }
  if (backendResults.length > 0) results = { ...results, backends: backendResults };
  if (umbral !== undefined) results = { ...results, umbral };
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
  // The zk suite compiles circuits for n = 100..1000 and proves: it needs snarkjs, circom2 and
  // circomlib, GPL-3.0 optional peer dependencies of medshare, and is skipped with a note without them.
  const zkMissing = only.includes('zk') ? (await import('../src/zk/optional.js')).missingPackages(ZK_PACKAGES) : [];
  if (zkMissing.length > 0) {
    const note = `zk suite skipped: ${zkMissing.join(', ')} not installed (it needs ${ZK_PACKAGES.join(', ')}: GPL-3.0, optional peer dependencies of medshare): npm install ${ZK_PACKAGES.join(' ')}, or npx ${['medshare', ...ZK_PACKAGES].map((p) => `-p ${p}`).join(' ')} medshare bench`;
    notes.push(note);
    progress(note);
  } else if (only.includes('zk')) {
    // Loaded only here: medshare/zk loads snarkjs, circom2 and circomlib (GPL-3.0).
    const { runZkSuite } = await import('./suites/zk.js');
    const zk = await runZkSuite(runs, quick, progress, circuitDir);
    results = { ...results, zk };
    const at = zk.find((p) => p.n === 1000);
    if (at) {
      const kb = (b: number) => (b / 1024).toFixed(1);
      targets.push(
        `zk at n = 1000: keyGen ${(at.keyGen.medianMs / 1000).toFixed(1)} s (target < 16.3 s), prove ${(at.prove.medianMs / 1000).toFixed(2)} s (< 5 s), verify ${at.verify.medianMs.toFixed(1)} ms (< 50 ms), proving key ${(at.provingKeyBytes / 2 ** 20).toFixed(2)} MiB (< 15.3 MB), verification key ${kb(at.verificationKeyBytes)} KiB (~3 KB), proof ${at.proofBytes} B (256 B)`,
      );
    }
  }

  // The EVM suite runs the contract on an in-process chain with a real Groth16 proof: it needs viem
  // and @ethereumjs/vm, and the zk suite's packages; skipped with a note without them.
  const evmMissing = only.includes('evm')
    ? (await import('../src/zk/optional.js')).missingPackages([...EVM_PACKAGES, ...ZK_PACKAGES])
    : [];
  if (evmMissing.length > 0) {
    const note = `EVM suite skipped: ${evmMissing.join(', ')} not installed (optional peer dependencies of medshare): npm install ${evmMissing.join(' ')}`;
    notes.push(note);
    progress(note);
  } else if (only.includes('evm')) {
    // Loaded only here.
    const { runEvmSuite } = await import('./suites/evm.js');
    const evm = await runEvmSuite(quick ? Math.min(runs, 3) : runs, progress, circuitDir);
    results = { ...results, evm };
    for (const p of evm.points) {
      if (p.target !== undefined) {
        targets.push(
          `EVM ${p.operation}: ${p.gas.toLocaleString('en-US')} gas (target <= ${p.target.toLocaleString('en-US')}: ${p.gas <= p.target ? 'met' : 'NOT met'})`,
        );
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
    `done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${path.join(out, 'report.md')}, results.json and ${charts.length} chart(s)`,
  );
}

// `tsx bench/run.ts` (npm run bench); `medshare bench` calls runBench itself.
const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = await runBench(process.argv.slice(2));
