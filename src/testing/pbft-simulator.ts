/**
 * A seeded, deterministic simulation of n PBFT replicas and their clients, in the manner of
 * TigerBeetle's VOPR and FoundationDB's simulator: one seed drives every random choice (message
 * loss, duplication, delay and so reordering, partitions, crashes and restarts from persisted
 * state, Byzantine behaviour), so a failing run prints its seed and replays exactly.
 *
 * Every knob comes from the seed too (TigerBeetle's VOPR swarm): the group size, Byzantine replicas
 * and what they do (including the denial-of-service messages, lying replies and clock attacks of
 * issue 11), fault rates (with CHECKPOINT loss), sizes, timeouts, limits and clock skews; see
 * {@link drawKnobs}. A failure prints the seed and every knob.
 *
 * Safety is checked after every step:
 * - no two honest replicas execute different batches at the same sequence number (the ledger
 *   head after each block is compared against the first one seen for that height);
 * - every honest ledger is a prefix of one chain (blocks are appended only at the next height,
 *   and a state transfer syncs only to a head that chain already has);
 * - every honest replica executes each (client, timestamp) at most once;
 * - a client accepts only a result that names the ledger position where its request was executed;
 * - an honest replica never rejects an honest replica's message for a bad signature;
 * - an honest replica never contradicts a message it sent (a PRE-PREPARE, PREPARE or COMMIT for
 *   another digest at the same (v, n), another VIEW-CHANGE for the same view), crashes and restarts
 *   from the encoded persistent state included;
 * - no block time lies beyond every correct replica's clock plus the skew (a Byzantine primary's
 *   time is refused), and a client's view is never beyond every correct replica's.
 * Liveness is checked after healing: with every honest replica up and the network reliable,
 * every client request completes within a tick budget.
 */
import {
  type ClientEffect,
  type ClientState,
  clientStep,
  createClient,
  createReplica,
  executionResult,
  type PrePrepare,
  primaryOf,
  prePrepareSignable,
  prepareSignable,
  checkpointSignable,
  viewChangeSignable,
  newViewSignable,
  quorums,
  type ReplicaCrypto,
  type ReplicaEffect,
  type ReplicaMessage,
  type ReplicaState,
  type Request,
  restart,
  type ReplicaOptions,
  type PersistentState,
  persistentState,
  encodePersistentState,
  step,
  batchDigest,
  orderingDigest,
  requestSignable,
  suspectSignable,
  type ViewChange,
} from '../pbft/index.js';
import { type Block, blockFromExecution } from '../ledger/index.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { bytesEqual } from '../internal/bytes.js';

/** Drops an honest replica must never report for an honest sender's message. */
const SIGNATURE_CODES: ReadonlySet<string> = new Set(['badSignature', 'badClientSignature', 'invalidCertificate']);

// ---- deterministic randomness -----------------------------------------------------------

/** mulberry32: a tiny seeded PRNG; plenty for scheduling choices. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < 4; i++) this.next();
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

// ---- cheap keyed signatures for the sweep -------------------------------------------------

/** A keyed 64-bit FNV-1a pair: unforgeable inside the simulation (Byzantine code never sees other keys). */
function fakeSign(secret: number, message: Uint8Array): Uint8Array {
  let a = (0x811c9dc5 ^ secret) >>> 0;
  let b = (0x01000193 ^ Math.imul(secret, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < message.length; i++) {
    const x = message[i] as number;
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ x, 0x01000193) ^ (b >>> 13);
  }
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, a >>> 0);
  view.setUint32(4, b >>> 0);
  return out;
}

/** Keys of one simulated deployment: a secret per replica and per client. */
export class FakeKeys {
  private readonly replicaSecrets: number[];
  private readonly clientSecrets = new Map<string, number>();
  constructor(rng: Rng, n: number, clients: readonly string[]) {
    this.replicaSecrets = Array.from({ length: n }, () => rng.int(2 ** 31) + 1);
    for (const c of clients) this.clientSecrets.set(c, rng.int(2 ** 31) + 1);
  }
  crypto(replica: number): ReplicaCrypto {
    const secret = this.replicaSecrets[replica] as number;
    return {
      sign: (m) => fakeSign(secret, m),
      verifyReplica: (r, m, s) => {
        const k = this.replicaSecrets[r];
        return k !== undefined && bytesEqual(fakeSign(k, m), s);
      },
      verifyClient: (c, m, s) => {
        const k = this.clientSecrets.get(c);
        return k !== undefined && bytesEqual(fakeSign(k, m), s);
      },
    };
  }
  clientSigner(client: string): (m: Uint8Array) => Uint8Array {
    const secret = this.clientSecrets.get(client) as number;
    return (m) => fakeSign(secret, m);
  }
}

// ---- the swarm: every knob from the seed ---------------------------------------------------------

/** What a Byzantine replica may do (each draws one to three, per seed). */
export type ByzantineBehaviour =
  | 'silent'
  | 'equivocate'
  | 'forge'
  | 'replay'
  | 'wrongViewSeq'
  | 'bogusCheckpoint'
  | 'bogusViewChange'
  /** issue 11, item 2: a NEW-VIEW with one VIEW-CHANGE carrying all its prepared certificates. */
  | 'oversizedNewView'
  /** issue 11, item 3: STATUS messages with lastExecuted 0, several a tick. */
  | 'statusFlood'
  /** issue 11, item 4: replies with the right result but view 2^53 - 3 (instead of a wrong result). */
  | 'lyingReplies'
  /** issue 11, item 10: as primary, batch times of 2^53 - 1, 0, or far from its clock. */
  | 'clock'
  /** issue 11, item 6: SUSPECTs of the current view, alone (f of them cannot force a view change). */
  | 'accuse';

/** Every {@link ByzantineBehaviour}. */
export const ALL_BEHAVIOURS: readonly ByzantineBehaviour[] = [
  'silent',
  'equivocate',
  'forge',
  'replay',
  'wrongViewSeq',
  'bogusCheckpoint',
  'bogusViewChange',
  'oversizedNewView',
  'statusFlood',
  'lyingReplies',
  'clock',
  'accuse',
];

/**
 * Every knob of one run, drawn from its seed (TigerBeetle's VOPR swarm testing: fault rates,
 * sizes, group size, timeouts and limits all vary from seed to seed) unless a test fixes it.
 */
