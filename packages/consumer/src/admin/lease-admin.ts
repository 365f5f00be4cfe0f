import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import {
  awsErrorCode,
  CoreErrorCode,
  clientOption,
  compareExtendedSequenceNumbers,
  type ExtendedSequenceNumber,
  integerOption,
  listShards,
  type OptionSpecsOf,
  optionDefaults,
  type ResolvedOptions,
  resolveOptions,
  sleep,
  stringOption,
  ValidationError,
} from '@kinesis-ts/core';
import { LeaseTable } from '../leases/dynamodb/lease-table.js';
import { isLeaseFinished, type Lease, type LeaseHashKeyRange } from '../leases/lease.js';
import { parseMultiStreamLeaseKey, serializeStreamIdentifier } from '../leases/stream-identifier.js';
import { mapWithConcurrency } from '../util/map-with-concurrency.js';
import { LeaseAdminError, LeaseAdminErrorCode, type LeaseAdminIssue } from './admin-errors.js';
import {
  type CheckpointChange,
  type CheckpointResetPlan,
  type CheckpointResetTarget,
  describeResetTarget,
  planCheckpointReset,
  type ResolvedResetPosition,
  staticResetPosition,
  validateResetTarget,
} from './checkpoint-reset-plan.js';
import { missingAncestors, parentShardIdsOf } from './missing-ancestors.js';
import { leasesOfStream, requireStreamForReset, shardIdOfLease } from './multi-stream-selection.js';
import { ShardPositionFinder } from './shard-positions.js';

/** Options of {@link LeaseAdmin}. */
export interface LeaseAdminOptions {
  /** The application whose leases to read and rewrite (its lease table's name unless `leaseTableName` says otherwise). */
  readonly applicationName: string;
  /** The lease table. @defaultValue applicationName */
  readonly leaseTableName?: string;
  /** The DynamoDB client for the lease table (SDK v3). */
  readonly dynamoDbClient: DynamoDBClient;
  /**
   * A Kinesis client, needed for lag and for timestamp and sequence-number targets (the stream is
   * read to place them). For kinesis-local, give it an HTTP/1.1 `NodeHttpHandler`.
   */
  readonly kinesisClient?: KinesisClient;
  /** The application's stream, by name (needed with `kinesisClient`). Give this or `streamArn`. */
  readonly streamName?: string;
  /** The application's stream, by ARN. */
  readonly streamArn?: string;
  /** How long one DynamoDB call may take before it is aborted, in ms, from 100. @defaultValue 10000 */
  readonly dynamoDbRequestTimeoutMs?: number;
  /**
   * How long one Kinesis call (reading the stream for lag and targets) may take before it is
   * aborted, in ms, the client's retries included, from 100. @defaultValue 30000
   */
  readonly kinesisRequestTimeoutMs?: number;
  /**
   * The least time between two GetRecords calls on a shard while placing a timestamp (a shard serves
   * 5 calls/s to all its readers), from 0 to a day. @defaultValue 200
   */
  readonly getRecordsIntervalMs?: number;
}

/** The default, range and check of each option of {@link LeaseAdmin}. */
export const LEASE_ADMIN_OPTION_SPECS = {
  applicationName: stringOption({ required: true }),
  leaseTableName: stringOption({}),
  dynamoDbClient: clientOption<DynamoDBClient>({ required: true }),
  kinesisClient: clientOption<KinesisClient>(),
  streamName: stringOption({}),
  streamArn: stringOption({}),
  dynamoDbRequestTimeoutMs: integerOption({ min: 100, max: 86_400_000, default: 10_000 }),
  kinesisRequestTimeoutMs: integerOption({ min: 100, max: 86_400_000, default: 30_000 }),
  getRecordsIntervalMs: integerOption({ min: 0, max: 86_400_000, default: 200 }),
} satisfies OptionSpecsOf<LeaseAdminOptions>;

/** The defaults of {@link LeaseAdminOptions}. */
export const DEFAULT_LEASE_ADMIN_OPTIONS = optionDefaults(LEASE_ADMIN_OPTION_SPECS);

