/**
 * An attacker's tools against medshare/zk, from what users publish: a dictionary search that
 * tests guesses against a published hash (the ledger's record commitment, a requirement hash).
 * Kept apart from the pre/sign tools (test/support/hostile.ts) so that both can grow.
 */

/**
 * Enumerates `candidates` and returns the first whose `hash` equals `target`, or undefined
 * after trying them all; `tried` counts the hashes computed.
 */
export function dictionarySearch<T>(
  candidates: Iterable<T>,
  hash: (candidate: T) => bigint,
  target: bigint,
): { found: T | undefined; tried: number } {
  let tried = 0;
  for (const candidate of candidates) {
    tried++;
    if (hash(candidate) === target) return { found: candidate, tried };
  }
  return { found: undefined, tried };
}

/** Every combination of one value per dimension (the cartesian product), first dimension slowest. */
export function* product<T>(dimensions: readonly (readonly T[])[]): Generator<T[]> {
  if (dimensions.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = dimensions as [readonly T[], ...(readonly T[])[]];
  for (const value of first) for (const tail of product(rest)) yield [value, ...tail];
}

/** The integers from..to (inclusive) in steps of `step`. */
export function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let x = from; x <= to; x += step) out.push(x);
  return out;
}
