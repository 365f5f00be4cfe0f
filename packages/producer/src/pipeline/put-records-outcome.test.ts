import { describe, expect, it } from 'vitest';
import { pending } from '../../test/pending.js';
import type { OpenShard } from './list-shards.js';
import { packRecords } from './packer.js';
import {
  interpretPutRecordsError,
  interpretPutRecordsOutput,
  isStreamWideFailure,
  type SentEntry,
} from './put-records-outcome.js';
import { RecordQueue } from './record-queue.js';

const HALF = 170141183460469231731687303715884105727n;
const low: OpenShard = { shardId: 'shardId-000000000001', startingHashKey: 0n, endingHashKey: HALF };
const high: OpenShard = {
  shardId: 'shardId-000000000002',
  startingHashKey: HALF + 1n,
  endingHashKey: 2n ** 128n - 1n,
};
const ranges = new Map([low, high].map((s) => [s.shardId, s]));

function sentEntry(keys: string[], predictedShardId: string | undefined, aggregation = true): SentEntry {
  const queue = new RecordQueue();
  for (const key of keys) queue.push(pending(key));
  const [packed] = packRecords(queue, {
    aggregation,
    maxAggregateSizeBytes: 51_200,
    maxAggregateRecords: Number.POSITIVE_INFINITY,
    maxRecordSizeBytes: 1024 * 1024,
    preserveKeyOrder: false,
    maxEntries: 1,
    maxBytes: 1e9,
    tokens: { records: 1e9, bytes: 1e9 },
  });
  return { packed: packed!, predictedShardId };
}

// user-1 hashes into the upper half, user-2 into the lower half.
describe('interpretPutRecordsOutput', () => {
  it('matches results to entries by position', () => {
    const entries = [sentEntry(['user-2'], 'p'), sentEntry(['user-1'], 'p'), sentEntry(['user-2'], 'p')];
    const outcomes = interpretPutRecordsOutput(
      entries,
      {
        Records: [
          { ShardId: 'p', SequenceNumber: '1' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
      },
      (id) => ranges.get(id),
      false,
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['success', 'retry', 'retry']);
    expect(outcomes[1]).toMatchObject({ errorCode: 'ProvisionedThroughputExceededException', backoff: true });
  });

  it('re-sends a whole aggregate that landed on a shard not holding all its records', () => {
    const [outcome] = interpretPutRecordsOutput(
      [sentEntry(['user-2', 'user-1'], 'parent')],
      { Records: [{ ShardId: low.shardId, SequenceNumber: '1' }] },
      (id) => ranges.get(id),
      false,
    );
    expect(outcome).toMatchObject({
      kind: 'retry',
      errorCode: 'WrongShard',
      mapOutdated: true,
      backoff: false,
    });
  });

  it('accepts an aggregate that landed on a child holding all its records, and flags the map', () => {
    const [outcome] = interpretPutRecordsOutput(
      [sentEntry(['user-2', 'user-2'], 'parent')],
      { Records: [{ ShardId: low.shardId, SequenceNumber: '1' }] },
      (id) => ranges.get(id),
      false,
    );
    expect(outcome).toMatchObject({ kind: 'success', mapOutdated: true });
  });

  it('leaves an aggregate that landed on a shard the map has never seen to the refreshed map', () => {
    const [outcome] = interpretPutRecordsOutput(
      [sentEntry(['user-2', 'user-2'], 'parent')],
      { Records: [{ ShardId: 'shardId-000000000099', SequenceNumber: '1' }] },
      (id) => ranges.get(id),
      false,
    );
    expect(outcome).toEqual({ kind: 'unknown-shard', shardId: 'shardId-000000000099', sequenceNumber: '1' });
  });

  it('accepts a single record wherever it landed (the KCL does not filter raw records)', () => {
    const [outcome] = interpretPutRecordsOutput(
      [sentEntry(['user-1'], 'parent', false)],
      { Records: [{ ShardId: 'shardId-000000000099', SequenceNumber: '1' }] },
      () => undefined,
      false,
    );
    expect(outcome).toMatchObject({ kind: 'success', mapOutdated: true });
  });

  it('retries everything when the response has the wrong number of entries', () => {
    const outcomes = interpretPutRecordsOutput(
      [sentEntry(['a'], 'p'), sentEntry(['b'], 'p')],
      { Records: [{}] },
      () => undefined,
      false,
    );
    expect(outcomes.map((o) => (o.kind === 'retry' ? o.errorCode : o.kind))).toEqual([
      'RecordCountMismatch',
      'RecordCountMismatch',
    ]);
  });

  it('fails throttled entries at once with failIfThrottled', () => {
    const [outcome] = interpretPutRecordsOutput(
      [sentEntry(['a'], 'p')],
      { Records: [{ ErrorCode: 'ProvisionedThroughputExceededException' }] },
      () => undefined,
      true,
    );
    expect(outcome).toMatchObject({ kind: 'fail', code: 'RECORD_THROTTLED' });
  });
});

describe('interpretPutRecordsError', () => {
  const error = (name: string, status = 400) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('fails every entry at once on a fatal error, with the error as cause', () => {
    const cause = error('ResourceNotFoundException');
    const outcomes = interpretPutRecordsError([sentEntry(['a'], 'p'), sentEntry(['b'], 'p')], cause, false);
    expect(outcomes).toEqual([
      expect.objectContaining({
        kind: 'fail',
        code: 'CANNOT_WRITE_STREAM',
        errorCode: 'ResourceNotFoundException',
        cause,
      }),
      expect.objectContaining({ kind: 'fail' }),
    ]);
  });

  it('fails a request-specific refusal as RECORD_FAILED, and a client without a region as CANNOT_WRITE_STREAM', () => {
    const [invalid] = interpretPutRecordsError([sentEntry(['a'], 'p')], error('ValidationException'), false);
    expect(invalid).toMatchObject({ kind: 'fail', code: 'RECORD_FAILED', errorCode: 'ValidationException' });
    const [noRegion] = interpretPutRecordsError(
      [sentEntry(['a'], 'p')],
      new Error('Region is missing'),
      false,
    );
    expect(noRegion).toMatchObject({
      kind: 'fail',
      code: 'CANNOT_WRITE_STREAM',
      errorCode: 'ClientConfigurationError',
      errorMessage: 'Region is missing',
    });
  });

  it('retries a credentials error once credentials have resolved before, and fails the stream on it before', () => {
    const refreshFailed = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const [before] = interpretPutRecordsError([sentEntry(['a'], 'p')], refreshFailed, false);
    expect(before).toMatchObject({ kind: 'fail', code: 'CANNOT_WRITE_STREAM' });
    expect(isStreamWideFailure(refreshFailed)).toBe(true);
    const resolvedBefore = { credentialsResolvedBefore: true };
    const [after] = interpretPutRecordsError([sentEntry(['a'], 'p')], refreshFailed, false, resolvedBefore);
    expect(after).toMatchObject({ kind: 'retry', backoff: true, errorCode: 'CredentialsProviderError' });
    expect(isStreamWideFailure(refreshFailed, resolvedBefore)).toBe(false);
    // Whatever the history, a refused key is still refused.
    expect(isStreamWideFailure(error('UnrecognizedClientException'), resolvedBefore)).toBe(true);
  });

  it('retries throttling and transient errors with backoff', () => {
    for (const name of ['ThrottlingException', 'KMSThrottlingException', 'ServiceUnavailable']) {
      expect(interpretPutRecordsError([sentEntry(['a'], 'p')], error(name, 503), false)[0]).toMatchObject({
        kind: 'retry',
        backoff: true,
      });
    }
  });
});
