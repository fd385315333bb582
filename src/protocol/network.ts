/**
 * The verification nodes (Huang et al. 2020, section 4.2.10): each runs a PBFT replica
 * (`medshare/pbft`), keeps the ledger (`medshare/ledger`) and applies every committed block to its
 * copy of the smart contract ({@link applyBlock}), keeping the contract-state hash alongside each
 * block. {@link VerificationNetwork} runs 3f + 1 of them in one process on a perfect FIFO network
 * with logical ticks, so that a story is reproducible; nodes can crash and restart from what
 * they persisted and catch up.
 *
 * What a node persists, and where: the bytes of its replica's persistent state
 * (`encodePersistentState` of `medshare/pbft`, written before any message of the step is sent) and
 * its block store, both through a `NodeStorage` ({@link NetworkOptions.storage}): in memory by
 * default, or, in Node, `DirectoryNodeStorage` of `medshare/ledger/file`, a directory per node
 * holding `replica.state` (written crash-safely: a temporary file, fsync, rename, fsync of the
 * directory) and `ledger.bin` (a `FileBlockStore`), from which a restart reads them back alone. A state file that is torn or altered
 * makes the restart refuse (the replica could otherwise contradict what it sent before the crash).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesEqual } from '../internal/bytes.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { RandomSource } from '../internal/random.js';
import {
  type Block,
  type BlockStore,
  blockFromExecution,
  MemoryNodeStorage,
  type NodeStorage,
  verifyChain,
} from '../ledger/index.js';
import {
  type ClientEffect,
  type ClientState,
  clientStep,
  createClient,
  createReplica,
  ed25519Crypto,
  ed25519ReplicaVerifier,
  ed25519Signer,
  encodePersistentState,
  persistentState,
  type ReplicaOptions,
  type ReplicaCrypto,
  type ReplicaEffect,
  type ReplicaInput,
  type ReplicaMessage,
  type ReplicaState,
  restart,
  step,
} from '../pbft/index.js';
import {
  applyTransaction,
  type ContractConfig,
  type ContractState,
  contractStateHash,
  createContractState,
  type Outcome,
} from './contract.js';
import type { ContractDeps } from './proof-system.js';
import { transactionId } from './transactions.js';
import { ArgumentValueError, MedshareError } from '../internal/errors.js';

/** A node's contract replica: the contract state, the height it reflects, and PBFT's per-client clock. */
export interface LedgerContractState {
  /** Height of the last block applied. */
  readonly height: number;
  /** The contract state after that block. */
  readonly contract: ContractState;
  /** The last request timestamp executed per PBFT client (PBFT executes each request at most once). */
  readonly requestClock: ReadonlyMap<string, number>;
}

/** What one executed request did, as a node recorded it. */
export interface Receipt {
  /** Block height (PBFT sequence number). */
  readonly height: number;
  /** Index in the block's batch. */
  readonly index: number;
  /** PBFT client that sent it. */
  readonly client: string;
  /** PBFT request timestamp. */
  readonly timestamp: number;
  /** Hex SHA-256 of the transaction bytes. */
  readonly transactionId: string;
  /** The contract's outcome. */
  readonly outcome: Outcome;
}

/** What {@link applyBlock} returns. */
export interface AppliedBlock {
  /** The node's contract replica after the block. */
  readonly state: LedgerContractState;
  /** A receipt per executed request, in batch order. */
  readonly receipts: Receipt[];
}

/** The state before the first block. */
export function createLedgerContractState(): LedgerContractState {
  return { height: 0, contract: createContractState(), requestClock: new Map() };
}

/**
 * Applies one block: each request whose timestamp is newer than its client's last one goes to the
 * contract, in batch order (the requests PBFT executes; the others are retransmissions).
 * @param state - the node's contract replica
 * @param block - the next block (height = state.height + 1)
 * @param config - the contract's genesis parameters
 * @param deps - the proof verifier
 * @returns the next state and a receipt per executed request
 * @throws RangeError if the block is not the next one
 */
