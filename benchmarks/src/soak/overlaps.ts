/**
 * Shards processed by two workers at once. A batch is *stale* when the worker that delivered it no
 * longer held the shard's lease: another worker had taken it (the last `lease:taken` of the shard
 * before the batch is someone else's). The stale batches of one worker after one take form an
 * episode, which lasts from the take to the last stale batch; it is *interleaved* when the new owner
 * delivered batches of the shard during it (both really processed the shard at the same time).
 */
import type { LogLine } from './delivery-log.js';
import type { LeaseTimeline } from './lease-timeline.js';

export type BatchLine = Extract<LogLine, { e: 'batch' }>;

export interface OverlapEpisode {
  readonly shardId: string;
  /** The worker that went on delivering after losing the lease. */
  readonly staleWorker: string;
  /** The worker that had taken the lease. */
  readonly owner: string;
  readonly takenAtMs: number;
  readonly lastStaleAtMs: number;
  readonly batches: number;
  readonly records: number;
  readonly interleaved: boolean;
}

/** The overlap episodes of `batches` (sorted by time), in order of their takes. */
export function findOverlaps(batches: readonly BatchLine[], leases: LeaseTimeline): OverlapEpisode[] {
  const episodes = new Map<string, { episode: OverlapEpisode; takeAt: number }>();
  for (const batch of batches) {
    const take = leases.lastTake(batch.s, batch.t);
    if (!take || take.workerId === batch.w) continue;
    const id = `${batch.s}|${batch.w}|${take.atMs}`;
    const known = episodes.get(id)?.episode;
    episodes.set(id, {
      takeAt: take.atMs,
      episode: {
        shardId: batch.s,
        staleWorker: batch.w,
        owner: take.workerId,
        takenAtMs: take.atMs,
        lastStaleAtMs: batch.t,
        batches: (known?.batches ?? 0) + 1,
        records: (known?.records ?? 0) + batch.r.length,
        interleaved: false,
      },
    });
  }
  return [...episodes.values()]
    .sort((a, b) => a.takeAt - b.takeAt)
    .map(({ episode }) => ({
      ...episode,
      interleaved: batches.some(
        (batch) =>
          batch.s === episode.shardId &&
          batch.w === episode.owner &&
          batch.t >= episode.takenAtMs &&
          batch.t <= episode.lastStaleAtMs,
      ),
    }));
}