/** One lease as an operator sees it. */
export interface LeaseStatus {
  readonly leaseKey: string;
  readonly shardId: string;
  /** Multi-stream tables: the lease's stream, and its KCL identifier `<accountId>:<streamName>:<creationEpoch>`. */
  readonly streamName?: string;
  readonly streamIdentifier?: string;
  /** `finished`: processed to SHARD_END; `held`: a worker owns it; `available`: nobody does. */
  readonly state: 'finished' | 'held' | 'available';
  readonly leaseOwner?: string;
  readonly leaseCounter: number;
  readonly checkpoint: ExtendedSequenceNumber;
  readonly pendingCheckpoint?: ExtendedSequenceNumber;
  readonly ownerSwitchesSinceCheckpoint: number;
  readonly parentShardIds: readonly string[];
  readonly childShardIds: readonly string[];
  readonly hashKeyRange?: LeaseHashKeyRange;
  /**
   * How far behind the checkpoint is, in ms: the age of the first record after it (0 when there is
   * none), when lag was asked for and is computable; `undefined` for finished shards, `AT_TIMESTAMP`
   * checkpoints and multi-stream leases.
   */
  readonly lagMs?: number;
  /** Why lag could not be computed, when it was asked for and failed. */
  readonly lagError?: string;
}

/** Options of {@link LeaseAdmin.listLeases}. */
export interface ListLeasesOptions {
  /** Read each shard after its checkpoint to compute `lagMs` (about 2 Kinesis calls per lease). @defaultValue false */
  readonly includeLag?: boolean;
}

/** A reset request for {@link LeaseAdmin.resetCheckpoints}. */
export interface CheckpointResetRequest {
  /** Where to move the checkpoints. Required. */
  readonly target: CheckpointResetTarget;
  /** The shards (lease keys) to reset. @defaultValue every lease of the application */
  readonly shardIds?: readonly string[];
  /** Compute and return the plan without writing anything. @defaultValue false */
  readonly dryRun?: boolean;
  /**
   * Reset leases that live workers hold. Their owners lose them at once (the write removes the owner
   * and bumps `leaseCounter`, which fences their next renewal or checkpoint), and the next owner
   * starts from the new checkpoint. @defaultValue false
   */
  readonly force?: boolean;
  /**
   * How long to watch owned leases before judging their owners: a lease whose `leaseCounter` does not
   * change for this long belongs to a dead worker (the Java KCL, for one, leaves its owner in the
   * row when it stops) and does not block the reset. 0 counts every owner as live: stop the
   * application's workers first (kinesis-ts workers release their leases on `stop()`). Use at least
   * the application's failover time. @defaultValue 0
   */
  readonly staleOwnerAfterMs?: number;
}

/** The outcome of {@link LeaseAdmin.resetCheckpoints}. */
export interface CheckpointResetResult extends CheckpointResetPlan {
  readonly target: string;
  /**
   * Timestamp targets: finished ancestors whose leases the cleanup had deleted and that hold records
   * at or after the timestamp; their leases are created again at that position, and their children
   * wait for them again.
   */
  readonly recreated?: readonly { readonly leaseKey: string; readonly checkpoint: ExtendedSequenceNumber }[];
  readonly dryRun: boolean;
  /** Whether the changes were written (false for a dry run, and for a dry run that would be refused). */
  readonly applied: boolean;
}

const WRITE_ATTEMPTS_WITH_FORCE = 5;
/** Shards read at once while computing lag. */
const LAG_CONCURRENCY = 8;

/**
 * Reads and rewrites an application's lease table, for operators: list the leases with owner,
 * checkpoint, lag and parent/child links; move checkpoints back (replay) or forward (skip) safely.
 * Works on tables written by this package and by the Java KCL 2.x/3.x (rows that are not leases are
 * skipped). On a multi-stream application's table, `streamName` (or `streamArn`) picks the stream:
 * the listing shows its leases (every stream's without it), and resets move its checkpoints (the
 * newest creation epoch's, when the stream was recreated), naming shards by their shard ids.
 *
 * A replay through a *separate* application (a new `applicationName` with `initialPosition:
 * { timestamp }`) needs no admin call at all and never touches the main application's table; a
 * reset rewrites the application's own checkpoints, so its next start re-reads from there.
 */
export class LeaseAdmin {
  readonly tableName: string;
  private readonly table: LeaseTable;
  private readonly options: ResolvedOptions<typeof LEASE_ADMIN_OPTION_SPECS>;
  private finder: ShardPositionFinder | undefined;

  constructor(options: LeaseAdminOptions) {
    this.options = resolveOptions(LEASE_ADMIN_OPTION_SPECS, options, { owner: 'LeaseAdmin' });
    if (this.options.kinesisClient && !this.options.streamName && !this.options.streamArn) {
      throw new ValidationError(
        'streamName',
        'a stream name or ARN with kinesisClient',
        'kinesisClient was given without streamName or streamArn',
        CoreErrorCode.INVALID_OPTION,
      );
    }
    this.tableName = this.options.leaseTableName ?? this.options.applicationName;
    this.table = new LeaseTable({
      client: this.options.dynamoDbClient,
      tableName: this.tableName,
      requestTimeoutMs: this.options.dynamoDbRequestTimeoutMs,
    });
  }

