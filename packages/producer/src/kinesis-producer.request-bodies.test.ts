/**
 * The producer writes each `PutRecords` body itself (`putRecordsSerializer: 'kinesis-ts'`, the
 * default) or leaves it to the SDK (`'sdk'`). A real SDK client, answered by a middleware once the
 * request is signed, so the body checked is the one that would go on the wire.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { deaggregate } from '@kinesis-ts/core';
import { afterEach, describe, expect, it } from 'vitest';
import { answeringClient, type SentBody } from '../test/answering-client.js';
import { closeProducers, producers, text, utf8 } from '../test/producer-harness.js';
import type { RecordFailedError } from './errors.js';
import { KinesisProducer } from './kinesis-producer.js';
import type { KinesisProducerOptions } from './options.js';

afterEach(closeProducers);

function producerWith(client: KinesisClient, options: Partial<KinesisProducerOptions> = {}) {
  const producer = new KinesisProducer({ streamName: 'orders', client, maxBufferedTimeMs: 1, ...options });
  producers.push(producer);
  return producer;
}

/** The user records the sent bodies carry, read back as the KCL would, in order of their data. */
function userRecordsOf(bodies: readonly SentBody[]): { partitionKey: string; data: string }[] {
  return bodies
    .flatMap(
      (body) => (JSON.parse(body.text) as { Records: { Data: string; PartitionKey: string }[] }).Records,
    )
    .flatMap((entry) =>
      deaggregate({
        partitionKey: entry.PartitionKey,
        data: Buffer.from(entry.Data, 'base64'),
        sequenceNumber: '1',
      }).map((record) => ({ partitionKey: record.partitionKey, data: text(record.data) })),
    )
    .sort((a, b) => a.data.localeCompare(b.data));
}

const records = [
  { partitionKey: 'device-1', data: utf8('1 first') },
  { partitionKey: 'dévice-2 "quoted"', data: utf8('2 second') },
  { partitionKey: 'device-1', data: utf8('3 third') },
];
const expected = records.map((record) => ({ partitionKey: record.partitionKey, data: text(record.data) }));

describe('PutRecords bodies', () => {
  it('are written by the producer by default: the records, every base64 string 4-byte aligned, with their length', async () => {
    const { client, bodies } = answeringClient();
    const results = await producerWith(client).putMany(records);
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    for (const body of bodies) {
      expect(body.text.startsWith('{"Records":[{"Data":   "')).toBe(true); // the SDK writes no spaces
      expect(body.contentLength).toBe(String(Buffer.byteLength(body.text)));
    }
    expect(userRecordsOf(bodies)).toEqual(expected);
  });

  it("are the SDK's own with putRecordsSerializer: 'sdk', carrying the same records", async () => {
    const { client, bodies } = answeringClient();
    await producerWith(client, { putRecordsSerializer: 'sdk' }).putMany(records);
    for (const body of bodies) expect(body.text.startsWith('{"Records":[{"Data":"')).toBe(true);
    expect(userRecordsOf(bodies)).toEqual(expected);
  });

  it('fail every record at once, naming the option, when the client does not make AWS JSON 1.1 PutRecords', async () => {
    const { client, bodies } = answeringClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        if (context.commandName === 'PutRecordsCommand') request.headers['content-type'] = 'application/cbor';
        return next(args);
      },
      { step: 'serialize', priority: 'low', name: 'anotherProtocol' },
    );
    const producer = producerWith(client);
    const failures = (await Promise.all(
      records.map((record) => producer.put(record).catch((error: unknown) => error)),
    )) as RecordFailedError[];
    for (const failure of failures) {
      expect(failure).toMatchObject({ retryable: false, lastErrorCode: 'TypeError' });
      expect(failure.message).toContain("putRecordsSerializer: 'sdk'");
      expect(failure.attemptCount).toBeLessThanOrEqual(1);
    }
    expect(bodies).toHaveLength(0);
  });
});
