/**
 * Turns benchmark results into the report: markdown tables of our figures beside the
 * paper's (with the ratio) and SVG charts reproducing Figs. 5-8. Pure: results in, text out.
 */
import type { Machine, Measurement } from './harness.js';
import { fig5, fig6, fig7, fig8, type InputCount, type PaperValue, paperMachine, table3, table4 } from './paper.js';
import { type ChartSeries, renderChart } from './svg.js';

/** One zk-SNARK measurement point (one circuit size). */
export interface ZkPoint {
  /** Number of circuit inputs (record fields). */
  readonly n: number;
  /** R1CS constraints of the circuit. */
  readonly constraints: number;
  readonly keyGen: Measurement;
  readonly prove: Measurement;
  readonly verify: Measurement;
  readonly provingKeyBytes: number;
  readonly verificationKeyBytes: number;
  /** Packed proof size. */
  readonly proofBytes: number;
}

/** One PBFT measurement: a block of `batch` transactions among `replicas` nodes. */
export interface PbftPoint {
  /** How client signatures were checked: 'consensus only', 'full' (noble) or 'full, native verify'. */
  readonly mode: string;
  readonly replicas: number;
  readonly batch: number;
  readonly block: Measurement;
  /** Transactions per second at this batch size. */
  readonly throughput: number;
}

/** One contract operation on the EVM. */
export interface EvmPoint {
  /** The contract function. */
  readonly operation: string;
  /** Gas of the transaction (exact; the same on any Prague chain). */
  readonly gas: number;
  /** How many fit a block of `blockGas`. */
  readonly perBlock: number;
  /** Wall time of the transaction on the in-process EVM. */
  readonly wall: Measurement;
  /** The issue's gas target, where it sets one. */
  readonly target?: number;
}

/** The EVM suite's results. */
export interface EvmResults {
  /** The pairing precompiles of the in-process EVM: 'wasm' (mcl-wasm, rustbn-wasm) or 'noble'. */
  readonly precompiles: string;
  /** Gas of the contract's deployment. */
  readonly deploymentGas: number;
  /** The block gas limit the per-block counts use. */
  readonly blockGas: number;
  readonly points: readonly EvmPoint[];
}

/** The pairing suites' figures on one backend. */
export interface BackendResults {
  /** The backend: 'noble' or 'mcl'. */
  readonly name: string;
  /** One pairing on fresh points on this backend, before its operations: the unit of its "x pairing" column. */
  readonly pairing: Measurement;
  /** The same pairing measured again after the operations (absent in reports before 2026-12). */
  readonly pairingAfter?: Measurement;
  /** The pre and ga07 operations on this backend. */
  readonly operations: readonly Measurement[];
}

/** Everything one benchmark run produced. */
export interface BenchResults {
  readonly machine: Machine;
  /** ISO date of the run (given by the caller). */
  readonly date: string;
  readonly options: { readonly quick: boolean; readonly runs: number };
  /** One pairing, measured in the same run: the unit of the operation table. */
  readonly pairing?: Measurement;
  readonly operations?: readonly Measurement[];
  /** The pairing suites once per backend (noble first), shown side by side. */
  readonly backends?: readonly BackendResults[];
  /** Umbral's operations (non-pairing PRE), shown beside the backends. */
  readonly umbral?: readonly Measurement[];
  readonly zk?: readonly ZkPoint[];
  readonly pbft?: readonly PbftPoint[];
  readonly evm?: EvmResults;
}

/** A chart file of the report. */
export interface Chart {
  readonly file: string;
  readonly svg: string;
}

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const seconds = (m: Measurement): number => m.medianMs / 1000;
const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
const inUnit = (v: PaperValue, unit: 's' | 'KB' | 'MB'): number =>
  v.unit === unit
    ? v.value
    : v.unit === 'ms' && unit === 's'
      ? v.value / 1000
      : v.unit === 'min' && unit === 's'
        ? v.value * 60
        : Number.NaN;
const ratio = (paper: number, ours: number): string => (ours > 0 ? `${(paper / ours).toFixed(1)}x` : '-');

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
}

