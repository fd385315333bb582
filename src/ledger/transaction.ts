/**
 * The transaction form of Huang et al. 2020, Fig. 3 and section 4.2.5: the parties (the patient's
 * blockchain address addr_p and the research institution), the hash of the medical data
 * H(⟨d1, ..., dn⟩) (the data itself stays encrypted on the cloud server), the timestamp, and the
 * signatures: the patient's σ_a = AuthSign(SK_p, H(⟨d1, ..., dn⟩)) and the institution's, which
 * section 4.2.10 requires before the smart contract submits the transaction to consensus.
 *
 * Encoded form (the operation of a PBFT request): version byte 1, then patient, institution
 * (u32-length UTF-8), dataHash (32 bytes), timestamp (u64), patientSignature, institutionSignature
 * (u32-length bytes).
 * @module
 */
import { ByteReader, ByteWriter } from '../internal/bytes.js';
import { abytes, astring, ArgumentValueError, EncodingError } from '../internal/errors.js';

const VERSION = 1;
const TAG = 'medshare/ledger/v1/transaction';
/** Longest party identifier, in bytes of UTF-8. */
export const MAX_PARTY_BYTES = 1024;
/** Longest signature, in bytes. */
export const MAX_TRANSACTION_SIGNATURE_BYTES = 4096;

/** A data-sharing transaction (paper Fig. 3). */
export interface Transaction {
  /** addr_p: the patient's blockchain address, or identity. */
  readonly patient: string;
  /** The research institution r_i. */
  readonly institution: string;
  /** H(⟨d1, ..., dn⟩): SHA-256 of the medical data, 32 bytes. */
  readonly dataHash: Uint8Array;
  /** T: when the sharing was agreed (caller's clock, e.g. milliseconds since the epoch). */
  readonly timestamp: number;
  /** σ_a = AuthSign(SK_p, H(⟨d1, ..., dn⟩)): the patient's signature on dataHash. */
  readonly patientSignature: Uint8Array;
  /** The research institution's signature on {@link transactionSignable}. */
  readonly institutionSignature: Uint8Array;
}

function checkFields(tx: Omit<Transaction, 'patientSignature' | 'institutionSignature'>): void {
  astring(tx.patient, 'patient');
  astring(tx.institution, 'institution');
  if (tx.patient.length === 0 || tx.institution.length === 0)
    throw new ArgumentValueError('patient/institution', 'must not be empty');
  if (new TextEncoder().encode(tx.patient).length > MAX_PARTY_BYTES) throw new ArgumentValueError('patient', 'too long');
  if (new TextEncoder().encode(tx.institution).length > MAX_PARTY_BYTES) throw new ArgumentValueError('institution', 'too long');
  if (abytes(tx.dataHash, 'dataHash').length !== 32) throw new ArgumentValueError('dataHash', 'expected 32 bytes');
  if (!Number.isSafeInteger(tx.timestamp) || tx.timestamp < 0)
    throw new ArgumentValueError('timestamp', 'expected a non-negative safe integer');
}

/**
 * The bytes the research institution signs: every field of the form except the signatures.
 * Layout: str(`medshare/ledger/v1/transaction`) || str(patient) || str(institution) ||
 * raw(dataHash) || u64(timestamp), where str is a u32 big-endian length then UTF-8.
 * @param tx - the transaction without its signatures
 * @returns the signable bytes
 * @throws TypeError / RangeError for a malformed field
 */
export function transactionSignable(tx: Omit<Transaction, 'patientSignature' | 'institutionSignature'>): Uint8Array {
  checkFields(tx);
  return new ByteWriter(128).string(TAG).string(tx.patient).string(tx.institution).raw(tx.dataHash).u64(tx.timestamp).finish();
}

/**
 * Encodes a transaction as the operation of a PBFT request. The signatures are not verified.
 * @param tx - the transaction
 * @returns the encoded form (see the module description)
 * @throws TypeError / RangeError for a malformed field
 * @example
 * ```ts
 * const operation = encodeTransaction({ patient: 'addr:alice', institution: 'lab:oncology', dataHash, timestamp: 1700000000000, patientSignature, institutionSignature });
 * decodeTransaction(operation).patient; // 'addr:alice'
 * ```
 */
export function encodeTransaction(tx: Transaction): Uint8Array {
  checkFields(tx);
  abytes(tx.patientSignature, 'patientSignature');
  abytes(tx.institutionSignature, 'institutionSignature');
  if (
    tx.patientSignature.length > MAX_TRANSACTION_SIGNATURE_BYTES ||
    tx.institutionSignature.length > MAX_TRANSACTION_SIGNATURE_BYTES
  ) {
    throw new ArgumentValueError('signature', 'too long');
  }
  return new ByteWriter(256)
    .u8(VERSION)
    .string(tx.patient)
    .string(tx.institution)
    .raw(tx.dataHash)
    .u64(tx.timestamp)
    .bytes(tx.patientSignature)
    .bytes(tx.institutionSignature)
    .finish();
}

/**
 * Decodes and checks an encoded transaction (its structure; the signatures are not verified).
 * @param bytes - an encoded transaction, such as a request's operation
 * @returns the transaction
 * @throws TypeError if `bytes` is not a Uint8Array; RangeError naming the field for any defect
 */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  const r = new ByteReader(abytes(bytes, 'transaction'), 'transaction');
  const version = r.u8('version');
  if (version !== VERSION) throw new EncodingError('transaction', 'version', `unknown version ${version}`);
  const tx: Transaction = {
    patient: r.string('patient', MAX_PARTY_BYTES),
    institution: r.string('institution', MAX_PARTY_BYTES),
    dataHash: r.raw(32, 'dataHash'),
    timestamp: r.u64('timestamp'),
    patientSignature: r.bytes('patientSignature', MAX_TRANSACTION_SIGNATURE_BYTES),
    institutionSignature: r.bytes('institutionSignature', MAX_TRANSACTION_SIGNATURE_BYTES),
  };
  r.end();
  if (tx.patient.length === 0 || tx.institution.length === 0) throw new EncodingError('transaction', 'party', 'empty');
  return tx;
}
