/**
 * A published non-pairing PRE beside ours: Umbral (NuCypher, threshold PRE on secp256k1, Rust
 * compiled to WebAssembly, @nucypher/umbral-pre). A dev-only comparison: it is GPL-3.0 and not
 * a dependency of medshare. Umbral is public-key (not identity-based) PRE, so it needs no
 * pairing at all; the comparison shows what identity-based delegation costs.
 */
import { decryptOriginal, decryptReencrypted, encrypt, generateKFrags, reencrypt, SecretKey, Signer } from '@nucypher/umbral-pre';
import { type MeasureOptions, type Measurement, measure } from '../harness.js';

/** Runs the Umbral measurements (t = 1, n = 1, 1 KiB record). */
export function runUmbralSuite(opts: MeasureOptions, progress: (message: string) => void): Measurement[] {
  const alice = SecretKey.random();
  const bob = SecretKey.random();
  const signer = new Signer(SecretKey.random());
  const record = new Uint8Array(1024);
  const [capsule, ciphertext] = encrypt(alice.publicKey(), record);
  const kfrag = generateKFrags(alice, bob.publicKey(), signer, 1, 1, false, false)[0];
  if (kfrag === undefined) throw new Error('umbral: no kfrag');
  const cfrag = reencrypt(capsule, kfrag);
  const none = () => undefined;
  const cases: [string, () => unknown][] = [
    ['umbral encrypt 1 KiB', () => encrypt(alice.publicKey(), record)],
    ['umbral decrypt (original)', () => decryptOriginal(alice, capsule, ciphertext)],
    ['umbral generateKFrags (t = 1, n = 1)', () => generateKFrags(alice, bob.publicKey(), signer, 1, 1, false, false)],
    ['umbral reencrypt (one proxy, with proof)', () => reencrypt(capsule, kfrag)],
    ['umbral decrypt (re-encrypted)', () => decryptReencrypted(bob, alice.publicKey(), capsule, [cfrag], ciphertext)],
  ];
  return cases.map(([name, operation]) => {
    progress(`umbral: ${name}`);
    return measure(name, operation, none, opts);
  });
}