function paperAt(figure: Partial<Record<InputCount, PaperValue>>, n: number): PaperValue | undefined {
  return figure[n as InputCount];
}

/** The PBFT modes measured, in the order of the table. */
function fig5Modes(pbft: readonly PbftPoint[]): string[] {
  return [...new Set(pbft.map((p) => p.mode))];
}

/** The Fig. 5 chart file of one mode: 'fig5-block-consensus-only.svg', 'fig5-block-full-native-verify.svg', ... */
export function fig5File(mode: string): string {
  return `fig5-block-${mode
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}.svg`;
}

/** Renders the markdown report and the charts. */
export function renderReport(results: BenchResults): { markdown: string; charts: Chart[] } {
  const { machine } = results;
  const lines: string[] = [
    '# medshare benchmark report',
    '',
    `Run ${results.date} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}); load average ${machine.loadAverage} at the start.`,
    `Mode: ${results.options.quick ? 'quick (reduced set, few repeats: indicative only)' : 'full'}; at least ${results.options.runs} timed runs per figure; medians with min-max.`,
    `The paper's figures: ${paperMachine}. "paper / ours" above 1 means we are faster or smaller.`,
    '',
  ];
  const charts: Chart[] = [];

  if (results.backends && results.backends.length > 0) lines.push(...backendTables(results.backends, results.umbral ?? []));
  else if (results.umbral && results.umbral.length > 0) {
    lines.push(
      '## Umbral',
      '',
      table(
        ['operation', 'median ms'],
        results.umbral.map((m) => [m.name, ms(m.medianMs)]),
      ),
      '',
    );
  }

  if (results.operations && results.pairing && !(results.backends && results.backends.length > 0)) {
    const unit = results.pairing.medianMs;
    lines.push('## IB-PRE and AuthSign operations', '', `One pairing (noble) = ${ms(unit)} ms in this run.`, '');
    lines.push(
      table(
        ['operation', 'median ms', 'min-max ms', 'runs', 'x pairing'],
        [results.pairing, ...results.operations].map((m) => [
          m.name,
          ms(m.medianMs),
          `${ms(m.minMs)}-${ms(m.maxMs)}`,
          String(m.runs),
          (m.medianMs / unit).toFixed(2),
        ]),
      ),
      '',
    );
  }

  if (results.zk && results.zk.length > 0) {
    const zk = [...results.zk].sort((a, b) => a.n - b.n);
    const figures: [string, string, Partial<Record<InputCount, PaperValue>>, (p: ZkPoint) => Measurement, string][] = [
      ['Fig. 6', 'key pair generation time', fig6, (p) => p.keyGen, 'fig6-keygen.svg'],
      ['Fig. 7', 'proof generation time', fig7, (p) => p.prove, 'fig7-prove.svg'],
      ['Fig. 8', 'proof verification time', fig8, (p) => p.verify, 'fig8-verify.svg'],
    ];
    for (const [figure, what, paper, pick, file] of figures) {
      lines.push(`## ${figure}: ${what}`, '', `![${figure}](${file})`, '');
      lines.push(
        table(
          ['inputs n', 'constraints', 'ours median s', 'ours min-max s', 'paper s', 'paper / ours'],
          zk.map((p) => {
            const m = pick(p);
            const pv = paperAt(paper, p.n);
            return [
              String(p.n),
              String(p.constraints),
              seconds(m).toFixed(3),
              `${(m.minMs / 1000).toFixed(3)}-${(m.maxMs / 1000).toFixed(3)}`,
              pv ? String(inUnit(pv, 's')) : 'not stated',
              pv ? ratio(inUnit(pv, 's'), seconds(m)) : '-',
            ];
          }),
        ),
        '',
      );
      const paperPoints = zk.flatMap((p) => {
        const pv = paperAt(paper, p.n);
        return pv ? [{ x: p.n, y: inUnit(pv, 's') }] : [];
      });
      const series: ChartSeries[] = [
        {
          name: 'medshare (median, min-max)',
          style: 'line',
          points: zk.map((p) => ({ x: p.n, y: seconds(pick(p)), min: pick(p).minMs / 1000, max: pick(p).maxMs / 1000 })),
        },
      ];
      if (paperPoints.length > 0)
        series.push({ name: 'Huang et al. 2020 (as stated in the text)', style: 'markers', points: paperPoints });
      charts.push({
        file,
        svg: renderChart({
          title: `${figure}: ${what}`,
          xLabel: 'circuit inputs n (record fields)',
          yLabel: 'time (s, log scale)',
          logY: true,
          series,
        }),
      });
    }
    lines.push('## Table 3: key and proof sizes', '');
    lines.push(
      table(
        ['inputs n', 'proving key MB (ours / paper)', 'verification key KB (ours / paper)', 'proof KB (ours / paper)'],
        zk.map((p) => {
          const paper = table3[p.n as InputCount];
          return [
            String(p.n),
            `${mb(p.provingKeyBytes)} / ${paper ? paper.provingKey.value : '-'}`,
            `${kb(p.verificationKeyBytes)} / ${paper ? paper.verificationKey.value : '-'}`,
            `${kb(p.proofBytes)} / ${paper ? paper.proof.value : '-'}`,
          ];
        }),
      ),
      '',
    );
    const at1000 = zk.find((p) => p.n === 1000);
    if (at1000) {
      const { ours, pghr } = table4;
      lines.push('## Table 4: at 1000 inputs', '');
      lines.push(
        table(
          ['', 'medshare', 'Huang et al. 2020', 'PGHR'],
          [
            ['KeyGen (s)', seconds(at1000.keyGen).toFixed(2), String(ours.keyGen.value), String(pghr.keyGen.value)],
            ['Prove (s)', seconds(at1000.prove).toFixed(2), String(ours.prove.value), String(pghr.prove.value)],
            ['Verify (s)', seconds(at1000.verify).toFixed(4), String(ours.verify.value), String(pghr.verify.value)],
            ['proving key (MB)', mb(at1000.provingKeyBytes), String(ours.provingKey.value), String(pghr.provingKey.value)],
            [
              'verification key (KB)',
              kb(at1000.verificationKeyBytes),
              `${ours.verificationKey.value} (see note)`,
              String(pghr.verificationKey.value),
            ],
          ],
        ),
        '',
        `Note: ${ours.verificationKey.origin.note}.`,
        '',
      );
    }
  }

  if (results.pbft && results.pbft.length > 0) {
    const pbft = [...results.pbft].sort((a, b) => a.mode.localeCompare(b.mode) || a.replicas - b.replicas || a.batch - b.batch);
    lines.push('## Fig. 5: block generation time', '');
    for (const mode of fig5Modes(pbft)) lines.push(`![Fig. 5, ${mode}](${fig5File(mode)})`);
    lines.push('');
    lines.push(
      table(
        ['client signatures', 'replicas', 'batch (tx)', 'block median ms', 'min-max ms', 'throughput tx/s'],
        pbft.map((p) => [
          p.mode,
          String(p.replicas),
          String(p.batch),
          ms(p.block.medianMs),
          `${ms(p.block.minMs)}-${ms(p.block.maxMs)}`,
          p.throughput.toFixed(0),
        ]),
      ),
      '',
      `Paper (Fig. 5, as stated in the text): PoW about ${fig5.pow.value} min per block, DPoS ${fig5.dpos.value} min, PBFT ${((fig5.pbftSpeedupOverDpos.value - 1) * 100).toFixed(0)}% faster than DPoS. medshare's figures are compute only, all replicas in one process, no network. "consensus only": client requests arrive already checked by the contract; "full": every replica checks every client's Ed25519 signature with noble; "native verify": the same checks through node:crypto.`,
      '',
    );
    // One chart per mode (the modes differ by orders of magnitude), one line per replica count.
    const longest = Math.max(...pbft.map((p) => p.batch));
    for (const mode of fig5Modes(pbft)) {
      const charted = pbft.filter((p) => p.mode === mode);
      const replicaCounts = [...new Set(charted.map((p) => p.replicas))].sort((a, b) => a - b);
      charts.push({
        file: fig5File(mode),
        svg: renderChart({
          title: `Fig. 5: block generation time (${mode})`,
          xLabel: 'transactions per block (log scale)',
          logX: true,
          yLabel: 'time per block (s, log scale)',
          logY: true,
          series: [
            ...replicaCounts.map((n) => ({
              name: `medshare PBFT, ${n} replicas`,
              style: 'line' as const,
              points: charted
                .filter((p) => p.replicas === n)
                .map((p) => ({ x: p.batch, y: p.block.medianMs / 1000, min: p.block.minMs / 1000, max: p.block.maxMs / 1000 })),
            })),
            {
              name: 'PoW (MedRec), DPoS (MDSM): paper text',
              style: 'markers' as const,
              points: [
                { x: longest, y: inUnit(fig5.pow, 's') },
                { x: longest, y: inUnit(fig5.dpos, 's') },
              ],
            },
          ],
        }),
      });
    }
  }

  if (results.evm && results.evm.points.length > 0) {
    const evm = results.evm;
    lines.push('## The contract on an EVM (Besu QBFT or any Prague chain), beside Fig. 5', '');
    lines.push(
      table(
        ['operation', 'gas', `per ${(evm.blockGas / 1e6).toFixed(0)}M-gas block`, 'target', 'in-process median ms', 'min-max ms'],
        evm.points.map((p) => [
          p.operation,
          p.gas.toLocaleString('en-US'),
          String(p.perBlock),
          p.target === undefined ? '' : `<= ${p.target.toLocaleString('en-US')} (${p.gas <= p.target ? 'met' : 'NOT met'})`,
          ms(p.wall.medianMs),
          `${ms(p.wall.minMs)}-${ms(p.wall.maxMs)}`,
        ]),
      ),
      '',
      `Gas is exact and the same on every chain with Prague (EIP-2537); deployment ${evm.deploymentGas.toLocaleString('en-US')} gas. Wall time is one transaction on the in-process EVM (@ethereumjs/vm, ${evm.precompiles === 'wasm' ? 'WebAssembly pairing precompiles: mcl-wasm, rustbn-wasm' : 'its default @noble/curves precompiles'}), not a network: a Besu QBFT block takes its block period (seconds) whatever it holds, so the per-block count is the throughput bound. Compare with the PBFT reference above, where the contract runs in TypeScript on every replica.`,
      '',
    );
  }

  return { markdown: `${lines.join('\n')}\n`, charts };
}

