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
///
/// Signals that are the same for every proof under a key (the contract's R = 1 and the requirement
/// hash) can be folded into IC_0 once ({constantTerm}); {verifyFolded} then skips them.
library Groth16 {
    /// q, the BN254 base field order.
    uint256 internal constant Q = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// r, the BN254 scalar field order: public signals live in Z_r.
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    /// Number of public signals of medshare's eligibility circuit: R, h, commitment, requirementHash, ID_p, T.
    uint256 internal constant SIGNALS = 6;
    /// Length of a verification key.
    uint256 internal constant KEY_BYTES = 896;
    /// Signals folded by {constantTerm}: R (index 0) and the requirement hash (index 3).
    uint256 internal constant FOLDED = (1 << 0) | (1 << 3);
    uint256 private constant ALL = (1 << SIGNALS) - 1;

    uint256 private constant IC_OFFSET = 448; // alpha 64 + beta, gamma, delta 3 * 128
    // Istanbul prices, doubled, as stipends: ecAdd 150, ecMul 6,000, pairing 45,000 + 34,000 k.
    uint256 private constant EC_ADD_GAS = 300;
    uint256 private constant EC_MUL_GAS = 12_000;
    uint256 private constant EC_PAIRING_GAS = 362_000;

    /// Structural checks of a key: its length, every coordinate below q, no point at infinity, and
    /// every G1 point (alpha, IC_i) on the curve. The G2 points are checked by the pairing at each
    /// verification (it refuses a point off the curve or outside the subgroup).
    /// @return true iff the key can be used
    function checkKey(bytes memory key) internal view returns (bool) {
        if (key.length != KEY_BYTES) return false;
        for (uint256 i = 0; i < KEY_BYTES / 32; i++) {
            if (word(key, i) >= Q) return false;
        }
        for (uint256 g = 0; g < 3; g++) {
            uint256 o = 2 + 4 * g;
            if ((word(key, o) | word(key, o + 1) | word(key, o + 2) | word(key, o + 3)) == 0) return false;
        }
        if (!onCurveG1(word(key, 0), word(key, 1))) return false;
        for (uint256 i = 0; i <= SIGNALS; i++) {
            uint256 o = IC_OFFSET / 32 + 2 * i;
            if (!onCurveG1(word(key, o), word(key, o + 1))) return false;
        }
        return true;
    }

    /// IC_0 + 1 * IC_1 + requirementHash * IC_4: the part of vk_x that is the same for every proof
    /// with R = 1 about `requirementHash`. The key must have passed {checkKey}.
    function constantTerm(bytes memory key, uint256 requirementHash) internal view returns (uint256 x, uint256 y) {
        uint256[4] memory buffer;
        bool ok;
        assembly ("memory-safe") {
            let k := add(key, 32)
            let ic := add(k, IC_OFFSET)
            // requirementHash * IC_4
            mstore(buffer, mload(add(ic, 256)))
            mstore(add(buffer, 32), mload(add(ic, 288)))
            mstore(add(buffer, 64), requirementHash)
            ok := staticcall(EC_MUL_GAS, 0x07, buffer, 96, add(buffer, 64), 64)
            // + IC_1
            mstore(buffer, mload(add(ic, 64)))
            mstore(add(buffer, 32), mload(add(ic, 96)))
            ok := and(ok, staticcall(EC_ADD_GAS, 0x06, buffer, 128, buffer, 64))
            // + IC_0
            mstore(add(buffer, 64), mload(ic))
            mstore(add(buffer, 96), mload(add(ic, 32)))
            ok := and(ok, staticcall(EC_ADD_GAS, 0x06, buffer, 128, buffer, 64))
        }
        require(ok);
        return (buffer[0], buffer[1]);
    }

    /// Verify(VK, pi, x).
    /// @param key the verification key (checked by {checkKey})
    /// @param proof A, B, C as 8 words
    /// @param signals the public signals x
    /// @return true iff the proof verifies
    function verify(bytes memory key, uint256[8] calldata proof, uint256[SIGNALS] calldata signals)
        internal
        view
        returns (bool)
    {
        return check(key, word(key, IC_OFFSET / 32), word(key, IC_OFFSET / 32 + 1), ALL, proof, signals);
    }

    /// Verify(VK, pi, x) for a statement with R = 1 and requirement hash `requirementHash`, with
    /// (x0, y0) = {constantTerm}(key, requirementHash) computed once before.
    function verifyFolded(
        bytes memory key,
        uint256 x0,
        uint256 y0,
        uint256 requirementHash,
        uint256[8] calldata proof,
        uint256[SIGNALS] calldata signals
    ) internal view returns (bool) {
        if (signals[0] != 1 || signals[3] != requirementHash) return false;
        return check(key, x0, y0, ALL & ~FOLDED, proof, signals);
    }

    /// The signals as medshare/zk's decodePublicSignals takes them: each below r (x + r is no
    /// encoding of x) and R (index 0) either 0 or 1.
    function canonicalSignals(uint256[SIGNALS] calldata signals) internal pure returns (bool) {
        return signals[0] < 2 && belowR(signals);
    }

    /// Every signal below r (unrolled for the six signals: a loop costs some 500 gas more).
    function belowR(uint256[SIGNALS] calldata signals) private pure returns (bool ok) {
        assembly ("memory-safe") {
            ok := and(
                and(lt(calldataload(signals), R), lt(calldataload(add(signals, 32)), R)),
                and(
                    and(lt(calldataload(add(signals, 64)), R), lt(calldataload(add(signals, 96)), R)),
                    and(lt(calldataload(add(signals, 128)), R), lt(calldataload(add(signals, 160)), R))
                )
            )
        }
    }

    /// The verification with vk_x starting at (x0, y0) and adding x_i IC_{i+1} for the signals in `mask`.
    function check(
        bytes memory key,
        uint256 x0,
        uint256 y0,
        uint256 mask,
        uint256[8] calldata proof,
        uint256[SIGNALS] calldata signals
    ) private view returns (bool ok) {
        ok = belowR(signals);
        assembly ("memory-safe") {
            // Every coordinate below q (unrolled, as belowR).
            ok := and(
                ok,
                and(
                    and(
                        and(lt(calldataload(proof), Q), lt(calldataload(add(proof, 32)), Q)),
                        and(lt(calldataload(add(proof, 64)), Q), lt(calldataload(add(proof, 96)), Q))
                    ),
                    and(
                        and(lt(calldataload(add(proof, 128)), Q), lt(calldataload(add(proof, 160)), Q)),
                        and(lt(calldataload(add(proof, 192)), Q), lt(calldataload(add(proof, 224)), Q))
                    )
                )
            )
            let ax := calldataload(proof)
            let ay := calldataload(add(proof, 32))
            if iszero(or(ax, ay)) { ok := 0 }
            if iszero(
                or(
                    or(calldataload(add(proof, 64)), calldataload(add(proof, 96))),
                    or(calldataload(add(proof, 128)), calldataload(add(proof, 160)))
                )
            ) { ok := 0 }
            if iszero(or(calldataload(add(proof, 192)), calldataload(add(proof, 224)))) { ok := 0 }

            let k := add(key, 32)
            let m := mload(0x40) // scratch: acc (64) | term (64) | scalar (32); then the pairing input (768)
            mstore(m, x0)
            mstore(add(m, 32), y0)
            for { let i := 0 } and(ok, lt(i, SIGNALS)) { i := add(i, 1) } {
                let s := calldataload(add(signals, mul(i, 32)))
                if and(and(shr(i, mask), 1), iszero(iszero(s))) {
                    let ic := add(k, add(IC_OFFSET, mul(64, add(i, 1))))
                    mstore(add(m, 64), mload(ic))
                    mstore(add(m, 96), mload(add(ic, 32)))
                    if iszero(eq(s, 1)) {
                        mstore(add(m, 128), s)
                        if iszero(staticcall(EC_MUL_GAS, 0x07, add(m, 64), 96, add(m, 64), 64)) { ok := 0 }
                    }
                    if iszero(staticcall(EC_ADD_GAS, 0x06, m, 128, m, 64)) { ok := 0 }
                }
            }
            if iszero(or(mload(m), mload(add(m, 32)))) { ok := 0 } // vk_x at infinity
            if ok {
                let p := add(m, 160)
                // e(-A, B)
                mstore(p, ax)
                mstore(add(p, 32), mod(sub(Q, ay), Q))
                calldatacopy(add(p, 64), add(proof, 64), 128)
                // e(alpha, beta): key words 0..5
                mcopy(add(p, 192), k, 192)
                // e(vk_x, gamma)
                mstore(add(p, 384), mload(m))
                mstore(add(p, 416), mload(add(m, 32)))
                mcopy(add(p, 448), add(k, 192), 128)
                // e(C, delta)
                calldatacopy(add(p, 576), add(proof, 192), 64)
                mcopy(add(p, 640), add(k, 320), 128)
                let success := staticcall(EC_PAIRING_GAS, 0x08, p, 768, p, 32)
                ok := and(success, eq(mload(p), 1))
            }
        }
    }

    /// The i-th 32-byte word of `data`.
    function word(bytes memory data, uint256 i) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(data, 32), mul(i, 32)))
        }
    }

    /// P is a point of G1 other than infinity: P + infinity succeeds only for P on the curve (BN254's G1 has cofactor 1).
    function onCurveG1(uint256 x, uint256 y) private view returns (bool success) {
        if ((x | y) == 0) return false;
        uint256[4] memory input = [x, y, 0, 0];
        assembly ("memory-safe") {
            success := staticcall(EC_ADD_GAS, 0x06, input, 128, input, 64)
        }
    }
}
