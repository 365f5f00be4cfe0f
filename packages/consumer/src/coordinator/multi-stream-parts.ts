import type { Logger } from '@kinesis-ts/core';
import type { MetricsRecorder } from '../consumer-metrics.js';
import type { LeaseTable } from '../leases/dynamodb/lease-table.js';
import type { LeaseCoordinator } from '../leases/lease-coordinator.js';
import { SharedLeaseListing, sharedLeaseListingMaxAgeMs } from '../leases/shared-lease-listing.js';
import { checkInitialPosition, type ResolvedConsumerOptions } from '../options.js';
import type { EmitConsumerEvent } from './shard-consumer-factory.js';
import { ConsumerStartUp } from './start-up.js';
import type { StreamsSource } from './stream-config.js';
import { StreamRuntime } from './stream-runtime.js';
import { StreamTracker } from './stream-tracker.js';

/** What the facade gives the multi-stream parts. */
export interface MultiStreamPartsContext {
  readonly table: LeaseTable;
  readonly coordinator: LeaseCoordinator;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly recorder: MetricsRecorder;
  readonly emit: EmitConsumerEvent;
  readonly isRunning: () => boolean;
  /** A stream left the list: stop its shards and release their leases. */
  readonly onStreamRemoved: (runtime: StreamRuntime) => Promise<void>;
  /** Bytes delivered from a lease (its table key), for load-aware assignment's `throughputKBps`. */
  readonly onBytesDelivered?: (leaseKey: string, bytes: number) => void;
  /** Whether the periodic shard sync runs on this worker now (the leader's alone while one is elected). */
  readonly periodicShardSyncAllowed?: () => boolean;
}

/**
 * The stream tracker of a multi-stream application, wired: each stream's start-up (describe, its
 * fan-out consumer), its parts over the shared table and renewer, and the events.
 */
export function createStreamTracker(
  options: ResolvedConsumerOptions,
  source: StreamsSource,
  context: MultiStreamPartsContext,
): StreamTracker {
  const { table, coordinator, signal, logger, emit } = context;
  const retrieval = options.retrieval;
  // One scan of the table serves every stream's shard sync (and the taker's scans feed it).
  const leaseListing = new SharedLeaseListing({
    scan: (scanSignal) => table.listLeases(scanSignal),
    maxAgeMs: sharedLeaseListingMaxAgeMs(options.shardSyncIntervalMs),
    now: options.now,
    signal,
  });
  const tracker: StreamTracker = new StreamTracker({
    source,
    intervalMs: options.streamSyncIntervalMs,
    initialPosition: options.initialPosition,
    checkInitialPosition,
    region: async () => {
      const region = options.kinesisClient.config.region;
      return typeof region === 'function' ? await region() : region;
    },
    startUpFor: (config, ref) =>
      new ConsumerStartUp({
        ...options,
        stream: ref,
        retrieval:
          retrieval.mode === 'fan-out'
            ? {
                ...retrieval,
                consumerName: config.consumerName ?? retrieval.consumerName,
                consumerArn: config.consumerArn,
              }
            : retrieval,
        table,
        signal,
        logger,
      }),
    createRuntime: (stream) =>
      new StreamRuntime(stream, {
        options,
        table,
        renewer: coordinator.renewer,
        signal,
        logger,
        recorder: context.recorder,
        emit,
        isRunning: context.isRunning,
        onChildLeasesCreated: () => void coordinator.runTakerSoon(),
        onShardSyncError: (stream, error) => tracker.onShardSyncError(stream, error),
        onBytesDelivered: context.onBytesDelivered,
        periodicShardSyncAllowed: context.periodicShardSyncAllowed,
        listLeases: (listSignal) => leaseListing.list(listSignal),
      }),
    onAdded: (runtime) => {
      const { streamName, streamArn, streamIdentifier } = runtime.stream;
      emit('stream:added', { streamName, streamArn, streamIdentifier });
      void coordinator.runTakerSoon();
    },
    onRemoved: async (runtime) => {
      await context.onStreamRemoved(runtime);
      const { streamName, streamArn, streamIdentifier } = runtime.stream;
      emit('stream:removed', { streamName, streamArn, streamIdentifier });
    },
    onError: (error) => emit('streams:error', { error }),
    logger,
    formerStreamsLeasesDeletion: options.formerStreamsLeasesDeletion,
    deleteLease: (leaseKey) => table.deleteLease(leaseKey),
    onLeaseDeleted: (leaseKey) => {
      context.recorder.deletedLeases++;
      emit('lease:deleted', { leaseKey });
    },
    now: options.now,
    onTableScanned: (leases, scannedAtMs) => leaseListing.record(leases, scannedAtMs),
  });
  return tracker;
}
