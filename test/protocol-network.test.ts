/**
 * Verification nodes that persist to disk (issue 11, item 7): each node writes its replica's
 * persistent state (crash-safely: temporary file, fsync, rename) and its ledger file, and a restart
 * reads them back alone. A node restarted from its files, after a torn ledger write, or after a
 * failed state write, rejoins and agrees with the others; a torn or altered state file is refused
 * (the node could otherwise contradict what it sent before the crash).
 */
import * as fs from 'node:fs';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EncodingError } from '../src/internal/errors.js';
import { DirectoryNodeStorage, LEDGER_FILE, type NodeFileSystem, REPLICA_STATE_FILE } from '../src/ledger/file.js';
import { createPkg, standInProofSystem, VerificationNetwork } from '../src/protocol/index.js';
import { seededRandom } from '../src/testing/random.js';

const root = mkdtempSync(join(tmpdir(), 'medshare-network-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let networks = 0;

function makeNetwork(fsLayer: NodeFileSystem = fs) {
  const random = seededRandom(`network-${networks}`);
  const directory = join(root, `net-${networks++}`);
  const pkg = createPkg({ random });
  const config = pkg.contractConfig({ chain: 'network-test', contract: 'sharing-v2' });
  let time = 1_700_000_000;
  const network = new VerificationNetwork({
    config,
    deps: standInProofSystem(),
    random,
    clock: () => time,
    checkpointInterval: 4,
    storage: (id) => new DirectoryNodeStorage(join(directory, `node-${id}`), fsLayer),
  });
  let registered = 0;
  /** Registers a fresh identity (one PBFT round) and returns its receipt's outcome. */
  const register = () => {
    time += 3;
    const operation = pkg.registration(config, `patient:p${registered++}`, 'patient', time, { random });
    return network.submit(config.authority, operation);
  };
  const nodeDir = (id: number) => join(directory, `node-${id}`);
  return { network, register, nodeDir };
}

function expectConsistent(network: VerificationNetwork) {
  network.settle();
  expect(network.agree()).toBe(true);
  for (const node of network.nodes) if (node.up) expect(network.verifyLedger(node.id).valid).toBe(true);
}

describe('nodes persist to files and restart from them alone', () => {
  it('each node has a replica-state file and a ledger file; a node restarted from them catches up', () => {
    const { network, register, nodeDir } = makeNetwork();
    for (let i = 0; i < 3; i++) expect(register().receipt.outcome.accepted).toBe(true);
    for (let id = 0; id < 4; id++) {
      expect(fs.existsSync(join(nodeDir(id), REPLICA_STATE_FILE))).toBe(true);
      expect(fs.existsSync(join(nodeDir(id), LEDGER_FILE))).toBe(true);
    }
    network.crash(3);
    for (let i = 0; i < 6; i++) expect(register().agreed).toBe(true); // past two checkpoints (K = 4)
    network.restart(3);
    expect(network.nodes[3]?.store.height).toBeLessThan(network.height);
    register();
    expectConsistent(network);
    expect(network.nodes[3]?.store.height).toBe(network.height);
  });

  it('every node crashed and restarted from disk, one after another, and the cluster goes on', () => {
    const { network, register } = makeNetwork();
    for (let i = 0; i < 2; i++) register();
    for (let id = 0; id < 4; id++) {
      network.crash(id);
      register();
      network.restart(id);
    }
    expect(register().receipt.outcome.accepted).toBe(true);
    expectConsistent(network);
  });

  it('a torn ledger tail (a crash during an append) is cut on restart and the missing blocks fetched from peers', () => {
    const { network, register, nodeDir } = makeNetwork();
    for (let i = 0; i < 3; i++) register();
    network.crash(1);
    const ledger = join(nodeDir(1), LEDGER_FILE);
    const bytes = readFileSync(ledger);
    // The last block's record was being written: keep only half of it.
    const lastRecord = bytes.length - Math.floor(bytes.length / 6);
    writeFileSync(ledger, bytes.subarray(0, lastRecord));
    appendFileSync(ledger, Buffer.alloc(64)); // and a zero-filled page tail
    network.restart(1);
    expect(network.nodes[1]?.store.height).toBe(network.height);
    register();
    expectConsistent(network);
  });
});

describe('a torn or failed replica-state write', () => {
  it('a truncated or altered state file is refused (ERR_ENCODING), and the other nodes go on', () => {
    const { network, register, nodeDir } = makeNetwork();
    register();
    network.crash(2);
    const path = join(nodeDir(2), REPLICA_STATE_FILE);
    const bytes = readFileSync(path);
    truncateSync(path, bytes.length - 7);
    expect(() => network.restart(2)).toThrow(EncodingError);
    const flipped = Buffer.from(bytes);
    flipped[40] = (flipped[40] as number) ^ 1;
    writeFileSync(path, flipped);
    expect(() => network.restart(2)).toThrow(expect.objectContaining({ code: 'ERR_ENCODING' }));
    expect(register().receipt.outcome.accepted).toBe(true);
    writeFileSync(path, bytes); // the intact file: the node may run again
    network.restart(2);
    register();
    expectConsistent(network);
  });

  it('a state write that fails half-way crashes the node before it sends; it restarts from the previous file and rejoins', () => {
    let failNext = false;
    const layer: NodeFileSystem = {
      ...fs,
      writeSync: ((fd: number, buffer: Uint8Array, offset: number, length: number) => {
        if (failNext) {
          failNext = false;
          fs.writeSync(fd, buffer, offset, Math.min(length, 10));
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        return fs.writeSync(fd, buffer, offset, length);
      }) as NodeFileSystem['writeSync'],
    };
    const { network, register, nodeDir } = makeNetwork(layer);
    register();
    const before = readFileSync(join(nodeDir(0), REPLICA_STATE_FILE));
    failNext = true; // the next state write (at some node) fails after 10 bytes
    register();
    const failed = network.nodes.find((node) => node.failure !== null);
    expect(failed?.up).toBe(false);
    expect(network.stats.writeFailures).toBe(1);
    const dir = nodeDir(failed?.id as number);
    expect(fs.existsSync(join(dir, `${REPLICA_STATE_FILE}.tmp`))).toBe(true); // the torn temporary file
    network.restart(failed?.id as number);
    expect(fs.existsSync(join(dir, `${REPLICA_STATE_FILE}.tmp`))).toBe(false);
    for (let i = 0; i < 2; i++) register();
    expectConsistent(network);
    expect(before.length).toBeGreaterThan(0);
  });
});
