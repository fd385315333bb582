/**
 * The properties every IB-PRE scheme in medshare must have, run against any `PreScheme`: the
 * shipped laws of medshare/testing (`preSchemeProperties`), one test per law. Register a scheme
 * with `describePreScheme(scheme, { multiHop })` from a test file.
 */
import type { PreScheme } from '../../src/pre/types.js';
import { type PreLawOptions, preSchemeProperties } from '../../src/testing/index.js';
import { describeLaws } from './laws.js';

/** Registers the laws of `scheme`; `label` prefixes the describe block (the backend, say). */
export function describePreScheme<P, M, S, R, C>(scheme: PreScheme<P, M, S, R, C>, options: PreLawOptions, label = ''): void {
  describeLaws(`${label ? `${label} ` : ''}${scheme.name}: common IB-PRE properties (medshare/testing)`, () =>
    preSchemeProperties(scheme, options),
  );
}
