/**
 * `medshare demo --ledger evm` (src/evm/story.ts through the command line): the nine steps on an
 * in-process EVM with a real Groth16 proof, gas printed per on-chain step, the record delivered
 * and checked against the on-chain commitment, the second sale refused; and its option errors.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { groth16ProofSystem } from '../src/protocol/groth16.js';
import { releaseWorkers } from '../src/zk/index.js';

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), now: () => 0 } };
};

describe('medshare demo --ledger evm', () => {
  it('refuses --stand-in (the contract verifies real proofs) and an unknown ledger, with one line', async () => {
    for (const args of [
      ['demo', '--ledger', 'evm', '--stand-in'],
      ['demo', '--ledger', 'fabric'],
      ['demo', '--ledger'],
    ]) {
      const t = io();
      expect(await main(args, t.io)).toBe(1);
      expect(t.err).toHaveLength(1);
      expect(t.err[0]).toMatch(/^medshare: error: .*(--stand-in|--ledger)/);
    }
  });

  it('runs the nine steps on the EVM and prints the gas of each on-chain step', async () => {
    const t = io();
    let released = 0;
    const loadGroth16 = async (fields: number) => ({
      proofSystem: groth16ProofSystem(fields),
      release: async () => {
        released++;
        await releaseWorkers();
      },
    });
    expect(await main(['demo', '--ledger', 'evm', '--fields', '4', '--seed', 'evm-cli'], { ...t.io, loadGroth16 })).toBe(0);
    expect(released).toBe(1);
    const text = t.out.join('\n');
    for (const step of ['setup', 'step 1', 'step 3', 'step 5', 'step 6', 'step 9']) {
      expect(text).toMatch(new RegExp(`\\[${step}\\] .*, [\\d,]+ gas\\)`));
    }
    expect(text).toContain('record matches the on-chain commitment');
    expect(text).toContain('refused by the contract: exclusiveLicence');
    expect(text).toMatch(/record received intact: yes; second sale refused: yes/);
  });
});
