import { awsErrorCode, describeError, type Logger } from '@kinesis-ts/core';
import { ConsumerErrorCode, ConsumerStartError, StreamTrackerError } from '../errors.js';
import type { Lease } from '../leases/lease.js';
import {
  parseMultiStreamLeaseKey,
  serializeStreamIdentifier,
  streamIdentifierFromArn,
} from '../leases/stream-identifier.js';
import type { InitialPosition } from '../retrieval/initial-position.js';
import { RepeatingTimer } from '../util/repeating-timer.js';
import {
  type FormerStreamsLeasesDeletion,
  leasesByStream,
  planFormerStreamsCleanup,
} from './former-streams-plan.js';
import type { ConsumerStartUp } from './start-up.js';
import { type CheckedStreamConfig, checkStreamConfigs, type StreamsSource } from './stream-config.js';
import type { ResolvedStream, StreamRuntime } from './stream-runtime.js';

/** Options of {@link StreamTracker}. */
export interface StreamTrackerOptions {
  readonly source: StreamsSource;
  /** How often a function source is called, in ms. */
  readonly intervalMs: number;
  /** The consumer's initial position, for streams that give none. */
  readonly initialPosition: InitialPosition;
  readonly checkInitialPosition: (value: unknown, field: string) => InitialPosition;
  /** The Kinesis client's region, for the check of ARNs (`undefined` when it cannot be read). */
  readonly region: () => Promise<string | undefined>;
  /** The start-up steps for one stream (describe, fan-out consumer), with their retries. */
  readonly startUpFor: (
    config: CheckedStreamConfig,
    ref: { streamArn: string } | { streamName: string },
  ) => ConsumerStartUp;
  /** Builds a stream's parts once it is resolved. */
  readonly createRuntime: (stream: ResolvedStream) => StreamRuntime;
  /** A stream left the list: the facade stops its shards and releases their leases. */
  readonly onRemoved: (runtime: StreamRuntime) => Promise<void>;
  readonly onAdded?: (runtime: StreamRuntime) => void;
  readonly onError: (error: unknown) => void;
  readonly logger: Logger;
  /** What happens to the leases of streams that left the list. */
  readonly formerStreamsLeasesDeletion: FormerStreamsLeasesDeletion;
  /** Deletes a lease row (of a stream no longer tracked). */
  readonly deleteLease: (leaseKey: string) => Promise<void>;
  /** A lease of a former stream was deleted. */
  readonly onLeaseDeleted?: (leaseKey: string, streamIdentifier: string, reason: string) => void;
  readonly now: () => number;
  /** Told of each scan of the table the taker (or assignment leader) made, before the streams are. */
  readonly onTableScanned?: (leases: readonly Lease[], scannedAtMs: number) => void;
}

/**
 * The streams of a multi-stream application (the KCL's `StreamTracker` and the stream part of its
 * `Scheduler`): reads the list (a fixed one, or a function polled every `intervalMs`), checks it,
 * describes each new stream (its ARN and creation time make its KCL identifier), builds its parts
 * and runs its first shard sync; streams that leave the list are handed to `onRemoved`. A list
 * that cannot be read or is invalid changes nothing: the streams running keep running.
 */
export class StreamTracker {
  private readonly options: StreamTrackerOptions;
  private readonly runtimes = new Map<string, StreamRuntime>();
  /** The runtime of each config, by `arn:<arn>` or `name:<name>`. */
  private readonly byConfig = new Map<string, StreamRuntime>();
  private readonly timer: RepeatingTimer;
  private polling: Promise<void> | undefined;
  /** Streams Kinesis said are deleted, until their leases are gone. */
  private readonly deleted = new Set<string>();
  private pendingSinceMs: ReadonlyMap<string, number> = new Map();
  private cleanup: Promise<void> | undefined;

  constructor(options: StreamTrackerOptions) {
    this.options = options;
    this.timer = new RepeatingTimer(options.intervalMs, 'fixed-delay', () => this.poll());
  }

  /** The streams running now. */
  streams(): StreamRuntime[] {
    return [...this.runtimes.values()];
  }

  /** The runtime of a lease of the table, when its stream is tracked. */
  runtimeOf(leaseKey: string): StreamRuntime | undefined {
    const parsed = parseMultiStreamLeaseKey(leaseKey);
    return parsed ? this.runtimes.get(serializeStreamIdentifier(parsed.streamIdentifier)) : undefined;
  }

