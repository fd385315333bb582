pragma circom 2.1.0;

// medshare eligibility circuit: Huang et al. 2020, sections 4.2.6-4.2.7, Fig. 4.
//
//   C(<d_1..d_n>, r; commitment, requirementHash, ID_p, T) -> (R, h)
//
// A patient proves that the record d committed on the ledger meets a research institution's
// requirement (R = 1), without revealing d, and binds the proof to ID_p, T and a salt r:
//   h = Poseidon(commitment, ID_p, T, r).
// The commitment is hiding: commitment = H(tag, rho, pack(d)) with rho, the record's blinding, a
// random element of Fr the patient keeps with the record (rho = 0 is the paper's unblinded H(D)).
//
// Requirement: up to K criteria (field index, min, max), inclusive, min = max for equality.
// Fields no criterion names are free. The criteria are private inputs bound to the public
// requirementHash = H(tag, nu, mask, criteria), nu a random nonce the institution hands to
// patients with the criteria (so that the hash does not let anyone test guesses of them); one
// circuit (one trusted setup) per record size serves every requirement.
//
// Lean design (about B + 3 constraints per record field instead of about 4B):
// - every record value is range-checked to B bits (this makes the packed commitment binding);
// - the K criteria read their values v_k = d[idx_k] through a log-derivative lookup
//     sum_k en_k / (gamma - key(idx_k, v_k)) == sum_i m_i / (gamma - key(i, d_i)),
//   key(i, x) = i + 2^IB * x, with gamma = Poseidon(commitment, requirementHash, pack(v)) derived
//   in-circuit after everything on both sides is fixed by a hash (Fiat-Shamir inside the circuit);
// - each criterion compares v_k with min_k and max_k soundly: every compared quantity is
//   range-checked to B bits, and the outcome bits are forced (no circom assert is relied on).
// The soundness argument is written out in docs/zk-circuit.md.

include "circomlib/circuits/poseidon_constants_old.circom";
include "circomlib/circuits/comparators.circom";

// A proving-key-size note. snarkjs's .zkey stores every A and B matrix coefficient (44 bytes
// each) but no C coefficient. circom's --O2 substitutes every linear constraint away, so a long
// linear combination that feeds a product (a Poseidon S-box input, the sum of a range check's
// bits) is copied into the A and B sides of that product. Writing such a relation as
// `x * one === <linear combination>`, with `one` a signal forced to 1, keeps x a wire and puts
// the combination on the C side, where it costs nothing in the key: with it the proving key at
// n = 1000 is 12.7 MB instead of 17.5 MB, for about 10% more constraints.

// The signal 1: one * inverse = 1 rules out 0, and one * one = one leaves only 1.
template One() {
    signal output one;
    signal inverse;
    one <-- 1;
    inverse <-- 1;
    one * inverse === 1;
    one * one === one;
}

// Constrains `in` to [0, 2^B): B boolean constraints, and in * one = sum of the bits.
template RangeCheck(B) {
    signal input in;
    signal input one;
    signal bits[B];
    var sum = 0;
    var weight = 1;
    for (var i = 0; i < B; i++) {
        bits[i] <-- (in >> i) & 1;
        bits[i] * bits[i] === bits[i];
        sum += bits[i] * weight;
        weight += weight;
    }
    in * one === sum;
}

// Poseidon (Grassi et al.; circomlib's parameters and its unoptimised round structure, the
// constants of poseidon_constants_old.circom): same output as circomlib's Poseidon(nInputs).
// The state is kept as linear combinations; each S-box input x is a wire (x * one = state),
// then x^2, x^4, x^5.
template PoseidonLean(nInputs) {
    signal input inputs[nInputs];
    signal input one;
    signal output out;
    var N_ROUNDS_P[16] = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
    var t = nInputs + 1;
    var nRoundsF = 8;
    var nRoundsP = N_ROUNDS_P[t - 2];
    var C[t * (nRoundsF + nRoundsP)] = POSEIDON_C(t);
    var M[t][t] = POSEIDON_M(t);
    var nSbox = t * nRoundsF + nRoundsP;
    signal x[nSbox];
    signal x2[nSbox];
    signal x4[nSbox];
    signal x5[nSbox];
    var state[t];
    state[0] = 0;
    for (var j = 1; j < t; j++) state[j] = inputs[j - 1];
    var s = 0;
    for (var r = 0; r < nRoundsF + nRoundsP; r++) {
        for (var j = 0; j < t; j++) state[j] += C[t * r + j];
        var full = r < nRoundsF \ 2 || r >= nRoundsF \ 2 + nRoundsP;
        for (var j = 0; j < t; j++) {
            if (full || j == 0) {
                x[s] <-- state[j];
                x[s] * one === state[j];
                x2[s] <== x[s] * x[s];
                x4[s] <== x2[s] * x2[s];
                x5[s] <== x4[s] * x[s];
                state[j] = x5[s];
                s++;
            }
        }
        var mixed[t];
        for (var i = 0; i < t; i++) {
            mixed[i] = 0;
            for (var j = 0; j < t; j++) mixed[i] += M[i][j] * state[j];
        }
        for (var i = 0; i < t; i++) state[i] = mixed[i];
    }
    out <== state[0];
}

