// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AuthSign} from "../AuthSign.sol";
import {Bls12381} from "../Bls12381.sol";
import {Groth16} from "../Groth16.sol";

/// @title Test-only: the libraries' internal functions as external calls (never deployed by medshare/evm)
contract CryptoHarness {
    function expandMessageXmd(bytes calldata message, bytes calldata dst, uint256 lenInBytes)
        external
        pure
        returns (bytes memory)
    {
        return Bls12381.expandMessageXmd(message, dst, lenInBytes);
    }

    function hashToG1(bytes calldata message, bytes calldata dst) external view returns (bytes memory) {
        return Bls12381.hashToG1(message, dst);
    }

    function identityPoint(bytes calldata identity) external view returns (bytes memory) {
        return AuthSign.identityPoint(identity);
    }

    function challenge(bytes calldata u, bytes calldata message) external pure returns (uint256) {
        return AuthSign.challenge(u, message);
    }

    function authVerify(bytes calldata mpk, bytes calldata identity, bytes calldata message, bytes calldata signature)
        external
        view
        returns (bool)
    {
        return AuthSign.verify(mpk, identity, message, signature);
    }

    function checkKey(bytes calldata key) external view returns (bool) {
        return Groth16.checkKey(key);
    }

    function groth16Verify(bytes calldata key, uint256[8] calldata proof, uint256[6] calldata signals)
        external
        view
        returns (bool)
    {
        return Groth16.verify(key, proof, signals);
    }
}
