/**
 * Deploying and calling the MedShare contract over viem, on any JSON-RPC endpoint (a Besu QBFT
 * network, any chain with Prague, or a local node). Each call is first simulated (eth_call): a
 * refusal comes back as a {@link EvmOutcome} naming the RefusalReason without spending gas; an
 * accepted call is sent, mined, and its event decoded.
 * @module
 */
import {
  type Abi,
  BaseError,
  ContractFunctionRevertedError,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  hexToBytes,
  isAddress,
  type Log,
  parseEventLogs,
  toHex,
} from 'viem';
import { ArgumentTypeError, ArgumentValueError, abytes, ainteger, aobject, astring, MedshareError } from '../internal/errors.js';
import type { RefusalReason } from '../protocol/contract.js';
import type { DeploymentRef } from '../protocol/parties.js';
import type { Role, SharingForm } from '../protocol/transactions.js';
import type { AuthSignParams } from '../sign/cha-cheon.js';
import type { Groth16Proof, VerificationKey } from '../zk/keys.js';
import { medShareAbi, medShareBytecode } from './artifacts.js';
import {
  checkCommitment,
  type DecodedRevert,
  type DisputeError,
  decodeRevert,
  type EvmDomain,
  encodeAuthSignParams,
  encodeProof,
  encodePublicSignals,
  encodeSignature,
  encodeVerificationKey,
  evmDeployment,
  identityKey,
  ROLE_CODES,
  type EvmStage,
  type RefusalError,
  STAGES,
  approvalId,
} from './encoding.js';

/** A contract call as viem takes it. */
export interface ContractCall {
  /** The contract. */
  readonly address: Hex;
  /** Its ABI. */
  readonly abi: Abi;
  /** The function. */
  readonly functionName: string;
  /** Its arguments. */
  readonly args: readonly unknown[];
  /** The sender (simulations): the wallet's account, passed through as viem takes it. */
  readonly account?: never;
  /** The block to simulate at (default: the latest). */
  readonly blockNumber?: bigint;
}

/** The fields of a transaction receipt a {@link MedShareClient} reads. */
export interface MinedReceipt {
  /** 'success' or 'reverted'. */
  readonly status: 'success' | 'reverted';
  /** Gas used. */
  readonly gasUsed: bigint;
  /** The block. */
  readonly blockNumber: bigint;
  /** The logs. */
  readonly logs: Log[];
  /** The created contract, for a deployment. */
  readonly contractAddress?: Hex | null | undefined;
}

/** What a {@link MedShareClient} needs of a reading client: a viem `PublicClient` has it. */
export interface MedShareReader {
  /** eth_call of a contract function; throws viem's ContractFunctionExecutionError when it reverts. */
  simulateContract(call: ContractCall): Promise<unknown>;
  /** eth_call of a view. */
  readContract(call: ContractCall): Promise<unknown>;
  /** eth_estimateGas. */
  estimateGas(request: { readonly account: never; readonly to: Hex; readonly data: Hex }): Promise<bigint>;
  /** Waits for a transaction's receipt. */
  waitForTransactionReceipt(request: { readonly hash: Hex }): Promise<MinedReceipt>;
  /** eth_chainId. */
  getChainId(): Promise<number>;
  /** eth_call of raw call data (a deployment when `to` is absent); throws when it reverts. */
  call(request: { readonly account: never; readonly data: Hex; readonly to?: Hex }): Promise<unknown>;
}

/** An account that signs transactions. */
export interface SendingAccount {
  /** Its address. */
  readonly address: Hex;
}

/** What a {@link MedShareClient} needs of a sending client: a viem `WalletClient` with an account and a chain has it. */
export interface MedShareWallet {
  /** The account that signs (the contract sees its address as msg.sender). */
  readonly account: SendingAccount;
  /** The chain it sends to. */
  readonly chain: unknown;
  /** Signs and sends a transaction; returns its hash. */
  sendTransaction(request: {
    readonly to: Hex;
    readonly data: Hex;
    readonly account: never;
    readonly chain: never;
    readonly gas: bigint;
  }): Promise<Hex>;
  /** Signs and sends a deployment; returns its hash. */
  deployContract(request: {
    readonly abi: Abi;
    readonly bytecode: Hex;
    readonly args: readonly unknown[];
    readonly account: never;
    readonly chain: never;
  }): Promise<Hex>;
}

