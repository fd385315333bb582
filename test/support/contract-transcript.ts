/**
 * The contract's transcript environment (test/testdata/contract/*.txt, run by the shared runner
 * test/support/transcript.ts): it drives the contract (applyTransaction, no PBFT) over the world of
 * protocol-fixture.ts and prints each outcome with the parties' names instead of their pseudonyms
 * and named sales instead of ids, so transcripts do not depend on randomness.
 *
 * Commands (times `at=N` are seconds after T0; by default one second after the previous command):
 * - `publish <lab> as=<req> criteria=A|B reward=<n> capacity=<n> exclusive=true|false`
 * - `record <name> values=<a,b,c,d> [by=<registrant>] [consent=<party>] [patient=<party>]`
 * - `submit <sale> req=<req> rec=<record> [patient=<party>]` (A, B and RECORD exist from the start)
 * - `grant <sale> [proxies=<p,p,...>] [t=<n>]`, `accept <sale>`, `deliver <sale> <proxy> [lie]`
 * - `reclaim <sale> [by=<lab>]`, `close <req> [by=<lab>]`, `deposit <party> <n>`, `withdraw <party> <n>`
 * - `balances`, `sale <sale>`, `licences <record>`: print state
 * A party's own refusal (a ProtocolError before anything is signed) prints `the client refuses: <reason>`.
 */
import {
  acceptGrant,
  grantAccess,
  type IssuedReKey,
  type MedicalRecord,
  type Outcome,
  ProtocolError,
  type Requirement,
  signTransaction,
} from '../../src/protocol/index.js';
import {
  apply,
  IDS,
  lyingDelivery,
  type Party,
  publishOp,
  REQUIREMENT_A,
  REQUIREMENT_B,
  random,
  registerOp,
  reKeyFor,
  saleIn,
  saleSteps,
  stored as encryptRecordFor,
  submitOp,
  T0,
  type World,
  RECORD,
} from './protocol-fixture.js';
import type { AsyncTranscriptEnvironment, Command } from './transcript.js';

