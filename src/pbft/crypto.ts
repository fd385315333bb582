/**
 * The default signatures: Ed25519 (RFC 8032) from @noble/curves. Replicas sign every protocol
 * message; clients sign requests. The state machine only ever calls the three functions of
 * {@link ReplicaCrypto}, so any other scheme can be passed in instead.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { abytes, ArgumentTypeError } from '../internal/errors.js';
import type { ReplicaCrypto } from './types.js';

/** Options of {@link ed25519Crypto}. */
export interface Ed25519CryptoOptions {
  /** This replica's 32-byte Ed25519 secret key. */
  readonly secretKey: Uint8Array;
  /** Public keys of replicas 0 .. n-1. */
  readonly replicaKeys: readonly Uint8Array[];
  /** Public key of a client, or undefined for an unknown client. */
  readonly clientKey: (client: string) => Uint8Array | undefined;
}

function verify(publicKey: Uint8Array | undefined, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey === undefined || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/**
 * Ed25519 signing and verification for one replica. A signature is accepted only if it is 64 bytes
 * and the signer's public key is known; verification uses the @noble/curves defaults for Ed25519
 * (ZIP-215 rules, cofactored equation), so all verifiers agree on which signatures are valid.
 * @param options - this replica's secret key, the replicas' public keys, and the client key lookup
 * @returns the {@link ReplicaCrypto} to pass to {@link createReplica}
 * @throws TypeError if a key is not a Uint8Array or clientKey is not a function
 * @example
 * ```ts
 * const keys = [0, 1, 2, 3].map(() => ed25519.keygen());
 * const crypto = ed25519Crypto({
 *   secretKey: keys[0].secretKey,
 *   replicaKeys: keys.map((k) => k.publicKey),
 *   clientKey: (id) => clientKeys.get(id),
 * });
 * ```
 */
export function ed25519Crypto(options: Ed25519CryptoOptions): ReplicaCrypto {
  const secretKey = abytes(options.secretKey, 'secretKey');
  const replicaKeys = options.replicaKeys.map((k, i) => abytes(k, `replicaKeys[${i}]`));
  if (typeof options.clientKey !== 'function') throw new ArgumentTypeError('clientKey', 'a function');
  const clientKey = options.clientKey;
  return {
    sign: (message) => ed25519.sign(message, secretKey),
    verifyReplica: (replica, message, signature) => verify(replicaKeys[replica], message, signature),
    verifyClient: (client, message, signature) => verify(clientKey(client), message, signature),
  };
}

/**
 * An Ed25519 signing function for a client (for {@link ClientOptions.sign} or {@link signRequest}).
 * @param secretKey - the client's 32-byte Ed25519 secret key
 * @returns a function that signs a message and returns the 64-byte signature
 * @throws TypeError if secretKey is not a Uint8Array
 */
export function ed25519Signer(secretKey: Uint8Array): (message: Uint8Array) => Uint8Array {
  const key = abytes(secretKey, 'secretKey');
  return (message) => ed25519.sign(message, key);
}

/**
 * Verifies one replica's Ed25519 signature (for checking ledger certificates outside a replica).
 * @param replicaKeys - the public keys of replicas 0 .. n-1
 * @returns a verifier for the `crypto` option of `verifyChain` (`medshare/ledger`); an index with no key verifies nothing
 * @throws TypeError if a key is not a Uint8Array
 */
export function ed25519ReplicaVerifier(replicaKeys: readonly Uint8Array[]): Pick<ReplicaCrypto, 'verifyReplica'> {
  const keys = replicaKeys.map((k, i) => abytes(k, `replicaKeys[${i}]`));
  return { verifyReplica: (replica, message, signature) => verify(keys[replica], message, signature) };
}
