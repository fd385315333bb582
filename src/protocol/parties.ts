/**
 * What each party does off the ledger (Huang et al. 2020, sections 4.1 and 4.2): the PKG and
 * membership authority (setup, pseudonyms, keys, registration, deposits), the patient or hospital
 * (encrypt, commit, consent), the patient (prove, ReKeyGen sealed to the proxies, grant), the
 * institution (accept the grant once the key commitment opens for it; receive), the proxy
 * (verifiable ReEncrypt, posted on the ledger). Each step that acts on a sale takes the sale as the
 * ledger holds it (`Approval`) and refuses to act on one the contract has not accepted.
 * Randomness is always passed in; nothing here reads a clock.
 * @module
 */
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ByteReader, ByteWriter, bytesEqual } from '../internal/bytes.js';
import { ArgumentValueError, aobject, DecryptionError, EncodingError, ProofError } from '../internal/errors.js';
import { identityBytes } from '../internal/identity.js';
import { randomFrom, type RandomOptions } from '../internal/random.js';
import { type Ga07ReKeyCommitment, type Ga07ReKeyShare, ga07Verifiable } from '../pre/ga07-verifiable.js';
import { type Ga07Ciphertext, type Ga07MasterKey, type Ga07Params, type Ga07SecretKey, ga07 } from '../pre/ga07.js';
import { gtEq } from '../internal/bls.js';
import {
  type AuthSignMasterKey,
  type AuthSignParams,
  authSign,
  keyGen as signKeyGen,
  setup as signSetup,
  type SigningKey,
} from '../sign/cha-cheon.js';
import { type Approval, type ContractConfig, ProtocolError, sharingFormOf } from './contract.js';
import type { MedicalRecord, ProofSystem, Requirement } from './proof-system.js';
import {
  type BodyOf,
  bindingSignable,
  deploymentId,
  encodeBody,
  encodeEnvelope,
  envelopeSignable,
  fieldToBytes,
  recordIdentity,
  recordSignable,
  type Role,
  type SharingForm,
  sharingFormSignable,
  type TransactionKind,
} from './transactions.js';

const PSEUDONYM_TAG = 'medshare/protocol/v2/pseudonym';

/** The deployment a signature is for: the `deployment` of the contract's {@link ContractConfig}. */
export type DeploymentRef = Pick<ContractConfig, 'deployment'>;

/** What the PKG issues to an enrolled party. */
export interface Credentials {
  /** The party's true identity (kept off the ledger; the membership authority knows the mapping). */
  readonly identity: string;
  /** Its pseudonym addr_p (section 5.1.4): the identity the ledger knows, and its keys are issued for. */
  readonly address: string;
  /** The role the membership authority grants. */
  readonly role: Role;
  /** The IB-PRE decryption key SK_addr (ga07). */
  readonly decryptionKey: Ga07SecretKey;
  /** The AuthSign signing key for the pseudonym. */
  readonly signingKey: SigningKey;
}

/** Options of {@link Pkg.contractConfig}: the deployment's identity and the contract's limits. */
export interface ContractConfigOptions {
  /** The chain or genesis identity (e.g. the PBFT network's name, or an EVM chain id). */
  readonly chain: string;
  /** The contract's identity within it (e.g. its address or name and version). */
  readonly contract: string;
  /** {@link ContractConfig.maxProofAge} (default 3600 s). */
  readonly maxProofAge?: number;
  /** {@link ContractConfig.maxClockSkew} (default 300 s). */
  readonly maxClockSkew?: number;
  /** {@link ContractConfig.grantWindow} (default 86 400 s). */
  readonly grantWindow?: number;
  /** {@link ContractConfig.deliveryWindow} (default 3600 s). */
  readonly deliveryWindow?: number;
}

