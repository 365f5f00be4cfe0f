import {
  encodeAggregatedRecord,
  type LambdaKinesisEvent,
  type LambdaKinesisEventRecord,
} from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { KPL_AGGREGATE_WITHOUT_EXPLICIT_HASH_KEYS as KPL } from '../../../core/test/fixtures/kpl-golden-vectors.js';
import { secondCopyPartialBatchFailure } from '../../test/second-copy-errors.js';
import type { DeadLetter } from '../processing/dead-letter.js';
import { deadLetterTo } from '../processing/dead-letter.js';
import { InMemoryIdempotencyStore } from '../processing/idempotency-store.js';
import { idempotent } from '../processing/idempotent.js';
import { PartialBatchFailureError } from '../processing/processing-errors.js';
import { kinesisLambdaHandler } from './lambda-handler.js';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const bytes = (value: string) => new TextEncoder().encode(value);

function eventRecord(
  sequenceNumber: string,
  data: Uint8Array,
  partitionKey = 'pk',
): LambdaKinesisEventRecord {
  return {
    kinesis: {
      partitionKey,
      data: Buffer.from(data).toString('base64'),
      sequenceNumber,
      approximateArrivalTimestamp: 1_714_564_800.25,
      kinesisSchemaVersion: '1.0',
    },
    eventID: `shardId-000000000003:${sequenceNumber}`,
    eventSourceARN: STREAM_ARN,
    awsRegion: 'us-east-1',
  };
}

/** Three Kinesis records: a plain one, a real KPL aggregate of four user records, a plain one. */
const event: LambdaKinesisEvent = {
  Records: [
    eventRecord('100', bytes('plain-1'), 'k1'),
    eventRecord(
      '200',
      encodeAggregatedRecord([
        { partitionKey: 'k2', data: bytes('agg-0') },
        { partitionKey: 'k3', data: bytes('agg-1') },
        { partitionKey: 'k2', data: bytes('agg-2') },
        { partitionKey: 'k4', data: bytes('agg-3') },
      ]),
      'a',
    ),
    eventRecord('300', bytes('plain-2'), 'k1'),
  ],
};

