/**
 * Untrusted input: whatever arrives from the network (replica messages, client requests, replies),
 * a replica or client never throws or hangs; it drops the input with a reason and its state does
 * not change. Mistakes by the caller (bad options, unknown input kinds) are typed errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchDigest,
  clientStep,
  createClient,
  createReplica,
  orderingDigest,
  type DropCode,
  prePrepareSignable,
  type ReplicaEffect,
  type ReplicaInput,
  step,
} from '../src/pbft/index.js';
import { Cluster, fingerprint } from './support/pbft-harness.js';

type Drop = Extract<ReplicaEffect, { type: 'drop' }>;

/** Every documented drop code (a missing or unknown one is a type error here). */
const DROP_CODES: Readonly<Record<DropCode, true>> = {
  malformed: true,
  unknownSender: true,
  senderMismatch: true,
  badSignature: true,
  badClientSignature: true,
  invalidCertificate: true,
  notPrimary: true,
  wrongView: true,
  outsideWatermarks: true,
  notCheckpoint: true,
  conflict: true,
  batchUnsorted: true,
  digestMismatch: true,
  badTime: true,
  tooFewViewChanges: true,
  newViewMismatch: true,
  alreadyExecuted: true,
  pendingFull: true,
  bufferFull: true,
  refusedBefore: true,
  rateLimited: true,
};
const isDropCode = (code: unknown): boolean => typeof code === 'string' && Object.hasOwn(DROP_CODES, code);

function expectDroppedUnchanged(cluster: Cluster, id: number, input: ReplicaInput): Drop[] {
  const before = fingerprint(cluster.state(id));
  const { state, effects } = step(cluster.state(id), input);
  expect(effects.every((e) => e.type === 'drop')).toBe(true);
  expect(fingerprint(state)).toBe(before);
  return effects.filter((e): e is Drop => e.type === 'drop');
}

const throwingGetter = Object.defineProperty({ type: 'prepare' }, 'view', {
  get() {
    throw new Error('boom');
  },
});
const throwingProxy = new Proxy(
  {},
  {
    get() {
      throw new Error('proxy trap');
    },
  },
);