export function applyBlock(state: LedgerContractState, block: Block, config: ContractConfig, deps: ContractDeps): AppliedBlock {
  if (block.height !== state.height + 1)
    throw new ArgumentValueError('block', `height ${block.height}, expected ${state.height + 1}`);
  let contract = state.contract;
  const requestClock = new Map(state.requestClock);
  const receipts: Receipt[] = [];
  block.batch.forEach((request, index) => {
    if ((requestClock.get(request.client) ?? 0) >= request.timestamp) return;
    requestClock.set(request.client, request.timestamp);
    const applied = applyTransaction(contract, request.operation, config, deps, block.time);
    contract = applied.state;
    receipts.push({
      height: block.height,
      index,
      client: request.client,
      timestamp: request.timestamp,
      transactionId: transactionId(request.operation),
      outcome: applied.outcome,
    });
  });
  return { state: { height: block.height, contract, requestClock }, receipts };
}

/** One verification node: its replica, ledger, contract and the contract-state hash per block. */
export interface VerificationNode {
  /** Replica index. */
  readonly id: number;
  /** False while crashed. */
  up: boolean;
  /** The PBFT replica (volatile). */
  replica: ReplicaState;
  /** The block store, from its {@link NodeStorage} (it survives a crash). */
  store: BlockStore;
  /** Contract-state hash after each block, at index height - 1 (recomputed from the blocks on a restart). */
  readonly stateHashes: Uint8Array[];
  /** The contract replica (rebuilt from the block store after a crash). */
  ledger: LedgerContractState;
  /** Receipts of executed requests, by `client/timestamp`. */
  readonly receipts: Map<string, Receipt>;
  /** The error that crashed the node, when a write of its replica state failed (null otherwise). */
  failure: Error | null;
}

/** Options of {@link VerificationNetwork}. */
export interface NetworkOptions {
  /** Number of verification nodes, 3f + 1 (default 4). */
  readonly n?: number;
  /** The contract's genesis parameters. */
  readonly config: ContractConfig;
  /** The proof verifier. */
  readonly deps: ContractDeps;
  /** Randomness for the nodes' and clients' Ed25519 keys. */
  readonly random: RandomSource;
  /**
   * The nodes' clock, in seconds: read on every logical tick and passed to each replica, whose
   * primary stamps each batch (block) with it and whose backups refuse a batch time more than the
   * contract's maxClockSkew from it. Block time is the contract clock.
   */
  readonly clock: () => number;
  /** PBFT checkpoint interval K (default 64). */
  readonly checkpointInterval?: number;
  /** Most logical ticks one call may take before it gives up (default 20 000). */
  readonly maxTicks?: number;
  /**
   * Where node `id` keeps what it persists (default: a {@link MemoryNodeStorage} each). In Node,
   * `(id) => new DirectoryNodeStorage(join(dir, \`node-\${id}\`))` of `medshare/ledger/file` keeps
   * each node's replica state and ledger in files.
   */
  readonly storage?: (id: number) => NodeStorage;
}

/** Counters of {@link VerificationNetwork}. */
export interface NetworkStats {
  /** PBFT state transfers completed by nodes that fell behind a stable checkpoint. */
  stateTransfers: number;
  /** Blocks fetched from peers (and checked) after those transfers. */
  blocksSynced: number;
  /** Messages delivered (replica to replica, client to replica, replica to client). */
  messages: number;
  /** Transactions submitted. */
  transactions: number;
  /** Writes of a replica state that failed (each crashed its node). */
  writeFailures: number;
}

/** What {@link VerificationNetwork.submit} returns. */
export interface Submission {
  /** The receipt of the first node that is up. */
  readonly receipt: Receipt;
  /** True iff every node that is up and has executed it recorded the same outcome. */
  readonly agreed: boolean;
  /** How many nodes had executed it when the call returned (at least 2f + 1 while f or fewer are down). */
  readonly executedBy: number;
  /** Logical ticks the request took. */
  readonly ticks: number;
  /** Messages delivered while it ran. */
  readonly messages: number;
}

