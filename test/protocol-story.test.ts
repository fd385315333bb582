/**
 * The whole story end to end (Huang et al. 2020, section 4.1 steps 1-9; 4.2.10; 5.1.5) through
 * 4 verification nodes running PBFT, with the STAND-IN proof system: every node reaches the same
 * contract state, the hash beside each block is equal at every node, the second sale is refused
 * through consensus, and a node that crashed mid-story restarts and catches up (by retransmission,
 * and with a small checkpoint interval by state transfer plus block sync). The command line is in
 * cli.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyBlock,
  contractStateHash,
  createLedgerContractState,
  runStory,
  type StoryEvent,
  type StoryResult,
  standInProofSystem,
} from '../src/protocol/index.js';
import { seededRandom } from '../src/testing/random.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function checkNodesAgree(result: StoryResult) {
  const nodes = result.network.nodes;
  const first = nodes[0];
  if (first === undefined) throw new Error('no nodes');
  for (const node of nodes) {
    expect(node.up).toBe(true);
    expect(node.store.height).toBe(first.store.height);
    expect(hex(node.store.head())).toBe(hex(first.store.head()));
    // The contract-state hash beside every block is the same at every node.
    expect(node.stateHashes.map(hex)).toEqual(first.stateHashes.map(hex));
    expect(hex(contractStateHash(node.ledger.contract))).toBe(result.stateHash);
    expect(result.network.verifyLedger(node.id).valid).toBe(true);
  }
}

describe('the whole story through PBFT (stand-in proofs)', () => {
  let result: StoryResult;
  const events: StoryEvent[] = [];
  beforeAll(async () => {
    result = await runStory({
      proofSystem: standInProofSystem(),
      fields: 5,
      proxies: 3,
      threshold: 2,
      proxyFault: 'lies',
      random: seededRandom('protocol-story'),
      onEvent: (e) => events.push(e),
    });
  });

  it('delivers exactly the proven record to the institution', () => {
    expect(result.received).toEqual(result.record);
    expect(result.record).toHaveLength(5);
  });

  it('refuses the second sale under the exclusive licence and names the patient (by pseudonym)', () => {
    const alice = result.context.parties.patient;
    expect(alice.identity).toBe('patient:alice');
    expect(result.secondSale.accepted).toBe(false);
    if (result.secondSale.accepted) return;
    expect(result.secondSale.reason).toBe('exclusiveLicence');
    expect(result.secondSale.accountable).toBe(alice.address);
    expect(result.secondSale.sender).toBe(alice.address);
    expect(result.context.pkg.identityOf(alice.address)).toBe('patient:alice');
  });

  it('escrow and fair exchange: the t-th valid partial paid the patient and licensed lab A; a lying proxy was named', () => {
    const { labA, patient, proxies } = result.context.parties;
    expect(result.sale).toMatchObject({ stage: 'delivered', escrow: 0, reward: 100, exclusive: true, institution: labA.address });
    expect(result.sale.deliveries.map((d) => d.index)).toEqual([2, 3]);
    const state = result.network.nodes[0]?.ledger.contract;
    expect(state?.balances.get(patient.address)).toBe(100);
    expect(state?.records.get(result.sale.recordId)?.licences.map((l) => l.institution)).toEqual([labA.address]);
    const step7 = events.find((e) => e.type === 'step' && e.step === 'step 7');
    if (step7?.type !== 'step' || step7.step !== 'step 7') throw new Error('no step 7');
    const lie = step7.report.deliveries.find((d) => d.behaviour === 'lies');
    expect(lie?.outcome).toMatchObject({ accepted: false, reason: 'invalidPartial', accountable: proxies[0]?.address });
    // Lab A escrowed 3 x 100 and paid 100; lab B escrowed 2 x 150 and got it back when it closed.
    expect(state?.balances.get(labA.address)).toBe(1000 - 300);
    expect(state?.balances.get(result.context.parties.labB.address)).toBe(500);
  });

  it('every node, the crashed one included, has the same ledger and contract state', () => {
    expect(result.agreed).toBe(true);
    expect(result.restartedAt).not.toBeNull();
    expect(result.restartedAt as number).toBeLessThan(result.height);
    // With the default checkpoint interval the node catches up by retransmission, not state transfer.
    expect(result.network.stats.stateTransfers).toBe(0);
    checkNodesAgree(result);
  });

  it('a refused transaction is on the ledger but leaves the contract state unchanged', () => {
    const node = result.network.nodes[0];
    if (node === undefined) throw new Error('no node');
    const refusal = [...node.receipts.values()].find((r) => !r.outcome.accepted);
    if (refusal === undefined) throw new Error('no refusal on the ledger');
    const block = node.store.get(refusal.height);
    expect(block?.batch).toHaveLength(1);
    expect(hex(node.stateHashes[refusal.height - 1] as Uint8Array)).toBe(hex(node.stateHashes[refusal.height - 2] as Uint8Array));
  });

  it('the contract is a deterministic function of the blocks: a replay gives the same hashes', () => {
    const node = result.network.nodes[1];
    if (node === undefined) throw new Error('no node');
    const config = result.network.config;
    let ledger = createLedgerContractState();
    const hashes: string[] = [];
    for (const block of node.store.blocks()) {
      ledger = applyBlock(ledger, block, config, standInProofSystem()).state;
      hashes.push(hex(contractStateHash(ledger.contract)));
    }
    expect(hashes).toEqual(node.stateHashes.map(hex));
  });

  it('reports every step of section 4.1, in order', () => {
    const steps = events.filter((e) => e.type === 'step').map((e) => e.step);
    expect(steps).toEqual([
      'setup',
      'zk setup',
      'deposit',
      'step 1',
      'step 2',
      'step 3',
      'step 4',
      'step 5',
      'fault',
      'step 6',
      'accept',
      'step 7',
      'step 9',
      'step 8',
      'recovery',
      '5.1.5',
      'close',
      'recovered',
    ]);
  });
});

describe('crash and restart with a small checkpoint interval', () => {
  it('the restarted node catches up by state transfer and block sync, and agrees', async () => {
    const result = await runStory({
      proofSystem: standInProofSystem(),
      fields: 2,
      checkpointInterval: 2,
      random: seededRandom('protocol-story-transfer'),
    });
    expect(result.agreed).toBe(true);
    expect(result.network.stats.stateTransfers).toBeGreaterThan(0);
    expect(result.network.stats.blocksSynced).toBeGreaterThan(0);
    checkNodesAgree(result);
  });
});