/** What ga07 is compared with in Umbral: [ga07 operation, Umbral operation, what both do]. */
const BESIDE_UMBRAL: readonly [string, string, string][] = [
  ['ga07 encrypt 1 KiB (known recipient)', 'umbral encrypt 1 KiB', 'encrypt 1 KiB'],
  ['ga07 decrypt (original, 1 KiB)', 'umbral decrypt (original)', 'decrypt (owner)'],
  ['ga07 reKeyGen', 'umbral generateKFrags (t = 1, n = 1)', 're-encryption key'],
  ['ga07 reEncrypt', 'umbral reencrypt (one proxy, with proof)', 're-encrypt (Umbral: with its proof)'],
  ['ga07 reEncryptShare (re-encryption + proof)', 'umbral reencrypt (one proxy, with proof)', 're-encrypt with a proof'],
  ['ga07 delegatee decrypt (first ciphertext of a re-encryption key)', 'umbral decrypt (re-encrypted)', 'delegatee decrypt'],
];

/** How much a backend's reference pairing moved between before and after its operations, as a fraction. */
function drift(b: BackendResults): number | undefined {
  return b.pairingAfter === undefined ? undefined : b.pairingAfter.medianMs / b.pairing.medianMs - 1;
}

/** A drift beyond this fraction makes the report say that the backend's ratios are uncertain. */
export const PAIRING_DRIFT_LIMIT = 0.2;

