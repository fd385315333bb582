/**
 * The `medshare` command line.
 *
 *   medshare demo [options]    the whole story of Huang et al. 2020 (section 4.1 steps 1-9) with 4
 *                              PBFT verification nodes: each step, who saw what, and timings;
 *                              with `--ledger evm`, with the contract on an in-process EVM
 *                              (src/evm/story.ts) and the gas of each on-chain step
 *   medshare bench [options]   the benchmark of bench/ (the paper's section 5.2) on this machine
 *   medshare check [options]   the laws of medshare/testing against this installation (./cli/check.ts)
 *   medshare help [command], medshare --help, medshare <command> --help
 *   medshare --version
 *
 * Arguments are parsed with node:util parseArgs. Exit codes ({@link EXIT}): 0 done (also help
 * and version), 1 the command failed, 2 a usage error; an error is one line on stderr.
 * Compiled circuits are cached in the platform's cache folder (./internal/folders.ts, the same
 * default as medshare/zk's buildCircuit), never the working directory.
 * @module
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { counterModeRandom, type RandomSource, systemRandom } from './internal/random.js';
import { type ProofSystem, runStory, type StoryEvent, standInProofSystem } from './protocol/index.js';
import { EXIT, integerOption, parseOptions, UsageError } from './cli/args.js';
import { createNarrator, progressLine } from './cli/narrate.js';
import { defaultCircuitCacheDir, type Environment, processEnvironment } from './cli/paths.js';
import { CHECK_USAGE, check } from './cli/check.js';

/** Where the command line writes, its clock and its environment (injected so that it can be tested). */
export interface CliIo {
  /** Writes a line of normal output. */
  readonly out: (line: string) => void;
  /** Writes a line of error or progress output. */
  readonly err: (line: string) => void;
  /** Milliseconds, for timings. */
  readonly now: () => number;
  /** Environment variables, platform and home folder, for the cache folder (default: none set, Linux, /home/user). */
  readonly env?: Environment;
  /** medshare's version, for `--version`. */
  readonly version?: string;
  /** The proof system to use whatever the options say (tests). */
  readonly proofSystem?: ProofSystem;
  /**
   * Loads the Groth16 proof system for `fields`-field records, compiling circuits into
   * `options.cacheDir`; `release` ends its worker threads.
   */
  readonly loadGroth16?: (
    fields: number,
    options: { readonly cacheDir: string },
  ) => Promise<{ proofSystem: ProofSystem; release: () => Promise<void> }>;
  /** Calls `fn` every `ms` milliseconds until the returned function is called (for progress on long steps). */
  readonly every?: (fn: () => void, ms: number) => () => void;
  /** Runs the benchmark suite with the arguments after `bench`; returns its exit code. */
  readonly bench?: (args: readonly string[]) => Promise<number>;
}

const USAGE = `usage: medshare <command> [options]

commands:
  demo    the whole sharing story of Huang et al. 2020 (section 4.1, steps 1-9)
          with 4 PBFT verification nodes: each step, who saw what, and timings
          (--ledger evm: with the contract on an in-process EVM, gas per step)
  bench   the paper's evaluation (Figs. 5-8, Tables 3-4) measured on this machine
  check   property-based tests of the schemes, AuthSign, PBFT and the ledger (needs fast-check)
  help    this text, or a command's (medshare help demo)

options:
  -h, --help      show help
  -v, --version   print medshare's version

exit codes: 0 done, 1 the command failed, 2 usage error`;

