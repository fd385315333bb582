/**
 * The client path: medshare/evm's deployMedShare and MedShareClient, through viem, against a
 * JSON-RPC endpoint served over HTTP on 127.0.0.1 by the in-process chain (not direct VM calls).
 * A v2 sale end to end with a real proof (deposit, escrow, consent naming the registrant, grant and
 * acceptance with the form signed by medshare/protocol's signers under `medshare.deployment`,
 * delivery, the dispute window, settle); refusals come back as RefusalReasons without spending
 * gas; views read the contract's state; a chain without Prague refuses the deployment.
 */
import { createPublicClient, createWalletClient, defineChain, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvalId,
  deployMedShare,
  type EvmOutcome,
  evmDeployment,
  MedShareClient,
  type MedShareClients,
  medShareDeployData,
  recordId,
} from '../src/evm/index.js';
import type { InProcessChain } from '../src/evm/in-process.js';
import { ga07 } from '../src/pre/ga07.js';
import { ga07Verifiable } from '../src/pre/ga07-verifiable.js';
import {
  ciphertextHeader,
  createPkg,
  encryptRecord,
  issueReKey,
  signRecordCommitment,
  signSharingForm,
} from '../src/protocol/parties.js';
import { commitRecord, prove, randomFieldElement, releaseWorkers, requirementHash } from '../src/zk/index.js';
import { identityField } from '../src/evm/encoding.js';
import { MedshareError } from '../src/internal/errors.js';
import { testChain, testKey } from './support/evm.js';
import { seededRandom } from '../src/testing/random.js';
import { SHAPE, testKeys } from './support/zk.js';