export interface Knobs {
  /** Replicas. */
  n: number;
  /** The Byzantine replicas (at most f). */
  byzantine: number[];
  /** What each Byzantine replica does. */
  behaviours: Record<number, ByzantineBehaviour[]>;
  /** Clients, each submitting `requestsPerClient` operations of up to `operationBytes` bytes. */
  clients: number;
  /** Operations each client submits, one at a time. */
  requestsPerClient: number;
  /** The largest operation, in bytes. */
  operationBytes: number;
  /** Ticks of faults before healing, then ticks allowed for every request to complete. */
  chaosTicks: number;
  /** Ticks allowed after healing for every request to complete. */
  livenessBudget: number;
  /** Heal only 2f + 1 honest replicas; the others stay crashed for good. */
  healQuorumOnly: boolean;
  /** Per message: loss, duplication; delay up to maxDelay ticks (so reordering). */
  loss: number;
  /** Per message: chance it is delivered twice. */
  duplicate: number;
  /** Largest delivery delay, in ticks. */
  maxDelay: number;
  /** Per tick: chance a partition starts; chance an honest replica crashes. */
  partitionRate: number;
  /** Per tick: chance an honest replica crashes. */
  crashRate: number;
  /** Per CHECKPOINT message, during the faults: extra chance it is lost (issue 11, item 1). */
  checkpointLoss: number;
  /** Replica parameters. */
  checkpointInterval: number;
  /** The replicas' log window. */
  logWindow: number;
  /** The replicas' largest batch. */
  maxBatch: number;
  /** The replicas' view-change timeout, in ticks. */
  viewChangeTimeout: number;
  /** The replicas' retransmission interval, in ticks. */
  retransmitInterval: number;
  /** The replicas' largest backoff, in ticks. */
  maxBackoff: number;
  /** Ticks before a client broadcasts its request again. */
  clientTimeout: number;
  /** The bound on batch times, and each replica's clock offset (honest ones within a third of it). */
  maxClockSkew: number;
  /** Each replica's clock offset. */
  clockOffsets: number[];
  /**
   * A late restart: at healing one honest replica crashes (or stays down) until every request has
   * completed; it is then restarted from its persisted state into an idle cluster (no request will
   * come), which runs `idleTicks` more ticks. The run fails unless it catches up with the others
   * without a request, and, when no replica is Byzantine, unless every replica is silent over the
   * last third of those ticks. Only when one more replica down leaves 2f + 1 up (so never with
   * healQuorumOnly or f Byzantine replicas).
   */
  lateRestart: boolean;
  /** Ticks of the idle phase after a late restart. */
  idleTicks: number;
  /**
   * Ticks an honest host runs its replica without a clock reading after starting or restarting it
   * (a clock source not ready yet): its ticks carry no time, so it cannot check a batch time itself.
   */
  clockReadyTicks: number;
}

/** Options of {@link runSimulation}: the seed, any knob a test fixes, and optionally real keys. */
export interface SimOptions extends Partial<Knobs> {
  /** Drives every random choice and every knob not fixed here: the same seed replays the same run. */
  seed: number;
  /** Behaviours each Byzantine replica draws from (default: all). */
  pool?: readonly ByzantineBehaviour[];
  /** Replace the cheap signatures (e.g. with Ed25519). */
  keys?: {
    /** The signing and verification functions of replica `replica`. */
    crypto(replica: number): ReplicaCrypto;
    /** The signing function of client `client`. */
    clientSigner(client: string): (m: Uint8Array) => Uint8Array;
  };
}

/**
 * The knobs of a seed: drawn from a stream of their own (so fixing one knob does not change the
 * others), then overridden by what `options` fixes.
 */
export function drawKnobs(options: SimOptions): Knobs {
  const r = new Rng(options.seed ^ 0x5eed_c0de);
  const n = options.n ?? r.pick([4, 4, 4, 4, 7, 7, 7, 10, 10]);
  const f = quorums(n).f;
  const byzantine = options.byzantine ?? r.shuffle([...Array(n).keys()]).slice(0, r.int(f + 1));
  if (byzantine.length > f) throw new RangeError(`at most f = ${f} Byzantine replicas`);
  const pool = options.pool ?? ALL_BEHAVIOURS;
  const behaviours: Record<number, ByzantineBehaviour[]> = {};
  for (const b of byzantine) {
    const chosen = new Set<ByzantineBehaviour>();
    for (let i = 1 + r.int(3); i > 0; i--) chosen.add(r.pick(pool));
    behaviours[b] = [...chosen];
  }
  const checkpointInterval = options.checkpointInterval ?? r.pick([2, 4, 4, 8]);
  const maxClockSkew = options.maxClockSkew ?? 30 + r.int(120);
  const drawn: Knobs = {
    n,
    byzantine,
    behaviours: options.behaviours ?? behaviours,
    clients: 1 + r.int(4),
    requestsPerClient: 2 + r.int(6),
    operationBytes: r.pick([8, 64, 512, 2048]),
    chaosTicks: 200 + r.int(400),
    livenessBudget: 8000,
    healQuorumOnly: r.chance(1 / 3),
    loss: r.next() * 0.25,
    duplicate: r.next() * 0.12,
    maxDelay: 1 + r.int(8),
    partitionRate: r.next() * 0.02,
    crashRate: r.next() * 0.008,
    checkpointLoss: r.pick([0, 0, 0.3, 0.7, 1]),
    checkpointInterval,
    logWindow: checkpointInterval * r.pick([2, 3]),
    maxBatch: 1 + r.int(4),
    viewChangeTimeout: 25 + r.int(60),
    retransmitInterval: 8 + r.int(20),
    maxBackoff: 2 + r.int(3),
    clientTimeout: 30 + r.int(60),
    maxClockSkew,
    clockOffsets: Array.from({ length: n }, (_, i) =>
      byzantine.includes(i)
        ? r.int(4 * maxClockSkew) - 2 * maxClockSkew
        : r.int(Math.floor((2 * maxClockSkew) / 3) + 1) - Math.floor(maxClockSkew / 3),
    ),
    lateRestart: r.chance(0.05),
    idleTicks: 1500,
    clockReadyTicks: r.pick([0, 0, 0, 1, 5, 20, 60]),
  };
  const { seed: _seed, pool: _pool, keys: _keys, ...fixed } = options;
  return { ...drawn, ...(Object.fromEntries(Object.entries(fixed).filter(([, v]) => v !== undefined)) as Partial<Knobs>) };
}

