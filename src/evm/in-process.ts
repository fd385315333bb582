/**
 * An Ethereum chain in this process, for tests, the benchmark and `medshare demo --ledger evm`:
 * @ethereumjs/vm with the Prague hardfork, one block per transaction, the block time set by the
 * caller (`setTime`), and a JSON-RPC face (an EIP-1193 `request` function, and optionally an HTTP
 * server on the loopback interface) that viem and other clients talk to as to any node.
 *
 * Internal to medshare (not part of the `medshare/evm` entry): it needs @ethereumjs/vm and its
 * companions, optional peer dependencies that a user installs only for this. Not a node: no
 * mempool, no consensus, no persistence; `eth_call` and `eth_estimateGas` run in a state
 * checkpoint that is reverted (the VM's runCall would otherwise bump the caller's nonce).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Block, createBlock } from '@ethereumjs/block';
import { type Common, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createFeeMarket1559Tx, createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import {
  Address,
  bytesToHex,
  createAccount,
  createAddressFromPrivateKey,
  createAddressFromString,
  hexToBytes,
} from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import { ainteger, MedshareError } from '../internal/errors.js';

type Hex = `0x${string}`;

/** Options of {@link InProcessChain.create}. */
export interface InProcessChainOptions {
  /** The chain id (default 1337). */
  readonly chainId?: number;
  /** The hardfork (default 'prague'; 'cancun' shows what a chain without EIP-2537 does). */
  readonly hardfork?: 'prague' | 'cancun';
  /** The first block's time, seconds (default 1 700 000 000). */
  readonly time?: number;
  /** Private keys of accounts funded at genesis. */
  readonly accounts?: readonly Uint8Array[];
  /** Block gas limit (default 30 000 000). */
  readonly blockGasLimit?: bigint;
  /**
   * Pairing-curve implementations behind the precompiles: 'noble' (default, @noble/curves, what
   * @ethereumjs/evm ships) or 'wasm' (mcl-wasm for BLS12-381, rustbn-wasm for BN254; several times
   * faster, for tests and the benchmark; both packages must be installed).
   */
  readonly precompiles?: 'noble' | 'wasm';
}

async function wasmPrecompiles(): Promise<Record<string, unknown>> {
  const [{ MCLBLS, RustBN254 }, mcl, rustbn] = await Promise.all([
    import('@ethereumjs/evm'),
    import('mcl-wasm') as Promise<{ init(curve: number): Promise<void>; BLS12_381: number }>,
    import('rustbn-wasm') as Promise<{ initRustBN(): Promise<unknown> }>,
  ]);
  await mcl.init(mcl.BLS12_381);
  return { bls: new MCLBLS(mcl), bn254: new RustBN254((await rustbn.initRustBN()) as never) };
}

/** A log of a mined transaction. */
export interface ChainLog {
  /** The emitting contract. */
  readonly address: Hex;
  /** Its topics. */
  readonly topics: Hex[];
  /** Its data. */
  readonly data: Hex;
}

/** A mined transaction's receipt (the fields medshare uses; JSON-RPC gets the full form). */
export interface ChainReceipt {
  /** The transaction hash. */
  readonly hash: Hex;
  /** Its block. */
  readonly blockNumber: bigint;
  /** The block's time. */
  readonly timestamp: number;
  /** Whether it succeeded. */
  readonly success: boolean;
  /** Gas used, all included (intrinsic, calldata, execution, refunds). */
  readonly gasUsed: bigint;
  /** The revert data when it failed. */
  readonly revertData: Hex;
  /** The created contract, for a deployment. */
  readonly contractAddress: Hex | null;
  /** Its logs. */
  readonly logs: ChainLog[];
  /** The sender. */
  readonly from: Hex;
  /** The target (null for a deployment). */
  readonly to: Hex | null;
}

/** A read-only call's result. */
export interface CallResult {
  /** Whether it returned (false: it reverted or failed). */
  readonly success: boolean;
  /** Returned or revert data. */
  readonly data: Hex;
  /** Gas used by execution. */
  readonly gasUsed: bigint;
}

interface MinedBlock {
  readonly number: bigint;
  readonly hash: Hex;
  readonly timestamp: number;
  readonly transactions: Hex[];
  readonly gasUsed: bigint;
}