/** The PKG and membership authority (sections 4.2.1, 4.2.3 and 5.1.4). Holds the master keys. */
export interface Pkg {
  /** IB-PRE public parameters. */
  readonly preParams: Ga07Params;
  /** AuthSign public parameters. */
  readonly signParams: AuthSignParams;
  /** The membership authority's identity and signing key. */
  readonly authority: SigningKey;
  /**
   * The pseudonym of `identity` (section 5.1.4): `addr:` and 40 hex digits of HMAC-SHA-256 under the
   * authority's secret pseudonym key. Deterministic for this authority, unlinkable to the identity
   * for anyone without that key.
   */
  pseudonymOf(identity: string): string;
  /** The identity behind a pseudonym this authority enrolled or registered (for accountability, 5.1.5). */
  identityOf(address: string): string | undefined;
  /** KeyGen for the pseudonym of `identity`: its IB-PRE and AuthSign keys. */
  enroll(identity: string, role: Role): Credentials;
  /**
   * KeyGen for the record's own identity ({@link recordIdentity}): the key the patient re-encrypts
   * from. The PKG issues it to the record's patient only.
   * @param patient - the patient's pseudonym
   */
  recordKey(patient: string, commitment: bigint): Ga07SecretKey;
  /** The `register` transaction for the pseudonym of `identity`, signed by the membership authority. */
  registration(config: DeploymentRef, identity: string, role: Role, time: number, options?: RandomOptions): Uint8Array;
  /** The `deposit` transaction crediting `account` (a pseudonym), signed by the membership authority. */
  deposit(config: DeploymentRef, account: string, amount: number, time: number, options?: RandomOptions): Uint8Array;
  /** The contract's genesis parameters for these public parameters and a deployment. */
  contractConfig(options: ContractConfigOptions): ContractConfig;
}

/** Options of {@link createPkg}. */
export interface PkgOptions extends RandomOptions {
  /** The membership authority's identity (default 'ca:membership'). */
  readonly authority?: string;
}

/**
 * Setup(1^lambda) of the IB-PRE and of AuthSign, and a membership authority with a secret
 * pseudonym key. Randomness: the IB-PRE setup, the AuthSign setup, then 32 bytes of pseudonym key.
 * @param options - `random` and the authority's identity
 * @example
 * ```ts
 * const pkg = createPkg();
 * const config = pkg.contractConfig({ chain: 'medshare-demo', contract: 'sharing-v2' });
 * const alice = pkg.enroll('patient:alice', 'patient'); // alice.address: 'addr:…', her keys are for it
 * const operation = pkg.registration(config, 'patient:alice', 'patient', 1700000000);
 * ```
 */
export function createPkg(options: PkgOptions = {}): Pkg {
  const random = randomFrom(options);
  const pre = ga07.setup({ random });
  const sign = signSetup({ random });
  const pseudonymKey = random(32);
  const preMaster: Ga07MasterKey = pre.masterKey;
  const signMaster: AuthSignMasterKey = sign.masterKey;
  const authorityId = options.authority ?? 'ca:membership';
  const authority = signKeyGen(sign.params, signMaster, authorityId);
  const opened = new Map<string, string>();
  const pseudonymOf = (identity: string): string => {
    const bytes = identityBytes(identity, 'identity');
    const mac = hmac(sha256, pseudonymKey, new ByteWriter(64 + bytes.length).string(PSEUDONYM_TAG).bytes(bytes).finish());
    const address = `addr:${bytesToHex(mac).slice(0, 40)}`;
    opened.set(address, identity);
    return address;
  };
  const authorityTransaction = <K extends TransactionKind>(
    config: DeploymentRef,
    kind: K,
    body: BodyOf[K],
    time: number,
    opts?: RandomOptions,
  ) => signTransaction(config, authority, kind, body, time, opts ?? { random });
  return {
    preParams: pre.params,
    signParams: sign.params,
    authority,
    pseudonymOf,
    identityOf: (address) => opened.get(address),
    enroll(identity, role) {
      const address = pseudonymOf(identity);
      return {
        identity,
        address,
        role,
        decryptionKey: ga07.keyGen(pre.params, preMaster, address),
        signingKey: signKeyGen(sign.params, signMaster, address),
      };
    },
    recordKey(patient, commitment) {
      return ga07.keyGen(pre.params, preMaster, recordIdentity(patient, commitment));
    },
    registration: (config, identity, role, time, opts) =>
      authorityTransaction(config, 'register', { identity: pseudonymOf(identity), role }, time, opts),
    deposit: (config, account, amount, time, opts) => authorityTransaction(config, 'deposit', { account, amount }, time, opts),
    contractConfig(o) {
      return {
        deployment: deploymentId(o.chain, o.contract),
        authority: authorityId,
        preParams: pre.params,
        signParams: sign.params,
        maxProofAge: o.maxProofAge ?? 3600,
        maxClockSkew: o.maxClockSkew ?? 300,
        grantWindow: o.grantWindow ?? 86_400,
        deliveryWindow: o.deliveryWindow ?? 3600,
      };
    },
  };
}

