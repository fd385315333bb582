/**
 * medshare: privacy-preserving sharing of medical records between patients and research
 * institutions (Huang et al., Computers & Security 2020, and beyond).
 *
 * Each concern has its own subpath (`medshare/pre`, `medshare/sign`, `medshare/pbft`, `medshare/ledger`,
 * `medshare/protocol`); this entry re-exports
 * them as namespaces.
 * @module
 */
export * as pre from './pre/index.js';
export * as sign from './sign/index.js';
export * as pbft from './pbft/index.js';
export * as ledger from './ledger/index.js';
export * as protocol from './protocol/index.js';
export * from './internal/public-errors.js';
export { DecryptionError, ProofError } from './internal/errors.js';
export type { RejectedPart } from './internal/errors.js';