type Envelope =
  | { readonly to: 'replica'; readonly id: number; readonly input: ReplicaInput }
  | { readonly to: 'client'; readonly id: string; readonly from: number; readonly reply: unknown };

/** 3f + 1 verification nodes and their clients in one process (see the module documentation). */
export class VerificationNetwork {
  /** The nodes. */
  readonly nodes: VerificationNode[];
  /** Number of nodes. */
  readonly n: number;
  /** The contract's genesis parameters, the same at every node. */
  readonly config: ContractConfig;
  /** Counters of catching up. */
  readonly stats: NetworkStats = { stateTransfers: 0, blocksSynced: 0, messages: 0, transactions: 0, writeFailures: 0 };
  private readonly options: NetworkOptions;
  private readonly replicaKeys: Uint8Array[];
  private readonly clientKeys = new Map<string, Uint8Array>();
  private readonly clients = new Map<string, ClientState>();
  private readonly results = new Map<string, number>();
  private readonly queue: Envelope[] = [];
  private readonly cryptos: ReplicaCrypto[] = [];
  private readonly storage: NodeStorage[] = [];

  /** Creates the nodes, each with a fresh Ed25519 key, in view 0 with empty ledgers. */
  constructor(options: NetworkOptions) {
    this.options = options;
    this.config = options.config;
    this.n = options.n ?? 4;
    const secrets = Array.from({ length: this.n }, () => options.random(32));
    this.replicaKeys = secrets.map((s) => ed25519.getPublicKey(s));
    this.nodes = secrets.map((secretKey, id) => {
      const crypto = ed25519Crypto({ secretKey, replicaKeys: this.replicaKeys, clientKey: (c) => this.clientKeys.get(c) });
      this.cryptos.push(crypto);
      const storage = options.storage?.(id) ?? new MemoryNodeStorage();
      this.storage.push(storage);
      const replica = createReplica(this.replicaOptions(id));
      storage.saveReplica(encodePersistentState(persistentState(replica)));
      return {
        id,
        up: true,
        replica,
        store: storage.openStore(),
        stateHashes: [],
        ledger: createLedgerContractState(),
        receipts: new Map(),
        failure: null,
      };
    });
  }

  private replicaOptions(id: number): ReplicaOptions {
    return {
      id,
      n: this.n,
      crypto: this.cryptos[id] as ReplicaCrypto,
      checkpointInterval: this.options.checkpointInterval ?? 64,
      maxClockSkew: this.options.config.maxClockSkew,
    };
  }

  /** Enrols a PBFT client (a party's gateway to the nodes) with a fresh Ed25519 key. Idempotent. */
  addClient(id: string): void {
    if (this.clients.has(id)) return;
    const secret = this.options.random(32);
    this.clientKeys.set(id, ed25519.getPublicKey(secret));
    this.clients.set(id, createClient({ id, n: this.n, sign: ed25519Signer(secret) }));
  }

  /** The height every node that is up has reached, or the highest one. */
  get height(): number {
    return Math.max(...this.nodes.map((node) => node.store.height));
  }

  /**
   * Submits a transaction from client `client` and runs the network until the client has f + 1
   * matching replies and no message is in flight. A node that is behind (restarted) may not have
   * executed it yet; it catches up as PBFT lets it (see {@link VerificationNetwork.settle}).
   * @throws Error if the network makes no progress within maxTicks
   */
  submit(client: string, operation: Uint8Array): Submission {
    this.addClient(client);
    const before = this.stats.messages;
    this.stats.transactions++;
    const state = this.clients.get(client) as ClientState;
    const { state: next, effects } = clientStep(state, { type: 'submit', operation });
    this.clients.set(client, next);
    this.clientEffects(effects);
    const key = `${client}/${next.lastTimestamp}`;
    const ticks = this.run(() => this.results.has(key) && this.queue.length === 0);
    const receipts = this.nodes.flatMap((node) => {
      const receipt = node.up ? node.receipts.get(key) : undefined;
      return receipt === undefined ? [] : [receipt];
    });
    const first = receipts[0];
    if (first === undefined) throw new MedshareError('ERR_NETWORK', `no node recorded a receipt for ${key}`);
    const agreed = receipts.every((r) => JSON.stringify(r.outcome) === JSON.stringify(first.outcome));
    return { receipt: first, agreed, executedBy: receipts.length, ticks, messages: this.stats.messages - before };
  }