/** The clients a {@link MedShareClient} uses. */
export interface MedShareClients {
  /** Reads, simulates and waits for receipts (a viem PublicClient). */
  readonly publicClient: MedShareReader;
  /** Signs and sends (a viem WalletClient with an account; the contract sees its account as msg.sender). */
  readonly wallet: MedShareWallet;
}

/** What a call did. */
export type EvmOutcome =
  | {
      /** Accepted and mined. */
      readonly accepted: true;
      /** The transaction hash. */
      readonly hash: Hex;
      /** Gas used by the transaction. */
      readonly gasUsed: bigint;
      /** The block it was mined in. */
      readonly blockNumber: bigint;
      /** The name of the event the step emitted. */
      readonly event: string;
      /** The event's arguments. */
      readonly args: Readonly<Record<string, unknown>>;
    }
  | {
      /** Refused by the contract (nothing was sent when the simulation refused it). */
      readonly accepted: false;
      /** The medshare/protocol RefusalReason; null for a refusal of the dispute path (`DISPUTE_ERRORS`). */
      readonly reason: RefusalReason | null;
      /** The contract's error name. */
      readonly error: RefusalError | DisputeError;
      /** The transaction hash, when the call was mined and reverted there. */
      readonly hash: Hex | null;
    };

/** Options of {@link deployMedShare}. */
export interface DeployOptions {
  /** The membership authority's identity (as the PKG knows it). */
  readonly authority: string;
  /** The membership authority's account (default: the wallet's account). */
  readonly authorityAccount?: Hex;
  /** AuthSign's public parameters (the PKG's mpk). */
  readonly signParams: AuthSignParams;
  /** How old a proof's T may be, seconds (default 3600). */
  readonly maxProofAge?: number;
  /** How far a claimed time may be from the block's time, seconds (default 300). */
  readonly maxClockSkew?: number;
  /** From an accepted submission, the time to grant and accept, seconds (default 86 400). */
  readonly grantWindow?: number;
  /** From the acceptance (or a struck delivery), the time for the proxies to deliver, seconds (default 3600). */
  readonly deliveryWindow?: number;
  /** From the t-th delivery, the time the institution has to dispute a partial before anyone may settle, seconds (default 3600). */
  readonly disputeWindow?: number;
}

/** A requirement as it is published. */
export interface RequirementInput {
  /** The hash of the private criteria (the circuit's requirementHash). */
  readonly criteriaHash: bigint;
  /** The public key words. */
  readonly keywords: readonly string[];
  /** VK_c: snarkjs JSON (medshare/zk) or the contract's 896 bytes. */
  readonly verificationKey: VerificationKey | Uint8Array;
  /** Reward per record (escrowed: reward x capacity leaves the institution's balance). */
  readonly reward: number;
  /** How many records it buys at most. */
  readonly capacity: number;
  /** Exclusive licence? */
  readonly exclusive: boolean;
}

/** What the patient grants (step 6), as `grantAccess` takes it. */
export interface GrantInput {
  /** The encoded t-of-n key commitment (medshare/protocol `issueReKey(...).reKeyCommitment`). */
  readonly reKeyCommitment: Uint8Array;
  /** The n proxies' pseudonyms, in share order. */
  readonly proxies: readonly string[];
  /** The stored ciphertext's header (medshare/protocol `ciphertextHeader`). */
  readonly ciphertextHeader: Uint8Array;
  /** The sharing form's time, seconds. */
  readonly formTime: number;
  /** The patient's signature on the sale's form (medshare/protocol `signSharingForm` under {@link MedShareClient.deployment}), 96 bytes or the contract's 256. */
  readonly formSignature: Uint8Array;
}

