/**
 * Merkle tree hash of a list of leaves, as in RFC 6962 section 2.1 (Certificate Transparency):
 * MTH({}) = SHA-256(), MTH({d0}) = SHA-256(0x00 || d0),
 * MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k the largest power of two < n.
 * The 0x00 / 0x01 prefixes keep a leaf from ever being read as an inner node.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';

function leafHash(leaf: Uint8Array): Uint8Array {
  const input = new Uint8Array(leaf.length + 1);
  input[0] = 0x00;
  input.set(leaf, 1);
  return sha256(input);
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/**
 * The Merkle root of `leaves` (RFC 6962 MTH).
 * @param leaves - the leaf data, in order
 * @returns a 32-byte root
 */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  // Bottom-up; an odd node at the end of a level is promoted unchanged, which yields the same
  // tree as RFC 6962's split at the largest power of two below n.
  let level = leaves.map(leafHash);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0] as Uint8Array;
}