/** One line that says every knob of a run (printed with a failure, so a seed's setting is plain). */
export function describeKnobs(k: Knobs): string {
  const byz = k.byzantine.map((b) => `${b}:${(k.behaviours[b] ?? []).join('+')}`).join(' ') || 'none';
  return [
    `n=${k.n} byzantine=[${byz}]`,
    `clients=${k.clients}x${k.requestsPerClient} op<=${k.operationBytes}B`,
    `chaos=${k.chaosTicks} budget=${k.livenessBudget}${k.healQuorumOnly ? ' healQuorumOnly' : ''}`,
    `loss=${k.loss.toFixed(3)} dup=${k.duplicate.toFixed(3)} delay<=${k.maxDelay} partitions=${k.partitionRate.toFixed(4)} crashes=${k.crashRate.toFixed(4)} checkpointLoss=${k.checkpointLoss}`,
    `K=${k.checkpointInterval} L=${k.logWindow} batch<=${k.maxBatch} vcTimeout=${k.viewChangeTimeout} retransmit=${k.retransmitInterval} maxBackoff=${k.maxBackoff} clientTimeout=${k.clientTimeout}`,
    `skew=${k.maxClockSkew} clocks=[${k.clockOffsets.join(',')}] clockReady=${k.clockReadyTicks}${k.lateRestart ? ` lateRestart idle=${k.idleTicks}` : ''}`,
  ].join(' | ');
}

/** What a run that kept every invariant did. */
export interface SimResult {
  /** Its seed. */
  seed: number;
  /** Replicas. */
  n: number;
  /** Every knob of the run. */
  knobs: Knobs;
  /** The Byzantine replicas. */
  byzantine: readonly number[];
  /** Ticks simulated. */
  ticks: number;
  /** The tick at which the faults stopped (healing). */
  healedAt: number;
  /** The tick at which every request had completed. */
  completedAt: number;
  /** Requests completed. */
  requests: number;
  /** The longest honest ledger. */
  maxHeight: number;
  /** The highest view an honest replica reached. */
  maxView: number;
  /** View changes completed. */
  viewChanges: number;
  /** State transfers completed. */
  stateTransfers: number;
  /** Crashes of honest replicas. */
  crashes: number;
  /** Messages lost. */
  drops: number;
  /** Messages delivered. */
  messages: number;
  /** Fault and attack counts: CHECKPOINTs lost, DoS messages sent, lying replies, clock attacks, accusations. */
  checkpointsLost: number;
  /** Denial-of-service messages sent. */
  dosMessages: number;
  /** Lying replies sent. */
  lyingReplies: number;
  /** Clock attacks made. */
  clockAttacks: number;
  /** Lone accusations made. */
  accusations: number;
  /** Drops by honest replicas, by code. */
  dropCodes: Record<string, number>;
  /** A digest of the run, equal for equal seeds. */
  fingerprint: string;
  /** Honest replicas' final views. */
  views: number[];
  /** Honest replicas' final ledgers. */
  ledgers: Block[][];
  /**
   * With a late restart ({@link Knobs.lateRestart}): the blocks the restarted replica lacked when it
   * came back, and the ticks it took to catch up with no request; null otherwise.
   */
  lateCatchUp: {
    /** Blocks the restarted replica lacked when it came back. */
    missed: number;
    /** Ticks from its restart until it had them all. */
    ticks: number;
  } | null;
}

/** A failed invariant, carrying the seed (and its knobs) that replays it. */
export class SimulationFailure extends Error {
  /** The seed that replays the failure. */
  readonly seed: number;
  /** Replicas. */
  readonly n: number;
  /** Every knob of the run, when known. */
  readonly knobs: Knobs | undefined;
  /**
   * @param seed - the run's seed
   * @param n - replicas
   * @param message - the invariant broken, and when
   * @param knobs - the run's knobs
   */
  constructor(seed: number, n: number, message: string, knobs?: Knobs) {
    super(
      `seed ${seed} (n = ${n}): ${message}\n  knobs: ${knobs === undefined ? '?' : describeKnobs(knobs)}\n  replay: runSimulation({ seed: ${seed} })`,
    );
    this.seed = seed;
    this.n = n;
    this.knobs = knobs;
    this.name = 'SimulationFailure';
  }
}

type Address = { kind: 'replica'; id: number } | { kind: 'client'; id: string };
interface Envelope {
  from: number | string;
  to: Address;
  payload: unknown;
}

const CLOCK_BASE = 1_000_000;

// ---- the simulation ---------------------------------------------------------------------------

/** Runs one seed: throws {@link SimulationFailure} on a broken invariant, returns the run's figures otherwise. */
export function runSimulation(options: SimOptions): SimResult {
  const sim = new Simulation(options);
  return sim.run();
}

class Simulation {
  private readonly rng: Rng;
  private readonly n: number;
  private readonly f: number;
  private readonly k: Knobs;
  private readonly byzantine: Set<number>;
  private readonly behaviours = new Map<number, Set<ByzantineBehaviour>>();
  private readonly replicas: ReplicaState[] = [];
  private readonly persisted: PersistentState[] = [];
  private readonly options: ReplicaOptions[] = [];
  private readonly down: (number | null)[] = []; // restart tick, or null when up
  /** Ticks each replica still runs without a clock reading ({@link Knobs.clockReadyTicks}). */
  private readonly clockless: number[] = [];
  private readonly clients = new Map<string, ClientState>();
  private readonly remaining = new Map<string, number>();
  private readonly queue = new Map<number, Envelope[]>();
  private readonly ledgers: Block[][] = [];
  private readonly executedKeys: Set<string>[] = [];
  /** height -> ledger head (block hash) and batch, first seen. */
  private readonly canonical = new Map<number, { head: Uint8Array; batch: readonly Request[] }>();
  /** What each honest replica sent, to catch a contradiction (before or after a crash): key -> digest. */
  private readonly said = new Map<string, string>();
  private readonly seen: unknown[] = []; // messages a Byzantine replica may replay
  private partition: { side: Set<number>; until: number } | null = null;
  /** The replica kept down until completion by a late restart, if any. */
  private late: number | null = null;
  /** Messages replicas sent (counted when posted, lost or not), for the idle phase's silence check. */
  private replicaPosts = 0;
  private now = 0;
  private healed = false;
  private readonly stats = {
    viewChanges: 0,
    stateTransfers: 0,
    crashes: 0,
    drops: 0,
    messages: 0,
    checkpointsLost: 0,
    dosMessages: 0,
    lyingReplies: 0,
    clockAttacks: 0,
    accusations: 0,
  };
  private readonly dropCodes: Record<string, number> = {};
  private fingerprint = 0x811c9dc5;
  private readonly keys: NonNullable<SimOptions['keys']>;
  private readonly seed: number;

