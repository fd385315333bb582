/**
 * Decoder fuzz for medshare/zk (issue 10): for each object type an attacker can hand us - the
 * packed proof, the proof JSON, the verification-key JSON, the public signals, the .zkey header -
 * 10,000 mutated inputs (test/support/hostile-zk.ts: bit flips, truncations, extensions, random
 * bytes, per-field substitutions with points at infinity, off the curve, outside the subgroup,
 * coordinates x + q, values >= r, and hostile decimal spellings: leading zeros, signs,
 * whitespace, a BOM, hex, exponents, non-ASCII digits, overlong strings, other types).
 *
 * The property, for every input: the decoder either refuses it with a typed medshare error
 * (MalformedError / EncodingError / ArgumentTypeError, each with its stable code) - never
 * another exception - or accepts it, and then the input was canonical and valid: it is exactly
 * what our encoder writes for the decoded value (one encoding per value), and its points are on
 * the curve and in the subgroup (the decoder's own checks). `verify` never accepts a mutated
 * proof or signal list.
 *
 * Cost: the G2 subgroup check is the one expensive step (milliseconds); the decoders run it last,
 * so a mutant pays it only if everything else about it is well formed.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMedshareError } from '../src/internal/errors.js';
import { decodePublicSignals as decodeProtocolSignals } from '../src/protocol/proof-system.js';
import {
  ArgumentTypeError,
  type Circuit,
  type DecodedProof,
  type DecodedVerificationKey,
  decodeProof,
  decodeProofJson,
  decodePublicSignals,
  decodeVerificationKey,
  EncodingError,
  encodeProof,
  FIELD_ORDER,
  type Groth16Proof,
  type KeyPair,
  prepareVerificationKey,
  prove,
  provingKeyFromZkey,
  releaseWorkers,
  verificationKeyFromZkey,
  verify,
} from '../src/zk/index.js';
import { mutateBytes, mutateJson, mutateProofBytes, mutateSignals, type Mutant, Rng } from './support/hostile-zk.js';
import { SAMPLE_INPUTS, SHAPE, testCircuit, testKeys } from './support/zk.js';

const RUNS = 10_000;

let circuit: Circuit;
let keys: KeyPair;
let prepared: DecodedVerificationKey;
let proof: Groth16Proof;
let packed: Uint8Array;
let signals: string[];
let zkeyHeader: Uint8Array;
let zkeyRead: number[];
let zkeyContainer: Set<number>;
let zkeyShape: Set<number>;

beforeAll(async () => {
  circuit = await testCircuit();
  keys = await testKeys();
  prepared = prepareVerificationKey(keys.verificationKey);
  const result = await prove(keys.provingKey, SAMPLE_INPUTS);
  await releaseWorkers();
  proof = result.proof;
  packed = encodeProof(proof);
  signals = result.publicSignals;
  zkeyHeader = headerSections(keys.provingKey.zkey);
  zkeyRead = readOffsets(zkeyHeader);
  ({ container: zkeyContainer, shape: zkeyShape } = containerOffsets(zkeyHeader));
  expect(SHAPE.fields).toBe(8);
});

/**
 * The offsets of the bytes the key decoders read in a header-only .zkey: everything but
 * vk_beta_1 and vk_delta_1 (bytes 148-211 and 468-531 of section 2, which snarkjs's prover uses
 * and a verification key does not) and section 10.
 */
function readOffsets(zkey: Uint8Array): number[] {
  const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
  const unread = new Set<number>();
  let pos = 12;
  for (let i = 0; i < view.getUint32(8, true); i++) {
    const id = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    const body = pos + 12;
    if (id === 2)
      for (const [from, to] of [
        [148, 212],
        [468, 532],
      ] as const)
        for (let o = from; o < to; o++) unread.add(body + o);
    if (id === 10) for (let o = 0; o < size; o++) unread.add(body + o);
    pos = body + size;
  }
  return [...zkey.keys()].filter((o) => !unread.has(o));
}

