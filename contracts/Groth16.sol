// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Groth16 verifier on BN254 that takes the verification key as data
/// @notice e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1 with
/// vk_x = IC_0 + sum_i x_i IC_{i+1} (Groth 2016), over the EIP-196/197 precompiles; the same
/// accept/refuse decisions as medshare/zk `verify`.
/// @dev Key layout (896 bytes, 32-byte big-endian words, G2 with the imaginary part first as EIP-197 takes it):
///   alpha (x, y) | beta (x.c1, x.c0, y.c1, y.c0) | gamma | delta | IC_0 .. IC_6 (x, y each).
/// A proof is 8 words: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y (medshare/zk `encodeProof`).
/// Refused: a public signal >= r (it would alias x - r), a proof coordinate >= q, A, B or C at
/// infinity, a point off the curve or (B) outside the subgroup (the precompiles refuse those), and
/// vk_x at infinity.
library Groth16 {
    /// q, the BN254 base field order.
    uint256 internal constant Q = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// r, the BN254 scalar field order: public signals live in Z_r.
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    /// Number of public signals of medshare's eligibility circuit.
    uint256 internal constant SIGNALS = 6;
    /// Length of a verification key.
    uint256 internal constant KEY_BYTES = 896;

    uint256 private constant EC_ADD = 0x06;
    uint256 private constant EC_MUL = 0x07;
    uint256 private constant EC_PAIRING = 0x08;
    // Istanbul prices, doubled, as stipends: ecAdd 150, ecMul 6,000, pairing 45,000 + 34,000 k.
    uint256 private constant EC_ADD_GAS = 300;
    uint256 private constant EC_MUL_GAS = 12_000;
    uint256 private constant EC_PAIRING_GAS = 362_000;

    uint256 private constant IC_OFFSET = 448; // alpha 64 + beta, gamma, delta 3 * 128

    /// Structural checks of a key: its length, every coordinate below q, no point at infinity, and
    /// every G1 point (alpha, IC_i) on the curve. The G2 points are checked by the pairing at each
    /// verification (it refuses a point off the curve or outside the subgroup).
    /// @return true iff the key can be used
    function checkKey(bytes memory key) internal view returns (bool) {
        if (key.length != KEY_BYTES) return false;
        for (uint256 i = 0; i < KEY_BYTES / 32; i++) {
            if (word(key, i) >= Q) return false;
        }
        // G2 points at infinity
        for (uint256 g = 0; g < 3; g++) {
            uint256 o = 2 + 4 * g;
            if ((word(key, o) | word(key, o + 1) | word(key, o + 2) | word(key, o + 3)) == 0) return false;
        }
        // alpha, then IC_0 .. IC_6: not at infinity, and on the curve (ecAdd with infinity refuses a point off it)
        if (!onCurveG1(key, 0)) return false;
        for (uint256 i = 0; i <= SIGNALS; i++) {
            if (!onCurveG1(key, IC_OFFSET + 64 * i)) return false;
        }
        return true;
    }

    /// Verify(VK, pi, x).
    /// @param key the verification key (checked by {checkKey} when it was published)
    /// @param proof A, B, C as 8 words
    /// @param signals the public signals x
    /// @return true iff the proof verifies
    function verify(bytes memory key, uint256[8] calldata proof, uint256[SIGNALS] calldata signals)
        internal
        view
        returns (bool)
    {
        for (uint256 i = 0; i < SIGNALS; i++) {
            if (signals[i] >= R) return false;
        }
        for (uint256 i = 0; i < 8; i++) {
            if (proof[i] >= Q) return false;
        }
        if ((proof[0] | proof[1]) == 0 || (proof[2] | proof[3] | proof[4] | proof[5]) == 0 || (proof[6] | proof[7]) == 0) {
            return false;
        }
        // vk_x = IC_0 + sum_i x_i IC_{i+1}
        uint256[2] memory acc = [word(key, IC_OFFSET / 32), word(key, IC_OFFSET / 32 + 1)];
        for (uint256 i = 0; i < SIGNALS; i++) {
            uint256 x = signals[i];
            if (x == 0) continue;
            uint256 o = IC_OFFSET / 32 + 2 * (i + 1);
            uint256[2] memory term = [word(key, o), word(key, o + 1)];
            if (x != 1 && !ecMul(term, x)) return false;
            if (!ecAdd(acc, term)) return false;
        }
        if ((acc[0] | acc[1]) == 0) return false;
        uint256[24] memory input;
        // e(-A, B)
        input[0] = proof[0];
        input[1] = (Q - proof[1]) % Q;
        input[2] = proof[2];
        input[3] = proof[3];
        input[4] = proof[4];
        input[5] = proof[5];
        // e(alpha, beta)
        for (uint256 i = 0; i < 6; i++) {
            input[6 + i] = word(key, i);
        }
        // e(vk_x, gamma)
        input[12] = acc[0];
        input[13] = acc[1];
        for (uint256 i = 0; i < 4; i++) {
            input[14 + i] = word(key, 6 + i);
        }
        // e(C, delta)
        input[18] = proof[6];
        input[19] = proof[7];
        for (uint256 i = 0; i < 4; i++) {
            input[20 + i] = word(key, 10 + i);
        }
        uint256[1] memory out;
        bool success;
        assembly ("memory-safe") {
            success := staticcall(EC_PAIRING_GAS, EC_PAIRING, input, 768, out, 32)
        }
        return success && out[0] == 1;
    }

    /// The i-th 32-byte word of `data`.
    function word(bytes memory data, uint256 i) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(data, 32), mul(i, 32)))
        }
    }

    function onCurveG1(bytes memory key, uint256 offset) private view returns (bool) {
        uint256[2] memory p = [word(key, offset / 32), word(key, offset / 32 + 1)];
        if ((p[0] | p[1]) == 0) return false;
        uint256[2] memory sum = [p[0], p[1]];
        // P + infinity = P, and the precompile refuses P off the curve (BN254's G1 has cofactor 1).
        uint256[4] memory input = [p[0], p[1], 0, 0];
        bool success;
        assembly ("memory-safe") {
            success := staticcall(EC_ADD_GAS, EC_ADD, input, 128, sum, 64)
        }
        return success;
    }

    /// acc := acc + p; false when either is off the curve.
    function ecAdd(uint256[2] memory acc, uint256[2] memory p) private view returns (bool success) {
        uint256[4] memory input = [acc[0], acc[1], p[0], p[1]];
        assembly ("memory-safe") {
            success := staticcall(EC_ADD_GAS, EC_ADD, input, 128, acc, 64)
        }
    }

    /// p := x p; false when p is off the curve.
    function ecMul(uint256[2] memory p, uint256 x) private view returns (bool success) {
        uint256[3] memory input = [p[0], p[1], x];
        assembly ("memory-safe") {
            success := staticcall(EC_MUL_GAS, EC_MUL, input, 96, p, 64)
        }
    }
}
