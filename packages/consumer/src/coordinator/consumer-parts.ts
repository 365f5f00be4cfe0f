import type { Logger } from '@kinesis-ts/core';
import type { MetricsRecorder } from '../consumer-metrics.js';
import { LeaseTable } from '../leases/dynamodb/lease-table.js';
import type { Lease } from '../leases/lease.js';
import { type LeaseAcquisition, LeaseCoordinator } from '../leases/lease-coordinator.js';
import type { LeaseLossReason } from '../leases/lease-renewer.js';
import type { ShardEndNotifier } from '../lifecycle/shard-end-notifier.js';
import type { ResolvedConsumerOptions } from '../options.js';
import { withDeliveryMeter } from './delivery-meter.js';
import {
  type LeaseAssignmentMode,
  leaderMoveWrite,
  runsPeriodicShardSync,
  scansUnderIndexDiscovery,
} from './kcl3-protocol.js';
import { LeaseOwnerIndexSetup } from './lease-owner-index-setup.js';
import { LeaseTableMaintenance } from './lease-table-maintenance.js';
import { LoadAwareAssignment } from './load-aware-assignment.js';
import { type EmitConsumerEvent, ShardConsumerFactory } from './shard-consumer-factory.js';
import { listStreamShards } from './shard-listing.js';
import { ShardSyncer } from './shard-syncer.js';
import { ConsumerStartUp } from './start-up.js';

/** The named parts a `KinesisConsumer` is a facade over. */
export interface ConsumerParts {
  /** The DynamoDB lease table: every read and write of a lease row. */
  readonly table: LeaseTable;
  /** The lease protocol: renewer and taker on their timers. */
  readonly coordinator: LeaseCoordinator;
  /** The steps of `start()` before leases are taken. */
  readonly startUp: ConsumerStartUp;
  /** The shard listing, shard sync and child leases. */
  readonly syncer: ShardSyncer;
  /** What each taker scan triggers: hole audit, hash-range backfill, finished-lease deletion. */
  readonly maintenance: LeaseTableMaintenance;
  /** The shard consumer of each lease taken. */
  readonly shardConsumers: ShardConsumerFactory;
  /**
   * Metering, worker metrics, leader election and rounds: built unless `leaseAssignment: 'lease-count'`
   * was set explicitly (a Java KCL 3.x fleet may call for it), run only in `'worker-utilization'`.
   */
  readonly assignment: LoadAwareAssignment | undefined;
  /** The `LeaseOwnerToLeaseKeyIndex` set-up of index discovery (with `assignment`). */
  readonly indexSetup: LeaseOwnerIndexSetup | undefined;
  /** Sets the mode start-up resolved (the option, or what the fleet's `Migration3.0` row calls for). */
  readonly setAssignmentMode: (mode: LeaseAssignmentMode) => void;
  /**
   * Multi-stream: bytes delivered from a lease (its table key) feed its `throughputKBps` in
   * `'worker-utilization'` (single-stream shard consumers feed it themselves).
   */
  readonly recordDelivered: (leaseKey: string, bytes: number) => void;
  /**
   * Whether this worker runs the periodic shard sync now ({@link runsPeriodicShardSync}): the
   * leader's alone while load-aware assignment elects one; every stream's syncer asks it.
   */
  readonly periodicShardSyncAllowed: () => boolean;
}

/** What the facade gives its parts: its signal, figures, events and lease callbacks. */
export interface ConsumerPartsContext {
  /** Aborted when `stop()` begins. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly recorder: MetricsRecorder;
  readonly emit: EmitConsumerEvent;
  readonly shardEnds: ShardEndNotifier;
  /** Whether the consumer is running (the table's upkeep runs only then). */
  readonly isRunning: () => boolean;
  /** The registered stream consumer, once start-up has found it (fan-out). */
  readonly consumerArn: () => string | undefined;
  readonly onLeaseTaken: (acquisition: LeaseAcquisition) => void;
  readonly onLeaseLost: (lease: Lease, reason: LeaseLossReason, token: string) => void;
  /** A graceful handoff away from this worker was found (see `LeaseRenewerOptions.onHandoffRequested`). */
  readonly onHandoffRequested?: (lease: Lease, token: string) => void;
  /** Multi-stream: the leases the taker may take (those of the tracked streams). */
  readonly isWorkable?: (lease: Lease) => boolean;
  /** Multi-stream: each scan goes to the streams' own upkeep instead of the single-stream one. */
  readonly onScan?: (leases: readonly Lease[], scannedAtMs: number) => void;
  /** Whether the user gave `leaseAssignment` (not the default). */
  readonly leaseAssignmentExplicit?: boolean;
}

