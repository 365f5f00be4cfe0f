import type { Logger } from '@kinesis-ts/core';
import type { MetricsRecorder } from '../consumer-metrics.js';
import type { LeaseTable } from '../leases/dynamodb/lease-table.js';
import type { Lease } from '../leases/lease.js';
import type { LeaseRenewer } from '../leases/lease-renewer.js';
import { StreamLeaseScope } from '../leases/stream-lease-scope.js';
import { ShardEndNotifier } from '../lifecycle/shard-end-notifier.js';
import type { ResolvedConsumerOptions } from '../options.js';
import type {
  HandlerContext,
  ShardRecordProcessor,
  ShardRecordProcessorFactory,
  StreamContext,
} from '../processor/record-processor.js';
import type { InitialPosition } from '../retrieval/initial-position.js';
import { withDeliveryMeter } from './delivery-meter.js';
import { LeaseTableMaintenance } from './lease-table-maintenance.js';
import {
  type BuiltShardConsumer,
  type EmitConsumerEvent,
  ShardConsumerFactory,
} from './shard-consumer-factory.js';
import { listStreamShards } from './shard-listing.js';
import { ShardSyncer } from './shard-syncer.js';

/** A stream of a multi-stream application as resolved at run time. */
export interface ResolvedStream {
  readonly streamName: string;
  readonly streamArn: string;
  /** The serialized KCL stream identifier, `<accountId>:<streamName>:<creationEpochSeconds>`. */
  readonly streamIdentifier: string;
  readonly initialPosition: InitialPosition;
  /** Fan-out: the stream consumer's ARN, once known. */
  readonly consumerArn?: string;
}

/** What every stream's parts share: the consumer's options, the table, the renewer, figures and events. */
export interface StreamRuntimeContext {
  readonly options: ResolvedConsumerOptions;
  readonly table: LeaseTable;
  readonly renewer: LeaseRenewer;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly recorder: MetricsRecorder;
  readonly emit: EmitConsumerEvent;
  readonly isRunning: () => boolean;
  /** Leases of a finished shard's children were created: the taker should run soon. */
  readonly onChildLeasesCreated: () => void;
  /** A shard sync of this stream failed (ResourceNotFound: the stream was deleted). */
  readonly onShardSyncError?: (stream: ResolvedStream, error: unknown) => void;
  /** Bytes delivered to the handler from a lease (its table key): feeds the lease's `throughputKBps`. */
  readonly onBytesDelivered?: (leaseKey: string, bytes: number) => void;
  /**
   * Lists the table's leases for this stream's shard sync: a listing shared by every stream
   * (`SharedLeaseListing`). @defaultValue a scan of the table per sync
   */
  readonly listLeases?: (signal?: AbortSignal) => Promise<readonly Lease[]>;
  /** Whether the periodic shard sync runs on this worker now (the leader's alone while one is elected). @defaultValue always */
  readonly periodicShardSyncAllowed?: () => boolean;
}

/**
 * One stream's parts in a multi-stream application: shard sync, table upkeep (hole audit, cleanup)
 * and shard consumers, each working on the stream's leases through a {@link StreamLeaseScope} (keys
 * are shard ids inside, `<streamIdentifier>:<shardId>` in the table). The lease taker and renewer are
 * shared by every stream, so balancing counts every lease of every stream.
 */
export class StreamRuntime {
  readonly stream: ResolvedStream;
  readonly scope: StreamLeaseScope;
  readonly syncer: ShardSyncer;
  readonly maintenance: LeaseTableMaintenance;
  private readonly shardConsumers: ShardConsumerFactory;

