/**
 * The PBFT client (Castro-Liskov section 4.1; in the paper, the smart contract that submits a
 * transaction and waits for the verification nodes' replies, section 4.2.10 step 5).
 *
 * A client sends ⟨REQUEST, o, t, c⟩σc to the primary it believes in, accepts a result once f + 1
 * replicas sent matching replies (at least one of them is correct), moves to a later view only when
 * f + 1 replies report it, and on a timeout broadcasts the
 * request to every replica. One request is outstanding at a time, so timestamps are executed in order.
 * @module
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { requestSignable } from './encoding.js';
import { primaryOf, quorums } from './quorum.js';
import type { ClientDropCode, Reply, Request } from './types.js';
import { MAX_CLIENT_ID } from './validate.js';
import { ArgumentTypeError, ArgumentValueError, ainteger, MedshareError } from '../internal/errors.js';

/** Thrown when a client is asked to submit while a request is still outstanding. */
export class ClientBusyError extends MedshareError {
  declare readonly code: 'ERR_CLIENT_BUSY';
  /** The timestamp of the request still outstanding. */
  readonly timestamp: number;
  /** @param timestamp - the timestamp of the request still outstanding */
  constructor(timestamp: number) {
    super('ERR_CLIENT_BUSY', `client: request ${timestamp} is still outstanding`);
    this.timestamp = timestamp;
    this.name = 'ClientBusyError';
  }
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * c: the client's identifier, non-empty. Replicas accept at most 256 UTF-16 code units and must
   * know the client's public key under this name ({@link ReplicaCrypto.verifyClient}).
   */
  readonly id: string;
  /** Number of replicas |R| = 3f + 1, at least 4: it sets the primary (v mod n) and the f + 1 reply quorum. */
  readonly n: number;
  /** Signs with the client's key. */
  readonly sign: (message: Uint8Array) => Uint8Array;
  /** Ticks before the request is broadcast again (default 50). */
  readonly retransmitTimeout?: number;
  /**
   * Last timestamp used, when resuming (default 0). It must be at least the last timestamp the
   * replicas executed for this client: a request whose timestamp is not newer is never executed, and
   * one equal to the last executed is answered with that request's stored result.
   */
  readonly lastTimestamp?: number;
}

/** The client's whole state (immutable). */
export interface ClientState {
  /** The client's identifier c, from {@link ClientOptions.id}. */
  readonly id: string;
  /** Number of replicas, from {@link ClientOptions.n}. */
  readonly n: number;
  /** The client's signing function, from {@link ClientOptions.sign}. */
  readonly sign: (message: Uint8Array) => Uint8Array;
  /** Ticks without a result after which the outstanding request is broadcast to every replica. */
  readonly retransmitTimeout: number;
  /** Logical time: the number of ticks seen. */
  readonly now: number;
  /** The view the client believes current: raised only to a view that f + 1 replies to one request vouch for. */
  readonly view: number;
  /**
   * t of the last request submitted; the next one gets lastTimestamp + 1. A caller that restarts
   * the client should persist it and pass it back as {@link ClientOptions.lastTimestamp}.
   */
  readonly lastTimestamp: number;
  /** The request awaiting f + 1 matching replies, or null when the client is idle. */
  readonly outstanding: {
    /** The signed request. */
    readonly request: Request;
    /** Tick (of `now`) at which the request was last sent or broadcast. */
    readonly sentAt: number;
    /** The first reply for this request from each replica, by replica index. */
    readonly replies: ReadonlyMap<number, Reply>;
  } | null;
}

/** Submit a new operation, as a {@link ClientInput}. */
export interface ClientSubmitInput {
  /** Input discriminant: always `'submit'`. */
  readonly type: 'submit';
  /** o: the operation to order (in medshare, an encoded ledger transaction). */
  readonly operation: Uint8Array;
}

/** A reply received from a replica, as a {@link ClientInput}. */
export interface ClientReplyInput {
  /** Input discriminant: always `'reply'`. */
  readonly type: 'reply';
  /** The index of the sending replica, as established by the caller's authenticated channel; it must equal `reply.replica`. */
  readonly from: number;
  /** The reply as received, of unknown shape (untrusted content): it is checked before use. */
  readonly reply: unknown;
}