/**
 * The offsets of a header-only .zkey's container: the 12-byte preamble, the headers of sections
 * 1 to 3 (the ones the decoders read; section 10's may be renamed to another unread section),
 * section 1, and the first 84 bytes of section 2 (field sizes and orders, nVars, nPublic, domain
 * size); `shape` the nVars and domain-size words among them, which the verification key does not use.
 */
function containerOffsets(zkey: Uint8Array): { container: Set<number>; shape: Set<number> } {
  const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
  const container = new Set<number>([...Array(12).keys()]);
  const shape = new Set<number>();
  let pos = 12;
  for (let i = 0; i < view.getUint32(8, true); i++) {
    const id = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    if (id <= 3) for (let o = 0; o < 12; o++) container.add(pos + o);
    const body = pos + 12;
    if (id === 1) for (let o = 0; o < size; o++) container.add(body + o);
    if (id === 2) for (let o = 0; o < 84; o++) container.add(body + o);
    if (id === 2) for (const o of [72, 73, 74, 75, 80, 81, 82, 83]) shape.add(body + o);
    pos = body + size;
  }
  return { container, shape };
}

/** The .zkey with only what the key decoders read: sections 1 (protocol), 2 (header), 3 (IC) and 10. */
function headerSections(zkey: Uint8Array): Uint8Array {
  const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
  const kept: Uint8Array[] = [];
  let pos = 12;
  for (let i = 0; i < view.getUint32(8, true); i++) {
    const id = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    if ([1, 2, 3, 10].includes(id)) kept.push(zkey.subarray(pos, pos + 12 + size));
    pos += 12 + size;
  }
  const out = new Uint8Array(12 + kept.reduce((n, s) => n + s.length, 0));
  out.set(zkey.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, kept.length, true);
  let at = 12;
  for (const s of kept) {
    out.set(s, at);
    at += s.length;
  }
  return out;
}

/**
 * A refusal is a typed medshare error with its class's stable code: MalformedError (zk) or
 * EncodingError (protocol), code ERR_ENCODING, or ArgumentTypeError, code ERR_ARGUMENT_TYPE.
 */
function expectTypedRefusal(error: unknown, mutant: Mutant<unknown>): void {
  const code = isMedshareError(error) ? error.code : undefined;
  const typed =
    (code === 'ERR_ENCODING' && error instanceof EncodingError) ||
    (code === 'ERR_ARGUMENT_TYPE' && error instanceof ArgumentTypeError);
  if (!typed) throw new Error(`${mutant.mutation}: refused with ${String(error)} (code ${code}), not a typed decoding error`);
}

/** What `decode()` returns, or undefined when it refuses (with a typed error: {@link expectTypedRefusal}). */
function decodedOrRefused<T>(decode: () => T, mutant: Mutant<unknown>): T | undefined {
  try {
    return decode();
  } catch (error) {
    expectTypedRefusal(error, mutant);
    return undefined;
  }
}

/** The packed bytes of a proof JSON whose coordinates are already checked (no second decode). */
function packChecked(proof: Groth16Proof): Uint8Array {
  const words = [
    proof.pi_a[0],
    proof.pi_a[1],
    proof.pi_b[0][1],
    proof.pi_b[0][0],
    proof.pi_b[1][1],
    proof.pi_b[1][0],
    proof.pi_c[0],
    proof.pi_c[1],
  ];
  const out = new Uint8Array(256);
  words.forEach((w, i) => {
    let v = BigInt(w);
    for (let j = 31; j >= 0; j--, v >>= 8n) out[32 * i + j] = Number(v & 0xffn);
  });
  return out;
}

