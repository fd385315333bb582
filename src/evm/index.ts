/**
 * `medshare/evm`: the sharing contract of `medshare/protocol` on an EVM (Huang et al. 2020,
 * sections 4.1 and 4.2, on an existing ledger engine), for a permissioned Hyperledger Besu network
 * with QBFT or any chain with the Prague upgrade (EIP-2537, BLS12-381 precompiles).
 *
 * - {@link medShareAbi} and {@link medShareBytecode}: the MedShare contract (contracts/MedShare.sol,
 *   MIT), compiled when the package is built; no Solidity compiler needed.
 * - Encoders from medshare's objects to call data and back: AuthSign signatures
 *   ({@link encodeSignature}), BLS12-381 points in EIP-2537 form, Groth16 proofs and verification
 *   keys ({@link encodeProof}, {@link encodeVerificationKey}), public signals, the deployment id
 *   members sign under ({@link evmDeployment}: medshare/protocol's signers, `signRecordCommitment`
 *   and `signSharingForm`, sign for either ledger), the contract's ids, and its errors as
 *   medshare/protocol RefusalReasons ({@link REFUSAL_OF_ERROR}, {@link decodeRevert}).
 * - {@link deployMedShare} and {@link MedShareClient}: deploy and call over viem on any JSON-RPC
 *   endpoint, every kind of contract v2 (register, deposit, withdraw, publishRequirement,
 *   closeRequirement, registerRecord, submitProof, grantAccess, acceptGrant, deliver, reclaim) and
 *   the EVM's optimistic delivery (settle, dispute, resolveDispute). viem is a peer dependency of
 *   this subpath only: `npm install viem`.
 *
 * What the contract checks on chain: members' roles (pseudonyms the membership authority registers,
 * each bound to an account), balances and escrow, the patient's consent naming the registrant and
 * both parties' AuthSigns on the sale's Fig. 3 form (H1 = RFC 9380 hash_to_curve computed on chain
 * byte for byte as `medshare/sign` does, over the reference's v2 signable bytes for this
 * deployment), the Groth16 proof with its key published as data (public signals >= r refused;
 * replay keyed on the binding h, not on proof bytes), the licences and sales in progress, the grant
 * (t-of-n distinct registered proxies, the key commitment's and header's layout and parties), and
 * time from the block. A partial re-encryption cannot be verified on an EVM (GT arithmetic, at least
 * ~122M gas): delivery is optimistic, with a dispute window and the membership authority's
 * arbitration (docs/evm.md, docs/security.md). Everything a transaction carries is public: see
 * docs/evm.md for what that is and how it compares with the PBFT reference. Not claimed:
 * confidentiality of anything on chain; the PKG knows every signing key (key escrow, as in any
 * identity-based scheme).
 *
 * Errors: a wrong kind of argument is an {@link ArgumentTypeError} (`ERR_ARGUMENT_TYPE`), a value
 * out of range an {@link ArgumentValueError} (`ERR_ARGUMENT_VALUE`), bytes or snarkjs JSON that do
 * not decode an {@link EncodingError} (`ERR_ENCODING`, naming the object and the field). A refusal
 * of the contract is no error: the client returns it as an {@link EvmOutcome}. A chain without the
 * Prague precompiles, or a transaction that failed there without a named refusal, is a
 * {@link MedshareError} with code `ERR_EVM_CHAIN`. Errors of the transport (viem's) pass through.
 *
 * Runs in browsers as in Node (it uses no Node built-in); the in-process chain of the demo and the
 * tests is internal and Node-only.
 *
 * @example
 * ```ts
 * import { createPublicClient, createWalletClient, http } from 'viem';
 * import { privateKeyToAccount } from 'viem/accounts';
 * import { deployMedShare } from 'medshare/evm';
 * import { signRecordCommitment } from 'medshare/protocol';
 *
 * const transport = http('http://127.0.0.1:8545'); // a Besu QBFT node, for example
 * const publicClient = createPublicClient({ chain, transport });
 * const wallet = createWalletClient({ account: privateKeyToAccount(authorityKey), chain, transport });
 * const medshare = await deployMedShare({ publicClient, wallet }, { authority: 'ca:membership', signParams: pkg.signParams });
 * await medshare.register(alice.address, 'patient', aliceAccount, now); // alice = pkg.enroll('patient:alice', 'patient')
 * const consent = signRecordCommitment(medshare.deployment, alice.signingKey, hospital.address, commitment);
 * const outcome = await medshare.as(hospitalWallet).registerRecord(alice.address, commitment, consent, now);
 * if (!outcome.accepted) console.log(outcome.reason); // a medshare/protocol RefusalReason
 * ```
 * @module
 */
export { type MedShareAbi, medShareAbi, medShareBytecode } from './artifacts.js';
export {
  type ContractCall,
  deployMedShare,
  type DeployOptions,
  type EvmLicence,
  type EvmMember,
  type EvmOutcome,
  type EvmRecord,
  type EvmSale,
  type GrantInput,
  MedShareClient,
  type MedShareClients,
  medShareDeployData,
  type MedShareReader,
  type MedShareWallet,
  type MinedReceipt,
  type RequirementInput,
  type SendingAccount,
} from './client.js';
export {
  approvalId,
  type DecodedRevert,
  DISPUTE_ERRORS,
  type DisputeError,
  decodeG1,
  decodeG2,
  decodeProof,
  decodeRevert,
  decodeSignature,
  decodeVerificationKey,
  type EvmDomain,
  type EvmStage,
  EVM_SIGNATURE_BYTES,
  encodeAuthSignParams,
  encodeG1,
  encodeG2,
  encodeProof,
  encodePublicSignals,
  encodeSignature,
  encodeVerificationKey,
  evmDeployment,
  G1_POINT_BYTES,
  G2_POINT_BYTES,
  identityField,
  identityKey,
  type ProofWords,
  PUBLIC_SIGNAL_COUNT,
  type RefusalError,
  REFUSAL_OF_ERROR,
  type RequirementFields,
  ROLE_CODES,
  recordId,
  requirementId,
  type SignalWords,
  STAGES,
  VERIFICATION_KEY_BYTES,
} from './encoding.js';
export type { RandomOptions, RandomSource } from '../internal/random.js';
export * from '../internal/public-errors.js';