/** One unit of logical time, as a {@link ClientInput}; ticks drive the retransmission timeout. */
export interface ClientTickInput {
  /** Input discriminant: always `'tick'`. */
  readonly type: 'tick';
}

/** What a client is given. */
export type ClientInput = ClientSubmitInput | ClientReplyInput | ClientTickInput;

/** Send a request to one replica: the primary of the client's current view, on first transmission. */
export interface ClientSendEffect {
  /** Effect discriminant: always `'send'`. */
  readonly type: 'send';
  /** The index of the receiving replica: {@link primaryOf}(view, n). */
  readonly to: number;
  /** The signed request. */
  readonly request: Request;
}

/** Send a request to all n replicas: a retransmission after {@link ClientState.retransmitTimeout} ticks without a result. */
export interface ClientBroadcastEffect {
  /** Effect discriminant: always `'broadcast'`. */
  readonly type: 'broadcast';
  /** The outstanding signed request, unchanged (same timestamp and signature). */
  readonly request: Request;
}

/** The outstanding request completed: f + 1 replicas sent the same result (paper step 5). */
export interface ClientResultEffect {
  /** Effect discriminant: always `'result'`. */
  readonly type: 'result';
  /** The request that completed. */
  readonly request: Request;
  /** The result f + 1 replicas agree on, byte for byte; at least one of them is correct. */
  readonly result: Uint8Array;
  /**
   * The client's view from now on: the highest of its previous view and the highest view that
   * f + 1 of the replies received for this request report (at least one correct replica is there).
   */
  readonly view: number;
}

/** A reply was ignored (malformed, from the wrong sender, not for the outstanding request, or a duplicate). */
export interface ClientDropEffect {
  /** Effect discriminant: always `'drop'`. */
  readonly type: 'drop';
  /** The replica index the reply came from. */
  readonly from: number;
  /** Why, as a stable code to branch on. */
  readonly code: ClientDropCode;
  /** Why, in English, for logs and metrics (the wording is not a stable interface; branch on `code`). */
  readonly reason: string;
}

/** What a client asks its caller to do, in order. */
export type ClientEffect = ClientSendEffect | ClientBroadcastEffect | ClientResultEffect | ClientDropEffect;

/** The result of one {@link clientStep}. */
export interface ClientStepResult {
  /** The next state of the client; the state passed in is left unchanged. */
  state: ClientState;
  /** The effects to carry out, in order. */
  effects: ClientEffect[];
}

/**
 * Builds a signed request ⟨REQUEST, o, t, c⟩σc.
 * @param client - client id
 * @param timestamp - strictly increasing per client
 * @param operation - the operation (in medshare, an encoded ledger transaction)
 * @param sign - the client's signing function
 * @returns the request, signed over {@link requestSignable}(client, timestamp, operation)
 * @throws RangeError if timestamp is not a non-negative safe integer; errors of `sign` propagate
 */
export function signRequest(
  client: string,
  timestamp: number,
  operation: Uint8Array,
  sign: (message: Uint8Array) => Uint8Array,
): Request {
  return { type: 'request', client, timestamp, operation, signature: sign(requestSignable({ client, timestamp, operation })) };
}

/**
 * Creates an idle client in view 0 at tick 0.
 * @param options - identifier, group size, signing function, retransmission timeout, resume timestamp
 * @returns the initial state
 * @throws RangeError if n is not an integer >= 4
 * @throws TypeError if id is not a non-empty string or sign is not a function
 */