/** Runs `check` on RUNS mutants drawn by `mutate`; returns how many were accepted and the mutations seen. */
function fuzz<T>(mutate: (rng: Rng) => Mutant<T>, check: (mutant: Mutant<T>) => 'accepted' | 'refused') {
  let accepted = 0;
  const kinds = new Set<string>();
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const mutant = mutate(new Rng(seed));
      kinds.add(mutant.mutation.replace(/[0-9]+/g, '#'));
      if (check(mutant) === 'accepted') accepted++;
    }),
    { numRuns: RUNS },
  );
  return { accepted, kinds: kinds.size };
}

const g1Json = (p: DecodedProof['a']) => {
  const a = p.toAffine();
  return [a.x.toString(), a.y.toString(), '1'];
};
const g2Json = (p: DecodedProof['b']) => {
  const a = p.toAffine();
  return [
    [a.x.c0.toString(), a.x.c1.toString()],
    [a.y.c0.toString(), a.y.c1.toString()],
    ['1', '0'],
  ];
};

describe('zk decoder fuzz: 10,000 mutants per object type, each refused with a typed error or accepted only when canonical and valid', () => {
  it('decodeProof (the 256 packed bytes)', () => {
    const { accepted, kinds } = fuzz(
      (rng) => mutateProofBytes(rng, packed),
      (mutant) => {
        const decoded = decodedOrRefused((): Groth16Proof => decodeProof(mutant.value), mutant);
        if (decoded === undefined) return 'refused';
        // One encoding per proof: the accepted bytes are exactly what encodeProof writes for it.
        expect(packChecked(decoded), mutant.mutation).toEqual(mutant.value);
        return 'accepted';
      },
    );
    expect(accepted).toBeLessThan(RUNS / 10); // valid points: A and C swapped, the generators, negations
    expect(kinds).toBeGreaterThan(20);
  });

  it('decodeProofJson (snarkjs proof JSON)', () => {
    const { accepted, kinds } = fuzz(
      (rng) => mutateJson(rng, proof, { g1: ['pi_a', 'pi_c'], g2: ['pi_b'] }),
      (mutant) => {
        const decoded = decodedOrRefused((): DecodedProof => decodeProofJson(mutant.value), mutant);
        if (decoded === undefined) return 'refused';
        // Accepted: every coordinate was written canonically (one spelling per point).
        const input = mutant.value as Record<string, unknown>;
        expect([input.pi_a, input.pi_b, input.pi_c], mutant.mutation).toEqual([
          g1Json(decoded.a),
          g2Json(decoded.b),
          g1Json(decoded.c),
        ]);
        return 'accepted';
      },
    );
    expect(accepted).toBeLessThan(RUNS / 5);
    expect(kinds).toBeGreaterThan(40);
  });

  it('decodeVerificationKey (snarkjs verification-key JSON)', () => {
    const vk = keys.verificationKey;
    const { accepted, kinds } = fuzz(
      (rng) =>
        mutateJson(rng, vk, {
          g1: ['vk_alpha_1', ...vk.IC.map((_, i) => `IC.${i}`)],
          g2: ['vk_beta_2', 'vk_gamma_2', 'vk_delta_2'],
        }),
      (mutant) => {
        const decoded = decodedOrRefused((): DecodedVerificationKey => decodeVerificationKey(mutant.value), mutant);
        if (decoded === undefined) return 'refused';
        const input = mutant.value as Record<string, unknown>;
        expect(input.nPublic, mutant.mutation).toBe(6);
        expect([input.vk_alpha_1, input.vk_beta_2, input.vk_gamma_2, input.vk_delta_2, input.IC], mutant.mutation).toEqual([
          g1Json(decoded.alpha),
          g2Json(decoded.beta),
          g2Json(decoded.gamma),
          g2Json(decoded.delta),
          decoded.ic.map(g1Json),
        ]);
        return 'accepted';
      },
    );
    expect(accepted).toBeLessThan(RUNS / 5);
    expect(kinds).toBeGreaterThan(40);
  });

  it("public signals: verify (a mutant never verifies), medshare/zk's and the protocol's decodePublicSignals", () => {
    let pairings = 100;
    const { accepted, kinds } = fuzz(
      (rng) => mutateSignals(rng, signals),
      (mutant) => {
        const list = mutant.value as string[];
        const canonical =
          Array.isArray(list) &&
          list.length === 6 &&
          list.every((s) => typeof s === 'string' && String(BigInt(/^[0-9]+$/.test(s) ? s : '-1')) === s);
        // verify's own parsing on every non-canonical list; the pairing on a sample of canonical
        // (well-formed but wrong) lists, each a 3-pairing check.
        if (!canonical || pairings-- > 0) {
          let verified: boolean | undefined;
          try {
            verified = verify(prepared, proof, list);
          } catch (error) {
            expectTypedRefusal(error, mutant);
          }
          expect(verified, mutant.mutation).not.toBe(true);
        }
        let outcome: 'accepted' | 'refused' = 'refused';
        for (const decode of [decodePublicSignals, decodeProtocolSignals]) {
          try {
            const d = decode(list);
            // Accepted: six canonical decimals below r, R in {0, 1}, read back exactly.
            const back = [d.eligible ? 1n : 0n, d.binding, d.commitment, d.requirementHash, d.patientId, d.timestamp];
            expect(back.map(String), mutant.mutation).toEqual(list);
            expect(back.every((x) => x < FIELD_ORDER)).toBe(true);
            outcome = 'accepted';
          } catch (error) {
            if (error instanceof Error && error.name === 'AssertionError') throw error;
            expectTypedRefusal(error, mutant);
          }
        }
        return outcome;
      },
    );
    expect(accepted).toBeLessThan(RUNS / 5); // canonical values that are merely wrong ('one digit changed', random digits)
    expect(kinds).toBeGreaterThan(30);
  });

  it('.zkey headers: provingKeyFromZkey and verificationKeyFromZkey', () => {
    const expected = keys.verificationKey;
    let changed = 0;
    const { accepted, kinds } = fuzz(
      (rng) => mutateBytes(rng, zkeyHeader, zkeyRead),
      (mutant) => {
        // Where the accepted bytes may differ from the honest ones: the container (magic, version,
        // section table, protocol, field sizes and orders, counts) must be byte for byte the same.
        const differs = () => {
          expect(mutant.value.length, mutant.mutation).toBe(zkeyHeader.length);
          return [...mutant.value.keys()].filter((o) => mutant.value[o] !== zkeyHeader[o]);
        };
        // The proving key's container and shape (its points are the prover's business).
        try {
          provingKeyFromZkey(circuit, mutant.value);
          for (const o of differs()) expect(zkeyContainer.has(o), `${mutant.mutation}: byte ${o}`).toBe(false);
        } catch (error) {
          if (error instanceof Error && error.name === 'AssertionError') throw error;
          expectTypedRefusal(error, mutant);
        }
        let outcome: 'accepted' | 'refused' = 'refused';
        try {
          // Accepted: a key whose points passed every check (verificationKeyFromZkey decodes what
          // it exports); the same key when the mutation hit bytes it does not read (beta_1,
          // delta_1, section 10, the wire count and the domain size).
          if (JSON.stringify(verificationKeyFromZkey(mutant.value)) !== JSON.stringify(expected)) changed++;
          for (const o of differs())
            expect(zkeyContainer.has(o) && !zkeyShape.has(o), `${mutant.mutation}: byte ${o}`).toBe(false);
          outcome = 'accepted';
        } catch (error) {
          if (error instanceof Error && error.name === 'AssertionError') throw error;
          expectTypedRefusal(error, mutant);
        }
        return outcome;
      },
    );
    expect(accepted).toBeLessThan(RUNS / 10);
    expect(changed).toBeLessThan(RUNS / 100); // a mutated point that is still a valid point: rare
    expect(kinds).toBeGreaterThan(8);
  });

  it('.zkey bytes the verification key does not read (vk_beta_1, vk_delta_1, section 10) change nothing it exports', () => {
    const read = new Set(zkeyRead);
    const unread = [...zkeyHeader.keys()].filter((o) => !read.has(o));
    fc.assert(
      fc.property(fc.constantFrom(...unread), fc.integer({ min: 1, max: 255 }), (offset, xor) => {
        const mutant = zkeyHeader.slice();
        mutant[offset] = (mutant[offset] as number) ^ xor;
        expect(verificationKeyFromZkey(mutant)).toEqual(keys.verificationKey);
      }),
      { numRuns: 30 },
    );
  });

  it('provingKeyFromZkey on the whole .zkey: 10,000 mutants of its container (section table, sizes, header, length)', () => {
    const zkey = keys.provingKey.zkey.slice(); // mutated in place and restored, so no copy per mutant
    const view = new DataView(zkey.buffer);
    const table: { at: number; id: number; size: number }[] = [];
    for (let pos = 12, i = 0; i < view.getUint32(8, true); i++) {
      const size = Number(view.getBigUint64(pos + 4, true));
      table.push({ at: pos, id: view.getUint32(pos, true), size });
      pos += 12 + size;
    }
    const headerEnd = (table[2] as { at: number }).at; // sections 1 and 2 and the preamble
    const section2 = (table[1] as { at: number }).at + 12;
    // Bytes of section 2 a proving key may differ in and still be accepted: its points (not checked here).
    const points = new Set([...Array(660 - 84).keys()].map((o) => section2 + 84 + o));
    let accepted = 0;
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = new Rng(seed);
        const saved = zkey.slice(0, headerEnd + 12 * 8); // the preamble, sections 1-2 and a margin
        let input: Uint8Array = zkey;
        let mutation: string;
        switch (rng.int(6)) {
          case 0: {
            const length = rng.int(zkey.length);
            input = zkey.subarray(0, length);
            mutation = `truncated to ${length}`;
            break;
          }
          case 1: {
            const entry = rng.pick(table);
            view.setUint32(entry.at, rng.pick([0, 11, 2 ** 32 - 1, rng.pick(table).id]), true);
            mutation = `section ${entry.id} renamed`;
            break;
          }
          case 2: {
            const entry = rng.pick(table);
            const size = rng.pick([0, entry.size - 1, entry.size + 1, 2 ** 40, rng.int(2 ** 31)]);
            // Sizes beyond section 2 sit deep in the file: write them in a copy.
            input = entry.at + 12 > saved.length ? zkey.slice() : zkey;
            new DataView(input.buffer, input.byteOffset).setBigUint64(entry.at + 4, BigInt(size), true);
            mutation = `section ${entry.id} size ${size}`;
            break;
          }
          case 3: {
            const at = rng.int(headerEnd);
            zkey[at] = (zkey[at] as number) ^ (1 + rng.int(255));
            mutation = `header byte ${at} changed`;
            break;
          }
          case 4: {
            const word = rng.pick([72, 76, 80]); // nVars, nPublic, domain size
            view.setUint32(
              section2 + word,
              rng.pick([0, 1, 2 ** 31, view.getUint32(section2 + word, true) + rng.pick([-1, 1, 2])]),
              true,
            );
            mutation = `header word ${word} changed`;
            break;
          }
          default: {
            input = new Uint8Array(zkey.length + 1 + rng.int(40));
            input.set(zkey);
            mutation = 'extended';
          }
        }
        try {
          provingKeyFromZkey(circuit, input);
          // Accepted: same length, and only point bytes of section 2 changed.
          expect(input.length, mutation).toBe(zkey.length);
          for (let o = 0; o < saved.length; o++)
            if (input[o] !== saved[o]) expect(points.has(o), `${mutation}: byte ${o}`).toBe(true);
          accepted++;
        } catch (error) {
          if (error instanceof Error && error.name === 'AssertionError') throw error;
          expectTypedRefusal(error, { value: input, mutation });
        } finally {
          zkey.set(saved);
        }
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeLessThan(RUNS / 5);
  });
});
