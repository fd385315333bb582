// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AuthSign} from "./AuthSign.sol";
import {Bls12381} from "./Bls12381.sol";
import {CodeStore} from "./CodeStore.sol";
import {Groth16} from "./Groth16.sol";

/// @title MedShare: the sharing contract of Huang et al. 2020 on the EVM
/// @notice The contract of medshare/protocol (sections 4.1, 4.2.2-4.2.10, 5.1.5) for any chain with
/// the Prague upgrade (EIP-2537), such as a Hyperledger Besu network with QBFT.
///
/// Differences from the reference contract, by design:
/// - The sender is the transaction's account (msg.sender), which the membership authority binds to
///   an identity at registration; the chain's own transaction signature replaces the AuthSign
///   envelope (it is bound to the chain id by EIP-155 and to this contract as the call's target).
/// - Contract time is the block's timestamp, as the reference's clock is its block's time. The
///   `time` each call claims is only checked against it: more than maxClockSkew behind is stale,
///   more than maxClockSkew ahead is future (the reference's rule).
/// - What members sign with AuthSign (a record commitment, a Fig. 3 form) starts with a tag, the
///   chain id and this contract's address, so a signature made for one deployment is refused by
///   every other.
/// - submitProof checks no AuthSign on the binding h: the patient's transaction signature covers h.
/// - The re-encryption key commitment is decoded for its layout, delegator and delegatee only; its
///   curve points are checked by the research institution off chain (medshare/protocol receiveRecord).
///
/// Every refusal reverts with one named error, one for each contract refusal of medshare/protocol's
/// RefusalReason (MalformedTransaction for 'malformedTransaction', and so on); every accepted step
/// emits one event.
contract MedShare {
    // ------------------------------------------------------------------ refusals (RefusalReason)

    /// 'malformedTransaction': a field is malformed.
    error MalformedTransaction();
    /// 'unregisteredSender': the sending account is no member's (nor the membership authority's).
    error UnregisteredSender();
    /// 'wrongRole': the sender's role may not send this call.
    error WrongRole();
    /// 'badSignature': an AuthSign signature (the patient's on a record, or one on a Fig. 3 form) does not verify.
    error BadSignature();
    /// 'staleTimestamp': the claimed time, or the proof's T, is older than allowed.
    error StaleTimestamp();
    /// 'futureTimestamp': the claimed time, or the proof's T, is ahead of the block's time.
    error FutureTimestamp();
    /// 'alreadyRegistered': the identity (or the account) is registered.
    error AlreadyRegistered();
    /// 'reservedIdentity': a member identity may not contain '#'.
    error ReservedIdentity();
    /// 'duplicate': the requirement, record (or its commitment, whoever registered it) or submission exists.
    error Duplicate();
    /// 'unknownPatient': no such registered patient.
    error UnknownPatient();
    /// 'unknownRequirement': no such requirement.
    error UnknownRequirement();
    /// 'unknownRecord': no such record.
    error UnknownRecord();
    /// 'unknownApproval': no accepted submission for this requirement and record.
    error UnknownApproval();
    /// 'notRecordOwner': the sender is not the record's patient.
    error NotRecordOwner();
    /// 'notParty': the sender (or a party the form names) is not a party of the submission.
    error NotParty();
    /// 'requirementMismatch': the proof is about another requirement hash.
    error RequirementMismatch();
    /// 'commitmentMismatch': the proof or form is about another record commitment.
    error CommitmentMismatch();
    /// 'identityMismatch': the proof is bound to another patient.
    error IdentityMismatch();
    /// 'notEligible': R = 0.
    error NotEligible();
    /// 'replayedSubmission': the binding h was submitted before.
    error ReplayedSubmission();
    /// 'invalidProof': the Groth16 proof does not verify under the requirement's key.
    error InvalidProof();
    /// 'exclusiveLicence': the record is (or would become) licensed exclusively to another institution.
    error ExclusiveLicence();
    /// 'wrongStage': the submission is not at the stage this call needs.
    error WrongStage();
    /// 'grantMismatch': the key commitment names another delegator or delegatee.
    error GrantMismatch();

    // ------------------------------------------------------------------ events

    /// A member was registered (section 4.2.3).
    event MemberRegistered(bytes32 indexed identityKey, uint32 indexed index, string identity, uint8 role, address account);
    /// Step 1: a requirement was published; it is stored (with its verification key) as code at
    /// `stored`. A malformed key is kept as published, and every proof under it is refused.
    event RequirementPublished(
        bytes32 indexed requirementId,
        uint32 indexed institution,
        uint256 criteriaHash,
        string[] keywords,
        address stored,
        uint64 reward,
        bool exclusive
    );
    /// Steps 2-3: a record commitment was registered with the patient's signature.
    event RecordRegistered(bytes32 indexed recordId, uint32 indexed patient, uint32 registeredBy, uint256 commitment);
    /// Step 5: a proof was accepted; `binding` is h.
    event ProofAccepted(bytes32 indexed approvalId, bytes32 indexed requirementId, bytes32 indexed recordId, uint256 binding);
    /// Step 6: the patient published the re-encryption key commitment.
    event AccessGranted(bytes32 indexed approvalId, bytes reKeyCommitment);
    /// Step 9: the record was shared under a licence (Fig. 3 form signed by both parties).
    event RecordShared(
        bytes32 indexed approvalId, bytes32 indexed recordId, uint32 indexed institution, bool exclusive, uint64 time, uint64 reward
    );

    // ------------------------------------------------------------------ state

    uint8 internal constant PATIENT = 1;
    uint8 internal constant HOSPITAL = 2;
    uint8 internal constant INSTITUTION = 3;
    uint8 internal constant ROLES = 5;

    uint8 internal constant APPROVED = 1;
    uint8 internal constant GRANTED = 2;
    uint8 internal constant SHARED = 3;

    uint256 internal constant MAX_IDENTITY_BYTES = 1024;
    uint256 internal constant MAX_KEYWORDS = 32;
    uint256 internal constant MAX_KEYWORD_BYTES = 64;
    uint256 internal constant MAX_BLOB = 65536;
    uint256 internal constant MAX_KEY_BYTES = 24_575 - 128; // the code size limit, less the stored header and STOP
    uint256 internal constant MAX_SIGNATURE_BYTES = 1024;
    uint256 internal constant MAX_FORM_SIGNATURE_BYTES = 4096;
    uint256 internal constant MAX_SAFE_INTEGER = 2 ** 53 - 1;
    uint256 internal constant MAX_SHARES = 255;

    /// A member's seat: its index (from 1) and role code (1 patient, 2 hospital, 3 institution, 4 proxy, 5 verifier).
    struct Seat {
        uint32 index;
        uint8 role;
    }

    /// A published requirement, as stored (in contract code, written once) at requirements[id]:
    /// criteriaHash | (institution << 96 | reward << 32 | exclusive << 1 | keyValid) | IC_0' (x, y) |
    /// the verification key as published, where IC_0' = IC_0 + IC_1 + criteriaHash * IC_4 folds the
    /// signals every accepted proof shares (R = 1 and the requirement hash).
    struct Requirement {
        uint256 criteriaHash;
        uint32 institution;
        uint64 reward;
        bool exclusive;
        bool keyValid;
        uint256 x0;
        uint256 y0;
    }

    /// A registered record and the summary of its licences that the exclusive-licence rule needs
    /// (one storage slot; the commitment is the key of {recordOfCommitment}, and in RecordRegistered).
    struct Record {
        uint32 patient;
        uint32 registeredBy;
        uint32 licenceCount;
        uint32 licensee; // the first institution licensed
        uint32 exclusiveHolder; // the institution holding an exclusive licence (all licences are then its)
        bool manyLicensees; // licences to two or more institutions
    }

    /// An accepted submission.
    struct Approval {
        uint8 stage;
        bytes32 reKeyCommitmentHash;
    }

    /// A licence under which a record was shared.
    struct Licence {
        bytes32 approvalId;
        uint32 institution;
        bool exclusive;
        uint64 time; // the block's time when the record was shared
    }

    /// The Fig. 3 form: the parties, the record commitment as dataHash, the time, both signatures.
    struct SharingForm {
        string patient;
        string institution;
        bytes32 dataHash;
        uint64 timestamp;
        bytes patientSignature;
        bytes institutionSignature;
    }

    /// keccak256 of the membership authority's identity.
    bytes32 public immutable authorityKey;
    /// The membership authority's account: the only sender of register.
    address public immutable authorityAccount;
    /// How old the proof's T may be, relative to the block's time (seconds).
    uint64 public immutable maxProofAge;
    /// How far a claimed time may be from the block's time (seconds).
    uint64 public immutable maxClockSkew;
    bytes32 private immutable mpk0;
    bytes32 private immutable mpk1;
    bytes32 private immutable mpk2;
    bytes32 private immutable mpk3;
    bytes32 private immutable mpk4;
    bytes32 private immutable mpk5;
    bytes32 private immutable mpk6;
    bytes32 private immutable mpk7;

    /// Members by keccak256 of their identity.
    mapping(bytes32 identityKey => Seat) public seatOfIdentity;
    /// Members by account.
    mapping(address account => Seat) public seatOfAccount;
    /// keccak256 of each member's identity, by index.
    mapping(uint32 index => bytes32) public identityKeyOf;
    /// Number of members.
    uint32 public memberCount;
    /// Where each requirement is stored (see {Requirement}), by id.
    mapping(bytes32 requirementId => address) public requirements;
    /// Records by id.
    mapping(bytes32 recordId => Record) public records;
    /// The record each commitment is registered as: a commitment is registered once, whoever
    /// registers it, so a licence covers the data and not a record id (a second identity cannot
    /// register the same commitment as a new record and sell it again).
    mapping(uint256 commitment => bytes32 recordId) public recordOfCommitment;
    /// Licences of each record, in order.
    mapping(bytes32 recordId => mapping(uint256 => Licence)) public licences;
    /// Accepted submissions by id.
    mapping(bytes32 approvalId => Approval) public approvals;
    /// Bindings h of accepted proofs, against replay.
    mapping(uint256 binding => bool) public bindingUsed;
    /// Rewards: credited to patients, debited from institutions.
    mapping(uint32 index => int256) public balances;

    /// @param authorityIdentity the membership authority's identity
    /// @param authority the membership authority's account
    /// @param publicKey AuthSign's public key mpk h^s (256 bytes, EIP-2537 G2)
    /// @param proofAge how old a proof's T may be (seconds)
    /// @param clockSkew how far a claimed time may be from the block's time (seconds)
    constructor(string memory authorityIdentity, address authority, bytes memory publicKey, uint64 proofAge, uint64 clockSkew) {
        if (publicKey.length != 256 || !validIdentity(bytes(authorityIdentity)) || authority == address(0)) {
            revert MalformedTransaction();
        }
        // Fails closed before Prague: this uses MODEXP, MAP_FP_TO_G1 and G1ADD, and checks mpk with G2MSM.
        AuthSign.identityPoint(bytes(authorityIdentity));
        if (!Bls12381.checkG2(publicKey)) revert MalformedTransaction();
        authorityKey = keccak256(bytes(authorityIdentity));
        authorityAccount = authority;
        maxProofAge = proofAge;
        maxClockSkew = clockSkew;
        bytes32[8] memory w;
        assembly ("memory-safe") {
            mcopy(w, add(publicKey, 32), 256)
        }
        (mpk0, mpk1, mpk2, mpk3, mpk4, mpk5, mpk6, mpk7) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
    }

    // ------------------------------------------------------------------ membership (section 4.2.3)

    /// The membership authority registers `identity` with `role`, acting from `account`.
    function register(string calldata identity, uint8 role, address account, uint64 time) external {
        bytes memory id = bytes(identity);
        if (!validIdentity(id) || role == 0 || role > ROLES || account == address(0)) revert MalformedTransaction();
        if (msg.sender != authorityAccount) {
            if (seatOfAccount[msg.sender].index == 0) revert UnregisteredSender();
            revert WrongRole();
        }
        checkTime(time);
        bytes32 key = keccak256(id);
        if (
            seatOfIdentity[key].index != 0 || key == authorityKey || seatOfAccount[account].index != 0
                || account == authorityAccount
        ) revert AlreadyRegistered();
        if (containsHash(id)) revert ReservedIdentity();
        uint32 index = ++memberCount;
        Seat memory seat = Seat(index, role);
        seatOfIdentity[key] = seat;
        seatOfAccount[account] = seat;
        identityKeyOf[index] = key;
        emit MemberRegistered(key, index, identity, role, account);
    }

    // ------------------------------------------------------------------ step 1 (section 4.2.2)

    /// A research institution publishes a requirement: the criteria hash, the public key words, the
    /// Groth16 verification key (896 bytes, medshare/evm `encodeVerificationKey`), the reward and
    /// whether the licence is exclusive.
    function publishRequirement(
        uint256 criteriaHash,
        string[] calldata keywords,
        bytes calldata verificationKey,
        uint64 reward,
        bool exclusive,
        uint64 time
    ) external returns (bytes32 requirementId) {
        if (keywords.length > MAX_KEYWORDS || verificationKey.length > MAX_BLOB || reward > MAX_SAFE_INTEGER) {
            revert MalformedTransaction();
        }
        for (uint256 i = 0; i < keywords.length; i++) {
            bytes memory k = bytes(keywords[i]);
            if (k.length == 0 || k.length > MAX_KEYWORD_BYTES || !validUtf8(k)) revert MalformedTransaction();
        }
        Seat memory sender = senderWithRole(INSTITUTION, 0);
        checkTime(time);
        requirementId = keccak256(
            abi.encode("req", identityKeyOf[sender.index], criteriaHash, keywords, verificationKey, reward, exclusive)
        );
        if (requirements[requirementId] != address(0)) revert Duplicate();
        if (verificationKey.length == 0 || verificationKey.length > MAX_KEY_BYTES) revert MalformedTransaction();
        bool keyValid = Groth16.checkKey(verificationKey);
        (uint256 x0, uint256 y0) = keyValid ? Groth16.constantTerm(verificationKey, criteriaHash) : (0, 0);
        uint256 meta = (uint256(sender.index) << 96) | (uint256(reward) << 32) | (exclusive ? 2 : 0) | (keyValid ? 1 : 0);
        address stored = CodeStore.write(abi.encodePacked(criteriaHash, meta, x0, y0, verificationKey));
        requirements[requirementId] = stored;
        emit RequirementPublished(requirementId, sender.index, criteriaHash, keywords, stored, reward, exclusive);
    }

    // ------------------------------------------------------------------ steps 2-3 (section 4.2.5)

    /// The patient (or a hospital on the patient's behalf) registers the commitment to a record,
    /// with sigma_a = AuthSign(SK_p, recordSignable) ({recordSignable}).
    function registerRecord(string calldata patient, uint256 commitment, bytes calldata patientSignature, uint64 time)
        external
        returns (bytes32 recordId)
    {
        bytes memory id = bytes(patient);
        if (!validIdentity(id) || patientSignature.length > MAX_SIGNATURE_BYTES) revert MalformedTransaction();
        Seat memory sender = senderWithRole(PATIENT, HOSPITAL);
        checkTime(time);
        bytes32 patientKey = keccak256(id);
        Seat memory owner = seatOfIdentity[patientKey];
        if (sender.role == PATIENT && owner.index != sender.index) revert NotRecordOwner();
        if (owner.index == 0 || owner.role != PATIENT) revert UnknownPatient();
        if (!AuthSign.verify(mpk(), id, recordSignable(patient, commitment), patientSignature)) revert BadSignature();
        recordId = keccak256(abi.encode("rec", identityField(id), commitment));
        // The same record id has the same commitment: one look-up refuses both.
        if (recordOfCommitment[commitment] != bytes32(0)) revert Duplicate();
        recordOfCommitment[commitment] = recordId;
        records[recordId] = Record(owner.index, sender.index, 0, 0, 0, false);
        emit RecordRegistered(recordId, owner.index, sender.index, commitment);
    }

    // ------------------------------------------------------------------ steps 4-5 (sections 4.2.6-4.2.7)

    /// The patient submits pi and the public signals [R, h, commitment, requirementHash, ID_p, T].
    function submitProof(
        bytes32 requirementId,
        bytes32 recordId,
        uint256[8] calldata proof,
        uint256[6] calldata publicSignals,
        uint64 time
    ) external returns (bytes32 approvalId) {
        Seat memory sender = senderWithRole(PATIENT, 0);
        checkTime(time);
        address stored = requirements[requirementId];
        if (stored == address(0)) revert UnknownRequirement();
        Record storage record = records[recordId];
        uint32 patient = record.patient;
        if (patient == 0) revert UnknownRecord();
        if (patient != sender.index) revert NotRecordOwner();
        // The signals as the reference decodes them (medshare/zk decodePublicSignals): each one below
        // r (x + r is no encoding of x) and R in {0, 1}; anything else is malformed.
        if (!Groth16.canonicalSignals(publicSignals)) revert MalformedTransaction();
        Requirement memory requirement = requirementAt(stored);
        // Section 4.2.7: the proof's statement must be the one the ledger holds.
        if (publicSignals[3] != requirement.criteriaHash) revert RequirementMismatch();
        // recordId = H("rec", ID_p field, commitment) of the sender's record: one hash checks both.
        if (keccak256(abi.encode("rec", publicSignals[4], publicSignals[2])) != recordId) {
            if (recordOfCommitment[publicSignals[2]] != recordId) revert CommitmentMismatch();
            revert IdentityMismatch();
        }
        if (publicSignals[0] != 1) revert NotEligible();
        uint256 proofTime = publicSignals[5];
        if (proofTime + maxProofAge < block.timestamp) revert StaleTimestamp();
        if (proofTime > block.timestamp + maxClockSkew) revert FutureTimestamp();
        uint256 binding = publicSignals[1];
        if (bindingUsed[binding]) revert ReplayedSubmission();
        approvalId = keccak256(abi.encode("appr", requirementId, recordId));
        if (approvals[approvalId].stage != 0) revert Duplicate();
        if (licenceConflict(record, requirement.institution, requirement.exclusive)) revert ExclusiveLicence();
        if (
            !requirement.keyValid
                || !Groth16.verifyFolded(
                    CodeStore.readAt(stored, 128, Groth16.KEY_BYTES),
                    requirement.x0,
                    requirement.y0,
                    requirement.criteriaHash,
                    proof,
                    publicSignals
                )
        ) revert InvalidProof();
        approvals[approvalId].stage = APPROVED;
        bindingUsed[binding] = true;
        emit ProofAccepted(approvalId, requirementId, recordId, binding);
    }

    // ------------------------------------------------------------------ step 6 (section 4.2.8)

    /// The patient publishes the commitment of the re-encryption key it gave the proxies
    /// (medshare/pre ga07Verifiable `encodeReKeyCommitment`).
    function grantAccess(bytes32 requirementId, bytes32 recordId, bytes calldata reKeyCommitment, uint64 time) external {
        if (reKeyCommitment.length > MAX_BLOB) revert MalformedTransaction();
        Seat memory sender = senderWithRole(PATIENT, 0);
        checkTime(time);
        bytes32 approvalId = keccak256(abi.encode("appr", requirementId, recordId));
        Approval storage approval = approvals[approvalId];
        if (approval.stage == 0) revert UnknownApproval();
        Record storage record = records[recordId];
        if (record.patient != sender.index) revert NotRecordOwner();
        if (approval.stage != APPROVED) revert WrongStage();
        (bool wellFormed, bytes memory delegator, bytes memory delegatee) = decodeReKeyCommitment(reKeyCommitment);
        if (!wellFormed) revert MalformedTransaction();
        if (
            !isRecordIdentity(delegator, record.patient, recordId)
                || seatOfIdentity[keccak256(delegatee)].index != requirementAt(requirements[requirementId]).institution
        ) revert GrantMismatch();
        approval.stage = GRANTED;
        approval.reKeyCommitmentHash = keccak256(reKeyCommitment);
        emit AccessGranted(approvalId, reKeyCommitment);
    }

    // ------------------------------------------------------------------ step 9 (section 4.2.10)

    /// The research institution submits the Fig. 3 form signed by the patient and by itself
    /// ({formSignable}); the reward moves and the licence is recorded.
    function share(bytes32 requirementId, bytes32 recordId, SharingForm calldata form, uint64 time) external {
        Seat memory sender = senderWithRole(INSTITUTION, 0);
        checkTime(time);
        bytes32 approvalId = keccak256(abi.encode("appr", requirementId, recordId));
        Approval storage approval = approvals[approvalId];
        if (approval.stage == 0) revert UnknownApproval();
        Requirement memory requirement = requirementAt(requirements[requirementId]);
        if (requirement.institution != sender.index) revert NotParty();
        if (approval.stage != GRANTED) revert WrongStage();
        if (
            !validParty(bytes(form.patient)) || !validParty(bytes(form.institution)) || form.timestamp > MAX_SAFE_INTEGER
                || form.patientSignature.length > MAX_FORM_SIGNATURE_BYTES
                || form.institutionSignature.length > MAX_FORM_SIGNATURE_BYTES
        ) revert MalformedTransaction();
        Record storage record = records[recordId];
        if (
            seatOfIdentity[keccak256(bytes(form.patient))].index != record.patient
                || seatOfIdentity[keccak256(bytes(form.institution))].index != sender.index
        ) revert NotParty();
        if (recordOfCommitment[uint256(form.dataHash)] != recordId) revert CommitmentMismatch();
        bytes memory signable = formSignable(form.patient, form.institution, form.dataHash, form.timestamp);
        bytes memory key = mpk();
        if (!AuthSign.verify(key, bytes(form.patient), signable, form.patientSignature)) revert BadSignature();
        if (!AuthSign.verify(key, bytes(form.institution), signable, form.institutionSignature)) revert BadSignature();
        if (licenceConflict(record, sender.index, requirement.exclusive)) revert ExclusiveLicence();
        // The licence's time is the contract clock (the block's time), as in the reference.
        licences[recordId][record.licenceCount] =
            Licence(approvalId, sender.index, requirement.exclusive, uint64(block.timestamp));
        record.licenceCount += 1;
        if (record.licensee == 0) record.licensee = sender.index;
        else if (record.licensee != sender.index) record.manyLicensees = true;
        if (requirement.exclusive) record.exclusiveHolder = sender.index;
        approval.stage = SHARED;
        balances[record.patient] += int256(uint256(requirement.reward));
        balances[sender.index] -= int256(uint256(requirement.reward));
        emit RecordShared(
            approvalId, recordId, sender.index, requirement.exclusive, uint64(block.timestamp), requirement.reward
        );
    }

    // ------------------------------------------------------------------ what members sign

    /// The bytes a patient signs to register a record: str("medshare/evm/v1/record") || chain id (32
    /// bytes) || this contract's address (20 bytes) || str(patient) || commitment (32 bytes), where
    /// str is a 4-byte big-endian length and the bytes.
    function recordSignable(string calldata patient, uint256 commitment) public view returns (bytes memory) {
        return abi.encodePacked(domain("medshare/evm/v1/record"), uint32(bytes(patient).length), patient, commitment);
    }

    /// The bytes both parties sign on a Fig. 3 form: str("medshare/evm/v1/form") || chain id || this
    /// contract's address || str(patient) || str(institution) || dataHash || timestamp (8 bytes).
    function formSignable(string calldata patient, string calldata institution, bytes32 dataHash, uint64 timestamp)
        public
        view
        returns (bytes memory)
    {
        return abi.encodePacked(
            domain("medshare/evm/v1/form"),
            uint32(bytes(patient).length),
            patient,
            uint32(bytes(institution).length),
            institution,
            dataHash,
            timestamp
        );
    }

    /// AuthSign's public key mpk (256 bytes, EIP-2537 G2).
    function mpk() public view returns (bytes memory) {
        return abi.encodePacked(mpk0, mpk1, mpk2, mpk3, mpk4, mpk5, mpk6, mpk7);
    }

    /// A requirement (all zero when there is none).
    function requirementOf(bytes32 requirementId) external view returns (Requirement memory) {
        address stored = requirements[requirementId];
        if (stored == address(0)) return Requirement(0, 0, 0, false, false, 0, 0);
        return requirementAt(stored);
    }

    /// The verification key a requirement was published with (empty when there is none).
    function verificationKeyOf(bytes32 requirementId) external view returns (bytes memory key) {
        address stored = requirements[requirementId];
        if (stored == address(0)) return key;
        bytes memory all = CodeStore.read(stored);
        key = new bytes(all.length - 128);
        assembly ("memory-safe") {
            mcopy(add(key, 32), add(all, 160), mload(key))
        }
    }

    /// ID_p as the circuit takes it: SHA-256 of the identity's UTF-8 with the top three bits cleared.
    function identityField(bytes memory identity) public pure returns (uint256) {
        return uint256(sha256(identity)) & ((1 << 253) - 1);
    }

    // ------------------------------------------------------------------ internals

    function requirementAt(address stored) private view returns (Requirement memory requirement) {
        bytes memory head = CodeStore.readAt(stored, 0, 128);
        uint256 criteriaHash;
        uint256 meta;
        uint256 x0;
        uint256 y0;
        assembly ("memory-safe") {
            criteriaHash := mload(add(head, 32))
            meta := mload(add(head, 64))
            x0 := mload(add(head, 96))
            y0 := mload(add(head, 128))
        }
        return Requirement(
            criteriaHash, uint32(meta >> 96), uint64(meta >> 32), (meta & 2) != 0, (meta & 1) != 0, x0, y0
        );
    }

    function domain(bytes memory tag) private view returns (bytes memory) {
        return abi.encodePacked(uint32(tag.length), tag, block.chainid, address(this));
    }

    /// The sender's seat; refuses an unregistered account or a role other than `role` or `other`.
    function senderWithRole(uint8 role, uint8 other) private view returns (Seat memory seat) {
        seat = seatOfAccount[msg.sender];
        if (seat.index == 0) revert UnregisteredSender();
        if (seat.role != role && seat.role != other) revert WrongRole();
    }

    function checkTime(uint64 time) private view {
        if (uint256(time) + maxClockSkew < block.timestamp) revert StaleTimestamp();
        if (uint256(time) > block.timestamp + maxClockSkew) revert FutureTimestamp();
    }

    function licenceConflict(Record storage record, uint32 institution, bool exclusive) private view returns (bool) {
        uint32 holder = record.exclusiveHolder;
        if (holder != 0 && holder != institution) return true;
        if (!exclusive) return false;
        uint32 first = record.licensee;
        return record.manyLicensees || (first != 0 && first != institution);
    }

    /// `<patient>#record:<commitment as 64 lower-case hex digits>` (medshare/protocol recordIdentity)
    /// for the patient at seat `patient` and the commitment registered as `recordId`.
    function isRecordIdentity(bytes memory delegator, uint32 patient, bytes32 recordId) private view returns (bool) {
        uint256 n = delegator.length;
        if (n <= 72) return false;
        bytes memory prefix = new bytes(n - 72);
        bytes memory tag = new bytes(8);
        assembly ("memory-safe") {
            mcopy(add(prefix, 32), add(delegator, 32), sub(n, 72))
            mcopy(add(tag, 32), add(add(delegator, 32), sub(n, 72)), 8)
        }
        if (keccak256(tag) != keccak256("#record:")) return false;
        (bool ok, uint256 commitment) = parseHex64(delegator, n - 64);
        return ok && recordOfCommitment[commitment] == recordId && identityKeyOf[patient] == keccak256(prefix);
    }

    /// The 64 lower-case hex digits at data[offset:offset + 64] as a number (false for any other byte).
    function parseHex64(bytes memory data, uint256 offset) private pure returns (bool, uint256 value) {
        for (uint256 i = 0; i < 64; i++) {
            uint8 c = uint8(data[offset + i]);
            uint256 digit;
            if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
            else if (c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
            else return (false, 0);
            value = (value << 4) | digit;
        }
        return (true, value);
    }

    /// The layout of an encoded ga07 re-encryption key commitment: header (1, 2, 9), delegator and
    /// delegatee (u16 length, UTF-8 identity), t in [1, 255], n in [t, 255], R1 (96 bytes), R2 and
    /// Y_1..Y_n (576 bytes each), nothing after. The points themselves are not checked here.
    function decodeReKeyCommitment(bytes calldata data)
        private
        pure
        returns (bool ok, bytes memory delegator, bytes memory delegatee)
    {
        if (data.length < 3 || data[0] != 0x01 || data[1] != 0x02 || data[2] != 0x09) return (false, delegator, delegatee);
        uint256 offset = 3;
        (ok, delegator, offset) = readIdentity(data, offset);
        if (!ok) return (false, delegator, delegatee);
        (ok, delegatee, offset) = readIdentity(data, offset);
        if (!ok || data.length < offset + 2) return (false, delegator, delegatee);
        uint256 threshold = uint8(data[offset]);
        uint256 total = uint8(data[offset + 1]);
        if (threshold < 1 || threshold > MAX_SHARES || total < threshold || total > MAX_SHARES) {
            return (false, delegator, delegatee);
        }
        ok = data.length == offset + 2 + 96 + 576 * (total + 1);
    }

    function readIdentity(bytes calldata data, uint256 offset) private pure returns (bool, bytes memory, uint256) {
        if (data.length < offset + 2) return (false, "", offset);
        uint256 n = (uint256(uint8(data[offset])) << 8) | uint8(data[offset + 1]);
        offset += 2;
        if (data.length < offset + n) return (false, "", offset);
        bytes memory value = data[offset:offset + n];
        return (validIdentity(value), value, offset + n);
    }

    /// A party of a Fig. 3 form: non-empty, at most 1024 bytes of well-formed UTF-8.
    function validParty(bytes memory party) private pure returns (bool) {
        return validIdentity(party);
    }

    /// An identity: non-empty, at most 1024 bytes, well-formed UTF-8 (medshare's identity rule).
    function validIdentity(bytes memory id) private pure returns (bool) {
        return id.length != 0 && id.length <= MAX_IDENTITY_BYTES && validUtf8(id);
    }

    function containsHash(bytes memory id) private pure returns (bool) {
        for (uint256 i = 0; i < id.length; i++) {
            if (id[i] == "#") return true;
        }
        return false;
    }

    /// Well-formed UTF-8 (Unicode table 3-7): no overlong forms, no surrogates, nothing above U+10FFFF.
    function validUtf8(bytes memory s) private pure returns (bool) {
        uint256 n = s.length;
        uint256 i = 0;
        unchecked {
            while (i < n) {
                uint8 c = uint8(s[i]);
                if (c < 0x80) {
                    i += 1;
                    continue;
                }
                uint256 need;
                uint8 low = 0x80;
                uint8 high = 0xbf;
                if (c >= 0xc2 && c <= 0xdf) {
                    need = 1;
                } else if (c >= 0xe0 && c <= 0xef) {
                    need = 2;
                    if (c == 0xe0) low = 0xa0;
                    if (c == 0xed) high = 0x9f;
                } else if (c >= 0xf0 && c <= 0xf4) {
                    need = 3;
                    if (c == 0xf0) low = 0x90;
                    if (c == 0xf4) high = 0x8f;
                } else {
                    return false;
                }
                if (i + need >= n) return false; // truncated
                uint8 second = uint8(s[i + 1]);
                if (second < low || second > high) return false;
                for (uint256 j = 2; j <= need; j++) {
                    uint8 next = uint8(s[i + j]);
                    if (next < 0x80 || next > 0xbf) return false;
                }
                i += need + 1;
            }
        }
        return true;
    }
}