  /**
   * Runs the network (ticks and messages) until every node that is up has the same height.
   * @returns the logical ticks it took
   * @throws Error if that does not happen within maxTicks
   */
  settle(): number {
    return this.run(() => this.queue.length === 0 && this.nodes.every((node) => !node.up || node.store.height === this.height));
  }

  /**
   * Crashes node `id`: it stops receiving and everything it holds in memory is lost; what it
   * persisted (its replica state and its blocks) is kept.
   */
  crash(id: number): void {
    const node = this.node(id);
    node.up = false;
    (this.storage[id] as NodeStorage).crash();
  }

  /**
   * Restarts node `id` from what it persisted alone (its files, with a directory): PBFT `restart`
   * from the replica-state bytes, the block store reopened, and the contract rebuilt by replaying
   * the blocks. Blocks the replica executed but the store lacks (a crash between the two writes)
   * are fetched from peers and checked. The node catches up on what it missed as PBFT does: when
   * the next request reaches it, it asks its peers (STATUS) for the missing messages, or for a
   * state transfer and then the blocks.
   * @throws EncodingError (`ERR_ENCODING`) if the replica state is torn or altered: the node must not run
   * @throws LedgerCorruptionError if the ledger file is damaged other than by a torn last write
   */
  restart(id: number): void {
    const node = this.node(id);
    const storage = this.storage[id] as NodeStorage;
    node.replica = restart(this.replicaOptions(id), storage.loadReplica());
    node.store = storage.openStore();
    let ledger = createLedgerContractState();
    node.stateHashes.length = 0;
    node.receipts.clear();
    for (const block of node.store.blocks()) {
      const applied = applyBlock(ledger, block, this.options.config, this.options.deps);
      ledger = applied.state;
      node.stateHashes[block.height - 1] = contractStateHash(ledger.contract);
      for (const r of applied.receipts) node.receipts.set(`${r.client}/${r.timestamp}`, r);
    }
    node.ledger = ledger;
    node.up = true;
    node.failure = null;
    if (node.store.height < node.replica.lastExecuted) {
      this.syncFromPeers(node, node.replica.lastExecuted, node.replica.chainHead);
    }
  }

  /** True iff every node that is up has the same height, ledger head and contract-state hash. */
  agree(): boolean {
    const up = this.nodes.filter((node) => node.up);
    const first = up[0] as VerificationNode;
    const hash = contractStateHash(first.ledger.contract);
    return up.every(
      (node) =>
        node.store.height === first.store.height &&
        bytesEqual(node.store.head(), first.store.head()) &&
        bytesEqual(contractStateHash(node.ledger.contract), hash),
    );
  }

  /** Checks node `id`'s chain: links, Merkle roots, hashes and every commit certificate. */
  verifyLedger(id: number): ReturnType<typeof verifyChain> {
    return verifyChain(this.node(id).store.blocks(), { n: this.n, crypto: ed25519ReplicaVerifier(this.replicaKeys) });
  }

  private node(id: number): VerificationNode {
    const node = this.nodes[id];
    if (node === undefined) throw new ArgumentValueError('node', `${id}: no such node`);
    return node;
  }

  private run(done: () => boolean): number {
    const maxTicks = this.options.maxTicks ?? 20_000;
    let ticks = 0;
    while (!done()) {
      const envelope = this.queue.shift();
      if (envelope !== undefined) {
        this.deliver(envelope);
        continue;
      }
      if (++ticks > maxTicks) throw new MedshareError('ERR_NETWORK', `no progress after ${maxTicks} ticks`);
      const time = this.options.clock();
      for (const node of this.nodes) if (node.up) this.stepReplica(node, { type: 'tick', time });
      for (const [id, client] of this.clients) {
        const { state, effects } = clientStep(client, { type: 'tick' });
        this.clients.set(id, state);
        this.clientEffects(effects);
      }
    }
    return ticks;
  }

