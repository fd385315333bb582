/**
 * What the ledger's zk values reveal to someone who only reads the ledger (issue 10): the record
 * commitment is hiding (a blinding rho inside the Poseidon commitment), so a dictionary search
 * over a realistic record space that recovers the record from the paper's unblinded H(D) finds
 * nothing without rho.
 * The spaces are kept small (about 2,000 guesses, a second or two of noble's Poseidon) so that
 * the test stays cheap; a real attacker with a native Poseidon tries millions per second.
 */
import { describe, expect, it } from 'vitest';
import { commitRecord, commitRecordUnblinded, type MedicalRecord, randomFieldElement } from '../src/zk/index.js';
import { dictionarySearch, product, range } from './support/hostile-zk.js';
import { seededRandom } from './support/random.js';
import { SHAPE } from './support/zk.js';

// [age, systolic BP, diastolic BP, HbA1c x10, diagnosis code index, BMI x10, heart rate, smoker]
const RECORD: MedicalRecord = [57, 128, 82, 61, 250, 243, 71, 0];
// The attacker knows (or guesses well) every field but the age and the diagnosis code.
const recordGuesses = () =>
  [...product([range(18, 90), range(240, 264)])].map(([age, code]) => [age, 128, 82, 61, code, 243, 71, 0] as number[]);

describe('the record commitment on the ledger is hiding (issue 10, item 9)', () => {
  it('control: a search over 1,825 guesses recovers the record from the unblinded H(D) (the paper form)', () => {
    const ledger = commitRecordUnblinded(SHAPE, RECORD);
    const { found } = dictionarySearch(recordGuesses(), (g) => commitRecordUnblinded(SHAPE, g), ledger);
    expect(found).toEqual(RECORD);
  });

  it('the same search against a blinded commitment finds nothing without rho, and finds the record with it', () => {
    const rho = randomFieldElement({ random: seededRandom('zk-privacy-rho') });
    const ledger = commitRecord(SHAPE, RECORD, rho);
    // Without rho the attacker can only pick one (here 1, as good as any other value).
    const blind = dictionarySearch(recordGuesses(), (g) => commitRecord(SHAPE, g, 1n), ledger);
    expect(blind.found).toBeUndefined();
    expect(blind.tried).toBe(73 * 25);
    // Whoever holds rho (the patient, the prover, the institution after decryption) can check.
    expect(dictionarySearch(recordGuesses(), (g) => commitRecord(SHAPE, g, rho), ledger).found).toEqual(RECORD);
  });

  it('two commitments of the same record under fresh blindings differ; one blinding gives one commitment', () => {
    const random = seededRandom('zk-privacy-two');
    const a = randomFieldElement({ random });
    const b = randomFieldElement({ random });
    expect(a).not.toBe(b);
    expect(commitRecord(SHAPE, RECORD, a)).not.toBe(commitRecord(SHAPE, RECORD, b));
    expect(commitRecord(SHAPE, RECORD, a)).toBe(commitRecord(SHAPE, [...RECORD], a));
    expect(commitRecord(SHAPE, RECORD, a)).not.toBe(commitRecordUnblinded(SHAPE, RECORD));
  });
});