/**
 * Encodes and signs a contract transaction: AuthSign(SK_sender, envelope), bound to the deployment.
 * @param config - the deployment (the contract's configuration, or just its `deployment`)
 * @param signingKey - the sender's AuthSign key
 * @param kind - the transaction kind
 * @param body - its body
 * @param time - the sender's time, seconds
 * @param options - `random`
 * @returns the transaction bytes (a PBFT operation)
 */
export function signTransaction<K extends TransactionKind>(
  config: DeploymentRef,
  signingKey: SigningKey,
  kind: K,
  body: BodyOf[K],
  time: number,
  options?: RandomOptions,
): Uint8Array {
  const bodyBytes = encodeBody(kind, body);
  const signature = authSign(
    signingKey,
    envelopeSignable(config.deployment, kind, signingKey.identity, time, bodyBytes),
    options,
  );
  return encodeEnvelope(kind, signingKey.identity, time, bodyBytes, signature);
}

/** A record with the blinding of its ledger commitment: what the patient keeps and what is encrypted. */
export interface RecordOpening {
  /** D. */
  readonly record: number[];
  /** rho, the blinding of the record's commitment ({@link ProofSystem.commitRecord}). */
  readonly blinding: bigint;
}

/**
 * The bytes of a record for encryption: u32 count, each value as u64, then the blinding rho of
 * its commitment (32 bytes big-endian), so that the reader can check the record against the
 * ledger's commitment.
 */
export function encodeRecord(record: MedicalRecord, blinding: bigint): Uint8Array {
  const w = new ByteWriter(40 + 8 * record.length).u32(record.length);
  for (const [i, v] of record.entries()) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ArgumentValueError(`record[${i}]`, 'expected a non-negative safe integer');
    w.u64(v);
  }
  return w.raw(fieldToBytes(blinding)).finish();
}

/**
 * Decodes a record and its blinding from untrusted bytes.
 * @throws RangeError naming the defect
 */
export function decodeRecord(bytes: Uint8Array): RecordOpening {
  const r = new ByteReader(bytes, 'record');
  const count = r.u32('count');
  if (count === 0 || count * 8 + 32 !== r.remaining) throw new EncodingError('record', 'count', 'does not match the length');
  const record: number[] = [];
  for (let i = 0; i < count; i++) record.push(r.u64(`record[${i}]`));
  const blinding = bytesToNumberBE(r.raw(32, 'blinding'));
  r.end();
  return { record, blinding };
}

/**
 * Step 2 / section 4.2.4: Encrypt(PK, ID, D || rho) by the patient (or a hospital on the patient's
 * behalf), to the record's own identity ID = {@link recordIdentity}(patient, commitment) rather
 * than to ID_p, so that a re-encryption key covers this record only. The commitment's blinding
 * rho travels inside the ciphertext, so that the institution can check what it decrypts against
 * the ledger while the ledger's commitment stays hiding.
 * @param patient - the patient's pseudonym
 * @param commitment - the record's commitment (as registered on the ledger)
 * @param blinding - rho, the blinding of that commitment
 * @returns the ciphertext the proxies store
 */