describe('hostile messages from replicas are dropped with a reason', () => {
  const cluster = new Cluster(4);
  const request = cluster.request('alice', 1);
  const unsigned = { view: 0, seq: 1, digest: orderingDigest(0, batchDigest([request])), time: 0, replica: 0 };
  const valid = {
    type: 'prePrepare',
    ...unsigned,
    batch: [request],
    signature: cluster.keys.crypto(0).sign(prePrepareSignable(unsigned)),
  };
  const table: Array<[string, unknown]> = [
    ['null', null],
    ['a number', 7],
    ['a string', 'prePrepare'],
    ['an array', [valid]],
    ['an unknown type', { ...valid, type: 'mystery' }],
    ['a negative view', { ...valid, view: -1 }],
    ['a fractional seq', { ...valid, seq: 1.5 }],
    ['an unsafe integer', { ...valid, seq: 2 ** 60 }],
    ['NaN', { ...valid, view: Number.NaN }],
    ['a digest of 31 bytes', { ...valid, digest: new Uint8Array(31) }],
    ['a digest that is an array', { ...valid, digest: Array.from(valid.digest) }],
    ['a replica out of range', { ...valid, replica: 4 }],
    ['an empty signature', { ...valid, signature: new Uint8Array(0) }],
    ['a huge signature', { ...valid, signature: new Uint8Array(100_000) }],
    ['a batch that is not an array', { ...valid, batch: 'x' }],
    ['a batch over maxBatch', { ...valid, batch: new Array(1_000_000) }],
    ['a request without a client', { ...valid, batch: [{ ...request, client: '' }] }],
    ['an oversized operation', { ...valid, batch: [{ ...request, operation: new Uint8Array(70_000) }] }],
    ['a throwing getter', throwingGetter],
    ['a throwing proxy', throwingProxy],
    [
      'a view-change with a giant P',
      {
        type: 'viewChange',
        view: 1,
        stableSeq: 0,
        stableDigest: new Uint8Array(32),
        checkpointProof: [],
        prepared: new Array(10_000),
        replica: 1,
        signature: new Uint8Array(8),
      },
    ],
    [
      'a new-view with V not an array',
      { type: 'newView', view: 1, viewChanges: {}, prePrepares: [], replica: 1, signature: new Uint8Array(8) },
    ],
    [
      'a snapshot with unsorted clients',
      {
        type: 'stateTransfer',
        replica: 1,
        proof: [],
        snapshot: {
          seq: 4,
          chainHead: new Uint8Array(32),
          clients: [
            { client: 'b', timestamp: 1, result: new Uint8Array(0) },
            { client: 'a', timestamp: 1, result: new Uint8Array(0) },
          ],
        },
      },
    ],
    ['a status with a non-boolean flag', { type: 'status', replica: 1, view: 0, viewChanging: 1, lastExecuted: 0, stableSeq: 0 }],
  ];
  for (const [what, message] of table) {
    it(`${what}`, () => {
      const effects = expectDroppedUnchanged(cluster, 1, { type: 'message', from: 0, message });
      expect(effects.length).toBeGreaterThan(0);
      expect(effects[0]?.code).toBe('malformed');
      expect(typeof effects[0]?.reason).toBe('string');
    });
  }

  it('the valid message of the table is accepted (so the table tests what it claims)', () => {
    const { effects } = step(cluster.state(1), { type: 'message', from: 0, message: valid });
    expect(effects.some((e) => e.type === 'broadcast' && e.message.type === 'prepare')).toBe(true);
  });

  it('messages from unknown senders (or claiming to be from the receiver) are dropped', () => {
    for (const from of [-1, 4, 1.5, Number.NaN, 1]) {
      const effects = expectDroppedUnchanged(cluster, 1, { type: 'message', from, message: valid });
      expect(effects[0]?.code).toBe('unknownSender');
    }
  });

  it('property: any value from the network leaves a replica unchanged or is handled, never throws', () => {
    fc.assert(
      fc.property(
        fc.anything({ withTypedArray: true, withMap: true, withSet: true, withNullPrototype: true }),
        fc.integer({ min: 0, max: 3 }),
        (message, to) => {
          const from = (to + 1) % 4;
          const { effects } = step(cluster.state(to), { type: 'message', from, message });
          return effects.every((e) => e.type === 'drop' && isDropCode(e.code));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: a valid message with one field replaced by junk never throws', () => {
    const junk = fc.oneof(
      fc.anything(),
      fc.constant(-1),
      fc.constant(2 ** 53),
      fc.constant(new Uint8Array(5)),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.constantFrom('view', 'seq', 'digest', 'replica', 'signature', 'batch', 'type'), junk, (field, value) => {
        const message = { ...valid, [field]: value };
        const { effects } = step(cluster.state(2), { type: 'message', from: 0, message });
        return effects.every((e) => e.type !== 'drop' || isDropCode(e.code));
      }),
      { numRuns: 300 },
    );
  });

  it('a crypto function that throws counts as an invalid signature', () => {
    const replica = createReplica({
      id: 1,
      n: 4,
      crypto: {
        sign: () => new Uint8Array(8),
        verifyReplica: () => {
          throw new Error('hsm offline');
        },
        verifyClient: () => true,
      },
    });
    const { effects } = step(replica, { type: 'message', from: 0, message: valid });
    expect(effects).toEqual([{ type: 'drop', from: 0, code: 'badSignature', reason: 'pre-prepare: bad signature' }]);
  });
});

describe('hostile client input', () => {
  it('a malformed request is dropped with a reason', () => {
    const cluster = new Cluster(4);
    for (const request of [
      null,
      {},
      { type: 'request', client: 'alice', timestamp: -1, operation: new Uint8Array(1), signature: new Uint8Array(8) },
    ]) {
      const effects = expectDroppedUnchanged(cluster, 0, { type: 'request', request });
      expect(effects[0]).toMatchObject({ from: 'client', code: 'malformed' });
    }
    const forged = { ...cluster.request('alice', 1), signature: new Uint8Array(8) };
    expect(expectDroppedUnchanged(cluster, 0, { type: 'request', request: forged })[0]?.code).toBe('badClientSignature');
  });

  it('a client ignores malformed, foreign and duplicate replies', () => {
    const cluster = new Cluster(4);
    let client = createClient({ id: 'alice', n: 4, sign: cluster.keys.clientSigner('alice') });
    client = clientStep(client, { type: 'submit', operation: new Uint8Array([1]) }).state;
    const good = { type: 'reply', view: 0, timestamp: 1, client: 'alice', replica: 1, result: new Uint8Array(12) };
    for (const [from, reply, code] of [
      [1, null, 'malformed'],
      [1, { ...good, replica: 2 }, 'malformed'],
      [1, { ...good, client: 'bob' }, 'notOutstanding'],
      [1, { ...good, timestamp: 2 }, 'notOutstanding'],
      [9, { ...good, replica: 9 }, 'malformed'],
      [1, { ...good, result: 'x' }, 'malformed'],
    ] as const) {
      const out = clientStep(client, { type: 'reply', from, reply });
      expect(out.effects[0]).toMatchObject({ type: 'drop', code });
      expect(out.state).toBe(client);
    }
    client = clientStep(client, { type: 'reply', from: 1, reply: good }).state;
    expect(clientStep(client, { type: 'reply', from: 1, reply: good }).effects[0]).toMatchObject({
      type: 'drop',
      code: 'duplicate',
    });
  });
});

describe('a client takes a view only when f + 1 replies vouch for it (issue 11, item 4)', () => {
  const result = new Uint8Array(12).fill(1);
  const reply = (replica: number, view: number) => ({ type: 'reply', view, timestamp: 1, client: 'alice', replica, result });
  function submitted(n: number) {
    const client = createClient({ id: 'alice', n, sign: () => new Uint8Array(8) });
    return clientStep(client, { type: 'submit', operation: new Uint8Array([1]) }).state;
  }

  it('n = 4: a Byzantine reply with view 2^53 - 3 and an honest one in view 0 complete the request, the view stays 0', () => {
    let client = submitted(4);
    client = clientStep(client, { type: 'reply', from: 3, reply: reply(3, 2 ** 53 - 3) }).state;
    const done = clientStep(client, { type: 'reply', from: 1, reply: reply(1, 0) });
    expect(done.effects).toMatchObject([{ type: 'result', view: 0 }]);
    expect(done.state.view).toBe(0);
    // The next request goes to the primary of view 0, not to the attacker (2^53 - 3 mod 4 = 1).
    const next = clientStep(done.state, { type: 'submit', operation: new Uint8Array([2]) });
    expect(next.effects).toMatchObject([{ type: 'send', to: 0 }]);
  });

  it('n = 7: views 9, 9 and 5 from three replies give view 5 (f + 1 = 3 vouch for at least 5); f replies alone move nothing', () => {
    let client = submitted(7);
    client = clientStep(client, { type: 'reply', from: 1, reply: reply(1, 9) }).state;
    client = clientStep(client, { type: 'reply', from: 2, reply: reply(2, 9) }).state;
    const done = clientStep(client, { type: 'reply', from: 3, reply: reply(3, 5) });
    expect(done.state.view).toBe(5);
  });

  it('a view never goes back: replies from a lower view keep the client where it is', () => {
    let client = { ...submitted(4), view: 6 };
    client = clientStep(client, { type: 'reply', from: 1, reply: reply(1, 2) }).state;
    expect(clientStep(client, { type: 'reply', from: 2, reply: reply(2, 3) }).state.view).toBe(6);
  });
});

describe('caller mistakes are typed errors', () => {
  const crypto = { sign: () => new Uint8Array(1), verifyReplica: () => true, verifyClient: () => true };
  it('createReplica checks its options', () => {
    expect(() => createReplica({ id: 0, n: 3, crypto })).toThrow(RangeError);
    expect(() => createReplica({ id: 4, n: 4, crypto })).toThrow(RangeError);
    expect(() => createReplica({ id: 0, n: 4, crypto, checkpointInterval: 4, logWindow: 6 })).toThrow(RangeError);
    expect(() => createReplica({ id: 0, n: 4, crypto, maxBatch: 0 })).toThrow(RangeError);
    expect(() => createReplica({ id: 0, n: 4, crypto: {} as never })).toThrow(TypeError);
    expect(() => createReplica({ id: '0' as never, n: 4, crypto })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_TYPE' }),
    );
  });
  it('maxBackoff: 0 allowed (no doubling); a bad value is named as given, not shifted by one', () => {
    expect(createReplica({ id: 0, n: 4, crypto, maxBackoff: 0 }).config.maxBackoff).toBe(0);
    for (const bad of [-1, 33, 2.5]) {
      expect(() => createReplica({ id: 0, n: 4, crypto, maxBackoff: bad })).toThrow(
        expect.objectContaining({ code: 'ERR_ARGUMENT_VALUE', message: expect.stringContaining(`maxBackoff: ${bad} is not`) }),
      );
    }
  });
  it('step rejects an unknown input kind; a busy client rejects a second submit', () => {
    const replica = createReplica({ id: 0, n: 4, crypto });
    expect(() => step(replica, { type: 'nap' } as never)).toThrow(TypeError);
    const client = clientStep(createClient({ id: 'a', n: 4, sign: () => new Uint8Array(1) }), {
      type: 'submit',
      operation: new Uint8Array(0),
    }).state;
    expect(() => clientStep(client, { type: 'submit', operation: new Uint8Array(0) })).toThrow(/outstanding/);
    expect(() => clientStep(client, { type: 'nap' } as never)).toThrow(TypeError);
  });
  it('createClient refuses an id the replicas would drop and a non-positive retransmit timeout', () => {
    const sign = () => new Uint8Array(1);
    expect(() => createClient({ id: 'x'.repeat(257), n: 4, sign })).toThrow(RangeError);
    expect(createClient({ id: 'x'.repeat(256), n: 4, sign }).id).toHaveLength(256);
    expect(() => createClient({ id: 'a', n: 4, sign, retransmitTimeout: 0 })).toThrow(RangeError);
    expect(() => createClient({ id: 'a', n: 4, sign, retransmitTimeout: 1.5 })).toThrow(RangeError);
  });
});