// Poseidon chain over M field elements in chunks: s = Poseidon(x[0..16)), then
// s = Poseidon(s, next 15), the last chunk possibly shorter. Mirrors poseidonChain() in src/zk/poseidon.ts.
template PoseidonChain(M) {
    signal input in[M];
    signal input one;
    signal output out;
    var first = M < 16 ? M : 16;
    var rest = M - first;
    var links = (rest + 14) \ 15;
    component head = PoseidonLean(first);
    head.one <== one;
    for (var i = 0; i < first; i++) head.inputs[i] <== in[i];
    component link[links];
    signal state[links + 1];
    state[0] <== head.out;
    var pos = first;
    for (var j = 0; j < links; j++) {
        var take = M - pos < 15 ? M - pos : 15;
        link[j] = PoseidonLean(take + 1);
        link[j].one <== one;
        link[j].inputs[0] <== state[j];
        for (var i = 0; i < take; i++) link[j].inputs[i + 1] <== in[pos + i];
        state[j + 1] <== link[j].out;
        pos += take;
    }
    out <== state[links];
}

// Packs values already known to be < 2^B, PER to an element: x = sum v_j 2^(B j).
function packedLength(count, B) {
    var per = 252 \ B;
    return (count + per - 1) \ per;
}

template Pack(count, B) {
    signal input in[count];
    var per = 252 \ B;
    var L = (count + per - 1) \ per;
    signal output out[L];
    for (var e = 0; e < L; e++) {
        var acc = 0;
        var weight = 1;
        for (var j = 0; j < per; j++) {
            if (e * per + j < count) {
                acc += in[e * per + j] * weight;
            }
            weight = weight * (1 << B);
        }
        out[e] <== acc;
    }
}