  constructor(options: SimOptions) {
    this.seed = options.seed;
    this.k = drawKnobs(options);
    this.rng = new Rng(options.seed);
    this.n = this.k.n;
    this.f = quorums(this.n).f;
    this.byzantine = new Set(this.k.byzantine);
    for (const b of this.byzantine) this.behaviours.set(b, new Set(this.k.behaviours[b] ?? []));
    const clientIds = Array.from({ length: this.k.clients }, (_, i) => `client-${i}`);
    this.keys = options.keys ?? new FakeKeys(this.rng, this.n, clientIds);
    for (let i = 0; i < this.n; i++) {
      const replicaOptions: ReplicaOptions = {
        id: i,
        n: this.n,
        crypto: this.keys.crypto(i),
        checkpointInterval: this.k.checkpointInterval,
        logWindow: this.k.logWindow,
        maxBatch: this.k.maxBatch,
        viewChangeTimeout: this.k.viewChangeTimeout,
        maxBackoff: this.k.maxBackoff,
        retransmitInterval: this.k.retransmitInterval,
        maxClockSkew: this.k.maxClockSkew,
      };
      const state = createReplica(replicaOptions);
      this.options.push(replicaOptions);
      this.replicas.push(state);
      this.persisted.push(persistentState(state));
      this.down.push(null);
      this.clockless.push(this.honest(i) ? this.k.clockReadyTicks : 0);
      this.ledgers.push([]);
      this.executedKeys.push(new Set());
    }
    for (const id of clientIds) {
      this.clients.set(
        id,
        createClient({ id, n: this.n, sign: this.keys.clientSigner(id), retransmitTimeout: this.k.clientTimeout }),
      );
      this.remaining.set(id, this.k.requestsPerClient);
    }
    for (const ch of describeKnobs(this.k)) this.mix(ch.charCodeAt(0));
  }

  private fail(message: string): never {
    throw new SimulationFailure(this.seed, this.n, `tick ${this.now}: ${message}`, this.k);
  }

  private honest(i: number): boolean {
    return !this.byzantine.has(i);
  }

  private mix(value: number): void {
    this.fingerprint = Math.imul(this.fingerprint ^ (value >>> 0), 0x01000193) >>> 0;
  }

  /** Replica i's clock reading: the simulated time plus its offset (a Byzantine one may be far off). */
  private clock(i: number): number {
    return CLOCK_BASE + this.now + (this.k.clockOffsets[i] ?? 0);
  }

  run(): SimResult {
    const { chaosTicks, livenessBudget } = this.k;
    let completedAt = -1;
    while (this.now < chaosTicks + livenessBudget) {
      this.now++;
      if (!this.healed && this.now > chaosTicks) this.heal();
      this.faults();
      this.deliver();
      this.tickAll();
      this.submit();
      if (this.healed && this.allDone()) {
        completedAt = this.now;
        break;
      }
    }
    const lateCatchUp = completedAt >= 0 && this.late !== null ? this.idlePhase(this.late) : null;
    if (completedAt < 0) {
      const stuck = [...this.clients.values()].filter((c) => c.outstanding !== null || (this.remaining.get(c.id) ?? 0) > 0);
      // replica:view (* = changing view) / last executed / stable checkpoint / timer deadline
      const views = this.replicas.map(
        (r, i) =>
          `${i}${this.honest(i) ? '' : '(byz)'}${this.down[i] === null ? '' : '(down)'}:v${r.view}${r.status === 'viewChanging' ? '*' : ''}/e${r.lastExecuted}/h${r.stable.seq}/t${r.timerDeadline ?? '-'}`,
      );
      this.fail(
        `liveness: ${stuck.length} clients unfinished ${livenessBudget} ticks after healing; replicas ${views.join(' ')}`,
      );
    }
    const honestIds = [...Array(this.n).keys()].filter((i) => this.honest(i));
    return {
      seed: this.seed,
      n: this.n,
      knobs: this.k,
      byzantine: [...this.byzantine],
      ticks: this.now,
      healedAt: chaosTicks,
      completedAt,
      requests: this.k.clients * this.k.requestsPerClient,
      maxHeight: Math.max(...this.ledgers.map((l) => l.length)),
      maxView: Math.max(...honestIds.map((i) => (this.replicas[i] as ReplicaState).view)),
      ...this.stats,
      dropCodes: this.dropCodes,
      fingerprint: `${this.fingerprint.toString(16)}:${this.stats.messages}`,
      views: honestIds.map((i) => (this.replicas[i] as ReplicaState).view),
      ledgers: this.ledgers,
      lateCatchUp,
    };
  }

