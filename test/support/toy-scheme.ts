/**
 * A toy IB-PRE scheme behind the public `PreScheme` interface, for testing the laws of
 * medshare/testing themselves (NOT a secure scheme: its params carry the master secret, so anyone
 * can derive every key). Hash-based: SK_ID = SHA-256(master || ID); a ciphertext wraps a fresh
 * data key under SHA-256(SK_ID || nonce) and seals the record with a SHA-256 keystream; ReEncrypt
 * rewraps the data key for the delegatee (multi-hop).
 *
 * `authenticated: false` is the deliberate bug: no MAC over the ciphertext, so an altered nonce,
 * wrapped key or sealed record decrypts to garbage instead of throwing DecryptionError.
 *
 * Encodings: a 4-byte header ('T', 'O', 'Y', kind), then fields (string = u16 length + UTF-8).
 * ciphertext: header, recipient, nonce (16), wrapped key (32), sealed (the rest).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ArgumentTypeError, DecryptionError, EncodingError } from '../../src/internal/errors.js';
import type { RandomOptions } from '../../src/internal/random.js';
import type { Ciphertext, PreScheme } from '../../src/pre/types.js';

export interface ToyParams {
  readonly scheme: 'toy';
  readonly master: Uint8Array;
}
export interface ToySecretKey {
  readonly scheme: 'toy';
  readonly identity: string;
  readonly key: Uint8Array;
}
export interface ToyReKey {
  readonly scheme: 'toy';
  readonly delegator: string;
  readonly delegatee: string;
  readonly from: Uint8Array;
  readonly to: Uint8Array;
}
export interface ToyCapsule {
  readonly nonce: Uint8Array;
  readonly wrapped: Uint8Array;
}
export type ToyScheme = PreScheme<ToyParams, ToyParams, ToySecretKey, ToyReKey, ToyCapsule>;

const utf8 = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const xor = (a: Uint8Array, b: Uint8Array) => a.map((x, i) => x ^ (b[i] as number));
const keyOf = (master: Uint8Array, id: string) => sha256(concat(master, utf8.encode(id)));
const wrapKey = (key: Uint8Array, nonce: Uint8Array) => sha256(concat(key, nonce, utf8.encode('wrap')));
function keystream(dataKey: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let block = 0; block * 32 < length; block++) {
    const counter = Uint8Array.of(block >>> 24, (block >>> 16) & 0xff, (block >>> 8) & 0xff, block & 0xff);
    out.set(sha256(concat(dataKey, counter)).subarray(0, Math.min(32, length - block * 32)), block * 32);
  }
  return out;
}
const random = (options: RandomOptions | undefined, n: number) => {
  if (options?.random === undefined) throw new Error('the toy scheme takes its randomness from options.random');
  return options.random(n);
};

const KIND = { params: 1, masterKey: 2, secretKey: 3, reKey: 4, ciphertext: 5 } as const;
const header = (kind: number) => Uint8Array.of(0x54, 0x4f, 0x59, kind);
const str = (s: string) => {
  const b = utf8.encode(s);
  return concat(Uint8Array.of(b.length >>> 8, b.length & 0xff), b);
};

/** A reader over untrusted bytes: every problem is an EncodingError (a RangeError). */
class Reader {
  private at = 4;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly object: string,
    kind: number,
  ) {
    if (!(bytes instanceof Uint8Array)) throw new ArgumentTypeError(object, 'Uint8Array', bytes);
    const h = header(kind);
    if (bytes.length < 4 || h.some((b, i) => bytes[i] !== b)) throw new EncodingError(object, 'header', 'not a toy header');
  }
  take(n: number, field: string): Uint8Array {
    if (this.at + n > this.bytes.length) throw new EncodingError(this.object, field, 'truncated');
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  string(field: string): string {
    const [hi, lo] = this.take(2, field);
    try {
      return strict.decode(this.take(((hi as number) << 8) | (lo as number), field));
    } catch (e) {
      if (e instanceof RangeError) throw e;
      throw new EncodingError(this.object, field, 'not UTF-8');
    }
  }
  rest(): Uint8Array {
    return this.take(this.bytes.length - this.at, 'rest');
  }
  end(): void {
    if (this.at !== this.bytes.length) throw new EncodingError(this.object, '', 'trailing bytes');
  }
}

