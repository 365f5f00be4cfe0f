/**
 * A small, dependency-free benchmark harness: each case runs in timed rounds after a warm-up, and the
 * median round is reported. Cases of one table run interleaved, round by round, so that a noisy
 * neighbour on a shared machine slows them all alike.
 */
import os from 'node:os';

export interface BenchCase {
  /** What is measured, as shown in the table. */
  readonly name: string;
  /** One iteration of the work. */
  readonly run: () => unknown;
  /** How many user records one iteration handles. */
  readonly recordsPerRun: number;
  /** How many payload bytes one iteration handles. */
  readonly bytesPerRun: number;
}

export interface BenchResult {
  readonly name: string;
  readonly recordsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly microsecondsPerRun: number;
}

export interface BenchOptions {
  readonly warmupMs?: number;
  readonly roundMs?: number;
  readonly rounds?: number;
}

/** Runs the cases round-robin and returns each one's median round. */
export function runCases(cases: readonly BenchCase[], options: BenchOptions = {}): BenchResult[] {
  const warmupMs = options.warmupMs ?? 500;
  const roundMs = options.roundMs ?? 700;
  const rounds = options.rounds ?? 7;
  for (const benchCase of cases) timeFor(benchCase, warmupMs);
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    cases.forEach((benchCase, index) => {
      samples[index]!.push(timeFor(benchCase, roundMs));
    });
  }
  return cases.map((benchCase, index) => {
    const runsPerSecond = median(samples[index]!);
    return {
      name: benchCase.name,
      recordsPerSecond: runsPerSecond * benchCase.recordsPerRun,
      megabytesPerSecond: (runsPerSecond * benchCase.bytesPerRun) / 1e6,
      microsecondsPerRun: 1e6 / runsPerSecond,
    };
  });
}

/** Runs a case for about `durationMs` and returns iterations per second. */
function timeFor(benchCase: BenchCase, durationMs: number): number {
  let iterations = 0;
  let sink: unknown;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < 8; i++) sink = benchCase.run();
    iterations += 8;
    now = performance.now();
  }
  keep(sink);
  return (iterations * 1000) / (now - start);
}

/** Holds the last result so the engine cannot drop the work as dead code. */
let kept: unknown;
function keep(value: unknown): void {
  kept = value;
}
/** The last value a case returned (exported so that `kept` is observably used). */
export function lastKept(): unknown {
  return kept;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Formats results as a Markdown table, with each case's speed relative to `baselineName`. */
export function markdownTable(results: readonly BenchResult[], baselineName: string): string {
  const baseline = results.find((r) => r.name === baselineName);
  const lines = [
    `| case | user records/s | MB/s of payload | µs per aggregate | vs. ${baselineName} |`,
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const relative = baseline ? `${(r.recordsPerSecond / baseline.recordsPerSecond).toFixed(2)}×` : '';
    lines.push(
      `| ${r.name} | ${Math.round(r.recordsPerSecond).toLocaleString('en-US')} | ${r.megabytesPerSecond.toFixed(1)} | ${r.microsecondsPerRun.toFixed(1)} | ${relative} |`,
    );
  }
  return lines.join('\n');
}

/** One line naming the machine and the runtime, for the record. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}