const DEMO_USAGE = `usage: medshare demo [options]

The whole sharing story of Huang et al. 2020 (section 4.1, steps 1-9) with 4 PBFT
verification nodes, one of which crashes and catches up. The eligibility proofs are real
Groth16 proofs (medshare/zk), made with snarkjs, circom2 and circomlib (GPL-3.0, not
installed with medshare: npm install snarkjs circom2 circomlib, or run
npx -p medshare -p snarkjs -p circom2 -p circomlib medshare demo). The first run for a
record size compiles its circuit and caches it.

With --ledger evm the contract is MedShare.sol (medshare/evm) on an in-process Prague
EVM instead, driven over JSON-RPC: the same sale with 2-of-3 proxies, one of which
lies and is disputed, paid after the dispute window (optimistic delivery), the proofs
verified on chain, and the gas of each on-chain step. It needs the optional peer
dependencies viem and @ethereumjs/vm (npm install viem @ethereumjs/vm).

options:
  --ledger NAME     pbft (default): 4 PBFT verification nodes; evm: the contract on an EVM
  --fields N        fields per medical record, 1-4096 (default 4)
  --proxies N       proxies sharing the re-encryption key, 1-16 (default 3; pbft only)
  --threshold T     partial re-encryptions needed, 1-N (default 2 of 3, else N; pbft only)
  --proxy-fault F   one proxy that is 'down' or 'lies' in step 7 (needs T < N), or 'none'
                    (default: lies when T < N, else none; pbft only)
  --seed TEXT       derive every key, nonce and salt from TEXT, for a reproducible run (below)
  --no-crash        keep every verification node up (pbft only)
  --stand-in        a signing stand-in instead of the zk-SNARK: quick, NOT zero-knowledge
                    (pbft only: the EVM contract verifies real proofs)
  --cache-dir DIR   where compiled circuits are kept (default: the platform's cache
                    folder, e.g. ~/.cache/medshare; or set MEDSHARE_CACHE_DIR)
  -h, --help        show this help

--seed: two runs with the same seed print the same lines apart from the timings (the
durations in parentheses and the total). With Groth16 proofs one more thing varies:
snarkjs draws each proof's blinding randomness itself, so the proofs differ, and so does
the id of the refused transaction printed at [5.1.5], which hashes a proof (the blocks
that carry proofs have other hashes too; the printed contract-state hash does not change).`;

/** The ledgers `demo --ledger` takes. */
const LEDGERS = ['pbft', 'evm'] as const;
/** What `demo --ledger evm` needs beside medshare (optional peer dependencies; @ethereumjs/vm brings its companions). */
const EVM_PACKAGES = ['viem', '@ethereumjs/vm'];

interface DemoOptions {
  readonly ledger: (typeof LEDGERS)[number];
  readonly fields: number;
  readonly proxies: number;
  readonly threshold: number;
  readonly proxyFault: 'none' | 'down' | 'lies';
  readonly seed: string | null;
  readonly crash: boolean;
  readonly standIn: boolean;
  readonly cacheDir: string | undefined;
}