/** A member as the contract holds it. */
export interface EvmMember {
  /** Its index (from 1). */
  readonly index: number;
  /** Its role. */
  readonly role: Role;
}

/**
 * A record as the contract holds it. Its commitment is not stored under the record's id: it is the
 * key of the contract's `recordOfCommitment` ({@link MedShareClient.recordOfCommitment}) and a field
 * of the RecordRegistered event.
 */
export interface EvmRecord {
  /** The patient's member index. */
  readonly patient: number;
  /** The registering member's index. */
  readonly registeredBy: number;
  /** How many licences it was shared under. */
  readonly licenceCount: number;
  /** How many sales of it are in progress (granted, accepted, settling or disputed). */
  readonly pendingCount: number;
}

/** A licence under which a record was shared. */
export interface EvmLicence {
  /** The sale that wrote it. */
  readonly approvalId: Hex;
  /** The institution's member index. */
  readonly institution: number;
  /** Exclusive? */
  readonly exclusive: boolean;
  /** The block time when the sale settled, seconds. */
  readonly time: number;
}

/** A sale (an accepted submission) as the contract holds it. */
export interface EvmSale {
  /** Its stage. */
  readonly stage: EvmStage;
  /** The licence terms. */
  readonly exclusive: boolean;
  /** The reward, fixed at the submission. */
  readonly reward: number;
  /** The reward held for it (0 once paid or refunded). */
  readonly escrow: number;
  /**
   * Until accepted the last moment to grant and accept; once accepted the delivery deadline;
   * while settling the end of the dispute window.
   */
  readonly deadline: number;
  /** The institution's member index. */
  readonly institution: number;
  /** t (0 before the grant). */
  readonly threshold: number;
  /** n (0 before the grant). */
  readonly total: number;
  /** Partials delivered and not struck. */
  readonly delivered: number;
  /** The share index under dispute (0: none). */
  readonly disputedIndex: number;
  /** The sharing form's time (0 before the grant). */
  readonly formTime: number;
  /** The requirement (null before the grant). */
  readonly requirementId: Hex | null;
  /** The record (null before the grant). */
  readonly recordId: Hex | null;
  /** The record commitment (null before the grant). */
  readonly commitment: bigint | null;
}

const ROLE_OF_CODE: readonly (Role | undefined)[] = [undefined, 'patient', 'hospital', 'institution', 'proxy', 'verifier'];
/** Bytes as call data takes them. */
const hexBytes = (bytes: Uint8Array, name = 'bytes'): Hex => toHex(abytes(bytes, name));

/** A time or duration in seconds as the contract's uint64: a non-negative safe integer. */
function seconds(value: number, name = 'time'): bigint {
  return BigInt(ainteger(value, name, 0, Number.MAX_SAFE_INTEGER));
}

/** The revert data inside a viem error, if any. */
function revertDataOf(error: unknown): Hex | null {
  if (!(error instanceof BaseError)) return null;
  let found: Hex | null = null;
  error.walk((e) => {
    const data = (e as { data?: unknown }).data;
    const hex = typeof data === 'object' && data !== null ? (data as { data?: unknown }).data : data;
    if (typeof hex === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(hex)) {
      found = hex as Hex;
      return true;
    }
    return false;
  });
  return found;
}

function refusalOf(error: unknown): DecodedRevert | null {
  if (!(error instanceof BaseError)) return null;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError) || reverted.raw === undefined) return null;
  return decodeRevert(reverted.raw);
}

/** The MedShare contract at one address, through viem clients. */
export class MedShareClient {
  /**
   * @param address - the contract's address
   * @param clients - a public client and a wallet
   * @param chainId - the chain id (the domain members sign under)
   */
  constructor(
    readonly address: Hex,
    readonly clients: MedShareClients,
    readonly chainId: number,
  ) {}