const BASE_FEE = 7n;
const hex = (b: Uint8Array): Hex => bytesToHex(b) as Hex;
const quantity = (n: bigint | number): Hex => `0x${BigInt(n).toString(16)}`;

/** A JSON-RPC error with a code and optional data (revert data for code 3). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Hex,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** An EIP-1193 provider: `request({ method, params })`. */
export interface Eip1193Provider {
  /** Sends one JSON-RPC request. */
  request(args: { method: string; params?: unknown[] | undefined }): Promise<unknown>;
}

/** See the module documentation. */
export class InProcessChain {
  private readonly blocks: MinedBlock[] = [];
  private readonly receipts = new Map<Hex, ChainReceipt>();
  private readonly rawTransactions = new Map<Hex, TypedTransaction>();
  private nextTime: number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly snapshots: { blocks: number; time: number }[] = [];

  private constructor(
    readonly vm: VM,
    readonly common: Common,
    readonly chainId: number,
    readonly blockGasLimit: bigint,
    time: number,
  ) {
    this.nextTime = time;
    this.blocks.push({ number: 0n, hash: hex(new Uint8Array(32)), timestamp: time, transactions: [], gasUsed: 0n });
  }

  /** A fresh chain with funded accounts. */
  static async create(options: InProcessChainOptions = {}): Promise<InProcessChain> {
    const chainId = options.chainId ?? 1337;
    const hardfork = options.hardfork === 'cancun' ? Hardfork.Cancun : Hardfork.Prague;
    const common = createCustomCommon({ chainId }, Mainnet, { hardfork });
    const evmOpts = options.precompiles === 'wasm' ? await wasmPrecompiles() : {};
    const vm = await createVM({ common, evmOpts });
    const chain = new InProcessChain(vm, common, chainId, options.blockGasLimit ?? 30_000_000n, options.time ?? 1_700_000_000);
    for (const key of options.accounts ?? []) await chain.fund(createAddressFromPrivateKey(key), 10n ** 24n);
    return chain;
  }

  /** Credits `address` with `wei`. */
  async fund(address: Address | Hex, wei: bigint): Promise<void> {
    const a = typeof address === 'string' ? createAddressFromString(address) : address;
    const existing = await this.vm.stateManager.getAccount(a);
    await this.vm.stateManager.putAccount(
      a,
      createAccount({ nonce: existing?.nonce ?? 0n, balance: (existing?.balance ?? 0n) + wei }),
    );
  }

  /** The time of the next block, seconds. */
  get time(): number {
    return this.nextTime;
  }

  /** Sets the time of the next block (seconds; the chain does not check that time goes forward). */
  setTime(seconds: number): void {
    ainteger(seconds, 'seconds', 0, Number.MAX_SAFE_INTEGER);
    this.nextTime = seconds;
  }

  /** The latest block number. */
  get blockNumber(): bigint {
    return (this.blocks.at(-1) as MinedBlock).number;
  }

  private block(number: bigint, timestamp: number): Block {
    return createBlock(
      {
        header: {
          number,
          timestamp: BigInt(timestamp),
          gasLimit: this.blockGasLimit,
          baseFeePerGas: BASE_FEE,
          coinbase: new Address(new Uint8Array(20)),
        },
      },
      { common: this.common, skipConsensusFormatValidation: true },
    );
  }

  /** Runs calls one at a time (the VM is not re-entrant). */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Mines a block holding one signed transaction; returns its receipt (success or not). */
  mine(tx: TypedTransaction): Promise<ChainReceipt> {
    return this.serial(async () => {
      const number = this.blockNumber + 1n;
      const timestamp = this.nextTime;
      const block = this.block(number, timestamp);
      const result = await runTx(this.vm, { tx, block, skipHardForkValidation: true });
      const hash = hex(tx.hash());
      const failed = result.execResult.exceptionError !== undefined;
      const receipt: ChainReceipt = {
        hash,
        blockNumber: number,
        timestamp,
        success: !failed,
        gasUsed: result.totalGasSpent,
        revertData: failed ? hex(result.execResult.returnValue) : '0x',
        contractAddress: result.createdAddress === undefined ? null : (result.createdAddress.toString() as Hex),
        logs: (result.execResult.logs ?? []).map(([address, topics, data]) => ({
          address: hex(address),
          topics: topics.map(hex),
          data: hex(data),
        })),
        from: tx.getSenderAddress().toString() as Hex,
        to: tx.to === undefined ? null : (tx.to.toString() as Hex),
      };
      this.receipts.set(hash, receipt);
      this.rawTransactions.set(hash, tx);
      this.blocks.push({ number, hash: hex(block.hash()), timestamp, transactions: [hash], gasUsed: result.totalGasSpent });
      return receipt;
    });
  }

