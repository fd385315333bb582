/**
 * @module
 * The `medshare` command line. `medshare demo [--fields N] [--proxies N] [--seed S] [--no-crash]
 * [--stand-in]` runs the whole story of Huang et al. 2020 (section 4.1 steps 1-9) with 4
 * verification nodes and prints each step, who saw what, and timings; `--ledger evm` runs it with
 * the contract on an in-process EVM instead (src/evm/story.ts) and prints gas per step. Errors are
 * one line on stderr and exit code 1.
 */
import { pathToFileURL } from 'node:url';
import { counterModeRandom, type RandomSource, systemRandom } from './internal/random.js';
import { type ProofSystem, runStory, type StoryEvent, standInProofSystem } from './protocol/index.js';

/** Where the command line writes, and its clock (injected so that it can be tested). */
export interface CliIo {
  /** Writes a line of normal output. */
  readonly out: (line: string) => void;
  /** Writes a line of error or progress output. */
  readonly err: (line: string) => void;
  /** Milliseconds, for timings. */
  readonly now: () => number;
  /** The proof system to use whatever the options say (tests). */
  readonly proofSystem?: ProofSystem;
  /** Loads the Groth16 proof system for `fields`-field records; `release` ends its worker threads. */
  readonly loadGroth16?: (fields: number) => Promise<{ proofSystem: ProofSystem; release: () => Promise<void> }>;
  /** Calls `fn` every `ms` milliseconds until the returned function is called (for progress on long steps). */
  readonly every?: (fn: () => void, ms: number) => () => void;
  /** Runs the benchmark suite with the arguments after `bench`; returns its exit code. */
  readonly bench?: (args: readonly string[]) => Promise<number>;
}

const USAGE =
  'usage: medshare demo [--fields N] [--proxies N] [--seed TEXT] [--no-crash] [--stand-in] [--ledger pbft|evm]\n       medshare bench [--quick] [--runs N] [--only pre,ga07,umbral,pbft,zk,evm] [--out DIR] [--clear-cache]';

interface DemoOptions {
  fields: number;
  proxies: number;
  seed: string | null;
  crash: boolean;
  standIn: boolean;
  ledger: 'pbft' | 'evm';
}