export function createClient(options: ClientOptions): ClientState {
  quorums(options.n);
  if (typeof options.id !== 'string' || options.id.length === 0) throw new ArgumentTypeError('id', 'a non-empty string');
  // Replicas drop requests from longer ids (validate.ts), so such a client could never be served.
  if (options.id.length > MAX_CLIENT_ID)
    throw new ArgumentValueError('id', `at most ${MAX_CLIENT_ID} UTF-16 units, got ${options.id.length}`);
  if (typeof options.sign !== 'function') throw new ArgumentTypeError('sign', 'a function');
  const retransmitTimeout = options.retransmitTimeout ?? 50;
  ainteger(retransmitTimeout, 'retransmitTimeout', 1, Number.MAX_SAFE_INTEGER);
  return {
    id: options.id,
    n: options.n,
    sign: options.sign,
    retransmitTimeout,
    now: 0,
    view: 0,
    lastTimestamp: options.lastTimestamp ?? 0,
    outstanding: null,
  };
}

/**
 * Advances a client by one input. Pure: `state` is not modified.
 * - `submit`: signs the operation with timestamp lastTimestamp + 1 and sends it to the primary.
 * - `tick`: after retransmitTimeout ticks without a result, broadcasts the request to every replica.
 * - `reply`: records the reply; once f + 1 replicas sent the same result, emits it and becomes idle.
 * @param state - the current state
 * @param input - an operation to submit, a reply from a replica (untrusted), or a tick
 * @returns the next state and the effects to carry out
 * @throws ClientBusyError on `submit` while a request is outstanding
 * @throws TypeError on `submit` if the operation is not a Uint8Array
 */
export function clientStep(state: ClientState, input: ClientInput): ClientStepResult {
  switch (input.type) {
    case 'submit': {
      if (state.outstanding !== null) throw new ClientBusyError(state.outstanding.request.timestamp);
      if (!(input.operation instanceof Uint8Array)) throw new ArgumentTypeError('operation', 'Uint8Array');
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
    default:
      throw new ArgumentTypeError('input', `a known input type, got type=${String((input as { type?: unknown }).type)}`);
  }
}

/**
 * The highest view that f + 1 replies vouch for: the (f + 1)-th highest view among them, so at
 * least one correct replica is in that view or a later one. One Byzantine reply cannot move the
 * client (issue 11, item 4: a reply claiming view 2^53 - 3 would otherwise send every later
 * request to the attacker first). Returns -1 with f or fewer replies.
 */
function vouchedView(replies: Iterable<Reply>, f: number): number {
  const views = [...replies].map((r) => r.view).sort((a, b) => b - a);
  return views[f] ?? -1;
}

function onReply(state: ClientState, from: number, raw: unknown): ClientStepResult {
  const drop = (code: ClientDropCode, reason: string): ClientStepResult => ({
    state,
    effects: [{ type: 'drop', from, code, reason }],
  });
  const out = state.outstanding;
  if (typeof raw !== 'object' || raw === null) return drop('malformed', 'reply: not an object');
  const r = raw as Partial<Reply>;
  if (
    r.type !== 'reply' ||
    typeof r.view !== 'number' ||
    !Number.isSafeInteger(r.view) ||
    r.view < 0 ||
    typeof r.timestamp !== 'number' ||
    typeof r.client !== 'string' ||
    !(r.result instanceof Uint8Array) ||
    r.replica !== from ||
    !Number.isSafeInteger(from) ||
    from < 0 ||
    from >= state.n
  ) {
    return drop('malformed', 'reply: malformed or sender mismatch');
  }
  if (out === null || r.client !== state.id || r.timestamp !== out.request.timestamp)
    return drop('notOutstanding', 'reply: not for the outstanding request');
  if (out.replies.has(from)) return drop('duplicate', 'reply: duplicate');
  const reply = r as Reply;
  const replies = new Map(out.replies).set(from, reply);
  // f + 1 matching results: at least one comes from a correct replica.
  const key = bytesToHex(reply.result);
  const matching = [...replies.values()].filter((m) => bytesToHex(m.result) === key);
  const q = quorums(state.n);
  if (matching.length >= q.reply) {
    const view = Math.max(state.view, vouchedView(replies.values(), q.f));
    return {
      state: { ...state, view, outstanding: null },
      effects: [{ type: 'result', request: out.request, result: reply.result, view }],
    };
  }
  return { state: { ...state, outstanding: { ...out, replies } }, effects: [] };
}
