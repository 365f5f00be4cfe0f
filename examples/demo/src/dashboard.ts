/**
 * The live view: a pure function from the demo's state to lines of text (tested on its own), and a
 * screen that redraws them in place on a terminal (plain ANSI escape codes) or prints a status line
 * every few seconds elsewhere (CI logs, pipes).
 */
import { formatCount, formatDuration, formatElapsed } from './format.js';

export interface WorkerView {
  readonly label: string;
  readonly mode: string;
  readonly pid: number | undefined;
  readonly state: string;
  readonly leases: readonly string[];
  readonly wrote: number;
  readonly duplicates: number;
  readonly retries: number;
}

export interface ShardView {
  readonly shardId: string;
  readonly open: boolean;
  readonly owner: string | undefined;
  readonly acked: number;
  readonly delivered: number;
  readonly millisBehindLatest: number | undefined;
}

export interface TimelineEntry {
  readonly atMs: number;
  readonly text: string;
}

export interface DashboardView {
  readonly elapsedMs: number;
  readonly durationMs: number;
  readonly phase: string;
  readonly rate: number;
  readonly streamName: string;
  readonly producer: {
    readonly sent: number;
    readonly acked: number;
    readonly failed: number;
    readonly retries: number;
    readonly injectedFailures: number;
    readonly pending: number;
    readonly recordsPerAggregate: number;
  };
  readonly delivered: number;
  readonly duplicates: number;
  readonly hotKeys: readonly string[];
  readonly workers: readonly WorkerView[];
  readonly shards: readonly ShardView[];
  readonly timeline: readonly TimelineEntry[];
}

const BAR_WIDTH = 20;
const ESC = '\u001b[';
const bold = (text: string) => `${ESC}1m${text}${ESC}22m`;
const dim = (text: string) => `${ESC}2m${text}${ESC}22m`;
const red = (text: string) => `${ESC}31m${text}${ESC}39m`;
const green = (text: string) => `${ESC}32m${text}${ESC}39m`;
const yellow = (text: string) => `${ESC}33m${text}${ESC}39m`;

/** Strips ANSI escape codes (for width computations and plain output). */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape codes is the point
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