const percent = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;

/** " (before its operations; after them: noble 19.9 ms, -35%, ...)", or nothing for old results. */
function pairingAfterClause(backends: readonly BackendResults[]): string {
  const after = backends.flatMap((b) => {
    const d = drift(b);
    return b.pairingAfter === undefined || d === undefined ? [] : [`${b.name} ${ms(b.pairingAfter.medianMs)} ms, ${percent(d)}`];
  });
  return after.length === 0 ? '' : ` (before each backend's operations; after them: ${after.join('; ')})`;
}

/** A warning paragraph for each backend whose reference pairing moved more than the limit. */
function driftWarnings(backends: readonly BackendResults[]): string[] {
  return backends.flatMap((b) => {
    const d = drift(b);
    if (d === undefined || Math.abs(d) <= PAIRING_DRIFT_LIMIT) return [];
    return [
      `**The machine's speed moved during this run:** ${b.name}'s reference pairing changed by ${percent(d)} between before and after its operations (more than ${percent(PAIRING_DRIFT_LIMIT).slice(1)}), so its "x pairing" figures are uncertain by about that much. Compare its milliseconds within this run, and rerun on a quieter machine for ratios.`,
      '',
    ];
  });
}

/**
 * The pairing suites side by side: every operation in milliseconds and in pairings of its own
 * backend, with the speed-up of each backend over the first (noble); then ga07 beside Umbral.
 */