  /**
   * The idle phase of a late restart: replica `late` comes back into a cluster with nothing to do.
   * It must catch up without any request, and (no Byzantine replica) the cluster must then fall silent.
   */
  private idlePhase(late: number): { missed: number; ticks: number } {
    const height = (i: number) => (this.replicas[i] as ReplicaState).lastExecuted;
    const up = [...Array(this.n).keys()].filter((i) => this.honest(i) && i !== late && this.down[i] === null);
    const target = Math.max(...up.map(height));
    this.restartReplica(late);
    const missed = target - height(late);
    const start = this.now;
    const quietFrom = start + Math.floor((2 * this.k.idleTicks) / 3);
    let caughtUpAt = -1;
    let postsBeforeQuiet = 0;
    while (this.now < start + this.k.idleTicks) {
      this.now++;
      if (this.now === quietFrom) postsBeforeQuiet = this.replicaPosts;
      this.deliver();
      this.tickAll();
      if (caughtUpAt < 0 && height(late) >= target) caughtUpAt = this.now;
    }
    if (caughtUpAt < 0) {
      this.fail(`late restart: replica ${late} still at ${height(late)} of ${target} after ${this.k.idleTicks} idle ticks`);
    }
    const lateState = this.replicas[late] as ReplicaState;
    if (this.byzantine.size === 0 && this.replicaPosts !== postsBeforeQuiet) {
      this.fail(
        `idle cluster not silent: ${this.replicaPosts - postsBeforeQuiet} messages in the last third of the idle phase (late replica ${late}: catchUp ${lateState.catchUp === null ? 'done' : 'still on'})`,
      );
    }
    return { missed, ticks: caughtUpAt - start };
  }

  private allDone(): boolean {
    for (const c of this.clients.values()) if (c.outstanding !== null || (this.remaining.get(c.id) ?? 0) > 0) return false;
    return true;
  }

  private heal(): void {
    this.healed = true;
    this.partition = null;
    if (this.k.lateRestart && !this.k.healQuorumOnly && this.byzantine.size < this.f) {
      const honest = [...Array(this.n).keys()].filter((i) => this.honest(i));
      this.late = this.rng.pick(honest);
      if (this.down[this.late] === null) this.stats.crashes++;
      this.down[this.late] = Number.POSITIVE_INFINITY; // back only when every request has completed
    }
    if (this.k.healQuorumOnly) {
      const honest = [...Array(this.n).keys()].filter((i) => this.honest(i));
      for (const i of this.rng.shuffle(honest).slice(0, honest.length - (2 * this.f + 1))) {
        this.down[i] = Number.POSITIVE_INFINITY; // never comes back
        this.stats.crashes++;
      }
    }
    for (let i = 0; i < this.n; i++)
      if (this.down[i] !== null && this.down[i] !== Number.POSITIVE_INFINITY) this.restartReplica(i);
  }

  // ---- faults ----

  private faults(): void {
    if (this.healed) return;
    if (this.partition !== null && this.now >= this.partition.until) this.partition = null;
    if (this.partition === null && this.rng.chance(this.k.partitionRate)) {
      const side = new Set<number>();
      for (let i = 0; i < this.n; i++) if (this.rng.chance(0.5)) side.add(i);
      this.partition = { side, until: this.now + 20 + this.rng.int(150) };
    }
    for (let i = 0; i < this.n; i++) {
      const restartAt = this.down[i];
      if (restartAt != null && this.now >= restartAt) this.restartReplica(i);
      else if (restartAt == null && this.honest(i) && this.rng.chance(this.k.crashRate)) {
        // Crash: everything not persisted is lost; the replica comes back later from disk.
        this.down[i] = this.now + 5 + this.rng.int(80);
        this.stats.crashes++;
      }
    }
  }

  private restartReplica(i: number): void {
    this.down[i] = null;
    this.clockless[i] = this.k.clockReadyTicks;
    // From the bytes a disk would hold: the persistent state is encoded and decoded as hostile input.
    this.replicas[i] = restart(this.options[i] as ReplicaOptions, encodePersistentState(this.persisted[i] as PersistentState));
  }

  private cut(a: number, b: number): boolean {
    return this.partition !== null && this.partition.side.has(a) !== this.partition.side.has(b);
  }

  // ---- network ----

  private post(from: number | string, to: Address, payload: unknown): void {
    this.stats.messages++;
    if (typeof from === 'number' && to.kind === 'replica') this.replicaPosts++;
    if (!this.healed) {
      if (this.rng.chance(this.k.loss)) return;
      if ((payload as { type?: unknown } | null)?.type === 'checkpoint' && this.rng.chance(this.k.checkpointLoss)) {
        this.stats.checkpointsLost++;
        return;
      }
      const a = typeof from === 'number' ? from : -1;
      const b = to.kind === 'replica' ? to.id : -1;
      if (a >= 0 && b >= 0 && this.cut(a, b)) return;
      if (this.partition !== null && (a < 0 || b < 0) && this.rng.chance(0.3)) return; // clients see partitions too
    }
    const copies = !this.healed && this.rng.chance(this.k.duplicate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const at = this.now + 1 + this.rng.int(this.k.maxDelay);
      let list = this.queue.get(at);
      if (list === undefined) {
        list = [];
        this.queue.set(at, list);
      }
      list.push({ from, to, payload });
    }
  }

  private deliver(): void {
    const list = this.queue.get(this.now);
    if (list === undefined) return;
    this.queue.delete(this.now);
    for (const env of this.rng.shuffle(list)) {
      if (env.to.kind === 'client') {
        const client = this.clients.get(env.to.id);
        if (client === undefined) continue;
        this.clientInput(env.to.id, { type: 'reply', from: env.from as number, reply: env.payload });
        continue;
      }
      const id = env.to.id;
      if (this.down[id] !== null) continue;
      if (this.byzantine.has(id) && this.seen.length < 400) this.seen.push(env.payload);
      else if (this.byzantine.has(id)) this.seen[this.rng.int(this.seen.length)] = env.payload;
      const input =
        typeof env.from === 'string'
          ? ({ type: 'request', request: env.payload } as const)
          : ({ type: 'message', from: env.from, message: env.payload } as const);
      this.replicaInput(id, input);
    }
  }

  private tickAll(): void {
    const order = this.rng.shuffle([...Array(this.n).keys()]);
    for (const i of order) {
      if (this.down[i] !== null) continue;
      const clockless = (this.clockless[i] ?? 0) > 0;
      if (clockless) this.clockless[i] = (this.clockless[i] as number) - 1;
      this.replicaInput(i, clockless ? { type: 'tick' } : { type: 'tick', time: this.clock(i) });
      if (this.byzantine.has(i)) this.byzantineExtras(i);
    }
    for (const id of this.clients.keys()) this.clientInput(id, { type: 'tick' });
  }

