// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Bls12381} from "./Bls12381.sol";

/// @title AuthSign (Cha-Cheon identity-based signature, PKC 2003) verified on chain
/// @notice Byte for byte the check of medshare/sign `authVerify`:
///   Q = H1(ID), v = H3(U, m), accept iff e(V, -h) * e(U + v Q, mpk) == 1,
/// with H1 = RFC 9380 hash_to_curve (BLS12381G1_XMD:SHA-256_SSWU_RO_) under
/// "MEDSHARE-V1-AUTHSIGN-H1_BLS12381G1_XMD:SHA-256_SSWU_RO_" applied to the identity's UTF-8, and
/// H3 = RFC 9380 hash_to_field (one element of Z_r, k = 128, expand_message_xmd with SHA-256) under
/// "MEDSHARE-V1-AUTHSIGN-H3_XMD:SHA-256" applied to compressed(U) || m.
/// @dev A signature on chain is 256 bytes, U || V in EIP-2537 form (medshare/evm `encodeSignature`
/// turns medshare/sign's 96 compressed bytes into it). Compressed and uncompressed forms of a valid
/// point correspond one to one, so the set of accepted signatures is the same as off chain: U and V
/// must be canonical, on the curve, in the subgroup and not the identity. U's subgroup membership is
/// checked by the pairing (U + vQ is in the subgroup iff U is, Q being in it).
library AuthSign {
    bytes internal constant H1_DST = "MEDSHARE-V1-AUTHSIGN-H1_BLS12381G1_XMD:SHA-256_SSWU_RO_";
    bytes internal constant H3_DST = "MEDSHARE-V1-AUTHSIGN-H3_XMD:SHA-256";

    /// -h, the negated generator of G2, in EIP-2537 form.
    bytes internal constant NEG_H =
        hex"00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
        hex"0000000000000000000000000000000013e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
        hex"000000000000000000000000000000000d1b3cc2c7027888be51d9ef691d77bcb679afda66c73f17f9ee3837a55024f78c71363275a75d75d86bab79f74782aa"
        hex"0000000000000000000000000000000013fa4d4a0ad8b1ce186ed5061789213d993923066dddaf1040bc3ff59f825c78df74f2d75467e25e0f55f8a00fa030ed";

    /// Length of a signature on chain: U and V, two EIP-2537 G1 points.
    uint256 internal constant SIGNATURE_BYTES = 256;

    /// H1(ID) = hash_to_curve(ID) in G1 (128 bytes, EIP-2537 form).
    function identityPoint(bytes memory identity) internal view returns (bytes memory) {
        return Bls12381.hashToG1(identity, H1_DST);
    }

    /// v = H3(U, m) = hash_to_field(compressed(U) || m) in Z_r.
    function challenge(bytes memory u, bytes memory message) internal pure returns (uint256) {
        return Bls12381.hashToScalar(abi.encodePacked(Bls12381.compressG1(u), message), H3_DST);
    }

    /// AuthVerify(mpk, ID, m, sigma).
    /// @param mpk the PKG's public key h^s (256 bytes, EIP-2537 G2)
    /// @param identity the signer's identity (UTF-8)
    /// @param message the signed bytes
    /// @param signature U || V (256 bytes)
    /// @return true iff the signature verifies; false for anything malformed
    function verify(bytes memory mpk, bytes memory identity, bytes memory message, bytes memory signature)
        internal
        view
        returns (bool)
    {
        if (signature.length != SIGNATURE_BYTES) return false;
        bytes memory u = new bytes(128);
        bytes memory v = new bytes(128);
        assembly ("memory-safe") {
            mcopy(add(u, 32), add(signature, 32), 128)
            mcopy(add(v, 32), add(signature, 160), 128)
        }
        if (Bls12381.isZeroG1(u) || Bls12381.isZeroG1(v)) return false;
        uint256 h3 = challenge(u, message);
        (bool ok, bytes memory vq) = Bls12381.g1Mul(identityPoint(identity), h3);
        if (!ok) return false;
        bytes memory w;
        (ok, w) = Bls12381.g1Add(u, vq); // U + v Q; refuses U off the curve or not canonical
        if (!ok) return false;
        // e(V, -h) * e(U + v Q, mpk) == 1; the precompile refuses V or U + v Q outside the subgroup.
        return Bls12381.pairingCheck(abi.encodePacked(v, NEG_H, w, mpk));
    }
}
