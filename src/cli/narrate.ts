/**
 * The demo's words: turns each fact report of `runStory` (medshare/protocol) into a title, lines
 * and "saw:" lines - who saw what in that step. Each "saw:" line states what that party can read
 * or open, no less: the proxies open their key shares, which name the record's identity and the
 * institution; the ledger shows pseudonyms, never the identities behind them.
 * @module
 */
import type { StoryEvent, StoryReports, StoryStep } from '../protocol/index.js';

/** What the demo prints for one step. */
export interface Narration {
  /** The step's title. */
  readonly title: string;
  /** Details, one per line. */
  readonly lines: readonly string[];
  /** Who saw what. */
  readonly saw: readonly { readonly who: string; readonly what: string }[];
}

function hex(x: bigint): string {
  return `0x${x.toString(16).padStart(64, '0').slice(0, 16)}…`;
}

/** A short form of a pseudonym for printing. */
function short(address: string): string {
  return address.startsWith('addr:') ? `${address.slice(0, 13)}…` : address;
}

/**
 * A narrator for one run: it learns the names behind the pseudonyms from the setup report (the
 * demo plays every party, so it knows them; the ledger does not) and narrates each step.
 */
export function createNarrator(): (event: Extract<StoryEvent, { type: 'step' }>) => Narration {
  const names = new Map<string, string>();
  /** A party as the demo names it: its identity, with its pseudonym. */
  const who = (address: string) => {
    const name = names.get(address);
    return name === undefined ? short(address) : `${name} [${short(address)}]`;
  };
  const name = (address: string) => names.get(address) ?? short(address);
  const narrators: { [S in StoryStep]: (r: StoryReports[S]) => Narration } = {
    setup: (r) => {
      for (const p of r.parties) names.set(p.address, p.identity);
      return {
        title: 'PKG setup, pseudonyms, key issue and registration (4.2.1, 4.2.3, 5.1.4)',
        lines: [
          `${r.nodes} verification nodes (PBFT, f = ${r.f}); membership authority ${r.authority}`,
          ...r.parties.map((p) => `${p.identity} -> ${p.address} as ${p.role} (block ${p.height})`),
        ],
        saw: [
          { who: 'PKG', what: 'every secret key (key escrow of identity-based schemes)' },
          {
            who: r.authority,
            what: 'which identity is behind each pseudonym (it derives them, and can open one to hold a party accountable)',
          },
          { who: 'ledger (all nodes)', what: 'pseudonyms and roles; no identity' },
        ],
      };
    },
    'zk setup': (r) => ({
      title: `ZKPKeyGen for ${r.fields}-field records (4.2.6 step 5), proof system: ${r.proofSystem}`,
      lines: [
        r.proofSystem === 'stand-in'
          ? 'STAND-IN proof system: an Ed25519-signing trusted prover, NOT a zk-SNARK'
          : r.proofSystem === 'groth16'
            ? 'Groth16 on BN254 (medshare/zk): one circuit per record size, compiled once and cached'
            : `proof system ${r.proofSystem}`,
        `verification key VK_c: ${r.verificationKeyBytes} bytes`,
      ],
      saw: [{ who: 'everyone', what: 'VK_c' }],
    }),
    deposit: (r) => ({
      title: 'the membership authority credits the institutions (value paid in off the ledger)',
      lines: r.deposits.map((d) => `${who(d.institution)} +${d.amount}: available ${d.balance} (block ${d.height})`),
      saw: [{ who: 'ledger (all nodes)', what: 'the pseudonyms credited and the amounts' }],
    }),
    'step 1': (r) => ({
      title: `${name(r.institution)} publishes a requirement and escrows its rewards`,
      lines: [
        `${r.requirementId} in block ${r.height}: key words [${r.keywords.join(', ')}], reward ${r.reward} x ${r.capacity} places, ${r.exclusive ? 'exclusive' : 'non-exclusive'} licence`,
        `escrowed ${r.escrowed} from ${who(r.institution)}; available now ${r.available}`,
      ],
      saw: [
        {
          who: 'ledger (all nodes)',
          what: `the institution's pseudonym, criteria hash ${hex(r.criteriaHash)}, key words, VK_c, reward, places, licence terms`,
        },
        {
          who: 'patient:alice',
          what: 'the full criteria and their nonce (given by the institution off the ledger, to prove against)',
        },
      ],
    }),
    'step 2': (r) => ({
      title: `${name(r.hospital)} encrypts the record to its own identity and stores it with the proxies`,
      lines: [
        `Encrypt(PK, ID, D || rho) to ${short(r.patient)}#record:…: ${r.fields} fields and the commitment's blinding rho -> ${r.ciphertextBytes}-byte ciphertext`,
      ],
      saw: [
        { who: name(r.hospital), what: "the record and its blinding rho (it made them, on the patient's behalf)" },
        {
          who: r.proxies.map(name).join(', '),
          what: "the ciphertext: its recipient label names the patient's pseudonym and the record commitment, its length the record's size; not the record",
        },
      ],
    }),
    'step 3': (r) => ({
      title: `${name(r.hospital)} registers the commitment with the patient's consent, which names the hospital`,
      lines: [
        `${r.recordId} in block ${r.height}: commitment ${hex(r.commitment)}; consent sigma_a by ${who(r.patient)} for registrant ${who(r.hospital)}`,
      ],
      saw: [
        {
          who: 'ledger (all nodes)',
          what: "the patient's and the hospital's pseudonyms, the commitment (hiding: blinded by rho) and the consent; not the record",
        },
      ],
    }),
    'step 4': (r) => ({
      title: `${name(r.patient)} proves the record meets the requirement`,
      lines: [
        `R = ${r.eligible ? 1 : 0}, h = ${hex(r.binding)}, T = ${r.timestamp}; sigma_a = AuthSign(SK_p, h); a record that fails is never proved or submitted`,
      ],
      saw: [{ who: name(r.patient), what: 'everything (its own record)' }],
    }),
    'step 5': (r) => ({
      title: 'the contract verifies the submission and reserves the reward',
      lines: [
        `accepted in block ${r.height}: signature, proof, requirement hash, commitment, R = 1, freshness, no replay`,
        `approval ${r.approvalId}: ${r.reserved} of the escrow reserved for this sale; ${r.placesLeft} places left`,
      ],
      saw: [
        {
          who: 'ledger (all nodes)',
          what: "proof, public signals (R, h, commitment, requirement hash, ID_p = H(patient's pseudonym), T), sigma_a: that this pseudonym's record meets this requirement",
        },
      ],
    }),
    fault: (r) => ({
      title: `verification node ${r.node} crashes`,
      lines: [`node ${r.node} stops at height ${r.height}; the other ${r.up} still form a quorum`],
      saw: [],
    }),
    'step 6': (r) => ({
      title: `${name(r.patient)} grants ${name(r.institution)} re-encryption: key shares sealed to ${r.proxies.length} proxies, the Fig. 3 form signed`,
      lines: [
        `ReKeyGen from this record's key only; ${r.threshold}-of-${r.proxies.length} key shares, each Encrypt(PK, ID_proxy, share): ${r.sealedShareBytes.join(', ')} bytes`,
        `grant in block ${r.height}: key commitment (${r.commitmentBytes} bytes), proxies [${r.proxies.map(name).join(', ')}], ciphertext header (C1, C2, digest of the sealed record)`,
        `the patient signs the form: approval, requirement, record, both pseudonyms, commitment, reward, licence terms, T = ${r.formTime}`,
      ],
      saw: [
        {
          who: r.proxies.map(name).join(', '),
          what: "its sealed share, which it opens: it names the record's identity (the patient's pseudonym and the commitment), the institution's pseudonym, t, n, R1, R2 and Y_i; alone it opens nothing",
        },
        {
          who: 'ledger (all nodes)',
          what: "the key commitment, the proxies, the ciphertext header and the patient's signature on the form",
        },
      ],
    }),
    accept: (r) => ({
      title: `${name(r.institution)} checks the key commitment opens for it, and countersigns the form`,
      lines: [
        'verifyReKeyCommitment with its own key: any t partials that verify against the commitment combine to a ciphertext it decrypts',
        `acceptance in block ${r.height}: the proxies deliver until ${r.deadline}; after that, if the sale is incomplete, the institution may reclaim its escrow`,
      ],
      saw: [{ who: 'ledger (all nodes)', what: "the institution's signature on the form" }],
    }),
    'step 7': (r) => {
      let valid = 0;
      return {
        title: 'the proxies read the grant on the ledger, re-encrypt and post their partials; the contract verifies each',
        lines: r.deliveries.map((d) => {
          const proxy = `${name(d.proxy)} (share ${d.index})`;
          if (d.behaviour === 'down') return `${proxy} is down: posts nothing`;
          if (d.outcome === null) return `${proxy}: the sale is already complete on the ledger; nothing to post`;
          if (!d.outcome.accepted) {
            return `${proxy}${d.behaviour === 'lies' ? ' lies' : ''}: refused in block ${d.height}, ${d.outcome.reason}, accountable ${who(d.outcome.accountable ?? '')} (its signed transaction stays on the ledger)`;
          }
          valid++;
          return `${proxy}: accepted in block ${d.height}, a ${d.bytes}-byte partial with its proof (${valid} of ${r.threshold})`;
        }),
        saw: [
          { who: 'the proxies', what: 'the stored ciphertext and, from the ledger, the grant they act on' },
          {
            who: 'ledger (all nodes)',
            what: "the partials C2'_i and their proofs: of use only with X, which only the institution opens",
          },
        ],
      };
    },
    'step 9': (r) => ({
      title: 'the contract completes the sale at the t-th valid partial: licence and payment, before the institution decrypts',
      lines: [
        `block ${r.height}: ${r.licence.exclusive ? 'exclusive' : 'non-exclusive'} licence to ${who(r.licence.institution)} since T = ${r.licence.time}`,
        `the patient is paid ${r.paid} from escrow: balance ${r.patientBalance}; the institution's available balance ${r.institutionBalance}; left in this sale's escrow ${r.escrowLeft}`,
      ],
      saw: [{ who: 'ledger (all nodes)', what: 'the licence and the payment, between two pseudonyms' }],
    }),
    'step 8': (r) => ({
      title: `${name(r.institution)} combines the partials on the ledger, decrypts and checks the record`,
      lines: [`received ${r.received.length} fields; commitment matches the ledger: it is the data that was proven`],
      saw: [
        {
          who: name(r.institution),
          what: `the record [${r.received.slice(0, 6).join(', ')}${r.received.length > 6 ? ', …' : ''}]`,
        },
      ],
    }),
    recovery: (r) => ({
      title: `verification node ${r.node} restarts`,
      lines: [
        `replayed its ${r.restartedAt} blocks (each replayed contract state matches the hash kept beside its block)`,
        `the others are at height ${r.height}; it catches up when the next request reaches it`,
      ],
      saw: [],
    }),
    '5.1.5': (r) => {
      const o = r.outcome;
      return {
        title: `the patient tries to sell the same record to ${name(r.institution)}`,
        lines: [
          `${name(r.institution)} published ${r.requirementId}, ${r.escrowed} escrowed`,
          o.accepted ? 'ACCEPTED (a second sale under an exclusive licence)' : `refused: ${o.reason}`,
          ...(o.accepted
            ? []
            : [
                `accountable: ${who(o.accountable ?? '')} (the refused transaction ${r.transactionId.slice(0, 16)}… is in block ${r.height}, signed by ${short(o.sender ?? '')})`,
              ]),
          r.licence === null
            ? 'no licence on the ledger'
            : `licence on the ledger: ${who(r.licence.institution)}, exclusive, since T = ${r.licence.time}`,
        ],
        saw: [{ who: 'ledger (all nodes)', what: "the attempt, signed by the patient's pseudonym, and the refusal" }],
      };
    },
    close: (r) => ({
      title: `${name(r.institution)} closes its requirement`,
      lines: [`${r.requirementId} closed in block ${r.height}: ${r.refunded} returned from escrow; available ${r.balance}`],
      saw: [],
    }),
    recovered: (r) => ({
      title: `verification node ${r.node} catches up`,
      lines: [
        `from height ${r.from} to ${r.to} (PBFT retransmission or state transfer, then ${r.ticks} more logical ticks)`,
        `same ledger head and contract-state hash as the others: ${r.agreed ? 'yes' : 'NO'}`,
      ],
      saw: [],
    }),
  };
  return (event) => (narrators[event.step] as (r: StoryReports[StoryStep]) => Narration)(event.report);
}

/** The progress line for a long stage of the story. */
export function progressLine(event: Extract<StoryEvent, { type: 'progress' }>): string {
  if (event.activity === 'registering') return `registering ${event.detail} identities, one PBFT round each`;
  if (event.activity === 'proving') return `proving (${event.detail})`;
  return event.detail;
}
