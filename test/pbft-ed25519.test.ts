/**
 * The default signatures: Ed25519 (@noble/curves). A few end-to-end runs with real keys; the
 * 1,000-seed sweep uses cheap keyed hashes instead, which the state machine cannot tell apart.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { blockFromExecution, type Block, verifyChain } from '../src/ledger/index.js';
import {
  createReplica,
  ed25519Crypto,
  ed25519ReplicaVerifier,
  ed25519Signer,
  type ReplicaEffect,
  type ReplicaMessage,
  type ReplicaState,
  signRequest,
  step,
} from '../src/pbft/index.js';
import { runSimulation } from '../src/testing/pbft-simulator.js';

function deterministicKey(label: string): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = new Uint8Array(32);
  new TextEncoder().encodeInto(label.padEnd(32, '.'), secretKey);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

function deployment(n: number, clients: readonly string[]) {
  const replicaKeys = Array.from({ length: n }, (_, i) => deterministicKey(`replica-${i}`));
  const clientKeys = new Map(clients.map((c) => [c, deterministicKey(`client-${c}`)]));
  const crypto = (i: number) =>
    ed25519Crypto({
      secretKey: (replicaKeys[i] as { secretKey: Uint8Array }).secretKey,
      replicaKeys: replicaKeys.map((k) => k.publicKey),
      clientKey: (c) => clientKeys.get(c)?.publicKey,
    });
  return {
    crypto,
    replicaPublicKeys: replicaKeys.map((k) => k.publicKey),
    clientSigner: (c: string) => ed25519Signer((clientKeys.get(c) as { secretKey: Uint8Array }).secretKey),
  };
}

describe('Ed25519 end to end', () => {
  it('4 replicas order 3 batches; every ledger verifies against the replicas public keys; a forged request is refused', () => {
    const d = deployment(4, ['alice']);
    const replicas: ReplicaState[] = [0, 1, 2, 3].map((id) => createReplica({ id, n: 4, crypto: d.crypto(id), maxBatch: 2 }));
    const ledgers: Block[][] = [[], [], [], []];
    const queue: Array<{ to: number; from: number; message: ReplicaMessage }> = [];
    const apply = (id: number, effects: readonly ReplicaEffect[]) => {
      for (const e of effects) {
        if (e.type === 'broadcast') for (let j = 0; j < 4; j++) if (j !== id) queue.push({ to: j, from: id, message: e.message });
        if (e.type === 'send') queue.push({ to: e.to, from: id, message: e.message });
        if (e.type === 'execute') {
          const ledger = ledgers[id] as Block[];
          ledger.push(blockFromExecution(e, ledger[ledger.length - 1]?.hash));
        }
      }
    };
    const input = (id: number, i: Parameters<typeof step>[1]) => {
      const { state, effects } = step(replicas[id] as ReplicaState, i);
      replicas[id] = state;
      apply(id, effects);
      return effects;
    };
    const sign = d.clientSigner('alice');
    for (let t = 1; t <= 6; t++) {
      input(0, { type: 'request', request: signRequest('alice', t, new TextEncoder().encode(`tx ${t}`), sign) });
      while (queue.length > 0) {
        const { to, from, message } = queue.shift() as (typeof queue)[number];
        input(to, { type: 'message', from, message });
      }
    }
    const verifier = ed25519ReplicaVerifier(d.replicaPublicKeys);
    for (const ledger of ledgers) {
      expect(ledger).toHaveLength(3);
      expect(verifyChain(ledger, { n: 4, crypto: verifier })).toMatchObject({ valid: true, height: 3 });
    }
    const forged = signRequest('alice', 7, new Uint8Array([1]), ed25519Signer(deterministicKey('mallory').secretKey));
    const effects = input(0, { type: 'request', request: forged });
    expect(effects).toEqual([
      { type: 'drop', from: 'client', code: 'badClientSignature', reason: 'request: bad client signature' },
    ]);
    // A certificate whose COMMIT was signed with another replica's key is rejected.
    const block = ledgers[1]?.[0] as Block;
    const swapped = {
      ...block,
      certificate: block.certificate.map((c, i) => (i === 0 ? { ...c, replica: (c.replica + 1) % 4 } : c)),
    };
    expect(verifyChain([swapped], { n: 4, crypto: verifier })).toMatchObject({ valid: false, height: 1, problem: 'certificate' });
  });

  it('a short simulation with faults and a Byzantine replica stays safe and live with Ed25519', () => {
    const clients = ['client-0', 'client-1'];
    const d = deployment(4, clients);
    const result = runSimulation({
      seed: 7,
      n: 4,
      byzantine: [3],
      clients: 2,
      requestsPerClient: 2,
      chaosTicks: 120,
      keys: { crypto: d.crypto, clientSigner: d.clientSigner },
    });
    expect(result.completedAt).toBeGreaterThan(0);
    const verifier = ed25519ReplicaVerifier(d.replicaPublicKeys);
    const longest = result.ledgers[0] as Block[];
    expect(verifyChain(longest, { n: 4, crypto: verifier }).valid).toBe(true);
  });

  it('verification never throws on malformed keys or signatures', () => {
    const d = deployment(4, ['alice']);
    const crypto = d.crypto(0);
    expect(crypto.verifyReplica(9, new Uint8Array(1), new Uint8Array(64))).toBe(false);
    expect(crypto.verifyReplica(1, new Uint8Array(1), new Uint8Array(63))).toBe(false);
    expect(crypto.verifyClient('nobody', new Uint8Array(1), new Uint8Array(64))).toBe(false);
    expect(crypto.verifyReplica(1, new Uint8Array(1), new Uint8Array(64).fill(255))).toBe(false);
  });
});