export function encryptRecord(
  params: Ga07Params,
  patient: string,
  commitment: bigint,
  record: MedicalRecord,
  blinding: bigint,
  options?: RandomOptions,
): Ga07Ciphertext {
  return ga07.encrypt(params, recordIdentity(patient, commitment), encodeRecord(record, blinding), options);
}

/**
 * The header of a stored ciphertext, as a grant names it on the ledger: the encoded original
 * ga07 ciphertext with its sealed record replaced by the record's SHA-256 (32 bytes). It carries
 * the recipient (the record's identity), C1 and C2, which the contract checks each partial
 * re-encryption against, and binds the sealed bytes the proxies keep off the ledger.
 * @throws TypeError unless `stored` is an original ga07 ciphertext
 */
export function ciphertextHeader(stored: Ga07Ciphertext): Uint8Array {
  const ct = aobject<Ga07Ciphertext>(stored, 'stored');
  if (ct.capsule?.form !== 'original')
    throw new ArgumentValueError('stored', 'expected an original (not re-encrypted) ciphertext');
  return ga07.encodeCiphertext({ ...ct, sealed: sha256(ct.sealed) });
}

/**
 * Step 3: sigma_a, the patient's consent to a record's registration (section 4.2.5), naming who
 * registers it: the patient itself, or the one hospital it delegates (issue 12, item 5).
 * @param registrant - the pseudonym that will send `registerRecord`
 */
export function signRecordCommitment(
  config: DeploymentRef,
  patientKey: SigningKey,
  registrant: string,
  commitment: bigint,
  options?: RandomOptions,
): Uint8Array {
  return authSign(patientKey, recordSignable(config.deployment, patientKey.identity, registrant, commitment), options);
}

/** Options of {@link proofSubmission}. */
export interface SubmissionInput {
  /** The deployment. */
  readonly config: DeploymentRef;
  /** The patient's AuthSign key. */
  readonly patientKey: SigningKey;
  /** The proof system. */
  readonly proofSystem: ProofSystem;
  /** EK_c. */
  readonly provingKey: unknown;
  /** The requirement's id on the ledger. */
  readonly requirementId: string;
  /** The full requirement, as the institution gave it to the patient. */
  readonly requirement: Requirement;
  /** The record's id on the ledger. */
  readonly recordId: string;
  /** The record. */
  readonly record: MedicalRecord;
  /** rho, the blinding the record was committed with. */
  readonly blinding: bigint;
  /** T, seconds (also the transaction time). */
  readonly time: number;
}

/** What {@link proofSubmission} returns. */
export interface PreparedSubmission {
  /** The signed `submitProof` transaction. */
  readonly operation: Uint8Array;
  /** The proof's public signals. */
  readonly publicSignals: string[];
  /** h, the binding the patient signed. */
  readonly binding: bigint;
}

/**
 * Steps 4-5 / section 4.2.6: delta = (D, T, ID_p), random salt r, h = H(delta, r),
 * sigma_a = AuthSign(SK_p, h), pi = Prove(EK_c, ...); returns the `submitProof` transaction.
 * An honest client never publishes R = 0 (issue 12, item 4): the refused transaction would stay on
 * every node, a signed record that this patient does not meet the criteria - a negative health
 * fact. So the record is checked against the requirement before proving, and R in the proof's
 * signals before signing. Randomness: 31 bytes of salt r, then the signatures' nonces.
 * @throws ProtocolError `notEligible` if the record does not meet the requirement (nothing is proved or signed)
 */
