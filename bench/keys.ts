/**
 * Deterministic Ed25519 keys for the PBFT benchmarks: the secret key is the label padded with '#'
 * to 32 bytes, so every run signs with the same keys (benchmark fixtures, never real keys).
 */
import { ed25519 } from '@noble/curves/ed25519.js';

/** The Ed25519 key pair of `label` (at most 32 bytes of UTF-8). */
export function labelKey(label: string): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = new Uint8Array(32);
  new TextEncoder().encodeInto(label.padEnd(32, '#'), secretKey);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}
