// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title BLS12-381 over the EIP-2537 precompiles (Prague)
/// @notice Encodings, RFC 9380 hashing and the pairing check medshare's AuthSign needs on chain.
/// @dev Encodings are EIP-2537's: an element of Fp is 64 bytes big-endian (16 zero bytes, then 48);
/// a G1 point is 128 bytes (x, y); a G2 point 256 bytes (x.c0, x.c1, y.c0, y.c1); the point at
/// infinity is all zeros. The precompiles check that coordinates are canonical (< p) and on the
/// curve; MSM and PAIRING_CHECK also check the prime-order subgroup; G1ADD does not.
///
/// Fail closed: on a chain without EIP-2537 a call to these addresses succeeds with empty output,
/// which this library turns into the revert {PrecompileMissing}. A call that the precompile refuses
/// (a malformed point) returns false; each such call is given a fixed gas stipend (twice its Prague
/// price) so that a refused input costs a bounded amount instead of all the gas left.
library Bls12381 {
    /// A precompile this contract needs is absent (the chain has not activated Prague / EIP-2537).
    error PrecompileMissing(address precompile);

    address internal constant MODEXP = address(0x05);
    address internal constant G1ADD = address(0x0b);
    address internal constant G1MSM = address(0x0c);
    address internal constant G2MSM = address(0x0e);
    address internal constant PAIRING_CHECK = address(0x0f);
    address internal constant MAP_FP_TO_G1 = address(0x10);

    // Prague prices, doubled: G1ADD 375, G1MSM (k = 1) 12,000, G2MSM (k = 1) 22,500, MAP_FP_TO_G1 5,500,
    // PAIRING_CHECK 32,600 k + 37,700.
    uint256 internal constant G1ADD_GAS = 750;
    uint256 internal constant G1MUL_GAS = 24_000;
    uint256 internal constant G2MUL_GAS = 45_000;
    uint256 internal constant MAP_GAS = 11_000;
    uint256 internal constant PAIRING_BASE_GAS = 75_400;
    uint256 internal constant PAIRING_PER_PAIR_GAS = 65_200;

    /// p, the base field order, as its first 16 and last 32 bytes.
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;
    /// (p - 1) / 2, split the same way: y is the "larger" root (the sign bit of a compressed point) iff y > (p - 1) / 2.
    uint256 internal constant HALF_P_HI = 0x0d0088f51cbff34d258dd3db21a5d66b;
    uint256 internal constant HALF_P_LO = 0xb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555;
    /// r, the order of G1, G2 and GT.
    uint256 internal constant R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;

    /// Runs a precompile: false when it refuses the input; reverts when it is absent.
    function run(address precompile, uint256 stipend, uint256 inPtr, uint256 inLen, uint256 outPtr, uint256 outLen)
        internal
        view
        returns (bool)
    {
        bool success;
        uint256 size;
        assembly ("memory-safe") {
            success := staticcall(stipend, precompile, inPtr, inLen, outPtr, outLen)
            size := returndatasize()
        }
        if (!success) return false;
        if (size != outLen) revert PrecompileMissing(precompile);
        return true;
    }

    /// RFC 9380 section 5.3.1, expand_message_xmd with SHA-256 (b_0 = H(Z_pad || msg || I2OSP(len, 2) ||
    /// I2OSP(0, 1) || DST'), b_1 = H(b_0 || 1 || DST'), b_i = H((b_0 xor b_{i-1}) || i || DST')).
    /// @param message msg
    /// @param dst the domain separation tag (at most 255 bytes)
    /// @param lenInBytes len_in_bytes (at most 8160)
    function expandMessageXmd(bytes memory message, bytes memory dst, uint256 lenInBytes)
        internal
        pure
        returns (bytes memory uniform)
    {
        uint256 ell = (lenInBytes + 31) / 32;
        require(ell <= 255 && dst.length <= 255);
        bytes memory dstPrime = abi.encodePacked(dst, uint8(dst.length));
        bytes32 b0 = sha256(abi.encodePacked(bytes32(0), bytes32(0), message, uint16(lenInBytes), uint8(0), dstPrime));
        bytes32 bi = sha256(abi.encodePacked(b0, uint8(1), dstPrime));
        uniform = new bytes(ell * 32);
        assembly ("memory-safe") {
            mstore(add(uniform, 32), bi)
        }
        for (uint256 i = 2; i <= ell; i++) {
            bi = sha256(abi.encodePacked(b0 ^ bi, uint8(i), dstPrime));
            assembly ("memory-safe") {
                mstore(add(uniform, mul(i, 32)), bi)
            }
        }
        assembly ("memory-safe") {
            mstore(uniform, lenInBytes)
        }
    }

    /// Reduces the 64-byte big-endian integer at `from` modulo p (MODEXP with exponent 1) and
    /// writes it as a 64-byte EIP-2537 field element at `to`.
    function reduceToFp(uint256 from, uint256 to) private view {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := mload(0x40)
            mstore(ptr, 64) // base length
            mstore(add(ptr, 0x20), 1) // exponent length
            mstore(add(ptr, 0x40), 48) // modulus length
            mstore(add(ptr, 0x60), mload(from))
            mstore(add(ptr, 0x80), mload(add(from, 0x20)))
            mstore8(add(ptr, 0xa0), 1) // exponent 1
            mstore(add(ptr, 0xa1), shl(128, P_HI))
            mstore(add(ptr, 0xb1), P_LO)
            mstore(to, 0) // the 16 leading zero bytes
        }
        // MODEXP cannot refuse these inputs; all the gas left is passed so that a repricing cannot break it.
        bool ok = run(MODEXP, gasleft(), ptr, 0xd1, to + 16, 48);
        require(ok);
    }

    /// RFC 9380 hash_to_curve for the suite BLS12381G1_XMD:SHA-256_SSWU_RO_ under `dst`:
    /// u = hash_to_field(msg, 2); Q0 = map_to_curve(u0); Q1 = map_to_curve(u1); P = clear_cofactor(Q0 + Q1).
    /// MAP_FP_TO_G1 maps and clears the cofactor; clearing is linear, so adding the two mapped points is the same.
    /// @return point 128 bytes, a point of G1 (the same as @noble/curves `hashToCurve` with this DST)
    function hashToG1(bytes memory message, bytes memory dst) internal view returns (bytes memory point) {
        bytes memory uniform = expandMessageXmd(message, dst, 128);
        bytes memory buffer = new bytes(256);
        point = new bytes(128);
        uint256 u;
        uint256 b;
        uint256 out;
        assembly ("memory-safe") {
            u := add(uniform, 32)
            b := add(buffer, 32)
            out := add(point, 32)
        }
        reduceToFp(u, b); // u0 into buffer[0:64]
        reduceToFp(u + 64, b + 128); // u1 into buffer[128:192]
        bool ok = run(MAP_FP_TO_G1, MAP_GAS, b, 64, b, 128) && run(MAP_FP_TO_G1, MAP_GAS, b + 128, 64, b + 128, 128)
            && run(G1ADD, G1ADD_GAS, b, 256, out, 128);
        require(ok);
    }

    /// RFC 9380 hash_to_field with count 1, m = 1, k = 128 onto Z_r: 48 bytes of expand_message_xmd, mod r.
    function hashToScalar(bytes memory message, bytes memory dst) internal pure returns (uint256) {
        bytes memory uniform = expandMessageXmd(message, dst, 48);
        uint256 high;
        uint256 low;
        assembly ("memory-safe") {
            high := mload(add(uniform, 32)) // bytes 0..31
            low := shr(128, mload(add(uniform, 64))) // bytes 32..47
        }
        // uniform = high * 2^128 + low
        return addmod(mulmod(high, 1 << 128, R), low, R);
    }

    /// The compressed (ZCash / IETF) 48-byte form of a G1 point given in EIP-2537 form: x with the
    /// compression flag 0x80 and the sign flag 0x20 when y > (p - 1) / 2. Only meaningful for a
    /// canonical point other than infinity; the caller checks the point through a precompile.
    function compressG1(bytes memory point) internal pure returns (bytes memory out) {
        uint256 xHi;
        uint256 xLo;
        uint256 yHi;
        uint256 yLo;
        assembly ("memory-safe") {
            xHi := mload(add(point, 32)) // 16 zero bytes, then the first 16 bytes of x
            xLo := mload(add(point, 64))
            yHi := mload(add(point, 96))
            yLo := mload(add(point, 128))
        }
        bool larger = yHi > HALF_P_HI || (yHi == HALF_P_HI && yLo > HALF_P_LO);
        uint256 flags = larger ? 0xa0 : 0x80;
        out = abi.encodePacked(uint128(xHi | (flags << 120)), xLo);
    }

    /// e(P1, Q1) * ... * e(Pk, Qk) == 1 for `input` = P1 || Q1 || ... (384 bytes a pair).
    /// @return true iff every point is valid and the product is 1
    function pairingCheck(bytes memory input) internal view returns (bool) {
        uint256 pairs = input.length / 384;
        uint256 ptr;
        uint256 result;
        assembly ("memory-safe") {
            ptr := add(input, 32)
        }
        uint256 out;
        assembly ("memory-safe") {
            out := mload(0x40)
        }
        if (!run(PAIRING_CHECK, PAIRING_BASE_GAS + PAIRING_PER_PAIR_GAS * pairs, ptr, input.length, out, 32)) return false;
        assembly ("memory-safe") {
            result := mload(out)
        }
        return result == 1;
    }

    /// G1MSM with one pair: k * P. False when P is not a point of G1 (off the curve or the subgroup).
    function g1Mul(bytes memory point, uint256 scalar) internal view returns (bool ok, bytes memory product) {
        bytes memory input = abi.encodePacked(point, scalar);
        product = new bytes(128);
        uint256 inPtr;
        uint256 outPtr;
        assembly ("memory-safe") {
            inPtr := add(input, 32)
            outPtr := add(product, 32)
        }
        ok = run(G1MSM, G1MUL_GAS, inPtr, 160, outPtr, 128);
    }

    /// G1ADD: P + Q. False when either is off the curve or not canonical (no subgroup check).
    function g1Add(bytes memory p, bytes memory q) internal view returns (bool ok, bytes memory sum) {
        bytes memory input = abi.encodePacked(p, q);
        sum = new bytes(128);
        uint256 inPtr;
        uint256 outPtr;
        assembly ("memory-safe") {
            inPtr := add(input, 32)
            outPtr := add(sum, 32)
        }
        ok = run(G1ADD, G1ADD_GAS, inPtr, 256, outPtr, 128);
    }

    /// True iff the 128-byte G1 point is all zeros (the point at infinity).
    function isZeroG1(bytes memory point) internal pure returns (bool) {
        uint256 a;
        uint256 b;
        uint256 c;
        uint256 d;
        assembly ("memory-safe") {
            a := mload(add(point, 32))
            b := mload(add(point, 64))
            c := mload(add(point, 96))
            d := mload(add(point, 128))
        }
        return (a | b | c | d) == 0;
    }

    /// True iff `point` (256 bytes) is a point of G2 other than infinity: G2MSM (1 * P) checks the
    /// curve and the subgroup.
    function checkG2(bytes memory point) internal view returns (bool) {
        if (point.length != 256) return false;
        bytes memory input = abi.encodePacked(point, uint256(1));
        bytes memory out = new bytes(256);
        uint256 inPtr;
        uint256 outPtr;
        uint256 acc;
        assembly ("memory-safe") {
            inPtr := add(input, 32)
            outPtr := add(out, 32)
            for { let i := 0 } lt(i, 256) { i := add(i, 32) } { acc := or(acc, mload(add(inPtr, i))) }
        }
        if (acc == 0) return false;
        return run(G2MSM, G2MUL_GAS, inPtr, 288, outPtr, 256);
    }
}