export async function proofSubmission(input: SubmissionInput, options?: RandomOptions): Promise<PreparedSubmission> {
  const zk = input.proofSystem;
  const notEligible = () =>
    new ProtocolError('notEligible', 'the record does not meet the requirement: an honest client does not prove or submit R = 0');
  if (!zk.meetsRequirement(input.record, input.requirement)) throw notEligible();
  const random = randomFrom(options);
  let salt = 0n;
  for (const b of random(31)) salt = (salt << 8n) | BigInt(b);
  const { proof, publicSignals } = await zk.prove(input.provingKey, {
    record: input.record,
    blinding: input.blinding,
    requirement: input.requirement,
    salt,
    patientId: zk.identityToField(input.patientKey.identity),
    timestamp: BigInt(input.time),
  });
  const { binding, eligible } = zk.decodePublicSignals(publicSignals);
  if (!eligible) throw notEligible();
  const bindingSignature = authSign(input.patientKey, bindingSignable(input.config.deployment, binding), { random });
  const operation = signTransaction(
    input.config,
    input.patientKey,
    'submitProof',
    { requirementId: input.requirementId, recordId: input.recordId, proof, publicSignals, bindingSignature },
    input.time,
    { random },
  );
  return { operation, publicSignals, binding };
}

/** One proxy's re-encryption key share, sealed to it. */
export interface SealedShare {
  /** The proxy's pseudonym. */
  readonly proxy: string;
  /** Encrypt(PK, ID_proxy, encoded share): an encoded ga07 ciphertext. */
  readonly sealed: Uint8Array;
}

/** What the patient hands out in step 6. */
export interface IssuedReKey {
  /** For each proxy, in share order, its sealed share. */
  readonly sealedShares: SealedShare[];
  /** The encoded commitment, published on the ledger with `grantAccess`. */
  readonly reKeyCommitment: Uint8Array;
  /** The proxies, in share order (share i is sealed to proxies[i - 1]). */
  readonly proxies: readonly string[];
  /** t: how many valid partials complete the delivery. */
  readonly threshold: number;
}

/**
 * Step 6 / section 4.2.8: ReKeyGen(PK, SK, ID_d) from the record's key (`Pkg.recordKey`), split
 * into t-of-n shares (ga07Verifiable), each sealed to its proxy: Encrypt(PK, ID_proxy, share)
 * (the paper: "RK is encrypted by the public key of cloud server"). The proxies must be n distinct
 * identities other than the delegatee (issue 12, item 6): a proxy holding two shares, or the
 * institution holding one, lowers the number of parties that must collude to learn the record key.
 * @param proxies - the proxies' pseudonyms (n = proxies.length), registered as proxies
 * @param threshold - t, 1 <= t <= n (default n); t < n lets a delivery survive n - t proxies that are down or lie
 * @throws RangeError for repeated proxies, the delegatee among them, or t outside [1, n]
 */
export function issueReKey(
  params: Ga07Params,
  recordKey: Ga07SecretKey,
  institution: string,
  proxies: readonly string[],
  threshold: number = proxies.length,
  options?: RandomOptions,
): IssuedReKey {
  if (!Array.isArray(proxies) || proxies.length === 0) throw new ArgumentValueError('proxies', 'expected at least one proxy');
  if (new Set(proxies).size !== proxies.length) throw new ArgumentValueError('proxies', 'each proxy holds one share: no repeats');
  if (proxies.includes(institution)) throw new ArgumentValueError('proxies', 'the delegatee may not hold a share');
  const random = randomFrom(options);
  const { shares, commitment } = ga07Verifiable.reKeyGenShares(params, recordKey, institution, {
    threshold,
    total: proxies.length,
    random,
  });
  const sealedShares = shares.map((share, i) => {
    const proxy = proxies[i] as string;
    const sealed = ga07.encrypt(params, proxy, ga07Verifiable.encodeReKeyShare(share), { random });
    return { proxy, sealed: ga07.encodeCiphertext(sealed) };
  });
  return { sealedShares, reKeyCommitment: ga07Verifiable.encodeReKeyCommitment(commitment), proxies: [...proxies], threshold };
}

