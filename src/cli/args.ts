/**
 * Argument parsing shared by `medshare demo` and `medshare bench` (node:util parseArgs), and the
 * command line's exit codes: one convention for every command.
 * @module
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Exit codes of every `medshare` command. */
export const EXIT = {
  /** Done (also `--help` and `--version`). */
  ok: 0,
  /** The command ran and failed (e.g. the verification nodes disagree, a file could not be written). */
  failure: 1,
  /** Usage error: unknown command or option, missing or bad value. Nothing was run. */
  usage: 2,
} as const;

/** A mistake in the command line itself; reported on one line, exit code {@link EXIT}.usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `args` strictly (no positionals, only the given options), turning parseArgs's errors into
 * a {@link UsageError} with a one-line message.
 * @param args - the arguments after the command name
 * @param options - parseArgs option descriptions
 * @returns the parsed values
 */
export function parseOptions<O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      // parseArgs's messages go on with advice about '--'; the first sentence is the error.
      const sentence = ((error as Error).message.split('\n')[0] as string).split(/\.(?: |$)/)[0] as string;
      throw new UsageError(sentence.charAt(0).toLowerCase() + sentence.slice(1));
    }
    throw error;
  }
}

/**
 * An integer option's value.
 * @param name - the option, for the message (e.g. '--fields')
 * @param value - the text given
 * @param min - smallest allowed value
 * @param max - largest allowed value
 * @throws UsageError unless `value` is a decimal integer in [min, max]
 */
export function integerOption(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} expects an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}
