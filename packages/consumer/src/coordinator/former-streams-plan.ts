import type { Lease } from '../leases/lease.js';
import { parseMultiStreamLeaseKey, serializeStreamIdentifier } from '../leases/stream-identifier.js';

/**
 * What happens to the leases of a stream that left the `streams` list (the KCL's
 * `FormerStreamsLeasesDeletionStrategy`):
 *
 * - `'none'`: they stay in the table (the stream is no longer processed);
 * - `{ strategy: 'auto-detect-deferred', waitMs }`: a stream with leases in the table and absent
 *   from the list for `waitMs` has its leases deleted; one that comes back in time keeps them;
 * - `{ strategy: 'provided-deferred', waitMs, streamIdentifiers }`: the streams the function names
 *   (serialized identifiers `<accountId>:<streamName>:<creationEpoch>`) have their leases deleted
 *   once named for `waitMs` and still absent from the list.
 *
 * Whatever the strategy, a stream Kinesis says is deleted has its leases deleted unless it is in the
 * list, and the leases of an older stream of the same name (a stream deleted and recreated) go too.
 */
export type FormerStreamsLeasesDeletion =
  | 'none'
  | { readonly strategy: 'auto-detect-deferred'; readonly waitMs: number }
  | {
      readonly strategy: 'provided-deferred';
      readonly waitMs: number;
      readonly streamIdentifiers: () => readonly string[] | Promise<readonly string[]>;
    };

/** The streams of the lease table's leases, by serialized identifier, and each stream's lease keys. */
export function leasesByStream(leases: readonly Lease[]): Map<string, string[]> {
  const byStream = new Map<string, string[]>();
  for (const lease of leases) {
    const parsed = parseMultiStreamLeaseKey(lease.leaseKey);
    if (!parsed) continue;
    const id = serializeStreamIdentifier(parsed.streamIdentifier);
    const keys = byStream.get(id) ?? [];
    keys.push(lease.leaseKey);
    byStream.set(id, keys);
  }
  return byStream;
}

/** The inputs of one round of {@link planFormerStreamsCleanup}. */
export interface FormerStreamsInput {
  readonly nowMs: number;
  /** Serialized identifiers of the streams tracked now. */
  readonly tracked: ReadonlySet<string>;
  /** Serialized identifiers of the streams with leases in the table. */
  readonly inTable: ReadonlySet<string>;
  /** Streams Kinesis said are deleted (ResourceNotFound on ListShards). */
  readonly deleted: ReadonlySet<string>;
  /** Provided-deferred: the streams the application names for deletion; otherwise empty. */
  readonly provided: ReadonlySet<string>;
  /** Since when each candidate has been waiting (carried from round to round). */
  readonly pendingSinceMs: ReadonlyMap<string, number>;
}

/** What to delete now, and the waits to carry to the next round. */
export interface FormerStreamsPlan {
  readonly deleteNow: readonly { readonly streamIdentifier: string; readonly reason: string }[];
  readonly pendingSinceMs: ReadonlyMap<string, number>;
}

/** Decides which streams' leases to delete now (pure: the caller deletes and keeps the waits). */
export function planFormerStreamsCleanup(
  deletion: FormerStreamsLeasesDeletion,
  input: FormerStreamsInput,
): FormerStreamsPlan {
  const deleteNow: { streamIdentifier: string; reason: string }[] = [];
  const pending = new Map<string, number>();
  const trackedNames = new Map<string, number>();
  for (const id of input.tracked) {
    const [account, name, epoch] = id.split(':');
    trackedNames.set(`${account}:${name}`, Number(epoch));
  }
  for (const id of input.inTable) {
    if (input.tracked.has(id)) continue; // a tracked stream keeps its leases, whatever else says
    const [account, name, epoch] = id.split(':');
    const newer = trackedNames.get(`${account}:${name}`);
    if (input.deleted.has(id)) {
      deleteNow.push({ streamIdentifier: id, reason: 'the stream was deleted' });
      continue;
    }
    if (newer !== undefined && newer > Number(epoch)) {
      deleteNow.push({ streamIdentifier: id, reason: 'the stream was recreated under the same name' });
      continue;
    }
    if (deletion === 'none') continue;
    const candidate = deletion.strategy === 'auto-detect-deferred' || input.provided.has(id);
    if (!candidate) continue;
    const since = input.pendingSinceMs.get(id) ?? input.nowMs;
    if (input.nowMs - since >= deletion.waitMs) {
      deleteNow.push({
        streamIdentifier: id,
        reason:
          deletion.strategy === 'auto-detect-deferred'
            ? `absent from the streams list for ${deletion.waitMs} ms`
            : `named for deletion and absent from the streams list for ${deletion.waitMs} ms`,
      });
    } else {
      pending.set(id, since);
    }
  }
  return { deleteNow, pendingSinceMs: pending };
}