  /**
   * Signs and mines a transaction from `privateKey` (the direct path, without JSON-RPC).
   * @param request - the target (none: a deployment), the call data, a gas limit (default 10M)
   */
  async execute(
    privateKey: Uint8Array,
    request: { readonly to?: Hex | null; readonly data: Hex; readonly gasLimit?: bigint; readonly value?: bigint },
  ): Promise<ChainReceipt> {
    const from = createAddressFromPrivateKey(privateKey);
    const account = await this.vm.stateManager.getAccount(from);
    const tx = createFeeMarket1559Tx(
      {
        chainId: BigInt(this.chainId),
        nonce: account?.nonce ?? 0n,
        maxFeePerGas: BASE_FEE * 2n,
        maxPriorityFeePerGas: 1n,
        gasLimit: request.gasLimit ?? 10_000_000n,
        ...(request.to ? { to: createAddressFromString(request.to) } : {}),
        value: request.value ?? 0n,
        data: hexToBytes(request.data),
      },
      { common: this.common },
    ).sign(privateKey);
    return this.mine(tx);
  }

  /** A read-only call in the next block's context, in a reverted checkpoint. */
  call(request: {
    readonly from?: Hex;
    readonly to?: Hex | null;
    readonly data?: Hex;
    readonly gas?: bigint;
  }): Promise<CallResult> {
    return this.serial(async () => {
      const sm = this.vm.stateManager;
      await sm.checkpoint();
      try {
        const result = await this.vm.evm.runCall({
          caller: createAddressFromString(request.from ?? '0x0000000000000000000000000000000000000000'),
          ...(request.to ? { to: createAddressFromString(request.to) } : {}),
          data: hexToBytes(request.data ?? '0x'),
          gasLimit: request.gas ?? 50_000_000n,
          gasPrice: BASE_FEE,
          block: this.block(this.blockNumber + 1n, this.nextTime),
        });
        return {
          success: result.execResult.exceptionError === undefined,
          data: hex(result.execResult.returnValue),
          gasUsed: result.execResult.executionGasUsed,
        };
      } finally {
        await sm.revert();
      }
    });
  }

  /**
   * Saves the state (accounts, storage, blocks, receipts, time); {@link restore} returns to it.
   * Snapshots nest: restore undoes the latest one.
   * @returns the snapshot's depth
   */
  snapshot(): Promise<number> {
    return this.serial(async () => {
      await this.vm.stateManager.checkpoint();
      this.snapshots.push({ blocks: this.blocks.length, time: this.nextTime });
      return this.snapshots.length;
    });
  }

  /** Returns to the latest {@link snapshot} and discards it. */
  restore(): Promise<void> {
    return this.serial(async () => {
      const saved = this.snapshots.pop();
      if (saved === undefined) throw new MedshareError('ERR_EVM_CHAIN', 'restore: no snapshot was taken');
      await this.vm.stateManager.revert();
      for (const block of this.blocks.splice(saved.blocks)) {
        for (const hash of block.transactions) {
          this.receipts.delete(hash);
          this.rawTransactions.delete(hash);
        }
      }
      this.nextTime = saved.time;
    });
  }

  /** The receipt of a mined transaction. */
  receipt(hash: Hex): ChainReceipt | undefined {
    return this.receipts.get(hash);
  }

  /** Every receipt, in mining order. */
  allReceipts(): ChainReceipt[] {
    return [...this.receipts.values()];
  }

  /** The code at an address. */
  async code(address: Hex): Promise<Hex> {
    return hex(await this.vm.stateManager.getCode(createAddressFromString(address)));
  }

  /** The EIP-1193 provider of this chain. */
  get provider(): Eip1193Provider {
    return { request: ({ method, params }) => this.rpc(method, params ?? []) };
  }

