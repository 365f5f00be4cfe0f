/** The soak's summary: a table for people, one JSON line for docs and scripts, and the exit status. */
import { DUPLICATE_CAUSES, type DuplicateCause } from './analysis.js';
import type { SoakResult } from './soak-run.js';

const CAUSE_LABELS: Record<DuplicateCause, string> = {
  'after-kill': 'lease taken from a killed worker',
  'after-steal': 'lease stolen from a live worker',
  'after-expiry': 'lease expired (owner not killed)',
  'after-release': 'lease had no owner',
  'stale-owner': 'by a worker that had lost the lease',
  'same-owner': 'again by the same owner (no lease move)',
  'written-twice': 'written twice by the producer',
  unexplained: 'unexplained',
};

const count = (value: number) => value.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)} s`;
const percent = (part: number, whole: number) =>
  whole === 0 ? '0 %' : `${((100 * part) / whole).toFixed(2)} %`;

/** 0 only if nothing acknowledged was lost and no key went out of order (and the run completed). */
export function exitStatus(result: SoakResult): number {
  if (result.failure || result.interrupted) return 1;
  return result.analysis.lost.length === 0 && result.analysis.orderViolations.length === 0 ? 0 : 1;
}

export function summaryRows(result: SoakResult): [string, string][] {
  const { analysis: a, options: o, workers } = result;
  const rows: [string, string][] = [
    ['seed', String(o.seed)],
    [
      'load',
      `${o.rate} records/s over ${o.keys} keys for ${o.durationSeconds} s; ${o.shards} shards; 3 workers (${o.retrieval}); failover ${seconds(result.failoverTimeMs)}, maxLeasesForWorker ${result.maxLeasesForWorker}`,
    ],
    [
      'records written',
      `${count(a.written)} acknowledged by the producer (${count(result.producer.sent)} sent, ${count(result.producer.rejected)} rejected; ${count(result.producer.injectedEntryFailures)} PutRecords entries failed on purpose, ${count(result.producer.retries)} record retries)`,
    ],
    [
      'delivered',
      `${count(a.delivered)} distinct records in ${count(a.batches)} batches (${count(a.deliveredNotAcked)} not acknowledged)`,
    ],
    ['lost', `${count(a.lost.length)}${lostByShard(result)}`],
    [
      'duplicates',
      `${count(a.duplicates)} deliveries after the first (${percent(a.duplicates, a.delivered)} of delivered)`,
    ],
  ];
  for (const cause of DUPLICATE_CAUSES) {
    const n = a.duplicatesByCause[cause];
    if (n === 0) continue;
    const after = a.duplicatesMaxMsAfterTake[cause];
    rows.push([
      `  ${CAUSE_LABELS[cause]}`,
      `${count(n)}${after === undefined ? '' : ` (up to ${seconds(after)} after the take)`}`,
    ]);
  }
  rows.push(['order violations', count(a.orderViolations.length)]);
  const overlapMs = a.overlaps.map((episode) => episode.lastStaleAtMs - episode.takenAtMs);
  rows.push([
    'overlaps',
    a.overlaps.length === 0
      ? '0'
      : `${a.overlaps.length} episodes (${a.overlaps.filter((episode) => episode.interleaved).length} interleaved with the new owner): ${count(sum(a.overlaps.map((e) => e.records)))} records in ${count(sum(a.overlaps.map((e) => e.batches)))} batches after the lease was taken; longest ${seconds(Math.max(...overlapMs))}, total ${seconds(sum(overlapMs))}`,
  ]);
  rows.push([
    'kills',
    `${result.kills.length} SIGKILL + restart (${result.processes} worker processes in all)`,
  ]);
  rows.push(['worker crashes', count(result.crashes.length)]);
  for (const reshard of result.reshards) {
    rows.push([
      reshard.kind,
      reshard.error
        ? `FAILED at ${seconds(reshard.atMs)}: ${reshard.error}`
        : `${reshard.parents.join(' + ')} → ${reshard.children.join(' + ')} at ${seconds(reshard.atMs)} (${seconds(reshard.durationMs)})`,
    ]);
  }
  if (result.outage)
    rows.push([
      'lease-table outage',
      `${result.outage.workerId} at ${seconds(result.outage.atMs)} for ${seconds(result.outage.durationMs)}`,
    ]);
  rows.push([
    'lease moves',
    `${count(workers.leaseTakes)} taken (${count(workers.leaseSteals)} stolen), ${count(workers.leaseLosses)} lost, ${count(workers.leaseReleases)} released; ${count(workers.shardEnds)} shard ends`,
  ]);
  const holdings = result.holdings;
  rows.push([
    'leases per worker',
    `at most ${holdings.maxHeld}${holdings.maxHeldBy ? ` (${holdings.maxHeldBy})` : ''}; over maxLeasesForWorker ${result.maxLeasesForWorker}: ${
      holdings.overCap.length === 0
        ? 'none'
        : holdings.overCap.map((o) => `${o.workerId} held ${o.held}`).join(', ')
    }`,
  ]);
  rows.push([
    'consumer faults injected',
    `${count(workers.dynamoDbFaults)} lease-table writes failed, ${count(workers.getRecordsFaults)} GetRecords throttled, ${count(workers.notFoundFaults)} transient ResourceNotFound (processes killed before their last report not counted)`,
  ]);
  rows.push(['shards failed', count(workers.shardFailures.length)]);
  rows.push([
    'shards ended while open',
    result.openShardEnds.length === 0
      ? '0'
      : `${result.openShardEnds.length}: ${result.openShardEnds.map((end) => `${end.shardId} by ${end.workerId} at ${seconds(end.atMs)}`).join(', ')}`,
  ]);
  rows.push(['worker warnings / errors', `${count(workers.warnings)} / ${count(workers.errors)}`]);
  rows.push([
    'graceful stops',
    `${result.stoppedGracefully} stopped; ${result.stopTimeouts.length} did not stop within 20 s${result.stopTimeouts.length ? ` (${result.stopTimeouts.join(', ')})` : ''}; ${holdings.failedReleases} lease releases failed; ${sum(holdings.heldAtStop.map((h) => h.leases.length))} leases still held after a stop`,
  ]);
  if (result.hungAtStop) {
    const hung = result.hungAtStop;
    rows.push([
      'stop, lease table hung',
      hung.timedOut
        ? `${hung.workerId} did not stop within 20 s (killed)`
        : `${hung.workerId} stopped in ${seconds(hung.stopMs ?? 0)}`,
    ]);
  }
  rows.push([
    'drain',
    result.drain.complete
      ? `all delivered ${seconds(result.drain.ms)} after the producer closed`
      : `gave up after ${seconds(result.drain.ms)}`,
  ]);
  rows.push(['run time', seconds(result.totalMs)]);
  return rows;
}

/** The table, details of what went wrong, and the verdict. */
export function formatReport(result: SoakResult): string[] {
  const rows = summaryRows(result);
  const width = Math.max(...rows.map(([name]) => name.length));
  const out = ['', 'Reliability soak', ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`)];
  const a = result.analysis;
  const details = (title: string, items: string[]) => {
    if (items.length > 0) out.push('', title, ...items.map((item) => `  ${item}`));
  };
  details(
    `Lost (first 10 of ${a.lost.length}):`,
    a.lost.slice(0, 10).map((r) => `${r.key}#${r.seq} on ${r.shardId} at ${r.sequenceNumber}`),
  );
  details(
    `Order violations (first 10 of ${a.orderViolations.length}):`,
    a.orderViolations
      .slice(0, 10)
      .map(
        (v) =>
          `${v.key}#${v.seq} first delivered after #${v.after}, on ${v.shardId} by ${v.workerId} at ${seconds(v.atMs)}`,
      ),
  );
  details(
    `Overlaps (first 10 of ${a.overlaps.length}):`,
    a.overlaps
      .slice(0, 10)
      .map(
        (e) =>
          `${e.shardId}: ${e.staleWorker} delivered ${e.records} records in ${e.batches} batches up to ${seconds(e.lastStaleAtMs - e.takenAtMs)} after ${e.owner} took the lease at ${seconds(e.takenAtMs)}${e.interleaved ? ' (interleaved)' : ''}`,
      ),
  );
  details(
    'Shards failed:',
    result.workers.shardFailures.map((f) => `${f.shardId} on ${f.workerId}: ${f.error}`),
  );
  details(
    'Worker crashes:',
    result.crashes.map(
      (c) =>
        `${c.workerId} ended with ${c.code ?? c.signal}: ${c.output.trim().split('\n').slice(-3).join(' | ')}`,
    ),
  );
  details(
    'Most frequent worker warnings and errors:',
    result.workers.topMessages.map((m) => `${m.count} × ${m.message}`),
  );
  if (result.producer.rejected > 0 && result.producer.lastError)
    details('Last rejected put:', [result.producer.lastError]);
  if (result.failure) details('The run failed:', result.failure.split('\n'));
  out.push('');
  if (result.interrupted) out.push('INTERRUPTED: the figures above are partial.');
  else if (exitStatus(result) === 0) out.push('OK: nothing lost, no key out of order.');
  else
    out.push(
      `FAILED: ${a.lost.length} lost, ${a.orderViolations.length} order violations${result.failure ? ', and the run did not complete' : ''}.`,
    );
  return out;
}