function backendTables(backends: readonly BackendResults[], umbral: readonly Measurement[]): string[] {
  const [first] = backends;
  if (first === undefined) return [];
  const find = (list: readonly Measurement[], name: string) => list.find((m) => m.name === name);
  const names = [first.pairing.name, ...new Set(backends.flatMap((b) => b.operations.map((m) => m.name)))];
  const header = ['operation'];
  for (const b of backends) header.push(`${b.name} ms`, `x ${b.name} pairing`);
  for (const b of backends.slice(1)) header.push(`${first.name} / ${b.name}`);
  const rows = names.map((name) => {
    const row = [name];
    const per = backends.map((b) => (name === first.pairing.name ? b.pairing : find(b.operations, name)));
    per.forEach((m, i) => {
      const unit = (backends[i] as BackendResults).pairing.medianMs;
      row.push(m ? ms(m.medianMs) : '-', m ? (m.medianMs / unit).toFixed(2) : '-');
    });
    for (const m of per.slice(1)) row.push(m && per[0] ? `${(per[0].medianMs / m.medianMs).toFixed(1)}x` : '-');
    return row;
  });
  const out = [
    '## IB-PRE and AuthSign operations, per pairing backend',
    '',
    `One pairing on fresh points: ${backends.map((b) => `${b.name} ${ms(b.pairing.medianMs)} ms`).join(', ')} in this run${pairingAfterClause(backends)}. "x pairing" is the cost in pairings of the same backend; "${first.name} / X" is how many times faster X is. Medians; min-max and run counts are in results.json.`,
    '',
    ...driftWarnings(backends),
    table(header, rows),
    '',
  ];
  const beside = BESIDE_UMBRAL.filter(([, u]) => find(umbral, u) !== undefined);
  if (beside.length > 0) {
    const last = backends[backends.length - 1] as BackendResults;
    out.push(
      '## ga07 beside Umbral',
      '',
      'Umbral (NuCypher: threshold PRE on secp256k1, public-key rather than identity-based, Rust compiled to WebAssembly) needs no pairing; the ratio is ga07 on the last backend over Umbral.',
      '',
      table(
        ['operation', ...backends.map((b) => `ga07 ${b.name} ms`), 'Umbral ms', `${last.name} / Umbral`],
        beside.map(([g, u, label]) => {
          const um = find(umbral, u) as Measurement;
          const ours = backends.map((b) => find(b.operations, g));
          const lastOurs = ours[ours.length - 1];
          return [
            label,
            ...ours.map((m) => (m ? ms(m.medianMs) : '-')),
            ms(um.medianMs),
            lastOurs ? `${(lastOurs.medianMs / um.medianMs).toFixed(1)}x` : '-',
          ];
        }),
      ),
      '',
    );
  }
  return out;
}
