/**
 * The numbers Huang et al. 2020 report in section 5.2, each with its table or figure of origin.
 *
 * Machine of the paper: Intel Core i7-4770 @ 3.40 GHz, 8 GB RAM, Ubuntu 18.04; zk-SNARKs
 * with libsnark (BN128), each experiment averaged over 100 runs.
 *
 * Figures 5-8 are plots; our copy of the paper has their captions but not their data, so
 * only values the text states are recorded (with `origin` saying where the text says it).
 * Where the text gives no value for a point, there is no entry: we never read values off a
 * plot we cannot see.
 */

/** Where a paper value comes from. */
export interface Origin {
  /** Table or figure, e.g. 'Table 3'. */
  readonly source: string;
  /** Further detail: which row, or the sentence of the text that states it. */
  readonly note?: string;
}

/** A value with its unit and origin. */
export interface PaperValue {
  readonly value: number;
  readonly unit: 's' | 'ms' | 'KB' | 'MB' | 'min';
  readonly origin: Origin;
}

export const paperMachine = 'Intel Core i7-4770 @ 3.40 GHz, 8 GB RAM, Ubuntu 18.04, libsnark';

/** The circuit input counts the paper evaluates. */
export const inputCounts = [100, 250, 500, 750, 1000] as const;
export type InputCount = (typeof inputCounts)[number];

/** Table 3: proving key, verification key and proof sizes per number of circuit inputs. */
export const table3: Record<InputCount, { provingKey: PaperValue; verificationKey: PaperValue; proof: PaperValue }> = {
  100: sizes(15.3, 3.5, 12.9, '100'),
  250: sizes(15.3, 8.2, 31.6, '250'),
  500: sizes(15.3, 16.0, 62.9, '500'),
  750: sizes(15.3, 23.8, 94.1, '750'),
  1000: sizes(15.3, 31.5, 125.4, '1000'),
};

function sizes(pk: number, vk: number, proof: number, row: string) {
  const origin = { source: 'Table 3', note: `row "${row}" inputs` };
  return {
    provingKey: { value: pk, unit: 'MB', origin },
    verificationKey: { value: vk, unit: 'KB', origin },
    proof: { value: proof, unit: 'KB', origin },
  } as const;
}

/** Table 4: the paper's scheme against PGHR (Backes et al. 2015) at 1000 inputs. */
export const table4 = {
  ours: {
    keyGen: { value: 16.3, unit: 's', origin: { source: 'Table 4', note: 'our scheme' } },
    prove: { value: 52, unit: 's', origin: { source: 'Table 4', note: 'our scheme' } },
    verify: { value: 0.614, unit: 's', origin: { source: 'Table 4', note: 'our scheme' } },
    provingKey: { value: 15.3, unit: 'MB', origin: { source: 'Table 4', note: 'our scheme' } },
    verificationKey: {
      value: 125.4,
      unit: 'KB',
      origin: {
        source: 'Table 4',
        note: "our scheme; 125.4 KB is Table 3's proof size at 1000 inputs, Table 3 gives 31.5 KB for the verification key",
      },
    },
  },
  pghr: {
    keyGen: { value: 299, unit: 's', origin: { source: 'Table 4', note: 'PGHR' } },
    prove: { value: 491, unit: 's', origin: { source: 'Table 4', note: 'PGHR' } },
    verify: { value: 0.062, unit: 's', origin: { source: 'Table 4', note: 'PGHR' } },
    provingKey: { value: 319, unit: 'MB', origin: { source: 'Table 4', note: 'PGHR' } },
    verificationKey: { value: 31, unit: 'KB', origin: { source: 'Table 4', note: 'PGHR' } },
  },
} as const satisfies Record<string, Record<string, PaperValue>>;

/** Fig. 6 (key pair generation time): flat in the number of inputs, per the text. */
export const fig6: Partial<Record<InputCount, PaperValue>> = Object.fromEntries(
  inputCounts.map((n) => [
    n,
    {
      value: 16,
      unit: 's',
      origin: {
        source: 'Fig. 6',
        note: '"about 16 seconds, which will not increase with the number of circuit inputs" (section 5.2)',
      },
    },
  ]),
);

/** Fig. 7 (proof generation time): the text states only the 1000-input value (Table 4). */
export const fig7: Partial<Record<InputCount, PaperValue>> = { 1000: table4.ours.prove };

/** Fig. 8 (verification time): the text states only the 1000-input value (Table 4), "less than 1 second". */
export const fig8: Partial<Record<InputCount, PaperValue>> = { 1000: table4.ours.verify };

/** Fig. 5: block generation time of the compared consensus schemes, as the text states them. */
export const fig5 = {
  pow: { value: 10, unit: 'min', origin: { source: 'Fig. 5', note: 'MedRec (PoW): "about ten minutes to generate one block"' } },
  dpos: {
    value: 3,
    unit: 'min',
    origin: { source: 'Fig. 5', note: 'MDSM (DPoS): "decreases the block generation time to 3 minutes"' },
  },
  pbftSpeedupOverDpos: {
    value: 1.33,
    origin: { source: 'Fig. 5', note: 'PBFT: "33% growth rate of block generation speed compared with the rank-2 MDSM scheme"' },
  },
} as const;