  /** The deployment members' signatures are bound to. */
  get domain(): EvmDomain {
    return { chainId: this.chainId, contract: this.address };
  }

  /**
   * The deployment as medshare/protocol's signers take it (`{ deployment: evmDeployment(chainId,
   * address) }`): sign consents and forms with `signRecordCommitment(medshare.deployment, ...)` and
   * `signSharingForm`, exactly as for the PBFT contract.
   */
  get deployment(): DeploymentRef {
    return { deployment: evmDeployment(this.chainId, this.address) };
  }

  /** The same contract, sending from another wallet (another member's account). */
  as(wallet: MedShareWallet): MedShareClient {
    return new MedShareClient(this.address, { publicClient: this.clients.publicClient, wallet }, this.chainId);
  }

  private async send(functionName: string, args: readonly unknown[]): Promise<EvmOutcome> {
    const { publicClient, wallet } = this.clients;
    const call: ContractCall = {
      address: this.address,
      abi: medShareAbi as Abi,
      functionName,
      args,
      account: wallet.account as never,
    };
    try {
      await publicClient.simulateContract(call);
    } catch (error) {
      const revert = refusalOf(error);
      if (revert?.kind === 'refusal') return { accepted: false, reason: revert.reason, error: revert.error, hash: null };
      if (revert?.kind === 'dispute') return { accepted: false, reason: null, error: revert.error, hash: null };
      throw error;
    }
    const data = encodeFunctionData({ abi: medShareAbi as Abi, functionName, args });
    const gas = await publicClient.estimateGas({ account: wallet.account as never, to: this.address, data });
    const hash = await wallet.sendTransaction({
      to: this.address,
      data,
      account: wallet.account as never,
      chain: wallet.chain as never,
      gas,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') {
      // The state changed between the simulation and the block: ask again at the block for the reason.
      try {
        await publicClient.simulateContract({ ...call, blockNumber: receipt.blockNumber });
      } catch (error) {
        const revert = refusalOf(error);
        if (revert?.kind === 'refusal') return { accepted: false, reason: revert.reason, error: revert.error, hash };
        if (revert?.kind === 'dispute') return { accepted: false, reason: null, error: revert.error, hash };
      }
      throw new MedshareError('ERR_EVM_CHAIN', `${functionName}: transaction ${hash} reverted without a named refusal`);
    }
    const [event] = parseEventLogs({ abi: medShareAbi, logs: receipt.logs });
    return {
      accepted: true,
      hash,
      gasUsed: receipt.gasUsed,
      blockNumber: receipt.blockNumber,
      event: event?.eventName ?? '',
      args: (event?.args ?? {}) as Record<string, unknown>,
    };
  }

  private read(functionName: string, args: readonly unknown[]): Promise<unknown> {
    return this.clients.publicClient.readContract({ address: this.address, abi: medShareAbi as Abi, functionName, args });
  }

  /** A signature as the contract takes it: medshare/sign's 96 bytes converted, the contract's 256 passed through. */
  private static signature(signature: Uint8Array, name: string): Hex {
    abytes(signature, name);
    return hexBytes(signature.length === 96 ? encodeSignature(signature) : signature, name);
  }

  /**
   * Section 4.2.3: the membership authority registers the pseudonym `identity` (`Pkg.pseudonymOf`)
   * with `role`, acting from `account` (the contract knows the member by it).
   */
  async register(identity: string, role: Role, account: Hex, time: number): Promise<EvmOutcome> {
    return this.send('register', [identity, ROLE_CODES[role] ?? 0, account, seconds(time)]);
  }

  /** The membership authority credits `amount` to the member `account` (a pseudonym). */
  async deposit(account: string, amount: number, time: number): Promise<EvmOutcome> {
    return this.send('deposit', [astring(account, 'account'), seconds(amount, 'amount'), seconds(time)]);
  }

  /** The sender takes `amount` out of its available balance. */
  async withdraw(amount: number, time: number): Promise<EvmOutcome> {
    return this.send('withdraw', [seconds(amount, 'amount'), seconds(time)]);
  }

  /** Step 1: an institution publishes a requirement, escrowing reward x capacity; `args.requirementId` of the outcome is its id. */
  async publishRequirement(requirement: RequirementInput, time: number): Promise<EvmOutcome> {
    aobject(requirement, 'requirement');
    const key =
      requirement.verificationKey instanceof Uint8Array
        ? requirement.verificationKey
        : encodeVerificationKey(requirement.verificationKey);
    return this.send('publishRequirement', [
      requirement.criteriaHash,
      [...requirement.keywords],
      hexBytes(key),
      seconds(requirement.reward, 'requirement.reward'),
      ainteger(requirement.capacity, 'requirement.capacity', 0, 0xffff_ffff),
      requirement.exclusive,
      seconds(time),
    ]);
  }

  /** The institution closes its requirement; the escrow of unreserved places returns to it. */
  async closeRequirement(requirementId: Hex, time: number): Promise<EvmOutcome> {
    return this.send('closeRequirement', [requirementId, seconds(time)]);
  }

  /**
   * Steps 2-3: the record commitment with the patient's consent naming the registrant
   * (medshare/protocol `signRecordCommitment(medshare.deployment, patientKey, registrant, commitment)`).
   */
  async registerRecord(patient: string, commitment: bigint, patientSignature: Uint8Array, time: number): Promise<EvmOutcome> {
    return this.send('registerRecord', [
      patient,
      checkCommitment(commitment, 'commitment'),
      MedShareClient.signature(patientSignature, 'patientSignature'),
      seconds(time),
    ]);
  }

  /** Steps 4-5: the proof (snarkjs JSON or packed bytes) and its public signals (decimal strings); `args.approvalId` names the sale. */
  async submitProof(
    requirementId: Hex,
    recordId: Hex,
    proof: Groth16Proof | Uint8Array,
    publicSignals: readonly string[],
    time: number,
  ): Promise<EvmOutcome> {
    return this.send('submitProof', [
      requirementId,
      recordId,
      encodeProof(proof),
      encodePublicSignals(publicSignals),
      seconds(time),
    ]);
  }

  /**
   * Step 6: the patient's grant of the sale of `recordId` under `requirementId` (the sale's id is
   * `approvalId(requirementId, recordId)`) - key commitment, proxies, ciphertext header - and its
   * signature on the sale's form ({@link MedShareClient.sharingForm}).
   */
  async grantAccess(requirementId: Hex, recordId: Hex, grant: GrantInput, time: number): Promise<EvmOutcome> {
    aobject(grant, 'grant');
    return this.send('grantAccess', [
      requirementId,
      recordId,
      hexBytes(grant.reKeyCommitment, 'grant.reKeyCommitment'),
      [...grant.proxies],
      hexBytes(grant.ciphertextHeader, 'grant.ciphertextHeader'),
      seconds(grant.formTime, 'grant.formTime'),
      MedShareClient.signature(grant.formSignature, 'grant.formSignature'),
      seconds(time),
    ]);
  }

  /** The institution accepts the grant and countersigns the form (same form time). */
  async acceptGrant(approvalId: Hex, formSignature: Uint8Array, time: number): Promise<EvmOutcome> {
    return this.send('acceptGrant', [approvalId, MedShareClient.signature(formSignature, 'formSignature'), seconds(time)]);
  }

  /**
   * Step 7: a proxy posts its partial re-encryption (ga07Verifiable `encodeReEncryptionShare`). The
   * contract checks its layout, not its proof (docs/evm.md); the t-th starts the dispute window.
   */
  async deliver(approvalId: Hex, partial: Uint8Array, time: number): Promise<EvmOutcome> {
    return this.send('deliver', [approvalId, hexBytes(partial, 'partial'), seconds(time)]);
  }

  /** The institution takes back the escrow of a sale not completed by its deadline. */
  async reclaim(approvalId: Hex, time: number): Promise<EvmOutcome> {
    return this.send('reclaim', [approvalId, seconds(time)]);
  }

  /** Anyone, once the dispute window has passed undisputed: the patient is paid and the licence written. */
  async settle(approvalId: Hex): Promise<EvmOutcome> {
    return this.send('settle', [approvalId]);
  }

  /** The sale's institution, within the dispute window: the partial of share `index` does not verify. */
  async dispute(approvalId: Hex, index: number): Promise<EvmOutcome> {
    return this.send('dispute', [approvalId, ainteger(index, 'index', 1, 255)]);
  }

  /**
   * The membership authority's ruling on a dispute, after checking the partial off chain
   * (`ga07Verifiable.verifyReEncryptionShare` with the grant's key commitment and header): valid,
   * the sale settles; invalid, the delivery is struck and the sale goes back to `accepted`.
   */
  async resolveDispute(approvalId: Hex, index: number, partialValid: boolean): Promise<EvmOutcome> {
    return this.send('resolveDispute', [approvalId, ainteger(index, 'index', 1, 255), partialValid === true]);
  }

  /** The member registered as `identity` (a pseudonym), or null. */
  async member(identity: string): Promise<EvmMember | null> {
    const [index, role] = (await this.read('seatOfIdentity', [identityKey(identity)])) as [number, number];
    const name = ROLE_OF_CODE[role];
    return index === 0 || name === undefined ? null : { index, role: name };
  }

  /** The pseudonym of the member at `index` (`addr:` and 40 hex digits), or null. */
  async pseudonymAt(index: number): Promise<string | null> {
    const [role, pseudonym] = (await this.read('members', [ainteger(index, 'index', 0, 0xffff_ffff)])) as [number, Hex, bigint];
    return role === 0 ? null : `addr:${pseudonym.slice(2).toLowerCase()}`;
  }

  /** The available balance of the member `identity` (a pseudonym); 0 for none. */
  async balance(identity: string): Promise<bigint> {
    const seat = await this.member(identity);
    if (seat === null) return 0n;
    const [, , balance] = (await this.read('members', [seat.index])) as [number, Hex, bigint];
    return balance;
  }

  /** Everything deposited and not withdrawn: balances plus requirements' and sales' escrow. */
  async supply(): Promise<bigint> {
    return (await this.read('supply', [])) as bigint;
  }

  /** A record, or null. */
  async record(id: Hex): Promise<EvmRecord | null> {
    const [patient, registeredBy, licenceCount, , , , pendingCount] = (await this.read('records', [id])) as [
      number,
      number,
      number,
      number,
      number,
      boolean,
      number,
    ];
    return patient === 0 ? null : { patient, registeredBy, licenceCount, pendingCount };
  }

  /** Licence `i` (from 0) of a record. */
  async licence(recordId: Hex, i: number): Promise<EvmLicence> {
    const [approvalId, institution, exclusive, time] = (await this.read('licences', [
      recordId,
      BigInt(ainteger(i, 'i', 0, 0xffff_ffff)),
    ])) as [Hex, number, boolean, bigint];
    return { approvalId, institution, exclusive, time: Number(time) };
  }

  /**
   * The id of the record registered with `commitment`, or null (a commitment is registered once,
   * whoever registers it). An institution checks with it that the commitment it holds is the record's.
   * @throws ArgumentTypeError / ArgumentValueError unless commitment is a bigint in [0, 2^256)
   */
  async recordOfCommitment(commitment: bigint): Promise<Hex | null> {
    const id = (await this.read('recordOfCommitment', [checkCommitment(commitment, 'commitment')])) as Hex;
    return BigInt(id) === 0n ? null : id;
  }

  /** A sale (an accepted submission) as the contract holds it, or null. */
  async sale(approvalId: Hex): Promise<EvmSale | null> {
    const [stage, exclusive, reward, deadline, institution, threshold, total, delivered, disputedIndex, formTime] =
      (await this.read('sales', [approvalId])) as [
        number,
        boolean,
        bigint,
        bigint,
        number,
        number,
        number,
        number,
        number,
        bigint,
      ];
    if (stage === 0) return null;
    const [requirementId, recordId, commitment] = (await this.read('grants', [approvalId])) as [Hex, Hex, bigint, Hex];
    const name = STAGES[stage] ?? 'none';
    return {
      stage: name,
      exclusive,
      reward: Number(reward),
      escrow: name === 'delivered' || name === 'refunded' ? 0 : Number(reward),
      deadline: Number(deadline),
      institution,
      threshold,
      total,
      delivered,
      disputedIndex,
      formTime: Number(formTime),
      requirementId: BigInt(requirementId) === 0n ? null : requirementId,
      recordId: BigInt(recordId) === 0n ? null : recordId,
      commitment: total === 0 ? null : commitment,
    };
  }

  /** The member indices of a grant's proxies, in share order (empty before the grant). */
  async proxies(approvalId: Hex): Promise<number[]> {
    const sale = await this.sale(approvalId);
    const out: number[] = [];
    for (let i = 0; i < (sale?.total ?? 0); i++) {
      const slot = (await this.read('proxySlots', [approvalId, BigInt(i >> 3)])) as bigint;
      out.push(Number((slot >> BigInt(32 * (i % 8))) & 0xffff_ffffn));
    }
    return out;
  }

  /** keccak256 of the partial delivered for share `index` and not struck, or null. */
  async partialHash(approvalId: Hex, index: number): Promise<Hex | null> {
    const hash = (await this.read('partialHashOf', [approvalId, BigInt(ainteger(index, 'index', 1, 255))])) as Hex;
    return BigInt(hash) === 0n ? null : hash;
  }

  /**
   * The Fig. 3 form of a sale as the contract rebuilds it, for medshare/protocol's
   * `signSharingForm`: this deployment, the contract's ids spelled "0x" and 64 hex digits, the
   * parties' pseudonyms, the commitment, the requirement's reward and licence terms, `formTime`.
   * @param commitment - the record's commitment (the RecordRegistered event's; `recordOfCommitment` maps it back)
   * @throws ArgumentValueError when the requirement or the record is not on chain, or the
   *   commitment is not the record's
   */
  async sharingForm(requirementId: Hex, recordId: Hex, commitment: bigint, formTime: number): Promise<SharingForm> {
    const requirement = (await this.read('requirementOf', [requirementId])) as {
      institution: number;
      reward: bigint;
      exclusive: boolean;
    };
    const record = await this.record(recordId);
    if (requirement.institution === 0) throw new ArgumentValueError('requirementId', 'no such requirement');
    if (record === null) throw new ArgumentValueError('recordId', 'no such record');
    const [patient, institution] = await Promise.all([
      this.pseudonymAt(record.patient),
      this.pseudonymAt(requirement.institution),
    ]);
    if ((await this.recordOfCommitment(commitment)) !== recordId) throw new ArgumentValueError('commitment', "not the record's");
    return {
      deployment: this.deployment.deployment,
      approvalId: approvalId(requirementId, recordId),
      requirementId,
      recordId,
      patient: patient ?? '',
      institution: institution ?? '',
      commitment,
      reward: Number(requirement.reward),
      exclusive: requirement.exclusive,
      time: ainteger(formTime, 'formTime', 0, Number.MAX_SAFE_INTEGER),
    };
  }

  /** The verification key a requirement was published with (896 bytes; empty when there is none). */
  async verificationKey(requirementId: Hex): Promise<Uint8Array> {
    const hex = (await this.read('verificationKeyOf', [requirementId])) as Hex;
    return hexToBytes(hex);
  }
}

/** MedShare's constructor arguments: the options checked, with their defaults. */
function constructorArgs(options: DeployOptions, defaultAccount?: Hex) {
  aobject(options, 'options');
  const authorityAccount = options.authorityAccount ?? defaultAccount;
  if (typeof authorityAccount !== 'string' || !isAddress(authorityAccount, { strict: false })) {
    throw new ArgumentTypeError('options.authorityAccount', 'an account address (0x and 40 hex digits)');
  }
  return [
    astring(options.authority, 'options.authority'),
    authorityAccount,
    hexBytes(encodeAuthSignParams(options.signParams)),
    {
      maxProofAge: seconds(options.maxProofAge ?? 3600, 'options.maxProofAge'),
      maxClockSkew: seconds(options.maxClockSkew ?? 300, 'options.maxClockSkew'),
      grantWindow: seconds(options.grantWindow ?? 86_400, 'options.grantWindow'),
      deliveryWindow: seconds(options.deliveryWindow ?? 3600, 'options.deliveryWindow'),
      disputeWindow: seconds(options.disputeWindow ?? 3600, 'options.disputeWindow'),
    },
  ] as const;
}

/**
 * The data of MedShare's creation transaction: its bytecode followed by the constructor
 * arguments, ABI-encoded, exactly what {@link deployMedShare} sends. For deploying with other
 * tools (a node's own wallet, a multisig, a deployment script): send it as a contract creation,
 * then talk to the contract with `new MedShareClient(address, clients, chainId)`.
 * @throws ArgumentTypeError / ArgumentValueError as {@link deployMedShare}, and when
 *   `options.authorityAccount` (required here: there is no wallet to default to) is not an address
 * @param options - the authority, its account, AuthSign's parameters and the time limits
 */
export function medShareDeployData(options: DeployOptions): Hex {
  return encodeDeployData({ abi: medShareAbi, bytecode: medShareBytecode, args: constructorArgs(options) });
}

/**
 * Deploys MedShare and returns a client for it. The constructor checks that the chain has the
 * EIP-2537 precompiles (it computes H1 of the authority's identity and checks mpk), so a deployment
 * on a chain without Prague fails (simulated first: nothing is sent).
 * @throws MedshareError with code `ERR_EVM_CHAIN` on a chain without Prague (PrecompileMissing) or
 *   when the deployment fails; ArgumentTypeError / ArgumentValueError for options of the wrong
 *   kind or out of range, and when the constructor refuses an argument (an empty or malformed
 *   authority identity, mpk not in G2)
 * @param clients - the public client and the deploying wallet
 * @param options - the authority, AuthSign's parameters and the time limits
 * @example
 * ```ts
 * const medshare = await deployMedShare({ publicClient, wallet }, { authority: 'ca:membership', signParams: pkg.signParams });
 * await medshare.register('patient:alice', 'patient', aliceAccount, now);
 * ```
 */
export async function deployMedShare(clients: MedShareClients, options: DeployOptions): Promise<MedShareClient> {
  const { publicClient, wallet } = clients;
  const args = constructorArgs(options, wallet.account.address);
  try {
    await publicClient.call({
      account: wallet.account as never,
      data: encodeDeployData({ abi: medShareAbi, bytecode: medShareBytecode, args }),
    });
  } catch (error) {
    const data = revertDataOf(error);
    const revert = data === null ? null : decodeRevert(data);
    if (revert?.kind === 'other' && revert.error === 'PrecompileMissing') {
      throw new MedshareError(
        'ERR_EVM_CHAIN',
        'deployMedShare: the chain has no EIP-2537 BLS12-381 precompiles (PrecompileMissing); it needs the Prague upgrade',
      );
    }
    if (revert?.kind === 'refusal') {
      throw new ArgumentValueError('options', `the contract's constructor refused them (${revert.error})`);
    }
    throw error;
  }
  const hash = await wallet.deployContract({
    abi: medShareAbi as Abi,
    bytecode: medShareBytecode,
    account: wallet.account as never,
    chain: wallet.chain as never,
    args,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new MedshareError('ERR_EVM_CHAIN', `deployMedShare: transaction ${hash} failed`);
  }
  return new MedShareClient(receipt.contractAddress, clients, await publicClient.getChainId());
}
