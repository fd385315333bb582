/**
 * The benchmark report generator and chart writer on fixed inputs: the SVG has the right
 * points and labels, and the markdown puts our figures beside the paper's with the ratio.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Measurement } from '../bench/harness.js';
import { table3, table4 } from '../bench/paper.js';
import { type BenchResults, fig5File, PAIRING_DRIFT_LIMIT, type PbftPoint, renderReport, type ZkPoint } from '../bench/report.js';
import { escapeXml, niceTicks, renderChart } from '../bench/svg.js';

/** The plotted points of one series, read back from the SVG's data attributes. */
function plotted(svg: string, series: string): { x: number; y: number; cx: number; cy: number }[] {
  const re = new RegExp(
    `<(?:circle|rect) (?:cx="([\\d.]+)" cy="([\\d.]+)"|x="([\\d.-]+)" y="([\\d.-]+)")[^>]*data-series="${escapeXml(series).replace(/[()]/g, '\\$&')}" data-x="([\\d.e+-]+)" data-y="([\\d.e+-]+)"`,
    'g',
  );
  return [...svg.matchAll(re)].map((m) => ({
    cx: Number(m[1] ?? Number(m[3]) + 4),
    cy: Number(m[2] ?? Number(m[4]) + 4),
    x: Number(m[5]),
    y: Number(m[6]),
  }));
}

const m = (name: string, medianMs: number): Measurement => ({
  name,
  runs: 5,
  medianMs,
  minMs: medianMs * 0.9,
  maxMs: medianMs * 1.2,
});

describe('renderChart', () => {
  const spec = {
    title: 'Fig. 7: proof <generation> time',
    xLabel: 'circuit inputs n',
    yLabel: 'time (s)',
    series: [
      {
        name: 'ours',
        style: 'line' as const,
        points: [
          { x: 100, y: 0.5, min: 0.4, max: 0.6 },
          { x: 1000, y: 3 },
          { x: 500, y: 1.5 },
        ],
      },
      { name: 'paper', style: 'markers' as const, points: [{ x: 1000, y: 52 }] },
    ],
  };

  it('draws one marker per point with its data values, positioned monotonically in x and y', () => {
    const svg = renderChart(spec);
    const ours = plotted(svg, 'ours');
    expect(ours.map((p) => [p.x, p.y])).toEqual([
      [100, 0.5],
      [500, 1.5],
      [1000, 3],
    ]);
    expect(ours[0]?.cx).toBeLessThan(ours[1]?.cx as number);
    expect(ours[1]?.cx).toBeLessThan(ours[2]?.cx as number);
    expect(ours[0]?.cy).toBeGreaterThan(ours[1]?.cy as number); // larger y is higher on screen
    const paper = plotted(svg, 'paper');
    expect(paper).toHaveLength(1);
    expect(paper[0]?.cy).toBeLessThan(ours[2]?.cy as number);
    expect(paper[0]?.cx).toBeCloseTo(ours[2]?.cx as number, 0);
  });

  it('labels the title, both axes with units and every series, escaping XML', () => {
    const svg = renderChart(spec);
    expect(svg).toContain('Fig. 7: proof &lt;generation&gt; time');
    expect(svg).toMatch(/class="x-label"[^>]*>circuit inputs n</);
    expect(svg).toMatch(/class="y-label"[^>]*>time \(s\)</);
    expect(svg).toMatch(/class="legend"[^>]*>ours</);
    expect(svg).toMatch(/class="legend"[^>]*>paper</);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('refuses an empty chart and non-positive values on a log axis', () => {
    expect(() => renderChart({ ...spec, series: [] })).toThrow(RangeError);
    expect(() => renderChart({ ...spec, logY: true, series: [{ name: 'z', style: 'line', points: [{ x: 1, y: 0 }] }] })).toThrow(
      RangeError,
    );
  });

  it('niceTicks returns sorted, evenly spaced round ticks inside the range', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (lo, span) => {
          const ticks = niceTicks(lo, lo + span);
          expect(ticks.length).toBeGreaterThan(0);
          for (const t of ticks) {
            expect(t).toBeGreaterThanOrEqual(lo - span * 1e-9);
            expect(t).toBeLessThanOrEqual(lo + span + span * 1e-9);
          }
          const steps = ticks.slice(1).map((t, i) => t - (ticks[i] as number));
          for (const s of steps) expect(s).toBeCloseTo(steps[0] as number, 6);
        },
      ),
    );
  });
});