  /**
   * Every lease of the application, sorted by key, with owner, checkpoint, parent/child links and,
   * with `includeLag`, how far behind the tip each checkpoint is.
   * @throws LeaseAdminError `ADMIN_TABLE_NOT_FOUND` when the table does not exist.
   */
  async listLeases(options: ListLeasesOptions = {}): Promise<LeaseStatus[]> {
    const leases = leasesOfStream(await this.readLeases(), this.options, false);
    const statuses = leases.map(toStatus);
    if (!options.includeLag) return statuses;
    const finder = this.positionFinder('includeLag');
    return mapWithConcurrency(statuses, LAG_CONCURRENCY, async (status) => {
      if (status.state === 'finished') return status;
      try {
        const lagMs = await finder.lagMs(status.shardId, status.checkpoint);
        return lagMs === undefined ? status : { ...status, lagMs };
      } catch (error) {
        return { ...status, lagError: error instanceof Error ? error.message : String(error) };
      }
    });
  }

  /**
   * Moves checkpoints to `target`, for the named shards or the whole application. Refuses (nothing
   * written) while live workers hold leases it would change, unless `force`. Every write is
   * conditional on the `leaseCounter` seen, so a worker that wakes up in between makes the reset fail
   * with `ADMIN_WRITE_CONFLICT` instead of being overwritten. With `dryRun`, returns the plan only.
   *
   * @throws ValidationError `INVALID_OPTION` for a missing or malformed target.
   * @throws LeaseAdminError `ADMIN_TABLE_NOT_FOUND`, `ADMIN_LEASE_NOT_FOUND`, `ADMIN_LEASES_HELD`,
   * `ADMIN_WRITE_CONFLICT`, `ADMIN_STREAM_NOT_FOUND`, `ADMIN_INVALID_SEQUENCE_NUMBER`.
   */
  async resetCheckpoints(request: CheckpointResetRequest): Promise<CheckpointResetResult> {
    validateResetTarget(request?.target, request?.shardIds);
    const staleOwnerAfterMs = request.staleOwnerAfterMs ?? 0;
    if (!Number.isFinite(staleOwnerAfterMs) || staleOwnerAfterMs < 0) {
      throw new ValidationError(
        'staleOwnerAfterMs',
        'a number ≥ 0',
        `got ${staleOwnerAfterMs}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
    const target = request.target;
    const needsStream = typeof target === 'object' && !('afterSequenceNumber' in target);
    if (needsStream) this.positionFinder('target');

    const table = await this.readLeases();
    requireStreamForReset(table, this.options);
    const all = leasesOfStream(table, this.options, true);
    const selected = this.select(all, request.shardIds);
    const positions = new Map<string, ResolvedResetPosition>();
    for (const lease of selected) positions.set(lease.leaseKey, await this.resolve(lease, target));
    const liveOwners = await this.liveOwners(
      selected.filter((lease) => lease.leaseOwner !== undefined),
      staleOwnerAfterMs,
    );
    const plan = planCheckpointReset(selected, positions, liveOwners);
    const recreate =
      typeof target === 'object' && 'timestamp' in target && request.shardIds === undefined
        ? await this.ancestorLeases(
            all,
            target.timestamp instanceof Date ? target.timestamp : new Date(target.timestamp),
          )
        : [];
    const base = {
      target: describeResetTarget(target),
      dryRun: request.dryRun === true,
      ...plan,
      ...(recreate.length > 0
        ? { recreated: recreate.map((lease) => ({ leaseKey: lease.leaseKey, checkpoint: lease.checkpoint })) }
        : {}),
    };
    if (request.dryRun) return { ...base, applied: false };
    if (plan.heldLeases.length > 0 && !request.force) {
      throw new LeaseAdminError(
        LeaseAdminErrorCode.LEASES_HELD,
        `Refusing to reset ${plan.heldLeases.length} lease(s) that live workers hold (${plan.heldLeases
          .map((issue) => `${issue.leaseKey} by ${issue.leaseOwner}`)
          .join(', ')}): stop the application's workers, or pass force${
          staleOwnerAfterMs === 0 ? ', or staleOwnerAfterMs to skip dead owners' : ''
        }. Nothing was changed.`,
        { issues: plan.heldLeases },
      );
    }
    const applied: string[] = [];
    for (const change of plan.changes) {
      const conflict = await this.write(change, request.force === true);
      if (conflict) {
        throw new LeaseAdminError(
          LeaseAdminErrorCode.WRITE_CONFLICT,
          `Lease ${change.leaseKey} changed after the plan was made (${conflict.detail}); ${
            applied.length === 0 ? 'nothing was changed' : `already reset: ${applied.join(', ')}`
          }. Run the reset again.`,
          { issues: [conflict], applied },
        );
      }
      applied.push(change.leaseKey);
    }
    for (const lease of recreate) await this.table.createLeaseIfNotExists(lease);
    return { ...base, applied: true };
  }

  private async readLeases(): Promise<Lease[]> {
    try {
      return (await this.table.listLeases()).sort((a, b) => a.leaseKey.localeCompare(b.leaseKey));
    } catch (error) {
      if (awsErrorCode(error) === 'ResourceNotFoundException') {
        throw new LeaseAdminError(
          LeaseAdminErrorCode.TABLE_NOT_FOUND,
          `Lease table ${this.tableName} does not exist (is the application name right?)`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private select(all: readonly Lease[], shardIds: readonly string[] | undefined): Lease[] {
    if (shardIds === undefined) return [...all];
    const byKey = new Map(all.map((lease) => [shardIdOfLease(lease), lease]));
    const missing = shardIds.filter((shardId) => !byKey.has(shardId));
    if (missing.length > 0) {
      throw new LeaseAdminError(
        LeaseAdminErrorCode.LEASE_NOT_FOUND,
        `No lease for ${missing.join(', ')} in table ${this.tableName} (leases: ${
          all.map((lease) => lease.leaseKey).join(', ') || 'none'
        }). Nothing was changed.`,
        { issues: missing.map((leaseKey) => ({ leaseKey, detail: 'no such lease' })) },
      );
    }
    return [...new Set(shardIds)].map((shardId) => byKey.get(shardId)!);
  }

  /**
   * The leases to create again for a rewind to `timestamp`: ancestors of `leases` still in the stream,
   * without a lease (deleted once finished), holding records at or after the timestamp.
   */
  private async ancestorLeases(leases: readonly Lease[], timestamp: Date): Promise<Lease[]> {
    const finder = this.positionFinder('target');
    const { kinesisClient, streamName, streamArn } = this.options;
    const shards = await listShards(kinesisClient!, streamArn ? { streamArn } : { streamName: streamName! }, {
      command: (input) => new ListShardsCommand(input),
      timeoutMs: this.options.kinesisRequestTimeoutMs,
    });
    const multi = leases.map((lease) => parseMultiStreamLeaseKey(lease.leaseKey)).find((parsed) => parsed);
    const streamIdentifier = multi ? serializeStreamIdentifier(multi.streamIdentifier) : undefined;
    const created: Lease[] = [];
    for (const shard of missingAncestors(leases, shards, shardIdOfLease)) {
      const resolved = await finder.checkpointBeforeTimestamp(shard.shardId, timestamp);
      if (resolved.firstRecord === undefined) continue; // nothing at or after the timestamp
      created.push({
        leaseKey: streamIdentifier ? `${streamIdentifier}:${shard.shardId}` : shard.shardId,
        leaseCounter: 0,
        checkpoint: resolved.checkpoint,
        ownerSwitchesSinceCheckpoint: 0,
        parentShardIds: parentShardIdsOf(shard),
        childShardIds: [],
        hashKeyRange: { startingHashKey: shard.startingHashKey, endingHashKey: shard.endingHashKey },
        ...(streamIdentifier ? { streamIdentifier, shardId: shard.shardId } : {}),
      });
    }
    return created;
  }

  private async resolve(lease: Lease, target: CheckpointResetTarget): Promise<ResolvedResetPosition> {
    const fixed = staticResetPosition(lease, target);
    const shardId = shardIdOfLease(lease);
    if (fixed) {
      if (typeof target === 'object' && 'afterSequenceNumber' in target && this.options.kinesisClient) {
        await this.positionFinder('target').validateSequenceNumber(shardId, target.afterSequenceNumber);
      }
      return fixed;
    }
    const finder = this.positionFinder('target');
    if (typeof target === 'object' && 'atSequenceNumber' in target) {
      return { checkpoint: await finder.checkpointBeforeSequenceNumber(shardId, target.atSequenceNumber) };
    }
    if (typeof target === 'object' && 'timestamp' in target) {
      const timestamp = target.timestamp instanceof Date ? target.timestamp : new Date(target.timestamp);
      const resolved = await finder.checkpointBeforeTimestamp(shardId, timestamp);
      if (isLeaseFinished(lease) && resolved.firstRecord === undefined) {
        return { unchanged: 'finished shard with no record at or after the timestamp' };
      }
      return { checkpoint: resolved.checkpoint };
    }
    return { unchanged: 'unsupported target' };
  }

  /** The owned leases whose owners are alive: every one, or those whose counter moves within `staleOwnerAfterMs`. */
  private async liveOwners(owned: readonly Lease[], staleOwnerAfterMs: number): Promise<Map<string, string>> {
    const live = new Map<string, string>();
    if (owned.length === 0) return live;
    if (staleOwnerAfterMs === 0) {
      for (const lease of owned) live.set(lease.leaseKey, lease.leaseOwner!);
      return live;
    }
    await sleep(staleOwnerAfterMs);
    for (const lease of owned) {
      const now = await this.table.getLease(lease.leaseKey);
      if (now?.leaseOwner !== undefined && now.leaseCounter !== lease.leaseCounter) {
        live.set(lease.leaseKey, now.leaseOwner);
      }
    }
    return live;
  }

  /**
   * One conditional write of a new checkpoint: counter + 1, checkpoint and sub-sequence number,
   * owner switches reset, pending checkpoint and ownership removed; if `leaseCounter` is the one seen.
   * With `force`, a lost race is retried on a fresh read. Returns the conflict, if any.
   */
  private async write(change: CheckpointChange, force: boolean): Promise<LeaseAdminIssue | undefined> {
    let counter = change.leaseCounter;
    for (let attempt = 1; ; attempt++) {
      if (await this.table.resetCheckpoint(change.leaseKey, counter, change.to)) return undefined;
      const now = await this.table.getLease(change.leaseKey);
      if (
        now &&
        now.leaseCounter === counter + 1 &&
        now.leaseOwner === undefined &&
        compareExtendedSequenceNumbers(now.checkpoint, change.to) === 0
      ) {
        // The SDK retried a write that had succeeded: the condition failed on our own write.
        return undefined;
      }
      const detail = now
        ? `leaseCounter ${counter} → ${now.leaseCounter}, owner ${now.leaseOwner ?? 'none'}, checkpoint ${now.checkpoint.sequenceNumber}`
        : 'the lease was deleted';
      if (!force || !now || attempt >= WRITE_ATTEMPTS_WITH_FORCE) {
        return { leaseKey: change.leaseKey, leaseOwner: now?.leaseOwner, detail };
      }
      counter = now.leaseCounter;
    }
  }

  private positionFinder(forWhat: 'includeLag' | 'target'): ShardPositionFinder {
    const { kinesisClient, streamName, streamArn } = this.options;
    if (!kinesisClient) {
      throw new ValidationError(
        'kinesisClient',
        'a Kinesis client and the stream, to read the stream',
        forWhat === 'includeLag'
          ? 'lag is computed by reading the stream: give kinesisClient and streamName'
          : 'timestamp and atSequenceNumber targets are placed by reading the stream: give kinesisClient and streamName',
        CoreErrorCode.INVALID_OPTION,
      );
    }
    this.finder ??= new ShardPositionFinder({
      kinesisClient,
      streamName,
      streamArn,
      getRecordsIntervalMs: this.options.getRecordsIntervalMs,
      requestTimeoutMs: this.options.kinesisRequestTimeoutMs,
    });
    return this.finder;
  }
}

function toStatus(lease: Lease): LeaseStatus {
  return {
    leaseKey: lease.leaseKey,
    shardId: shardIdOfLease(lease),
    ...streamOf(lease),
    state: isLeaseFinished(lease) ? 'finished' : lease.leaseOwner ? 'held' : 'available',
    leaseOwner: lease.leaseOwner,
    leaseCounter: lease.leaseCounter,
    checkpoint: lease.checkpoint,
    pendingCheckpoint: lease.pendingCheckpoint,
    ownerSwitchesSinceCheckpoint: lease.ownerSwitchesSinceCheckpoint,
    parentShardIds: lease.parentShardIds,
    childShardIds: lease.childShardIds,
    hashKeyRange: lease.hashKeyRange,
  };
}

function streamOf(lease: Lease): Pick<LeaseStatus, 'streamName' | 'streamIdentifier'> {
  const parsed = parseMultiStreamLeaseKey(lease.leaseKey);
  if (!parsed) return {};
  return {
    streamName: parsed.streamIdentifier.streamName,
    streamIdentifier: serializeStreamIdentifier(parsed.streamIdentifier),
  };
}