/** The patient's signature on a sale's Fig. 3 form, or the institution's ({@link sharingFormSignable}). */
export function signSharingForm(signingKey: SigningKey, form: SharingForm, options?: RandomOptions): Uint8Array {
  return authSign(signingKey, sharingFormSignable(form), options);
}

/**
 * Step 6: the patient's `grantAccess` for a sale the contract approved - the key commitment, the
 * proxies, the stored ciphertext's header - with its signature on the sale's Fig. 3 form, dated `time`.
 * @param sale - the approval as the ledger holds it
 * @param issued - from {@link issueReKey}
 * @param stored - the ciphertext the proxies store
 * @throws ProtocolError `wrongStage` unless the sale is approved; RangeError if `patientKey` is not the sale's patient
 */
export function grantAccess(
  config: DeploymentRef,
  patientKey: SigningKey,
  sale: Approval,
  issued: IssuedReKey,
  stored: Ga07Ciphertext,
  time: number,
  options?: RandomOptions,
): Uint8Array {
  if (patientKey.identity !== sale.patient) throw new ArgumentValueError('patientKey', `is not the key of ${sale.patient}`);
  if (sale.stage !== 'approved') throw new ProtocolError('wrongStage', `${sale.id} is ${sale.stage}, not approved`);
  const random = randomFrom(options);
  const formSignature = signSharingForm(patientKey, sharingFormOf(config, sale, time), { random });
  const body = {
    approvalId: sale.id,
    reKeyCommitment: issued.reKeyCommitment,
    proxies: issued.proxies,
    ciphertextHeader: ciphertextHeader(stored),
    formTime: time,
    formSignature,
  };
  return signTransaction(config, patientKey, 'grantAccess', body, time, { random });
}

/** What the institution needs to accept a grant and read the record: its pseudonym's keys. */
export type InstitutionKeys = Pick<Credentials, 'decryptionKey' | 'signingKey'>;

function decodeGrantCommitment(sale: Approval): Ga07ReKeyCommitment {
  if (sale.grant === null) throw new ProtocolError('wrongStage', `${sale.id} has no grant`);
  return ga07Verifiable.decodeReKeyCommitment(sale.grant.reKeyCommitment); // the contract decoded it: it decodes
}

/**
 * The institution's `acceptGrant`: before it commits its escrow to the exchange it checks, with its
 * own key, that the on-ledger key commitment opens for it (`verifyReKeyCommitment`): then any t
 * partials that verify against the commitment - as the contract checks each one - combine to a
 * ciphertext it decrypts. It countersigns the sale's Fig. 3 form.
 * @throws ProtocolError `wrongStage` unless the sale is granted; `reEncryptionProofInvalid` (the
 * patient accountable) if the commitment does not open for this institution: do not accept, reclaim at the deadline
 */
export function acceptGrant(
  config: Pick<ContractConfig, 'deployment' | 'preParams'>,
  institution: InstitutionKeys,
  sale: Approval,
  time: number,
  options?: RandomOptions,
): Uint8Array {
  const { decryptionKey, signingKey } = aobject<InstitutionKeys>(institution, 'institution');
  if (signingKey.identity !== sale.institution) throw new ArgumentValueError('institution', `is not ${sale.institution}`);
  if (sale.stage !== 'granted' || sale.grant === null)
    throw new ProtocolError('wrongStage', `${sale.id} is ${sale.stage}, not granted`);
  if (!ga07Verifiable.verifyReKeyCommitment(config.preParams, decryptionKey, decodeGrantCommitment(sale))) {
    throw new ProtocolError(
      'reEncryptionProofInvalid',
      `the key commitment of ${sale.id} does not open for ${sale.institution}: not accepting`,
      [sale.patient],
    );
  }
  const random = randomFrom(options);
  const formSignature = signSharingForm(signingKey, sharingFormOf(config, sale, sale.grant.formTime), { random });
  return signTransaction(config, signingKey, 'acceptGrant', { approvalId: sale.id, formSignature }, time, { random });
}

