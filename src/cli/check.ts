/**
 * `medshare check`: runs the laws of medshare/testing (fast-check properties) against the
 * installed build and prints each law with its runs and time; on a failure, the seed, fast-check's
 * path and the shrunk counterexample, and the command line that replays it.
 *
 * @module
 */
import type { Law, LawGroup } from '../testing/index.js';
import { EXIT, integerOption, parseOptions, UsageError } from './args.js';

/** The usage text of `medshare check`. */
export const CHECK_USAGE = `usage: medshare check [options]

Runs the laws of medshare/testing against this installation: property-based tests
(fast-check) of the IB-PRE schemes (ga07 with its verifiable/threshold layer, huang2020),
AuthSign, PBFT safety over seeded fault schedules, and the ledger's block store. Prints each law with its runs and
time; on a failure the seed, the shrunk counterexample and how to replay it.
Needs the optional peer dependency fast-check (npm install --save-dev fast-check).

options:
  --runs N          runs per law, 1-100000 (default: each law's own, 6 to 200)
  --seed S          fast-check's seed, 0-2147483647 (default: a fresh one, printed);
                    the same seed replays the same cases, failure and shrinking
  --only GROUPS     comma-separated subset of: pre, sign, pbft, ledger (default: all)
  -h, --help        show this help

exit codes: 0 every law held, 1 a law failed (or fast-check is missing), 2 usage error`;

/** What `medshare check` needs from its caller: output, clock, a seed source and (tests) the laws. */
export interface CheckIo {
  /** Writes a line of normal output. */
  readonly out: (line: string) => void;
  /** Milliseconds, for timings. */
  readonly now: () => number;
  /** Draws the seed when --seed is not given (default: 31 bits from crypto.getRandomValues). */
  readonly drawSeed?: () => number;
  /** The laws of the groups asked for (default: medshare/testing's `medshareLaws`). */
  readonly laws?: (only: readonly LawGroup[]) => readonly Law[] | Promise<readonly Law[]>;
}

const GROUPS: readonly LawGroup[] = ['pre', 'sign', 'pbft', 'ledger'];
/** The longest counterexample printed (a 1 MiB record would print megabytes). */
const MAX_PRINTED = 600;

const systemSeed = () => (crypto.getRandomValues(new Uint32Array(1))[0] as number) >>> 1;
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
const clip = (s: string) => (s.length > MAX_PRINTED ? `${s.slice(0, MAX_PRINTED)}… (${s.length} characters)` : s);

/** The --seed value, checked (fast-check takes 32-bit seeds; a negative one would read as an option). */
function parseSeed(value: string): number {
  return integerOption('--seed', value, 0, 2 ** 31 - 1);
}

function parseOnly(value: string): LawGroup[] {
  const wanted = value.split(',').map((s) => s.trim());
  for (const g of wanted)
    if (!(GROUPS as readonly string[]).includes(g))
      throw new UsageError(`--only takes a list of: ${GROUPS.join(', ')} (got '${g}')`);
  return GROUPS.filter((g) => wanted.includes(g));
}

/**
 * Runs `medshare check` with the arguments after `check`.
 * @returns {@link EXIT}.ok when every law held, .failure when one failed
 * @throws UsageError on a bad command line; MedshareError `ERR_MISSING_DEPENDENCY` when fast-check is missing
 */
export async function check(args: readonly string[], io: CheckIo): Promise<number> {
  const values = parseOptions(args, {
    runs: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.out(CHECK_USAGE);
    return EXIT.ok;
  }
  const runs = values.runs === undefined ? undefined : integerOption('--runs', values.runs, 1, 100_000);
  const seed = values.seed === undefined ? (io.drawSeed ?? systemSeed)() : parseSeed(values.seed);
  const only = values.only === undefined ? [...GROUPS] : parseOnly(values.only);

  // Loaded only now: medshare/testing needs the optional peer dependency fast-check.
  const testing = await import('../testing/index.js');
  const start = io.now();
  const laws = await (io.laws ?? testing.medshareLaws)(only);
  const plural = laws.length === 1 ? '' : 's';
  io.out(`medshare check: ${laws.length} law${plural} (${only.join(', ')}), seed ${seed}, runs ${runs ?? "each law's own"}`);
  let failed = 0;
  for (const law of laws) {
    const begin = io.now();
    const result = testing.checkLaw(law, { seed, ...(runs === undefined ? {} : { runs }) });
    const took = ms(io.now() - begin);
    io.out(`  ${result.passed ? 'ok  ' : 'FAIL'}  ${law.name}  (${result.runs} run${result.runs === 1 ? '' : 's'}, ${took})`);
    if (!result.passed) {
      failed++;
      io.out(`        error: ${clip(result.error ?? '')}`);
      io.out(`        shrunk counterexample (${result.shrinks ?? 0} shrinks): ${clip(result.counterexample ?? '')}`);
      io.out(`        seed ${result.seed}, fast-check path ${JSON.stringify(result.path ?? '')}`);
      io.out(
        `        replay: npx medshare check --seed ${result.seed} --only ${law.group}${runs === undefined ? '' : ` --runs ${runs}`}`,
      );
    }
  }
  io.out(`${laws.length - failed} of ${laws.length} law${plural} held, ${failed} failed (${ms(io.now() - start)}; seed ${seed})`);
  return failed === 0 ? EXIT.ok : EXIT.failure;
}
