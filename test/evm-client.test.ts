/**
 * The client path: medshare/evm's deployMedShare and MedShareClient, through viem, against a
 * JSON-RPC endpoint served over HTTP on 127.0.0.1 by the in-process chain (not direct VM calls).
 * The nine steps end to end with a real proof; refusals come back as RefusalReasons without
 * spending gas; views read the contract's state; a chain without Prague refuses the deployment.
 */
import { createPublicClient, createWalletClient, defineChain, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployMedShare,
  type EvmOutcome,
  type MedShareClient,
  recordId,
  signRecordCommitment,
  signSharingForm,
} from '../src/evm/index.js';
import type { InProcessChain } from '../src/evm/in-process.js';
import { createPkg, issueReKey } from '../src/protocol/parties.js';
import { commitRecord, prove, randomFieldElement, releaseWorkers, requirementHash } from '../src/zk/index.js';
import { identityField } from '../src/evm/encoding.js';
import { MedshareError } from '../src/internal/errors.js';
import { testChain, testKey } from './support/evm.js';
import { seededRandom } from '../src/testing/random.js';
import { SHAPE, testKeys } from './support/zk.js';

const T0 = 1_700_000_000;
const random = seededRandom('evm-client');
const pkg = createPkg({ random, authority: 'ca:membership' });
const names = ['authority', 'patient:alice', 'hospital:st-mary', 'institute:oncology-lab'] as const;
const keys = Object.fromEntries(names.map((n) => [n, testKey(`client:${n}`)])) as Record<(typeof names)[number], Uint8Array>;
const account = (n: (typeof names)[number]) => privateKeyToAccount(`0x${Buffer.from(keys[n]).toString('hex')}`);

let chain: InProcessChain;
let server: { url: string; close: () => Promise<void> };
let medshare: MedShareClient;
let as: Record<(typeof names)[number], MedShareClient>;

