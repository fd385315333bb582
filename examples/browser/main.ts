/**
 * medshare in a web page (examples/browser): proxy re-encryption with proofs, AuthSign, a Groth16
 * proof verified, call data for the EVM contract, and the whole protocol through PBFT, all in the
 * browser. Each check appends a
 * row to the page and to `window.medshareResults`, which scripts/browser-test.ts reads in headless
 * Chromium. Build and open it with `npm run example:browser`.
 */
import {
  decodeSignature,
  encodeProof as evmProofWords,
  encodeSignature,
  encodeVerificationKey,
  evmDeployment,
  recordId,
} from 'medshare/evm';
import { DecryptionError, ga07, ga07Verifiable } from 'medshare/pre';
import { recordSignable, runStory, signRecordCommitment, standInProofSystem } from 'medshare/protocol';
import { authSign, authVerify, keyGen as signKeyGen, setup as signSetup } from 'medshare/sign';
import {
  buildCircuit,
  circuitShape,
  decodeProof,
  encodeProof,
  type Groth16Proof,
  verify,
  type VerificationKey,
} from 'medshare/zk';
import fixture from './zk-fixture.json';

/** One check's outcome. */
interface Result {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

declare global {
  interface Window {
    medshareResults?: { done: boolean; results: Result[] };
  }
}

const state: { done: boolean; results: Result[] } = { done: false, results: [] };
window.medshareResults = state;
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function show(result: Result): void {
  state.results.push(result);
  const row = document.createElement('tr');
  for (const [value, cls] of [
    [result.name, ''],
    [result.ok ? 'ok' : 'FAILED', result.ok ? 'ok' : 'fail'],
    [result.detail, ''],
    [result.ms.toFixed(0), 'ms'],
  ] as const) {
    const cell = document.createElement('td');
    cell.textContent = value;
    if (cls) cell.className = cls;
    row.append(cell);
  }
  document.getElementById('results')?.append(row);
}

/** Runs `check`; it returns [passed, detail]. A throw is a failure with the error as detail. */
async function check(name: string, run: () => [boolean, string] | Promise<[boolean, string]>): Promise<void> {
  const start = performance.now();
  try {
    const [ok, detail] = await run();
    show({ name, ok, detail, ms: performance.now() - start });
  } catch (error) {
    show({
      name,
      ok: false,
      detail: `threw ${(error as Error).name}: ${(error as Error).message}`,
      ms: performance.now() - start,
    });
  }
  // Let the page paint between checks.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

// ------------------------------------------------------------ medshare/pre: ga07 with verifiable re-encryption
const record = utf8('{"hba1c": 6.1, "bloodType": "O-"}');
let pre!: {
  params: ReturnType<typeof ga07.setup>['params'];
  patientKey: ReturnType<typeof ga07.keyGen>;
  labKey: ReturnType<typeof ga07.keyGen>;
  stored: ReturnType<typeof ga07.encrypt>;
};
let reKey!: ReturnType<typeof ga07Verifiable.reKeyGenShares>;
let partials!: ReturnType<typeof ga07Verifiable.reEncryptShare>[];

await check('pre: setup and key generation (PKG)', () => {
  const { params, masterKey } = ga07.setup();
  pre = {
    params,
    patientKey: ga07.keyGen(params, masterKey, 'patient:alice'),
    labKey: ga07.keyGen(params, masterKey, 'institute:oncology-lab'),
    stored: ga07.encrypt(params, 'patient:alice', record),
  };
  return [true, `keys for patient:alice and institute:oncology-lab; ${ga07.encodeParams(params).length}-byte public parameters`];
});
await check('pre: encrypt to patient:alice, and the owner decrypts', () => {
  const back = text(ga07.decrypt(pre.params, pre.patientKey, pre.stored));
  return [back === text(record), `${ga07.encodeCiphertext(pre.stored).length}-byte ciphertext opens to the record`];
});
await check('pre: re-encryption key in 3 shares, any 2 suffice; the lab checks the commitment', () => {
  reKey = ga07Verifiable.reKeyGenShares(pre.params, pre.patientKey, 'institute:oncology-lab', { threshold: 2, total: 3 });
  const ok = ga07Verifiable.verifyReKeyCommitment(pre.params, pre.labKey, reKey.commitment);
  return [ok && reKey.shares.length === 3, 'verifyReKeyCommitment: true'];
});
await check('pre: each proxy re-encrypts with a proof of correct re-encryption', () => {
  partials = reKey.shares.map((share) => ga07Verifiable.reEncryptShare(pre.params, share, pre.stored));
  const verified = partials.filter((p) => ga07Verifiable.verifyReEncryptionShare(pre.params, reKey.commitment, pre.stored, p));
  return [verified.length === 3, `${verified.length} of 3 partial re-encryptions verified`];
});
await check('pre: a tampered partial re-encryption fails its proof', () => {
  const [first, second] = partials as [(typeof partials)[0], (typeof partials)[0]];
  const swapped = { ...first, C2: second.C2 }; // proxy 1's proof with proxy 2's output
  const ok = ga07Verifiable.verifyReEncryptionShare(pre.params, reKey.commitment, pre.stored, swapped);
  return [!ok, 'verifyReEncryptionShare: false'];
});
await check('pre: 2 partials combine; the lab decrypts the record', () => {
  const shared = ga07Verifiable.combineReEncryptionShares(pre.params, reKey.commitment, pre.stored, partials.slice(1));
  const back = text(ga07.decrypt(pre.params, pre.labKey, shared));
  return [back === text(record), back];
});
await check('pre: another identity cannot decrypt (DecryptionError)', () => {
  try {
    ga07.decrypt(pre.params, pre.labKey, pre.stored);
    return [false, 'decrypted with the wrong key'];
  } catch (error) {
    return [error instanceof DecryptionError, (error as Error).message];
  }
});

// ------------------------------------------------------------ medshare/sign: AuthSign
await check('sign: AuthSign sign and verify; a changed message fails', () => {
  const { params, masterKey } = signSetup();
  const alice = signKeyGen(params, masterKey, 'patient:alice');
  const message = utf8('record commitment 0x12ab');
  const signature = authSign(alice, message);
  const good = authVerify(params, 'patient:alice', message, signature);
  const bad = authVerify(params, 'patient:alice', utf8('record commitment 0x12ac'), signature);
  const impostor = authVerify(params, 'patient:mallory', message, signature);
  return [good && !bad && !impostor, `${signature.length}-byte signature: verifies; other message or signer: rejected`];
});

// ------------------------------------------------------------ medshare/zk: verify a Groth16 proof
const vk = fixture.verificationKey as unknown as VerificationKey;
const proof = fixture.proof as unknown as Groth16Proof;
await check('zk: verify a Groth16 eligibility proof (BN254)', () => {
  const ok = verify(vk, proof, fixture.publicSignals);
  return [
    ok && fixture.publicSignals[0] === '1',
    `R = ${fixture.publicSignals[0]}, ${fixture.publicSignals.length} public signals`,
  ];
});
await check('zk: a proof for other public signals, or a changed proof, fails', () => {
  const otherSignals = fixture.publicSignals.map((s, i) => (i === 5 ? String(BigInt(s) + 1n) : s));
  const packed = encodeProof(proof);
  const changed = packed.slice();
  changed[255] = (changed[255] as number) ^ 1;
  let changedOk = false;
  try {
    changedOk = verify(vk, decodeProof(changed), fixture.publicSignals);
  } catch {
    changedOk = false; // a changed point may not decode at all
  }
  const roundTrip = verify(vk, decodeProof(packed), fixture.publicSignals);
  return [
    !verify(vk, proof, otherSignals) && !changedOk && roundTrip,
    `${packed.length}-byte packed proof round-trips; altered: rejected`,
  ];
});
await check('zk: compiling a circuit needs Node.js, and says so', async () => {
  try {
    await buildCircuit(circuitShape(2));
    return [false, 'buildCircuit ran in a browser?'];
  } catch (error) {
    return [/needs Node\.js/.test((error as Error).message), (error as Error).message];
  }
});

// ------------------------------------------------------------ medshare/evm: call data for the contract (viem; no chain)
await check('evm: the consent bound to chain and contract; the proof and its key as call data', () => {
  const { params, masterKey } = signSetup();
  const alice = signKeyGen(params, masterKey, 'patient:alice');
  const contract = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
  const deployment = evmDeployment(20251, contract);
  const commitment = BigInt(fixture.publicSignals[2] as string);
  // One signing path for both ledgers: medshare/protocol's signer under the EVM deployment id.
  const onChain = encodeSignature(signRecordCommitment({ deployment }, alice, 'patient:alice', commitment)); // 256 bytes, EIP-2537 points
  const sigma = decodeSignature(onChain);
  const signable = (id: Uint8Array) => recordSignable(id, 'patient:alice', 'patient:alice', commitment);
  const here = authVerify(params, 'patient:alice', signable(deployment), sigma);
  const elsewhere = authVerify(params, 'patient:alice', signable(evmDeployment(1, contract)), sigma);
  const key = encodeVerificationKey(vk);
  const words = evmProofWords(proof);
  return [
    here && !elsewhere && onChain.length === 256 && key.length === 896 && words.length === 8,
    `${onChain.length}-byte sigma_a (refused for chain 1), ${key.length}-byte key, 8 proof words; record ${recordId('patient:alice', commitment).slice(0, 10)}…`,
  ];
});

// ------------------------------------------------------------ medshare/protocol: the whole story through PBFT
await check('protocol: the nine steps with 4 PBFT nodes (stand-in proofs)', async () => {
  const story = await runStory({ proofSystem: standInProofSystem(), fields: 2, crash: false });
  const sale = story.secondSale;
  const refused = !sale.accepted && sale.reason === 'exclusiveLicence';
  return [
    story.agreed && refused && story.received.length === 2,
    `${story.height} blocks, every node agrees; second sale: ${sale.accepted ? 'accepted!' : `refused (${sale.reason})`}`,
  ];
});

state.done = true;
const failed = state.results.filter((r) => !r.ok).length;
const status = document.getElementById('status');
if (status) status.textContent = failed === 0 ? `all ${state.results.length} checks passed` : `${failed} check(s) FAILED`;
