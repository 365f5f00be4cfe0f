import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KinesisTsError, type LambdaKinesisEventRecord } from '@kinesis-ts/core';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KinesisConsumer } from '../kinesis-consumer.js';
import { kinesisLambdaHandler } from '../lambda/lambda-handler.js';
import type { KinesisConsumerOptions } from '../options.js';
import { withClaimCheckedDelivery } from '../processor/claim-checked-delivery.js';
import type {
  ConsumerRecord,
  HandlerContext,
  ProcessRecordsInput,
  ShardRecordProcessor,
} from '../processor/record-processor.js';
import { S3ClaimCheck } from './claim-check.js';

const s3 = mockClient(S3Client);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const bytes = (value: string) => new TextEncoder().encode(value);

/** An in-memory bucket behind the mocked S3Client: PutObject stores, GetObject reads back. */
function fakeBucket(): Map<string, Uint8Array> {
  const objects = new Map<string, Uint8Array>();
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: Uint8Array }) => {
    objects.set(input.Key, input.Body);
    return {};
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const body = objects.get(input.Key);
    if (body === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { Body: { transformToByteArray: async () => body } };
  });
  return objects;
}

function claimCheck(): S3ClaimCheck {
  return new S3ClaimCheck({ client: new S3Client({ region: 'us-east-1' }), bucket: 'letters' });
}

function eventRecord(sequenceNumber: string, data: Uint8Array): LambdaKinesisEventRecord {
  return {
    kinesis: { partitionKey: 'pk', data: Buffer.from(data).toString('base64'), sequenceNumber },
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
  } as LambdaKinesisEventRecord;
}

type Delivery = Pick<KinesisConsumerOptions, 'handler' | 'processor' | 'resolveClaimChecks'>;

beforeEach(() => s3.reset());