  private submit(): void {
    for (const [id, client] of this.clients) {
      const left = this.remaining.get(id) ?? 0;
      if (client.outstanding === null && left > 0 && this.rng.chance(0.2)) {
        this.remaining.set(id, left - 1);
        const size = 1 + this.rng.int(this.k.operationBytes);
        const operation = new Uint8Array(size).fill(this.k.requestsPerClient - left);
        operation.set(new TextEncoder().encode(`${id}/op${this.k.requestsPerClient - left}`).subarray(0, size));
        this.clientInput(id, { type: 'submit', operation });
      }
    }
  }

  // ---- stepping and checking ----

  private clientInput(id: string, input: Parameters<typeof clientStep>[1]): void {
    const { state, effects } = clientStep(this.clients.get(id) as ClientState, input);
    this.clients.set(id, state);
    for (const e of effects) this.clientEffect(id, e);
  }

  private clientEffect(id: string, e: ClientEffect): void {
    if (e.type === 'send') this.post(id, { kind: 'replica', id: e.to }, e.request);
    else if (e.type === 'broadcast') for (let i = 0; i < this.n; i++) this.post(id, { kind: 'replica', id: i }, e.request);
    else if (e.type === 'result') {
      // The f + 1 matching replies must name the place where the request really is on the ledger.
      const view = new DataView(e.result.buffer, e.result.byteOffset, e.result.byteLength);
      const seq = view.getUint32(0) * 2 ** 32 + view.getUint32(4);
      const index = view.getUint32(8);
      const block = this.canonical.get(seq);
      const at = block?.batch[index];
      if (at === undefined || at.client !== e.request.client || at.timestamp !== e.request.timestamp) {
        this.fail(`client ${id} accepted result (seq ${seq}, index ${index}) that is not its request on the ledger`);
      }
      if (!bytesEqual(e.result, executionResult(seq, index))) this.fail('result encoding');
      // Item 4: the client's view is vouched for by a correct replica, so no later than theirs.
      const honestMax = Math.max(
        ...[...Array(this.n).keys()].filter((i) => this.honest(i)).map((i) => (this.replicas[i] as ReplicaState).view),
      );
      if (e.view > honestMax) this.fail(`client ${id} moved to view ${e.view}, beyond every correct replica (${honestMax})`);
      this.mix(seq * 31 + index);
    }
  }

  private replicaInput(i: number, input: Parameters<typeof step>[1]): void {
    const before = this.replicas[i] as ReplicaState;
    const { state, effects } = step(before, input);
    this.replicas[i] = state;
    if (this.honest(i) && state.view > before.view) this.stats.viewChanges++;
    for (const e of effects) this.replicaEffect(i, e);
  }

  /** An honest replica never sends two different messages where the protocol allows one (crashes included). */
  private checkSaid(i: number, m: ReplicaMessage): void {
    let key: string | null = null;
    let value = '';
    if (m.type === 'prePrepare' && m.replica === i) {
      key = `pp/${m.view}/${m.seq}`;
      value = bytesToHex(m.digest);
    } else if ((m.type === 'prepare' || m.type === 'commit') && m.replica === i) {
      key = `${m.type}/${i}/${m.view}/${m.seq}`;
      value = bytesToHex(m.digest);
    } else if (m.type === 'viewChange' && m.replica === i) {
      key = `vc/${i}/${m.view}`;
      value = bytesToHex(viewChangeSignable(m));
    }
    if (key === null) return;
    const known = this.said.get(key);
    if (known === undefined) this.said.set(key, value);
    else if (known !== value) this.fail(`SAFETY: honest replica ${i} contradicted itself (${key})`);
  }

  private replicaEffect(i: number, e: ReplicaEffect): void {
    switch (e.type) {
      case 'persist':
        this.persisted[i] = e.state;
        return;
      case 'send':
        if (this.byzantine.has(i)) {
          this.byzantineSend(i, [e.to], e.message);
          return;
        }
        this.checkSaid(i, e.message);
        this.post(i, { kind: 'replica', id: e.to }, e.message);
        return;
      case 'broadcast': {
        const targets = [...Array(this.n).keys()].filter((j) => j !== i);
        if (this.byzantine.has(i)) {
          this.byzantineSend(i, targets, e.message);
          return;
        }
        this.checkSaid(i, e.message);
        for (const j of targets) this.post(i, { kind: 'replica', id: j }, e.message);
        return;
      }
      case 'reply':
        if (this.byzantine.has(i) && this.has(i, 'silent')) return;
        if (this.byzantine.has(i) && this.has(i, 'lyingReplies')) {
          // The right result, but a view far ahead: one reply must not move the client (item 4).
          this.stats.lyingReplies++;
          this.post(i, { kind: 'client', id: e.client }, { ...e.reply, view: 2 ** 53 - 3 });
          return;
        }
        if (this.byzantine.has(i)) {
          // A Byzantine replica lies about the result.
          this.post(i, { kind: 'client', id: e.client }, { ...e.reply, result: executionResult(999, 0) });
          return;
        }
        this.post(i, { kind: 'client', id: e.client }, e.reply);
        return;
      case 'execute':
        if (this.honest(i)) this.checkExecute(i, e);
        return;
      case 'stateTransferred':
        if (this.honest(i)) this.syncLedger(i, e.seq, e.chainHead);
        return;
      case 'viewEntered':
        this.mix(e.view);
        return;
      case 'drop':
        this.stats.drops++;
        if (this.honest(i)) this.dropCodes[e.code] = (this.dropCodes[e.code] ?? 0) + 1;
        if (this.honest(i) && typeof e.from === 'number' && this.honest(e.from) && SIGNATURE_CODES.has(e.code)) {
          this.fail(`honest replica ${i} rejected a message of honest replica ${e.from}: ${e.reason}`);
        }
        return;
    }
  }

