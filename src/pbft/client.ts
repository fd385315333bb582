/**
 * @module
 * The PBFT client (Castro-Liskov section 4.1; in the paper, the smart contract that submits a
 * transaction and waits for the verification nodes' replies, section 4.2.10 step 5).
 *
 * A client sends ⟨REQUEST, o, t, c⟩σc to the primary it believes in, accepts a result once f + 1
 * replicas sent matching replies (at least one of them is correct), and on a timeout broadcasts the
 * request to every replica. One request is outstanding at a time, so timestamps are executed in order.
 */
import { toHex } from '../internal/bytes.js';
import { requestSignable } from './encoding.js';
import { primaryOf, quorums } from './quorum.js';
import type { Reply, Request } from './types.js';

/** Thrown when a client is asked to submit while a request is still outstanding. */
export class ClientBusyError extends Error {
  constructor(timestamp: number) {
    super(`client: request ${timestamp} is still outstanding`);
    this.name = 'ClientBusyError';
  }
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  readonly id: string;
  readonly n: number;
  /** Signs with the client's key. */
  readonly sign: (message: Uint8Array) => Uint8Array;
  /** Ticks before the request is broadcast again (default 50). */
  readonly retransmitTimeout?: number;
  /** Last timestamp used, when resuming (default 0). */
  readonly lastTimestamp?: number;
}

/** The client's whole state (immutable). */
export interface ClientState {
  readonly id: string;
  readonly n: number;
  readonly sign: (message: Uint8Array) => Uint8Array;
  readonly retransmitTimeout: number;
  readonly now: number;
  /** The view the client believes current (from the latest accepted replies). */
  readonly view: number;
  readonly lastTimestamp: number;
  readonly outstanding: {
    readonly request: Request;
    readonly sentAt: number;
    readonly replies: ReadonlyMap<number, Reply>;
  } | null;
}

export type ClientInput =
  | { readonly type: 'submit'; readonly operation: Uint8Array }
  /** A reply received from replica `from` on an authenticated channel (untrusted content). */
  | { readonly type: 'reply'; readonly from: number; readonly reply: unknown }
  | { readonly type: 'tick' };

export type ClientEffect =
  | { readonly type: 'send'; readonly to: number; readonly request: Request }
  | { readonly type: 'broadcast'; readonly request: Request }
  | { readonly type: 'result'; readonly request: Request; readonly result: Uint8Array; readonly view: number }
  | { readonly type: 'drop'; readonly from: number; readonly reason: string };

/**
 * Builds a signed request.
 * @param client - client id
 * @param timestamp - strictly increasing per client
 * @param operation - the operation (in medshare, an encoded ledger transaction)
 * @param sign - the client's signing function
 */
export function signRequest(
  client: string,
  timestamp: number,
  operation: Uint8Array,
  sign: (message: Uint8Array) => Uint8Array,
): Request {
  return { type: 'request', client, timestamp, operation, signature: sign(requestSignable({ client, timestamp, operation })) };
}

/** Creates an idle client. */
export function createClient(options: ClientOptions): ClientState {
  quorums(options.n);
  if (typeof options.id !== 'string' || options.id.length === 0) throw new TypeError('id: expected a non-empty string');
  if (typeof options.sign !== 'function') throw new TypeError('sign: expected a function');
  return {
    id: options.id,
    n: options.n,
    sign: options.sign,
    retransmitTimeout: options.retransmitTimeout ?? 50,
    now: 0,
    view: 0,
    lastTimestamp: options.lastTimestamp ?? 0,
    outstanding: null,
  };
}

/**
 * Advances a client by one input.
 * @throws ClientBusyError on `submit` while a request is outstanding
 */
export function clientStep(state: ClientState, input: ClientInput): { state: ClientState; effects: ClientEffect[] } {
  switch (input.type) {
    case 'submit': {
      if (state.outstanding !== null) throw new ClientBusyError(state.outstanding.request.timestamp);
      if (!(input.operation instanceof Uint8Array)) throw new TypeError('operation: expected Uint8Array');
      const timestamp = state.lastTimestamp + 1;
      const request = signRequest(state.id, timestamp, input.operation, state.sign);
      return {
        state: { ...state, lastTimestamp: timestamp, outstanding: { request, sentAt: state.now, replies: new Map() } },
        effects: [{ type: 'send', to: primaryOf(state.view, state.n), request }],
      };
    }
    case 'tick': {
      const now = state.now + 1;
      const out = state.outstanding;
      if (out !== null && now - out.sentAt >= state.retransmitTimeout) {
        // No answer in time: send to every replica (backups forward it and start their timers).
        return {
          state: { ...state, now, outstanding: { ...out, sentAt: now } },
          effects: [{ type: 'broadcast', request: out.request }],
        };
      }
      return { state: { ...state, now }, effects: [] };
    }
    case 'reply':
      return onReply(state, input.from, input.reply);
  }
}

function onReply(state: ClientState, from: number, raw: unknown): { state: ClientState; effects: ClientEffect[] } {
  const drop = (reason: string) => ({ state, effects: [{ type: 'drop', from, reason } as ClientEffect] });
  const out = state.outstanding;
  if (typeof raw !== 'object' || raw === null) return drop('reply: not an object');
  const r = raw as Partial<Reply>;
  if (
    r.type !== 'reply' ||
    typeof r.view !== 'number' ||
    !Number.isSafeInteger(r.view) ||
    r.view < 0 ||
    typeof r.timestamp !== 'number' ||
    !(r.result instanceof Uint8Array) ||
    r.replica !== from ||
    !Number.isSafeInteger(from) ||
    from < 0 ||
    from >= state.n
  ) {
    return drop('reply: malformed or sender mismatch');
  }
  if (out === null || r.client !== state.id || r.timestamp !== out.request.timestamp)
    return drop('reply: not for the outstanding request');
  if (out.replies.has(from)) return drop('reply: duplicate');
  const reply = r as Reply;
  const replies = new Map(out.replies).set(from, reply);
  // f + 1 matching results: at least one comes from a correct replica.
  const key = toHex(reply.result);
  const matching = [...replies.values()].filter((m) => toHex(m.result) === key);
  if (matching.length >= quorums(state.n).reply) {
    const view = Math.max(state.view, ...matching.map((m) => m.view));
    return {
      state: { ...state, view, outstanding: null },
      effects: [{ type: 'result', request: out.request, result: reply.result, view }],
    };
  }
  return { state: { ...state, outstanding: { ...out, replies } }, effects: [] };
}
