/**
 * PBFT scenarios as transcripts (test/testdata/pbft/*.txt, read by test/support/transcript.ts):
 * each file drives a cluster command by command and states every effect the replicas must
 * produce. `UPDATE_TRANSCRIPTS=1 npx vitest run test/pbft-transcript.test.ts` rewrites them from
 * what the code prints; review the diff before committing.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pbftTranscriptEnvironment } from './support/pbft-transcript.js';
import { checkTranscript, renderTranscript } from './support/transcript.js';

const dir = path.join(import.meta.dirname, 'testdata', 'pbft');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();

describe('PBFT transcripts', () => {
  it('there are transcripts to run', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s', (file) => {
    const { expected, actual } = checkTranscript(path.join(dir, file), pbftTranscriptEnvironment());
    expect(actual).toBe(expected);
  });

  it('the runner reports a wrong expectation and an unknown command (it can fail)', () => {
    const text = 'cluster n=4\n----\nn=4 f=2 primary=r0\n\nfly\n----\nok\n';
    const actual = renderTranscript(text, pbftTranscriptEnvironment());
    expect(actual).not.toBe(text);
    expect(actual).toContain('n=4 f=1 primary=r0');
    expect(actual).toContain("error: unknown command 'fly'");
  });
});
