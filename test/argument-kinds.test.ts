/**
 * Wrong-kind arguments (issue 10, break 5). Plain-JavaScript callers can pass anything anywhere;
 * every public function of medshare/pre and medshare/sign must then throw ArgumentTypeError
 * naming the argument, before any arithmetic - never an error from inside @noble/curves.
 *
 * Exhaustive rather than sampled: every function, every argument position, every value of the
 * pool below that is not of the kind the position expects (all ga07 objects share scheme 'ga07',
 * so their fields must tell them apart), plus null, undefined, numbers, strings, bigints, arrays,
 * functions and empty objects - and, under each backend, every object of the other backend
 * (its group elements are of another kind).
 */
import { describe, expect, it } from 'vitest';
import { ArgumentTypeError } from '../src/internal/errors.js';
import { type Kit, KITS, MCL, NOBLE } from './support/backends.js';
import { ALICE, BOB } from './support/ga07-fixture.js';
import { makePreSignObjects } from './support/pre-sign-objects.js';

for (const K of KITS) {
  const { ga07, ga07Verifiable: v, huang2020, ga07VerifySecretKey: verifySecretKey } = K;
  const sign = K.authSign;

  const o = makePreSignObjects('argument-kinds', K);
  const { random, record } = o;
  const { params, masterKey, alice, bob, ct, rk, shared, commitment, partial } = o.ga07;
  const keyShare = o.ga07.share;
  const { alice: hSk, rk: hRk, ct: hCt } = o.huang2020;
  const h = o.huang2020;
  const s = o.sign;
  const { signingKey, signature } = o.sign;

  /** Every value in the pool, with the kinds it is. */
  const pool: [string, unknown][] = [
    ['ga07 params', params],
    ['ga07 master key', masterKey],
    ['ga07 secret key', alice],
    ['ga07 re-key', rk],
    ['ga07 original ciphertext', ct],
    ['ga07 re-encrypted ciphertext', shared],
    ['ga07 key share', keyShare],
    ['ga07 commitment', commitment],
    ['ga07 partial', partial],
    ['huang2020 params', h.params],
    ['huang2020 master key', h.masterKey],
    ['huang2020 secret key', hSk],
    ['huang2020 re-key', hRk],
    ['huang2020 ciphertext', hCt],
    ['authSign params', s.params],
    ['authSign master key', s.masterKey],
    ['authSign signing key', signingKey],
    ['bytes', record],
    ['string', 'patient:x'],
    ['partials', [partial]],
    ['undefined', undefined],
    ['null', null],
    ['number', 42],
    ['NaN', Number.NaN],
    ['bigint', 5n],
    ['boolean', true],
    ['array', [1, 2]],
    ['function', () => 1],
    ['empty object', {}],
    ['ga07-labelled empty object', { scheme: 'ga07' }],
    ['ArrayBuffer', new ArrayBuffer(4)],
    // The same objects made by the other backend: elements of another backend never mix.
    ...otherBackendPool(K),
  ];

  type Position = { name: string; accepts: readonly string[]; value: unknown };
  const at = (name: string, value: unknown, ...accepts: string[]): Position => ({ name, accepts, value });
  const p = {
    params: at('params', params, 'ga07 params'),
    masterKey: at('masterKey', masterKey, 'ga07 master key'),
    secretKey: at('secretKey', alice, 'ga07 secret key'),
    identity: at('identity', BOB, 'string'),
    delegatee: at('delegatee', BOB, 'string'),
    record: at('record', record, 'bytes'),
    reKey: at('reKey', rk, 'ga07 re-key'),
    original: (name: string) => at(name, ct, 'ga07 original ciphertext'),
    anyCiphertext: at('ciphertext', shared, 'ga07 original ciphertext', 'ga07 re-encrypted ciphertext'),
    keyShare: at('keyShare', keyShare, 'ga07 key share'),
    commitment: at('commitment', commitment, 'ga07 commitment'),
    partial: at('partial', partial, 'ga07 partial'),
    partials: at('partials', [partial], 'partials'),
  };
  const hp = {
    params: at('params', h.params, 'huang2020 params'),
    masterKey: at('masterKey', h.masterKey, 'huang2020 master key'),
    secretKey: at('secretKey', hSk, 'huang2020 secret key'),
    reKey: at('reKey', hRk, 'huang2020 re-key'),
    ciphertext: at('ciphertext', hCt, 'huang2020 ciphertext'),
  };
  const sp = {
    params: at('params', s.params, 'authSign params'),
    masterKey: at('masterKey', s.masterKey, 'authSign master key'),
    signingKey: at('signingKey', signingKey, 'authSign signing key'),
  };

  const functions: [string, (...args: never[]) => unknown, Position[]][] = [
    ['ga07.keyGen', ga07.keyGen, [p.params, p.masterKey, p.identity]],
    ['ga07.encrypt', ga07.encrypt, [p.params, p.identity, p.record]],
    ['ga07.reKeyGen', ga07.reKeyGen, [p.params, p.secretKey, p.delegatee]],
    ['ga07.reEncrypt', ga07.reEncrypt, [p.params, p.reKey, p.original('ciphertext')]],
    ['ga07.decrypt', ga07.decrypt, [p.params, at('secretKey', bob, 'ga07 secret key'), p.anyCiphertext]],
    ['ga07VerifySecretKey', verifySecretKey, [p.params, p.secretKey]],
    ['ga07.encodeParams', ga07.encodeParams, [p.params]],
    ['ga07.encodeMasterKey', ga07.encodeMasterKey, [p.masterKey]],
    ['ga07.encodeSecretKey', ga07.encodeSecretKey, [p.secretKey]],
    ['ga07.encodeReKey', ga07.encodeReKey, [p.reKey]],
    ['ga07.encodeCiphertext', ga07.encodeCiphertext, [p.anyCiphertext]],
    ['reKeyGenShares', v.reKeyGenShares, [p.params, p.secretKey, p.delegatee]],
    ['reEncryptShare', v.reEncryptShare, [p.params, p.keyShare, p.original('ciphertext')]],
    ['verifyReEncryptionShare', v.verifyReEncryptionShare, [p.params, p.commitment, p.original('original'), p.partial]],
    ['combineReEncryptionShares', v.combineReEncryptionShares, [p.params, p.commitment, p.original('original'), p.partials]],
    ['verifyReKeyCommitment', v.verifyReKeyCommitment, [p.params, at('secretKey', bob, 'ga07 secret key'), p.commitment]],
    ['encodeReKeyShare', v.encodeReKeyShare, [p.keyShare]],
    ['encodeReKeyCommitment', v.encodeReKeyCommitment, [p.commitment]],
    ['encodeReEncryptionShare', v.encodeReEncryptionShare, [p.partial]],
    ['huang2020.keyGen', huang2020.keyGen, [hp.params, hp.masterKey, p.identity]],
    ['huang2020.encrypt', huang2020.encrypt, [hp.params, p.identity, p.record]],
    ['huang2020.reKeyGen', huang2020.reKeyGen, [hp.params, hp.secretKey, p.delegatee]],
    ['huang2020.reEncrypt', huang2020.reEncrypt, [hp.params, hp.reKey, hp.ciphertext]],
    ['huang2020.decrypt', huang2020.decrypt, [hp.params, hp.secretKey, hp.ciphertext]],
    ['huang2020.encodeParams', huang2020.encodeParams, [hp.params]],
    ['huang2020.encodeMasterKey', huang2020.encodeMasterKey, [hp.masterKey]],
    ['huang2020.encodeSecretKey', huang2020.encodeSecretKey, [hp.secretKey]],
    ['huang2020.encodeReKey', huang2020.encodeReKey, [hp.reKey]],
    ['huang2020.encodeCiphertext', huang2020.encodeCiphertext, [hp.ciphertext]],
    ['sign.keyGen', sign.keyGen, [sp.params, sp.masterKey, p.identity]],
    ['authSign', sign.authSign, [sp.signingKey, at('message', record, 'bytes')]],
    ['authVerify', sign.authVerify, [sp.params, p.identity, at('message', record, 'bytes'), at('signature', signature, 'bytes')]],
    ['sign.encodeParams', sign.encodeParams, [sp.params]],
    ['sign.encodeMasterKey', sign.encodeMasterKey, [sp.masterKey]],
    ['sign.encodeSigningKey', sign.encodeSigningKey, [sp.signingKey]],
  ];

  describe(`${K.label} wrong-kind arguments are refused with ArgumentTypeError naming the argument`, () => {
    for (const [name, fn, positions] of functions) {
      it(`${name}: every argument position, every value of another kind`, () => {
        let refused = 0;
        positions.forEach((position, i) => {
          for (const [kind, value] of pool) {
            if (position.accepts.includes(kind)) continue;
            const args = positions.map((q) => q.value);
            args[i] = value;
            let thrown: unknown;
            try {
              fn(...(args as never[]));
            } catch (e) {
              thrown = e;
            }
            const label = `${name} argument ${i + 1} (${position.name}) = ${kind}`;
            expect(thrown, label).toBeInstanceOf(ArgumentTypeError);
            expect((thrown as ArgumentTypeError).code, label).toBe('ERR_ARGUMENT_TYPE');
            expect((thrown as ArgumentTypeError).argument.startsWith(position.name), `${label}: ${String(thrown)}`).toBe(true);
            refused++;
          }
        });
        expect(refused).toBeGreaterThan(positions.length * 20);
      });
    }

    it('the calls the issue reported with errors from inside noble now name the argument', () => {
      const cases: [() => unknown, RegExp][] = [
        [() => ga07.keyGen(params, params as never, ALICE), /^masterKey: expected a ga07 master key: its s must be a bigint/],
        [
          () => ga07.reEncrypt(params, alice as never, ct),
          /^reKey: expected a ga07 re-encryption key: its delegator must be a string/,
        ],
        [() => ga07.decrypt(params, rk as never, ct), /^secretKey: expected a ga07 secret key: its identity must be a string/],
        [() => ga07.reKeyGen(params, masterKey as never, BOB), /^secretKey: expected a ga07 secret key/],
      ];
      for (const [call, message] of cases) {
        expect(call).toThrow(ArgumentTypeError);
        expect(call).toThrow(message);
      }
    });

    it("re-encrypting Bob's ciphertext with Alice's re-key is refused at re-encryption (the ciphertext says whose it is)", () => {
      const bobs = ga07.encrypt(params, BOB, record, { random });
      expect(bobs.recipient).toBe(BOB);
      expect(() => ga07.reEncrypt(params, rk, bobs)).toThrow(RangeError);
      expect(() => v.reEncryptShare(params, keyShare, bobs)).toThrow(/ciphertext: is for another identity/);
      expect(v.verifyReEncryptionShare(params, commitment, bobs, partial)).toBe(false);
      const hBobs = huang2020.encrypt(h.params, BOB, record, { random });
      expect(() => huang2020.reEncrypt(h.params, hRk, hBobs)).toThrow(RangeError);
    });
  });
}

/**
 * Every pre/sign object made by the backend other than `kit`'s that holds group elements,
 * labelled as such. (Master keys hold only a scalar and work with every backend; messages and
 * signatures are bytes.)
 */
function otherBackendPool(kit: Kit): [string, unknown][] {
  const other = makePreSignObjects('argument-kinds', kit === NOBLE ? MCL : NOBLE);
  const label = `${kit === NOBLE ? MCL.name : NOBLE.name}-backend`;
  const entries = (scheme: string, objects: object) =>
    Object.entries(objects)
      .filter(([name]) => !['masterKey', 'message', 'signature'].includes(name))
      .map(([name, value]): [string, unknown] => [`${label} ${scheme} ${name}`, value]);
  return [...entries('ga07', other.ga07), ...entries('huang2020', other.huang2020), ...entries('authSign', other.sign)];
}