/** What a proxy needs to re-encrypt: its IB-PRE key (to open its sealed share) and its AuthSign key (to sign its delivery). */
export type ProxyKeys = Pick<Credentials, 'decryptionKey' | 'signingKey'>;

/** Options of {@link proxyReEncrypt}. */
export interface ProxyOptions extends RandomOptions {
  /**
   * How long before the sale's deadline the proxy stops delivering, in seconds (default
   * 2 x maxClockSkew): a delivery ordered after the institution reclaimed would be refused but stay
   * on the ledger, where the institution could read it (docs/security.md, the fairness assumptions).
   */
  readonly margin?: number;
}

/** Does the opened key share match the on-ledger commitment at this proxy's index? */
function shareMatches(share: Ga07ReKeyShare, commitment: Ga07ReKeyCommitment, index: number): boolean {
  const Y = commitment.Y[index - 1];
  return (
    share.index === index &&
    share.delegator === commitment.delegator &&
    share.delegatee === commitment.delegatee &&
    share.threshold === commitment.threshold &&
    share.total === commitment.total &&
    share.R1.equals(commitment.R1) &&
    gtEq(share.R2, commitment.R2) &&
    Y !== undefined &&
    gtEq(share.Y, Y)
  );
}

/**
 * Step 7: the proxy acts only on a sale the contract accepted (issue 12, item 6). It checks that
 * the sale is at stage `accepted` and not near its deadline, that it is the proxy the grant lists
 * for its share, that its opened share is the one the on-ledger commitment names, and that the
 * ciphertext it stores is the one the grant's header names; then it re-encrypts with a proof and
 * returns the signed `deliver` transaction, which the contract verifies (the proxy's AuthSign on
 * it makes a bad partial attributable to the proxy).
 * @param sale - the sale as the ledger holds it
 * @param time - now, by the proxy's clock (the transaction time)
 * @returns the `deliver` transaction
 * @throws ProtocolError `wrongStage` / `saleExpired` (do not act), `notParty` (not a proxy of this
 * grant), `sealedKeyInvalid`, `grantMismatch` (the share or the stored ciphertext is not what the
 * grant names; the patient accountable for a share)
 */
export function proxyReEncrypt(
  config: Pick<ContractConfig, 'deployment' | 'preParams' | 'maxClockSkew'>,
  proxy: ProxyKeys,
  sale: Approval,
  sealedShare: Uint8Array,
  stored: Ga07Ciphertext,
  time: number,
  options?: ProxyOptions,
): Uint8Array {
  const { decryptionKey, signingKey } = aobject<ProxyKeys>(proxy, 'proxy');
  if (signingKey.identity !== decryptionKey.identity) {
    throw new ArgumentValueError('proxy', 'the decryption and signing keys are for different identities');
  }
  const grant = sale.grant;
  if (sale.stage !== 'accepted' || grant === null)
    throw new ProtocolError('wrongStage', `${sale.id} is ${sale.stage}, not accepted`);
  const margin = options?.margin ?? 2 * config.maxClockSkew;
  if (time + margin >= sale.deadline) {
    throw new ProtocolError('saleExpired', `${sale.id} ends at ${sale.deadline}: too late to deliver safely at ${time}`);
  }
  const index = grant.proxies.indexOf(signingKey.identity) + 1;
  if (index === 0) throw new ProtocolError('notParty', `${signingKey.identity} is not a proxy of ${sale.id}`);
  let share: Ga07ReKeyShare;
  try {
    share = ga07Verifiable.decodeReKeyShare(ga07.decrypt(config.preParams, decryptionKey, ga07.decodeCiphertext(sealedShare)));
  } catch (e) {
    throw new ProtocolError('sealedKeyInvalid', `the proxy cannot open its re-encryption key share: ${(e as Error).message}`);
  }
  if (!shareMatches(share, decodeGrantCommitment(sale), index)) {
    throw new ProtocolError(
      'grantMismatch',
      `the share sealed to ${signingKey.identity} is not share ${index} of the on-ledger grant`,
      [sale.patient],
    );
  }
  if (!bytesEqual(ciphertextHeader(stored), grant.ciphertextHeader)) {
    throw new ProtocolError('grantMismatch', 'the stored ciphertext is not the one the grant names');
  }
  const random = randomFrom(options);
  const partial = ga07Verifiable.encodeReEncryptionShare(
    ga07Verifiable.reEncryptShare(config.preParams, share, stored, { random }),
  );
  return signTransaction(config, signingKey, 'deliver', { approvalId: sale.id, partial }, time, { random });
}

