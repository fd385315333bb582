/**
 * @module
 * Typed errors of the zk module. Both extend RangeError (the medshare convention for a bad
 * value) and name what is wrong.
 */

/** A record, requirement or statement input that the circuit cannot take. */
export class ZkInputError extends RangeError {
  /** Which input was rejected, e.g. `record[3]` or `requirement.criteria[0].min`. */
  readonly input: string;
  constructor(input: string, message: string) {
    super(`${input}: ${message}`);
    this.name = 'ZkInputError';
    this.input = input;
  }
}

/** Untrusted bytes or JSON (a proof, a verification key, a proving key) that do not decode. */
export class MalformedError extends RangeError {
  /** What was being decoded, e.g. `proof` or `verificationKey.IC[2]`. */
  readonly what: string;
  constructor(what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'MalformedError';
    this.what = what;
  }
}