  private deliver(envelope: Envelope): void {
    this.stats.messages++;
    if (envelope.to === 'replica') {
      const node = this.node(envelope.id);
      if (node.up) this.stepReplica(node, envelope.input);
      return;
    }
    const client = this.clients.get(envelope.id);
    if (client === undefined) return;
    const { state, effects } = clientStep(client, { type: 'reply', from: envelope.from, reply: envelope.reply });
    this.clients.set(envelope.id, state);
    this.clientEffects(effects);
  }

  private clientEffects(effects: readonly ClientEffect[]): void {
    for (const e of effects) {
      if (e.type === 'send') this.queue.push({ to: 'replica', id: e.to, input: { type: 'request', request: e.request } });
      else if (e.type === 'broadcast') {
        for (let i = 0; i < this.n; i++)
          this.queue.push({ to: 'replica', id: i, input: { type: 'request', request: e.request } });
      } else if (e.type === 'result') this.results.set(`${e.request.client}/${e.request.timestamp}`, e.view);
    }
  }

  private stepReplica(node: VerificationNode, input: ReplicaInput): void {
    const { state, effects } = step(node.replica, input);
    node.replica = state;
    for (const e of effects) {
      if (!node.up) return; // crashed while carrying out the effects (a failed write)
      this.replicaEffect(node, e);
    }
  }

  private post(from: number, to: number, message: ReplicaMessage): void {
    this.queue.push({ to: 'replica', id: to, input: { type: 'message', from, message } });
  }

  private replicaEffect(node: VerificationNode, e: ReplicaEffect): void {
    switch (e.type) {
      case 'persist':
        try {
          (this.storage[node.id] as NodeStorage).saveReplica(encodePersistentState(e.state));
        } catch (error) {
          // A node that cannot make its state durable must not send what depends on it: it crashes.
          this.crash(node.id);
          this.stats.writeFailures++;
          node.failure = error as Error;
        }
        return;
      case 'send':
        this.post(node.id, e.to, e.message);
        return;
      case 'broadcast':
        for (let j = 0; j < this.n; j++) if (j !== node.id) this.post(node.id, j, e.message);
        return;
      case 'reply':
        this.queue.push({ to: 'client', id: e.client, from: node.id, reply: e.reply });
        return;
      case 'execute':
        this.append(node, blockFromExecution(e, node.store.head()));
        return;
      case 'stateTransferred':
        this.syncFromPeers(node, e.seq, e.chainHead);
        return;
      default:
        return;
    }
  }

  private append(node: VerificationNode, block: Block): void {
    node.store.append(block);
    const { state, receipts } = applyBlock(node.ledger, block, this.options.config, this.options.deps);
    node.ledger = state;
    node.stateHashes[block.height - 1] = contractStateHash(state.contract);
    for (const r of receipts) node.receipts.set(`${r.client}/${r.timestamp}`, r);
  }

  /** After a PBFT state transfer, fetches the missing blocks from a peer, checks them, and applies them. */
  private syncFromPeers(node: VerificationNode, seq: number, head: Uint8Array): void {
    this.stats.stateTransfers++;
    if (node.store.height >= seq) return;
    for (const peer of this.nodes) {
      if (peer === node || peer.store.height < seq) continue;
      const missing: Block[] = [];
      for (let h = node.store.height + 1; h <= seq; h++) missing.push(peer.store.get(h) as Block);
      const verdict = verifyChain(missing, {
        n: this.n,
        crypto: ed25519ReplicaVerifier(this.replicaKeys),
        after: { height: node.store.height, hash: node.store.head() },
      });
      if (!verdict.valid || !bytesEqual(verdict.head, head)) continue;
      for (const block of missing) this.append(node, block);
      this.stats.blocksSynced += missing.length;
      return;
    }
    throw new MedshareError(
      'ERR_NETWORK',
      `node ${node.id}: no peer has a valid chain up to ${seq} (${bytesToHex(head).slice(0, 12)})`,
    );
  }
}
