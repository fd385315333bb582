/**
 * The transcript environment of `medshare/pbft` (test/testdata/pbft/*.txt): a cluster of replicas
 * with cheap keyed signatures, a FIFO network the transcript controls, and a line of output per
 * effect. Commands:
 *
 * - `cluster n=4 [checkpoint=4] [window=8] [batch=1] [timeout=10]`: a new cluster in view 0.
 * - `request client=alice ts=1 [to=0]`: the client's signed request handed to replica `to`.
 * - `deliver [count=k] [verbose]`: delivers queued messages in FIFO order (all, or k of them) and
 *   prints each step's effects; messages the network loses are counted, not printed.
 * - `tick [replicas=0,1] [count=1] [time=t]`: timer ticks (with the clock reading `t`).
 * - `lose type=checkpoint[,prepare]`, `isolate 3`, `heal`: the network loses those kinds, or
 *   everything to and from replica 3, until `heal`.
 * - `crash 2`, `restart 2`: replica 2 stops (messages to it are lost, it does not tick), and comes
 *   back from the bytes of the last state it persisted (encodePersistentState / restart).
 * - `tamper type=commit field=signature|digest`: flips a bit in that field of every queued
 *   message of that kind (a forging relay).
 * - `status`: a line per replica: view, mode, last executed, stable checkpoint, pending requests.
 *
 * Effects print as `r1: broadcast prepare v0 n1 d=3f2a`, `r0: execute n1 v0 [alice:1]`,
 * `r2: drop from r3 invalidSignature`; `persist` effects print only with `verbose`.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  createReplica,
  encodePersistentState,
  type PersistentState,
  primaryOf,
  quorums,
  type ReplicaEffect,
  type ReplicaMessage,
} from '../../src/pbft/index.js';
import { Cluster } from './pbft-harness.js';
import { type Command, intArg, intListArg, type TranscriptEnvironment } from './transcript.js';

interface InFlight {
  readonly from: number;
  readonly to: number;
  message: ReplicaMessage;
}

/** A digest's first two bytes in hex, enough to tell digests apart in a transcript. */
const hex = (bytes: Uint8Array): string => bytesToHex(bytes.subarray(0, 2));

/** A message in one short line: kind, view, sequence number and a digest prefix where it has them. */
export function describeMessage(m: ReplicaMessage): string {
  switch (m.type) {
    case 'request':
      return `request ${m.client}:${m.timestamp}`;
    case 'prePrepare':
      return `prePrepare v${m.view} n${m.seq} d=${hex(m.digest)} [${m.batch.map((r) => `${r.client}:${r.timestamp}`).join(' ')}]`;
    case 'prepare':
    case 'commit':
      return `${m.type} v${m.view} n${m.seq} d=${hex(m.digest)}`;
    case 'checkpoint':
      return `checkpoint n${m.seq} d=${hex(m.digest)}`;
    case 'viewChange':
      return `viewChange v${m.view} stable=n${m.stableSeq} prepared=${m.prepared.map((p) => `n${p.prePrepare.seq}`).join(',') || '-'}`;
    case 'newView':
      return `newView v${m.view} from ${m.viewChanges.map((vc) => `r${vc.replica}`).join(',')} O=${m.prePrepares.map((p) => `n${p.seq}${p.batch.length === 0 ? '(null)' : ''}`).join(',') || '-'}`;
    case 'suspect':
      return `suspect v${m.view}`;
    case 'status':
      return `status v${m.view}${m.viewChanging ? ' changing' : ''} executed=n${m.lastExecuted} stable=n${m.stableSeq}`;
    case 'fetchState':
      return `fetchState executed=n${m.lastExecuted}`;
    case 'stateTransfer':
      return `stateTransfer n${m.snapshot.seq}`;
  }
}

