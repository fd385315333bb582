// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Bls12381} from "../Bls12381.sol";

/// @title Test-only: what checking a ga07 partial re-encryption (contract v2's `deliver`) would cost on an EVM
/// @notice EIP-2537 has pairing *checks* (is a product of pairings 1?) but no GT (Fp12) arithmetic, and
/// `verifyReEncryptionShare` needs GT values: T1 = e(Z, C1) / D^c and T2 = e(Z, h) / Y_i^c are hashed
/// into the Fiat-Shamir challenge. A contract would have to compute them in Fp12 itself, from Fp
/// multiplications. This harness measures one Fp multiplication as a contract would do it (MODEXP
/// for the squarings, two-limb additions), so that the cost of the whole check can be estimated from
/// operation counts; and one pairing check, for comparison. Never deployed by medshare/evm.
contract GtCost {
    /// p, as Bls12381.P_HI and P_LO (inline assembly takes only literal constants).
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    /// acc = a * b^n in Fp, by n sequential multiplications (n = 0 measures the call's overhead).
    /// An element of Fp is two limbs on the stack: the top 125 bits and the low 256 bits.
    function mulChain(uint256 aHi, uint256 aLo, uint256 bHi, uint256 bLo, uint256 n)
        external
        view
        returns (uint256 hi, uint256 lo)
    {
        (hi, lo) = (aHi, aLo);
        for (uint256 i = 0; i < n; i++) {
            (hi, lo) = mul(hi, lo, bHi, bLo);
        }
    }

    /// PAIRING_CHECK on `input` (k pairs of EIP-2537 G1 || G2), as a transaction would pay for it.
    function pairingCheck(bytes calldata input) external view returns (bool) {
        return Bls12381.pairingCheck(input);
    }

    /// a * b = ((a + b) / 2)^2 - ((a - b) / 2)^2 (mod p): two MODEXP squarings, no 762-bit product.
    function mul(uint256 aHi, uint256 aLo, uint256 bHi, uint256 bLo) internal view returns (uint256, uint256) {
        (uint256 sHi, uint256 sLo) = add(aHi, aLo, bHi, bLo);
        (sHi, sLo) = half(sHi, sLo);
        (sHi, sLo) = square(sHi, sLo);
        (uint256 dHi, uint256 dLo) = sub(aHi, aLo, bHi, bLo);
        (dHi, dLo) = half(dHi, dLo);
        (dHi, dLo) = square(dHi, dLo);
        return sub(sHi, sLo, dHi, dLo);
    }

    function add(uint256 aHi, uint256 aLo, uint256 bHi, uint256 bLo) internal pure returns (uint256 hi, uint256 lo) {
        unchecked {
            lo = aLo + bLo;
            hi = aHi + bHi + (lo < aLo ? 1 : 0);
            if (hi > P_HI || (hi == P_HI && lo >= P_LO)) {
                (hi, lo) = (hi - P_HI - (lo < P_LO ? 1 : 0), lo - P_LO);
            }
        }
    }

    function sub(uint256 aHi, uint256 aLo, uint256 bHi, uint256 bLo) internal pure returns (uint256, uint256) {
        unchecked {
            if (aHi < bHi || (aHi == bHi && aLo < bLo)) {
                // a + p - b
                uint256 l2 = aLo + P_LO;
                aHi = aHi + P_HI + (l2 < aLo ? 1 : 0);
                aLo = l2;
            }
            return (aHi - bHi - (aLo < bLo ? 1 : 0), aLo - bLo);
        }
    }

    /// a / 2 mod p: a if even, else a + p (even, below 2^382), shifted right once.
    function half(uint256 hi, uint256 lo) internal pure returns (uint256, uint256) {
        unchecked {
            if (lo & 1 == 1) {
                uint256 l2 = lo + P_LO;
                hi = hi + P_HI + (l2 < lo ? 1 : 0);
                lo = l2;
            }
            return (hi >> 1, (lo >> 1) | (hi << 255));
        }
    }

    /// a^2 mod p with MODEXP (base and modulus 48 bytes, exponent 2), in scratch memory past the free pointer.
    function square(uint256 aHi, uint256 aLo) internal view returns (uint256 hi, uint256 lo) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 48) // base length
            mstore(add(ptr, 0x20), 1) // exponent length
            mstore(add(ptr, 0x40), 48) // modulus length
            mstore(add(ptr, 0x60), shl(128, aHi)) // base: 16 bytes of hi, then lo
            mstore(add(ptr, 0x70), aLo)
            mstore8(add(ptr, 0x90), 2) // exponent 2
            mstore(add(ptr, 0x91), shl(128, P_HI))
            mstore(add(ptr, 0xa1), P_LO)
            if iszero(staticcall(gas(), 0x05, ptr, 0xc1, add(ptr, 0x100), 48)) { revert(0, 0) }
            if iszero(eq(returndatasize(), 48)) { revert(0, 0) }
            hi := shr(128, mload(add(ptr, 0x100)))
            lo := mload(add(ptr, 0x110))
        }
    }
}
