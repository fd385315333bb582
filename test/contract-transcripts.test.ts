/**
 * Contract scenarios written as transcripts (test/testdata/contract-*.txt): a command, `----`,
 * the expected outcome. One runner (test/support/contract-transcript.ts) drives them all; run with
 * MEDSHARE_REWRITE=1 to rewrite the expectations from the current contract, then review the diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTranscript, parseTranscript, transcriptRunner } from './support/contract-transcript.js';
import { makeWorld } from './support/protocol-fixture.js';

const dir = path.join(import.meta.dirname, 'testdata');
const files = readdirSync(dir)
  .filter((f) => /^contract-.*\.txt$/.test(f))
  .sort();
const rewrite = process.env.MEDSHARE_REWRITE === '1';

describe('contract transcripts', () => {
  it('there are transcripts', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, async () => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const header = text.slice(0, text.length - text.replace(/^(#[^\n]*\n)+\n?/, '').length);
      const blocks = parseTranscript(text);
      const run = transcriptRunner(await makeWorld());
      const actual = [];
      for (const block of blocks) {
        const output = await run(block.command);
        actual.push({ command: block.command, expected: output });
        if (!rewrite) expect(`${block.command}\n${output}`).toBe(`${block.command}\n${block.expected}`);
      }
      if (rewrite) writeFileSync(path.join(dir, file), formatTranscript(header, actual));
    }, 120_000);
  }
});
