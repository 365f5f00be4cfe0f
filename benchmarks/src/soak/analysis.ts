/**
 * The verdict of a soak, from what the producer acknowledged and what the workers logged. Pure.
 *
 * - lost: acknowledged by the producer, never delivered to any worker;
 * - duplicates: deliveries of a record after its first one, each attributed to its likely cause;
 * - order violations: for each key, the records' first deliveries, in time order, must have increasing
 *   numbers; a first delivery of a number below one already delivered is a violation (a redelivery of
 *   an older record is a duplicate, not a violation);
 * - overlaps: see overlaps.ts.
 */
import type { LogLine } from './delivery-log.js';
import { LeaseTimeline } from './lease-timeline.js';
import { type BatchLine, findOverlaps, type OverlapEpisode } from './overlaps.js';

/** A record the producer wrote: its key and number, where it went. */
export interface AckedRecord {
  readonly key: string;
  readonly seq: number;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/**
 * Why a record was delivered again:
 * - `after-kill`: the worker took the lease from a worker killed with SIGKILL and resumed from its
 *   last checkpoint (expected: at-least-once);
 * - `after-steal`: it stole the lease from a live worker (expected);
 * - `after-expiry`: it took the lease of a live (or stopped) worker whose renewals had stopped;
 * - `after-release`: it took a lease that had no owner;
 * - `stale-owner`: delivered by a worker that no longer held the lease (see overlaps.ts);
 * - `same-owner`: delivered again by the worker that had delivered it, with no lease move in between
 *   (the handler never fails here, so the consumer should not do this);
 * - `written-twice`: a second Kinesis record with the same key and number (the producer wrote it twice);
 * - `unexplained`: none of the above.
 */
export type DuplicateCause =
  | 'after-kill'
  | 'after-steal'
  | 'after-expiry'
  | 'after-release'
  | 'stale-owner'
  | 'same-owner'
  | 'written-twice'
  | 'unexplained';

export const DUPLICATE_CAUSES: readonly DuplicateCause[] = [
  'after-kill',
  'after-steal',
  'after-expiry',
  'after-release',
  'stale-owner',
  'same-owner',
  'written-twice',
  'unexplained',
];

export interface OrderViolation {
  readonly key: string;
  readonly seq: number;
  /** The highest number of the key delivered before it. */
  readonly after: number;
  readonly shardId: string;
  readonly workerId: string;
  readonly atMs: number;
}

export interface SoakAnalysis {
  /** Records acknowledged by the producer. */
  readonly written: number;
  /** Distinct records delivered. */
  readonly delivered: number;
  /** Distinct records delivered that the producer did not acknowledge (a failed put that was written). */
  readonly deliveredNotAcked: number;
  readonly lost: readonly AckedRecord[];
  /** Deliveries after the first of each record. */
  readonly duplicates: number;
  readonly duplicatesByCause: Readonly<Record<DuplicateCause, number>>;
  /** The longest time from the lease take behind a duplicate to the duplicate, per cause. */
  readonly duplicatesMaxMsAfterTake: Readonly<Partial<Record<DuplicateCause, number>>>;
  readonly orderViolations: readonly OrderViolation[];
  readonly overlaps: readonly OverlapEpisode[];
  readonly batches: number;
}

interface Delivery {
  readonly workerId: string;
  readonly atMs: number;
  readonly sequenceNumber: string;
  readonly subSequence: number;
}

export function analyzeSoak(
  acked: readonly AckedRecord[],
  lines: readonly LogLine[],
  killedWorkers: ReadonlySet<string>,
): SoakAnalysis {
  const batches = lines.filter((line): line is BatchLine => line.e === 'batch').sort((a, b) => a.t - b.t);
  const leases = new LeaseTimeline(lines);
  const deliveries = new Map<string, Delivery[]>();
  const highest = new Map<string, number>();
  const orderViolations: OrderViolation[] = [];
  const duplicatesByCause = Object.fromEntries(DUPLICATE_CAUSES.map((cause) => [cause, 0])) as Record<
    DuplicateCause,
    number
  >;
  const duplicatesMaxMsAfterTake: Partial<Record<DuplicateCause, number>> = {};
  let duplicates = 0;

  for (const batch of batches) {
    for (const [key, seq, sequenceNumber, subSequence] of batch.r) {
      const id = `${key}#${seq}`;
      const delivery: Delivery = { workerId: batch.w, atMs: batch.t, sequenceNumber, subSequence };
      const earlier = deliveries.get(id);
      if (earlier) {
        duplicates++;
        const { cause, msAfterTake } = duplicateCause(delivery, batch.s, earlier, leases, killedWorkers);
        duplicatesByCause[cause]++;
        if (msAfterTake !== undefined)
          duplicatesMaxMsAfterTake[cause] = Math.max(duplicatesMaxMsAfterTake[cause] ?? 0, msAfterTake);
        earlier.push(delivery);
        continue;
      }
      deliveries.set(id, [delivery]);
      const before = highest.get(key) ?? 0;
      if (seq < before) {
        orderViolations.push({ key, seq, after: before, shardId: batch.s, workerId: batch.w, atMs: batch.t });
      } else {
        highest.set(key, seq);
      }
    }
  }

  const ackedIds = new Set(acked.map((record) => `${record.key}#${record.seq}`));
  let deliveredNotAcked = 0;
  for (const id of deliveries.keys()) if (!ackedIds.has(id)) deliveredNotAcked++;
  return {
    written: acked.length,
    delivered: deliveries.size,
    deliveredNotAcked,
    lost: acked.filter((record) => !deliveries.has(`${record.key}#${record.seq}`)),
    duplicates,
    duplicatesByCause,
    duplicatesMaxMsAfterTake,
    orderViolations,
    overlaps: findOverlaps(batches, leases),
    batches: batches.length,
  };
}

function duplicateCause(
  delivery: Delivery,
  shardId: string,
  earlier: readonly Delivery[],
  leases: LeaseTimeline,
  killedWorkers: ReadonlySet<string>,
): { cause: DuplicateCause; msAfterTake?: number } {
  const first = earlier[0]!;
  if (first.sequenceNumber !== delivery.sequenceNumber || first.subSequence !== delivery.subSequence) {
    return { cause: 'written-twice' };
  }
  const owner = leases.lastTake(shardId, delivery.atMs);
  if (owner && owner.workerId !== delivery.workerId) return { cause: 'stale-owner' };
  const take = leases.lastTake(shardId, delivery.atMs, delivery.workerId);
  const sameTenure = earlier.some(
    (previous) => previous.workerId === delivery.workerId && previous.atMs >= (take?.atMs ?? 0),
  );
  if (sameTenure) return { cause: 'same-owner' };
  if (!take) return { cause: 'unexplained' };
  const msAfterTake = delivery.atMs - take.atMs;
  if (take.previousOwner !== undefined && killedWorkers.has(take.previousOwner))
    return { cause: 'after-kill', msAfterTake };
  if (take.stolen) return { cause: 'after-steal', msAfterTake };
  if (take.previousOwner !== undefined) return { cause: 'after-expiry', msAfterTake };
  return { cause: 'after-release', msAfterTake };
}
