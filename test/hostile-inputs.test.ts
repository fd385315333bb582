/**
 * Regression tests for the breaks an outside audit found in medshare/pre and medshare/sign
 * (issue 10), each rebuilt the way the audit did it: from bytes an attacker can produce with what
 * users publish. Each test failed on the code before the fix.
 */
import { describe, expect, it } from 'vitest';
import type { Groups } from '../src/backend/types.js';
import { Fr, hashToScalar } from '../src/internal/bls.js';
import { EncodingError, ProofError } from '../src/internal/errors.js';
import { seal } from '../src/pre/kem.js';
import { decodeTransaction, encodeTransaction } from '../src/ledger/transaction.js';
import { KITS } from './support/backends.js';

/** AuthSign's H3 domain-separation tag (src/sign/cha-cheon.ts), as an attacker reads it from the source. */
const AUTHSIGN_H3 = 'MEDSHARE-V1-AUTHSIGN-H3_XMD:SHA-256';
import { ALICE, BOB, makeFixture } from './support/ga07-fixture.js';
import { seededRandom } from '../src/testing/random.js';
import { fp12Zero, type PartialStatement, shareFreePartial, zeroPartialWithHonestHalf } from './support/verifiable-attacks.js';

type GT = Groups['GT'];

for (const K of KITS) {
  const { ga07, ga07Verifiable: v, G1Point, G2Point, GT_ONE, gtDiv, gtEq, gtPow, gtToBytes, pair } = K;
  const { capsuleBinding } = K.core;
  const { authSign, authVerify, decodeSigningKey, encodeSigningKey, keyGen: signKeyGen, setup: signSetup } = K.authSign;
  const FP12_ZERO = fp12Zero(K);

  const f = makeFixture(undefined, ga07);
  const { params, alice, bob, carol } = f;
  const record = new TextEncoder().encode('{"hba1c": 6.1}');
  const stored = ga07.encrypt(params, ALICE, record, { random: seededRandom('hostile-ct') });
  const storedBytes = ga07.encodeCiphertext(stored);

  function statementOf(commitment: ReturnType<typeof v.decodeReKeyCommitment>, index: number, Yi: GT): PartialStatement {
    const capsule = ga07.decodeCiphertext(storedBytes).capsule;
    return {
      delegator: commitment.delegator,
      delegatee: commitment.delegatee,
      threshold: commitment.threshold,
      total: commitment.total,
      index,
      R1: commitment.R1,
      R2: commitment.R2,
      Yi,
      C1: capsule.C1,
      C2: capsule.C2,
    };
  }

  describe(`${K.label} break 1: the zero of Fp12 passed for a GT element`, () => {
    const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, { threshold: 2, total: 3, random: seededRandom('h1') });
    const commitmentBytes = v.encodeReKeyCommitment(commitment);

    it("a proxy sends C2'_i = 0 with an honest proof for the other half: the bytes are refused, the object does not verify", () => {
      // The proxy is honest about its share (it holds share 2) but zeroes its output.
      const share = v.decodeReKeyShare(v.encodeReKeyShare(shares[1] as (typeof shares)[number]));
      const com = v.decodeReKeyCommitment(commitmentBytes);
      const attack = zeroPartialWithHonestHalf(K, statementOf(com, 2, share.Y), share.share, 987654321n);
      expect(() => v.decodeReEncryptionShare(attack.bytes)).toThrow(EncodingError);
      expect(() => v.decodeReEncryptionShare(attack.bytes)).toThrow(/C2: not in the order-r subgroup GT/);
      // The same partial handed over as an object (never decoded) does not verify either.
      expect(v.verifyReEncryptionShare(params, com, stored, attack.partial)).toBe(false);
      const honest = v.reEncryptShare(params, shares[0] as (typeof shares)[number], stored);
      expect(() => v.combineReEncryptionShares(params, com, stored, [honest, attack.partial])).toThrow(ProofError);
    });

    it('anyone relabels a commitment with every Y_i = 0 (t = 2): the bytes are refused, the delegatee check fails, share-free partials do not verify', () => {
      const zeroed = { ...commitment, Y: commitment.Y.map(() => FP12_ZERO) };
      const bytes = v.encodeReKeyCommitment(zeroed);
      expect(() => v.decodeReKeyCommitment(bytes)).toThrow(/Y\[1\]: not in the order-r subgroup GT/);
      expect(v.verifyReKeyCommitment(params, bob, zeroed)).toBe(false);
      for (const index of [1, 2, 3]) {
        const forged = shareFreePartial(K, statementOf(zeroed, index, FP12_ZERO), 1234n + BigInt(index));
        expect(v.verifyReEncryptionShare(params, zeroed, stored, forged.partial)).toBe(false);
      }
    });

    it('a ciphertext with C2 = 0 (which opened under every key) is refused by the decoder, and by decrypt as an object', () => {
      // m = C2 / e(sk, C1) = 0 for every key, so the attacker seals its record under HKDF(0).
      const { C1 } = stored.capsule;
      const forged = { ...stored, capsule: { ...stored.capsule, C2: FP12_ZERO } };
      const sealed = seal('ga07', gtToBytes(FP12_ZERO), capsuleBinding(ALICE, C1), new TextEncoder().encode('forged'));
      const bytes = ga07.encodeCiphertext({ ...forged, sealed });
      expect(() => ga07.decodeCiphertext(bytes)).toThrow(/C2: not in the order-r subgroup GT/);
      for (const key of [alice, bob, carol]) expect(() => ga07.decrypt(params, key, { ...forged, sealed })).toThrow(RangeError);
    });

    it('every GT field of every decoder refuses 0: ga07 C2/R2, re-key R2, commitment R2 and Y_i, partial C2, key-share R2 and Y', () => {
      const zero = gtToBytes(FP12_ZERO);
      const rk = ga07.reKeyGen(params, alice, BOB, { random: seededRandom('h1-rk') });
      const reEncrypted = ga07.reEncrypt(params, rk, stored);
      const partial = v.reEncryptShare(params, shares[0] as (typeof shares)[number], stored);
      const cases: [string, Uint8Array, (b: Uint8Array) => unknown, GT][] = [
        ['ciphertext C2', storedBytes, ga07.decodeCiphertext, stored.capsule.C2],
        ['re-encrypted C2', ga07.encodeCiphertext(reEncrypted), ga07.decodeCiphertext, reEncrypted.capsule.C2],
        ['re-encrypted R2', ga07.encodeCiphertext(reEncrypted), ga07.decodeCiphertext, rk.R2],
        ['re-key R2', ga07.encodeReKey(rk), ga07.decodeReKey, rk.R2],
        ['commitment R2', commitmentBytes, v.decodeReKeyCommitment, commitment.R2],
        ['commitment Y_3', commitmentBytes, v.decodeReKeyCommitment, commitment.Y[2] as GT],
        ['partial C2', v.encodeReEncryptionShare(partial), v.decodeReEncryptionShare, partial.C2],
        ['key-share R2', v.encodeReKeyShare(shares[0] as never), v.decodeReKeyShare, commitment.R2],
        ['key-share Y', v.encodeReKeyShare(shares[0] as never), v.decodeReKeyShare, commitment.Y[0] as GT],
      ];
      for (const [name, bytes, decode, element] of cases) {
        const at = indexOf(bytes, gtToBytes(element));
        expect(at, name).toBeGreaterThan(0);
        const hostile = bytes.slice();
        hostile.set(zero, at);
        expect(() => decode(hostile), name).toThrow(EncodingError);
      }
    });

    it('the verifier refuses degenerate statements built in memory: C1 the identity, Y_i = 1', () => {
      const partial = v.reEncryptShare(params, shares[0] as (typeof shares)[number], stored);
      expect(v.verifyReEncryptionShare(params, commitment, stored, partial)).toBe(true); // control
      const one = { ...commitment, Y: commitment.Y.map((y, i) => (i === 0 ? GT_ONE : y)) };
      expect(v.verifyReEncryptionShare(params, one, stored, partial)).toBe(false);
      expect(v.verifyReKeyCommitment(params, bob, one)).toBe(false);
      const noC1 = { ...stored, capsule: { ...stored.capsule, C1: stored.capsule.C1.subtract(stored.capsule.C1) } };
      expect(v.verifyReEncryptionShare(params, commitment, noC1, partial)).toBe(false);
    });
  });

  describe(`${K.label} break 2: strings were not decoded exactly (a leading U+FEFF was stripped)`, () => {
    const BOM = '\uFEFF';
    const utf8 = (s: string) => new TextEncoder().encode(s);

    it('an identity "\uFEFFpatient:alice" survives a round trip through bytes in pre, sign and the ledger', () => {
      const id = `${BOM}patient:alice`;
      expect(ga07.decodeSecretKey(ga07.encodeSecretKey({ ...alice, identity: id })).identity).toBe(id);
      const rk = ga07.reKeyGen(params, alice, BOB, { random: seededRandom('h2') });
      expect(ga07.decodeReKey(ga07.encodeReKey({ ...rk, delegatee: id })).delegatee).toBe(id);
      expect(decodeSigningKey(encodeSigningKey({ scheme: 'authSign', identity: id, key: alice.key })).identity).toBe(id);
      const tx = {
        patient: id,
        institution: `${BOM}${BOB}`,
        dataHash: new Uint8Array(32),
        timestamp: 7,
        patientSignature: new Uint8Array(1),
        institutionSignature: new Uint8Array(1),
      };
      expect(decodeTransaction(encodeTransaction(tx))).toMatchObject({ patient: id, institution: `${BOM}${BOB}` });
    });

    it('BOM-prefixed bytes are not a second encoding of "patient:alice": they decode to another identity and re-encode to themselves', () => {
      const plain = ga07.encodeSecretKey(alice);
      const withBom = Uint8Array.from([
        ...plain.subarray(0, 3),
        0,
        3 + ALICE.length,
        0xef,
        0xbb,
        0xbf,
        ...utf8(ALICE),
        ...plain.subarray(5 + ALICE.length),
      ]);
      const decoded = ga07.decodeSecretKey(withBom);
      expect(decoded.identity).not.toBe(ALICE);
      expect(ga07.encodeSecretKey(decoded)).toEqual(withBom);
    });
  });

  describe(`${K.label} break 3: blame rested on an unauthenticated index, and a replay stopped combine`, () => {
    const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, { threshold: 2, total: 3, random: seededRandom('h3') });
    const [p1, p2] = shares
      .slice(0, 2)
      .map((s) => v.reEncryptShare(params, s, stored, { random: seededRandom(`h3-${s.index}`) })) as [
      ReturnType<typeof v.reEncryptShare>,
      ReturnType<typeof v.reEncryptShare>,
    ];

    it('a replayed valid partial does not make combine throw while t good ones remain', () => {
      const shared = v.combineReEncryptionShares(params, commitment, stored, [p1, p1, p2]);
      expect(ga07.decrypt(params, bob, shared)).toEqual(record);
    });

    it('a forged partial claiming share 2 is set aside, reported by position, and the valid partials still combine', () => {
      const forged = { ...p2, C2: stored.capsule.C2 }; // claims index 2, proves nothing
      const shared = v.combineReEncryptionShares(params, commitment, stored, [forged, p1, p2]);
      expect(ga07.decrypt(params, bob, shared)).toEqual(record);
      const detailed = v.combineReEncryptionSharesDetailed(params, commitment, stored, [forged, p1, p2]);
      expect(detailed.rejected).toEqual([{ position: 0, claimedIndex: 2, reason: 'invalid' }]);
      expect(detailed.used).toEqual([1, 2]);
    });
  });

  describe(`${K.label} break 4: a reused random source leaked a proxy's share and a signing key`, () => {
    const { shares, commitment } = v.reKeyGenShares(params, alice, BOB, { threshold: 2, total: 2, random: seededRandom('h4') });
    const share = shares[0] as (typeof shares)[number];
    const other = ga07.encrypt(params, ALICE, record, { random: seededRandom('hostile-ct-2') });

    it('two proofs from the same re-created seeded source, for two ciphertexts, do not share a nonce; the extraction formula fails', () => {
      // The mistake the audit made on purpose: a fresh copy of one seeded source for every call.
      const p1 = v.reEncryptShare(params, share, stored, { random: seededRandom('same-seed') });
      const p2 = v.reEncryptShare(params, share, other, { random: seededRandom('same-seed') });
      expect(v.verifyReEncryptionShare(params, commitment, stored, p1)).toBe(true);
      expect(v.verifyReEncryptionShare(params, commitment, other, p2)).toBe(true);
      // T2 = e(z, h) / Y_i^c = Z^w is public: equal T2 means a shared nonce.
      const t2 = (p: typeof p1) => gtDiv(pair(p.proof.response, G2Point.BASE), gtPow(share.Y, p.proof.challenge));
      expect(gtEq(t2(p1), t2(p2))).toBe(false);
      // z = W + c * share, so with one W: share = (z1 - z2) / (c1 - c2).
      const dc = Fr.sub(p1.proof.challenge, p2.proof.challenge);
      const extracted = p1.proof.response.subtract(p2.proof.response).multiply(Fr.inv(dc));
      expect(extracted.equals(share.share)).toBe(false);
    });

    it('a source of all-zero bytes still gives unrelated nonces for different statements', () => {
      const zeros = (n: number) => new Uint8Array(n);
      const p1 = v.reEncryptShare(params, share, stored, { random: zeros });
      const p2 = v.reEncryptShare(params, share, other, { random: zeros });
      const dc = Fr.sub(p1.proof.challenge, p2.proof.challenge);
      expect(p1.proof.response.subtract(p2.proof.response).multiply(Fr.inv(dc)).equals(share.share)).toBe(false);
    });

    it('same inputs and the same random bytes give the same proof (reproducible tests keep working)', () => {
      const a = v.reEncryptShare(params, share, stored, { random: seededRandom('again') });
      const b = v.reEncryptShare(params, share, stored, { random: seededRandom('again') });
      expect(v.encodeReEncryptionShare(a)).toEqual(v.encodeReEncryptionShare(b));
    });

    it('two AuthSign signatures on different messages from the same re-created source share no r; the key does not fall out', () => {
      const s = signSetup({ random: seededRandom('h4-sign') });
      const key = signKeyGen(s.params, s.masterKey, ALICE);
      const m1 = new TextEncoder().encode('message one');
      const m2 = new TextEncoder().encode('message two');
      const sig1 = authSign(key, m1, { random: seededRandom('same-seed') });
      const sig2 = authSign(key, m2, { random: seededRandom('same-seed') });
      expect(authVerify(s.params, ALICE, m1, sig1) && authVerify(s.params, ALICE, m2, sig2)).toBe(true);
      expect(sig1.subarray(0, 48)).not.toEqual(sig2.subarray(0, 48)); // U = Q^r differs
      // V = sk^(r + v): with one r, sk = (V1 - V2) / (v1 - v2).
      const v1 = hashToScalar(AUTHSIGN_H3, sig1.subarray(0, 48), m1);
      const v2 = hashToScalar(AUTHSIGN_H3, sig2.subarray(0, 48), m2);
      const V1 = G1Point.fromBytes(sig1.subarray(48));
      const V2 = G1Point.fromBytes(sig2.subarray(48));
      expect(
        V1.subtract(V2)
          .multiply(Fr.inv(Fr.sub(v1, v2)))
          .equals(key.key),
      ).toBe(false);
      expect(authSign(key, m1, { random: seededRandom('same-seed') })).toEqual(sig1); // deterministic for one source
    });
  });

  /** Offset of `needle` in `haystack`, or -1. */
  function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
    outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
      for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }
}