function parseInteger(name: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new Error(`${name} expects an integer, got ${value ?? 'nothing'}`);
  const n = Number(value);
  if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parseDemo(args: readonly string[]): DemoOptions {
  const options: DemoOptions = { fields: 4, proxies: 1, seed: null, crash: true, standIn: false, ledger: 'pbft' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.includes('=') ? (arg.split(/=(.*)/s, 2) as [string, string]) : [arg, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--fields':
        options.fields = parseInteger('--fields', value(), 1, 4096);
        break;
      case '--proxies':
        options.proxies = parseInteger('--proxies', value(), 1, 16);
        break;
      case '--seed': {
        const seed = value();
        if (seed === undefined) throw new Error('--seed expects a value');
        options.seed = seed;
        break;
      }
      case '--no-crash':
        options.crash = false;
        break;
      case '--stand-in':
        options.standIn = true;
        break;
      case '--ledger': {
        const ledger = value();
        if (ledger !== 'pbft' && ledger !== 'evm') throw new Error(`--ledger expects pbft or evm, got ${ledger ?? 'nothing'}`);
        options.ledger = ledger;
        break;
      }
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return options;
}

/** A deterministic RandomSource for `--seed`: reproducible demo runs, not for real keys. */
function seeded(seed: string): RandomSource {
  return counterModeRandom(new TextEncoder().encode(`medshare-demo-seed:${seed}:`));
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`;
}

async function demo(options: DemoOptions, io: CliIo): Promise<void> {
  if (options.ledger === 'evm') return evmDemo(options, io);
  const start = io.now();
  let proofSystem = io.proofSystem;
  let release = async () => {};
  let why = '';
  if (proofSystem === undefined) {
    if (options.standIn) why = ' (--stand-in)';
    else if (io.loadGroth16 === undefined) why = ' (medshare/zk is not part of this build)';
    else ({ proofSystem, release } = await io.loadGroth16(options.fields));
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
  io.out(`record: ${options.fields} fields; proxies: ${options.proxies}; proof system: ${proofSystem.name}`);
  if (proofSystem.name === 'stand-in') {
    io.out(`NOTE: the proof step uses a STAND-IN${why}: a trusted prover that signs the statement, not a zk-SNARK.`);
  }
  let stopTicker = () => {};
  const print = (event: StoryEvent) => {
    stopTicker();
    stopTicker = () => {};
    if (event.type === 'progress') {
      io.err(`  … ${event.message}`);
      const since = io.now();
      if (io.every !== undefined) stopTicker = io.every(() => io.err(`  … ${event.message} (${ms(io.now() - since)})`), 5000);
      return;
    }
    io.out('');
    io.out(`[${event.step}] ${event.title}  (${ms(event.ms)})`);
    for (const line of event.lines) io.out(`    ${line}`);
    for (const { who, what } of event.saw) io.out(`    saw: ${who}: ${what}`);
  };
  let result: Awaited<ReturnType<typeof runStory>>;
  try {
    result = await runStory({
      proofSystem,
      fields: options.fields,
      proxies: options.proxies,
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
  if (options.standIn) throw new Error('--stand-in cannot be used with --ledger evm: the contract verifies real Groth16 proofs');
  const proofSystem =
    io.proofSystem?.name === 'groth16'
      ? { proofSystem: io.proofSystem, release: async () => {} }
      : await io.loadGroth16?.(options.fields);
  if (proofSystem === undefined) throw new Error('--ledger evm needs medshare/zk, which is not part of this build');
  let evm: typeof import('./evm/story.js');
  try {
    evm = await import('./evm/story.js');
  } catch (e) {
    throw new Error(`--ledger evm needs viem and @ethereumjs/vm (npm install viem @ethereumjs/vm): ${(e as Error).message}`);
  }
  const start = io.now();
  io.out('medshare demo: Huang et al. 2020, section 4.1 steps 1-9, with the contract on an EVM (in-process, Prague)');
  io.out(`record: ${options.fields} fields; proof system: groth16 (verified on chain); ledger: MedShare.sol via medshare/evm`);
  try {
    const result = await evm.runEvmStory({
      proofSystem: proofSystem.proofSystem,
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
      `gas: ${total.toLocaleString('en-US')} in all; record received intact: ${result.received ? 'yes' : 'NO'}; second sale refused: ${result.secondSaleRefused ? 'yes' : 'NO'}`,
    );
    io.out(`total ${ms(io.now() - start)}`);
    if (!result.received || !result.secondSaleRefused) throw new Error('the EVM story did not end as it should');
  } finally {
    await proofSystem.release();
  }
}

/**
 * Runs the command line.
 * @param args - the arguments after the program name
 * @param io - output and clock
 * @returns the exit code (0, or 1 after printing one error line)
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = args;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      if (command === undefined) {
        io.err('medshare: error: no command (try: medshare demo, medshare bench, medshare --help)');
        return 1;
      }
      io.out(USAGE);
      return 0;
    }
    if (command === 'bench') {
      if (io.bench === undefined) throw new Error('the benchmark is not available in this build');
      return await io.bench(rest);
    }
    if (command !== 'demo') throw new Error(`unknown command ${command} (try: medshare demo, medshare bench, medshare --help)`);
    await demo(parseDemo(rest), io);
    return 0;
  } catch (e) {
    io.err(`medshare: error: ${(e as Error).message ?? String(e)}`.split('\n')[0] as string);
    return 1;
  }
}

/**
 * Runs the command line on the process's stdout, stderr and clock.
 * @param args - the arguments after the program name
 * @returns the exit code
 */
export function run(args: readonly string[]): Promise<number> {
  return main(args, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    now: () => performance.now(),
    every: (fn, ms) => {
      const timer = setInterval(fn, ms);
      return () => clearInterval(timer);
    },
    // Loaded only when used: medshare/zk pulls in snarkjs and circomlib (GPL-3.0).
    loadGroth16: async (fields) => {
      const [{ groth16ProofSystem }, zk] = await Promise.all([import('./protocol/groth16.js'), import('./zk/index.js')]);
      return { proofSystem: groth16ProofSystem(fields), release: () => zk.releaseWorkers() };
    },
    // The benchmark suite of bench/ (reproducing the paper's section 5.2), loaded only when asked for.
    bench: async (benchArgs) => (await import('../bench/run.js')).runBench(benchArgs),
  });
}

// `tsx src/cli.ts demo` (npm run demo); the published bin/medshare.js calls run() itself.
const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = await run(process.argv.slice(2));