describe('kinesisLambdaHandler', () => {
  it('splits an aggregate written by the real KPL (Java) into its user records', async () => {
    const seen: { partitionKey: string; data: string; subSequenceNumber: number }[] = [];
    const handler = kinesisLambdaHandler({
      processRecord: (record) => {
        seen.push({
          partitionKey: record.partitionKey,
          data: text(record.data),
          subSequenceNumber: record.subSequenceNumber,
        });
      },
    });
    const kplEvent: LambdaKinesisEvent = {
      Records: [
        {
          ...eventRecord(KPL.sequenceNumber, Buffer.from(KPL.dataBase64, 'base64'), KPL.partitionKey),
          eventID: KPL.eventId,
        },
      ],
    };
    expect(await handler(kplEvent, {})).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual(
      KPL.userRecords.map((r, subSequenceNumber) => ({
        partitionKey: r.partitionKey,
        data: r.data,
        subSequenceNumber,
      })),
    );
  });

  it('deaggregates KPL records and runs the function on each user record in order', async () => {
    const seen: string[] = [];
    const handler = kinesisLambdaHandler({
      processRecord: (record, context) => {
        seen.push(
          `${text(record.data)} ${record.sequenceNumber}/${record.subSequenceNumber} ${context.shardId}`,
        );
      },
    });
    expect(await handler(event, {})).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([
      'plain-1 100/0 shardId-000000000003',
      'agg-0 200/0 shardId-000000000003',
      'agg-1 200/1 shardId-000000000003',
      'agg-2 200/2 shardId-000000000003',
      'agg-3 200/3 shardId-000000000003',
      'plain-2 300/0 shardId-000000000003',
    ]);
  });

  it('reports the Kinesis sequence number of the aggregate holding the first failed user record', async () => {
    const seen: string[] = [];
    const handler = kinesisLambdaHandler({
      processRecord: (record) => {
        if (text(record.data) === 'agg-2') throw new Error('bad agg-2');
        seen.push(text(record.data));
      },
    });
    expect(await handler(event, {})).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    // records after the failure are not started: Lambda redelivers from the aggregate anyway
    expect(seen).toEqual(['plain-1', 'agg-0', 'agg-1']);
  });

  it('reports the first record when a batch function throws a plain error, and the named one for a partial failure', async () => {
    const failing = kinesisLambdaHandler({
      processBatch: () => {
        throw new Error('down');
      },
    });
    expect(await failing(event, {})).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    const partial = kinesisLambdaHandler({
      processBatch: (records) => {
        throw new PartialBatchFailureError([{ record: records[5]!, error: 'plain-2 failed' }]);
      },
    });
    expect(await partial(event, {})).toEqual({ batchItemFailures: [{ itemIdentifier: '300' }] });
  });

  it('reports the named record for a partial failure made by the main entry bundled apart (a second copy)', async () => {
    const partial = kinesisLambdaHandler({
      processBatch: (records) => {
        throw secondCopyPartialBatchFailure([{ record: records[5]!, error: 'plain-2 failed' }]);
      },
    });
    expect(await partial(event, {})).toEqual({ batchItemFailures: [{ itemIdentifier: '300' }] });
  });

  it('bisects a failing batch to the bad record when asked', async () => {
    const calls: number[] = [];
    const handler = kinesisLambdaHandler({
      bisectOnError: true,
      processBatch: (records) => {
        calls.push(records.length);
        if (records.some((r) => text(r.data) === 'agg-3')) throw new Error('bad agg-3');
      },
    });
    expect(await handler(event, {})).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    expect(calls).toEqual([6, 3, 3, 2, 1, 1]); // whole, left half ok, right half, its left half, agg-2 ok, agg-3
  });

  it('retries inside the invocation, then sends the poison record to the dead-letter sink and moves on', async () => {
    const letters: DeadLetter[] = [];
    let tries = 0;
    const processed: string[] = [];
    const handler = kinesisLambdaHandler({
      maxAttempts: 3,
      backoff: { baseDelayMs: 0, maxDelayMs: 0 },
      onPoisonRecord: deadLetterTo((letter) => void letters.push(letter)),
      processRecord: (record, { attempt }) => {
        if (text(record.data) === 'agg-1') {
          tries = attempt;
          throw new SyntaxError('not JSON');
        }
        processed.push(text(record.data));
      },
    });
    expect(await handler(event, {})).toEqual({ batchItemFailures: [] });
    expect(tries).toBe(3);
    expect(processed).toEqual(['plain-1', 'agg-0', 'agg-2', 'agg-3', 'plain-2']);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      streamName: 'orders',
      streamArn: STREAM_ARN,
      shardId: 'shardId-000000000003',
      sequenceNumber: '200',
      subSequenceNumber: 1,
      partitionKey: 'k3',
      aggregated: true,
      approximateArrivalTimestamp: new Date('2024-05-01T12:00:00.250Z'),
      error: { name: 'SyntaxError', message: 'not JSON' },
      attempts: 3,
    });
    expect(text(letters[0]!.data)).toBe('agg-1');
  });

  it('reports the record as failed when the dead-letter sink fails', async () => {
    const handler = kinesisLambdaHandler({
      onPoisonRecord: () => {
        throw new Error('queue down');
      },
      processRecord: (record) => {
        if (record.sequenceNumber === '300') throw new Error('bad');
      },
    });
    expect(await handler(event, {})).toEqual({ batchItemFailures: [{ itemIdentifier: '300' }] });
  });

  it('runs keys in parallel with a concurrency, each key in order', async () => {
    const order: string[] = [];
    let running = 0;
    let max = 0;
    const handler = kinesisLambdaHandler({
      concurrency: 4,
      processRecord: async (record) => {
        running++;
        max = Math.max(max, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(`${record.partitionKey}:${text(record.data)}`);
        running--;
      },
    });
    expect(await handler(event, {})).toEqual({ batchItemFailures: [] });
    expect(max).toBeGreaterThan(1);
    expect(order.filter((o) => o.startsWith('k1:'))).toEqual(['k1:plain-1', 'k1:plain-2']);
    expect(order.filter((o) => o.startsWith('k2:'))).toEqual(['k2:agg-0', 'k2:agg-2']);
  });

  it('with idempotent(), a redelivered aggregate does not run its finished user records again', async () => {
    const store = new InMemoryIdempotencyStore();
    const effects: string[] = [];
    let failAgg2 = true;
    const handler = kinesisLambdaHandler({
      processRecord: idempotent(
        store,
        (record) => `${record.sequenceNumber}/${record.subSequenceNumber}`,
        (record) => {
          if (failAgg2 && text(record.data) === 'agg-2') throw new Error('transient');
          effects.push(text(record.data));
        },
      ),
    });
    expect(await handler(event, {})).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    failAgg2 = false;
    // Lambda retries from the reported sequence number: the aggregate and what follows
    const retry = { Records: event.Records.slice(1) };
    expect(await handler(retry, {})).toEqual({ batchItemFailures: [] });
    expect(effects).toEqual(['plain-1', 'agg-0', 'agg-1', 'agg-2', 'agg-3', 'plain-2']);
  });

  it('answers an empty event with no failures', async () => {
    const handler = kinesisLambdaHandler({ processRecord: () => {} });
    expect(await handler({ Records: [] }, {})).toEqual({ batchItemFailures: [] });
  });

  it('passes the Lambda context through', async () => {
    const contexts: unknown[] = [];
    const handler = kinesisLambdaHandler<{ awsRequestId: string }>({
      processBatch: (_records, { lambdaContext, eventSourceArn }) =>
        void contexts.push([lambdaContext.awsRequestId, eventSourceArn]),
    });
    await handler(event, { awsRequestId: 'req-1' });
    expect(contexts).toEqual([['req-1', STREAM_ARN]]);
  });

  it('refuses options without a function', () => {
    expect(() => kinesisLambdaHandler({} as never)).toThrow(/processRecord/);
  });

  it('stops starting records shortly before the invocation times out and reports the first record not done', async () => {
    const seen: string[] = [];
    const handler = kinesisLambdaHandler({
      timeoutMarginMs: 20,
      processRecord: async (record, { signal }) => {
        seen.push(text(record.data));
        if (text(record.data) === 'agg-1') {
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        }
      },
    });
    const response = await handler(event, { getRemainingTimeInMillis: () => 60 });
    expect(seen).toEqual(['plain-1', 'agg-0', 'agg-1']);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] }); // agg-2 is in aggregate 200
  });

  it('reports nothing when the whole batch was done before the deadline, and runs anyway without time to spare', async () => {
    const handler = kinesisLambdaHandler({
      timeoutMarginMs: 1_000,
      processRecord: (_record, { signal }) => {
        expect(signal.aborted).toBe(false);
      },
    });
    expect(await handler(event, { getRemainingTimeInMillis: () => 500 })).toEqual({ batchItemFailures: [] });
    expect(await handler(event, { getRemainingTimeInMillis: () => 60_000 })).toEqual({
      batchItemFailures: [],
    });
  });
});