describe('kinesisLambdaHandler with resolveClaimChecks', () => {
  it('hands processRecord the stored payload in place of a pointer, and other records unchanged', async () => {
    fakeBucket();
    const check = claimCheck();
    const pointer = await check.store(bytes('a large payload'), 'big-1');
    const seen: string[] = [];
    const handler = kinesisLambdaHandler({
      resolveClaimChecks: check,
      processRecord: (record) => {
        seen.push(text(record.data));
      },
    });
    const response = await handler(
      { Records: [eventRecord('100', bytes('small')), eventRecord('200', pointer)] },
      {},
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual(['small', 'a large payload']);
  });

  it('hands processBatch the stored payloads', async () => {
    fakeBucket();
    const check = claimCheck();
    const pointer = await check.store(bytes('stored'), 'big-2');
    const seen: string[] = [];
    const handler = kinesisLambdaHandler({
      resolveClaimChecks: check,
      processBatch: (records) => {
        seen.push(...records.map((record) => text(record.data)));
      },
    });
    await handler({ Records: [eventRecord('100', pointer), eventRecord('200', bytes('plain'))] }, {});
    expect(seen).toEqual(['stored', 'plain']);
  });

  it('reports a pointer it cannot read as the failed record, after processing the records before it', async () => {
    const objects = fakeBucket();
    const check = claimCheck();
    const pointer = await check.store(bytes('gone'), 'big-3');
    objects.clear();
    const seen: string[] = [];
    const handler = kinesisLambdaHandler({
      resolveClaimChecks: check,
      processBatch: (records) => {
        seen.push(...records.map((record) => text(record.data)));
      },
    });
    const response = await handler(
      {
        Records: [
          eventRecord('100', bytes('before')),
          eventRecord('200', pointer),
          eventRecord('300', bytes('after')),
        ],
      },
      {},
    );
    expect(seen).toEqual(['before']);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
  });

  it('delivers pointers as they are without the option', async () => {
    fakeBucket();
    const pointer = await claimCheck().store(bytes('stored'), 'big-4');
    const seen: string[] = [];
    await kinesisLambdaHandler({
      processRecord: (record) => {
        seen.push(text(record.data));
      },
    })({ Records: [eventRecord('100', pointer)] }, {});
    expect(seen).toEqual([text(pointer)]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('refuses a resolveClaimChecks that is not a claim check, naming the option', () => {
    let thrown: unknown;
    try {
      kinesisLambdaHandler({ resolveClaimChecks: {} as S3ClaimCheck, processRecord: () => {} });
    } catch (error) {
      thrown = error;
    }
    expect(KinesisTsError.hasCode(thrown, 'INVALID_OPTION')).toBe(true);
    expect((thrown as Error).message).toContain('resolveClaimChecks');
  });
});

function consumerRecord(sequenceNumber: string, data: Uint8Array): ConsumerRecord {
  return { sequenceNumber, subSequenceNumber: 0, partitionKey: 'pk', data } as unknown as ConsumerRecord;
}

describe('the consumer delivery with resolveClaimChecks', () => {
  it('hands the handler the stored payloads', async () => {
    fakeBucket();
    const check = claimCheck();
    const pointer = await check.store(bytes('stored'), 'big-5');
    const seen: string[] = [];
    const { handler } = withClaimCheckedDelivery<Delivery>({
      resolveClaimChecks: check,
      handler: (records: readonly ConsumerRecord[]) => {
        seen.push(...records.map((record) => text(record.data)));
      },
    });
    await handler!([consumerRecord('1', bytes('plain')), consumerRecord('2', pointer)], {
      shardId: 's',
    } as HandlerContext);
    expect(seen).toEqual(['plain', 'stored']);
  });

  it('hands a processor the stored payloads and keeps its other calls on the same object', async () => {
    fakeBucket();
    const check = claimCheck();
    const pointer = await check.store(bytes('stored'), 'big-6');
    class Processor implements ShardRecordProcessor {
      shard = '';
      seen: string[] = [];
      initialize(input: { shardId: string }) {
        this.shard = input.shardId;
      }
      processRecords(input: ProcessRecordsInput) {
        this.seen.push(...input.records.map((record) => `${this.shard}:${text(record.data)}`));
      }
    }
    const inner = new Processor();
    const { processor } = withClaimCheckedDelivery<Delivery>({
      resolveClaimChecks: check,
      processor: () => inner,
    });
    const wrapped = processor!('shardId-1');
    await wrapped.initialize!({ shardId: 'shardId-1' } as never);
    await wrapped.processRecords({
      shardId: 'shardId-1',
      records: [consumerRecord('1', pointer)],
    } as unknown as ProcessRecordsInput);
    expect(inner.seen).toEqual(['shardId-1:stored']);
  });

  it('leaves the options as they are without resolveClaimChecks', () => {
    const options = { handler: () => {} };
    expect(withClaimCheckedDelivery(options)).toBe(options);
  });
});

describe('KinesisConsumer with resolveClaimChecks', () => {
  const options = (extra: Partial<KinesisConsumerOptions>): KinesisConsumerOptions => ({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient: new KinesisClient({ region: 'us-east-1' }),
    dynamoDbClient: new DynamoDBClient({ region: 'us-east-1' }),
    initialPosition: 'TRIM_HORIZON',
    ...extra,
  });

  it('runs its handler on the stored payloads', async () => {
    fakeBucket();
    const check = claimCheck();
    const pointer = await check.store(bytes('stored'), 'big-7');
    const seen: string[] = [];
    const consumer = new KinesisConsumer(
      options({
        resolveClaimChecks: check,
        handler: (records) => {
          seen.push(...records.map((record) => text(record.data)));
        },
      }),
    );
    // the handler the shard consumers are given (the options after resolution)
    const { handler } = (consumer as unknown as { options: Pick<KinesisConsumerOptions, 'handler'> }).options;
    await handler!([consumerRecord('1', pointer)], { shardId: 'shardId-1' } as HandlerContext);
    expect(seen).toEqual(['stored']);
  });

  it('refuses a resolveClaimChecks that is not a claim check, naming the option', () => {
    let thrown: unknown;
    try {
      new KinesisConsumer(options({ handler: () => {}, resolveClaimChecks: {} as S3ClaimCheck }));
    } catch (error) {
      thrown = error;
    }
    expect(KinesisTsError.hasCode(thrown, 'INVALID_OPTION')).toBe(true);
    expect((thrown as Error).message).toContain('resolveClaimChecks');
  });
});
