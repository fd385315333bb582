/**
 * medshare/zk outside the circuit: Poseidon (circomlib's), the commitment, the requirement
 * hash and the checks that give typed errors for inputs the circuit cannot take.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bindingHash,
  circuitInputs,
  circuitShape,
  commitRecord,
  commitRecordUnblinded,
  decodePublicSignals,
  FIELD_ORDER,
  identityToField,
  MalformedError,
  meetsRequirement,
  poseidon,
  poseidonChain,
  publicStatement,
  requirementHash,
  ZkInputError,
} from '../src/zk/index.js';
import { arbNonce, arbRecord, arbRequirement, MAX_VALUE, SHAPE } from './support/zk.js';

/** A fixed blinding rho for tests where its value does not matter. */
const RHO = 0x1234_5678_9abc_def0n;

describe('Poseidon (circomlib parameters)', () => {
  it('matches the circomlibjs reference vectors', () => {
    // circomlibjs test/poseidon.js: poseidon([1, 2]) and poseidon([1]).
    expect(poseidon([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
    expect(poseidon([1n])).toBe(18586133768512220936620570745912940619677854269274689475585506675881198879027n);
  });

  it('chains: 16 inputs first, then the state and up to 15 more per link', () => {
    const xs = Array.from({ length: 47 }, (_, i) => BigInt(i + 1));
    expect(poseidonChain(xs.slice(0, 1))).toBe(poseidon([1n]));
    expect(poseidonChain(xs.slice(0, 16))).toBe(poseidon(xs.slice(0, 16)));
    const s16 = poseidon(xs.slice(0, 16));
    expect(poseidonChain(xs.slice(0, 17))).toBe(poseidon([s16, 17n]));
    const s31 = poseidon([s16, ...xs.slice(16, 31)]);
    expect(poseidonChain(xs)).toBe(poseidon([poseidon([s31, ...xs.slice(31, 46)]), 47n]));
  });

  it('rejects 0 or more than 16 inputs', () => {
    expect(() => poseidon([])).toThrow(RangeError);
    expect(() => poseidon(new Array(17).fill(1n))).toThrow(RangeError);
    expect(() => poseidonChain([])).toThrow(RangeError);
  });
});

describe('circuit shape', () => {
  it('defaults to 16 bits and 16 criteria', () => {
    expect(circuitShape(100)).toEqual({ fields: 100, bits: 16, criteria: 16 });
  });
  it.each([
    [0, {}],
    [65537, {}],
    [10, { bits: 0 }],
    [10, { bits: 65 }],
    [10, { criteria: 0 }],
  ])('rejects fields=%s %o', (n, options) => {
    expect(() => circuitShape(n, options)).toThrow(RangeError);
  });
  it('rejects non-integers with TypeError', () => {
    expect(() => circuitShape(1.5)).toThrow(TypeError);
  });
});

describe('record and requirement checks (typed errors)', () => {
  const record = [1, 2, 3, 4, 5, 6, 7, 8];
  const cases: [string, unknown, string][] = [
    ['a short record', record.slice(1), 'record'],
    ['a long record', [...record, 9], 'record'],
    ['a value of 2^B', [MAX_VALUE + 1, ...record.slice(1)], 'record[0]'],
    ['a negative value', [0, -1, ...record.slice(2)], 'record[1]'],
    ['a fraction', [0, 0, 0.5, ...record.slice(3)], 'record[2]'],
    ['an unsafe number', [2 ** 60, ...record.slice(1)], 'record[0]'],
    ['a bigint past the width', [...record.slice(0, 7), 1n << 16n], 'record[7]'],
    ['a field element wrapped around', [FIELD_ORDER - 1n, ...record.slice(1)], 'record[0]'],
  ];
  it.each(cases)('commitRecord rejects %s', (_, bad, input) => {
    try {
      commitRecord(SHAPE, bad as number[], RHO);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ZkInputError);
      expect((error as ZkInputError).input).toBe(input);
    }
  });

  it('rejects values of the wrong type with TypeError', () => {
    expect(() => commitRecord(SHAPE, ['1', ...record.slice(1)] as unknown as number[], RHO)).toThrow(TypeError);
    expect(() => commitRecord(SHAPE, 'record' as unknown as number[], RHO)).toThrow(TypeError);
    expect(() => commitRecord(SHAPE, record, 5 as unknown as bigint)).toThrow(TypeError);
  });

  const requirements: [string, unknown, string][] = [
    ['too many criteria', { criteria: [0, 1, 2, 3, 4].map((field) => ({ field, min: 0, max: 1 })) }, 'requirement.criteria'],
    [
      'a field twice',
      {
        criteria: [
          { field: 2, min: 0, max: 1 },
          { field: 2, min: 3, max: 4 },
        ],
      },
      'requirement.criteria[1].field',
    ],
    ['a field past the record', { criteria: [{ field: 8, min: 0, max: 1 }] }, 'requirement.criteria[0].field'],
    ['min above max', { criteria: [{ field: 0, min: 5, max: 4 }] }, 'requirement.criteria[0]'],
    ['a bound of 2^B', { criteria: [{ field: 0, min: 0, max: MAX_VALUE + 1 }] }, 'requirement.criteria[0].max'],
    ['a negative bound', { criteria: [{ field: 0, min: -1, max: 4 }] }, 'requirement.criteria[0].min'],
  ];
  it.each(requirements)('requirementHash rejects %s', (_, bad, input) => {
    try {
      requirementHash(SHAPE, bad as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ZkInputError);
      expect((error as ZkInputError).input).toBe(input);
    }
  });

  it('commitRecord refuses a blinding of 0 (not hiding) or outside Fr; the unblinded form is its own function', () => {
    for (const bad of [0n, -1n, FIELD_ORDER]) {
      try {
        commitRecord(SHAPE, record, bad);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ZkInputError);
        expect((error as ZkInputError).input).toBe('blinding');
      }
    }
    expect(commitRecordUnblinded(SHAPE, record)).toBe(
      publicStatement(SHAPE, { record, blinding: 0n, requirement: { criteria: [], nonce: 1n }, patientId: 1n, timestamp: 1n })
        .commitment,
    );
  });

  it('requirementHash and circuitInputs refuse a requirement nonce of 0 (open to guessing), outside Fr or missing', () => {
    const criteria = [{ field: 0, min: 1, max: 2 }];
    for (const bad of [0n, -1n, FIELD_ORDER]) {
      try {
        requirementHash(SHAPE, { criteria, nonce: bad });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ZkInputError);
        expect((error as ZkInputError).input).toBe('requirement.nonce');
      }
      const inputs = { record, blinding: RHO, requirement: { criteria, nonce: bad }, salt: 1n, patientId: 2n, timestamp: 3n };
      expect(() => circuitInputs(SHAPE, inputs)).toThrow(ZkInputError);
    }
    expect(() => requirementHash(SHAPE, { criteria } as never)).toThrow(TypeError);
    expect(() => requirementHash(SHAPE, { criteria, nonce: 5 } as never)).toThrow(TypeError);
  });

  it('property: the requirement hash changes with the nonce (same criteria)', () => {
    fc.assert(
      fc.property(arbRequirement, arbNonce, (req, nonce) => {
        fc.pre(nonce !== req.nonce);
        expect(requirementHash(SHAPE, { ...req, nonce })).not.toBe(requirementHash(SHAPE, req));
      }),
      { numRuns: 30 },
    );
  });

  it('circuitInputs rejects a blinding, salt, ID or timestamp outside Fr', () => {
    const base = { record, blinding: RHO, requirement: { criteria: [], nonce: 1n }, salt: 1n, patientId: 2n, timestamp: 3n };
    expect(() => circuitInputs(SHAPE, { ...base, blinding: FIELD_ORDER })).toThrow(ZkInputError);
    expect(() => circuitInputs(SHAPE, { ...base, blinding: 1 as unknown as bigint })).toThrow(TypeError);
    expect(() => circuitInputs(SHAPE, { ...base, salt: FIELD_ORDER })).toThrow(ZkInputError);
    expect(() => circuitInputs(SHAPE, { ...base, patientId: -1n })).toThrow(ZkInputError);
    expect(() => circuitInputs(SHAPE, { ...base, timestamp: 3 as unknown as bigint })).toThrow(TypeError);
  });
});

