/** Chains of real blocks for the ledger tests: transactions (Fig. 3) committed by a 4-replica cluster. */
import { sha256 } from '@noble/hashes/sha2.js';
import { type Block, blockFromExecution, encodeTransaction, type Transaction } from '../../src/ledger/index.js';
import { type ReplicaEffect, type Request, requestSignable } from '../../src/pbft/index.js';
import { Cluster } from './pbft-harness.js';

export function sampleTransaction(i: number): Transaction {
  return {
    patient: `addr:patient-${i % 3}`,
    institution: 'lab:oncology',
    dataHash: sha256(new TextEncoder().encode(`record ${i}`)),
    timestamp: 1_700_000_000_000 + i,
    patientSignature: new Uint8Array(96).fill(i % 256),
    institutionSignature: new Uint8Array(96).fill((i * 7) % 256),
  };
}

/** Commits `count` blocks (one transaction each) and returns replica 1's chain and a verifier. */
export function committedChain(count: number): { blocks: Block[]; cluster: Cluster } {
  const cluster = new Cluster(4, { checkpointInterval: 4, logWindow: 8 }, ['patient-0', 'patient-1', 'patient-2']);
  const blocks: Block[] = [];
  for (let i = 1; i <= count; i++) {
    const operation = encodeTransaction(sampleTransaction(i));
    const signed = signedRequest(cluster, `patient-${i % 3}`, i, operation);
    const seen = cluster.spread(0, cluster.step(0, { type: 'request', request: signed }));
    for (const { replica, effect } of seen) {
      if (replica === 1 && effect.type === 'execute') {
        const e = effect as Extract<ReplicaEffect, { type: 'execute' }>;
        blocks.push(blockFromExecution(e, blocks[blocks.length - 1]?.hash));
      }
    }
  }
  return { blocks, cluster };
}

function signedRequest(cluster: Cluster, client: string, timestamp: number, operation: Uint8Array): Request {
  const signature = cluster.keys.clientSigner(client)(requestSignable({ client, timestamp, operation }));
  return { type: 'request', client, timestamp, operation, signature };
}