/**
 * Builds and wires the parts of a consumer (the KCL's `Scheduler` set-up): each part's callbacks
 * feed the others, the figures and the events.
 */
export function createConsumerParts(
  options: ResolvedConsumerOptions,
  context: ConsumerPartsContext,
): ConsumerParts {
  const { signal, logger, recorder, emit } = context;
  const table = new LeaseTable({
    client: options.dynamoDbClient,
    tableName: options.leaseTableName,
    requestTimeoutMs: options.dynamoDbRequestTimeoutMs,
    logger,
  });
  // The mode is settled at start (a Java KCL 3.x fleet turns the default 'lease-count' into
  // 'worker-utilization'); until then, and in 'lease-count', the load-aware parts stay idle.
  let loadAware = options.leaseAssignment === 'worker-utilization';
  const assignment =
    loadAware || context.leaseAssignmentExplicit !== true
      ? new LoadAwareAssignment({
          client: options.dynamoDbClient,
          tableName: options.leaseTableName,
          applicationName: options.applicationName,
          requestTimeoutMs: options.dynamoDbRequestTimeoutMs,
          workerId: options.workerId,
          failoverTimeMs: options.failoverTimeMs,
          maxLeasesForWorker: options.maxLeasesForWorker,
          leaseAssignmentIntervalMs: options.leaseAssignmentIntervalMs,
          leaderLockLeaseDurationMs: options.leaderLockLeaseDurationMs,
          leaderLockHeartbeatPeriodMs: options.leaderLockHeartbeatPeriodMs,
          onLeadershipChange: (isLeader) => emit('leadership:changed', { isLeader }),
          workerMetricsReportIntervalMs: options.workerMetricsReportIntervalMs,
          listLeases: (listSignal) => table.listLeases(listSignal),
          now: options.now,
          random: options.random,
          logger,
          // With graceful handoff, a live owner's lease moves by checkpointOwner: it checkpoints and transfers.
          moveLease:
            leaderMoveWrite(options.gracefulLeaseHandoff) === 'handoff'
              ? (lease, newOwner, moveSignal) => table.initiateLeaseHandoff(lease, newOwner, moveSignal)
              : undefined,
          onError: (operation, error) => emit('lease-table:error', { operation, error }),
        })
      : undefined;
  const coordinator: LeaseCoordinator = new LeaseCoordinator({
    takingMode: assignment ? () => (loadAware ? assignment.takingMode() : 'all') : undefined,
    throughput: assignment
      ? {
          nextEstimate: (leaseKey, previousKBps) =>
            loadAware ? assignment.throughput.nextEstimate(leaseKey, previousKBps) : undefined,
        }
      : undefined,
    store: table,
    workerId: options.workerId,
    failoverTimeMs: options.failoverTimeMs,
    renewalIntervalMs: options.leaseRenewalIntervalMs,
    takerIntervalMs: options.leaseTakerIntervalMs,
    maxLeasesForWorker: options.maxLeasesForWorker,
    maxLeasesToStealAtOneTime: options.maxLeasesToStealAtOneTime,
    enablePriorityLeaseAssignment: options.enablePriorityLeaseAssignment,
    gracefulLeaseHandoff: options.gracefulLeaseHandoff,
    gracefulLeaseHandoffTimeoutMs: options.gracefulLeaseHandoffTimeoutMs,
    onHandoffRequested: context.onHandoffRequested,
    now: options.now,
    random: options.random,
    logger,
    onLeaseTaken: context.onLeaseTaken,
    onLeaseLost: context.onLeaseLost,
    onLeaseWritten: () => {
      recorder.leaseWrites++;
    },
    onError: (operation, error) => {
      if (operation === 'renew-lease') recorder.renewalFailures++;
      emit('lease-table:error', { operation, error });
    },
    onScan: (leases, scannedAtMs) =>
      context.onScan ? context.onScan(leases, scannedAtMs) : maintenance.onScan(leases, scannedAtMs),
    isWorkable: context.isWorkable,
  });
  const startUp = new ConsumerStartUp({ ...options, table, signal, logger });
  const syncer = new ShardSyncer({
    store: table,
    listShards: (listSignal) =>
      listStreamShards(options.kinesisClient, options.stream, options.kinesisRequestTimeoutMs, listSignal),
    initialPosition: options.initialPosition,
    intervalMs: options.shardSyncIntervalMs,
    signal,
    now: options.now,
    logger,
    onSyncError: (error) => emit('lease-table:error', { operation: 'shard-sync', error }),
    onChildLeasesCreated: () => void coordinator.runTakerSoon(),
    periodicSyncAllowed: () => periodicShardSyncAllowed(),
  });
  const maintenance = new LeaseTableMaintenance({
    store: table,
    listedShards: (maxAgeMs) => syncer.listedShards(maxAgeMs),
    requestShardSync: (reason) => syncer.requestSync(reason),
    isRunning: context.isRunning,
    cleanupLeasesUponShardCompletion: options.cleanupLeasesUponShardCompletion,
    leaseCleanupIntervalMs: options.leaseCleanupIntervalMs,
    signal,
    logger,
    onLeaseDeleted: (leaseKey) => {
      recorder.deletedLeases++;
      emit('lease:deleted', { leaseKey });
    },
    onError: (operation, error) => emit('lease-table:error', { operation, error }),
  });
  const shardConsumers = new ShardConsumerFactory({
    config: options,
    leases: coordinator.renewer,
    getLease: (leaseKey) => table.getLease(leaseKey),
    createChildLeases: (parent, children) => syncer.createChildLeases(parent, children),
    shardEnds: context.shardEnds,
    shard: (shardId) => syncer.shard(shardId),
    shardStatus: (shardId) => syncer.shardStatus(shardId),
    consumerArn: context.consumerArn,
    recorder,
    // Single-stream lease keys are shard ids: the bytes delivered feed the lease's throughputKBps.
    emit: assignment
      ? withDeliveryMeter(
          emit,
          (shardId) => shardId,
          (key, bytes) => recordDelivered(key, bytes),
        )
      : emit,
    logger,
  });
  const indexSetup = assignment
    ? new LeaseOwnerIndexSetup({
        table,
        createAllowed: options.createLeaseOwnerIndexIfMissing,
        recheckIntervalMs: options.leaseAssignmentIntervalMs,
        logger,
        onActive: () =>
          coordinator.useIndexDiscovery({
            store: table,
            isLeader: () =>
              scansUnderIndexDiscovery({
                isLeader: assignment.election.isLeader(),
                leaderSeemsAlive: assignment.election.leaderSeemsAlive(),
              }),
            leaderScanIntervalMs: options.leaseAssignmentIntervalMs,
            leaderless: () => !assignment.election.leaderSeemsAlive(),
          }),
      })
    : undefined;
  const setAssignmentMode = (mode: LeaseAssignmentMode) => {
    loadAware = mode === 'worker-utilization' && assignment !== undefined;
  };
  /** The leader's alone while one is elected (load-aware assignment runs the election). */
  function periodicShardSyncAllowed(): boolean {
    return runsPeriodicShardSync(
      loadAware && assignment
        ? {
            isLeader: assignment.election.isLeader(),
            leaderSeemsAlive: assignment.election.leaderSeemsAlive(),
          }
        : undefined,
    );
  }
  function recordDelivered(leaseKey: string, bytes: number): void {
    if (loadAware && assignment) assignment.throughput.record(leaseKey, bytes);
  }
  return {
    table,
    coordinator,
    startUp,
    syncer,
    maintenance,
    shardConsumers,
    assignment,
    indexSetup,
    setAssignmentMode,
    recordDelivered,
    periodicShardSyncAllowed,
  };
}
