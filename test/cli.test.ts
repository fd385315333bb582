/**
 * The `medshare` command line (src/cli.ts, src/cli/): help and version exit 0, one exit code (2)
 * for every usage error of demo and bench, the demo with the stand-in proof system, seeded runs
 * that differ only in their timings, and the conventional cache and data folders.
 */
import { describe, expect, it, vi } from 'vitest';
import { runBench } from '../bench/run.js';
import { EXIT } from '../src/cli/args.js';
import { cacheDir, circuitCacheDir, dataDir, runFolderName } from '../src/cli/paths.js';
import { type CliIo, main, zkDependencyError } from '../src/cli.js';
import { standInProofSystem } from '../src/protocol/index.js';

function capture(extra: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), now: () => 0, ...extra };
  return { out, err, io };
}

/** The benchmark runner as the real command line wires it, with its console output captured. */
async function bench(args: readonly string[]): Promise<{ code: number; log: string; error: string }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await runBench(args);
    return { code, log: log.mock.calls.join('\n'), error: error.mock.calls.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('help and version', () => {
  it('--help, -h, help, and each command with --help print usage on stdout and exit 0', async () => {
    const cases: [string[], RegExp][] = [
      [['--help'], /^usage: medshare <command>/],
      [['-h'], /^usage: medshare <command>/],
      [['help'], /^usage: medshare <command>/],
      [['demo', '--help'], /^usage: medshare demo/],
      [['demo', '-h'], /^usage: medshare demo/],
      [['help', 'demo'], /^usage: medshare demo/],
      [['demo', '--fields', '3', '--help'], /^usage: medshare demo/],
    ];
    for (const [args, usage] of cases) {
      const t = capture();
      expect(await main(args, t.io), args.join(' ')).toBe(EXIT.ok);
      expect(t.out.join('\n')).toMatch(usage);
      expect(t.err).toEqual([]);
    }
  });

  it('bench --help (directly and through the command line) prints the bench usage and exits 0', async () => {
    const direct = await bench(['--help']);
    expect(direct.code).toBe(EXIT.ok);
    expect(direct.log).toMatch(/^usage: medshare bench/);
    const seen: (readonly string[])[] = [];
    const t = capture({
      bench: async (args) => {
        seen.push(args);
        return EXIT.ok;
      },
    });
    expect(await main(['bench', '--help'], t.io)).toBe(EXIT.ok);
    expect(await main(['help', 'bench'], t.io)).toBe(EXIT.ok);
    expect(seen).toEqual([['--help'], ['--help']]);
  });

  it('--version and -v print the version alone', async () => {
    for (const flag of ['--version', '-v']) {
      const t = capture({ version: '1.2.3' });
      expect(await main([flag], t.io)).toBe(EXIT.ok);
      expect(t.out).toEqual(['1.2.3']);
    }
  });
});

describe('usage errors: one line on stderr, exit code 2, for demo and bench alike', () => {
  it('demo and the top level', async () => {
    const cases = [
      [],
      ['frobnicate'],
      ['help', 'frobnicate'],
      ['demo', '--fields', 'x'],
      ['demo', '--fields', '0'],
      ['demo', '--fields', '4097'],
      ['demo', '--fields'],
      ['demo', '--proxies', '17'],
      ['demo', '--bogus'],
      ['demo', 'extra'],
      ['demo', '--no-crash=yes'],
    ];
    for (const args of cases) {
      const t = capture({ loadGroth16: () => Promise.reject(new Error('a usage error must not run anything')) });
      expect(await main(args, t.io), args.join(' ')).toBe(EXIT.usage);
      expect(t.err, args.join(' ')).toHaveLength(1);
      expect(t.err[0]).toMatch(/^medshare( demo)?: error: /);
      expect(t.out).toEqual([]);
    }
  });

  it('bench', async () => {
    for (const args of [['--runs', '0'], ['--runs', 'x'], ['--only', 'pre,nope'], ['--bogus'], ['extra'], ['--out']]) {
      const result = await bench(args);
      expect(result.code, args.join(' ')).toBe(EXIT.usage);
      expect(result.error.split('\n')).toHaveLength(1);
      expect(result.error).toMatch(/^medshare bench: error: .*\(try: medshare bench --help\)$/);
      expect(result.log).toBe('');
    }
  });

  it('a failure that is not a usage error exits 1', async () => {
    const t = capture();
    expect(await main(['bench'], t.io)).toBe(EXIT.failure); // no benchmark runner in this build
    expect(t.err).toEqual(['medshare bench: error: the benchmark is not available in this build']);
  });

  it('hands `bench` and its arguments to the benchmark runner and returns its exit code', async () => {
    const seen: (readonly string[])[] = [];
    const t = capture({
      bench: async (args) => {
        seen.push(args);
        return 7;
      },
    });
    expect(await main(['bench', '--quick', '--only', 'pre'], t.io)).toBe(7);
    expect(seen).toEqual([['--quick', '--only', 'pre']]);
  });
});

describe('demo', () => {
  it('--seed: two stand-in runs with the same seed print the same lines apart from the timings; progress tickers stop', async () => {
    // The clock advances by a different step in each run, so every printed duration differs.
    const runWithClock = async (step: number) => {
      let time = 0;
      let started = 0;
      let stopped = 0;
      const every = (fn: () => void) => {
        started++;
        fn(); // one tick at once
        let done = false;
        return () => {
          if (!done) stopped++;
          done = true;
        };
      };
      const t = capture({
        now: () => (time += step),
        every,
        loadGroth16: () => Promise.reject(new Error('--stand-in must not load medshare/zk')),
      });
      expect(await main(['demo', '--fields', '2', '--seed', 'same', '--no-crash', '--stand-in'], t.io)).toBe(EXIT.ok);
      expect(started).toBeGreaterThan(0);
      expect(stopped).toBe(started);
      expect(t.err.some((line) => /^ {2}… registering \d+ identities, one PBFT round each \(\d+ ms\)$/.test(line))).toBe(true);
      return t.out;
    };
    const [a, b] = [await runWithClock(1), await runWithClock(7)];
    const text = a.join('\n');
    expect(text).toContain('STAND-IN (--stand-in)');
    expect(text).toContain('[step 9]');
    expect(text).toContain('exclusiveLicence');
    expect(text).toContain('every node agrees (same head and contract-state hash): yes');
    const timing = /\((\d+(\.\d+)? m?s)\)$|^total .*$/;
    expect(a.filter((line) => timing.test(line)).length).toBeGreaterThan(5);
    expect(a.map((line) => line.replace(timing, '<t>'))).toEqual(b.map((line) => line.replace(timing, '<t>')));
    expect(a).not.toEqual(b);
  });

  it('loads Groth16 with circuits cached in the platform cache folder (or --cache-dir), and releases it', async () => {
    const env = { env: { XDG_CACHE_HOME: '/var/cache/u' }, platform: 'linux', home: '/home/u' };
    for (const [extra, expected] of [
      [[], '/var/cache/u/medshare/zk-circuits'],
      [['--cache-dir', '/tmp/circuits'], '/tmp/circuits'],
    ] as const) {
      const loads: { fields: number; cacheDir: string }[] = [];
      let released = 0;
      // A test double whose key generation fails: the demo stops there (exit 1) and must still release.
      const proofSystem = {
        ...standInProofSystem(),
        name: 'groth16 (test double)',
        keyGen: () => Promise.reject(new Error('no keys in this test')),
      };
      const t = capture({
        env,
        loadGroth16: async (fields, { cacheDir }) => {
          loads.push({ fields, cacheDir });
          return { proofSystem, release: async () => void released++ };
        },
      });
      expect(await main(['demo', '--fields=2', '--no-crash', ...extra], t.io)).toBe(EXIT.failure);
      expect(t.err.at(-1)).toBe('medshare demo: error: no keys in this test');
      expect(loads).toEqual([{ fields: 2, cacheDir: expected }]);
      expect(released).toBe(1);
      expect(t.out.join('\n')).toContain('proof system: groth16 (test double)');
    }
  });
});

describe('the zk peers the demo needs', () => {
  it('nothing missing: no error; snarkjs missing: one line naming it, npm install, the one command and --stand-in', () => {
    expect(zkDependencyError(4, ['snarkjs', 'circom2', 'circomlib'], [])).toBeUndefined();
    const message = zkDependencyError(4, ['snarkjs', 'circom2', 'circomlib'], ['snarkjs'])?.message ?? '';
    expect(message).not.toContain('\n');
    expect(message).toContain('need snarkjs (GPL-3.0');
    expect(message).toContain('npm install snarkjs,');
    expect(message).toContain('npx -p medshare -p snarkjs -p circom2 -p circomlib medshare demo (');
    expect(message).toContain('--stand-in');
  });

  it('circom2 and circomlib missing, another record size: the one command brings all three and keeps --fields', () => {
    const message = zkDependencyError(16, ['snarkjs', 'circom2', 'circomlib'], ['circom2', 'circomlib'])?.message ?? '';
    expect(message).toContain('need circom2 and circomlib (');
    expect(message).toContain('npm install circom2 circomlib,');
    expect(message).toContain('npx -p medshare -p snarkjs -p circom2 -p circomlib medshare demo --fields 16 (');
  });

  it("the demo stops before its first step, exit 1, with the loader's one line", async () => {
    const t = capture({
      loadGroth16: async () => {
        throw zkDependencyError(4, ['snarkjs', 'circom2', 'circomlib'], ['snarkjs']);
      },
    });
    expect(await main(['demo'], t.io)).toBe(EXIT.failure);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(
      /^medshare demo: error: real zk-SNARK proofs for 4-field records need snarkjs .*npx -p medshare -p snarkjs -p circom2 -p circomlib medshare demo/,
    );
    expect(t.out).toEqual([]);
  });
});

describe('cache and data folders', () => {
  const home = '/home/u';
  it('Linux and other Unix: XDG folders when absolute, else ~/.cache and ~/.local/share', () => {
    expect(cacheDir({ env: {}, platform: 'linux', home })).toBe('/home/u/.cache/medshare');
    expect(cacheDir({ env: { XDG_CACHE_HOME: '/x/cache' }, platform: 'freebsd', home })).toBe('/x/cache/medshare');
    expect(cacheDir({ env: { XDG_CACHE_HOME: 'relative' }, platform: 'linux', home })).toBe('/home/u/.cache/medshare');
    expect(dataDir({ env: {}, platform: 'linux', home })).toBe('/home/u/.local/share/medshare');
    expect(dataDir({ env: { XDG_DATA_HOME: '/x/data' }, platform: 'linux', home })).toBe('/x/data/medshare');
  });

  it('macOS and Windows: the platform folders', () => {
    expect(cacheDir({ env: {}, platform: 'darwin', home })).toBe('/home/u/Library/Caches/medshare');
    expect(dataDir({ env: {}, platform: 'darwin', home })).toBe('/home/u/Library/Application Support/medshare');
    const win = { env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', home: 'C:\\Users\\u' };
    expect(cacheDir(win)).toBe('C:\\Users\\u\\AppData\\Local\\medshare\\Cache');
    expect(dataDir(win)).toBe('C:\\Users\\u\\AppData\\Local\\medshare\\Data');
    expect(cacheDir({ ...win, env: {} })).toBe('C:\\Users\\u\\AppData\\Local\\medshare\\Cache');
  });

  it('MEDSHARE_CACHE_DIR overrides the cache folder on every platform', () => {
    for (const platform of ['linux', 'darwin']) {
      expect(cacheDir({ env: { MEDSHARE_CACHE_DIR: '/srv/medshare-cache' }, platform, home })).toBe('/srv/medshare-cache');
    }
    expect(circuitCacheDir('/srv/c')).toBe('/srv/c/zk-circuits');
  });

  it('one folder per benchmark run, named by its start time without colons', () => {
    expect(runFolderName(new Date('2026-11-30T12:05:09.123Z'))).toBe('2026-11-30T12-05-09Z');
  });
});
