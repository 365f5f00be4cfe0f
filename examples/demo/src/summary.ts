/** The demo's verdict: what was produced, what reached the sink table, what was lost. */
import { formatCount, formatDuration } from './format.js';

export interface DemoResult {
  /** Events handed to `producer.put`. */
  readonly sent: number;
  /** Events the producer acknowledged (their `put` resolved with a sequence number). */
  readonly acknowledged: number;
  /** Events whose `put` rejected (not acknowledged, so not counted as lost). */
  readonly failedPuts: number;
  /** Acknowledged events found in the sink table. */
  readonly delivered: number;
  /** Acknowledged events not in the sink table. */
  readonly lost: readonly string[];
  /** Redeliveries the idempotency store recognised and skipped. */
  readonly duplicatesSuppressed: number;
  /** Records the producer sent again after a throttled or failed attempt. */
  readonly producerRetries: number;
  /** PutRecords entries and calls failed on purpose (injected throttling). */
  readonly injectedFailures: number;
  /** GetRecords/SubscribeToShard calls retried by the consumers. */
  readonly consumerRetries: number;
  /** What the local Kinesis refused under the service's limits; undefined with `--no-limits`. */
  readonly limits?: {
    readonly refusedEntries: number;
    readonly refusedCalls: Readonly<Record<string, number>>;
  };
  /** How long the producer sent events, in ms. */
  readonly producingMs: number;
  /** From the first event sent to the last acknowledged event found in the sink, in ms. */
  readonly deliveringMs: number;
  /** From the kill to the moment the surviving worker held every lease the killed one had, in ms. */
  readonly takeoverMs: number | undefined;
  /** The leases the killed worker held. */
  readonly killedWorkerLeases: readonly string[];
  /** The split: parent and children. */
  readonly split: { readonly parent: string; readonly children: readonly string[] } | undefined;
  /** The whole run, in ms. */
  readonly totalMs: number;
  readonly interrupted: boolean;
}

/** The acknowledged ids missing from the sink, in acknowledgement order. */
export function findLost(acknowledged: Iterable<string>, inSink: ReadonlySet<string>): string[] {
  const lost: string[] = [];
  for (const id of acknowledged) if (!inSink.has(id)) lost.push(id);
  return lost;
}

/** The exit status: 0 only when the run finished and nothing acknowledged was lost. */
export function exitStatus(result: DemoResult): number {
  if (result.interrupted) return 130;
  return result.lost.length === 0 && result.acknowledged > 0 ? 0 : 1;
}

function perSecond(count: number, ms: number): string {
  return ms <= 0 ? '-' : `${formatCount((count * 1_000) / ms)}/s`;
}

/** ` (GetRecords 12, ListShards 1)`: the refused calls by operation, most first. */
function describeCalls(calls: Readonly<Record<string, number>>): string {
  const entries = Object.entries(calls).sort(([, a], [, b]) => b - a);
  return entries.length === 0
    ? ''
    : ` (${entries.map(([operation, count]) => `${operation} ${formatCount(count)}`).join(', ')})`;
}

/** The summary's lines, unstyled. */
export function formatSummary(result: DemoResult): string[] {
  const rows: [string, string][] = [
    [
      'records produced',
      `${formatCount(result.acknowledged)} acknowledged by the producer (${formatCount(result.sent)} sent, ${formatCount(result.failedPuts)} failed)`,
    ],
    ['delivered', `${formatCount(result.delivered)} in the sink table`],
    [
      'duplicates suppressed',
      `${formatCount(result.duplicatesSuppressed)} redeliveries skipped by the idempotency store`,
    ],
    result.interrupted
      ? ['not delivered', `${formatCount(result.lost.length)} (interrupted before they were)`]
      : [
          'lost',
          `${formatCount(result.lost.length)}${result.lost.length > 0 ? ` (first: ${result.lost.slice(0, 5).join(', ')})` : ''}`,
        ],
    [
      'retries',
      `${formatCount(result.producerRetries)} record retries by the producer after ${formatCount(result.injectedFailures)} injected throttling errors; ${formatCount(result.consumerRetries)} throttled reads retried by the consumers`,
    ],
    [
      'service limits',
      result.limits === undefined
        ? 'off (--no-limits)'
        : `enforced: ${formatCount(result.limits.refusedEntries)} PutRecords entries and ${formatCount(
            Object.values(result.limits.refusedCalls).reduce((sum, count) => sum + count, 0),
          )} calls refused${describeCalls(result.limits.refusedCalls)}`,
    ],
    [
      'throughput',
      `${perSecond(result.acknowledged, result.producingMs)} produced, ${perSecond(result.delivered, result.deliveringMs)} delivered end to end`,
    ],
    [
      'takeover time',
      result.takeoverMs === undefined
        ? result.killedWorkerLeases.length > 0
          ? 'not complete'
          : '-'
        : `${formatDuration(result.takeoverMs)} for the ${result.killedWorkerLeases.length} lease(s) of the killed worker`,
    ],
    ['split', result.split ? `${result.split.parent} → ${result.split.children.join(', ')}` : '-'],
    ['run time', formatDuration(result.totalMs)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}
