import { describe, expect, it } from 'vitest';
import { KPL_AGGREGATE_WITH_EXPLICIT_HASH_KEYS } from '../test/fixtures/kpl-golden-vectors.js';
import { text } from '../test/helpers.js';
import { deaggregateLambdaEvent } from './lambda-event.js';

const vector = KPL_AGGREGATE_WITH_EXPLICIT_HASH_KEYS;
const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';

describe('deaggregateLambdaEvent', () => {
  it('splits a KPL aggregate in a Lambda event and keeps plain records', () => {
    const out = deaggregateLambdaEvent({
      Records: [
        {
          eventID: vector.eventId,
          eventSourceARN: arn,
          kinesis: {
            partitionKey: vector.partitionKey,
            data: vector.dataBase64,
            sequenceNumber: vector.sequenceNumber,
            approximateArrivalTimestamp: vector.approximateArrivalTimestampSeconds,
            kinesisSchemaVersion: '1.0',
          },
        },
        {
          eventID: 'shardId-000000000003:49581544954143914480256700934210366840104395343224897999',
          eventSourceARN: arn,
          kinesis: {
            partitionKey: 'plain',
            data: Buffer.from('not aggregated').toString('base64'),
            sequenceNumber: '49581544954143914480256700934210366840104395343224897999',
          },
        },
      ],
    });
    expect(out).toHaveLength(5);
    expect(out.slice(0, 4).map((r) => [r.partitionKey, r.explicitHashKey, text(r.data)])).toEqual(
      vector.userRecords.map((r) => [r.partitionKey, r.explicitHashKey, r.data]),
    );
    expect(out[0]).toMatchObject({
      shardId: 'shardId-000000000003',
      eventSourceArn: arn,
      sequenceNumber: vector.sequenceNumber,
      subSequenceNumber: 0,
      aggregated: true,
    });
    expect(out[0]!.approximateArrivalTimestamp?.toISOString()).toBe('2018-02-08T23:45:07.063Z');
    expect(out[4]).toMatchObject({ partitionKey: 'plain', aggregated: false, subSequenceNumber: 0 });
    expect(text(out[4]!.data)).toBe('not aggregated');
    expect(out[4]!.approximateArrivalTimestamp).toBeUndefined();
  });

  it('filters by a shard hash range when the caller knows it', () => {
    const event = {
      Records: [
        { kinesis: { partitionKey: 'a', data: vector.dataBase64, sequenceNumber: vector.sequenceNumber } },
      ],
    };
    expect(
      deaggregateLambdaEvent(event, { hashKeyRange: { startingHashKey: 0n, endingHashKey: 1n } }),
    ).toEqual([]);
  });
});
