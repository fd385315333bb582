/**
 * Contract scenarios as transcripts (test/testdata/contract/*.txt, read by the shared runner
 * test/support/transcript.ts through test/support/contract-transcript.ts): each file drives sales
 * command by command and states every outcome, refusal and balance the contract must produce.
 * `UPDATE_TRANSCRIPTS=1 npx vitest run test/contract-transcript.test.ts` rewrites them from what
 * the contract now does; review the diff before committing.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contractTranscriptEnvironment } from './support/contract-transcript.js';
import { makeWorld, type World } from './support/protocol-fixture.js';
import { checkTranscriptAsync, renderTranscriptAsync } from './support/transcript.js';

const dir = path.join(import.meta.dirname, 'testdata', 'contract');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();

let world: World;
beforeAll(async () => {
  world = await makeWorld(); // immutable: each transcript starts from the same state
});

describe('contract transcripts', () => {
  it('there are transcripts to run', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s', async (file) => {
    const { expected, actual } = await checkTranscriptAsync(path.join(dir, file), contractTranscriptEnvironment(world));
    expect(actual).toBe(expected);
  });

  it('the runner reports a wrong expectation and an unknown command (it can fail)', async () => {
    const text = 'publish labA as=x criteria=B reward=5000 capacity=1 exclusive=false\n----\naccepted\n\nfly\n----\nok\n';
    const actual = await renderTranscriptAsync(text, contractTranscriptEnvironment(world));
    expect(actual).toContain('refused insufficientFunds (accountable: labA)');
    expect(actual).toContain("error: unknown command 'fly'");
  });
});
