// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AuthSign} from "./AuthSign.sol";
import {Bls12381} from "./Bls12381.sol";
import {CodeStore} from "./CodeStore.sol";
import {Groth16} from "./Groth16.sol";

/// @title MedShare: contract v2 of medshare/protocol on the EVM
/// @notice The sharing contract of Huang et al. 2020 (sections 4.1, 4.2.2-4.2.10, 5.1.4-5.1.5) with
/// medshare's escrow and fair exchange (docs/protocol.md, contract v2), for any chain with the Prague
/// upgrade (EIP-2537), such as a Hyperledger Besu network with QBFT. The same 11 kinds, the same
/// order of checks and the same refusals as the reference (`applyTransaction`), except where a
/// difference is designed (docs/evm.md, "Differences"):
/// - The sender is the transaction's account (msg.sender), which the membership authority binds to
///   a pseudonym at registration; the chain's transaction signature replaces the AuthSign envelope.
///   Contract time is the block's timestamp; the `time` a call claims is checked against it
///   (maxClockSkew either way), as the envelope's time is in the reference.
/// - What members sign with AuthSign (the record consent, the Fig. 3 sharing form) is byte for byte
///   the reference's v2 signable bytes for this deployment's id ({deployment}: chain = the decimal
///   chain id, contract = "0x" + 40 lower-case hex digits of this contract's address), with the
///   contract's ids spelled "0x" + 64 lower-case hex digits.
/// - submitProof checks no AuthSign on the binding h: the patient's transaction signature covers h.
/// - The re-encryption key commitment, the ciphertext header and a partial re-encryption are
///   checked for their layout only; their curve points are checked off chain.
/// - deliver is optimistic: a partial re-encryption cannot be verified on an EVM (GT arithmetic,
///   >= ~122M gas), so the t-th delivery starts a dispute window; {settle} pays the patient and
///   writes the licence after it; the institution may {dispute} a partial within it, and the
///   membership authority {resolveDispute}s (docs/security.md, the fair exchange on an EVM).
///
/// Every refusal reverts with one named error, one per contract refusal of medshare/protocol's
/// RefusalReason (MalformedTransaction for 'malformedTransaction', and so on), plus two for the
/// dispute path (DisputeWindowClosed, NotDelivered); every accepted step emits one event.
contract MedShare {
    // ------------------------------------------------------------------ refusals (RefusalReason)

    /// 'malformedTransaction': a field is malformed or out of range.
    error MalformedTransaction();
    /// 'unregisteredSender': the sending account is no member's (nor the membership authority's).
    error UnregisteredSender();
    /// 'wrongRole': the sender's role may not send this call.
    error WrongRole();
    /// 'badSignature': an AuthSign signature (the patient's consent, or one on a sharing form) does not verify.
    error BadSignature();
    /// 'staleTimestamp': the claimed time, the form's time or the proof's T is older than allowed.
    error StaleTimestamp();
    /// 'futureTimestamp': the claimed time, the form's time or the proof's T is ahead of the block's time.
    error FutureTimestamp();
    /// 'notPseudonym': members are registered under pseudonyms, `addr:` and 40 lower-case hex digits.
    error NotPseudonym();
    /// 'alreadyRegistered': the identity (or the account) is registered.
    error AlreadyRegistered();
    /// 'duplicate': the requirement, record (or its commitment), submission or delivered share exists.
    error Duplicate();
    /// 'unknownAccount': a deposit to an identity that is no member.
    error UnknownAccount();
    /// 'unknownPatient': no such registered patient.
    error UnknownPatient();
    /// 'unknownRequirement': no such requirement.
    error UnknownRequirement();
    /// 'unknownRecord': no such record.
    error UnknownRecord();
    /// 'unknownApproval': no accepted submission (sale) with this id.
    error UnknownApproval();
    /// 'notRecordOwner': the sender is not the record's patient.
    error NotRecordOwner();
    /// 'notParty': the sender is not the institution (or the listed proxy) of the entry.
    error NotParty();
    /// 'requirementMismatch': the proof is about another requirement hash.
    error RequirementMismatch();
    /// 'commitmentMismatch': the proof is about another record commitment.
    error CommitmentMismatch();
    /// 'identityMismatch': the proof is bound to another patient.
    error IdentityMismatch();
    /// 'notEligible': R = 0.
    error NotEligible();
    /// 'replayedSubmission': the binding h was submitted before.
    error ReplayedSubmission();
    /// 'invalidProof': the Groth16 proof does not verify under the requirement's key.
    error InvalidProof();
    /// 'insufficientFunds': the escrow or withdrawal exceeds the sender's available balance.
    error InsufficientFunds();
    /// 'requirementClosed': the requirement was closed.
    error RequirementClosed();
    /// 'requirementFull': the requirement has no place left.
    error RequirementFull();
    /// 'exclusiveLicence': a licence in force conflicts with this sale.
    error ExclusiveLicence();
    /// 'conflictingSale': a sale of the record to another institution is in progress and one of the two is exclusive.
    error ConflictingSale();
    /// 'wrongStage': the sale is not at the stage this call needs.
    error WrongStage();
    /// 'saleExpired': the sale's deadline has passed (grant and acceptance).
    error SaleExpired();
    /// 'deadlineNotReached': a reclaim before the sale's deadline, or a settle before the dispute window ends.
    error DeadlineNotReached();
    /// 'grantMismatch': the key commitment or the ciphertext header is not for this record and institution.
    error GrantMismatch();
    /// 'invalidProxies': the proxies are not n distinct registered proxies.
    error InvalidProxies();
    /// 'invalidPartial': a partial re-encryption does not decode (its layout, on an EVM) or is not for this grant.
    error InvalidPartial();
    /// EVM only: a dispute at or after the end of the dispute window.
    error DisputeWindowClosed();
    /// EVM only: no delivered share with this index (dispute), or not the disputed one (resolveDispute).
    error NotDelivered();

    // ------------------------------------------------------------------ events

    /// A member was registered under its pseudonym (sections 4.2.3, 5.1.4).
    event MemberRegistered(bytes32 indexed identityKey, uint32 indexed index, string identity, uint8 role, address account);
    /// The membership authority credited a member.
    event Deposited(uint32 indexed member, uint64 amount, uint64 balance);
    /// A member took value out of its available balance.
    event Withdrawn(uint32 indexed member, uint64 amount, uint64 balance);
    /// Step 1: a requirement was published and reward x capacity escrowed; it is stored (with its
    /// verification key) as code at `stored`. A malformed key is kept as published, and every proof
    /// under it is refused.
    event RequirementPublished(
        bytes32 indexed requirementId,
        uint32 indexed institution,
        uint256 criteriaHash,
        string[] keywords,
        address stored,
        uint64 reward,
        uint32 capacity,
        bool exclusive
    );
    /// The institution closed its requirement; `refund` (places x reward) went back to it.
    event ClosedRequirement(bytes32 indexed requirementId, uint64 refund);
    /// Steps 2-3: a record commitment was registered with the patient's consent.
    event RecordRegistered(bytes32 indexed recordId, uint32 indexed patient, uint32 registeredBy, uint256 commitment);
    /// Step 5: a proof was accepted and one reward reserved; `binding` is h.
    event ProofAccepted(bytes32 indexed approvalId, bytes32 requirementId, bytes32 recordId, uint256 binding);
    /// Step 6: the patient granted: key commitment, proxies (pseudonyms, share order), ciphertext header, form time.
    event AccessGranted(
        bytes32 indexed approvalId, bytes reKeyCommitment, string[] proxies, bytes ciphertextHeader, uint64 formTime
    );
    /// The institution accepted the grant and countersigned the form; proxies deliver until `deadline`.
    event GrantAccepted(bytes32 indexed approvalId, uint64 deadline);
    /// Step 7: proxy `proxy` delivered share `index` (the partial's keccak256 is stored). `settleAt`
    /// is non-zero when this delivery was the t-th: the sale settles at that time unless disputed.
    event PartialDelivered(
        bytes32 indexed approvalId, uint8 indexed index, uint32 proxy, bytes32 partialHash, uint64 settleAt, bytes share
    );
    /// Step 9: the sale completed: the escrow paid to the patient, the licence written (time = settle time).
    event SaleSettled(
        bytes32 indexed approvalId, bytes32 indexed recordId, uint32 indexed institution, bool exclusive, uint64 time, uint64 reward
    );
    /// The institution disputed share `index` (says it does not verify off chain).
    event DeliveryDisputed(bytes32 indexed approvalId, uint8 indexed index, uint32 proxy);
    /// The membership authority arbitrated: a valid partial (the institution's dispute was false, and
    /// the sale settles now) or an invalid one (the proxy is to blame; the delivery is struck).
    event DisputeResolved(bytes32 indexed approvalId, uint8 indexed index, uint32 proxy, bool partialValid);
    /// The institution reclaimed the escrow of a sale not completed by its deadline.
    event SaleRefunded(bytes32 indexed approvalId, uint32 indexed institution, uint64 amount);

    // ------------------------------------------------------------------ state

    uint8 internal constant PATIENT = 1;
    uint8 internal constant HOSPITAL = 2;
    uint8 internal constant INSTITUTION = 3;
    uint8 internal constant PROXY = 4;
    uint8 internal constant ROLES = 5;

    /// Sale stages: the reference's (1-5) and the EVM's optimistic delivery (6, 7).
    uint8 internal constant APPROVED = 1;
    uint8 internal constant GRANTED = 2;
    uint8 internal constant ACCEPTED = 3;
    uint8 internal constant DELIVERED = 4;
    uint8 internal constant REFUNDED = 5;
    uint8 internal constant SETTLING = 6;
    uint8 internal constant DISPUTED = 7;

    uint256 internal constant MAX_IDENTITY_BYTES = 1024;
    uint256 internal constant MAX_KEYWORDS = 32;
    uint256 internal constant MAX_KEYWORD_BYTES = 64;
    uint256 internal constant MAX_BLOB = 65536;
    uint256 internal constant MAX_KEY_BYTES = 24_575 - 128; // the code size limit, less the stored header and STOP
    uint256 internal constant MAX_SIGNATURE_BYTES = 1024;
    uint256 internal constant MAX_HEADER_BYTES = 4096;
    uint256 internal constant MAX_SAFE_INTEGER = 2 ** 53 - 1;
    uint256 internal constant MAX_SHARES = 255;
    uint256 internal constant G2_BYTES = 96;
    uint256 internal constant GT_BYTES = 576;

    bytes internal constant DEPLOYMENT_TAG = "medshare/protocol/v2/deployment";
    bytes internal constant RECORD_TAG = "medshare/protocol/v2/record";
    bytes internal constant FORM_TAG = "medshare/protocol/v2/sharing-form";

    /// The genesis parameters (seconds): docs/protocol.md "Configuration", and the EVM's dispute window.
    struct Config {
        uint64 maxProofAge;
        uint64 maxClockSkew;
        uint64 grantWindow;
        uint64 deliveryWindow;
        uint64 disputeWindow;
    }

    /// A member's seat: its index (from 1), role code (1 patient, 2 hospital, 3 institution, 4 proxy,
    /// 5 verifier) and pseudonym (the 20 bytes its 40 hex digits spell).
    struct Seat {
        uint32 index;
        uint8 role;
        bytes20 pseudonym;
    }

    /// A member: its role, its pseudonym and its available balance.
    struct Member {
        uint8 role;
        bytes20 pseudonym;
        uint64 balance;
    }

    /// A published requirement as {requirementOf} returns it. Stored in contract code, written once:
    /// criteriaHash | (institution << 128 | reward << 64 | capacity << 32 | exclusive << 1 | keyValid) |
    /// IC_0' (x, y) | the verification key as published, where IC_0' = IC_0 + IC_1 + criteriaHash * IC_4
    /// folds the signals every accepted proof shares (R = 1 and the requirement hash); `open` and
    /// `places` live in storage beside the code's address ({RequirementSlot}).
    struct Requirement {
        uint256 criteriaHash;
        uint32 institution;
        uint64 reward;
        uint32 capacity;
        bool exclusive;
        bool keyValid;
        uint256 x0;
        uint256 y0;
        bool open;
        uint32 places;
    }

    /// A requirement's storage: where it is stored, the places not yet reserved, open or closed.
    struct RequirementSlot {
        address stored;
        uint32 places;
        bool open;
    }

    /// A registered record, the summary of its licences the exclusive-licence rule needs, and the
    /// count of its pending sales (granted, accepted, settling or disputed) that conflictingSale needs
    /// (one storage slot; the commitment is the key of {recordOfCommitment}, and in RecordRegistered).
    struct Record {
        uint32 patient;
        uint32 registeredBy;
        uint32 licenceCount;
        uint32 licensee; // the first institution licensed
        uint32 exclusiveHolder; // the institution holding an exclusive licence (all licences are then its)
        bool manyLicensees; // licences to two or more institutions
        uint32 pendingCount; // sales in progress
        uint32 pendingExclusive; // exclusive sales in progress (all pending sales are then to its institution)
    }

    /// A sale (an accepted submission), one slot. `deadline`: until accepted the last moment to grant
    /// and accept, once accepted the delivery deadline, while settling the end of the dispute window.
    /// The escrow is `reward` while the stage is approved, granted, accepted, settling or disputed.
    struct Sale {
        uint8 stage;
        bool exclusive;
        uint56 reward;
        uint56 deadline;
        uint32 institution;
        uint8 threshold;
        uint8 total;
        uint8 delivered; // shares delivered and not struck
        uint8 disputedIndex;
        uint56 formTime;
    }

    /// What a grant fixes, written by grantAccess: the sale's ids, the record commitment (the
    /// form's data hash) and keccak256 of the key commitment's delegator, delegatee, t and n.
    struct GrantRecord {
        bytes32 requirementId;
        bytes32 recordId;
        uint256 commitment;
        bytes32 keyHash;
    }

    /// A licence under which a record was shared.
    struct Licence {
        bytes32 approvalId;
        uint32 institution;
        bool exclusive;
        uint64 time; // the block's time when the sale settled
    }

    /// The deployment id of docs/protocol.md: SHA-256(string(tag) || string(decimal chain id) ||
    /// string("0x" + 40 lower-case hex digits of this address)), computed once at deployment.
    bytes32 public immutable deployment;
    /// keccak256 of the membership authority's identity.
    bytes32 public immutable authorityKey;
    /// The membership authority's account: the only sender of register, deposit and resolveDispute.
    address public immutable authorityAccount;
    /// How old the proof's T may be, relative to the block's time (seconds).
    uint64 public immutable maxProofAge;
    /// How far a claimed time may be from the block's time (seconds).
    uint64 public immutable maxClockSkew;
    /// From an accepted submission, the time to grant and accept (seconds).
    uint64 public immutable grantWindow;
    /// From the acceptance (or a struck delivery), the time for the proxies to deliver (seconds).
    uint64 public immutable deliveryWindow;
    /// From the t-th delivery, the time the institution has to dispute a partial (seconds).
    uint64 public immutable disputeWindow;
    bytes32 private immutable mpk0;
    bytes32 private immutable mpk1;
    bytes32 private immutable mpk2;
    bytes32 private immutable mpk3;
    bytes32 private immutable mpk4;
    bytes32 private immutable mpk5;
    bytes32 private immutable mpk6;
    bytes32 private immutable mpk7;

    /// Members' seats by keccak256 of their identity (pseudonym).
    mapping(bytes32 identityKey => Seat) public seatOfIdentity;
    /// Members' seats by account.
    mapping(address account => Seat) public seatOfAccount;
    /// Members by index.
    mapping(uint32 index => Member) public members;
    /// Number of members.
    uint32 public memberCount;
    /// Everything deposited and not withdrawn: balances + requirements' escrow + sales' escrow.
    uint64 public supply;
    /// Requirements by id.
    mapping(bytes32 requirementId => RequirementSlot) private requirementSlots;
    /// Records by id.
    mapping(bytes32 recordId => Record) public records;
    /// The record each commitment is registered as (a commitment is registered once, whoever registers it).
    mapping(uint256 commitment => bytes32 recordId) public recordOfCommitment;
    /// Licences of each record, in order.
    mapping(bytes32 recordId => mapping(uint256 => Licence)) public licences;
    /// Pending sales of a record per institution.
    mapping(bytes32 recordId => mapping(uint32 institution => uint32)) private pendingWith;
    /// Sales by id.
    mapping(bytes32 approvalId => Sale) public sales;
    /// What each grant fixed, by sale id.
    mapping(bytes32 approvalId => GrantRecord) public grants;
    /// The grant's proxies' seat indices, eight per slot, in share order.
    mapping(bytes32 approvalId => mapping(uint256 => uint256)) public proxySlots;
    /// keccak256 of each delivered (and not struck) partial, by sale and share index.
    mapping(bytes32 approvalId => mapping(uint256 index => bytes32)) public partialHashOf;
    /// Bindings h of accepted proofs, against replay.
    mapping(uint256 binding => bool) public bindingUsed;

    /// @param authorityIdentity the membership authority's identity
    /// @param authority the membership authority's account
    /// @param publicKey AuthSign's public key mpk h^s (256 bytes, EIP-2537 G2)
    /// @param config the windows (seconds)
    constructor(string memory authorityIdentity, address authority, bytes memory publicKey, Config memory config) {
        if (publicKey.length != 256 || !validIdentity(bytes(authorityIdentity)) || authority == address(0)) {
            revert MalformedTransaction();
        }
        if (
            config.maxProofAge > MAX_SAFE_INTEGER || config.maxClockSkew > MAX_SAFE_INTEGER
                || config.grantWindow > MAX_SAFE_INTEGER || config.deliveryWindow > MAX_SAFE_INTEGER
                || config.disputeWindow > MAX_SAFE_INTEGER
        ) revert MalformedTransaction();
        // Fails closed before Prague: this uses MODEXP, MAP_FP_TO_G1 and G1ADD, and checks mpk with G2MSM.
        AuthSign.identityPoint(bytes(authorityIdentity));
        if (!Bls12381.checkG2(publicKey)) revert MalformedTransaction();
        authorityKey = keccak256(bytes(authorityIdentity));
        authorityAccount = authority;
        maxProofAge = config.maxProofAge;
        maxClockSkew = config.maxClockSkew;
        grantWindow = config.grantWindow;
        deliveryWindow = config.deliveryWindow;
        disputeWindow = config.disputeWindow;
        bytes memory chain = decimal(block.chainid);
        bytes memory self = abi.encodePacked("0x", hexDigits(uint256(uint160(address(this))), 20));
        deployment = sha256(
            abi.encodePacked(
                uint32(DEPLOYMENT_TAG.length),
                DEPLOYMENT_TAG,
                uint32(chain.length),
                chain,
                uint32(self.length),
                self
            )
        );
        bytes32[8] memory w;
        assembly ("memory-safe") {
            mcopy(w, add(publicKey, 32), 256)
        }
        (mpk0, mpk1, mpk2, mpk3, mpk4, mpk5, mpk6, mpk7) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
    }

    // ------------------------------------------------------------------ membership and value

    /// Kind 1: the membership authority registers the pseudonym `identity` with `role`, acting from `account`.
    function register(string calldata identity, uint8 role, address account, uint64 time) external {
        bytes memory id = bytes(identity);
        if (!validIdentity(id) || role == 0 || role > ROLES || account == address(0) || time > MAX_SAFE_INTEGER) {
            revert MalformedTransaction();
        }
        senderIsAuthority();
        checkTime(time);
        bytes32 key = keccak256(id);
        if (
            seatOfIdentity[key].index != 0 || key == authorityKey || seatOfAccount[account].index != 0
                || account == authorityAccount
        ) revert AlreadyRegistered();
        (bool ok, bytes20 pseudonym) = parsePseudonym(id);
        if (!ok) revert NotPseudonym();
        uint32 index = ++memberCount;
        Seat memory seat = Seat(index, role, pseudonym);
        seatOfIdentity[key] = seat;
        seatOfAccount[account] = seat;
        members[index] = Member(role, pseudonym, 0);
        emit MemberRegistered(key, index, identity, role, account);
    }

    /// Kind 2: the membership authority credits `amount` to the member `account` (its pseudonym).
    function deposit(string calldata account, uint64 amount, uint64 time) external {
        if (!validIdentity(bytes(account)) || amount > MAX_SAFE_INTEGER || time > MAX_SAFE_INTEGER) {
            revert MalformedTransaction();
        }
        senderIsAuthority();
        checkTime(time);
        uint32 index = seatOfIdentity[keccak256(bytes(account))].index;
        if (index == 0) revert UnknownAccount();
        uint256 total = uint256(supply) + amount;
        if (amount == 0 || total > MAX_SAFE_INTEGER) revert MalformedTransaction();
        supply = uint64(total);
        Member storage member = members[index];
        uint64 balance = member.balance + amount; // at most the supply
        member.balance = balance;
        emit Deposited(index, amount, balance);
    }

    /// Kind 3: a member takes `amount` out of its available balance.
    function withdraw(uint64 amount, uint64 time) external {
        if (amount > MAX_SAFE_INTEGER) revert MalformedTransaction();
        Seat memory sender = admit(0, 0, time);
        if (amount == 0) revert MalformedTransaction();
        Member storage member = members[sender.index];
        uint64 balance = member.balance;
        if (balance < amount) revert InsufficientFunds();
        unchecked {
            balance -= amount;
            supply -= amount;
        }
        member.balance = balance;
        emit Withdrawn(sender.index, amount, balance);
    }

    // ------------------------------------------------------------------ step 1 (section 4.2.2)

    /// Kind 4: a research institution publishes a requirement: the criteria hash, the public key
    /// words, the Groth16 verification key (896 bytes, medshare/evm `encodeVerificationKey`), the
    /// reward, the capacity (records it buys at most; reward x capacity is escrowed from its balance)
    /// and whether the licence is exclusive.
    function publishRequirement(
        uint256 criteriaHash,
        string[] calldata keywords,
        bytes calldata verificationKey,
        uint64 reward,
        uint32 capacity,
        bool exclusive,
        uint64 time
    ) external returns (bytes32 requirementId) {
        if (
            keywords.length > MAX_KEYWORDS || verificationKey.length > MAX_BLOB || reward > MAX_SAFE_INTEGER
                || time > MAX_SAFE_INTEGER
        ) revert MalformedTransaction();
        for (uint256 i = 0; i < keywords.length; i++) {
            bytes memory k = bytes(keywords[i]);
            if (k.length == 0 || k.length > MAX_KEYWORD_BYTES || !validUtf8(k)) revert MalformedTransaction();
        }
        Seat memory sender = admit(INSTITUTION, 0, time);
        requirementId = keccak256(
            abi.encode(
                "req", sender.index, criteriaHash, keywords, verificationKey, reward, capacity, exclusive
            )
        );
        if (requirementSlots[requirementId].stored != address(0)) revert Duplicate();
        uint256 escrow = uint256(reward) * capacity;
        if (
            verificationKey.length == 0 || verificationKey.length > MAX_KEY_BYTES || capacity == 0
                || escrow > MAX_SAFE_INTEGER
        ) revert MalformedTransaction();
        debit(sender.index, escrow);
        bool keyValid = Groth16.checkKey(verificationKey);
        (uint256 x0, uint256 y0) = keyValid ? Groth16.constantTerm(verificationKey, criteriaHash) : (0, 0);
        uint256 meta = (uint256(sender.index) << 128) | (uint256(reward) << 64) | (uint256(capacity) << 32)
            | (exclusive ? 2 : 0) | (keyValid ? 1 : 0);
        address stored = CodeStore.write(abi.encodePacked(criteriaHash, meta, x0, y0, verificationKey));
        requirementSlots[requirementId] = RequirementSlot(stored, capacity, true);
        emit RequirementPublished(
            requirementId, sender.index, criteriaHash, keywords, stored, reward, capacity, exclusive
        );
    }

    /// Kind 5: the institution closes its requirement; the escrow of the places nobody reserved returns to it.
    function closeRequirement(bytes32 requirementId, uint64 time) external {
        Seat memory sender = admit(INSTITUTION, 0, time);
        RequirementSlot storage slot = requirementSlots[requirementId];
        address stored = slot.stored;
        if (stored == address(0)) revert UnknownRequirement();
        Requirement memory requirement = requirementAt(stored);
        if (requirement.institution != sender.index) revert NotParty();
        if (!slot.open) revert RequirementClosed();
        uint64 refund = uint64(uint256(slot.places) * requirement.reward);
        slot.open = false;
        slot.places = 0;
        members[sender.index].balance += refund;
        emit ClosedRequirement(requirementId, refund);
    }

    // ------------------------------------------------------------------ steps 2-3 (section 4.2.5)

    /// Kind 6: the patient (or a hospital it delegates) registers the commitment to a record, with
    /// the patient's consent AuthSign(SK_p, {recordSignable}(patient, registrant, commitment)), which
    /// names the registrant (the sender's pseudonym).
    function registerRecord(string calldata patient, uint256 commitment, bytes calldata patientSignature, uint64 time)
        external
        returns (bytes32 recordId)
    {
        bytes memory id = bytes(patient);
        if (!validIdentity(id) || patientSignature.length > MAX_SIGNATURE_BYTES || time > MAX_SAFE_INTEGER) {
            revert MalformedTransaction();
        }
        Seat memory sender = admit(PATIENT, HOSPITAL, time);
        Seat memory owner = seatOfIdentity[keccak256(id)];
        if (sender.role == PATIENT && owner.index != sender.index) revert NotRecordOwner();
        if (owner.index == 0 || owner.role != PATIENT) revert UnknownPatient();
        // The registrant is the sender: the patient itself (its pseudonym is `patient`), or a hospital.
        bytes memory signable =
            recordSignableOf(id, sender.index == owner.index ? patient : pseudonymString(sender.pseudonym), commitment);
        if (!AuthSign.verify(mpk(), id, signable, patientSignature)) revert BadSignature();
        recordId = keccak256(abi.encode("rec", identityField(id), commitment));
        // The same record id has the same commitment: one look-up refuses both.
        if (recordOfCommitment[commitment] != bytes32(0)) revert Duplicate();
        recordOfCommitment[commitment] = recordId;
        records[recordId] = Record(owner.index, sender.index, 0, 0, 0, false, 0, 0);
        emit RecordRegistered(recordId, owner.index, sender.index, commitment);
    }

    // ------------------------------------------------------------------ steps 4-5 (sections 4.2.6-4.2.7)

    /// Kind 7: the patient submits pi and the public signals [R, h, commitment, requirementHash, ID_p, T];
    /// on acceptance one reward of the requirement's escrow is reserved for the sale.
    function submitProof(
        bytes32 requirementId,
        bytes32 recordId,
        uint256[8] calldata proof,
        uint256[6] calldata publicSignals,
        uint64 time
    ) external returns (bytes32 approvalId) {
        if (time > MAX_SAFE_INTEGER) revert MalformedTransaction();
        Seat memory sender = senderWithRole(PATIENT, 0); // admit(PATIENT, 0, time), inlined: 240 gas less
        checkTime(time);
        RequirementSlot memory slot = requirementSlots[requirementId];
        if (slot.stored == address(0)) revert UnknownRequirement();
        Record memory record = records[recordId];
        if (record.patient == 0) revert UnknownRecord();
        if (record.patient != sender.index) revert NotRecordOwner();
        // The signals as the reference decodes them (medshare/zk decodePublicSignals): each one below
        // r (x + r is no encoding of x) and R in {0, 1}; anything else is malformed.
        if (!Groth16.canonicalSignals(publicSignals)) revert MalformedTransaction();
        (Requirement memory requirement, bytes memory key) = requirementWithKey(slot.stored);
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
        Sale storage sale = sales[approvalId];
        if (sale.stage != 0) revert Duplicate();
        if (!slot.open) revert RequirementClosed();
        if (slot.places == 0) revert RequirementFull();
        checkConflicts(record, recordId, requirement.institution, requirement.exclusive);
        if (
            !requirement.keyValid
                || !Groth16.verifyFolded(
                    key,
                    requirement.x0,
                    requirement.y0,
                    requirement.criteriaHash,
                    proof,
                    publicSignals
                )
        ) revert InvalidProof();
        unchecked {
            requirementSlots[requirementId].places = slot.places - 1;
        }
        sales[approvalId] = Sale(
            APPROVED,
            requirement.exclusive,
            uint56(requirement.reward),
            uint56(block.timestamp + grantWindow),
            requirement.institution,
            0,
            0,
            0,
            0,
            0
        );
        bindingUsed[binding] = true;
        emit ProofAccepted(approvalId, requirementId, recordId, binding);
    }

    // ------------------------------------------------------------------ step 6 (section 4.2.8)

    /// Kind 8: the patient grants: the re-encryption key commitment (medshare/pre ga07Verifiable
    /// `encodeReKeyCommitment`), the proxies (pseudonyms, in share order), the stored ciphertext's
    /// header (ga07 `encodeCiphertext` with the sealed part replaced by its SHA-256) and its
    /// signature on the Fig. 3 form ({formSignable}) at `formTime`.
    function grantAccess(
        bytes32 requirementId,
        bytes32 recordId,
        bytes calldata reKeyCommitment,
        string[] calldata proxies,
        bytes calldata ciphertextHeader,
        uint64 formTime,
        bytes calldata formSignature,
        uint64 time
    ) external {
        if (
            reKeyCommitment.length > MAX_BLOB || proxies.length > MAX_SHARES || ciphertextHeader.length > MAX_HEADER_BYTES
                || formTime > MAX_SAFE_INTEGER || formSignature.length > MAX_SIGNATURE_BYTES || time > MAX_SAFE_INTEGER
        ) revert MalformedTransaction();
        for (uint256 i = 0; i < proxies.length; i++) {
            bytes memory p = bytes(proxies[i]);
            if (p.length == 0 || p.length > MAX_IDENTITY_BYTES || !validUtf8(p)) revert MalformedTransaction();
        }
        Seat memory sender = admit(PATIENT, 0, time);
        bytes32 approvalId = keccak256(abi.encode("appr", requirementId, recordId));
        Sale memory sale = sales[approvalId];
        if (sale.stage == 0) revert UnknownApproval();
        Record storage record = records[recordId];
        if (record.patient != sender.index) revert NotRecordOwner();
        if (sale.stage != APPROVED) revert WrongStage();
        if (block.timestamp >= sale.deadline) revert SaleExpired();
        KeyLayout memory key = decodeReKeyCommitment(reKeyCommitment);
        if (!key.ok) revert MalformedTransaction();
        uint256 commitment;
        {
            bool isRecord;
            (isRecord, commitment) = recordIdentityOf(key.delegator, sender.pseudonym, recordId);
            if (!isRecord || seatOfIdentity[keccak256(key.delegatee)].index != sale.institution) revert GrantMismatch();
        }
        storeProxies(approvalId, proxies, key.total);
        if (!headerFor(ciphertextHeader, key.delegator)) revert GrantMismatch();
        checkTime(formTime);
        {
            bytes memory form = formSignableOf(
                requirementId,
                recordId,
                pseudonymString(sender.pseudonym),
                pseudonymString(members[sale.institution].pseudonym),
                commitment,
                sale.reward,
                sale.exclusive,
                formTime
            );
            if (!AuthSign.verify(mpk(), bytes(pseudonymString(sender.pseudonym)), form, formSignature)) {
                revert BadSignature();
            }
        }
        checkConflicts(records[recordId], recordId, sale.institution, sale.exclusive);
        addPending(record, recordId, sale.institution, sale.exclusive);
        Sale storage stored = sales[approvalId];
        stored.stage = GRANTED;
        stored.threshold = key.threshold;
        stored.total = key.total;
        stored.formTime = uint56(formTime);
        grants[approvalId] = GrantRecord(requirementId, recordId, commitment, key.hash);
        emit AccessGranted(approvalId, reKeyCommitment, proxies, ciphertextHeader, formTime);
    }

    /// Kind 9: the institution accepts the grant (it checked off chain that the key commitment opens
    /// for it) and countersigns the same form; the proxies may deliver from now on.
    function acceptGrant(bytes32 approvalId, bytes calldata formSignature, uint64 time) external {
        if (formSignature.length > MAX_SIGNATURE_BYTES || time > MAX_SAFE_INTEGER) revert MalformedTransaction();
        Seat memory sender = admit(INSTITUTION, 0, time);
        (Sale storage sale, uint8 stage) = saleOfInstitution(approvalId, sender.index);
        if (stage != GRANTED) revert WrongStage();
        if (block.timestamp >= sale.deadline) revert SaleExpired();
        GrantRecord memory grant = grants[approvalId];
        string memory institution = pseudonymString(sender.pseudonym);
        bytes memory form = formSignableOf(
            grant.requirementId,
            grant.recordId,
            pseudonymString(members[records[grant.recordId].patient].pseudonym),
            institution,
            grant.commitment,
            sale.reward,
            sale.exclusive,
            sale.formTime
        );
        if (!AuthSign.verify(mpk(), bytes(institution), form, formSignature)) revert BadSignature();
        uint64 deadline = uint64(block.timestamp + deliveryWindow);
        sale.stage = ACCEPTED;
        sale.deadline = uint56(deadline);
        emit GrantAccepted(approvalId, deadline);
    }

    // ------------------------------------------------------------------ steps 7 and 9: optimistic delivery

    /// Kind 10: proxy number `index` of the grant delivers its partial re-encryption (medshare/pre
    /// ga07Verifiable `encodeReEncryptionShare`). Checked here: the stage (accepted or settling), the
    /// partial's layout and that its delegator, delegatee, t and n are the grant's, the sender is
    /// proxy `index`, the index was not delivered. Its keccak256 is stored; at the t-th delivery the
    /// sale moves to settling until block time + disputeWindow. The partial's proof of correctness
    /// is not checked on chain (the institution checks it and may {dispute}).
    function deliver(bytes32 approvalId, bytes calldata share, uint64 time) external {
        if (share.length > MAX_BLOB || time > MAX_SAFE_INTEGER) revert MalformedTransaction();
        Seat memory sender = admit(PROXY, 0, time);
        Sale memory sale = sales[approvalId];
        if (sale.stage == 0) revert UnknownApproval();
        if (sale.stage != ACCEPTED && sale.stage != SETTLING) revert WrongStage();
        (bool ok, bytes32 keyHash, uint256 index) = decodePartial(share);
        if (!ok) revert InvalidPartial();
        if (proxyAt(approvalId, index) != sender.index) revert NotParty();
        mapping(uint256 => bytes32) storage hashes = partialHashOf[approvalId];
        if (hashes[index] != bytes32(0)) revert Duplicate();
        // The reference refuses a partial for another key at its verification: after the duplicate check.
        if (keyHash != grants[approvalId].keyHash) revert InvalidPartial();
        bytes32 partialHash = keccak256(share);
        hashes[index] = partialHash;
        Sale storage stored = sales[approvalId];
        uint8 delivered = sale.delivered + 1;
        stored.delivered = delivered;
        uint64 settleAt = 0;
        if (sale.stage == ACCEPTED && delivered >= sale.threshold) {
            settleAt = uint64(block.timestamp + disputeWindow);
            stored.stage = SETTLING;
            stored.deadline = uint56(settleAt);
        }
        emit PartialDelivered(approvalId, uint8(index), sender.index, partialHash, settleAt, share);
    }

    /// Anyone, once the dispute window of a settling sale has ended: the escrow is paid to the
    /// patient and the licence written (time = now); the sale leaves the pending list. This is the
    /// reference's effect of the t-th valid deliver.
    function settle(bytes32 approvalId) external {
        Sale storage sale = sales[approvalId];
        uint8 stage = sale.stage;
        if (stage == 0) revert UnknownApproval();
        if (stage != SETTLING) revert WrongStage();
        if (block.timestamp < sale.deadline) revert DeadlineNotReached();
        complete(approvalId, sale);
    }

    /// The sale's institution, before the dispute window ends, names a delivered partial that it says
    /// does not verify (ga07Verifiable `verifyReEncryptionShare` off chain); the sale waits for the
    /// membership authority's {resolveDispute}.
    function dispute(bytes32 approvalId, uint8 index) external {
        Seat memory sender = senderWithRole(INSTITUTION, 0);
        (Sale storage sale, uint8 stage) = saleOfInstitution(approvalId, sender.index);
        if (stage != SETTLING) revert WrongStage();
        if (block.timestamp >= sale.deadline) revert DisputeWindowClosed();
        if (partialHashOf[approvalId][index] == bytes32(0)) revert NotDelivered();
        sale.stage = DISPUTED;
        sale.disputedIndex = index;
        emit DeliveryDisputed(approvalId, index, proxyAt(approvalId, index));
    }

    /// The membership authority arbitrates a dispute after checking the partial off chain with the
    /// public data (key commitment, ciphertext header, partial): valid -> the sale settles now (the
    /// false dispute is on record); invalid -> the delivery is struck (the proxy is to blame) and
    /// the sale goes back to accepted with a new delivery deadline, or, if t deliveries remain,
    /// to settling with a new dispute window.
    function resolveDispute(bytes32 approvalId, uint8 index, bool partialValid) external {
        senderIsAuthority();
        Sale storage sale = sales[approvalId];
        uint8 stage = sale.stage;
        if (stage == 0) revert UnknownApproval();
        if (stage != DISPUTED) revert WrongStage();
        if (sale.disputedIndex != index) revert NotDelivered();
        uint32 proxy = proxyAt(approvalId, index);
        sale.disputedIndex = 0;
        emit DisputeResolved(approvalId, index, proxy, partialValid);
        if (partialValid) {
            complete(approvalId, sale);
            return;
        }
        delete partialHashOf[approvalId][index];
        uint8 delivered = sale.delivered - 1;
        sale.delivered = delivered;
        if (delivered >= sale.threshold) {
            sale.stage = SETTLING;
            sale.deadline = uint56(block.timestamp + disputeWindow);
        } else {
            sale.stage = ACCEPTED;
            sale.deadline = uint56(block.timestamp + deliveryWindow);
        }
    }

    /// Kind 11: the institution takes back the escrow of a sale not completed by its deadline
    /// (refused while settling or disputed).
    function reclaim(bytes32 approvalId, uint64 time) external {
        Seat memory sender = admit(INSTITUTION, 0, time);
        (Sale storage sale, uint8 stage) = saleOfInstitution(approvalId, sender.index);
        if (stage == DELIVERED || stage == REFUNDED || stage == SETTLING || stage == DISPUTED) revert WrongStage();
        if (block.timestamp < sale.deadline) revert DeadlineNotReached();
        uint64 amount = uint64(sale.reward);
        sale.stage = REFUNDED;
        if (stage != APPROVED) {
            bytes32 recordId = grants[approvalId].recordId;
            removePending(records[recordId], recordId, sender.index, sale.exclusive);
        }
        members[sender.index].balance += amount;
        emit SaleRefunded(approvalId, sender.index, amount);
    }

    // ------------------------------------------------------------------ what members sign

    /// AuthSign's public key mpk (256 bytes, EIP-2537 G2).
    function mpk() private view returns (bytes memory) {
        return abi.encodePacked(mpk0, mpk1, mpk2, mpk3, mpk4, mpk5, mpk6, mpk7);
    }

    // ------------------------------------------------------------------ views


    /// A requirement (all zero when there is none).
    function requirementOf(bytes32 requirementId) external view returns (Requirement memory requirement) {
        RequirementSlot memory slot = requirementSlots[requirementId];
        if (slot.stored == address(0)) return requirement;
        requirement = requirementAt(slot.stored);
        requirement.open = slot.open;
        requirement.places = slot.places;
    }

    /// The verification key a requirement was published with (empty when there is none).
    function verificationKeyOf(bytes32 requirementId) external view returns (bytes memory key) {
        address stored = requirementSlots[requirementId].stored;
        if (stored == address(0)) return key;
        bytes memory all = CodeStore.read(stored);
        key = new bytes(all.length - 128);
        assembly ("memory-safe") {
            mcopy(add(key, 32), add(all, 160), mload(key))
        }
    }



    /// ID_p as the circuit takes it: SHA-256 of the identity's UTF-8 with the top three bits cleared.
    function identityField(bytes memory identity) private pure returns (uint256) {
        return uint256(sha256(identity)) & ((1 << 253) - 1);
    }

    // ------------------------------------------------------------------ internals: the sale

    /// The sale and its stage; refuses an unknown sale, or one of another institution.
    function saleOfInstitution(bytes32 approvalId, uint32 institution) private view returns (Sale storage sale, uint8 stage) {
        sale = sales[approvalId];
        stage = sale.stage;
        if (stage == 0) revert UnknownApproval();
        if (sale.institution != institution) revert NotParty();
    }

    /// Pays the escrow to the patient, writes the licence, ends the sale (stage delivered).
    function complete(bytes32 approvalId, Sale storage sale) private {
        bytes32 recordId = grants[approvalId].recordId;
        Record storage record = records[recordId];
        uint32 institution = sale.institution;
        bool exclusive = sale.exclusive;
        uint64 reward = uint64(sale.reward);
        sale.stage = DELIVERED;
        removePending(record, recordId, institution, exclusive);
        // The licence's time is the contract clock (the block's time) when the sale completes.
        licences[recordId][record.licenceCount] = Licence(approvalId, institution, exclusive, uint64(block.timestamp));
        record.licenceCount += 1;
        if (record.licensee == 0) record.licensee = institution;
        else if (record.licensee != institution) record.manyLicensees = true;
        if (exclusive) record.exclusiveHolder = institution;
        members[record.patient].balance += reward;
        emit SaleSettled(approvalId, recordId, institution, exclusive, uint64(block.timestamp), reward);
    }

    /// The licence checks (issue 12, item 2): a licence in force, then a sale in progress, of another
    /// institution that is exclusive, or any when this sale is exclusive.
    function checkConflicts(Record memory record, bytes32 recordId, uint32 institution, bool exclusive) private view {
        uint32 holder = record.exclusiveHolder;
        if (holder != 0 && holder != institution) revert ExclusiveLicence();
        if (exclusive) {
            uint32 first = record.licensee;
            if (record.manyLicensees || (first != 0 && first != institution)) revert ExclusiveLicence();
        }
        uint32 pending = record.pendingCount;
        if (pending == 0) return;
        uint32 mine = pendingWith[recordId][institution];
        // An exclusive sale in progress means every sale in progress is to its institution.
        if (exclusive ? pending != mine : (record.pendingExclusive != 0 && mine == 0)) revert ConflictingSale();
    }

    function addPending(Record storage record, bytes32 recordId, uint32 institution, bool exclusive) private {
        record.pendingCount += 1;
        if (exclusive) record.pendingExclusive += 1;
        pendingWith[recordId][institution] += 1;
    }

    function removePending(Record storage record, bytes32 recordId, uint32 institution, bool exclusive) private {
        record.pendingCount -= 1;
        if (exclusive) record.pendingExclusive -= 1;
        pendingWith[recordId][institution] -= 1;
    }

    /// Checks the proxies (n of the key commitment, distinct, registered proxies) and stores their
    /// seat indices, eight per slot.
    function storeProxies(bytes32 approvalId, string[] calldata proxies, uint8 total) private {
        if (proxies.length != total) revert InvalidProxies();
        uint32[] memory seen = new uint32[](proxies.length);
        uint256 word;
        for (uint256 i = 0; i < proxies.length; i++) {
            Seat memory seat = seatOfIdentity[keccak256(bytes(proxies[i]))];
            if (seat.role != PROXY) revert InvalidProxies();
            // registered pseudonyms and seats correspond one to one: distinct seats are distinct proxies
            for (uint256 j = 0; j < i; j++) {
                if (seen[j] == seat.index) revert InvalidProxies();
            }
            seen[i] = seat.index;
            word |= uint256(seat.index) << (32 * (i % 8));
            if (i % 8 == 7 || i + 1 == proxies.length) {
                proxySlots[approvalId][i / 8] = word;
                word = 0;
            }
        }
    }

    /// The seat index of proxy number `index` (1-based) of a grant, 0 if none.
    function proxyAt(bytes32 approvalId, uint256 index) private view returns (uint32) {
        if (index == 0) return 0;
        uint256 i = index - 1;
        return uint32(proxySlots[approvalId][i / 8] >> (32 * (i % 8)));
    }

    // ------------------------------------------------------------------ internals: members, time, value

    function senderIsAuthority() private view {
        if (msg.sender != authorityAccount) {
            if (seatOfAccount[msg.sender].index == 0) revert UnregisteredSender();
            revert WrongRole();
        }
    }

    /// The checks every kind starts with, after its own decoding: the claimed time decodes (at most
    /// 2^53 - 1), the sender is a member (of role `role` or `other`; any role when `role` is 0), the
    /// claimed time is within maxClockSkew of the block's. Returns the sender's seat.
    function admit(uint8 role, uint8 other, uint64 time) private view returns (Seat memory seat) {
        if (time > MAX_SAFE_INTEGER) revert MalformedTransaction();
        seat = role == 0 ? senderSeat() : senderWithRole(role, other);
        checkTime(time);
    }

    /// The sender's seat; refuses an account that is no member's.
    function senderSeat() private view returns (Seat memory seat) {
        seat = seatOfAccount[msg.sender];
        if (seat.index == 0) revert UnregisteredSender();
    }

    /// The sender's seat; refuses an unregistered account or a role other than `role` or `other`.
    function senderWithRole(uint8 role, uint8 other) private view returns (Seat memory seat) {
        seat = senderSeat();
        if (seat.role != role && seat.role != other) revert WrongRole();
    }

    function checkTime(uint64 time) private view {
        if (uint256(time) + maxClockSkew < block.timestamp) revert StaleTimestamp();
        if (uint256(time) > block.timestamp + maxClockSkew) revert FutureTimestamp();
    }

    /// Moves `amount` out of a member's available balance, refusing rather than going negative.
    function debit(uint32 index, uint256 amount) private {
        Member storage member = members[index];
        uint64 balance = member.balance;
        if (balance < amount) revert InsufficientFunds();
        unchecked {
            member.balance = uint64(balance - amount);
        }
    }

    /// The requirement and its verification key, in one read of the stored code (the key is a view
    /// into the same buffer: its length word overwrites the header's last word, read before).
    function requirementWithKey(address stored) private view returns (Requirement memory requirement, bytes memory key) {
        bytes memory all = CodeStore.readAt(stored, 0, 128 + Groth16.KEY_BYTES);
        requirement = decodeRequirement(all);
        assembly ("memory-safe") {
            key := add(all, 128)
            mstore(key, 896) // Groth16.KEY_BYTES
        }
    }

    function requirementAt(address stored) private view returns (Requirement memory requirement) {
        if (stored == address(0)) return requirement;
        return decodeRequirement(CodeStore.readAt(stored, 0, 128));
    }

    /// The stored header: criteriaHash | meta | x0 | y0.
    function decodeRequirement(bytes memory head) private pure returns (Requirement memory) {
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
            criteriaHash,
            uint32(meta >> 128),
            uint64(meta >> 64),
            uint32(meta >> 32),
            (meta & 2) != 0,
            (meta & 1) != 0,
            x0,
            y0,
            false,
            0
        );
    }

    // ------------------------------------------------------------------ internals: signed bytes

    function recordSignableOf(bytes memory patient, string memory registrant, uint256 commitment)
        private
        view
        returns (bytes memory)
    {
        return abi.encodePacked(
            uint32(RECORD_TAG.length),
            RECORD_TAG,
            deployment,
            uint32(patient.length),
            patient,
            uint32(bytes(registrant).length),
            registrant,
            commitment
        );
    }

    function formSignableOf(
        bytes32 requirementId,
        bytes32 recordId,
        string memory patient,
        string memory institution,
        uint256 commitment,
        uint64 reward,
        bool exclusive,
        uint64 formTime
    ) private view returns (bytes memory) {
        bytes32 approvalId = keccak256(abi.encode("appr", requirementId, recordId));
        return abi.encodePacked(
            abi.encodePacked(
                uint32(FORM_TAG.length),
                FORM_TAG,
                deployment,
                uint32(66),
                "0x",
                hexDigits(uint256(approvalId), 32),
                uint32(66),
                "0x",
                hexDigits(uint256(requirementId), 32),
                uint32(66),
                "0x",
                hexDigits(uint256(recordId), 32)
            ),
            uint32(bytes(patient).length),
            patient,
            uint32(bytes(institution).length),
            institution,
            commitment,
            reward,
            exclusive ? uint8(1) : uint8(0),
            formTime
        );
    }

    // ------------------------------------------------------------------ internals: encodings

    /// `addr:` and the 40 lower-case hex digits of `pseudonym`.
    function pseudonymString(bytes20 pseudonym) private pure returns (string memory) {
        return string(abi.encodePacked("addr:", hexDigits(uint256(uint160(pseudonym)), 20)));
    }

    /// The `length` low bytes of `value` as 2 * length lower-case hex digits.
    function hexDigits(uint256 value, uint256 length) private pure returns (bytes memory out) {
        out = new bytes(2 * length);
        assembly ("memory-safe") {
            let table := "0123456789abcdef"
            let start := add(out, 32)
            for { let i := 0 } lt(i, length) { i := add(i, 1) } {
                let b := and(shr(mul(8, sub(sub(length, 1), i)), value), 0xff)
                mstore8(add(start, mul(2, i)), byte(shr(4, b), table))
                mstore8(add(start, add(mul(2, i), 1)), byte(and(b, 15), table))
            }
        }
    }

    /// `value` in decimal digits.
    function decimal(uint256 value) private pure returns (bytes memory out) {
        uint256 digits = 1;
        for (uint256 v = value / 10; v != 0; v /= 10) digits++;
        out = new bytes(digits);
        for (uint256 i = digits; i > 0; i--) {
            out[i - 1] = bytes1(uint8(48 + (value % 10)));
            value /= 10;
        }
    }

    /// A pseudonym: `addr:` and 40 lower-case hex digits; returns the 20 bytes they spell.
    function parsePseudonym(bytes memory id) private pure returns (bool, bytes20) {
        if (id.length != 45 || id[0] != "a" || id[1] != "d" || id[2] != "d" || id[3] != "r" || id[4] != ":") {
            return (false, 0);
        }
        (bool ok, uint256 value) = parseHex(id, 5);
        return (ok, bytes20(uint160(value)));
    }

    /// If `delegator` is `<patient's pseudonym>#record:<64 lower-case hex digits>` (medshare/protocol
    /// recordIdentity) for the patient's pseudonym and a commitment registered as `recordId`,
    /// (true, that commitment).
    function recordIdentityOf(bytes memory delegator, bytes20 patient, bytes32 recordId)
        private
        view
        returns (bool, uint256)
    {
        // 45 (pseudonym) + 8 ("#record:") + 64 (hex digits)
        if (delegator.length != 117) return (false, 0);
        bytes memory prefix = new bytes(53);
        assembly ("memory-safe") {
            mcopy(add(prefix, 32), add(delegator, 32), 53)
        }
        if (keccak256(prefix) != keccak256(abi.encodePacked(pseudonymString(patient), "#record:"))) {
            return (false, 0);
        }
        (bool ok, uint256 value) = parseHex(delegator, 53);
        return (ok && recordOfCommitment[value] == recordId, value);
    }

    /// The lower-case hex digits of `data` from `from` to its end as a number (false for any other byte).
    function parseHex(bytes memory data, uint256 from) private pure returns (bool, uint256 value) {
        for (uint256 i = from; i < data.length; i++) {
            uint8 c = uint8(data[i]);
            uint256 digit;
            if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
            else if (c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
            else return (false, 0);
            value = (value << 4) | digit;
        }
        return (true, value);
    }

    /// A decoded key commitment: its delegator, delegatee, t, n and keccak256 of the bytes from
    /// the delegator's length to n (what every partial of the grant repeats after its header).
    struct KeyLayout {
        bool ok;
        bytes delegator;
        bytes delegatee;
        uint8 threshold;
        uint8 total;
        bytes32 hash;
    }

    /// The layout of an encoded ga07 re-encryption key commitment: header (1, 2, 9), delegator and
    /// delegatee (u16 length, identity), t in [1, 255], n in [t, 255], R1 (96 bytes), R2 and
    /// Y_1..Y_n (576 bytes each), nothing after. The points themselves are not checked here.
    function decodeReKeyCommitment(bytes calldata data) private pure returns (KeyLayout memory key) {
        if (data.length < 3 || data[0] != 0x01 || data[1] != 0x02 || data[2] != 0x09) return key;
        uint256 offset = 3;
        bool ok;
        (ok, key.delegator, offset) = readIdentity(data, offset);
        if (!ok) return key;
        (ok, key.delegatee, offset) = readIdentity(data, offset);
        if (!ok || data.length < offset + 2) return key;
        uint256 threshold = uint8(data[offset]);
        uint256 total = uint8(data[offset + 1]);
        if (threshold < 1 || total < threshold) return key;
        key.threshold = uint8(threshold);
        key.total = uint8(total);
        key.hash = keccak256(data[3:offset + 2]);
        key.ok = data.length == offset + 2 + G2_BYTES + GT_BYTES * (total + 1);
    }

    /// The layout of an encoded ga07 re-encryption share: header (1, 2, 10), delegator, delegatee,
    /// t, n, index in [1, n], C2'_i (576 bytes), challenge (32), response (48), nothing after; returns
    /// keccak256 of delegator..n (compared with the grant's) and the index.
    function decodePartial(bytes calldata data) private pure returns (bool, bytes32, uint256) {
        if (data.length < 3 || data[0] != 0x01 || data[1] != 0x02 || data[2] != 0x0a) return (false, 0, 0);
        (bool ok,, uint256 offset) = readIdentity(data, 3);
        if (!ok) return (false, 0, 0);
        (ok,, offset) = readIdentity(data, offset);
        if (!ok || data.length != offset + 3 + GT_BYTES + 32 + 48) return (false, 0, 0);
        uint256 threshold = uint8(data[offset]);
        uint256 total = uint8(data[offset + 1]);
        uint256 index = uint8(data[offset + 2]);
        if (threshold < 1 || total < threshold || index < 1 || index > total) return (false, 0, 0);
        return (true, keccak256(data[3:offset + 2]), index);
    }

    /// The stored ciphertext's header: header (1, 2, 5), form 1 (original), recipient (u16 length),
    /// C1 (96 bytes), C2 (576 bytes), the sealed part as a u32 length 32 and 32 bytes, nothing after
    /// (any other layout is malformedTransaction); true iff the recipient is `recipient`.
    function headerFor(bytes calldata data, bytes memory recipient) private pure returns (bool) {
        if (!headerLayout(data)) revert MalformedTransaction();
        uint256 n = (uint256(uint8(data[4])) << 8) | uint8(data[5]);
        return keccak256(data[6:6 + n]) == keccak256(recipient);
    }

    /// The layout of a header (any recipient).
    function headerLayout(bytes calldata data) private pure returns (bool) {
        if (data.length < 6 || data[0] != 0x01 || data[1] != 0x02 || data[2] != 0x05 || data[3] != 0x01) return false;
        (bool ok,, uint256 offset) = readIdentity(data, 4);
        if (!ok || data.length != offset + G2_BYTES + GT_BYTES + 4 + 32) return false;
        uint256 sealedAt = offset + G2_BYTES + GT_BYTES;
        return uint32(bytes4(data[sealedAt:sealedAt + 4])) == 32;
    }

    function readIdentity(bytes calldata data, uint256 offset) private pure returns (bool, bytes memory, uint256) {
        if (data.length < offset + 2) return (false, "", offset);
        uint256 n = (uint256(uint8(data[offset])) << 8) | uint8(data[offset + 1]);
        offset += 2;
        if (data.length < offset + n) return (false, "", offset);
        bytes memory value = data[offset:offset + n];
        return (validIdentity(value), value, offset + n);
    }

    /// An identity: non-empty, at most 1024 bytes, well-formed UTF-8 (medshare's identity rule).
    function validIdentity(bytes memory id) private pure returns (bool) {
        return id.length != 0 && id.length <= MAX_IDENTITY_BYTES && validUtf8(id);
    }

    /// Well-formed UTF-8 (Unicode table 3-7): no overlong forms, no surrogates, nothing above U+10FFFF.
    function validUtf8(bytes memory s) private pure returns (bool) {
        uint256 n = s.length;
        uint256 i = 0;
        unchecked {
            while (i < n) {
                // ASCII fast path: up to 32 bytes at once when none has its high bit set
                uint256 word;
                assembly ("memory-safe") {
                    word := mload(add(add(s, 32), i))
                }
                uint256 rest = n - i;
                if (rest < 32) word &= ~(type(uint256).max >> (8 * rest));
                if (word & 0x8080808080808080808080808080808080808080808080808080808080808080 == 0) {
                    i += rest < 32 ? rest : 32;
                    continue;
                }
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
