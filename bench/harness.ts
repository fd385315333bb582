/**
 * A small benchmark harness: runs an operation repeatedly (after a warm-up), reports the
 * median, min and max in milliseconds, and describes the machine, so every figure printed
 * can be tied to the hardware that produced it. No timing is ever asserted in tests.
 */
import os from 'node:os';

export interface Measurement {
  name: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface MeasureOptions {
  /** Minimum number of timed runs. */
  minRuns?: number;
  /** Stop adding runs once this much time has been spent (ms), if minRuns is reached. */
  budgetMs?: number;
  /** Untimed warm-up runs. */
  warmup?: number;
}

/** Times `operation`; `prepare` (untimed) builds a fresh input for each run. */
export function measure<T>(
  name: string,
  operation: (input: T) => unknown,
  prepare: () => T,
  options: MeasureOptions = {},
): Measurement {
  const { minRuns = 10, budgetMs = 1500, warmup = 2 } = options;
  for (let i = 0; i < warmup; i++) operation(prepare());
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start < budgetMs && times.length < 1000)) {
    const input = prepare();
    const t0 = performance.now();
    operation(input);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
  return { name, runs: times.length, medianMs, minMs: times[0] as number, maxMs: times[times.length - 1] as number };
}

/** The machine a benchmark ran on. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started: other work on the machine skews timings. */
  readonly loadAverage: number;
}

/** CPU model, cores, memory and Node version of this machine. */
export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverage: Number((os.loadavg()[0] ?? 0).toFixed(2)),
  };
}

export function describeMachine(): string {
  const m = machine();
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`;
}

export const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** Prints a markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}