function parseDemo(args: readonly string[]): DemoOptions | 'help' {
  const values = parseOptions(args, {
    ledger: { type: 'string' },
    fields: { type: 'string' },
    proxies: { type: 'string' },
    threshold: { type: 'string' },
    'proxy-fault': { type: 'string' },
    seed: { type: 'string' },
    'no-crash': { type: 'boolean' },
    'stand-in': { type: 'boolean' },
    'cache-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return 'help';
  const ledger = values.ledger ?? 'pbft';
  if (!(LEDGERS as readonly string[]).includes(ledger)) {
    throw new UsageError(`--ledger expects one of: ${LEDGERS.join(', ')} (got '${ledger}')`);
  }
  if (ledger === 'evm') {
    // Options of the PBFT network only; refused rather than silently ignored.
    for (const option of ['proxies', 'threshold', 'proxy-fault', 'no-crash', 'stand-in'] as const) {
      if (values[option] !== undefined) {
        const why = option === 'stand-in' ? ': the contract verifies real Groth16 proofs' : ' (pbft only)';
        throw new UsageError(`--${option} cannot be used with --ledger evm${why}`);
      }
    }
  }
  const proxies = values.proxies === undefined ? 3 : integerOption('--proxies', values.proxies, 1, 16);
  const threshold =
    values.threshold === undefined ? (proxies === 3 ? 2 : proxies) : integerOption('--threshold', values.threshold, 1, proxies);
  const fault = values['proxy-fault'] ?? (threshold < proxies ? 'lies' : 'none');
  if (fault !== 'none' && fault !== 'down' && fault !== 'lies') {
    throw new UsageError(`--proxy-fault takes none, down or lies (got ${fault})`);
  }
  if (fault !== 'none' && threshold >= proxies) {
    throw new UsageError(
      `--proxy-fault ${fault} needs --threshold below --proxies (a t-of-n delivery with t = n has no spare proxy)`,
    );
  }
  return {
    ledger: ledger as DemoOptions['ledger'],
    fields: values.fields === undefined ? 4 : integerOption('--fields', values.fields, 1, 4096),
    proxies,
    threshold,
    proxyFault: fault,
    seed: values.seed ?? null,
    crash: values['no-crash'] !== true,
    standIn: values['stand-in'] === true,
    cacheDir: values['cache-dir'],
  };
}

/** A deterministic RandomSource for `--seed`: reproducible demo runs, not for real keys. */
function seeded(seed: string): RandomSource {
  return counterModeRandom(new TextEncoder().encode(`medshare-demo-seed:${seed}:`));
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`;
}

const NO_ENV: Environment = { env: {}, platform: 'linux', home: '/home/user' };

async function demo(options: DemoOptions, io: CliIo): Promise<void> {
  if (options.ledger === 'evm') return evmDemo(options, io);
  const start = io.now();
  let proofSystem = io.proofSystem;
  let release = async () => {};
  let why = '';
  if (proofSystem === undefined) {
    if (options.standIn) why = ' (--stand-in)';
    else if (io.loadGroth16 === undefined) why = ' (medshare/zk is not part of this build)';
    else {
      const cache = options.cacheDir ?? defaultCircuitCacheDir(io.env ?? NO_ENV);
      ({ proofSystem, release } = await io.loadGroth16(options.fields, { cacheDir: cache }));
    }
  }
  proofSystem ??= standInProofSystem();
  try {
    await story(options, io, proofSystem, why, start);
  } finally {
    await release();
  }
}

async function story(options: DemoOptions, io: CliIo, proofSystem: ProofSystem, why: string, start: number): Promise<void> {
  io.out(`medshare demo: Huang et al. 2020, section 4.1 steps 1-9, with 4 verification nodes (PBFT)`);
  io.out(
    `record: ${options.fields} fields; proxies: ${options.threshold}-of-${options.proxies}${options.proxyFault === 'none' ? '' : ` (one ${options.proxyFault === 'lies' ? 'lies' : 'is down'})`}; proof system: ${proofSystem.name}`,
  );
  if (proofSystem.name === 'stand-in') {
    io.out(`NOTE: the proof step uses a STAND-IN${why}: a trusted prover that signs the statement, not a zk-SNARK.`);
  }
  let stopTicker = () => {};
  const narrate = createNarrator();
  const print = (event: StoryEvent) => {
    stopTicker();
    stopTicker = () => {};
    if (event.type === 'progress') {
      const line = progressLine(event);
      io.err(`  … ${line}`);
      const since = io.now();
      if (io.every !== undefined) stopTicker = io.every(() => io.err(`  … ${line} (${ms(io.now() - since)})`), 5000);
      return;
    }
    const { title, lines, saw } = narrate(event);
    io.out('');
    io.out(`[${event.step}] ${title}  (${ms(event.ms)})`);
    for (const line of lines) io.out(`    ${line}`);
    for (const { who, what } of saw) io.out(`    saw: ${who}: ${what}`);
  };
  let result: Awaited<ReturnType<typeof runStory>>;
  try {
    result = await runStory({
      proofSystem,
      fields: options.fields,
      proxies: options.proxies,
      threshold: options.threshold,
      proxyFault: options.proxyFault,
      crash: options.crash,
      random: options.seed === null ? systemRandom : seeded(options.seed),
      now: io.now,
      onEvent: print,
    });
  } finally {
    stopTicker();
  }
  io.out('');
  io.out(
    `ledger: ${result.height} blocks; every node agrees (same head and contract-state hash): ${result.agreed ? 'yes' : 'NO'}; state hash ${result.stateHash.slice(0, 16)}…`,
  );
  const { stats } = result.network;
  io.out(
    `PBFT: ${stats.transactions} transactions, ${stats.messages} messages delivered (${Math.round(stats.messages / Math.max(1, stats.transactions))} per transaction), ${stats.stateTransfers} state transfers`,
  );
  const chain = result.network.verifyLedger(0);
  io.out(
    `chain check (links, Merkle roots, 2f + 1 commit certificates): ${chain.valid ? 'valid' : `INVALID at ${chain.height}`}`,
  );
  io.out(`total ${ms(io.now() - start)}`);
  if (!result.agreed || !chain.valid) throw new Error('the verification nodes do not agree');
}

/** `demo --ledger evm`: the story with the contract on an in-process EVM (needs a real proof system). */
async function evmDemo(options: DemoOptions, io: CliIo): Promise<void> {
  // Checked and loaded here, before any circuit is compiled: the in-process EVM needs the optional
  // peers viem and @ethereumjs/vm.
  const { missingPackages } = await import('./zk/optional.js');
  const missing = missingPackages(EVM_PACKAGES);
  if (missing.length > 0) {
    throw new Error(
      `--ledger evm needs ${missing.join(' and ')} (optional peer dependencies of medshare), not installed: npm install ${missing.join(' ')}`,
    );
  }
  const evm = await import('./evm/story.js');
  let loaded: { proofSystem: ProofSystem; release: () => Promise<void> } | undefined;
  if (io.proofSystem?.name === 'groth16') loaded = { proofSystem: io.proofSystem, release: async () => {} };
  else if (io.loadGroth16 !== undefined) {
    const cache = options.cacheDir ?? defaultCircuitCacheDir(io.env ?? NO_ENV);
    loaded = await io.loadGroth16(options.fields, { cacheDir: cache });
  }
  if (loaded === undefined) throw new Error('--ledger evm needs medshare/zk, which is not part of this build');
  const { proofSystem, release } = loaded;
  try {
    const start = io.now();
    io.out(
      'medshare demo: Huang et al. 2020, section 4.1 steps 1-9 under contract v2, with the contract on an EVM (in-process, Prague): escrow, 2-of-3 proxies (one lying, disputed), settlement after the dispute window',
    );
    io.out(`record: ${options.fields} fields; proof system: groth16 (verified on chain); ledger: MedShare.sol via medshare/evm`);
    const result = await evm.runEvmStory({
      proofSystem,
      fields: options.fields,
      random: options.seed === null ? systemRandom : seeded(options.seed),
      now: io.now,
      onProgress: (message) => io.err(`  … ${message}`),
      onStep: (step) => {
        io.out('');
        io.out(
          `[${step.step}] ${step.title}  (${ms(step.ms)}${step.gas > 0n ? `, ${step.gas.toLocaleString('en-US')} gas` : ''})`,
        );
        for (const line of step.lines) io.out(`    ${line}`);
      },
    });
    const total = result.steps.reduce((sum, s) => sum + s.gas, 0n);
    io.out('');
    io.out(
      `gas: ${total.toLocaleString('en-US')} in all; lying proxy struck: ${result.lyingProxyStruck ? 'yes' : 'NO'}; patient paid at settlement: ${result.patientPaid ? 'yes' : 'NO'}; record received intact: ${result.received ? 'yes' : 'NO'}; second sale refused: ${result.secondSaleRefused ? 'yes' : 'NO'}`,
    );
    io.out(`total ${ms(io.now() - start)}`);
    if (!result.received || !result.secondSaleRefused || !result.lyingProxyStruck || !result.patientPaid)
      throw new Error('the EVM story did not end as it should');
  } finally {
    await release();
  }
}

/**
 * Runs the command line.
 * @param args - the arguments after the program name
 * @param io - output, clock and environment
 * @returns the exit code: {@link EXIT}.ok, .failure (after one error line) or .usage (after one error line)
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  const prefix = command === 'demo' || command === 'bench' || command === 'check' ? `medshare ${command}` : 'medshare';
  try {
    switch (command) {
      case undefined:
        throw new UsageError('no command (try: medshare demo, medshare bench, medshare --help)');
      case '-h':
      case '--help':
        io.out(USAGE);
        return EXIT.ok;
      case 'help': {
        const topic = rest[0];
        if (rest.length > 1 || (topic !== undefined && topic !== 'demo' && topic !== 'bench' && topic !== 'check'))
          throw new UsageError(`help takes one of: demo, bench, check (got ${rest.join(' ')})`);
        if (topic === 'bench') return io.bench === undefined ? helpMissingBench(io) : await io.bench(['--help']);
        io.out(topic === 'demo' ? DEMO_USAGE : topic === 'check' ? CHECK_USAGE : USAGE);
        return EXIT.ok;
      }
      case '-v':
      case '--version':
        io.out(io.version ?? 'unknown');
        return EXIT.ok;
      case 'bench':
        if (io.bench === undefined) throw new Error('the benchmark is not available in this build');
        return await io.bench(rest);
      case 'check':
        return await check(rest, io);
      case 'demo': {
        const options = parseDemo(rest);
        if (options === 'help') {
          io.out(DEMO_USAGE);
          return EXIT.ok;
        }
        await demo(options, io);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown command '${command}' (try: medshare demo, medshare bench, medshare --help)`);
    }
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (e instanceof UsageError) {
      const hint = prefix === 'medshare' || message.includes('--help') ? '' : ` (try: ${prefix} --help)`;
      io.err(`${prefix}: error: ${message}${hint}`.split('\n')[0] as string);
      return EXIT.usage;
    }
    io.err(`${prefix}: error: ${message}`.split('\n')[0] as string);
    return EXIT.failure;
  }
}

