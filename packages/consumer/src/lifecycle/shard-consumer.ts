import {
  CheckpointSentinel,
  compareExtendedSequenceNumbers,
  describeError,
  type ExtendedSequenceNumber,
  fullJitterBackoffMs,
  type Logger,
  SILENT_LOGGER,
  sleep,
} from '@kinesis-ts/core';
import { ShardCheckpointer } from '../checkpoint/shard-checkpointer.js';
import {
  LeaseLostError,
  ProcessingTimeoutError,
  RecordProcessingError,
  ShardEndNotCheckpointedError,
} from '../errors.js';
import { processWithRetries } from '../processing/processing-retry.js';
import type { ConsumerRecord } from '../processor/record-processor.js';
import type { ChildShard, RetrievedBatch, ShardRecordsRetrieval } from '../retrieval/records-retrieval.js';
import { startingPositionFor } from '../retrieval/starting-position.js';
import { waitForParentShards } from './parent-shards.js';
import { runWithTimeout } from './processing-timeout.js';
import { toUserRecords } from './record-filter.js';
import type { ShardConsumerHooks, ShardConsumerOptions } from './shard-consumer-options.js';
import {
  INITIAL_SHARD_CONSUMER_STATE,
  type ShardConsumerState,
  type ShardShutdownReason,
} from './shard-consumer-states.js';
import { type StallReport, StallWatch } from './stall-watch.js';

const TASK_BACKOFF = { baseDelayMs: 500, maxDelayMs: 10_000 };

/**
 * Processes one shard for as long as this worker holds its lease: waits for the parents to finish,
 * calls `initialize`, reads batches from the retrieval, deaggregates and filters them, delivers them
 * (handler or processor) with the failure policy, checkpoints (handler path), and at the end calls
 * exactly one of `leaseLost`, `shardEnded` or `shutdownRequested`.
 *
 * Stopping never interrupts a batch in delivery: the retrieval is stopped, the batch finishes (and,
 * on the handler path, is checkpointed), then the shutdown step runs.
 *
 * A delivery without progress is reported (`onStalled`) every `stalledShardWarningMs`; a try longer
 * than `processingTimeoutMs` has its signal aborted and fails, but the next try waits until it returns.
 */
export class ShardConsumer {
  readonly shardId: string;
  readonly checkpointer: ShardCheckpointer;
  /** Resolves with the reason once the consumer has shut down (never rejects). */
  readonly done: Promise<ShardShutdownReason>;
  private currentState: ShardConsumerState = INITIAL_SHARD_CONSUMER_STATE;
  private readonly options: ShardConsumerOptions;
  private readonly logger: Logger;
  private readonly hooks: ShardConsumerHooks;
  private readonly stopController = new AbortController();
  private stopReason: 'lease-lost' | 'requested' | undefined;
  private retrieval: ShardRecordsRetrieval | undefined;
  private resolveDone!: (reason: ShardShutdownReason) => void;
  private started = false;
  /** The last record the handler processed (handler path), for deferred checkpoints. */
  private lastProcessed: ExtendedSequenceNumber | undefined;
  private lastCheckpointAtMs: number;
  /** Whether the processor's `initialize` completed (no other lifecycle call comes before it). */
  private initialized = false;
  /** Records at or before this position are never delivered again. */
  private deliveredUpTo: ExtendedSequenceNumber;
  private readonly stallWatch: StallWatch;

  constructor(options: ShardConsumerOptions) {
    this.options = options;
    this.shardId = options.shardId;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.hooks = options.hooks ?? {};
    this.deliveredUpTo = options.lease.checkpoint;
    this.lastCheckpointAtMs = options.now();
    this.checkpointer = new ShardCheckpointer({
      shardId: options.shardId,
      leaseKey: options.lease.leaseKey,
      token: options.token,
      store: options.store,
      initialCheckpoint: options.lease.checkpoint,
      onCheckpoint: (checkpoint) => {
        this.lastCheckpointAtMs = this.options.now();
        this.hooks.onCheckpoint?.(checkpoint);
        this.progressed();
      },
    });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.stallWatch = new StallWatch(options.stalledShardWarningMs ?? 0, options.now, (report) =>
      this.reportStall(report),
    );
  }

  /** The current state. */
  get state(): ShardConsumerState {
    return this.currentState;
  }

  /** Starts the consumer (once). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.run().then(
      (reason) => this.finish(reason),
      (error) => {
        this.logger.error('Shard consumer crashed', { shardId: this.shardId, error: describeError(error) });
        this.hooks.onFailed?.(error);
        this.finish('failed');
      },
    );
  }

  /** The lease is gone: stop as soon as the batch in delivery (if any) returns, then call `leaseLost`. */
  leaseLost(): void {
    this.stop('lease-lost');
  }