  /** Answers one JSON-RPC method. */
  async rpc(method: string, params: readonly unknown[]): Promise<unknown> {
    const p = params as unknown[];
    switch (method) {
      case 'eth_chainId':
        return quantity(this.chainId);
      case 'net_version':
        return String(this.chainId);
      case 'web3_clientVersion':
        return 'medshare-in-process/ethereumjs-vm';
      case 'eth_blockNumber':
        return quantity(this.blockNumber);
      case 'eth_gasPrice':
        return quantity(BASE_FEE + 1n);
      case 'eth_maxPriorityFeePerGas':
        return quantity(1n);
      case 'eth_getBalance': {
        const account = await this.vm.stateManager.getAccount(createAddressFromString(p[0] as string));
        return quantity(account?.balance ?? 0n);
      }
      case 'eth_getTransactionCount': {
        const account = await this.vm.stateManager.getAccount(createAddressFromString(p[0] as string));
        return quantity(account?.nonce ?? 0n);
      }
      case 'eth_getCode':
        return this.code(p[0] as Hex);
      case 'eth_getBlockByNumber':
        return this.blockJson(this.findBlock(p[0] as string));
      case 'eth_getBlockByHash':
        return this.blockJson(this.blocks.find((b) => b.hash === p[0]));
      case 'eth_call': {
        const request = p[0] as { from?: Hex; to?: Hex; data?: Hex; input?: Hex; gas?: Hex };
        const result = await this.call({
          ...(request.from ? { from: request.from } : {}),
          ...(request.to ? { to: request.to } : {}),
          data: request.data ?? request.input ?? '0x',
          ...(request.gas ? { gas: BigInt(request.gas) } : {}),
        });
        if (!result.success) throw new RpcError(3, 'execution reverted', result.data);
        return result.data;
      }
      case 'eth_estimateGas': {
        const request = p[0] as { from?: Hex; to?: Hex; data?: Hex; input?: Hex };
        const data = request.data ?? request.input ?? '0x';
        const result = await this.call({
          ...(request.from ? { from: request.from } : {}),
          ...(request.to ? { to: request.to } : {}),
          data,
        });
        if (!result.success) throw new RpcError(3, 'execution reverted', result.data);
        const intrinsic = intrinsicGas(hexToBytes(data), !request.to);
        // Generous: the 63/64 rule and precompile stipends need more gas available than used.
        return quantity(((intrinsic + result.gasUsed) * 13n) / 10n + 50_000n);
      }
      case 'eth_sendRawTransaction': {
        const tx = createTxFromRLP(hexToBytes(p[0] as Hex), { common: this.common });
        await this.mine(tx);
        return hex(tx.hash());
      }
      case 'eth_getTransactionReceipt': {
        const r = this.receipts.get(p[0] as Hex);
        return r === undefined ? null : this.receiptJson(r);
      }
      case 'eth_getTransactionByHash': {
        const r = this.receipts.get(p[0] as Hex);
        const tx = this.rawTransactions.get(p[0] as Hex);
        if (r === undefined || tx === undefined) return null;
        const block = this.blocks.find((b) => b.number === r.blockNumber) as MinedBlock;
        const json = tx.toJSON() as Record<string, unknown>;
        return {
          ...json,
          type: '0x2',
          hash: r.hash,
          from: r.from,
          to: r.to,
          input: json.data,
          blockHash: block.hash,
          blockNumber: quantity(r.blockNumber),
          transactionIndex: '0x0',
          gasPrice: quantity(BASE_FEE + 1n),
        };
      }
      case 'eth_getLogs': {
        const filter = (p[0] ?? {}) as {
          address?: Hex | Hex[];
          fromBlock?: string;
          toBlock?: string;
          topics?: (Hex | Hex[] | null)[];
        };
        const from = filter.fromBlock === undefined ? 0n : (this.findBlock(filter.fromBlock)?.number ?? 0n);
        const to = filter.toBlock === undefined ? this.blockNumber : (this.findBlock(filter.toBlock)?.number ?? this.blockNumber);
        const addresses = filter.address === undefined ? null : [filter.address].flat().map((a) => a.toLowerCase());
        const out: unknown[] = [];
        for (const r of this.receipts.values()) {
          if (r.blockNumber < from || r.blockNumber > to || !r.success) continue;
          r.logs.forEach((log, i) => {
            if (addresses !== null && !addresses.includes(log.address.toLowerCase())) return;
            const topics = filter.topics ?? [];
            const match = topics.every(
              (t, k) => t === null || [t].flat().some((x) => x.toLowerCase() === log.topics[k]?.toLowerCase()),
            );
            if (match) out.push(this.logJson(r, log, i));
          });
        }
        return out;
      }
      case 'evm_setNextBlockTimestamp':
        this.setTime(Number(BigInt(p[0] as string | number)));
        return null;
      default:
        throw new RpcError(-32601, `method ${method} is not supported by the in-process chain`);
    }
  }