function helpMissingBench(io: CliIo): number {
  io.err('medshare: error: the benchmark is not available in this build');
  return EXIT.failure;
}

/**
 * The error for `medshare demo` when packages real proofs need are not installed (undefined when
 * none is missing): one line naming them, `npm install`, the one-command `npx` form and `--stand-in`.
 * @param fields - the record size asked for
 * @param needed - the packages real proofs need for that size (snarkjs; circom2 and circomlib too
 *   when the size does not ship compiled)
 * @param missing - those of `needed` that are not installed
 */
export function zkDependencyError(fields: number, needed: readonly string[], missing: readonly string[]): Error | undefined {
  if (missing.length === 0) return undefined;
  const names = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
  const npx = `npx ${['medshare', ...needed].map((p) => `-p ${p}`).join(' ')} medshare demo${fields === 4 ? '' : ` --fields ${fields}`}`;
  return new Error(
    `real zk-SNARK proofs for ${fields}-field records need ${names} (GPL-3.0, optional peer dependencies of medshare), not installed: npm install ${missing.join(' ')}, or in one command: ${npx} (--stand-in runs without them, with no zero-knowledge)`,
  );
}

/** medshare's version, from the package.json beside dist/ (or src/). */
function packageVersion(): string {
  const json = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof json.version === 'string' ? json.version : 'unknown';
}

