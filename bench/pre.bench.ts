/**
 * IB-PRE and AuthSign operation costs, each as a ratio to one pairing measured in the same
 * run (so figures compare across machines). Run: `npm run bench` (or `npx tsx bench/pre.bench.ts`).
 *
 * Targets (issue 2): decrypt of a re-encrypted ciphertext within 1.5x of the pairings and GT
 * exponentiations it must do (2 pairings + 1 GT exponentiation, timed with noble's own
 * pairing and Fp12.pow); sealing 1 MiB adds under 20 ms over the capsule.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { huang2020 } from '../src/pre/index.js';
import { authSign, authVerify, keyGen as signKeyGen, setup as signSetup } from '../src/sign/index.js';
import { describeMachine, fmt, type Measurement, measure, table } from './harness.js';

const quick = process.argv.includes('--quick');
const opts = quick ? { minRuns: 3, budgetMs: 200, warmup: 1 } : { minRuns: 15, budgetMs: 2000, warmup: 3 };
const { Fp12, Fr } = bls12_381.fields;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
const rnd = () => Fr.create(BigInt(`0x${Buffer.from(crypto.getRandomValues(new Uint8Array(40))).toString('hex')}`));

console.log(`medshare IB-PRE benchmark - ${describeMachine()}\n`);

// Reference primitives (noble's own, unoptimised by us).
const z = bls12_381.pairing(G1.BASE, G2.BASE);
const pairing = measure(
  'pairing e(P, Q) (noble)',
  ([p, q]) => bls12_381.pairing(p, q),
  () => [G1.BASE.multiply(rnd()), G2.BASE.multiply(rnd())] as const,
  opts,
);
const gtExp = measure('GT exponentiation (noble Fp12.pow)', (k) => Fp12.pow(z, k), rnd, opts);
const primitives: Measurement[] = [
  pairing,
  gtExp,
  measure('G1 multiplication (base)', (k) => G1.BASE.multiply(k), rnd, opts),
  measure('G2 multiplication (base)', (k) => G2.BASE.multiply(k), rnd, opts),
];

const { params, masterKey } = huang2020.setup();
const P = 'patient:bench';
const D = 'institute:bench';
const patient = huang2020.keyGen(params, masterKey, P);
const institute = huang2020.keyGen(params, masterKey, D);
const small = new Uint8Array(1024);
const mib = new Uint8Array(1 << 20);
const ct = huang2020.encrypt(params, P, small);
const rk = huang2020.reKeyGen(params, patient, D);
const shared = huang2020.reEncrypt(params, rk, ct);
const sharedBytes = huang2020.encodeCiphertext(shared);

// Each operation is timed on fixed inputs; keyGen uses a fresh identity per run.
let counter = 0;
const fresh = () => `id-${counter++}`;
const fixed = () => 0;
const sp = signSetup();
const signer = signKeyGen(sp.params, sp.masterKey, P);
const message = new Uint8Array(32);
const signature = authSign(signer, message);
const cases: [string, (input: string | number) => unknown, () => string | number][] = [
  ['huang2020 setup', () => huang2020.setup(), fixed],
  ['huang2020 keyGen', (id) => huang2020.keyGen(params, masterKey, String(id)), fresh],
  ['huang2020 encrypt 0 B', () => huang2020.encrypt(params, P, new Uint8Array(0)), fixed],
  ['huang2020 encrypt 1 KiB', () => huang2020.encrypt(params, P, small), fixed],
  ['huang2020 encrypt 1 MiB', () => huang2020.encrypt(params, P, mib), fixed],
  ['huang2020 decrypt (original, 1 KiB)', () => huang2020.decrypt(params, patient, ct), fixed],
  ['huang2020 reKeyGen', () => huang2020.reKeyGen(params, patient, D), fixed],
  ['huang2020 reEncrypt', () => huang2020.reEncrypt(params, rk, ct), fixed],
  ['huang2020 decrypt (re-encrypted, 1 KiB)', () => huang2020.decrypt(params, institute, shared), fixed],
  ['huang2020 decodeCiphertext (validating)', () => huang2020.decodeCiphertext(sharedBytes), fixed],
  ['AuthSign keyGen', (id) => signKeyGen(sp.params, sp.masterKey, String(id)), fresh],
  ['AuthSign sign', () => authSign(signer, message), fixed],
  ['AuthSign verify', () => authVerify(sp.params, P, message, signature), fixed],
];
const ops = cases.map(([name, operation, prepare]) => measure(name, operation, prepare, opts));

const row = (m: Measurement) => [
  m.name,
  fmt(m.medianMs),
  `${fmt(m.minMs)}-${fmt(m.maxMs)}`,
  m.runs,
  (m.medianMs / pairing.medianMs).toFixed(2),
];
console.log(table(['operation', 'median ms', 'min-max ms', 'runs', 'x pairing'], [...primitives, ...ops].map(row)));

const byName = (name: string) => ops.find((m) => m.name === name) as Measurement;
const decryptRe = byName('huang2020 decrypt (re-encrypted, 1 KiB)');
const budget = 2 * pairing.medianMs + gtExp.medianMs;
const sealCost = byName('huang2020 encrypt 1 MiB').medianMs - byName('huang2020 encrypt 0 B').medianMs;
console.log(`
Targets:
- decrypt of a re-encrypted ciphertext: ${fmt(decryptRe.medianMs)} ms = ${(decryptRe.medianMs / budget).toFixed(2)}x the ${fmt(budget)} ms of 2 pairings + 1 GT exponentiation (target <= 1.5x)
- sealing 1 MiB over the capsule: ${fmt(sealCost)} ms (target < 20 ms)`);