/** One line of JSON with the figures (for docs/benchmarks.md and scripts). */
export function jsonSummary(result: SoakResult, date: Date): string {
  const a = result.analysis;
  const overlapMs = a.overlaps.map((episode) => episode.lastStaleAtMs - episode.takenAtMs);
  return JSON.stringify({
    soak: 'kinesis-ts',
    date: date.toISOString(),
    seed: result.options.seed,
    durationSeconds: result.options.durationSeconds,
    rate: result.options.rate,
    keys: result.options.keys,
    shards: result.options.shards,
    retrieval: result.options.retrieval,
    transientNotFound: result.options.transientNotFound,
    written: a.written,
    delivered: a.delivered,
    lost: a.lost.length,
    duplicates: a.duplicates,
    duplicateShare: a.delivered === 0 ? 0 : Number((a.duplicates / a.delivered).toFixed(4)),
    duplicatesByCause: a.duplicatesByCause,
    orderViolations: a.orderViolations.length,
    overlaps: {
      episodes: a.overlaps.length,
      interleaved: a.overlaps.filter((episode) => episode.interleaved).length,
      records: sum(a.overlaps.map((episode) => episode.records)),
      maxMs: overlapMs.length === 0 ? 0 : Math.round(Math.max(...overlapMs)),
      totalMs: Math.round(sum(overlapMs)),
    },
    kills: result.kills.length,
    crashes: result.crashes.length,
    splits: result.reshards.filter((r) => r.kind === 'split' && !r.error).length,
    merges: result.reshards.filter((r) => r.kind === 'merge' && !r.error).length,
    shardFailures: result.workers.shardFailures.length,
    shardsEndedWhileOpen: result.openShardEnds.length,
    maxLeasesHeld: result.holdings.maxHeld,
    maxLeasesForWorker: result.maxLeasesForWorker,
    overLeaseCap: result.holdings.overCap.length,
    stopTimeouts: result.stopTimeouts.length,
    hungLeaseTableStopTimedOut: result.hungAtStop?.timedOut ?? null,
    failedReleases: result.holdings.failedReleases,
    leasesHeldAfterStop: sum(result.holdings.heldAtStop.map((h) => h.leases.length)),
    drainMs: result.drain.ms,
    drainComplete: result.drain.complete,
    runMs: result.totalMs,
    exitStatus: exitStatus(result),
  });
}

function lostByShard(result: SoakResult): string {
  const byShard = new Map<string, number>();
  for (const record of result.analysis.lost)
    byShard.set(record.shardId, (byShard.get(record.shardId) ?? 0) + 1);
  if (byShard.size === 0) return '';
  const parts = [...byShard.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([shardId, n]) => `${shardId}: ${count(n)}`);
  return ` (${parts.join(', ')})`;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