  /**
   * Graceful stop: stop reading, let the batch in delivery finish, then checkpoint (handler path) or
   * call `shutdownRequested` (processor path). Resolves with the reason the consumer ended.
   */
  requestShutdown(): Promise<ShardShutdownReason> {
    this.stop('requested');
    if (!this.started) this.finish('requested');
    return this.done;
  }

  private stop(reason: 'lease-lost' | 'requested'): void {
    if (this.stopReason === 'lease-lost') return;
    this.stopReason = reason;
    this.retrieval?.close();
    if (!this.stopController.signal.aborted)
      this.stopController.abort(new Error(`shard consumer stopping: ${reason}`));
  }

  private finish(reason: ShardShutdownReason): void {
    this.retrieval?.close();
    if (reason !== 'failed') this.setState('shutdown-complete');
    this.resolveDone(reason);
  }

  private setState(state: ShardConsumerState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.hooks.onStateChange?.(state);
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<ShardShutdownReason> {
    const { lease } = this.options;
    this.setState('waiting-on-parents');
    await waitForParentShards({
      shardId: this.shardId,
      parentShardIds: lease.parentShardIds,
      pollIntervalMs: this.options.parentShardPollIntervalMs,
      getLease: (leaseKey) => this.options.getLease(leaseKey),
      waitForParents: this.options.waitForParents
        ? (parents, timeoutMs, signal) => this.options.waitForParents!(parents, timeoutMs, signal)
        : undefined,
      stopSignal: this.stopController.signal,
      logger: this.logger,
      onError: (operation, error) => this.hooks.onError?.(operation, error),
    });
    if (this.stopping) return this.shutdown();

    this.setState('initializing');
    if (lease.checkpoint.sequenceNumber === CheckpointSentinel.SHARD_END) return 'shard-end';
    const processor =
      this.options.delivery.kind === 'processor' ? this.options.delivery.processor : undefined;
    if (processor?.initialize) {
      const initialized = await this.retryTask('initialize', () =>
        processor.initialize!({
          shardId: this.shardId,
          extendedSequenceNumber: lease.checkpoint,
          pendingCheckpointSequenceNumber: lease.pendingCheckpoint,
          pendingCheckpointState: lease.pendingCheckpointState,
        }),
      );
      if (initialized === 'aborted') return this.shutdown();
      if (initialized === 'failed') return 'failed';
    }
    this.initialized = true;

    const startingPosition = startingPositionFor(lease.checkpoint, this.options.timestamp);
    if (!startingPosition) return 'shard-end';
    this.setState('processing');
    this.hooks.onStarted?.(lease.checkpoint);
    this.progressed();
    this.retrieval = this.options.retrieval({ shardId: this.shardId, startingPosition });
    if (this.stopping) this.retrieval.close();

    while (!this.stopping) {
      let batch: RetrievedBatch;
      try {
        batch = await this.retrieval.next(this.stopController.signal);
      } catch {
        break;
      }
      this.hooks.onBatch?.(batch);
      const outcome = await this.deliver(batch);
      if (outcome === 'failed') return 'failed';
      if (outcome === 'aborted') break;
      if (batch.shardEnd) {
        const ended = await this.endShard(batch.shardEnd.childShards);
        if (ended === 'done') return 'shard-end';
        if (ended === 'failed') return 'failed';
        break;
      }
      await this.maybeCheckpoint(false);
    }
    return this.shutdown();
  }

  /** Delivers a batch with the failure policy. */
  private async deliver(batch: RetrievedBatch): Promise<'processed' | 'aborted' | 'failed'> {
    const records = toUserRecords(batch.records, {
      hashKeyRange: this.options.hashKeyRange,
      after: this.deliveredUpTo,
      onDiscard: this.hooks.onDiscard,
    });
    const isAtShardEnd = batch.shardEnd !== undefined;
    const first = records[0];
    const last = records[records.length - 1];
    if (first && last) {
      const position = { sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber };
      this.checkpointer.advanceLargestPermitted(position, {
        sequenceNumber: first.sequenceNumber,
        subSequenceNumber: first.subSequenceNumber,
      });
    }
    if (records.length === 0 && !this.options.deliverEmptyBatches) {
      this.hooks.onProcessed?.(0, 0, batch.millisBehindLatest);
      this.progressed();
      return 'processed';
    }
    const delivery = this.options.delivery;
    const signal = this.stopController.signal;
    const timeoutMs = this.options.processingTimeoutMs ?? 0;
    this.stallWatch.begin(describeAttempt(records, 1));
    const outcome = await processWithRetries({
      shardId: this.shardId,
      records,
      signal,
      random: this.options.random,
      policy: {
        maxAttempts: this.options.policy.maxAttempts,
        backoff: this.options.policy.backoff,
        onPoisonRecord:
          this.options.policy.deadLetter && this.hooks.onPoisonRecord
            ? (record, error, attempts) => this.hooks.onPoisonRecord!(record, error, attempts)
            : undefined,
      },
      onFailure: (error, attempt, willRetry) => {
        this.logger.warn('Processing a batch failed', {
          shardId: this.shardId,
          attempt,
          willRetry,
          error: describeError(error),
        });
        this.hooks.onProcessingError?.(error, attempt, willRetry);
      },
      // Handler path: records before a partial failure (or a poison record) are done; checkpoint them
      // at once, so that a redelivery after a crash or a takeover starts at the failed record.
      onProgress: (record) =>
        delivery.kind === 'handler' ? this.checkpointProgress(record) : this.progressed(),
      process: (subset, attempt) => {
        const tried = describeAttempt(subset, attempt);
        this.stallWatch.attempt(tried);
        return runWithTimeout({
          timeoutMs,
          signal,
          timeoutError: () =>
            new ProcessingTimeoutError(
              this.shardId,
              timeoutMs,
              attempt,
              tried.records,
              tried.firstSequenceNumber,
            ),
          onTimeout: () => {
            this.stallWatch.timedOut();
            this.logger.warn(
              'Processing a batch timed out: its signal is aborted, and it is retried once the handler returns',
              { shardId: this.shardId, timeoutMs, ...tried },
            );
          },
          run: async (attemptSignal) => {
            if (delivery.kind === 'handler') {
              await delivery.handler(subset, {
                shardId: this.shardId,
                millisBehindLatest: batch.millisBehindLatest,
                isAtShardEnd,
                checkpointer: this.checkpointer,
                signal: attemptSignal,
                attempt,
              });
            } else {
              await delivery.processor.processRecords({
                shardId: this.shardId,
                records: subset,
                checkpointer: this.checkpointer,
                millisBehindLatest: batch.millisBehindLatest,
                isAtShardEnd,
                childShards: batch.shardEnd?.childShards,
                signal: attemptSignal,
              });
            }
          },
        });
      },
    }).finally(() => this.stallWatch.end());
    if (outcome.outcome === 'aborted') return 'aborted';
    if (outcome.outcome === 'failed') {
      this.logger.error('Shard stopped: processing kept failing', {
        shardId: this.shardId,
        error: outcome.error.message,
      });
      this.hooks.onFailed?.(outcome.error);
      this.setState('failed');
      return 'failed';
    }
    if (last) {
      const position = { sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber };
      this.deliveredUpTo = position;
      this.lastProcessed = position;
    }
    const bytes = records.reduce((sum, record) => sum + record.data.byteLength, 0);
    this.hooks.onProcessed?.(records.length, bytes, batch.millisBehindLatest);
    this.progressed();
    return 'processed';
  }

  /** The shard made progress: tell the metrics, and start the stall clock of a delivery again. */
  private progressed(): void {
    this.stallWatch.progress();
    this.hooks.onProgress?.(this.options.now());
  }

  private reportStall(report: StallReport): void {
    this.logger.warn(
      report.timedOut
        ? 'Shard stalled: the handler ignored its aborted signal and has not returned; the shard waits for it'
        : 'Shard stalled: a batch in delivery has made no progress',
      { shardId: this.shardId, ...report },
    );
    this.hooks.onStalled?.(report);
  }

  /** Handler path: records up to `lastDone` are processed while the batch is not: checkpoint there now. */
  private async checkpointProgress(lastDone: ConsumerRecord): Promise<void> {
    this.lastProcessed = {
      sequenceNumber: lastDone.sequenceNumber,
      subSequenceNumber: lastDone.subSequenceNumber,
    };
    this.progressed(); // records are done, whether or not the checkpoint is written
    await this.maybeCheckpoint(true);
  }

  /** Handler path: checkpoints the last processed record if due (always when `force`). */
  private async maybeCheckpoint(force: boolean): Promise<void> {
    if (this.options.delivery.kind !== 'handler' || this.lastProcessed === undefined) return;
    if (compareExtendedSequenceNumbers(this.lastProcessed, this.checkpointer.lastCheckpoint()) <= 0) return;
    const due = this.options.now() - this.lastCheckpointAtMs >= this.options.delivery.checkpointIntervalMs;
    if (!force && !due) return;
    try {
      await this.checkpointer.checkpoint(this.lastProcessed);
    } catch (error) {
      if (LeaseLostError.isInstance(error)) return; // the coordinator reports the loss and stops this consumer
      this.logger.warn('Checkpoint after a batch failed; the next one will cover it', {
        shardId: this.shardId,
        error: describeError(error),
      });
      this.hooks.onError?.('checkpoint', error);
    }
  }

  /** The shard is read to its end: create the children's leases, then checkpoint SHARD_END. */
  private async endShard(childShards: readonly ChildShard[]): Promise<'done' | 'aborted' | 'failed'> {
    this.setState('shutting-down');
    const childIds = childShards.map((child) => child.shardId);
    while (childShards.length > 0) {
      const attempt: { outcome?: 'created' | 'blocked' } = {};
      const created = await this.retryTask('create-child-leases', async () => {
        attempt.outcome = await this.options.createChildLeases(this.options.lease, childShards);
      });
      if (created !== 'done') return created;
      if (attempt.outcome !== 'blocked') break;
      this.logger.info("Child lease creation deferred: the merge's other parent has no lease yet", {
        shardId: this.shardId,
        child: childIds[0],
      });
      try {
        await sleep(this.options.parentShardPollIntervalMs, this.stopController.signal);
      } catch {
        return 'aborted';
      }
    }
    this.checkpointer.markShardEnd(childIds);
    const processor =
      this.options.delivery.kind === 'processor' ? this.options.delivery.processor : undefined;
    const ended = await this.retryTask('shard-ended', async () => {
      if (processor?.shardEnded) {
        await processor.shardEnded({ shardId: this.shardId, checkpointer: this.checkpointer });
      } else {
        await this.checkpointer.checkpoint();
      }
      if (this.checkpointer.lastCheckpoint().sequenceNumber !== CheckpointSentinel.SHARD_END) {
        throw new ShardEndNotCheckpointedError(this.shardId);
      }
    });
    if (ended !== 'done') return ended;
    this.hooks.onShardEnd?.(childIds);
    return 'done';
  }

  /** The shutdown step once processing stopped: `leaseLost` or `shutdownRequested` (or the final checkpoint). */
  private async shutdown(): Promise<ShardShutdownReason> {
    const reason = this.stopReason ?? 'requested';
    this.setState('shutting-down');
    const processor =
      this.options.delivery.kind === 'processor' ? this.options.delivery.processor : undefined;
    if (processor && !this.initialized) return reason; // nothing began: no terminal call either
    try {
      if (reason === 'lease-lost') {
        await processor?.leaseLost?.({ shardId: this.shardId });
      } else if (processor) {
        await processor.shutdownRequested?.({ shardId: this.shardId, checkpointer: this.checkpointer });
      } else {
        await this.maybeCheckpoint(true);
      }
    } catch (error) {
      this.logger.warn(`${reason === 'lease-lost' ? 'leaseLost' : 'shutdownRequested'} threw`, {
        shardId: this.shardId,
        error: describeError(error),
      });
      this.hooks.onError?.(reason === 'lease-lost' ? 'leaseLost' : 'shutdownRequested', error);
    }
    return reason;
  }

  /**
   * Runs a lifecycle task (initialize, shardEnded…) with retries: backoff between tries, give up
   * after `maxAttempts` (the shard fails) unless the consumer stops first.
   */
  private async retryTask(
    name: string,
    task: () => Promise<void> | void,
  ): Promise<'done' | 'aborted' | 'failed'> {
    const maxAttempts = this.options.policy.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      if (this.stopping) return 'aborted';
      try {
        await task();
        return 'done';
      } catch (error) {
        if (LeaseLostError.isInstance(error)) return 'aborted';
        const willRetry = attempt < maxAttempts;
        this.logger.warn(`${name} failed`, {
          shardId: this.shardId,
          attempt,
          willRetry,
          error: describeError(error),
        });
        this.hooks.onProcessingError?.(error, attempt, willRetry);
        if (!willRetry) {
          const failure = new RecordProcessingError(this.shardId, attempt, undefined, error);
          this.hooks.onFailed?.(failure);
          this.setState('failed');
          return 'failed';
        }
        try {
          await sleep(
            fullJitterBackoffMs(attempt, TASK_BACKOFF, this.options.random),
            this.stopController.signal,
          );
        } catch {
          return 'aborted';
        }
      }
    }
  }
}

/** What a try is given, for stall reports and timeout errors. */
function describeAttempt(records: readonly ConsumerRecord[], attempt: number) {
  return { records: records.length, firstSequenceNumber: records[0]?.sequenceNumber, attempt };
}