function describeEffect(effect: ReplicaEffect, verbose: boolean): string | undefined {
  switch (effect.type) {
    case 'persist':
      return verbose ? `persist v${effect.state.view} executed=n${effect.state.lastExecuted}` : undefined;
    case 'send':
      return `send r${effect.to} ${describeMessage(effect.message)}`;
    case 'broadcast':
      return `broadcast ${describeMessage(effect.message)}`;
    case 'reply':
      return `reply ${effect.client}:${effect.reply.timestamp} v${effect.reply.view}`;
    case 'execute':
      return `execute n${effect.seq} v${effect.view} [${effect.batch.map((r) => `${r.client}:${r.timestamp}`).join(' ')}]`;
    case 'stateTransferred':
      return `stateTransferred n${effect.seq}`;
    case 'viewEntered':
      return `viewEntered v${effect.view}`;
    case 'drop':
      return `drop from ${effect.from === 'client' ? 'client' : `r${effect.from}`} ${effect.code}`;
  }
}

/** A fresh environment; `cluster` must be the first command of a transcript. */
export function pbftTranscriptEnvironment(): TranscriptEnvironment {
  let cluster: Cluster | undefined;
  let queue: InFlight[] = [];
  const down = new Set<number>();
  const isolated = new Set<number>();
  const lostKinds = new Set<string>();
  const persisted = new Map<number, PersistentState>();

  const need = (): Cluster => {
    if (cluster === undefined) throw new Error('no cluster: start the transcript with `cluster n=4`');
    return cluster;
  };

  /** Steps replica `id`, queues what it sends, and returns its effects as lines. */
  function stepAndQueue(id: number, effects: readonly ReplicaEffect[], verbose: boolean): string[] {
    const c = need();
    const lines: string[] = [];
    for (const effect of effects) {
      if (effect.type === 'persist') persisted.set(id, effect.state);
      if (effect.type === 'broadcast')
        for (let j = 0; j < c.n; j++) if (j !== id) queue.push({ from: id, to: j, message: effect.message });
      if (effect.type === 'send') queue.push({ from: id, to: effect.to, message: effect.message });
      const line = describeEffect(effect, verbose);
      if (line !== undefined) lines.push(`r${id}: ${line}`);
    }
    return lines;
  }

  const lost = (m: InFlight): boolean =>
    down.has(m.to) || isolated.has(m.to) || isolated.has(m.from) || lostKinds.has(m.message.type);

  const commands: Record<string, (cmd: Command) => string> = {
    cluster(cmd) {
      const n = intArg(cmd, 'n', 4);
      const checkpointInterval = intArg(cmd, 'checkpoint', 4);
      cluster = new Cluster(n, {
        checkpointInterval,
        logWindow: intArg(cmd, 'window', 2 * checkpointInterval),
        maxBatch: intArg(cmd, 'batch', 1),
        viewChangeTimeout: intArg(cmd, 'timeout', 10),
      });
      queue = [];
      for (const set of [down, isolated, lostKinds]) set.clear();
      persisted.clear();
      const q = quorums(n);
      return `n=${n} f=${q.f} primary=r${primaryOf(0, n)} prepare=${q.prepare} commit=${q.commit}`;
    },

    request(cmd) {
      const c = need();
      const client = cmd.args.get('client') ?? 'alice';
      const to = intArg(cmd, 'to', 0);
      const request = c.request(client, intArg(cmd, 'ts'));
      return stepAndQueue(to, c.step(to, { type: 'request', request }), cmd.flags.has('verbose')).join('\n');
    },

    deliver(cmd) {
      const c = need();
      const limit = intArg(cmd, 'count', Number.MAX_SAFE_INTEGER);
      const lines: string[] = [];
      let delivered = 0;
      let dropped = 0;
      while (queue.length > 0 && delivered < limit) {
        if (delivered > 100_000) throw new Error('deliver: no quiescence after 100,000 messages');
        const m = queue.shift() as InFlight;
        if (lost(m)) {
          dropped++;
          continue;
        }
        delivered++;
        if (cmd.flags.has('verbose')) lines.push(`r${m.from} -> r${m.to}: ${describeMessage(m.message)}`);
        lines.push(...stepAndQueue(m.to, c.deliver(m.from, m.to, m.message), cmd.flags.has('verbose')));
      }
      if (dropped > 0) lines.push(`(network lost ${dropped} messages)`);
      if (queue.length > 0) lines.push(`(${queue.length} messages still queued)`);
      return lines.join('\n');
    },

    tick(cmd) {
      const c = need();
      const ids = intListArg(
        cmd,
        'replicas',
        Array.from({ length: c.n }, (_, i) => i),
      ).filter((id) => !down.has(id));
      const time = cmd.args.has('time') ? intArg(cmd, 'time') : undefined;
      const lines: string[] = [];
      for (let k = 0; k < intArg(cmd, 'count', 1); k++)
        for (const id of ids)
          lines.push(
            ...stepAndQueue(
              id,
              c.step(id, time === undefined ? { type: 'tick' } : { type: 'tick', time }),
              cmd.flags.has('verbose'),
            ),
          );
      return lines.join('\n');
    },

    lose(cmd) {
      for (const kind of (cmd.args.get('type') ?? '').split(',').filter((k) => k !== '')) lostKinds.add(kind);
      return `losing ${[...lostKinds].sort().join(', ')}`;
    },

    isolate(cmd) {
      for (const flag of cmd.flags) isolated.add(Number(flag));
      return `isolated ${[...isolated].map((id) => `r${id}`).join(', ')}`;
    },

    heal() {
      isolated.clear();
      lostKinds.clear();
      return 'network healed';
    },

    crash(cmd) {
      for (const flag of cmd.flags) down.add(Number(flag));
      queue = queue.filter((m) => !down.has(m.to));
      return `down: ${[...down].map((id) => `r${id}`).join(', ')}`;
    },

    restart(cmd) {
      const c = need();
      const lines: string[] = [];
      for (const flag of cmd.flags) {
        const id = Number(flag);
        const state = persisted.get(id);
        down.delete(id);
        if (state === undefined) {
          // It never persisted anything: it comes back as new, from an empty disk.
          c.replicas[id] = createReplica(c.replicaOptions(id));
          lines.push(`r${id}: restarted with nothing persisted: view 0, executed n0`);
          continue;
        }
        const bytes = encodePersistentState(state);
        const replica = c.restartFrom(id, bytes);
        lines.push(`r${id}: restarted from ${bytes.length} bytes: view ${replica.view}, executed n${replica.lastExecuted}`);
      }
      return lines.join('\n');
    },

    tamper(cmd) {
      const type = cmd.args.get('type');
      const field = cmd.args.get('field') ?? 'signature';
      let count = 0;
      for (const m of queue) {
        if (m.message.type !== type) continue;
        const value = (m.message as unknown as Record<string, unknown>)[field];
        if (!(value instanceof Uint8Array) || value.length === 0) throw new Error(`tamper: ${type} has no byte field ${field}`);
        const flipped = value.slice();
        flipped[0] = (flipped[0] as number) ^ 1;
        m.message = { ...m.message, [field]: flipped } as ReplicaMessage;
        count++;
      }
      return `tampered with the ${field} of ${count} queued ${type} messages`;
    },

    status() {
      const c = need();
      return c.replicas
        .map((r, id) =>
          [
            `r${id}:`,
            down.has(id) ? 'down,' : '',
            `view ${r.view} ${r.status},`,
            `executed n${r.lastExecuted},`,
            `stable n${r.stable.seq},`,
            `pending ${r.pending.size}`,
          ]
            .filter((w) => w !== '')
            .join(' '),
        )
        .join('\n');
    },
  };

  return {
    run(cmd) {
      const handler = commands[cmd.name];
      if (handler === undefined) throw new Error(`unknown command '${cmd.name}' (line ${cmd.line})`);
      return handler(cmd);
    },
  };
}