function clientsFor(url: string, id: number, n: (typeof names)[number]) {
  const viemChain = defineChain({
    id,
    name: 'in-process',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const transport = http(url);
  return {
    publicClient: createPublicClient({ chain: viemChain, transport, pollingInterval: 20 }),
    wallet: createWalletClient({ account: account(n), chain: viemChain, transport, pollingInterval: 20 }),
  };
}

beforeAll(async () => {
  chain = await testChain({ time: T0, accounts: Object.values(keys) });
  server = await chain.serve();
  medshare = await deployMedShare(clientsFor(server.url, chain.chainId, 'authority'), {
    authority: 'ca:membership',
    signParams: pkg.signParams,
    maxProofAge: 600,
    maxClockSkew: 60,
  });
  as = Object.fromEntries(names.map((n) => [n, medshare.as(clientsFor(server.url, chain.chainId, n).wallet)])) as typeof as;
});

afterAll(async () => {
  await server.close();
  await releaseWorkers();
});

function ok(outcome: EvmOutcome) {
  expect(outcome.accepted ? 'accepted' : outcome.reason).toBe('accepted');
  return outcome as Extract<EvmOutcome, { accepted: true }>;
}

describe('medshare/evm over JSON-RPC (HTTP, viem)', () => {
  it('runs the nine steps and reads the state back', async () => {
    const alice = pkg.enroll('patient:alice', 'patient');
    const lab = pkg.enroll('institute:oncology-lab', 'institution');
    for (const [n, role] of [
      ['patient:alice', 'patient'],
      ['hospital:st-mary', 'hospital'],
      ['institute:oncology-lab', 'institution'],
    ] as const) {
      ok(await medshare.register(n, role, account(n).address, T0));
    }
    expect(await medshare.member('patient:alice')).toEqual({ index: 1, role: 'patient' });
    expect(await medshare.member('patient:nobody')).toBeNull();

    const zk = await testKeys('zk-keys');
    const requirement = { criteria: [{ field: 0, min: 40, max: 65 }], nonce: randomFieldElement({ random }) };
    chain.setTime(T0 + 10);
    const published = ok(
      await as['institute:oncology-lab'].publishRequirement(
        {
          criteriaHash: requirementHash(SHAPE, requirement),
          keywords: ['age'],
          verificationKey: zk.verificationKey,
          reward: 100,
          exclusive: true,
        },
        T0 + 10,
      ),
    );
    const reqId = published.args.requirementId as Hex;
    expect((await medshare.verificationKey(reqId)).length).toBe(896);

    const record = [52, 128, 61, 250, 1, 0, 37, 90];
    const blinding = randomFieldElement({ random });
    const commitment = commitRecord(SHAPE, record, blinding);
    chain.setTime(T0 + 20);
    const sigma = signRecordCommitment(alice.signingKey, medshare.domain, commitment, { random });
    const registered = ok(await as['hospital:st-mary'].registerRecord('patient:alice', commitment, sigma, T0 + 20));
    const recId = registered.args.recordId as Hex;
    expect(recId).toBe(recordId('patient:alice', commitment));
    expect(registered.gasUsed).toBeGreaterThan(150_000n);
    const again = await as['hospital:st-mary'].registerRecord('patient:alice', commitment, sigma, T0 + 20);
    expect(again).toEqual({ accepted: false, reason: 'duplicate', error: 'Duplicate', hash: null });

    const { proof, publicSignals } = await prove(zk.provingKey, {
      record,
      blinding,
      requirement,
      salt: 42n,
      patientId: identityField('patient:alice'),
      timestamp: BigInt(T0 + 25),
    });
    chain.setTime(T0 + 30);
    const approved = ok(await as['patient:alice'].submitProof(reqId, recId, proof, publicSignals, T0 + 30));
    expect(approved.event).toBe('ProofAccepted');
    expect(await medshare.stage(approved.args.approvalId as Hex)).toBe('approved');
    expect((await as['patient:alice'].submitProof(reqId, recId, proof, publicSignals, T0 + 30)).accepted).toBe(false);

    const issued = issueReKey(
      pkg.preParams,
      pkg.recordKey('patient:alice', commitment),
      'institute:oncology-lab',
      ['proxy:cloud-1'],
      1,
      { random },
    );
    chain.setTime(T0 + 40);
    ok(await as['patient:alice'].grantAccess(reqId, recId, issued.reKeyCommitment, T0 + 40));

    const form = {
      patient: 'patient:alice',
      institution: 'institute:oncology-lab',
      dataHash: Buffer.from(commitment.toString(16).padStart(64, '0'), 'hex'),
      timestamp: T0 + 50,
    };
    chain.setTime(T0 + 50);
    const shared = ok(
      await as['institute:oncology-lab'].share(
        reqId,
        recId,
        {
          ...form,
          patientSignature: signSharingForm(alice.signingKey, medshare.domain, form, { random }),
          institutionSignature: signSharingForm(lab.signingKey, medshare.domain, form, { random }),
        },
        T0 + 50,
      ),
    );
    expect(shared.event).toBe('RecordShared');
    expect(await medshare.stage(approved.args.approvalId as Hex)).toBe('shared');
    expect(await medshare.balance(1)).toBe(100n);
    expect(await medshare.record(recId)).toEqual({ patient: 1, registeredBy: 2, licenceCount: 1 });
    expect(await medshare.recordOfCommitment(commitment)).toBe(recId);
    expect(await medshare.recordOfCommitment(commitment + 1n)).toBeNull();
    expect(await medshare.record(`0x${'00'.repeat(32)}`)).toBeNull();
  });

  it('a refusal names its RefusalReason: a stale claimed time, the wrong sender', async () => {
    chain.setTime(T0 + 1000);
    const stale = await medshare.register('patient:carol', 'patient', account('authority').address, T0);
    expect(stale).toMatchObject({ accepted: false, reason: 'staleTimestamp' });
    const notAuthority = await as['patient:alice'].register('patient:carol', 'patient', account('authority').address, T0 + 1000);
    expect(notAuthority).toMatchObject({ accepted: false, reason: 'wrongRole' });
  });

  it('deploying on a chain without Prague (EIP-2537) fails: ERR_EVM_CHAIN; bad options: ERR_ARGUMENT_*, nothing sent', async () => {
    const cancun = await testChain({ hardfork: 'cancun', time: T0, accounts: Object.values(keys) });
    const s = await cancun.serve();
    try {
      const clients = clientsFor(s.url, cancun.chainId, 'authority');
      const deploy = deployMedShare(clients, { authority: 'ca:membership', signParams: pkg.signParams });
      await expect(deploy).rejects.toThrow(/PrecompileMissing/);
      await expect(deploy).rejects.toBeInstanceOf(MedshareError);
      await expect(deploy).rejects.toMatchObject({ code: 'ERR_EVM_CHAIN' });
      const options = { authority: 'ca:membership', signParams: pkg.signParams };
      await expect(deployMedShare(clients, { ...options, maxProofAge: -1 })).rejects.toMatchObject({
        code: 'ERR_ARGUMENT_VALUE',
        argument: 'options.maxProofAge',
      });
      await expect(deployMedShare(clients, { ...options, authority: 7 as unknown as string })).rejects.toMatchObject({
        code: 'ERR_ARGUMENT_TYPE',
        argument: 'options.authority',
      });
      expect(cancun.allReceipts()).toEqual([]); // every failure came before anything was sent
    } finally {
      await s.close();
    }
  });
});
