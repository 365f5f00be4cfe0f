import { KinesisTsError } from '@kinesis-ts/core';
import { ProcessingErrorCode } from '../processing/processing-errors.js';
import type { KinesisFailedBatch } from './failure-message.js';

/**
 * The records of a failed Lambda batch cannot all be read back from the stream: they expired (past
 * the stream's retention), or the shard or stream is gone. Nothing was replayed.
 */
export class FailedBatchUnavailableError extends KinesisTsError {
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;

  constructor(batch: KinesisFailedBatch, detail: string, cause?: unknown) {
    super(
      `The failed batch ${batch.shardId} ${batch.startSequenceNumber}..${batch.endSequenceNumber} of ${batch.streamArn} cannot be read back: ${detail}`,
      { code: ProcessingErrorCode.FAILED_BATCH_UNAVAILABLE, retryable: false, cause },
    );
    this.streamArn = batch.streamArn;
    this.shardId = batch.shardId;
    this.startSequenceNumber = batch.startSequenceNumber;
    this.endSequenceNumber = batch.endSequenceNumber;
  }
}
