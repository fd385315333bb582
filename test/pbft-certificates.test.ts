/**
 * The exported certificate checkers stand on their own (issue 11, item 5): they are public, so a
 * caller may hand them objects that never went through `checkReplicaMessage`. A signer counts
 * once whatever the spelling of its index (1, "1", [1], 1.0000001), and every entry must be of the
 * right kind. `step` validates first; these checks must hold without it.
 */
import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  type Commit,
  checkCheckpointProof,
  checkCommitCertificate,
  checkPreparedProof,
  checkViewChange,
  checkpointSignable,
  commitSignable,
  GENESIS_CHECKPOINT_DIGEST,
  type PreparedProof,
  type Prepare,
  prePrepareSignable,
  prepareSignable,
  type ViewChange,
  viewChangeSignable,
} from '../src/pbft/index.js';
import { Cluster } from './support/pbft-harness.js';

const cluster = new Cluster(4);
const crypto = cluster.keys.crypto(0);
const digest = new Uint8Array(32).fill(7);
/** The same message with its replica index spelled another way (the signature is unchanged). */
const respelled = <T extends { replica: number }>(m: T, replica: unknown): T => ({ ...m, replica }) as unknown as T;

function checkpoint(replica: number, seq = 4): Checkpoint {
  const unsigned = { seq, digest, replica };
  return { type: 'checkpoint', ...unsigned, signature: cluster.keys.crypto(replica).sign(checkpointSignable(unsigned)) };
}
function prepare(replica: number, pp: { view: number; seq: number; digest: Uint8Array }): Prepare {
  const unsigned = { view: pp.view, seq: pp.seq, digest: pp.digest, replica };
  return { type: 'prepare', ...unsigned, signature: cluster.keys.crypto(replica).sign(prepareSignable(unsigned)) };
}
function commit(replica: number): Commit {
  const unsigned = { view: 0, seq: 1, digest, replica };
  return { type: 'commit', ...unsigned, signature: cluster.keys.crypto(replica).sign(commitSignable(unsigned)) };
}

describe('checkCheckpointProof counts each replica once, whatever the spelling of its index', () => {
  it('a genuine proof of 3 distinct replicas is valid (so the test can fail for the right reason)', () => {
    expect(checkCheckpointProof([checkpoint(0), checkpoint(1), checkpoint(2)], 4, digest, 4, crypto)).toBeNull();
  });
  for (const [what, proof] of [
    ['1, "1" and [1]', () => [checkpoint(1), respelled(checkpoint(1), '1'), respelled(checkpoint(1), [1])]],
    ['0, "0" and [0]', () => [checkpoint(0), respelled(checkpoint(0), '0'), respelled(checkpoint(0), [0])]],
    ['0, 1 and "1"', () => [checkpoint(0), checkpoint(1), respelled(checkpoint(1), '1')]],
  ] as const) {
    it(`CHECKPOINTs from ${what} are not three signers`, () => {
      expect(checkCheckpointProof(proof(), 4, digest, 4, crypto)).toMatch(/not a replica index/);
    });
  }
  it('entries of another kind do not count', () => {
    const proof = [checkpoint(0), checkpoint(1), { ...checkpoint(2), type: 'prepare' }] as Checkpoint[];
    expect(checkCheckpointProof(proof, 4, digest, 4, crypto)).toMatch(/expected checkpoint/);
    expect(checkCheckpointProof('proof' as never, 4, digest, 4, crypto)).toMatch(/not an array/);
  });
});

describe('checkPreparedProof and checkViewChange', () => {
  const batch = [cluster.request('alice', 1)];
  const ppUnsigned = { view: 0, seq: 1, digest: digest, time: 0, replica: 0 };
  const pp = {
    type: 'prePrepare' as const,
    ...ppUnsigned,
    batch,
    signature: cluster.keys.crypto(0).sign(prePrepareSignable(ppUnsigned)),
  };

  it('a PREPARE counted under "1" and 1 is one PREPARE, not two', () => {
    const p1 = prepare(1, pp);
    const proof = { prePrepare: pp, prepares: [p1, respelled(p1, '1')] } as PreparedProof;
    expect(checkPreparedProof(proof, 4, crypto)).toMatch(/not a replica index/);
  });

  it('a VIEW-CHANGE whose checkpoint proof repeats a signer under other spellings is invalid', () => {
    const c = checkpoint(1);
    const unsigned = {
      view: 1,
      stableSeq: 4,
      stableDigest: digest,
      checkpointProof: [c, respelled(c, '1'), respelled(c, [1])],
      prepared: [],
      replica: 2,
    };
    const vc: ViewChange = {
      type: 'viewChange',
      ...unsigned,
      signature: cluster.keys.crypto(2).sign(viewChangeSignable(unsigned)),
    };
    expect(checkViewChange(vc, 4, 8, crypto)).toMatch(/not a replica index/);
    const genuine = { ...unsigned, checkpointProof: [checkpoint(0), checkpoint(1), checkpoint(2)] };
    const ok: ViewChange = {
      type: 'viewChange',
      ...genuine,
      signature: cluster.keys.crypto(2).sign(viewChangeSignable(genuine)),
    };
    expect(checkViewChange(ok, 4, 8, crypto)).toBeNull();
    expect(GENESIS_CHECKPOINT_DIGEST).toHaveLength(32);
  });
});

describe('checkCommitCertificate', () => {
  it('2f + 1 distinct COMMITs pass; "1" beside 1 does not make a third', () => {
    expect(checkCommitCertificate([commit(0), commit(1), commit(2)], 0, 1, digest, 4, crypto)).toBeNull();
    expect(checkCommitCertificate([commit(0), commit(1), respelled(commit(1), '1')], 0, 1, digest, 4, crypto)).toMatch(
      /unknown replica/,
    );
  });
});
