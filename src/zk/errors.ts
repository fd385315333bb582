/**
 * Typed errors of the zk module. Both are RangeErrors (the medshare convention for a bad
 * value) with a stable `code` (see {@link MedshareError}), and name what is wrong.
 *
 * @module
 */
import { ArgumentValueError, EncodingError } from '../internal/errors.js';

/** A record, requirement or statement input that the circuit cannot take (code `ERR_ARGUMENT_VALUE`). */
export class ZkInputError extends ArgumentValueError {
  /** Which input was rejected, e.g. `record[3]` or `requirement.criteria[0].min`. */
  readonly input: string;
  /**
   * @param input - the input at fault
   * @param message - what is wrong with it
   */
  constructor(input: string, message: string) {
    super(input, message);
    this.name = 'ZkInputError';
    this.input = input;
  }
}

/** Untrusted bytes or JSON (a proof, a verification key, a proving key) that do not decode (code `ERR_ENCODING`). */
export class MalformedError extends EncodingError {
  /** What was being decoded, e.g. `proof` or `verificationKey.IC[2]`. */
  readonly what: string;
  /**
   * @param what - what was being decoded
   * @param message - what is wrong with it
   */
  constructor(what: string, message: string) {
    super(what, '', message);
    this.name = 'MalformedError';
    this.what = what;
  }
}
