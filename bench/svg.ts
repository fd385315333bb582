/**
 * A dependency-free SVG chart writer for the benchmark report: our measured curve (median
 * with min-max whiskers) beside the paper's points, with labelled axes and units.
 * Pure: data in, SVG text out. Every plotted point carries data-series / data-x / data-y
 * attributes, so tests can check what was drawn.
 */

/** One plotted point; `min` and `max` draw a whisker. */
export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  readonly min?: number;
  readonly max?: number;
}

/** A named series: a connected line with markers, or markers only. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  readonly style: 'line' | 'markers';
  readonly color?: string;
}

/** Everything a chart shows. */
export interface ChartSpec {
  readonly title: string;
  /** Axis label including the unit, e.g. 'circuit inputs (n)'. */
  readonly xLabel: string;
  /** Axis label including the unit, e.g. 'time (s)'. */
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Logarithmic y axis (for values spanning orders of magnitude). */
  readonly logY?: boolean;
  /** Logarithmic x axis. */
  readonly logX?: boolean;
  readonly width?: number;
  readonly height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const MARGIN = { top: 40, right: 20, bottom: 55, left: 70 };

/** Escapes text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const label = (v: number): string =>
  Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(0) : String(Number(v.toPrecision(4)));

/** Renders a chart to SVG text. Throws RangeError for a chart with no points or a non-positive value on a log axis. */
export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const points = spec.series.flatMap((s) => s.points);
  if (points.length === 0) throw new RangeError(`chart "${spec.title}": no points`);
  const ys = points.flatMap((p) => [p.y, p.min ?? p.y, p.max ?? p.y]);
  if (spec.logY && ys.some((y) => !(y > 0))) throw new RangeError(`chart "${spec.title}": log axis needs positive values`);
  const xs = points.map((p) => p.x);
  if (spec.logX && xs.some((x) => !(x > 0))) throw new RangeError(`chart "${spec.title}": log axis needs positive values`);
  const tx = (x: number) => (spec.logX ? Math.log10(x) : x);
  const [xMin, xMax] = [Math.min(...xs.map(tx)), Math.max(...xs.map(tx))];
  const xPad = xMax === xMin ? 1 : (xMax - xMin) * 0.05;
  const x0 = xMin - xPad;
  const x1 = xMax + xPad;
  const ty = (y: number) => (spec.logY ? Math.log10(y) : y);
  let y0 = spec.logY ? Math.floor(Math.log10(Math.min(...ys))) : Math.min(0, ...ys);
  let y1 = spec.logY ? Math.ceil(Math.log10(Math.max(...ys))) : Math.max(...ys) * 1.1;
  if (y1 === y0) {
    y1 += 1;
    y0 -= spec.logY ? 1 : 0;
  }
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((tx(x) - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => MARGIN.top + plotH - ((ty(y) - y0) / (y1 - y0)) * plotH;
  const f = (v: number) => v.toFixed(1);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
  ];
  // Axes, ticks and grid.
  const yTicks = spec.logY
    ? Array.from({ length: y1 - y0 + 1 }, (_, i) => 10 ** (y0 + i))
    : niceTicks(y0, y1).filter((t) => t <= y1);
  for (const t of yTicks) {
    const y = f(py(t));
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${width - MARGIN.right}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`);
  }
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  for (const t of xTicks) {
    out.push(`<text x="${f(px(t))}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  out.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${width - MARGIN.right}" y2="${MARGIN.top + plotH}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="black"/>`,
    `<text class="x-label" x="${MARGIN.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text class="y-label" transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  // Series.
  spec.series.forEach((series, index) => {
    const color = series.color ?? PALETTE[index % PALETTE.length];
    const name = escapeXml(series.name);
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    if (series.style === 'line' && sorted.length > 1) {
      const d = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(px(p.x))},${f(py(p.y))}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    for (const p of sorted) {
      if (p.min !== undefined && p.max !== undefined) {
        out.push(`<line x1="${f(px(p.x))}" y1="${f(py(p.min))}" x2="${f(px(p.x))}" y2="${f(py(p.max))}" stroke="${color}"/>`);
      }
      const shape =
        series.style === 'line'
          ? `<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3.5" fill="${color}"`
          : `<rect x="${f(px(p.x) - 4)}" y="${f(py(p.y) - 4)}" width="8" height="8" fill="none" stroke="${color}" stroke-width="2"`;
      out.push(`${shape} data-series="${name}" data-x="${p.x}" data-y="${p.y}"/>`);
    }
    // Legend entry.
    const ly = MARGIN.top + 8 + index * 16;
    out.push(`<rect x="${MARGIN.left + 10}" y="${ly - 5}" width="10" height="10" fill="${color}"/>`);
    out.push(`<text class="legend" x="${MARGIN.left + 26}" y="${ly}" dominant-baseline="middle">${name}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