describe('renderReport', () => {
  const zk: ZkPoint[] = [100, 1000].map((n) => ({
    n,
    constraints: n * 40,
    keyGen: m('keyGen', 2000 + n),
    prove: m('prove', n * 2),
    verify: m('verify', 20),
    provingKeyBytes: n * 8192,
    verificationKeyBytes: 3000,
    proofBytes: 256,
  }));
  const results: BenchResults = {
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v20.0.0', platform: 'linux x64', loadAverage: 0.5 },
    date: '2026-01-01T00:00:00.000Z',
    options: { quick: true, runs: 3 },
    pairing: m('pairing', 10),
    operations: [m('decrypt', 15)],
    zk,
    pbft: [{ mode: 'consensus only', replicas: 4, batch: 100, block: m('block', 50), throughput: 2000 }],
  };

  it('names the machine and puts the operation costs in pairings', () => {
    const { markdown } = renderReport(results);
    expect(markdown).toContain('Test CPU, 2 cores, 24 GiB, Node v20.0.0');
    expect(markdown).toContain('load average 0.5');
    expect(markdown).toMatch(/\| decrypt \| 15\.0 \| 13\.5-18\.0 \| 5 \| 1\.50 \|/);
  });

  it('puts each zk figure beside the paper with the ratio, and Table 3 / Table 4 values', () => {
    const { markdown } = renderReport(results);
    // Fig. 7 at n = 1000: ours 2 s, paper 52 s -> 26.0x.
    expect(markdown).toMatch(/\| 1000 \| 40000 \| 2\.000 \| 1\.800-2\.400 \| 52 \| 26\.0x \|/);
    // Fig. 7 at n = 100: the paper's text gives no value.
    expect(markdown).toMatch(/\| 100 \| 4000 \| 0\.200 \| [\d.-]+ \| not stated \| - \|/);
    expect(markdown).toContain(`/ ${table3[1000].provingKey.value}`);
    expect(markdown).toContain(`| KeyGen (s) | 3.00 | ${table4.ours.keyGen.value} | ${table4.pghr.keyGen.value} |`);
  });

  it('writes the Fig. 5-8 charts, with the paper point where the text states one', () => {
    const { charts } = renderReport(results);
    expect(charts.map((c) => c.file).sort()).toEqual([
      'fig5-block-consensus-only.svg',
      'fig6-keygen.svg',
      'fig7-prove.svg',
      'fig8-verify.svg',
    ]);
    const fig7 = charts.find((c) => c.file === 'fig7-prove.svg')?.svg as string;
    expect(plotted(fig7, 'medshare (median, min-max)').map((p) => [p.x, p.y])).toEqual([
      [100, 0.2],
      [1000, 2],
    ]);
    expect(plotted(fig7, 'Huang et al. 2020 (as stated in the text)').map((p) => [p.x, p.y])).toEqual([[1000, 52]]);
    const fig5 = charts.find((c) => c.file === 'fig5-block-consensus-only.svg')?.svg as string;
    expect(plotted(fig5, 'PoW (MedRec), DPoS (MDSM): paper text').map((p) => p.y)).toEqual([600, 180]);
  });

  it('puts the EVM gas table beside Fig. 5: gas, operations per block, targets met or not', () => {
    const { markdown } = renderReport({
      ...results,
      evm: {
        precompiles: 'wasm',
        deploymentGas: 3_300_000,
        blockGas: 30_000_000,
        points: [
          { operation: 'registerRecord', gas: 223_000, perBlock: 134, wall: m('registerRecord', 150), target: 230_000 },
          { operation: 'submitProof', gas: 310_000, perBlock: 96, wall: m('submitProof', 240), target: 300_000 },
          { operation: 'share', gas: 444_000, perBlock: 67, wall: m('share', 230) },
        ],
      },
    });
    expect(markdown).toContain('| registerRecord | 223,000 | 134 | <= 230,000 (met) | 150 |');
    expect(markdown).toContain('| submitProof | 310,000 | 96 | <= 300,000 (NOT met) | 240 |');
    expect(markdown).toContain('| share | 444,000 | 67 |  | 230 |');
    expect(markdown.indexOf('## Fig. 5')).toBeLessThan(markdown.indexOf('## The contract on an EVM'));
  });

  it('Fig. 5: one chart per mode, one line per replica count, each plotting exactly its rows of the table', () => {
    // Every (mode, replicas, batch) with a distinct median, so a point in the wrong line shows.
    const modes = ['consensus only', 'full', 'full, native verify'];
    const pbft: PbftPoint[] = modes.flatMap((mode, i) =>
      [4, 7].flatMap((replicas, j) =>
        [1, 10, 100].map((batch, k) => ({
          mode,
          replicas,
          batch,
          block: m('block', (1 + i * 100 + j * 10 + k) * batch),
          throughput: 1,
        })),
      ),
    );
    const { markdown, charts } = renderReport({ ...results, zk: [], pbft });
    expect(charts.map((c) => c.file)).toEqual(modes.map(fig5File));
    expect(modes.map(fig5File)).toEqual([
      'fig5-block-consensus-only.svg',
      'fig5-block-full.svg',
      'fig5-block-full-native-verify.svg',
    ]);
    for (const mode of modes) {
      expect(markdown).toContain(`![Fig. 5, ${mode}](${fig5File(mode)})`);
      const svg = charts.find((c) => c.file === fig5File(mode))?.svg as string;
      expect(svg).toContain(`Fig. 5: block generation time (${mode})`);
      for (const replicas of [4, 7]) {
        const rows = pbft.filter((p) => p.mode === mode && p.replicas === replicas);
        expect(plotted(svg, `medshare PBFT, ${replicas} replicas`).map((p) => [p.x, p.y])).toEqual(
          rows.map((p) => [p.batch, p.block.medianMs / 1000]),
        );
        // The table row of each plotted point shows the same median (the report's ms format).
        const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
        for (const p of rows) expect(markdown).toContain(`| ${mode} | ${replicas} | ${p.batch} | ${ms(p.block.medianMs)} |`);
      }
      // Along each line the batch size only grows: no zigzag back through another mode.
      for (const replicas of [4, 7]) {
        const xs = plotted(svg, `medshare PBFT, ${replicas} replicas`).map((p) => p.cx);
        expect(xs).toEqual([...xs].sort((a, b) => a - b));
        expect(new Set(xs).size).toBe(xs.length);
      }
    }
  });

  it('puts the pairing backends side by side: ms, pairings of the same backend, speed-up; and ga07 beside Umbral', () => {
    const { markdown } = renderReport({
      ...results,
      zk: [],
      pbft: [],
      backends: [
        { name: 'noble', pairing: m('pairing e(P, Q), fresh points', 20), operations: [m('ga07 reEncrypt', 18)] },
        { name: 'mcl', pairing: m('pairing e(P, Q), fresh points', 4), operations: [m('ga07 reEncrypt', 4.4)] },
      ],
      umbral: [m('umbral reencrypt (one proxy, with proof)', 1.1)],
    });
    expect(markdown).toContain('| operation | noble ms | x noble pairing | mcl ms | x mcl pairing | noble / mcl |');
    expect(markdown).toContain('| pairing e(P, Q), fresh points | 20.0 | 1.00 | 4.00 | 1.00 | 5.0x |');
    expect(markdown).toContain('| ga07 reEncrypt | 18.0 | 0.90 | 4.40 | 1.10 | 4.1x |');
    expect(markdown).toContain('| re-encrypt (Umbral: with its proof) | 18.0 | 4.40 | 1.10 | 4.0x |');
    expect(markdown).not.toContain('| decrypt | 15.0 |'); // the single-backend table gives way
  });

  it('says how far each reference pairing moved between before and after its operations, and warns beyond the limit', () => {
    const noble = { name: 'noble', pairing: m('pairing e(P, Q), fresh points', 20), operations: [m('ga07 reEncrypt', 18)] };
    const mcl = { name: 'mcl', pairing: m('pairing e(P, Q), fresh points', 4), operations: [m('ga07 reEncrypt', 4.4)] };
    /** The report with each backend's pairing re-measured at `nobleAfter` and `mclAfter` ms. */
    const reportWith = (nobleAfter: number, mclAfter: number) =>
      renderReport({
        ...results,
        zk: [],
        pbft: [],
        backends: [
          { ...noble, pairingAfter: m('pairing e(P, Q), fresh points', nobleAfter) },
          { ...mcl, pairingAfter: m('pairing e(P, Q), fresh points', mclAfter) },
        ],
      }).markdown;
    const steady = reportWith(21, 3.9);
    expect(steady).toContain("(before each backend's operations; after them: noble 21.0 ms, +5%; mcl 3.90 ms, -3%)");
    expect(steady).not.toContain('speed moved');
    // The unit stays the pairing measured before: the ratios do not change with the second sample.
    expect(steady).toContain('| ga07 reEncrypt | 18.0 | 0.90 | 4.40 | 1.10 | 4.1x |');

    const moved = reportWith(13, 4.6);
    const warnings = moved.split('\n').filter((line) => line.includes('speed moved'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`noble's reference pairing changed by -35%`);
    expect(warnings[0]).toContain(`more than ${PAIRING_DRIFT_LIMIT * 100}%`);
    // Exactly at the limit is no warning (mcl moved by +15% above, under the limit).
    const atLimit = renderReport({
      ...results,
      backends: [{ ...noble, pairingAfter: m('pairing e(P, Q), fresh points', 20 * (1 + PAIRING_DRIFT_LIMIT)) }],
    }).markdown;
    expect(atLimit).not.toContain('speed moved');
  });

  it('omits sections with no data', () => {
    const { markdown, charts } = renderReport({ machine: results.machine, date: results.date, options: results.options });
    expect(markdown).not.toContain('Fig. 6');
    expect(charts).toEqual([]);
  });
});
