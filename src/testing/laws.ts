/**
 * A law: one property a medshare primitive must have, stated in words (`name`) and as a
 * fast-check property (`property`). Any test runner runs a law with
 * `fc.assert(law.property, { numRuns: law.runs })`; {@link checkLaw} runs it without throwing
 * and returns what a report needs (the seed, the path, the shrunk counterexample).
 *
 * @module
 */
import type { IRawProperty, Parameters as FcParameters, RunDetails } from 'fast-check';
import { fc } from './fast-check.js';

/**
 * The groups of laws. `medshare check --only` selects among the first four; `zk` (the proof
 * verifier's laws) needs proofs the caller made, so `medshare check` does not run it.
 */
export type LawGroup = 'pre' | 'sign' | 'pbft' | 'ledger' | 'zk';

/** One law of a primitive: a fast-check property and the number of runs it is meant to get. */
export interface Law {
  /** The property in words, e.g. `ga07: decrypt(SK_ID, encrypt(ID, m)) = m ...`. */
  readonly name: string;
  /** Which group it belongs to (`pre` includes the verifiable/threshold layer). */
  readonly group: LawGroup;
  /**
   * The property. Its predicate throws (a {@link LawViolation} or the primitive's own error) on
   * a counterexample. Synchronous: every primitive it calls is.
   */
  // biome-ignore lint/suspicious/noExplicitAny: a list of laws holds properties over different value types; fc.assert accepts any of them
  readonly property: IRawProperty<any>;
  /** The default number of runs: a few for laws whose case costs pairings, hundreds for decoding laws. */
  readonly runs: number;
}

/**
 * The law constructor of one primitive: `law(name, property, runs)` is the law named
 * `<prefix>: <name>` of `group`. Each *Properties function names its laws with one.
 */
export function lawsOf(prefix: string, group: LawGroup): (name: string, property: Law['property'], runs: number) => Law {
  return (name, property, runs) => ({ name: `${prefix}: ${name}`, group, property, runs });
}

/** A law's predicate found a counterexample: the message says which part of the law failed. */
export class LawViolation extends Error {
  /** @param message - what the law expected and what happened */
  constructor(message: string) {
    super(message);
    this.name = 'LawViolation';
  }
}

/** Options of {@link checkLaw}. */
export interface CheckOptions {
  /** Runs (default: the law's own `runs`). */
  readonly runs?: number;
  /** fast-check's seed: the same seed replays the same cases, the same failure and the same shrinking. */
  readonly seed?: number;
  /** fast-check's replay path of a failure (with its seed), to rerun the shrunk counterexample alone. */
  readonly path?: string;
}

/** What {@link checkLaw} found. */
export interface LawResult {
  /** The law's name. */
  readonly name: string;
  /** Its group. */
  readonly group: LawGroup;
  /** True iff every run held. */
  readonly passed: boolean;
  /** Runs made (on a failure, up to and including the first failing one). */
  readonly runs: number;
  /** The seed fast-check used: pass it back as `seed` to replay. */
  readonly seed: number;
  /** On a failure, fast-check's replay path of the shrunk counterexample. */
  readonly path?: string;
  /** On a failure, the shrunk counterexample, as fast-check prints values. */
  readonly counterexample?: string;
  /** On a failure, the error the predicate threw for the shrunk counterexample. */
  readonly error?: string;
  /** How many shrinking steps fast-check took. */
  readonly shrinks?: number;
}

/**
 * Runs one law with fast-check and reports, without throwing on a failed law.
 * @param law - the law
 * @param options - runs, seed and replay path
 */
export function checkLaw(law: Law, options: CheckOptions = {}): LawResult {
  const parameters: FcParameters<unknown> = { numRuns: options.runs ?? law.runs };
  if (options.seed !== undefined) (parameters as { seed?: number }).seed = options.seed;
  if (options.path !== undefined) (parameters as { path?: string }).path = options.path;
  const details = fc.check(law.property, parameters) as RunDetails<unknown>;
  const base = { name: law.name, group: law.group, runs: details.numRuns, seed: details.seed };
  if (!details.failed) return { ...base, passed: true };
  const error = details.errorInstance;
  return {
    ...base,
    passed: false,
    ...(details.counterexamplePath === null ? {} : { path: details.counterexamplePath }),
    counterexample:
      details.counterexample === null ? '(none: the property was interrupted)' : fc.stringify(details.counterexample),
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    shrinks: details.numShrinks,
  };
}

/**
 * Runs every law with `fc.assert` (throws fast-check's report of the first failure): the shortest
 * way to run the laws from any runner, e.g. `assertLaws(preSchemeProperties(myScheme, { multiHop: false }))`.
 * @param laws - the laws
 * @param options - runs (default: each law's own) and seed
 */
export function assertLaws(laws: readonly Law[], options: Omit<CheckOptions, 'path'> = {}): void {
  for (const law of laws) {
    const parameters: FcParameters<unknown> = { numRuns: options.runs ?? law.runs };
    if (options.seed !== undefined) (parameters as { seed?: number }).seed = options.seed;
    fc.assert(law.property, parameters);
  }
}

// ---------------------------------------------------------------- assertions for the laws' predicates

/** Throws a {@link LawViolation} with `message` unless `condition` holds. */
export function holds(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LawViolation(message);
}

/** Throws a {@link LawViolation} unless `actual` and `expected` are the same bytes. */
export function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length !== expected.length)
    throw new LawViolation(`${what}: ${actual.length} bytes where ${expected.length} were expected`);
  for (let i = 0; i < actual.length; i++)
    if (actual[i] !== expected[i]) throw new LawViolation(`${what}: differs at byte ${i} of ${actual.length}`);
}

/**
 * Runs `f`, which must throw an error that `accept` accepts; returns it.
 * @param what - the law's expectation, for the message (e.g. `a third party's decrypt throws DecryptionError`)
 */
export function throwsSuch(f: () => unknown, accept: (e: unknown) => boolean, what: string): unknown {
  try {
    f();
  } catch (e) {
    if (accept(e)) return e;
    throw new LawViolation(`${what}, but it threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new LawViolation(`${what}, but it returned normally`);
}
