// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Data stored as contract code (the SSTORE2 pattern)
/// @notice Writing deploys a contract whose code is 0x00 || data (the leading STOP makes a call to it
/// do nothing); reading is one EXTCODECOPY. At 200 gas a byte of code, far cheaper than storage slots
/// for data written once and read often, such as a verification key.
library CodeStore {
    /// Deploying the data contract failed.
    error CodeStoreFailed();

    /// Stores `data` (at most 24,575 bytes, the code size limit less the STOP byte).
    /// @return pointer the address of the data contract
    function write(bytes memory data) internal returns (address pointer) {
        // PUSH2 size, DUP1, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 0, RETURN: returns the code after these 12 bytes.
        bytes memory initCode = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600c6000396000f3", hex"00", data);
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 32), mload(initCode))
        }
        if (pointer == address(0)) revert CodeStoreFailed();
    }

    /// Reads back what {write} stored at `pointer`.
    function read(address pointer) internal view returns (bytes memory data) {
        uint256 size = pointer.code.length;
        if (size == 0) return data;
        data = new bytes(size - 1);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(data, 32), 1, sub(size, 1))
        }
    }

    /// Reads `length` bytes from offset `offset` of what {write} stored (zeros past its end).
    function readAt(address pointer, uint256 offset, uint256 length) internal view returns (bytes memory data) {
        data = new bytes(length);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(data, 32), add(offset, 1), length)
        }
    }
}
