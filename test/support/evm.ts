/**
 * Shared helpers for the EVM tests: an in-process Prague chain with funded accounts, the test-only
 * CryptoHarness contract, and calls through viem's ABI coder.
 */
import { type Abi, decodeFunctionResult, encodeDeployData, encodeFunctionData, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { InProcessChain, type InProcessChainOptions } from '../../src/evm/in-process.js';
import { cryptoHarnessAbi, cryptoHarnessBytecode } from './evm-artifacts.js';

/** A deterministic private key per name (never a real key). */
export function testKey(name: string): Uint8Array {
  const out = new Uint8Array(32);
  const bytes = new TextEncoder().encode(`medshare-evm-test:${name}`);
  for (let i = 0; i < bytes.length; i++) out[i % 32] = ((out[i % 32] as number) * 31 + (bytes[i] as number) + i) & 0xff;
  out[0] = ((out[0] as number) | 1) & 0x7f; // nonzero, below the secp256k1 order
  return out;
}

/** The account address of a test key. */
export function addressOf(key: Uint8Array): Hex {
  return privateKeyToAccount(`0x${Buffer.from(key).toString('hex')}`).address;
}

export const DEPLOYER = testKey('deployer');

/**
 * A fresh in-process chain with the deployer (and `accounts`) funded. Tests use the WebAssembly
 * pairing precompiles (mcl-wasm, rustbn-wasm) unless EVM_PRECOMPILES=noble asks for the default ones.
 */
export function testChain(options: InProcessChainOptions = {}): Promise<InProcessChain> {
  const precompiles = process.env.EVM_PRECOMPILES === 'noble' ? 'noble' : 'wasm';
  return InProcessChain.create({ precompiles, ...options, accounts: [DEPLOYER, ...(options.accounts ?? [])] });
}

/** Deploys contract bytecode with constructor arguments; throws when it fails. */
export async function deploy(chain: InProcessChain, abi: Abi, bytecode: Hex, args: readonly unknown[] = []): Promise<Hex> {
  const receipt = await chain.execute(DEPLOYER, { data: encodeDeployData({ abi, bytecode, args }), gasLimit: 29_000_000n });
  if (!receipt.success || receipt.contractAddress === null) throw new Error(`deployment failed: ${receipt.revertData}`);
  return receipt.contractAddress;
}

/** The CryptoHarness contract (test only). */
export async function deployHarness(chain: InProcessChain): Promise<Hex> {
  return deploy(chain, cryptoHarnessAbi, cryptoHarnessBytecode);
}

/** A read-only call of a harness function; throws with the revert data when it reverts. */
export async function harnessCall(chain: InProcessChain, address: Hex, functionName: string, args: readonly unknown[]) {
  const data = encodeFunctionData({ abi: cryptoHarnessAbi, functionName, args } as never);
  const result = await chain.call({ to: address, data });
  if (!result.success) throw Object.assign(new Error(`reverted: ${result.data}`), { data: result.data });
  return decodeFunctionResult({ abi: cryptoHarnessAbi, functionName, data: result.data } as never) as unknown;
}

export const hex = (bytes: Uint8Array): Hex => `0x${Buffer.from(bytes).toString('hex')}`;
export const bytes = (h: Hex): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