const T0 = 1_700_000_000;
const random = seededRandom('evm-client');
const pkg = createPkg({ random, authority: 'ca:membership' });
const names = ['authority', 'patient:alice', 'hospital:st-mary', 'institute:oncology-lab', 'proxy:cloud-1'] as const;
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
    disputeWindow: 100,
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
  it('runs a v2 sale (escrow, grant, acceptance, delivery, settlement) and reads the state back', async () => {
    expect(medshare.deployment.deployment).toEqual(evmDeployment(chain.chainId, medshare.address));
    const alice = pkg.enroll('patient:alice', 'patient');
    const hospital = pkg.enroll('hospital:st-mary', 'hospital');
    const lab = pkg.enroll('institute:oncology-lab', 'institution');
    const proxy = pkg.enroll('proxy:cloud-1', 'proxy');
    for (const c of [alice, hospital, lab, proxy]) {
      ok(await medshare.register(c.address, c.role, account(c.identity as (typeof names)[number]).address, T0));
    }
    expect(await medshare.member(alice.address)).toEqual({ index: 1, role: 'patient' });
    expect(await medshare.member('patient:alice')).toBeNull(); // the ledger knows the pseudonym only
    expect(await medshare.pseudonymAt(1)).toBe(alice.address);
    const carolAccount = privateKeyToAccount(`0x${Buffer.from(testKey('client:carol')).toString('hex')}`).address;
    const notPseudonym = await medshare.register('patient:carol', 'patient', carolAccount, T0);
    expect(notPseudonym).toMatchObject({ accepted: false, reason: 'notPseudonym', error: 'NotPseudonym' });
    const labAddress = lab.address;
    ok(await medshare.deposit(labAddress, 500, T0));
    expect(await medshare.balance(labAddress)).toBe(500n);

    const zk = await testKeys('zk-keys');
    const requirement = { criteria: [{ field: 0, min: 40, max: 65 }], nonce: randomFieldElement({ random }) };
    chain.setTime(T0 + 10);
    const terms = { criteriaHash: requirementHash(SHAPE, requirement), keywords: ['age'], reward: 100, exclusive: true };
    const tooMuch = await as['institute:oncology-lab'].publishRequirement(
      { ...terms, verificationKey: zk.verificationKey, capacity: 6 },
      T0 + 10,
    );
    expect(tooMuch).toMatchObject({ accepted: false, reason: 'insufficientFunds' });
    const published = ok(
      await as['institute:oncology-lab'].publishRequirement(
        { ...terms, verificationKey: zk.verificationKey, capacity: 2 },
        T0 + 10,
      ),
    );
    const reqId = published.args.requirementId as Hex;
    expect((await medshare.verificationKey(reqId)).length).toBe(896);
    expect(await medshare.balance(labAddress)).toBe(300n);

    const record = [52, 128, 61, 250, 1, 0, 37, 90];
    const blinding = randomFieldElement({ random });
    const commitment = commitRecord(SHAPE, record, blinding);
    chain.setTime(T0 + 20);
    const consent = signRecordCommitment(medshare.deployment, alice.signingKey, hospital.address, commitment, {
      random,
    });
    const registered = ok(await as['hospital:st-mary'].registerRecord(alice.address, commitment, consent, T0 + 20));
    const recId = registered.args.recordId as Hex;
    expect(recId).toBe(recordId(alice.address, commitment));
    const again = await as['hospital:st-mary'].registerRecord(alice.address, commitment, consent, T0 + 20);
    expect(again).toEqual({ accepted: false, reason: 'duplicate', error: 'Duplicate', hash: null });

    const { proof, publicSignals } = await prove(zk.provingKey, {
      record,
      blinding,
      requirement,
      salt: 42n,
      patientId: identityField(alice.address),
      timestamp: BigInt(T0 + 25),
    });
    chain.setTime(T0 + 30);
    const approved = ok(await as['patient:alice'].submitProof(reqId, recId, proof, publicSignals, T0 + 30));
    expect(approved.event).toBe('ProofAccepted');
    const saleId = approved.args.approvalId as Hex;
    expect(saleId).toBe(approvalId(reqId, recId));
    expect(await medshare.sale(saleId)).toMatchObject({ stage: 'approved', reward: 100, escrow: 100, total: 0 });
    expect((await as['patient:alice'].submitProof(reqId, recId, proof, publicSignals, T0 + 30)).accepted).toBe(false);

    const stored = encryptRecord(pkg.preParams, alice.address, commitment, record, blinding, { random });
    const issued = issueReKey(pkg.preParams, pkg.recordKey(alice.address, commitment), labAddress, [proxy.address], 1, {
      random,
    });
    chain.setTime(T0 + 40);
    const form = await medshare.sharingForm(reqId, recId, commitment, T0 + 40);
    expect(form).toMatchObject({
      approvalId: saleId,
      patient: alice.address,
      institution: labAddress,
      reward: 100,
      exclusive: true,
    });
    const grant = {
      reKeyCommitment: issued.reKeyCommitment,
      proxies: issued.proxies,
      ciphertextHeader: ciphertextHeader(stored),
      formTime: T0 + 40,
    };
    const forged = await as['patient:alice'].grantAccess(
      reqId,
      recId,
      { ...grant, formSignature: signSharingForm(alice.signingKey, { ...form, reward: 1 }, { random }) },
      T0 + 40,
    );
    expect(forged).toMatchObject({ accepted: false, reason: 'badSignature' });
    ok(
      await as['patient:alice'].grantAccess(
        reqId,
        recId,
        { ...grant, formSignature: signSharingForm(alice.signingKey, form, { random }) },
        T0 + 40,
      ),
    );
    chain.setTime(T0 + 45);
    ok(await as['institute:oncology-lab'].acceptGrant(saleId, signSharingForm(lab.signingKey, form, { random }), T0 + 45));
    expect(await medshare.proxies(saleId)).toEqual([4]);

    const sealed = issued.sealedShares[0]?.sealed as Uint8Array;
    const share = ga07Verifiable.decodeReKeyShare(
      ga07.decrypt(pkg.preParams, proxy.decryptionKey, ga07.decodeCiphertext(sealed)),
    );
    const partial = ga07Verifiable.encodeReEncryptionShare(
      ga07Verifiable.reEncryptShare(pkg.preParams, share, stored, { random }),
    );
    chain.setTime(T0 + 50);
    const delivered = ok(await as['proxy:cloud-1'].deliver(saleId, partial, T0 + 50));
    expect(delivered.event).toBe('PartialDelivered');
    expect(Number(delivered.args.settleAt)).toBe(T0 + 150);
    expect(await medshare.sale(saleId)).toMatchObject({ stage: 'settling', delivered: 1, deadline: T0 + 150 });
    expect(await medshare.partialHash(saleId, 1)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await medshare.settle(saleId)).toMatchObject({ accepted: false, reason: 'deadlineNotReached' });
    chain.setTime(T0 + 150);
    const late = await as['institute:oncology-lab'].dispute(saleId, 1);
    expect(late).toEqual({ accepted: false, reason: null, error: 'DisputeWindowClosed', hash: null }); // no RefusalReason: EVM only
    const settled = ok(await medshare.settle(saleId));
    expect(settled.event).toBe('SaleSettled');
    expect(await medshare.sale(saleId)).toMatchObject({ stage: 'delivered', escrow: 0 });
    expect(await medshare.balance(alice.address)).toBe(100n);
    expect(await medshare.supply()).toBe(500n);
    expect(await medshare.record(recId)).toEqual({ patient: 1, registeredBy: 2, licenceCount: 1, pendingCount: 0 });
    expect(await medshare.licence(recId, 0)).toEqual({ approvalId: saleId, institution: 3, exclusive: true, time: T0 + 150 });
    expect(await medshare.recordOfCommitment(commitment)).toBe(recId);
    expect(await medshare.recordOfCommitment(commitment + 1n)).toBeNull();
    expect(await medshare.record(`0x${'00'.repeat(32)}`)).toBeNull();
    expect(await medshare.sale(`0x${'00'.repeat(32)}`)).toBeNull();
  });

  it('a refusal names its RefusalReason: a stale claimed time, the wrong sender', async () => {
    chain.setTime(T0 + 1000);
    const carol = pkg.pseudonymOf('patient:carol');
    const stale = await medshare.register(carol, 'patient', account('authority').address, T0);
    expect(stale).toMatchObject({ accepted: false, reason: 'staleTimestamp' });
    const notAuthority = await as['patient:alice'].register(carol, 'patient', account('authority').address, T0 + 1000);
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

  it('medShareDeployData is what deployMedShare sends (the wallet account as default authority account); its deployment works; no authority account: ERR_ARGUMENT_TYPE', async () => {
    const options = { authority: 'ca:membership', signParams: pkg.signParams, maxProofAge: 600, disputeWindow: 100 };
    const withAccount = { ...options, authorityAccount: account('authority').address };
    let sent: Hex | undefined;
    const recorder = {
      publicClient: {
        call: async (request: { data: Hex }) => {
          sent = request.data;
          throw new Error('recorded, not sent');
        },
      },
      wallet: clientsFor(server.url, chain.chainId, 'authority').wallet,
    } as unknown as MedShareClients;
    await expect(deployMedShare(recorder, options)).rejects.toThrow('recorded, not sent');
    expect(sent).toBe(medShareDeployData(withAccount));
    expect(medShareDeployData({ ...withAccount, disputeWindow: 101 })).not.toBe(sent);
    // Deployed by other tools, then used through the client.
    const deployed = await chain.execute(keys.authority, { data: medShareDeployData(withAccount), gasLimit: 29_000_000n });
    expect(deployed.success).toBe(true);
    const clients = clientsFor(server.url, chain.chainId, 'authority');
    const client = new MedShareClient(deployed.contractAddress as Hex, clients, chain.chainId);
    const now = Number((await clients.publicClient.getBlock()).timestamp);
    ok(await client.register(pkg.pseudonymOf('patient:dave'), 'patient', account('patient:alice').address, now));
    expect(() => medShareDeployData(options)).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_TYPE', argument: 'options.authorityAccount' }),
    );
    expect(() => medShareDeployData({ ...options, authorityAccount: '0x1234' })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_TYPE', argument: 'options.authorityAccount' }),
    );
    expect(() => medShareDeployData({ ...withAccount, grantWindow: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_ARGUMENT_VALUE', argument: 'options.grantWindow' }),
    );
  });
});
