import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';
import { type Lease, shardIdOfLeaseKey } from '../leases/lease.js';
import { parseMultiStreamLeaseKey, parseStreamArn } from '../leases/stream-identifier.js';

/** The stream the admin was given, to pick a multi-stream table's leases. */
export interface AdminStream {
  readonly streamName?: string;
  readonly streamArn?: string;
}

/** Whether the table holds a multi-stream application's leases. */
export function isMultiStreamTable(leases: readonly Lease[]): boolean {
  return leases.some((lease) => parseMultiStreamLeaseKey(lease.leaseKey) !== undefined);
}

/** The names of the streams of a multi-stream table's leases, sorted. */
export function streamNamesOf(leases: readonly Lease[]): string[] {
  const names = new Set<string>();
  for (const lease of leases) {
    const parsed = parseMultiStreamLeaseKey(lease.leaseKey);
    if (parsed) names.add(parsed.streamIdentifier.streamName);
  }
  return [...names].sort();
}

/**
 * The leases an admin call works on. A single-stream table: every single-stream lease. A
 * multi-stream table: the leases of the given stream (by name, and account when an ARN is given);
 * with `latestOnly`, only those of its newest creation epoch (a stream recreated under the same name
 * leaves the old one's leases until they are cleaned up). Without a stream, every lease (listing).
 */
export function leasesOfStream(leases: readonly Lease[], stream: AdminStream, latestOnly: boolean): Lease[] {
  if (!isMultiStreamTable(leases)) return leases.filter((lease) => !lease.leaseKey.includes(':'));
  const name = stream.streamArn ? parseStreamArn(stream.streamArn)?.streamName : stream.streamName;
  if (name === undefined) return [...leases];
  const account = stream.streamArn ? parseStreamArn(stream.streamArn)?.accountId : undefined;
  const mine = leases.filter((lease) => {
    const parsed = parseMultiStreamLeaseKey(lease.leaseKey);
    return (
      parsed !== undefined &&
      parsed.streamIdentifier.streamName === name &&
      (account === undefined || parsed.streamIdentifier.accountId === account)
    );
  });
  if (!latestOnly) return mine;
  const epochs = mine.map(
    (lease) => parseMultiStreamLeaseKey(lease.leaseKey)!.streamIdentifier.creationEpochSeconds,
  );
  const newest = Math.max(...epochs);
  return mine.filter(
    (lease) => parseMultiStreamLeaseKey(lease.leaseKey)!.streamIdentifier.creationEpochSeconds === newest,
  );
}

/**
 * A reset on a multi-stream table needs the stream whose checkpoints to move.
 * @throws ValidationError (`INVALID_OPTION`) on `streamName`, listing the table's streams.
 */
export function requireStreamForReset(leases: readonly Lease[], stream: AdminStream): void {
  if (!isMultiStreamTable(leases) || stream.streamName || stream.streamArn) return;
  throw new ValidationError(
    'streamName',
    "the stream whose checkpoints to reset (the table is a multi-stream application's)",
    `the table holds the leases of ${streamNamesOf(leases).join(', ')}`,
    CoreErrorCode.INVALID_OPTION,
  );
}

/** The shard id of a lease of either kind. */
export function shardIdOfLease(lease: Lease): string {
  return lease.shardId ?? shardIdOfLeaseKey(lease.leaseKey);
}