  /** Whether the taker may take a lease: one of a tracked stream's. */
  isWorkable(lease: Lease): boolean {
    return this.runtimeOf(lease.leaseKey) !== undefined;
  }

  /** Hands each stream its leases of a taker scan, and deletes former streams' leases when due. */
  onScan(leases: readonly Lease[], scannedAtMs: number): void {
    this.options.onTableScanned?.(leases, scannedAtMs);
    for (const runtime of this.runtimes.values()) runtime.onScan(leases, scannedAtMs);
    this.cleanup ??= this.cleanUpFormerStreams(leases)
      .catch((error) => this.report(error))
      .finally(() => {
        this.cleanup = undefined;
      });
  }

  /**
   * A stream's shard sync failed. ResourceNotFound means the stream was deleted: it stops being
   * tracked (its shards stop, its leases go at the next scan); its entry in the list stays, so a
   * stream recreated under that name is picked up, with new lease keys, at a later read of the list.
   */
  onShardSyncError(stream: ResolvedStream, error: unknown): void {
    if (awsErrorCode(error) !== 'ResourceNotFoundException') return;
    const runtime = this.runtimes.get(stream.streamIdentifier);
    if (!runtime) return;
    this.options.logger.warn('Stream deleted: its shards stop and its leases are deleted', {
      streamName: stream.streamName,
      streamIdentifier: stream.streamIdentifier,
    });
    this.deleted.add(stream.streamIdentifier);
    void this.forget(runtime);
  }

  private async forget(runtime: StreamRuntime): Promise<void> {
    this.runtimes.delete(runtime.stream.streamIdentifier);
    for (const [key, known] of [...this.byConfig]) if (known === runtime) this.byConfig.delete(key);
    await runtime.syncer.stopTimer();
    await this.options.onRemoved(runtime);
  }

  private async cleanUpFormerStreams(leases: readonly Lease[]): Promise<void> {
    const byStream = leasesByStream(leases);
    const deletion = this.options.formerStreamsLeasesDeletion;
    const provided =
      deletion !== 'none' && deletion.strategy === 'provided-deferred'
        ? new Set(await deletion.streamIdentifiers())
        : new Set<string>();
    const plan = planFormerStreamsCleanup(deletion, {
      nowMs: this.options.now(),
      tracked: new Set(this.runtimes.keys()),
      inTable: new Set(byStream.keys()),
      deleted: this.deleted,
      provided,
      pendingSinceMs: this.pendingSinceMs,
    });
    this.pendingSinceMs = plan.pendingSinceMs;
    for (const { streamIdentifier, reason } of plan.deleteNow) {
      this.options.logger.info('Deleting the leases of a former stream', { streamIdentifier, reason });
      for (const leaseKey of byStream.get(streamIdentifier) ?? []) {
        await this.options.deleteLease(leaseKey);
        this.options.onLeaseDeleted?.(leaseKey, streamIdentifier, reason);
      }
      this.deleted.delete(streamIdentifier);
    }
  }

  /**
   * The first read of the list, at `start()`: an invalid list, a function that fails or a stream
   * that does not exist rejects with a `ConsumerStartError` naming it.
   */
  async start(): Promise<void> {
    let configs: CheckedStreamConfig[];
    try {
      configs = await this.readList();
    } catch (error) {
      throw new ConsumerStartError(ConsumerErrorCode.START_FAILED, describeError(error), error);
    }
    await this.apply(configs, true);
  }

  /**
   * Starts reading the list every `intervalMs` (a fixed list too: a stream of it that was deleted, or
   * could not be described, is tried again) and each stream's shard sync timer.
   */
  startTimers(): void {
    this.timer.start();
    for (const runtime of this.runtimes.values()) runtime.syncer.startTimer();
  }

  /** Stops polling and every stream's shard sync timer. */
  async stopTimers(): Promise<void> {
    await this.timer.stop();
    await Promise.all([...this.runtimes.values()].map((runtime) => runtime.syncer.stopTimer()));
  }

  /** What `stop()` waits on. */
  inFlight(): (Promise<void> | undefined)[] {
    return [
      this.polling,
      this.cleanup,
      ...[...this.runtimes.values()].flatMap((runtime) => runtime.inFlight()),
    ];
  }