  private findBlock(tag: string): MinedBlock | undefined {
    if (tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return this.blocks.at(-1);
    if (tag === 'earliest') return this.blocks[0];
    const n = BigInt(tag);
    return this.blocks.find((b) => b.number === n);
  }

  private blockJson(block: MinedBlock | undefined): unknown {
    if (block === undefined) return null;
    const zero32 = hex(new Uint8Array(32));
    const parent = this.blocks.find((b) => b.number === block.number - 1n);
    return {
      number: quantity(block.number),
      hash: block.hash,
      parentHash: parent?.hash ?? zero32,
      timestamp: quantity(block.timestamp),
      gasLimit: quantity(this.blockGasLimit),
      gasUsed: quantity(block.gasUsed),
      baseFeePerGas: quantity(BASE_FEE),
      miner: '0x0000000000000000000000000000000000000000',
      difficulty: '0x0',
      totalDifficulty: '0x0',
      extraData: '0x',
      logsBloom: hex(new Uint8Array(256)),
      mixHash: zero32,
      nonce: '0x0000000000000000',
      receiptsRoot: zero32,
      sha3Uncles: zero32,
      size: '0x0',
      stateRoot: zero32,
      transactionsRoot: zero32,
      transactions: block.transactions,
      uncles: [],
    };
  }

  private logJson(r: ChainReceipt, log: ChainLog, index: number): unknown {
    const block = this.blocks.find((b) => b.number === r.blockNumber) as MinedBlock;
    return {
      address: log.address,
      topics: log.topics,
      data: log.data,
      blockNumber: quantity(r.blockNumber),
      blockHash: block.hash,
      transactionHash: r.hash,
      transactionIndex: '0x0',
      logIndex: quantity(index),
      removed: false,
    };
  }

  private receiptJson(r: ChainReceipt): unknown {
    const block = this.blocks.find((b) => b.number === r.blockNumber) as MinedBlock;
    return {
      transactionHash: r.hash,
      transactionIndex: '0x0',
      blockHash: block.hash,
      blockNumber: quantity(r.blockNumber),
      from: r.from,
      to: r.to,
      cumulativeGasUsed: quantity(r.gasUsed),
      gasUsed: quantity(r.gasUsed),
      effectiveGasPrice: quantity(BASE_FEE + 1n),
      contractAddress: r.contractAddress,
      logs: r.logs.map((log, i) => this.logJson(r, log, i)),
      logsBloom: hex(new Uint8Array(256)),
      status: r.success ? '0x1' : '0x0',
      type: '0x2',
    };
  }

  /**
   * Serves this chain's JSON-RPC over HTTP on 127.0.0.1 (an ephemeral port unless given).
   * @returns the URL and a function that stops the server
   */
  async serve(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            res.writeHead(400).end();
            return;
          }
          const one = async (m: { id?: unknown; method?: string; params?: unknown[] }) => {
            try {
              return { jsonrpc: '2.0', id: m.id ?? null, result: await this.rpc(String(m.method), m.params ?? []) };
            } catch (e) {
              const error =
                e instanceof RpcError
                  ? { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) }
                  : { code: -32603, message: (e as Error).message };
              return { jsonrpc: '2.0', id: m.id ?? null, error };
            }
          };
          const answer = Array.isArray(body) ? await Promise.all(body.map(one)) : await one(body as { method?: string });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const { port: bound } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${bound}`,
      close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
    };
  }
}

/** Intrinsic gas of a transaction (Prague): 21 000 (+ 32 000 and 2 a word of init code for a deployment) + calldata, or the EIP-7623 floor. */
function intrinsicGas(data: Uint8Array, create: boolean): bigint {
  let zeros = 0n;
  for (const b of data) if (b === 0) zeros++;
  const nonZero = BigInt(data.length) - zeros;
  const tokens = zeros + 4n * nonZero;
  const standard = 21_000n + 4n * tokens + (create ? 32_000n + 2n * ((BigInt(data.length) + 31n) / 32n) : 0n);
  const floor = 21_000n + 10n * tokens;
  return standard > floor ? standard : floor;
}