function bar(part: number, whole: number, width = BAR_WIDTH): string {
  const filled = whole <= 0 ? 0 : Math.max(0, Math.min(width, Math.round((part / whole) * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

function pad(text: string, width: number): string {
  const visible = stripAnsi(text).length;
  return visible >= width ? text : text + ' '.repeat(width - visible);
}

/**
 * The live view's lines; `width` cuts long lines and `height` drops the oldest timeline entries (a
 * wrapped line, or a frame taller than the terminal, would break the redraw).
 */
export function renderFrame(view: DashboardView, width = 100, height = 60): string[] {
  const lines: string[] = [];
  const progress = Math.min(view.elapsedMs, view.durationMs);
  lines.push(
    `${bold('kinesis-ts demo')}  ${dim('local Kinesis + DynamoDB, no AWS account')}  ${view.phase}  ${formatElapsed(view.elapsedMs)}`,
  );
  lines.push(
    `  producing ${bar(progress, view.durationMs)} ${formatDuration(progress)} of ${formatDuration(view.durationMs)} at ${view.rate} events/s into ${view.streamName}`,
  );
  lines.push('');
  const p = view.producer;
  lines.push(
    `${bold('Producer')}   sent ${formatCount(p.sent)}  acknowledged ${formatCount(p.acked)}  failed ${p.failed > 0 ? red(formatCount(p.failed)) : '0'}  in flight ${formatCount(p.pending)}  ${p.recordsPerAggregate.toFixed(1)} events per Kinesis record`,
  );
  lines.push(
    `           retried ${yellow(formatCount(p.retries))} records after ${formatCount(p.injectedFailures)} injected throttling errors${view.hotKeys.length > 0 ? `  hot keys ${view.hotKeys.join(', ')}` : ''}`,
  );
  const backlog = Math.max(0, p.acked - view.delivered);
  lines.push(
    `${bold('Consumers')}  delivered ${green(formatCount(view.delivered))}  duplicates suppressed ${formatCount(view.duplicates)}  not yet delivered ${formatCount(backlog)}`,
  );
  for (const worker of view.workers) {
    const state = worker.state === 'killed' ? red('KILLED (SIGKILL)') : worker.state;
    lines.push(
      `  worker ${worker.label}  ${pad(worker.mode, 8)} pid ${pad(String(worker.pid ?? '-'), 7)} ${pad(state, 16)} leases ${pad(String(worker.leases.length), 2)} wrote ${pad(formatCount(worker.wrote), 7)} duplicates ${pad(formatCount(worker.duplicates), 5)} read retries ${worker.retries}`,
    );
  }
  lines.push('');
  lines.push(
    dim(
      `  ${pad('SHARD', 21)} ${pad('STATE', 7)} ${pad('OWNER', 5)} ${pad('ACKED', 7)} ${pad('DELIVERED', 9)} ${pad('LAG', 6)} ${pad('BEHIND', 7)} DELIVERED / ACKED`,
    ),
  );
  for (const shard of view.shards) {
    const lag = Math.max(0, shard.acked - shard.delivered);
    const behind = shard.millisBehindLatest === undefined ? '-' : formatDuration(shard.millisBehindLatest);
    lines.push(
      `  ${pad(shard.shardId, 21)} ${pad(shard.open ? 'open' : 'closed', 7)} ${pad(shard.owner ?? '-', 5)} ${pad(formatCount(shard.acked), 7)} ${pad(formatCount(shard.delivered), 9)} ${pad(formatCount(lag), 6)} ${pad(behind, 7)} ${bar(shard.delivered, shard.acked, 16)}`,
    );
  }
  const room = Math.min(8, height - lines.length - 2);
  if (room > 0) {
    lines.push('');
    lines.push(bold('Timeline'));
    for (const entry of view.timeline.slice(-room)) {
      lines.push(`  ${pad(formatElapsed(entry.atMs), 8)} ${entry.text}`);
    }
  }
  return lines.slice(0, Math.max(1, height)).map((line) => truncate(line, width));
}

/** One line for logs without a terminal. */
export function renderStatusLine(view: DashboardView): string {
  const leases = view.workers
    .map(
      (worker) =>
        `${worker.label} ${worker.state === 'killed' ? 'killed' : `${worker.leases.length} leases`}`,
    )
    .join(', ');
  const backlog = Math.max(0, view.producer.acked - view.delivered);
  return `[${formatElapsed(view.elapsedMs)}] ${view.phase}: acknowledged ${view.producer.acked}, delivered ${view.delivered}, not yet delivered ${backlog}, duplicates suppressed ${view.duplicates}, producer retries ${view.producer.retries}; ${leases}`;
}

function truncate(line: string, width: number): string {
  if (stripAnsi(line).length <= width) return line;
  // cut the visible text, keep it simple: drop the styling of a line that is too long
  return `${stripAnsi(line).slice(0, Math.max(0, width - 1))}…`;
}

/** Where frames go: redrawn in place on a terminal, status lines every `plainIntervalMs` elsewhere. */
export class Screen {
  private drawnLines = 0;
  private lastPlainAt = Number.NEGATIVE_INFINITY;
  private printedTimeline = 0;
  readonly live: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream,
    options: { plain: boolean; plainIntervalMs?: number },
  ) {
    this.live = !options.plain && out.isTTY === true;
    this.plainIntervalMs = options.plainIntervalMs ?? 5_000;
    if (this.live) out.write(`${ESC}?25l`); // hide the cursor while redrawing
  }

  private readonly plainIntervalMs: number;

  draw(view: DashboardView, force = false): void {
    if (this.live) {
      const lines = renderFrame(view, Math.max(40, (this.out.columns ?? 100) - 1), (this.out.rows ?? 60) - 1);
      const up = this.drawnLines > 0 ? `\r${ESC}${this.drawnLines}A` : '';
      this.out.write(`${up}${ESC}J${lines.join('\n')}\n`);
      this.drawnLines = lines.length;
      return;
    }
    for (const entry of view.timeline.slice(this.printedTimeline)) {
      this.out.write(`[${formatElapsed(entry.atMs)}] ${stripAnsi(entry.text)}\n`);
    }
    this.printedTimeline = view.timeline.length;
    if (view.phase === 'starting' && !force) return;
    if (force || view.elapsedMs - this.lastPlainAt >= this.plainIntervalMs) {
      this.out.write(`${renderStatusLine(view)}\n`);
      this.lastPlainAt = view.elapsedMs;
    }
  }

  /** Below the last frame from now on (the summary, errors); shows the cursor again. */
  release(): void {
    if (this.live) this.out.write(`${ESC}?25h`);
    this.drawnLines = 0;
  }

  /** Text for the end: styled on a terminal, plain elsewhere. */
  style(text: string): string {
    return this.live ? text : stripAnsi(text);
  }
}

export const styles = { bold, dim, red, green, yellow };