  private checkExecute(i: number, e: Extract<ReplicaEffect, { type: 'execute' }>): void {
    const ledger = this.ledgers[i] as Block[];
    if (e.seq !== ledger.length + 1) this.fail(`replica ${i} executed seq ${e.seq} but its ledger has ${ledger.length} blocks`);
    const known = this.canonical.get(e.seq);
    if (known === undefined) this.canonical.set(e.seq, { head: e.chainHead, batch: e.batch });
    else if (!bytesEqual(known.head, e.chainHead)) {
      this.fail(
        `SAFETY: replica ${i} committed a different batch at seq ${e.seq} (head ${bytesToHex(e.chainHead).slice(0, 12)} vs ${bytesToHex(known.head).slice(0, 12)})`,
      );
    }
    // Item 10: a block's time was accepted by at least one correct replica within its clock bound.
    let latest = 0;
    for (let j = 0; j < this.n; j++) if (this.honest(j)) latest = Math.max(latest, this.clock(j));
    if (e.time > latest + this.k.maxClockSkew) {
      this.fail(`block ${e.seq} has time ${e.time}, beyond every correct clock (${latest}) and the skew ${this.k.maxClockSkew}`);
    }
    const keys = this.executedKeys[i] as Set<string>;
    for (const index of e.executed) {
      const r = e.batch[index] as Request;
      const key = `${r.client}/${r.timestamp}`;
      if (keys.has(key)) this.fail(`replica ${i} executed request ${key} twice (again at seq ${e.seq})`);
      keys.add(key);
    }
    const previous = ledger[ledger.length - 1]?.hash;
    const block = blockFromExecution(e, previous);
    if (!bytesEqual(block.hash, e.chainHead))
      this.fail(`replica ${i}: block hash differs from the replica's chain head at ${e.seq}`);
    ledger.push(block);
    this.mix(e.seq);
    this.mix(block.hash[0] as number);
  }

  /** After a state transfer, the replica's ledger is synced from a peer's blocks up to the attested head. */
  private syncLedger(i: number, seq: number, head: Uint8Array): void {
    this.stats.stateTransfers++;
    const ledger = this.ledgers[i] as Block[];
    const known = this.canonical.get(seq);
    if (known === undefined || !bytesEqual(known.head, head))
      this.fail(`SAFETY: replica ${i} transferred to a head unknown at seq ${seq}`);
    if (ledger.length >= seq) return;
    for (let j = 0; j < this.n; j++) {
      const source = this.ledgers[j] as Block[];
      if (j === i || !this.honest(j) || source.length < seq) continue;
      if (!bytesEqual((source[seq - 1] as Block).hash, head)) this.fail(`SAFETY: ledger ${j} disagrees at ${seq}`);
      for (let h = ledger.length; h < seq; h++) ledger.push(source[h] as Block);
      // Executed-at-most-once continues from what the synced chain executed (same dedup rule).
      this.executedKeys[i] = executedInChain(ledger);
      return;
    }
    this.fail(`replica ${i}: no honest ledger reaches height ${seq} to sync from`);
  }

  // ---- Byzantine behaviour ----

  private has(i: number, b: ByzantineBehaviour): boolean {
    return this.behaviours.get(i)?.has(b) ?? false;
  }

  private byzantineSend(i: number, targets: number[], message: ReplicaMessage): void {
    if (this.has(i, 'silent')) return;
    const crypto = this.keys.crypto(i);
    if (message.type === 'prePrepare' && message.replica === i && this.has(i, 'clock')) {
      // A primary that lies about time: its backups must refuse the batch (item 10).
      const time = this.rng.pick([
        2 ** 53 - 1,
        0,
        message.time + 5 * this.k.maxClockSkew,
        Math.max(0, message.time - 5 * this.k.maxClockSkew),
      ]);
      const unsigned = {
        view: message.view,
        seq: message.seq,
        digest: orderingDigest(time, batchDigest(message.batch)),
        time,
        replica: i,
      };
      const lying: PrePrepare = { ...message, ...unsigned, signature: crypto.sign(prePrepareSignable(unsigned)) };
      this.stats.clockAttacks++;
      for (const j of targets) this.post(i, { kind: 'replica', id: j }, lying);
      return;
    }
    if (message.type === 'prePrepare' && this.has(i, 'equivocate')) {
      // An equivocating primary: half the backups get another batch for the same (v, n).
      const batch = message.batch.length > 0 ? message.batch.slice(0, -1) : [];
      const unsigned = {
        view: message.view,
        seq: message.seq,
        digest: orderingDigest(message.time, batchDigest(batch)),
        time: message.time,
        replica: i,
      };
      const other: PrePrepare = { ...message, ...unsigned, batch, signature: crypto.sign(prePrepareSignable(unsigned)) };
      for (const j of targets) this.post(i, { kind: 'replica', id: j }, j % 2 === 0 ? message : other);
      return;
    }
    if ((message.type === 'prepare' || message.type === 'commit') && this.has(i, 'equivocate')) {
      for (const j of targets) {
        if (this.rng.chance(0.5)) this.post(i, { kind: 'replica', id: j }, message);
        else {
          const unsigned = { view: message.view, seq: message.seq, digest: this.rng.bytes(32), replica: i };
          this.post(
            i,
            { kind: 'replica', id: j },
            { ...message, ...unsigned, signature: crypto.sign(prepareSignable(unsigned)) },
          );
        }
      }
      return;
    }
    for (const j of targets) this.post(i, { kind: 'replica', id: j }, message);
  }