/**
 * Runs the command line on the process's stdout, stderr, clock and environment.
 * @param args - the arguments after the program name
 * @returns the exit code
 */
export function run(args: readonly string[]): Promise<number> {
  return main(args, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    now: () => performance.now(),
    env: processEnvironment(),
    version: packageVersion(),
    every: (fn, ms) => {
      const timer = setInterval(fn, ms);
      return () => clearInterval(timer);
    },
    // Loaded only when used. medshare/zk loads snarkjs, circom2 and circomlib, GPL-3.0 optional
    // peer dependencies: checked first, so that a missing one stops the demo before it starts, with
    // the command that installs it.
    loadGroth16: async (fields, { cacheDir }) => {
      const [zk, { missingPackages }] = await Promise.all([import('./zk/index.js'), import('./zk/optional.js')]);
      const needed = ['snarkjs', 'circom2', 'circomlib'];
      const error = zkDependencyError(fields, needed, missingPackages(needed));
      if (error !== undefined) throw error;
      return { proofSystem: zk.groth16ProofSystem(fields, { cacheDir }), release: () => zk.releaseWorkers() };
    },
    // The benchmark suite of bench/ (reproducing the paper's section 5.2), loaded only when asked for.
    bench: async (benchArgs) => (await import('../bench/run.js')).runBench(benchArgs),
  });
}

// `tsx src/cli.ts demo` (npm run demo); the published bin/medshare.js calls run() itself.
const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = await run(process.argv.slice(2));
