/**
 * The key-leak attack on huang2020 (docs/schemes.md section 1.4), from one ordinary secret key:
 * h^d = D3^(1/B3), g^d likewise; h^c = (h^d)^A1 / A2, g^c = (g^d)^A1 / A3; then
 * Z^(c(r+s)) = e(c2, h^c) * e(g^c, c3) and m = c1 / Z^(c(r+s)) opens the sealed record of ANY
 * identity's ciphertext. Used by the huang2020 tests (it works) and the ga07 tests (contrast).
 */
import type { Groups } from '../../src/backend/types.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { Fr } from '../../src/internal/bls.js';
import type { Huang2020Ciphertext, Huang2020SecretKey } from '../../src/pre/huang2020.js';
import { open } from '../../src/pre/kem.js';
import { type Kit, NOBLE } from './backends.js';

/**
 * Opens `ciphertext` (for any identity) with the key of `attacker`, computing with the backend of
 * `kit`; throws DecryptionError if the attack fails.
 */
export function huangKeyLeak(
  attacker: Huang2020SecretKey<Groups>,
  ciphertext: Huang2020Ciphertext<Groups>,
  kit: Kit = NOBLE,
): Uint8Array {
  const { gtDiv, gtToBytes, pairProduct } = kit;
  const invB3 = Fr.inv(attacker.B3);
  const hc = attacker.D3.multiply(invB3).multiply(attacker.A1).subtract(attacker.A2);
  const gc = attacker.D3g.multiply(invB3).multiply(attacker.A1).subtract(attacker.A3);
  const { c1, c2, c3 } = ciphertext.capsule;
  const m = gtDiv(
    c1,
    pairProduct([
      [c2, hc],
      [gc, c3],
    ]),
  ); // c1 / Z^(c(r+s))
  const binding = concatBytes(gtToBytes(c1), c2.toBytes(true), c3.toBytes(true));
  return open('huang2020', gtToBytes(m), binding, ciphertext.sealed);
}
