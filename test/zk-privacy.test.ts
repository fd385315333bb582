/**
 * What the ledger's zk values reveal to someone who only reads the ledger (issue 10): the record
 * commitment is hiding (a blinding rho inside the Poseidon commitment), so a dictionary search
 * over a realistic record space that recovers the record from the paper's unblinded H(D) finds
 * nothing without rho; the requirement hash is salted (a nonce nu the institution hands to
 * patients with the criteria), so the same kind of search over a realistic criteria space finds
 * nothing without nu.
 * The spaces are kept small (about 2,000 guesses, a second or two of noble's Poseidon) so that
 * the test stays cheap; a real attacker with a native Poseidon tries millions per second.
 */
import { describe, expect, it } from 'vitest';
import {
  type Criterion,
  commitRecord,
  commitRecordUnblinded,
  type MedicalRecord,
  randomFieldElement,
  type Requirement,
  requirementHash,
} from '../src/zk/index.js';
import { dictionarySearch, product, range } from './support/hostile-zk.js';
import { seededRandom } from '../src/testing/random.js';
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

// An oncology trial: age in [40, 65] and diagnosis code index 250 (C50). The key words on the
// ledger ('age', 'diagnosis:C50') tell which fields are constrained; the attacker guesses the
// age range (lower bound 18..60 in steps of 2, width 10..40 in steps of 5) and the code (240..251).
const CRITERIA: Criterion[] = [
  { field: 0, min: 40, max: 65 },
  { field: 4, min: 250, max: 250 },
];
const criteriaGuesses = (): Criterion[][] =>
  [...product([range(18, 60, 2), range(10, 40, 5), range(240, 251)])].map(([min, width, code]) => [
    { field: 0, min: min as number, max: (min as number) + (width as number) },
    { field: 4, min: code as number, max: code as number },
  ]);

describe('the requirement hash on the ledger does not give the criteria away (issue 10, item 6)', () => {
  it('without the nonce a search over 1,848 guesses finds nothing; with it the same search recovers the criteria', () => {
    const nonce = randomFieldElement({ random: seededRandom('zk-privacy-nu') });
    const requirement: Requirement = { criteria: CRITERIA, nonce };
    const ledger = requirementHash(SHAPE, requirement);
    // The ledger shows the hash, never nu: the attacker can only pick a nonce (here 1).
    const blind = dictionarySearch(criteriaGuesses(), (criteria) => requirementHash(SHAPE, { criteria, nonce: 1n }), ledger);
    expect(blind.tried).toBe(22 * 7 * 12);
    expect(blind.found).toBeUndefined();
    // A patient who was handed nu with the criteria can check them (and so could any holder of nu).
    const informed = dictionarySearch(criteriaGuesses(), (criteria) => requirementHash(SHAPE, { criteria, nonce }), ledger);
    expect(informed.found).toEqual(CRITERIA);
  });

  it('two requirements with the same criteria under fresh nonces have unrelated hashes', () => {
    const random = seededRandom('zk-privacy-two-nu');
    const a = requirementHash(SHAPE, { criteria: CRITERIA, nonce: randomFieldElement({ random }) });
    const b = requirementHash(SHAPE, { criteria: CRITERIA, nonce: randomFieldElement({ random }) });
    expect(a).not.toBe(b);
  });
});
