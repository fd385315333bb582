/**
 * @module
 * Builds the ga07 known-answer vectors of test/vectors/ga07.json (see test/vectors/README.md).
 * Every randomized step draws from its own seeded SHA-256 counter-mode stream
 * (./random.ts), so each step can be reproduced on its own.
 */
import { H1_DST, H2_DST } from '../../src/pre/ga07.js';
import { NONCE_DST, PROOF_DST } from '../../src/pre/ga07-verifiable.js';
import { type Kit, NOBLE } from './backends.js';
import { hex } from './ga07-fixture.js';
import { seededRandom } from '../../src/testing/random.js';

export const VECTOR_SEED = 'medshare/ga07/kat/v1';
const seed = (step: string) => `${VECTOR_SEED}/${step}`;

export interface Ga07Vectors {
  description: string;
  seedPrefix: string;
  dst: { H1: string; H2: string; proof: string; nonce: string };
  identities: { delegator: string; delegatee: string };
  record: string;
  setup: { seed: string; params: string; masterKey: string };
  keyGen: { H1Delegator: string; H1Delegatee: string; delegator: string; delegatee: string };
  encrypt: { seed: string; m: string; ciphertext: string };
  reKeyGen: { seed: string; X: string; reKey: string };
  reEncrypt: { ciphertext: string };
  threshold: {
    seed: string;
    threshold: number;
    total: number;
    X: string;
    shares: string[];
    commitment: string;
    partials: { seed: string; bytes: string }[];
    combined: string;
  };
}

/** The vectors, computed with the schemes of `kit` (every backend must give the same file). */
export function makeGa07Vectors(kit: Kit = NOBLE): Ga07Vectors {
  const { ga07, ga07Verifiable: v, gtDiv, gtToBytes, pair } = kit;
  const { decapsulate, identityPoint } = kit.core;
  const delegator = 'patient:alice@example.org';
  const delegatee = 'institute:oncology-lab';
  const record = new TextEncoder().encode('{"patient":"alice","hba1c":6.1,"note":"medshare ga07 known-answer vector"}');
  const { params, masterKey } = ga07.setup({ random: seededRandom(seed('setup')) });
  const alice = ga07.keyGen(params, masterKey, delegator);
  const lab = ga07.keyGen(params, masterKey, delegatee);
  const ct = ga07.encrypt(params, delegator, record, { random: seededRandom(seed('encrypt')) });
  const m = decapsulate(alice, ct.capsule);
  const rk = ga07.reKeyGen(params, alice, delegatee, { random: seededRandom(seed('reKeyGen')) });
  const xOf = (R1: typeof rk.R1, R2: typeof rk.R2) => gtDiv(R2, pair(lab.key, R1));
  const shared = ga07.reEncrypt(params, rk, ct);
  const { shares, commitment } = v.reKeyGenShares(params, alice, delegatee, {
    threshold: 2,
    total: 3,
    random: seededRandom(seed('reKeyGenShares')),
  });
  const partials = shares.map((s) => ({
    seed: seed(`reEncryptShare/${s.index}`),
    partial: v.reEncryptShare(params, s, ct, { random: seededRandom(seed(`reEncryptShare/${s.index}`)) }),
  }));
  const combined = v.combineReEncryptionShares(
    params,
    commitment,
    ct,
    partials.slice(0, 2).map((p) => p.partial),
  );
  return {
    description: 'ga07 (Green-Ateniese IBP1 on BLS12-381) known-answer vectors; all byte strings hex; see test/vectors/README.md',
    seedPrefix: VECTOR_SEED,
    dst: { H1: H1_DST, H2: H2_DST, proof: PROOF_DST, nonce: NONCE_DST },
    identities: { delegator, delegatee },
    record: hex(record),
    setup: { seed: seed('setup'), params: hex(ga07.encodeParams(params)), masterKey: hex(ga07.encodeMasterKey(masterKey)) },
    keyGen: {
      H1Delegator: hex(identityPoint(delegator).toBytes(true)),
      H1Delegatee: hex(identityPoint(delegatee).toBytes(true)),
      delegator: hex(ga07.encodeSecretKey(alice)),
      delegatee: hex(ga07.encodeSecretKey(lab)),
    },
    encrypt: { seed: seed('encrypt'), m: hex(gtToBytes(m)), ciphertext: hex(ga07.encodeCiphertext(ct)) },
    reKeyGen: { seed: seed('reKeyGen'), X: hex(gtToBytes(xOf(rk.R1, rk.R2))), reKey: hex(ga07.encodeReKey(rk)) },
    reEncrypt: { ciphertext: hex(ga07.encodeCiphertext(shared)) },
    threshold: {
      seed: seed('reKeyGenShares'),
      threshold: commitment.threshold,
      total: commitment.total,
      X: hex(gtToBytes(xOf(commitment.R1, commitment.R2))),
      shares: shares.map((s) => hex(v.encodeReKeyShare(s))),
      commitment: hex(v.encodeReKeyCommitment(commitment)),
      partials: partials.map((p) => ({ seed: p.seed, bytes: hex(v.encodeReEncryptionShare(p.partial)) })),
      combined: hex(ga07.encodeCiphertext(combined)),
    },
  };
}