// N record fields of B bits, K criteria slots, IB bits for a field index (2^IB >= N).
template Eligibility(N, K, B, IB) {
    // Private: the record, its blinding rho and the salt r (paper 4.2.6, steps 1-2).
    signal input record[N];
    signal input blinding;
    signal input salt;
    // Private: the requirement and its nonce nu (bound to requirementHash), the lookup witnesses.
    signal input requirementNonce;
    signal input mask[N];
    signal input criterionField[K];
    signal input criterionEnabled[K];
    signal input criterionMin[K];
    signal input criterionMax[K];
    signal input criterionValue[K];
    // Public.
    signal input commitment;
    signal input requirementHash;
    signal input patientId;
    signal input timestamp;
    // Outputs (paper: C(D) -> (R, h)).
    signal output eligible;
    signal output binding;

    component unit = One();
    signal one <== unit.one;

    // 1. The record: every value in [0, 2^B), packed and hashed with its blinding:
    //    commitment = H(tag, rho, pack(d)).
    component recordRange[N];
    for (var i = 0; i < N; i++) {
        recordRange[i] = RangeCheck(B);
        recordRange[i].one <== one;
        recordRange[i].in <== record[i];
    }
    var LR = packedLength(N, B);
    component recordPack = Pack(N, B);
    for (var i = 0; i < N; i++) recordPack.in[i] <== record[i];
    component recordHash = PoseidonChain(LR + 2);
    recordHash.one <== one;
    recordHash.in[0] <== 1 * 2 ** 64 + N * 2 ** 8 + B;
    recordHash.in[1] <== blinding;
    for (var e = 0; e < LR; e++) recordHash.in[e + 2] <== recordPack.out[e];
    recordHash.out === commitment;

    // 2. The requirement: its nonce, the mask bits and K packed criteria, hashed:
    //    requirementHash = H(tag, nu, pack(mask), pack(criteria)).
    for (var i = 0; i < N; i++) mask[i] * mask[i] === mask[i];
    var LM = packedLength(N, 1);
    component maskPack = Pack(N, 1);
    for (var i = 0; i < N; i++) maskPack.in[i] <== mask[i];
    component fieldRange[K];
    component minRange[K];
    component maxRange[K];
    component valueRange[K];
    var CW = IB + 1 + 2 * B;
    var CP = 252 \ CW;
    var LC = (K + CP - 1) \ CP;
    signal criterion[LC];
    var packed[LC];
    for (var e = 0; e < LC; e++) packed[e] = 0;
    for (var k = 0; k < K; k++) {
        fieldRange[k] = RangeCheck(IB);
        fieldRange[k].one <== one;
        fieldRange[k].in <== criterionField[k];
        criterionEnabled[k] * criterionEnabled[k] === criterionEnabled[k];
        minRange[k] = RangeCheck(B);
        minRange[k].one <== one;
        minRange[k].in <== criterionMin[k];
        maxRange[k] = RangeCheck(B);
        maxRange[k].one <== one;
        maxRange[k].in <== criterionMax[k];
        valueRange[k] = RangeCheck(B);
        valueRange[k].one <== one;
        valueRange[k].in <== criterionValue[k];
        packed[k \ CP] += (criterionField[k] + criterionEnabled[k] * 2 ** IB + criterionMin[k] * 2 ** (IB + 1)
            + criterionMax[k] * 2 ** (IB + 1 + B)) * 2 ** (CW * (k % CP));
    }
    for (var e = 0; e < LC; e++) criterion[e] <== packed[e];
    component requirement = PoseidonChain(2 + LM + LC);
    requirement.one <== one;
    requirement.in[0] <== 2 * 2 ** 64 + N * 2 ** 16 + K * 2 ** 8 + B;
    requirement.in[1] <== requirementNonce;
    for (var e = 0; e < LM; e++) requirement.in[2 + e] <== maskPack.out[e];
    for (var e = 0; e < LC; e++) requirement.in[2 + LM + e] <== criterion[e];
    requirement.out === requirementHash;

    // 3. The challenge, after the record, the requirement and the looked-up values are fixed.
    var LV = packedLength(K, B);
    component valuePack = Pack(K, B);
    for (var k = 0; k < K; k++) valuePack.in[k] <== criterionValue[k];
    component challenge = PoseidonChain(3 + LV);
    challenge.one <== one;
    challenge.in[0] <== 3 * 2 ** 64 + N * 2 ** 16 + K * 2 ** 8 + B;
    challenge.in[1] <== commitment;
    challenge.in[2] <== requirementHash;
    for (var e = 0; e < LV; e++) challenge.in[3 + e] <== valuePack.out[e];
    signal gamma <== challenge.out;

    // 4. Lookup: the multiset {key(idx_k, v_k) : en_k = 1} equals {key(i, d_i) : m_i = 1}.
    signal recordTerm[N];
    var recordSum = 0;
    for (var i = 0; i < N; i++) {
        recordTerm[i] <-- mask[i] / (gamma - i - 2 ** IB * record[i]);
        recordTerm[i] * (gamma - i - 2 ** IB * record[i]) === mask[i];
        recordSum += recordTerm[i];
    }
    signal criterionTerm[K];
    var criterionSum = 0;
    for (var k = 0; k < K; k++) {
        criterionTerm[k] <-- criterionEnabled[k] / (gamma - criterionField[k] - 2 ** IB * criterionValue[k]);
        criterionTerm[k] * (gamma - criterionField[k] - 2 ** IB * criterionValue[k]) === criterionEnabled[k];
        criterionSum += criterionTerm[k];
    }
    one * criterionSum === recordSum; // the long side in C (see the note above)

    // 5. Criteria: below = [v < min], above = [v > max], each forced by a range check of
    //    v - min (or min - v - 1) and max - v (or v - max - 1) to B bits.
    signal below[K];
    signal above[K];
    signal belowTimes[K];
    signal aboveTimes[K];
    signal failed[K];
    component lowGap[K];
    component highGap[K];
    var failures = 0;
    for (var k = 0; k < K; k++) {
        below[k] <-- criterionValue[k] < criterionMin[k] ? 1 : 0;
        above[k] <-- criterionValue[k] > criterionMax[k] ? 1 : 0;
        below[k] * below[k] === below[k];
        above[k] * above[k] === above[k];
        var low = criterionValue[k] - criterionMin[k];
        var high = criterionMax[k] - criterionValue[k];
        belowTimes[k] <== below[k] * low;
        aboveTimes[k] <== above[k] * high;
        lowGap[k] = RangeCheck(B);
        lowGap[k].one <== one;
        lowGap[k].in <== low - 2 * belowTimes[k] - below[k];
        highGap[k] = RangeCheck(B);
        highGap[k].one <== one;
        highGap[k].in <== high - 2 * aboveTimes[k] - above[k];
        failed[k] <== criterionEnabled[k] * (below[k] + above[k]);
        failures += failed[k];
    }
    component none = IsZero();
    none.in <== failures;
    eligible <== none.out;

    // 6. h = H(commitment, ID_p, T, r): the value the patient signs with AuthSign.
    component bind = PoseidonLean(4);
    bind.one <== one;
    bind.inputs[0] <== commitment;
    bind.inputs[1] <== patientId;
    bind.inputs[2] <== timestamp;
    bind.inputs[3] <== salt;
    binding <== bind.out;
}