/**
 * Step 8 / section 4.2.9, after the contract completed the sale: check that `stored` is the
 * ciphertext the grant names, check the key commitment opens for this institution, combine the t
 * partials the ledger holds (verifying them again), Decrypt(PK, C_{p->d}, SK_d), and check the
 * record, under the blinding that came with it, against the on-ledger commitment.
 * @param sale - the sale as the ledger holds it (stage `delivered`)
 * @param stored - the stored ciphertext, from any proxy (or the patient): its header must match the grant's
 * @returns the record
 * @throws ProtocolError `wrongStage`, `grantMismatch` (another ciphertext: fetch it from another
 * holder), `reEncryptionProofInvalid`, `decryptionFailed` or `recordMismatch` (the patient, who
 * signed the grant naming this ciphertext, accountable)
 */
export function receiveRecord(
  params: Ga07Params,
  institutionKey: Ga07SecretKey,
  sale: Approval,
  stored: Ga07Ciphertext,
  proofSystem: Pick<ProofSystem, 'commitRecord'>,
): number[] {
  const grant = sale.grant;
  if (sale.stage !== 'delivered' || grant === null)
    throw new ProtocolError('wrongStage', `${sale.id} is ${sale.stage}, not delivered`);
  if (!bytesEqual(ciphertextHeader(stored), grant.ciphertextHeader)) {
    throw new ProtocolError('grantMismatch', 'this is not the ciphertext the grant names');
  }
  const commitment = decodeGrantCommitment(sale);
  if (!ga07Verifiable.verifyReKeyCommitment(params, institutionKey, commitment)) {
    throw new ProtocolError('reEncryptionProofInvalid', 'the key commitment does not open for this institution', [sale.patient]);
  }
  let shared: Ga07Ciphertext;
  try {
    const partials = sale.deliveries.map((d) => ga07Verifiable.decodeReEncryptionShare(d.partial));
    shared = ga07Verifiable.combineReEncryptionShares(params, commitment, stored, partials);
  } catch (e) {
    if (!(e instanceof ProofError || e instanceof RangeError || e instanceof TypeError)) throw e;
    throw new ProtocolError('reEncryptionProofInvalid', `the delivered partials do not combine: ${e.message}`);
  }
  let opened: RecordOpening;
  try {
    opened = decodeRecord(ga07.decrypt(params, institutionKey, shared));
  } catch (e) {
    if (e instanceof DecryptionError || e instanceof RangeError)
      throw new ProtocolError('decryptionFailed', e.message, [sale.patient]);
    throw e;
  }
  let matches = false;
  try {
    matches = proofSystem.commitRecord(opened.record, opened.blinding) === sale.commitment;
  } catch {
    matches = false;
  }
  if (!matches) {
    throw new ProtocolError('recordMismatch', 'the record received is not the one committed on the ledger', [sale.patient]);
  }
  return opened.record;
}