/** The toy scheme; `authenticated: false` leaves out the MAC (the deliberate bug). */
export function toyScheme({ authenticated }: { authenticated: boolean }): ToyScheme {
  const TAG = authenticated ? 32 : 0;
  const name = authenticated ? 'toy' : 'toy-unauthenticated';
  const seal = (dataKey: Uint8Array, nonce: Uint8Array, record: Uint8Array) => {
    const body = xor(record, keystream(dataKey, record.length));
    return authenticated ? concat(body, hmac(sha256, dataKey, concat(nonce, body))) : body;
  };
  const open = (dataKey: Uint8Array, nonce: Uint8Array, sealed: Uint8Array) => {
    if (sealed.length < TAG) throw new DecryptionError();
    const body = sealed.subarray(0, sealed.length - TAG);
    if (authenticated) {
      const tag = hmac(sha256, dataKey, concat(nonce, body));
      if (tag.some((b, i) => b !== sealed[body.length + i])) throw new DecryptionError();
    }
    return xor(body, keystream(dataKey, body.length));
  };
  const params = (bytes: Uint8Array, object: string, kind: number): ToyParams => {
    const r = new Reader(bytes, object, kind);
    const master = r.take(32, 'master');
    r.end();
    return { scheme: 'toy', master };
  };
  return {
    name,
    setup: (options) => {
      const p: ToyParams = { scheme: 'toy', master: random(options, 32) };
      return { params: p, masterKey: p };
    },
    keyGen: (_params, masterKey, identity) => ({ scheme: 'toy', identity, key: keyOf(masterKey.master, identity) }),
    encrypt: (p, identity, record, options) => {
      const nonce = random(options, 16);
      const dataKey = random(options, 32);
      const wrapped = xor(dataKey, wrapKey(keyOf(p.master, identity), nonce));
      return { scheme: name, recipient: identity, capsule: { nonce, wrapped }, sealed: seal(dataKey, nonce, record) };
    },
    reKeyGen: (p, sk, delegatee) => ({
      scheme: 'toy',
      delegator: sk.identity,
      delegatee,
      from: sk.key,
      to: keyOf(p.master, delegatee),
    }),
    reEncrypt: (_p, rk, ct) => {
      if (ct.recipient !== rk.delegator) throw new ArgumentTypeError('ciphertext', `a ciphertext for ${rk.delegator}`);
      const { nonce, wrapped } = ct.capsule;
      const dataKey = xor(wrapped, wrapKey(rk.from, nonce));
      return { ...ct, recipient: rk.delegatee, capsule: { nonce, wrapped: xor(dataKey, wrapKey(rk.to, nonce)) } };
    },
    decrypt: (_p, sk, ct) => {
      if (ct.recipient !== sk.identity) throw new DecryptionError();
      const { nonce, wrapped } = ct.capsule;
      return open(xor(wrapped, wrapKey(sk.key, nonce)), nonce, ct.sealed);
    },
    encodeParams: (p) => concat(header(KIND.params), p.master),
    decodeParams: (bytes) => params(bytes, 'toy params', KIND.params),
    encodeMasterKey: (m) => concat(header(KIND.masterKey), m.master),
    decodeMasterKey: (bytes) => params(bytes, 'toy master key', KIND.masterKey),
    encodeSecretKey: (sk) => concat(header(KIND.secretKey), str(sk.identity), sk.key),
    decodeSecretKey: (bytes) => {
      const r = new Reader(bytes, 'toy secret key', KIND.secretKey);
      const identity = r.string('identity');
      const key = r.take(32, 'key');
      r.end();
      return { scheme: 'toy', identity, key };
    },
    encodeReKey: (rk) => concat(header(KIND.reKey), str(rk.delegator), str(rk.delegatee), rk.from, rk.to),
    decodeReKey: (bytes) => {
      const r = new Reader(bytes, 'toy re-encryption key', KIND.reKey);
      const delegator = r.string('delegator');
      const delegatee = r.string('delegatee');
      const from = r.take(32, 'from');
      const to = r.take(32, 'to');
      r.end();
      return { scheme: 'toy', delegator, delegatee, from, to };
    },
    encodeCiphertext: (ct) => concat(header(KIND.ciphertext), str(ct.recipient), ct.capsule.nonce, ct.capsule.wrapped, ct.sealed),
    decodeCiphertext: (bytes): Ciphertext<ToyCapsule> => {
      const r = new Reader(bytes, 'toy ciphertext', KIND.ciphertext);
      const recipient = r.string('recipient');
      const nonce = r.take(16, 'nonce');
      const wrapped = r.take(32, 'wrapped');
      return { scheme: name, recipient, capsule: { nonce, wrapped }, sealed: r.rest() };
    },
  };
}

/** Where the nonce starts in the encoding of a toy ciphertext for `recipient`, in bits. */
export const nonceBit = (recipient: string): number => 8 * (4 + 2 + utf8.encode(recipient).length);
