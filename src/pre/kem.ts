/**
 * Records of any size: the IB-PRE carries a random GT element (a key-encapsulation
 * mechanism), and the record itself is sealed with an AEAD (docs/schemes.md section 3).
 *
 *   key || nonce = HKDF-SHA256(ikm = bytes(m), salt = empty, info = "medshare/v1/<scheme>/kem", 44)
 *   sealed       = ChaCha20-Poly1305(key, nonce).encrypt(record, ad = binding)
 *
 * `m` is fresh for every record, so a key and nonce are never used twice. `binding` is the
 * part of the capsule that re-encryption leaves unchanged (for huang2020: c1 || c2 || c3),
 * so the payload is tied to its capsule while a proxy re-encrypts without touching it.
 *
 * ChaCha20-Poly1305 from @noble/ciphers (audited, synchronous, ~8 ms per MiB here) rather
 * than WebCrypto AES-GCM, whose API is asynchronous and would make every scheme call async.
 * @module
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../internal/bls.js';
import { DecryptionError } from '../internal/errors.js';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
/** Poly1305 tag length: every sealed payload is the record length plus this. */
export const TAG_BYTES = 16;

function deriveKey(scheme: string, m: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const okm = hkdf(sha256, m, undefined, utf8(`medshare/v1/${scheme}/kem`), KEY_BYTES + NONCE_BYTES);
  return { key: okm.subarray(0, KEY_BYTES), nonce: okm.subarray(KEY_BYTES) };
}

/** Seals `record` under the key derived from `m`, the 576-byte encoding of the encapsulated GT element. */
export function seal(scheme: string, m: Uint8Array, binding: Uint8Array, record: Uint8Array): Uint8Array {
  const { key, nonce } = deriveKey(scheme, m);
  return chacha20poly1305(key, nonce, binding).encrypt(record);
}

/** Opens a sealed payload (`m`: the encoding of the encapsulated GT element); throws {@link DecryptionError} when the tag does not verify. */
export function open(scheme: string, m: Uint8Array, binding: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (sealed.length < TAG_BYTES) throw new DecryptionError();
  const { key, nonce } = deriveKey(scheme, m);
  try {
    return chacha20poly1305(key, nonce, binding).decrypt(sealed);
  } catch {
    throw new DecryptionError();
  }
}
