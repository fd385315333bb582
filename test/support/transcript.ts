/**
 * Transcript tests, after etcd raft's `testdata/*.txt` and its datadriven runner: a scenario is a
 * text file of commands, each followed by the output it must produce.
 *
 * ```
 * # a comment, kept as is
 * command key=value key=a,b flag
 * ----
 * the expected output, one or more lines (no blank line inside)
 *
 * next-command ...
 * ----
 * ok
 * ```
 *
 * One runner ({@link checkTranscript}) reads a file, runs each command through an environment's
 * `run` and compares the regenerated file with the one on disk, so a failure shows as a diff of
 * the transcript. `UPDATE_TRANSCRIPTS=1 npx vitest run <test file>` rewrites the files with what the
 * code now prints: review the diff in git before committing it, as with any golden file.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** One command of a transcript: its name, its `key=value` arguments and bare flags, and its line. */
export interface Command {
  readonly name: string;
  readonly args: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
  /** Where the command stands in its file (1-based), for error messages. */
  readonly line: number;
}

/** What runs a transcript's commands: returns the output of each (lines, no blank line). */
export interface TranscriptEnvironment {
  run(command: Command): string;
}

interface Block {
  readonly comments: readonly string[];
  readonly commandLine: string;
  readonly line: number;
}

/** Splits a transcript into its commands (with the comments above each); the outputs are ignored. */
export function parseTranscript(text: string): { blocks: Block[]; trailing: string[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let comments: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.startsWith('#')) {
      if (line.startsWith('#')) comments.push(line);
      i++;
      continue;
    }
    if (lines[i + 1] !== '----') throw new SyntaxError(`line ${i + 1}: expected '----' after the command '${line}'`);
    blocks.push({ comments, commandLine: line, line: i + 1 });
    comments = [];
    i += 2;
    while (i < lines.length && (lines[i] as string).trim() !== '') i++;
  }
  return { blocks, trailing: comments };
}

/** Parses `name key=value key=a,b flag` into a {@link Command}. */
export function parseCommand(text: string, line: number): Command {
  const [name, ...words] = text.trim().split(/\s+/);
  const args = new Map<string, string>();
  const flags = new Set<string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) flags.add(word);
    else args.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return { name: name as string, args, flags, line };
}

/** What runs a transcript's commands when some of them are asynchronous (a zk prover, say). */
export interface AsyncTranscriptEnvironment {
  run(command: Command): string | Promise<string>;
}

/** The transcript text for the given blocks and their outputs (an error becomes `error: <message>`). */
function assemble(
  blocks: readonly Block[],
  outputs: readonly ({ ok: string } | { error: unknown })[],
  trailing: readonly string[],
): string {
  const out: string[] = [];
  blocks.forEach((block, i) => {
    if (out.length > 0) out.push('');
    out.push(...block.comments, block.commandLine, '----');
    const result = outputs[i] as { ok: string } | { error: unknown };
    const output = 'ok' in result ? result.ok : `error: ${(result.error as Error).message}`;
    const lines = output.split('\n').filter((l) => l.trim() !== '');
    out.push(...(lines.length > 0 ? lines : ['ok']));
  });
  if (trailing.length > 0) out.push('', ...trailing);
  return `${out.join('\n')}\n`;
}

/** Runs every command of `text` through `env` and returns the transcript as it now reads. */
export function renderTranscript(text: string, env: TranscriptEnvironment): string {
  const { blocks, trailing } = parseTranscript(text);
  const outputs = blocks.map((block) => {
    try {
      return { ok: env.run(parseCommand(block.commandLine, block.line)) };
    } catch (error) {
      return { error };
    }
  });
  return assemble(blocks, outputs, trailing);
}

/** {@link renderTranscript} for an environment whose commands may be asynchronous (run in order). */
export async function renderTranscriptAsync(text: string, env: AsyncTranscriptEnvironment): Promise<string> {
  const { blocks, trailing } = parseTranscript(text);
  const outputs: ({ ok: string } | { error: unknown })[] = [];
  for (const block of blocks) {
    try {
      outputs.push({ ok: await env.run(parseCommand(block.commandLine, block.line)) });
    } catch (error) {
      outputs.push({ error });
    }
  }
  return assemble(blocks, outputs, trailing);
}

/** True when the transcripts should be rewritten rather than checked. */
export const updateTranscripts = process.env.UPDATE_TRANSCRIPTS === '1';

/** Writes `actual` over the file when transcripts are being rewritten; returns what to compare. */
function settle(file: string, expected: string, actual: string): { expected: string; actual: string } {
  if (updateTranscripts && actual !== expected) writeFileSync(file, actual);
  return { expected: updateTranscripts ? actual : expected, actual };
}

/**
 * Regenerates the transcript at `file` with `env` and returns `{ expected, actual }` for the
 * caller's assertion; with UPDATE_TRANSCRIPTS=1, writes `actual` to the file first.
 */
export function checkTranscript(file: string, env: TranscriptEnvironment): { expected: string; actual: string } {
  const expected = readFileSync(file, 'utf8');
  return settle(file, expected, renderTranscript(expected, env));
}

/** {@link checkTranscript} for an environment whose commands may be asynchronous. */
export async function checkTranscriptAsync(
  file: string,
  env: AsyncTranscriptEnvironment,
): Promise<{ expected: string; actual: string }> {
  const expected = readFileSync(file, 'utf8');
  return settle(file, expected, await renderTranscriptAsync(expected, env));
}

/** A command's argument as a non-negative integer, or `fallback` when absent. */
export function intArg(command: Command, key: string, fallback?: number): number {
  const raw = command.args.get(key);
  if (raw === undefined) {
    if (fallback === undefined) throw new Error(`${command.name}: missing ${key}=`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${command.name}: ${key}=${raw} is not a non-negative integer`);
  return value;
}

/** A command's argument as a list of non-negative integers (`1,2`), or `fallback` when absent. */
export function intListArg(command: Command, key: string, fallback: readonly number[]): number[] {
  const raw = command.args.get(key);
  if (raw === undefined) return [...fallback];
  return raw.split(',').map((part) => {
    const value = Number(part);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${command.name}: ${key}=${raw} is not a list of integers`);
    return value;
  });
}