/** The transcript environment over one world (build one per transcript). */
export function contractTranscriptEnvironment(world: World): AsyncTranscriptEnvironment {
  let state = world.state;
  let clock = T0 + 50;
  const names = new Map<string, string>(Object.keys(IDS).map((k) => [world.addr[k as Party], k]));
  const requirements = new Map<string, { id: string; criteria: Requirement }>([
    ['A', { id: world.requirementA, criteria: REQUIREMENT_A }],
    ['B', { id: world.requirementB, criteria: REQUIREMENT_B }],
  ]);
  const records = new Map<string, { id: string; values: MedicalRecord }>();
  const sales = new Map<string, { id: string; issued: IssuedReKey | null; values: MedicalRecord }>();
  const stored = new Map<string, ReturnType<typeof encryptRecordFor>>();
  const nameOf = (address: string | null) => (address === null ? '-' : (names.get(address) ?? address));
  const ciphertextOf = (values: MedicalRecord) => {
    const key = values.join(',');
    let ct = stored.get(key);
    if (ct === undefined) {
      ct = encryptRecordFor(world, values);
      stored.set(key, ct);
    }
    return ct;
  };

  const describe = (outcome: Outcome): string =>
    outcome.accepted ? 'accepted' : `refused ${outcome.reason} (accountable: ${nameOf(outcome.accountable)})`;
  const run = (operation: Uint8Array, onAccepted: (id: string) => void = () => {}) => {
    const result = apply(world, state, operation, Math.max(state.clock, clock));
    if (result.outcome.accepted) {
      state = result.state;
      onAccepted(result.outcome.id);
    }
    return describe(result.outcome);
  };
  const sale = (name: string | undefined) => {
    const s = sales.get(name ?? '');
    if (s === undefined) throw new Error(`no sale '${name}'`);
    return s;
  };
  const party = (name: string | undefined): Party => {
    if (name === undefined || !(name in IDS)) throw new Error(`no party '${name}'`);
    return name as Party;
  };
  const values = (text: string): MedicalRecord => text.split(',').map(Number);

  const commands: Record<string, (args: string[], opts: ReadonlyMap<string, string>) => string> = {
    publish([lab], o) {
      const criteria = o.get('criteria') === 'B' ? REQUIREMENT_B : REQUIREMENT_A;
      const terms = {
        exclusive: o.get('exclusive') === 'true',
        reward: Number(o.get('reward')),
        capacity: Number(o.get('capacity') ?? 1),
      };
      return run(publishOp(world, world.creds[party(lab)], criteria, terms, clock), (id) =>
        requirements.set(o.get('as') ?? '', { id, criteria }),
      );
    },
    record([name], o) {
      const v = values(o.get('values') ?? '');
      const registrant = party(o.get('by') ?? 'hospital');
      const op = registerOp(world, v, clock, {
        patient: party(o.get('patient') ?? 'patient'),
        registrant,
        consentFor: party(o.get('consent') ?? registrant),
      });
      return run(op, (id) => records.set(name ?? '', { id, values: v }));
    },
    grant([name], o) {
      const s = sale(name);
      const proxies = (o.get('proxies') ?? 'proxy,proxy2,proxy3').split(',').map(party);
      const current = saleIn(state, s.id);
      const lab = nameOf(current.institution) as Party;
      const issued = reKeyFor(world, lab, proxies, Number(o.get('t') ?? 2), s.values);
      s.issued = issued;
      return run(
        grantAccess(world.config, world.creds.patient.signingKey, current, issued, ciphertextOf(s.values), clock, { random }),
      );
    },
    accept([name]) {
      const current = saleIn(state, sale(name).id);
      return run(acceptGrant(world.config, world.creds[nameOf(current.institution) as Party], current, clock, { random }));
    },
    deliver([name, proxy, how]) {
      const s = sale(name);
      const current = saleIn(state, s.id);
      if (s.issued === null || current.stage !== 'accepted') return `${proxy} does not act: the sale is ${current.stage}`;
      let op = saleSteps(world).deliverOp(state, s.id, s.issued, party(proxy), clock, ciphertextOf(s.values));
      if (how === 'lie') op = lyingDelivery(world, op, party(proxy));
      return run(op);
    },
    reclaim([name], o) {
      const by = party(o.get('by') ?? nameOf(saleIn(state, sale(name).id).institution));
      return run(
        signTransaction(world.config, world.creds[by].signingKey, 'reclaim', { approvalId: sale(name).id }, clock, { random }),
      );
    },
    close([req], o) {
      const r = requirements.get(req ?? '');
      if (r === undefined) throw new Error(`no requirement '${req}'`);
      const by = party(o.get('by') ?? nameOf(state.requirements.get(r.id)?.institution ?? null));
      return run(
        signTransaction(world.config, world.creds[by].signingKey, 'closeRequirement', { requirementId: r.id }, clock, { random }),
      );
    },
    deposit([who, amount]) {
      return run(world.pkg.deposit(world.config, world.addr[party(who)], Number(amount), clock, { random }));
    },
    withdraw([who, amount]) {
      return run(
        signTransaction(world.config, world.creds[party(who)].signingKey, 'withdraw', { amount: Number(amount) }, clock, {
          random,
        }),
      );
    },
    balances() {
      const lines = [...state.balances.entries()].map(([a, b]) => `${nameOf(a)}: ${b}`).sort();
      let escrow = 0;
      for (const r of state.requirements.values()) escrow += r.places * r.reward;
      for (const a of state.approvals.values()) escrow += a.escrow;
      return [...lines, `escrow: ${escrow}`, `supply: ${state.supply}`].join('\n');
    },
    sale([name]) {
      const a = saleIn(state, sale(name).id);
      const shares = a.deliveries.map((d) => `${nameOf(d.proxy)}#${d.index}`).join(', ');
      return `${a.stage}; escrow ${a.escrow}; deadline T0+${a.deadline - T0}; delivered [${shares}]`;
    },
    licences([name]) {
      const rec = records.get(name ?? '') ?? (name === 'RECORD' ? { id: world.recordId } : undefined);
      const r = rec === undefined ? undefined : state.records.get(rec.id);
      if (r === undefined) throw new Error(`no record '${name}'`);
      const saleName = (id: string) => [...sales.entries()].find(([, s]) => s.id === id)?.[0] ?? id;
      const licences = r.licences.map(
        (l) => `licence ${nameOf(l.institution)} ${l.exclusive ? 'exclusive' : 'non-exclusive'} (${saleName(l.approvalId)})`,
      );
      const pending = r.pending.map(
        (p) => `pending ${nameOf(p.institution)} ${p.exclusive ? 'exclusive' : 'non-exclusive'} (${saleName(p.approvalId)})`,
      );
      return [...licences, ...pending].join('\n') || 'none';
    },
  };

  return {
    async run(command: Command): Promise<string> {
      const args = [...command.flags];
      const opts = command.args;
      const at = opts.get('at');
      clock = at === undefined ? clock + 1 : T0 + Number(at);
      if (command.name === 'submit') {
        const [name] = args;
        const req = requirements.get(opts.get('req') ?? '');
        const rec = opts.get('rec') === 'RECORD' ? { id: world.recordId, values: RECORD } : records.get(opts.get('rec') ?? '');
        if (req === undefined || rec === undefined) throw new Error('submit: unknown req= or rec=');
        const op = await submitOp(world, {
          requirementId: req.id,
          requirement: req.criteria,
          recordId: rec.id,
          record: rec.values,
          time: clock,
          patient: party(opts.get('patient') ?? 'patient'),
        });
        return run(op, (id) => sales.set(name ?? '', { id, issued: null, values: rec.values }));
      }
      const handler = commands[command.name];
      if (handler === undefined) throw new Error(`unknown command '${command.name}'`);
      try {
        return handler(args, opts);
      } catch (e) {
        // A party's own check refuses before anything reaches the ledger.
        if (e instanceof ProtocolError) return `the client refuses: ${e.reason}`;
        throw e;
      }
    },
  };
}
