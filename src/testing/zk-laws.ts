/**
 * The laws of an eligibility-proof verifier: the part of a proof system that the smart contract
 * runs on every replica (`ContractDeps` of medshare/protocol: `verifyProof`,
 * `decodePublicSignals`, `identityToField`). For anyone who plugs in their own verifier (a native
 * one, a remote one, another proof system) or checks medshare/zk's Groth16 verifier: it must accept
 * what the prover made and nothing else, the same way on every replica, and answer hostile bytes
 * with false or a thrown Error, never a crash or another verdict.
 *
 * Proving is asynchronous and needs a proving key, so these laws take proofs the caller made
 * beforehand (`ProofFixture`s); `medshare check` does not run them.
 *
 * @module
 */
import type { ContractDeps, ProofOutput } from '../protocol/proof-system.js';
import { bytesEqual } from '../internal/bytes.js';
import { FIELD_ORDER } from '../zk/field.js';
import { fc } from './fast-check.js';
import { setByte } from './hostile.js';
import { holds, type Law, lawsOf, LawViolation, throwsSuch } from './laws.js';

/** A proof the caller's prover made, with the verification key it verifies under. */
export interface ProofFixture extends ProofOutput {
  /** VK_c, encoded as the verifier takes it. */
  readonly verificationKey: Uint8Array;
}

/** Options of {@link proofVerifierProperties}. */
export interface VerifierLawOptions {
  /** Runs of each law (default 50: a case costs one verification, a few ms to tens of ms). */
  readonly runs?: number;
}

/** The six public signals [R, h, commitment, requirementHash, patientId, T]. */
const SIGNALS = 6;

/** `f()`, which must not throw: a verifier answers hostile input with false. */
function answers(f: () => boolean, what: string): boolean {
  try {
    return f();
  } catch (e) {
    throw new LawViolation(`${what}: verifyProof threw (${(e as Error)?.message ?? String(e)}) instead of returning false`);
  }
}

/** Public-signal lists that are not six canonical decimals below the field order r. */
const MALFORMED_SIGNALS: readonly [string, (signals: readonly string[]) => unknown][] = [
  ['five signals', (s) => s.slice(0, SIGNALS - 1)],
  ['seven signals', (s) => [...s, '0']],
  ['no list', () => undefined],
  ['a number instead of a decimal string', (s) => [Number(s[0]), ...s.slice(1)]],
  ['a leading zero', (s) => [s[0], `0${s[1]}`, ...s.slice(2)]],
  ['a plus sign', (s) => [s[0], `+${s[1]}`, ...s.slice(2)]],
  ['surrounding space', (s) => [s[0], ` ${s[1]} `, ...s.slice(2)]],
  ['hexadecimal', (s) => [s[0], `0x${BigInt(s[1] as string).toString(16)}`, ...s.slice(2)]],
  ['the field order r', (s) => [s[0], FIELD_ORDER.toString(), ...s.slice(2)]],
  ['R other than 0 or 1', (s) => ['2', ...s.slice(1)]],
];

/**
 * Identities: any Unicode text, or short strings over pieces chosen to collide when encoded
 * carelessly (lone surrogates and U+FFFD share one UTF-8 encoding under replacement; a composed
 * and a decomposed e-acute are different strings).
 */
const identityArb = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 32 }),
  fc
    .array(fc.constantFrom('a', '\uD800', '\uDBFF', '\uDC00', '\uFFFD', '\u00E9', 'e\u0301', ' '), { minLength: 1, maxLength: 4 })
    .map((pieces) => pieces.join('')),
);

/**
 * Two identities: independent ones, or one and its careless twin (lone surrogates replaced by
 * U+FFFD, or the other Unicode normalization form), different strings that must stay different.
 */
const identityPairArb = fc.oneof(
  fc.tuple(identityArb, identityArb),
  identityArb.chain((a) => fc.tuple(fc.constant(a), fc.constantFrom(a.toWellFormed(), a.normalize('NFC'), a.normalize('NFD')))),
);

/** identityToField(identity), or undefined when it refuses it with an Error (anything else thrown is a violation). */
function fieldOf(deps: ContractDeps, identity: string): bigint | undefined {
  let x: unknown;
  try {
    x = deps.identityToField(identity);
  } catch (e) {
    if (e instanceof Error) return undefined;
    throw new LawViolation(`identityToField(${JSON.stringify(identity)}) threw a non-Error: ${String(e)}`);
  }
  holds(typeof x === 'bigint', `identityToField(${JSON.stringify(identity)}) returned a ${typeof x}, not a bigint`);
  return x;
}

/**
 * The laws of a proof verifier, as fast-check properties over the caller's `fixtures`:
 * - every fixture verifies, and gives the same verdict when asked again (replicas must agree);
 * - decodePublicSignals reads each fixture's six signals back as the same numbers, R as a boolean;
 * - replacing any one public signal by another field element, changing any byte of the proof, or
 *   changing any byte of the verification key makes verifyProof return false (never throw);
 *   so do another fixture's signals with a fixture's proof, and a fixture's proof under another
 *   fixture's (different) key;
 * - public-signal lists that are not six canonical decimals below r (wrong length, a number, a
 *   leading zero, a sign, spaces, hexadecimal, r itself, R = 2) get false from verifyProof and a
 *   thrown Error from decodePublicSignals;
 * - identityToField is deterministic, below r, and never maps two different identities to one
 *   value; it may refuse an identity (medshare's refuse lone surrogates) with a thrown Error.
 * @param deps - the verifier under test (`groth16ProofSystem(n)` of medshare/zk and the protocol's
 *   `standInProofSystem()` both fit)
 * @param fixtures - at least one proof made by the matching prover
 * @param options - runs
 * @returns the laws, group `zk`, named `proof verifier: <the property>`
 * @throws RangeError when `fixtures` is empty
 */