describe('statement properties', () => {
  it('property: the commitment separates records (no collision among random pairs)', () => {
    fc.assert(
      fc.property(arbRecord, arbRecord, (a, b) => {
        fc.pre(a.some((v, i) => v !== b[i]));
        expect(commitRecord(SHAPE, a, RHO)).not.toBe(commitRecord(SHAPE, b, RHO));
      }),
      { numRuns: 50 },
    );
  });

  it('property: the commitment depends on the shape (same values, other bit width)', () => {
    const record = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(commitRecord(SHAPE, record, RHO)).not.toBe(commitRecord(circuitShape(8, { bits: 17, criteria: 4 }), record, RHO));
  });

  it('property: the requirement hash changes when any bound moves by one', () => {
    fc.assert(
      fc.property(arbRequirement, fc.nat(), fc.boolean(), (req, pick, moveMin) => {
        fc.pre(req.criteria.length > 0);
        const k = pick % req.criteria.length;
        const c = req.criteria[k] as (typeof req.criteria)[number];
        const moved = moveMin
          ? { ...c, min: Number(c.min) > 0 ? Number(c.min) - 1 : Number(c.min) + 1, max: Math.max(Number(c.max), 1) }
          : {
              ...c,
              max: Number(c.max) < MAX_VALUE ? Number(c.max) + 1 : Number(c.max) - 1,
              min: Math.min(Number(c.min), MAX_VALUE - 1),
            };
        fc.pre(moved.min !== c.min || moved.max !== c.max);
        const other = { criteria: req.criteria.map((x, i) => (i === k ? moved : x)), nonce: req.nonce };
        expect(requirementHash(SHAPE, other)).not.toBe(requirementHash(SHAPE, req));
      }),
      { numRuns: 50 },
    );
  });

  it('property: meetsRequirement is the conjunction of inclusive ranges', () => {
    fc.assert(
      fc.property(arbRecord, arbRequirement, (record, req) => {
        const expected = req.criteria.every(
          (c) => Number(c.min) <= (record[c.field] as number) && (record[c.field] as number) <= Number(c.max),
        );
        expect(meetsRequirement(SHAPE, record, req)).toBe(expected);
      }),
    );
  });

  it('bindingHash is Poseidon(commitment, ID_p, T, r)', () => {
    expect(bindingHash(1n, 2n, 3n, 4n)).toBe(poseidon([1n, 2n, 3n, 4n]));
  });

  it('identityToField lands in Fr and separates identities', () => {
    const a = identityToField('patient:alice');
    expect(a < FIELD_ORDER).toBe(true);
    expect(a).not.toBe(identityToField('patient:bob'));
  });

  it('decodePublicSignals reads [R, h, commitment, requirementHash, ID_p, T]', () => {
    expect(decodePublicSignals(['1', '2', '3', '4', '5', '6'])).toEqual({
      eligible: true,
      binding: 2n,
      commitment: 3n,
      requirementHash: 4n,
      patientId: 5n,
      timestamp: 6n,
    });
    expect(() => decodePublicSignals(['1', '2'])).toThrow(TypeError);
    expect(() => decodePublicSignals(['1', '2', '3', '4', '5', '-6'])).toThrow(MalformedError);
    expect(() => decodePublicSignals(['1', '2', '3', '4', '5', '06'])).toThrow(MalformedError);
    expect(() => decodePublicSignals(['2', '2', '3', '4', '5', '6'])).toThrow(MalformedError);
    expect(() => decodePublicSignals(['1', '2', '3', '4', '5', FIELD_ORDER.toString()])).toThrow(MalformedError);
  });
});
