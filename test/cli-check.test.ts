/**
 * `medshare check` (src/cli/check.ts): help, usage errors (exit 2), the shipped laws passing
 * (exit 0, each law with its runs and time), and a failing law (exit 1) printing the seed, the
 * shrunk counterexample and a replay command that reproduces it.
 */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/args.js';
import type { CheckIo } from '../src/cli/check.js';
import { type CliIo, main } from '../src/cli.js';
import { preSchemeProperties } from '../src/testing/index.js';
import { nonceBit, toyScheme } from './support/toy-scheme.js';

function capture(extra: Partial<CheckIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let clock = 0;
  const io: CliIo & CheckIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => (clock += 5),
    drawSeed: () => 4242,
    ...extra,
  };
  return { out, err, io };
}

describe('medshare check: help and usage errors', () => {
  it('check --help, check -h and help check print the usage and exit 0', async () => {
    for (const args of [
      ['check', '--help'],
      ['check', '-h'],
      ['help', 'check'],
      ['check', '--runs', '3', '--help'],
    ]) {
      const t = capture();
      expect(await main(args, t.io), args.join(' ')).toBe(EXIT.ok);
      expect(t.out.join('\n')).toMatch(/^usage: medshare check \[options\]/);
      expect(t.err).toEqual([]);
    }
    const t = capture();
    await main(['--help'], t.io);
    expect(t.out.join('\n')).toMatch(/\n {2}check {3}property-based tests/);
  });

  it('a bad option or value is a usage error: one line on stderr, exit 2, nothing run', async () => {
    const cases: [string[], RegExp][] = [
      [['check', '--runs', '0'], /--runs must be between 1 and 100000, got 0/],
      [['check', '--runs', 'many'], /--runs expects an integer, got 'many'/],
      [['check', '--seed', '1.5'], /--seed expects an integer, got '1.5'/],
      [['check', '--seed=-3'], /--seed expects an integer, got '-3'/],
      [['check', '--seed', '2147483648'], /--seed must be between 0 and 2147483647, got 2147483648/],
      [['check', '--only', 'pre,zk'], /--only takes a list of: pre, sign, pbft, ledger \(got 'zk'\)/],
      [['check', '--fast'], /unknown option '--fast'/],
      [['check', 'pre'], /unexpected argument 'pre'/],
    ];
    for (const [args, message] of cases) {
      const t = capture({ laws: () => expect.unreachable('laws built on a usage error') });
      expect(await main(args, t.io), args.join(' ')).toBe(EXIT.usage);
      expect(t.out).toEqual([]);
      expect(t.err).toHaveLength(1);
      expect(t.err[0]).toMatch(/^medshare check: error: /);
      expect(t.err[0]).toMatch(message);
    }
  });
});

describe('medshare check: running the laws', () => {
  it('--only sign --runs 2: every AuthSign law listed with its runs and time, exit 0', async () => {
    const t = capture();
    expect(await main(['check', '--only', 'sign', '--runs', '2', '--seed', '17'], t.io)).toBe(EXIT.ok);
    expect(t.err).toEqual([]);
    expect(t.out[0]).toBe('medshare check: 5 laws (sign), seed 17, runs 2');
    const lawLines = t.out.slice(1, -1);
    expect(lawLines).toHaveLength(5);
    for (const line of lawLines) expect(line).toMatch(/^ {2}ok {4}AuthSign: .+ \(2 runs, \d+ ms\)$/);
    expect(t.out.at(-1)).toMatch(/^5 of 5 laws held, 0 failed \(.+; seed 17\)$/);
  });

  it('--only pbft --runs 1 runs the PBFT laws over the simulator', async () => {
    const t = capture();
    expect(await main(['check', '--only', 'pbft', '--runs', '1'], t.io)).toBe(EXIT.ok);
    expect(t.out[0]).toBe('medshare check: 2 laws (pbft), seed 4242, runs 1');
    expect(t.out[1]).toMatch(/^ {2}ok {4}PBFT: safety after every step/);
  });

  it('a failing law: exit 1; the seed, the shrunk counterexample and a replay command that reproduces it', async () => {
    const broken = () =>
      preSchemeProperties(toyScheme({ authenticated: false }), { multiHop: true, runs: 3 }).filter((l) =>
        l.name.includes('original ciphertext'),
      );
    const first = capture({ laws: broken });
    expect(await main(['check', '--only', 'pre'], first.io)).toBe(EXIT.failure);
    const text = first.out.join('\n');
    expect(text).toMatch(
      / {2}FAIL {2}toy-unauthenticated: any flipped bit of an encoded original ciphertext .+ \(\d+ runs?, \d+ ms\)/,
    );
    expect(text).toContain(`shrunk counterexample (`);
    expect(text).toContain(`: [${nonceBit('patient:tamper')}]`);
    expect(text).toContain(
      'error: LawViolation: the original ciphertext with bit 160 flipped is refused, but it returned normally',
    );
    expect(text).toMatch(/seed 4242, fast-check path "[\d:]+"/);
    expect(text).toContain('replay: npx medshare check --seed 4242 --only pre');
    expect(first.out.at(-1)).toMatch(/^0 of 1 law held, 1 failed/);
    // The printed replay command gives the same counterexample, without drawing a seed.
    const replay = capture({ laws: broken, drawSeed: () => expect.unreachable('--seed was given') });
    expect(await main(['check', '--seed', '4242', '--only', 'pre'], replay.io)).toBe(EXIT.failure);
    const counterexample = (lines: string[]) => lines.find((l) => l.includes('shrunk counterexample'));
    expect(counterexample(replay.out)).toBe(counterexample(first.out));
  });
});
