/**
 * Drives replicas by hand for the paper-section tests: a small cluster with cheap keyed
 * signatures, and helpers to pick effects out of a step.
 */
import {
  createReplica,
  encodePersistentState,
  type PersistentState,
  restart,
  type ReplicaEffect,
  type ReplicaInput,
  type ReplicaMessage,
  type ReplicaOptions,
  type ReplicaState,
  type Request,
  step,
} from '../../src/pbft/index.js';
import { FakeKeys, makeRequest, Rng } from '../../src/testing/pbft-simulator.js';

export class Cluster {
  readonly keys: FakeKeys;
  readonly replicas: ReplicaState[];

  constructor(
    readonly n: number,
    private readonly options: Partial<Omit<ReplicaOptions, 'id' | 'n' | 'crypto'>> = {},
    clients: readonly string[] = ['alice', 'bob', 'carol', 'dave'],
  ) {
    this.keys = new FakeKeys(new Rng(n * 7919), n, clients);
    this.replicas = Array.from({ length: n }, (_, id) => createReplica(this.replicaOptions(id)));
  }

  /** The options replica `id` was created with. */
  replicaOptions(id: number): ReplicaOptions {
    return { id, n: this.n, crypto: this.keys.crypto(id), checkpointInterval: 4, logWindow: 8, maxBatch: 1, ...this.options };
  }

  /** Restarts replica `id` from the bytes of a persisted state (as read back from disk). */
  restartFrom(id: number, persisted: PersistentState | Uint8Array): ReplicaState {
    const bytes = persisted instanceof Uint8Array ? persisted : encodePersistentState(persisted);
    this.replicas[id] = restart(this.replicaOptions(id), bytes);
    return this.replicas[id] as ReplicaState;
  }

  request(client: string, timestamp: number, text = `${client}:${timestamp}`): Request {
    return makeRequest(this.keys, client, timestamp, text);
  }

  /** When set, every step also checks that the state it was given is left unchanged. */
  checkPurity = false;

  /** Steps replica `id` and keeps its new state. */
  step(id: number, input: ReplicaInput): readonly ReplicaEffect[] {
    const before = this.replicas[id] as ReplicaState;
    const print = this.checkPurity ? fingerprint(before) : '';
    const { state, effects } = step(before, input);
    if (this.checkPurity && fingerprint(before) !== print) throw new Error(`step modified its input state (replica ${id})`);
    this.replicas[id] = state;
    return effects;
  }

  /** Delivers `message` from replica `from` to replica `to`. */
  deliver(from: number, to: number, message: unknown): readonly ReplicaEffect[] {
    return this.step(to, { type: 'message', from, message });
  }

  state(id: number): ReplicaState {
    return this.replicas[id] as ReplicaState;
  }

  /**
   * Runs the cluster with a perfect network until no messages are left: every broadcast and send
   * is delivered in FIFO order. Returns every effect seen, by replica.
   */
  settle(seed: Array<{ from: number; to: number; message: ReplicaMessage }>, except: ReadonlySet<number> = new Set()) {
    const queue = [...seed];
    const seen: Array<{ replica: number; effect: ReplicaEffect }> = [];
    let guard = 0;
    while (queue.length > 0) {
      if (++guard > 100_000) throw new Error('settle: no quiescence');
      const { from, to, message } = queue.shift() as { from: number; to: number; message: ReplicaMessage };
      if (except.has(to)) continue;
      for (const effect of this.deliver(from, to, message)) {
        seen.push({ replica: to, effect });
        outgoing(to, effect, this.n, queue);
      }
    }
    return seen;
  }

  /**
   * A network that loses what `lose` says, for liveness tests: delivers every queued message (FIFO),
   * then ticks every replica, until `done` holds or `maxTicks` ticks have passed. Returns the ticks
   * taken, or -1 if `done` never held.
   */
  run(
    queue: Array<{ from: number; to: number; message: ReplicaMessage }>,
    done: () => boolean,
    options: { lose?: (message: ReplicaMessage, from: number, to: number) => boolean; maxTicks?: number } = {},
  ): number {
    const lose = options.lose ?? (() => false);
    for (let tick = 0; tick <= (options.maxTicks ?? 2000); tick++) {
      let guard = 0;
      while (queue.length > 0) {
        if (++guard > 1_000_000) throw new Error('run: no quiescence');
        const { from, to, message } = queue.shift() as { from: number; to: number; message: ReplicaMessage };
        if (lose(message, from, to)) continue;
        for (const effect of this.deliver(from, to, message)) outgoing(to, effect, this.n, queue);
      }
      if (done()) return tick;
      for (let id = 0; id < this.n; id++)
        for (const effect of this.step(id, { type: 'tick' })) outgoing(id, effect, this.n, queue);
    }
    return -1;
  }

  /** Queues the messages in `effects` (from replica `from`) and settles. */
  spread(from: number, effects: readonly ReplicaEffect[], except: ReadonlySet<number> = new Set()) {
    const queue: Array<{ from: number; to: number; message: ReplicaMessage }> = [];
    for (const effect of effects) outgoing(from, effect, this.n, queue);
    return this.settle(queue, except);
  }
}

function outgoing(
  from: number,
  effect: ReplicaEffect,
  n: number,
  queue: Array<{ from: number; to: number; message: ReplicaMessage }>,
) {
  if (effect.type === 'broadcast')
    for (let j = 0; j < n; j++) if (j !== from) queue.push({ from, to: j, message: effect.message });
  if (effect.type === 'send') queue.push({ from, to: effect.to, message: effect.message });
}

export function ofType<T extends ReplicaEffect['type']>(
  effects: readonly ReplicaEffect[],
  type: T,
): Extract<ReplicaEffect, { type: T }>[] {
  return effects.filter((e): e is Extract<ReplicaEffect, { type: T }> => e.type === type);
}

/** The messages of a given type broadcast or sent in `effects`. */
export function messages<T extends ReplicaMessage['type']>(
  effects: readonly ReplicaEffect[],
  type: T,
): Extract<ReplicaMessage, { type: T }>[] {
  const out: Extract<ReplicaMessage, { type: T }>[] = [];
  for (const e of effects) {
    if ((e.type === 'broadcast' || e.type === 'send') && e.message.type === type)
      out.push(e.message as Extract<ReplicaMessage, { type: T }>);
  }
  return out;
}

/** A deterministic text form of a replica state (without its config), to compare states. */
export function fingerprint(state: ReplicaState): string {
  const { config: _config, ...rest } = state;
  return JSON.stringify(rest, (_key, value) => {
    if (value instanceof Map) return { map: [...value.entries()] };
    if (value instanceof Set) return { set: [...value.values()] };
    if (value instanceof Uint8Array) return { bytes: Array.from(value) };
    return value;
  });
}
