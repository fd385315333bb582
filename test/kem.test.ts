/**
 * KEM + AEAD (src/pre/kem.ts, docs/schemes.md section 3): the sealed record opens only under the
 * same encapsulated GT element, the same scheme name and the same capsule binding.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gtPow, gtToBytes, randomScalar, Z } from '../src/internal/bls.js';
import { DecryptionError } from '../src/internal/errors.js';
import { open, seal, TAG_BYTES } from '../src/pre/kem.js';
import { seededRandom } from '../src/testing/random.js';

describe('KEM + AEAD', () => {
  const random = seededRandom('kem');
  // The KEM takes the 576-byte encoding of the GT element (the same under every backend).
  const m = gtToBytes(gtPow(Z(), randomScalar(random)));
  const other = gtToBytes(gtPow(Z(), randomScalar(random)));

  it('open(seal(m, binding, record)) = record, and the sealed length is the record length plus the tag', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000, size: 'max' }), fc.uint8Array({ maxLength: 100 }), (record, binding) => {
        const sealed = seal('test', m, binding, record);
        expect(sealed.length).toBe(record.length + TAG_BYTES);
        expect(open('test', m, binding, sealed)).toEqual(record);
      }),
      { numRuns: 30 },
    );
  });

  it('another GT element, another scheme name, another binding or a short payload makes open throw DecryptionError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 1, maxLength: 100 }), (record, binding) => {
        const sealed = seal('test', m, binding, record);
        const otherBinding = binding.slice();
        otherBinding[0] = (otherBinding[0] as number) ^ 1;
        expect(() => open('test', other, binding, sealed)).toThrow(DecryptionError);
        expect(() => open('other', m, binding, sealed)).toThrow(DecryptionError);
        expect(() => open('test', m, otherBinding, sealed)).toThrow(DecryptionError);
        expect(() => open('test', m, binding, sealed.subarray(0, TAG_BYTES - 1))).toThrow(DecryptionError);
      }),
      { numRuns: 30 },
    );
  });

  it('sealing is deterministic in m (the key and nonce come from m alone), so each m must be fresh', () => {
    const record = new Uint8Array([1, 2, 3]);
    expect(seal('test', m, new Uint8Array(0), record)).toEqual(seal('test', m, new Uint8Array(0), record));
    expect(seal('test', m, new Uint8Array(0), record)).not.toEqual(seal('test', other, new Uint8Array(0), record));
  });
});
