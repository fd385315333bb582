// Errors a program can branch on: every error medshare throws on purpose has a stable `code` and
// is an instance of MedshareError, while keeping the built-in class (TypeError / RangeError) that
// noble-style callers already test for.
import { describe, expect, it } from 'vitest';
import {
  ArgumentTypeError,
  ArgumentValueError,
  DecryptionError,
  EncodingError,
  isMedshareError,
  MedshareError,
  ProofError,
} from 'medshare';
import { ga07 } from 'medshare/pre';
import { authVerify, decodeParams } from 'medshare/sign';
import { LedgerCorruptionError } from 'medshare/ledger/file';
import { ClientBusyError } from 'medshare/pbft';
import { ProtocolError } from 'medshare/protocol';
import { MalformedError, ZkInputError } from 'medshare/zk';
import { counterModeRandom } from '../src/internal/random.js';
import { thrown } from './support/thrown.js';

describe('error classes', () => {
  const cases: [string, Error, string, ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor][] = [
    ['ArgumentTypeError', new ArgumentTypeError('key', 'Uint8Array', 5), 'ERR_ARGUMENT_TYPE', TypeError],
    ['ArgumentValueError', new ArgumentValueError('threshold', 'too big'), 'ERR_ARGUMENT_VALUE', RangeError],
    ['EncodingError', new EncodingError('ga07 ciphertext', 'C2', 'not in GT'), 'ERR_ENCODING', RangeError],
    ['DecryptionError', new DecryptionError(), 'ERR_DECRYPTION', Error],
    ['ProofError', new ProofError('bad', 2), 'ERR_PROOF', Error],
    ['ProtocolError', new ProtocolError('recordMismatch', 'swapped'), 'ERR_PROTOCOL', Error],
    ['LedgerCorruptionError', new LedgerCorruptionError(12, 'checksum'), 'ERR_LEDGER_CORRUPT', Error],
    ['ClientBusyError', new ClientBusyError(3), 'ERR_CLIENT_BUSY', Error],
    ['ZkInputError', new ZkInputError('record[1]', 'too large'), 'ERR_ARGUMENT_VALUE', RangeError],
    ['MalformedError', new MalformedError('proof', 'bad length'), 'ERR_ENCODING', RangeError],
  ];
  for (const [name, error, code, builtin] of cases) {
    it(`${name}: code ${code}, name ${name}, instanceof MedshareError and ${builtin.name}`, () => {
      expect((error as MedshareError).code).toBe(code);
      expect(error.name).toBe(name);
      expect(error).toBeInstanceOf(MedshareError);
      expect(error).toBeInstanceOf(builtin);
      expect(isMedshareError(error)).toBe(true);
      expect(error.stack).toContain(name);
    });
  }

  it('instanceof a subclass stays exact: a DecryptionError is not a ProofError, an EncodingError not an ArgumentValueError', () => {
    expect(new DecryptionError()).not.toBeInstanceOf(ProofError);
    expect(new EncodingError('x', 'y', 'z')).not.toBeInstanceOf(ArgumentValueError);
    expect(new ArgumentValueError('x', 'y')).not.toBeInstanceOf(EncodingError);
    expect(new MalformedError('proof', 'x')).toBeInstanceOf(EncodingError);
  });

  it('errors that are not medshare errors are not MedshareError', () => {
    for (const e of [new Error('x'), new RangeError('x'), new TypeError('x'), { code: 'ERR_ENCODING' }, null, 'ERR_PROOF']) {
      expect(e instanceof MedshareError).toBe(false);
      expect(isMedshareError(e)).toBe(false);
    }
  });

  it('structured fields: argument, object and field, share, reason, offset, timestamp', () => {
    expect(new ArgumentTypeError('params', 'object', null)).toMatchObject({ argument: 'params' });
    expect(new ArgumentTypeError('params', 'object', null).message).toBe('params: expected object, got null');
    expect(new ArgumentTypeError('params', 'object').message).toBe('params: expected object');
    expect(new EncodingError('ga07 ciphertext', 'C2', 'not in GT')).toMatchObject({ object: 'ga07 ciphertext', field: 'C2' });
    expect(new ProofError('bad', 2).share).toBe(2);
    expect(new ProtocolError('recordMismatch', 'x').reason).toBe('recordMismatch');
    expect(new LedgerCorruptionError(12, 'x').offset).toBe(12);
    expect(new ClientBusyError(3).timestamp).toBe(3);
  });
});

describe('what the public API throws carries its code', () => {
  const random = counterModeRandom(new TextEncoder().encode('errors test'));
  const { params, masterKey } = ga07.setup({ random });
  const alice = ga07.keyGen(params, masterKey, 'patient:alice', { random });
  const bob = ga07.keyGen(params, masterKey, 'patient:bob', { random });

  it('a wrong kind of argument: ERR_ARGUMENT_TYPE naming the argument', () => {
    const e = thrown(() => ga07.encrypt(params, 'patient:alice', 'not bytes' as unknown as Uint8Array));
    expect(e).toMatchObject({ code: 'ERR_ARGUMENT_TYPE' });
    expect(e).toBeInstanceOf(TypeError);
  });

  it('a bad identity: ERR_ARGUMENT_VALUE naming it', () => {
    const e = thrown(() => ga07.keyGen(params, masterKey, ''));
    expect(e).toMatchObject({ code: 'ERR_ARGUMENT_VALUE', argument: 'identity' });
  });

  it('undecodable bytes: ERR_ENCODING naming the object and the field', () => {
    const bytes = ga07.encodeCiphertext(ga07.encrypt(params, 'patient:alice', new Uint8Array(3), { random }));
    const e = thrown(() => ga07.decodeCiphertext(bytes.subarray(0, 40)));
    expect(e).toMatchObject({ code: 'ERR_ENCODING', object: 'ga07 ciphertext', field: 'C1' });
  });

  it('a ciphertext that does not open: ERR_DECRYPTION', () => {
    const ct = ga07.encrypt(params, 'patient:alice', new Uint8Array(3), { random });
    expect(ga07.decrypt(params, alice, ct)).toEqual(new Uint8Array(3));
    expect(thrown(() => ga07.decrypt(params, bob, ct))).toMatchObject({ code: 'ERR_DECRYPTION' });
  });

  it('sign: malformed parameters are ERR_ENCODING; a malformed signature makes authVerify return false, not throw', () => {
    expect(thrown(() => decodeParams(new Uint8Array(5)))).toMatchObject({ code: 'ERR_ENCODING', object: 'authSign params' });
    expect(authVerify({ scheme: 'authSign', mpk: params.mpk }, 'patient:alice', new Uint8Array(1), new Uint8Array(5))).toBe(
      false,
    );
  });
});