  /** Reads the list again and applies the changes; failures are reported, never thrown. */
  poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        await this.apply(await this.readList(), false);
      } catch (error) {
        this.report(error);
      }
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async readList(): Promise<CheckedStreamConfig[]> {
    const source = this.options.source;
    let list: unknown;
    if (typeof source === 'function') {
      try {
        list = await source();
      } catch (error) {
        throw new StreamTrackerError('The streams function failed', undefined, error);
      }
    } else {
      list = source;
    }
    return checkStreamConfigs(list, {
      field: typeof source === 'function' ? 'streams()' : 'streams',
      region: await this.options.region().catch(() => undefined),
      checkInitialPosition: this.options.checkInitialPosition,
    });
  }

  private async apply(configs: readonly CheckedStreamConfig[], atStart: boolean): Promise<void> {
    const wanted = new Map(configs.map((config) => [configKey(config), config]));
    const added: StreamRuntime[] = [];
    const resolvedKeys = new Map<string, string>();
    for (const [key, config] of wanted) {
      const known = this.byConfig.get(key);
      if (known) {
        resolvedKeys.set(known.stream.streamIdentifier, config.field);
        continue;
      }
      let stream: ResolvedStream;
      try {
        stream = await this.resolve(config);
      } catch (error) {
        if (atStart) throw error;
        this.report(error);
        continue;
      }
      const other = resolvedKeys.get(stream.streamIdentifier);
      const running = this.runtimes.get(stream.streamIdentifier);
      const runningKey = running && [...this.byConfig].find(([, r]) => r === running)?.[0];
      if (other === undefined && running && runningKey !== undefined && !wanted.has(runningKey)) {
        // The same stream, now named another way (its ARN instead of its name, or the reverse).
        this.byConfig.delete(runningKey);
        this.byConfig.set(key, running);
        resolvedKeys.set(stream.streamIdentifier, config.field);
        continue;
      }
      if (other !== undefined || running) {
        const error = new StreamTrackerError(
          `${config.field} names stream ${stream.streamArn}, which ${other ?? 'another entry'} names too`,
          stream.streamArn,
        );
        if (atStart) throw new ConsumerStartError(ConsumerErrorCode.START_FAILED, error.message, error);
        this.report(error);
        continue;
      }
      resolvedKeys.set(stream.streamIdentifier, config.field);
      const runtime = this.options.createRuntime(stream);
      this.runtimes.set(stream.streamIdentifier, runtime);
      this.byConfig.set(key, runtime);
      added.push(runtime);
    }
    for (const [key, runtime] of [...this.byConfig]) {
      if (wanted.has(key)) continue;
      this.options.logger.info('Stream removed from the list', { streamName: runtime.stream.streamName });
      await this.forget(runtime);
    }
    for (const runtime of added) {
      try {
        await runtime.syncer.sync();
      } catch (error) {
        if (atStart) throw error;
        this.report(new StreamTrackerError('The first shard sync failed', runtime.stream.streamArn, error));
      }
      if (!atStart) runtime.syncer.startTimer();
      this.options.logger.info('Stream added', {
        streamName: runtime.stream.streamName,
        streamIdentifier: runtime.stream.streamIdentifier,
      });
      this.options.onAdded?.(runtime);
    }
  }

  /** Describes a stream and prepares its fan-out consumer: its ARN and KCL identifier. */
  private async resolve(config: CheckedStreamConfig): Promise<ResolvedStream> {
    const ref =
      config.streamArn !== undefined ? { streamArn: config.streamArn } : { streamName: config.streamName };
    const startUp = this.options.startUpFor(config, ref);
    const label = config.streamArn ?? config.streamName;
    const summary = await startUp.describeStreamSummary();
    const streamArn = summary.streamArn ?? config.streamArn;
    const id =
      streamArn && summary.creationTime
        ? streamIdentifierFromArn(streamArn, summary.creationTime)
        : undefined;
    if (!streamArn || !id) {
      throw new StreamTrackerError(
        `DescribeStreamSummary of ${config.field} gave no stream ARN or creation time`,
        label,
      );
    }
    const consumerArn = await startUp.prepareFanOut(streamArn);
    return {
      streamName: config.streamName,
      streamArn,
      streamIdentifier: serializeStreamIdentifier(id),
      initialPosition: config.initialPosition ?? this.options.initialPosition,
      ...(consumerArn !== undefined ? { consumerArn } : {}),
    };
  }

  private report(error: unknown): void {
    this.options.logger.warn('The list of streams could not be applied; the streams running keep running', {
      error: describeError(error),
    });
    this.options.onError(error);
  }
}

function configKey(config: CheckedStreamConfig): string {
  return config.streamArn !== undefined ? `arn:${config.streamArn}` : `name:${config.streamName}`;
}