  constructor(stream: ResolvedStream, context: StreamRuntimeContext) {
    const { options, table, renewer, signal, logger, emit } = context;
    this.stream = stream;
    const scope = new StreamLeaseScope(stream.streamIdentifier);
    this.scope = scope;
    const streamFields: StreamContext = { streamName: stream.streamName, streamArn: stream.streamArn };
    const streamLogger = withFields(logger, { streamName: stream.streamName });
    const emitWithStream: EmitConsumerEvent = (event, payload) =>
      emit(event, { ...payload, ...streamFields } as typeof payload);
    const listLeases = context.listLeases;
    const syncStore = scope.syncStore({
      listLeases: listLeases ?? ((listSignal) => table.listLeases(listSignal)),
      getLease: (leaseKey, consistentRead, getSignal) => table.getLease(leaseKey, consistentRead, getSignal),
      createLeaseIfNotExists: (lease, createSignal) => table.createLeaseIfNotExists(lease, createSignal),
    });
    const ref = { streamArn: stream.streamArn };
    this.syncer = new ShardSyncer({
      store: syncStore,
      listShards: (listSignal) =>
        listStreamShards(options.kinesisClient, ref, options.kinesisRequestTimeoutMs, listSignal),
      initialPosition: stream.initialPosition,
      intervalMs: options.shardSyncIntervalMs,
      signal,
      now: options.now,
      logger: streamLogger,
      onSyncError: (error) => {
        emitWithStream('lease-table:error', { operation: 'shard-sync', error });
        context.onShardSyncError?.(stream, error);
      },
      onChildLeasesCreated: context.onChildLeasesCreated,
      periodicSyncAllowed: context.periodicShardSyncAllowed,
    });
    this.maintenance = new LeaseTableMaintenance({
      store: scope.maintenanceStore(table),
      listedShards: (maxAgeMs) => this.syncer.listedShards(maxAgeMs),
      requestShardSync: (reason) => this.syncer.requestSync(reason),
      isRunning: context.isRunning,
      cleanupLeasesUponShardCompletion: options.cleanupLeasesUponShardCompletion,
      leaseCleanupIntervalMs: options.leaseCleanupIntervalMs,
      signal,
      logger: streamLogger,
      onLeaseDeleted: (shardId) => {
        context.recorder.deletedLeases++;
        emitWithStream('lease:deleted', { leaseKey: scope.tableKey(shardId) });
      },
      onError: (operation, error) => emitWithStream('lease-table:error', { operation, error }),
    });
    this.shardConsumers = new ShardConsumerFactory({
      config: {
        ...options,
        stream: ref,
        initialPosition: stream.initialPosition,
        handler: options.handler ? withStreamContext(options.handler, streamFields) : undefined,
        processor: options.processor ? withStreamInputs(options.processor, streamFields) : undefined,
        onPoisonRecord: options.onPoisonRecord
          ? (poison) => options.onPoisonRecord!({ ...poison, ...streamFields })
          : undefined,
      },
      leases: scope.checkpointStore(renewer),
      getLease: (shardId) => syncStore.getLease(shardId),
      createChildLeases: (parent, children) => this.syncer.createChildLeases(parent, children),
      shardEnds: new ShardEndNotifier(),
      shard: (shardId) => this.syncer.shard(shardId),
      shardStatus: (shardId) => this.syncer.shardStatus(shardId),
      consumerArn: () => stream.consumerArn,
      recorder: streamRecorder(context.recorder, stream.streamName),
      emit: context.onBytesDelivered
        ? withDeliveryMeter(emitWithStream, (shardId) => scope.tableKey(shardId), context.onBytesDelivered)
        : emitWithStream,
      logger: streamLogger,
    });
  }

  /** The shard consumer of a lease of this stream (its table key), taken with `token`. */
  createShardConsumer(lease: Lease, token: string): BuiltShardConsumer | undefined {
    return this.shardConsumers.create(this.scope.toScope(lease), token);
  }

  /** Passes this stream's leases of a taker scan to the table upkeep. */
  onScan(leases: readonly Lease[], scannedAtMs: number): void {
    this.maintenance.onScan(this.scope.select(leases), scannedAtMs);
  }

  /** What `stop()` waits on. */
  inFlight(): (Promise<void> | undefined)[] {
    return [...this.syncer.inFlight(), ...this.maintenance.inFlight()];
  }
}

/** The handler, called with the stream in its context. */
function withStreamContext(
  handler: NonNullable<ResolvedConsumerOptions['handler']>,
  stream: StreamContext,
): NonNullable<ResolvedConsumerOptions['handler']> {
  return (records, context: HandlerContext) => handler(records, { ...context, ...stream });
}

/** The processor factory, given the stream, and each processor call given the stream in its input. */
function withStreamInputs(
  factory: ShardRecordProcessorFactory,
  stream: StreamContext,
): ShardRecordProcessorFactory {
  return (shardId) => {
    const processor = factory(shardId, stream);
    const wrapped: ShardRecordProcessor = {
      processRecords: (input) => processor.processRecords({ ...input, ...stream }),
    };
    if (processor.initialize) wrapped.initialize = (input) => processor.initialize!({ ...input, ...stream });
    if (processor.leaseLost) wrapped.leaseLost = (input) => processor.leaseLost!({ ...input, ...stream });
    if (processor.shardEnded) wrapped.shardEnded = (input) => processor.shardEnded!({ ...input, ...stream });
    if (processor.shutdownRequested) {
      wrapped.shutdownRequested = (input) => processor.shutdownRequested!({ ...input, ...stream });
    }
    return wrapped;
  };
}

/** The recorder, with this stream's shards kept apart from other streams' (keyed `<streamName>/<shardId>`). */
function streamRecorder(recorder: MetricsRecorder, streamName: string): MetricsRecorder {
  return new Proxy(recorder, {
    get(target, property, receiver) {
      if (property === 'openShard') {
        return (shardId: string, checkpoint: Lease['checkpoint']) =>
          target.openShard(shardId, checkpoint, streamName);
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value);
    },
  });
}

/** A logger that adds `fields` to every entry's context. */
function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    debug: (message, context) => logger.debug(message, { ...fields, ...context }),
    info: (message, context) => logger.info(message, { ...fields, ...context }),
    warn: (message, context) => logger.warn(message, { ...fields, ...context }),
    error: (message, context) => logger.error(message, { ...fields, ...context }),
  };
}