  /** Extra hostile traffic, once per tick with some probability. */
  private byzantineExtras(i: number): void {
    if (!this.rng.chance(0.15)) return;
    const state = this.replicas[i] as ReplicaState;
    const crypto = this.keys.crypto(i);
    const target = this.rng.int(this.n);
    if (target === i) return;
    const to: Address = { kind: 'replica', id: target };
    const other = (i + 1 + this.rng.int(this.n - 1)) % this.n;
    const behaviour = this.rng.pick([...(this.behaviours.get(i) ?? [])]);
    switch (behaviour) {
      case 'forge': {
        const forged = this.rng.pick<unknown>([
          {
            type: 'prepare',
            view: state.view,
            seq: state.lastExecuted + 1,
            digest: this.rng.bytes(32),
            replica: other,
            signature: this.rng.bytes(8),
          },
          {
            type: 'commit',
            view: state.view,
            seq: state.lastExecuted + 1,
            digest: this.rng.bytes(32),
            replica: other,
            signature: this.rng.bytes(64),
          },
          {
            type: 'prePrepare',
            view: state.view,
            seq: state.seqAssigned + 1,
            digest: this.rng.bytes(32),
            time: 0,
            replica: primaryOf(state.view, this.n),
            signature: this.rng.bytes(8),
            batch: [],
          },
          { type: 'suspect', view: state.view, replica: other, signature: this.rng.bytes(8) },
          { type: 'request', client: 'client-0', timestamp: 1e6, operation: new Uint8Array(3), signature: this.rng.bytes(8) },
          null,
          42,
          'prepare',
          [],
          { type: 'prepare' },
          { type: 'commit', view: -1, seq: 1.5, digest: 'x', replica: 99, signature: null },
          { type: 'viewChange', view: 1, prepared: new Array(100_000) },
          { type: 'newView', view: 2 ** 60, viewChanges: 'no', prePrepares: [] },
          {
            type: 'stateTransfer',
            snapshot: { seq: 1e9, chainHead: this.rng.bytes(32), time: 0, clients: [] },
            proof: [],
            replica: i,
          },
          { type: 'status', replica: i, view: 0, viewChanging: 'yes', lastExecuted: 0, stableSeq: 0 },
          { type: 'nonsense', replica: i },
          Object.create(null),
        ]);
        this.post(i, to, forged);
        return;
      }
      case 'replay':
        if (this.seen.length > 0) this.post(i, to, this.rng.pick(this.seen));
        return;
      case 'wrongViewSeq': {
        const view = Math.max(0, state.view + this.rng.int(5) - 2);
        const seq = this.rng.pick([
          0,
          state.lastExecuted + 1,
          state.stable.seq + this.k.logWindow + 1 + this.rng.int(50),
          2 ** 40,
        ]);
        const unsigned = { view, seq, digest: this.rng.bytes(32), replica: i };
        const message = this.rng.chance(0.5)
          ? { type: 'prepare', ...unsigned, signature: crypto.sign(prepareSignable(unsigned)) }
          : { type: 'commit', ...unsigned, signature: crypto.sign(prepareSignable(unsigned)) };
        this.post(i, to, message);
        return;
      }
      case 'bogusCheckpoint': {
        const seq =
          (Math.floor(state.lastExecuted / this.k.checkpointInterval) + 1 + this.rng.int(3)) * this.k.checkpointInterval;
        const unsigned = { seq, digest: this.rng.bytes(32), replica: i };
        this.post(i, to, { type: 'checkpoint', ...unsigned, signature: crypto.sign(checkpointSignable(unsigned)) });
        return;
      }
      case 'bogusViewChange': {
        const view = state.view + 1 + this.rng.int(3);
        // A checkpoint "proof" signed only by itself, and a prepared certificate with too few PREPAREs.
        const stableSeq = this.k.checkpointInterval * (1 + this.rng.int(5));
        const cp = { seq: stableSeq, digest: this.rng.bytes(32), replica: i };
        const checkpoint = { type: 'checkpoint' as const, ...cp, signature: crypto.sign(checkpointSignable(cp)) };
        const batch: Request[] = [];
        const ppu = {
          view: view - 1,
          seq: stableSeq + 1,
          digest: orderingDigest(0, batchDigest(batch)),
          time: 0,
          replica: primaryOf(view - 1, this.n),
        };
        const prePrepare: PrePrepare = { type: 'prePrepare', ...ppu, signature: crypto.sign(prePrepareSignable(ppu)), batch };
        const unsigned = {
          view,
          stableSeq,
          stableDigest: cp.digest,
          checkpointProof: [checkpoint],
          prepared: [{ prePrepare, prepares: [] }],
          replica: i,
        };
        const vc: ViewChange = { type: 'viewChange', ...unsigned, signature: crypto.sign(viewChangeSignable(unsigned)) };
        this.post(i, to, vc);
        if (primaryOf(view, this.n) === i) {
          const nvu = { view, viewChanges: [vc], prePrepares: [], replica: i };
          this.post(i, to, { type: 'newView', ...nvu, signature: crypto.sign(newViewSignable(nvu)) });
        }
        return;
      }
      case 'oversizedNewView': {
        // Item 2: a genuine VIEW-CHANGE with every prepared certificate this replica holds, alone in a
        // NEW-VIEW for the next view it leads; the target must refuse it before any signature.
        let view = state.view + 1;
        while (primaryOf(view, this.n) !== i) view++;
        const unsigned = {
          view,
          stableSeq: state.stable.seq,
          stableDigest: state.stable.digest,
          checkpointProof: state.stable.proof,
          prepared: [...state.prepared.values()].filter((p) => p.prePrepare.view < view),
          replica: i,
        };
        const vc: ViewChange = { type: 'viewChange', ...unsigned, signature: crypto.sign(viewChangeSignable(unsigned)) };
        const nvu = { view, viewChanges: [vc], prePrepares: [], replica: i };
        this.stats.dosMessages++;
        this.post(i, to, { type: 'newView', ...nvu, signature: crypto.sign(newViewSignable(nvu)) });
        return;
      }
      case 'statusFlood': {
        // Item 3: many small STATUS messages asking for everything.
        for (let k = 0; k < 5; k++) {
          this.stats.dosMessages++;
          this.post(i, to, { type: 'status', replica: i, view: state.view, viewChanging: false, lastExecuted: 0, stableSeq: 0 });
        }
        return;
      }
      case 'accuse': {
        // Item 6: accusations of the current view from f replicas alone move nobody.
        this.stats.accusations++;
        const view = (this.replicas[target] as ReplicaState).view;
        this.post(i, to, { type: 'suspect', view, replica: i, signature: crypto.sign(suspectSignable({ view, replica: i })) });
        return;
      }
      default:
        return;
    }
  }
}

/** The (client, timestamp) keys a chain executes: a request runs iff its timestamp is newer than the client's last. */
export function executedInChain(blocks: readonly Block[]): Set<string> {
  const last = new Map<string, number>();
  const keys = new Set<string>();
  for (const block of blocks) {
    for (const r of block.batch) {
      if ((last.get(r.client) ?? 0) >= r.timestamp) continue;
      last.set(r.client, r.timestamp);
      keys.add(`${r.client}/${r.timestamp}`);
    }
  }
  return keys;
}

/** A signed request, for tests that drive replicas by hand. */
export function makeRequest(keys: FakeKeys, client: string, timestamp: number, text: string): Request {
  const operation = new TextEncoder().encode(text);
  return {
    type: 'request',
    client,
    timestamp,
    operation,
    signature: keys.clientSigner(client)(requestSignable({ client, timestamp, operation })),
  };
}