export function proofVerifierProperties(
  deps: ContractDeps,
  fixtures: readonly ProofFixture[],
  options: VerifierLawOptions = {},
): Law[] {
  if (fixtures.length === 0) throw new RangeError('proofVerifierProperties: fixtures: expected at least one proof');
  const runs = options.runs ?? 50;
  const law = lawsOf('proof verifier', 'zk');
  const fixtureArb = fc.constantFrom(...fixtures);
  const verify = (vk: Uint8Array, proof: Uint8Array, signals: readonly string[], what: string) =>
    answers(() => deps.verifyProof(vk, proof, signals), what);
  /** A copy of `bytes` with the byte at `position` (taken modulo its length) XOR `mask` (1..255). */
  const changed = (bytes: Uint8Array, position: number, mask: number) =>
    setByte(bytes, position % bytes.length, (bytes[position % bytes.length] as number) ^ mask);
  return [
    law(
      'every fixture verifies, with the same verdict when asked again',
      fc.property(fixtureArb, (f) => {
        holds(verify(f.verificationKey, f.proof, f.publicSignals, 'a fixture') === true, 'a fixture does not verify');
        holds(verify(f.verificationKey, f.proof, f.publicSignals, 'a fixture') === true, 'a fixture verified once only');
      }),
      Math.min(runs, fixtures.length * 2),
    ),
    law(
      "decodePublicSignals reads a fixture's six signals back as the same numbers (R as a boolean)",
      fc.property(fixtureArb, (f) => {
        const d = deps.decodePublicSignals(f.publicSignals);
        const got = [d.eligible ? 1n : 0n, d.binding, d.commitment, d.requirementHash, d.patientId, d.timestamp];
        holds(f.publicSignals.length === SIGNALS, `a fixture has ${f.publicSignals.length} signals, not ${SIGNALS}`);
        for (const [i, v] of got.entries())
          holds(v.toString() === f.publicSignals[i], `signal ${i} decodes to ${v}, not ${f.publicSignals[i]}`);
      }),
      Math.min(runs, fixtures.length * 2),
    ),
    law(
      'any one public signal replaced by another field element is refused (false, never a throw)',
      fc.property(fixtureArb, fc.nat({ max: SIGNALS - 1 }), fc.bigInt({ min: 0n, max: FIELD_ORDER - 1n }), (f, i, value) => {
        const signals = [...f.publicSignals];
        const original = BigInt(signals[i] as string);
        // R stays a bit (flipped); any other signal takes another field element.
        signals[i] = (i === 0 ? 1n - original : value === original ? (value + 1n) % FIELD_ORDER : value).toString();
        holds(
          !verify(f.verificationKey, f.proof, signals, `signal ${i} replaced`),
          `signal ${i} replaced by ${signals[i]} still verifies`,
        );
      }),
      runs,
    ),
    ...(['proof', 'verification key'] as const).map((part) =>
      law(
        `a ${part} with any byte changed is refused (false, never a throw)`,
        fc.property(fixtureArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (f, position, mask) => {
          const proof = part === 'proof' ? changed(f.proof, position, mask) : f.proof;
          const vk = part === 'proof' ? f.verificationKey : changed(f.verificationKey, position, mask);
          holds(
            !verify(vk, proof, f.publicSignals, `a changed ${part}`),
            `the ${part} with byte ${position % (part === 'proof' ? proof : vk).length} XOR ${mask} still verifies`,
          );
        }),
        runs,
      ),
    ),
    law(
      "another fixture's signals are refused with a fixture's proof, and a fixture's proof under another key",
      fc.property(fixtureArb, fixtureArb, (f, g) => {
        const sameSignals = f.publicSignals.every((s, i) => s === g.publicSignals[i]);
        const sameKey = bytesEqual(f.verificationKey, g.verificationKey);
        if (!sameSignals)
          holds(
            !verify(f.verificationKey, f.proof, g.publicSignals, 'other signals'),
            "a fixture's proof verifies another fixture's signals",
          );
        if (!sameKey)
          holds(
            !verify(g.verificationKey, f.proof, f.publicSignals, 'another key'),
            "a fixture's proof verifies under another fixture's key",
          );
      }),
      Math.min(runs, fixtures.length * fixtures.length * 2),
    ),
    law(
      'public-signal lists that are not six canonical decimals below r get false from verifyProof and an Error from decodePublicSignals',
      fc.property(fixtureArb, fc.constantFrom(...MALFORMED_SIGNALS), (f, [what, make]) => {
        const signals = make(f.publicSignals) as readonly string[];
        holds(!verify(f.verificationKey, f.proof, signals, what), `${what}: verifyProof accepted it`);
        throwsSuch(
          () => deps.decodePublicSignals(signals),
          (e) => e instanceof Error,
          `${what}: decodePublicSignals throws an Error`,
        );
      }),
      Math.min(runs, MALFORMED_SIGNALS.length * 3),
    ),
    law(
      'identityToField is deterministic, below r, and never maps two different identities to one value (it may refuse one, with an Error)',
      fc.property(identityPairArb, ([a, b]) => {
        const x = fieldOf(deps, a);
        const y = fieldOf(deps, b);
        if (x === undefined || y === undefined) return;
        holds(x >= 0n && x < FIELD_ORDER, `identityToField(${JSON.stringify(a)}) = ${x} is not below r`);
        holds(deps.identityToField(a) === x, `identityToField(${JSON.stringify(a)}) changed between calls`);
        if (a !== b) holds(y !== x, `${JSON.stringify(a)} and ${JSON.stringify(b)} map to the same value`);
      }),
      runs * 4,
    ),
  ];
}
