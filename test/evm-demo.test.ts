/**
 * `medshare demo --ledger evm` (src/evm/story.ts through the command line): the v2 sale on an
 * in-process EVM with a real Groth16 proof - deposits and escrow, a 2-of-3 grant, a lying proxy
 * disputed and struck, the settlement after the dispute window - gas printed per on-chain step, the
 * record delivered and checked against the on-chain commitment, the second sale refused; and its
 * option errors.
 */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/args.js';
import { main } from '../src/cli.js';
import { groth16ProofSystem, releaseWorkers } from '../src/zk/index.js';

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), now: () => 0 } };
};

describe('medshare demo --ledger evm', () => {
  it('usage errors (exit 2, one line, nothing run): --stand-in, --proxies, --threshold, --proxy-fault, --no-crash with evm; an unknown ledger', async () => {
    for (const [args, what] of [
      [['demo', '--ledger', 'evm', '--stand-in'], /--stand-in cannot be used with --ledger evm/],
      [['demo', '--ledger', 'evm', '--proxies', '2'], /--proxies cannot be used with --ledger evm/],
      [['demo', '--ledger', 'evm', '--threshold', '2'], /--threshold cannot be used with --ledger evm/],
      [['demo', '--proxy-fault', 'down', '--ledger', 'evm'], /--proxy-fault cannot be used with --ledger evm/],
      [['demo', '--no-crash', '--ledger', 'evm'], /--no-crash cannot be used with --ledger evm/],
      [['demo', '--ledger', 'fabric'], /--ledger expects one of: pbft, evm \(got 'fabric'\)/],
      [['demo', '--ledger'], /--ledger/],
      [['demo', '--ledger=evm', '--ledger'], /--ledger/],
    ] as const) {
      const t = io();
      const loadGroth16 = () => Promise.reject(new Error('a usage error must not run anything'));
      expect(await main(args, { ...t.io, loadGroth16 }), args.join(' ')).toBe(EXIT.usage);
      expect(t.err).toHaveLength(1);
      expect(t.err[0]).toMatch(/^medshare demo: error: /);
      expect(t.err[0]).toMatch(what);
      expect(t.out).toEqual([]);
    }
  });

  it('demo --help names --ledger', async () => {
    const t = io();
    expect(await main(['demo', '--help'], t.io)).toBe(EXIT.ok);
    expect(t.out.join('\n')).toMatch(/--ledger NAME +pbft \(default\).*evm/);
  });

  it('without medshare/zk in the build, --ledger evm fails (exit 1) with one line', async () => {
    const t = io();
    expect(await main(['demo', '--ledger', 'evm'], t.io)).toBe(EXIT.failure);
    expect(t.err).toEqual(['medshare demo: error: --ledger evm needs medshare/zk, which is not part of this build']);
  });

  it('runs the v2 sale on the EVM (escrow, a lying proxy disputed and struck, settlement) and prints the gas of each on-chain step', async () => {
    const t = io();
    let released = 0;
    const cacheDirs: string[] = [];
    const loadGroth16 = async (fields: number, options: { readonly cacheDir: string }) => {
      cacheDirs.push(options.cacheDir);
      return {
        proofSystem: groth16ProofSystem(fields),
        release: async () => {
          released++;
          await releaseWorkers();
        },
      };
    };
    const args = [
      'demo',
      '--ledger',
      'evm',
      '--fields',
      '4',
      '--seed',
      'evm-cli',
      '--cache-dir',
      '/tmp/medshare-evm-demo-circuits',
    ];
    expect(await main(args, { ...t.io, loadGroth16 })).toBe(EXIT.ok);
    expect(released).toBe(1);
    expect(cacheDirs).toEqual(['/tmp/medshare-evm-demo-circuits']); // --cache-dir reaches the proof system's loader
    const text = t.out.join('\n');
    for (const step of ['setup', 'step 1', 'step 3', 'step 5', 'step 6', 'accept', 'step 7', 'dispute', 'step 9']) {
      expect(text).toMatch(new RegExp(`\\[${step}\\] .*, [\\d,]+ gas\\)`));
    }
    expect(text).toContain('record matches the on-chain commitment');
    expect(text).toMatch(/share 1 does not verify/);
    expect(text).toContain('refused by the contract: exclusiveLicence');
    expect(text).toMatch(
      /lying proxy struck: yes; patient paid at settlement: yes; record received intact: yes; second sale refused: yes/,
    );
  });
});
