import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeKinesis } from '../test/fake-kinesis.js';
import { closeProducers, producerFor, readBack, text, utf8 } from '../test/producer-harness.js';
import { ProducerWritableError } from './producer-writable.js';

afterEach(closeProducers);

const lines = (count: number) =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ orderId: `o-${i}` }));
const orderId = (chunk: Uint8Array | string) =>
  (JSON.parse(typeof chunk === 'string' ? chunk : text(chunk)) as { orderId: string }).orderId;

describe('producer.writable()', () => {
  it('puts every string of a pipeline, keyed by the partitionKey function, and finishes once all are written', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis, { aggregation: false });
    const written: string[] = [];
    await pipeline(
      Readable.from(lines(50)),
      producer.writable({
        partitionKey: orderId,
        onPut: (_result, record) => written.push(record.partitionKey),
      }),
    );
    expect(written).toHaveLength(50);
    const back = readBack(kinesis.written);
    expect(back.map((r) => r.partitionKey).sort()).toEqual(lines(50).map(orderId).sort());
  });

  it('takes records as they are', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis);
    await pipeline(
      Readable.from([
        { partitionKey: 'a', data: utf8('1') },
        { partitionKey: 'b', data: utf8('2') },
      ]),
      producer.writable(),
    );
    expect(
      readBack(kinesis.written)
        .map((r) => `${r.partitionKey}=${text(r.data)}`)
        .sort(),
    ).toEqual(['a=1', 'b=2']);
  });

  it('stops pulling from the source while the producer buffer is full, and resumes when Kinesis takes records', async () => {
    const kinesis = fakeKinesis({ hold: true });
    const producer = producerFor(kinesis, { maxBufferedRecords: 5, aggregation: false });
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (const line of lines(200)) {
          pulled++;
          yield line;
        }
      })(),
      { highWaterMark: 1 },
    );
    const done = pipeline(source, producer.writable({ partitionKey: orderId, highWaterMark: 2 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // the buffer (5), the writable's own (2), the readable's (1), one record waiting in put: far from 200
    expect(pulled).toBeLessThanOrEqual(12);
    expect(producer.outstandingRecords).toBeLessThanOrEqual(6);
    kinesis.release();
    const releaser = setInterval(() => kinesis.release(), 5);
    await done.finally(() => clearInterval(releaser));
    expect(pulled).toBe(200);
    expect(readBack(kinesis.written)).toHaveLength(200);
  });

  it('errors the pipeline with the failed record when a record is refused', async () => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis);
    const error = await pipeline(
      Readable.from(['{"orderId":"o-1"}', '{"orderId":""}', '{"orderId":"o-3"}']),
      producer.writable({ partitionKey: orderId }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProducerWritableError);
    expect(error).toMatchObject({ code: 'WRITABLE_RECORD_FAILED', record: { partitionKey: '' } });
    expect((error as ProducerWritableError).cause).toMatchObject({ code: 'INVALID_PARTITION_KEY' });
  });

  it('errors the pipeline when Kinesis gives up on a record, with that record', async () => {
    const kinesis = fakeKinesis({
      failEntry: (_call, _index, entry) =>
        entry.PartitionKey === 'o-2' ? 'AccessDeniedException' : undefined,
    });
    const producer = producerFor(kinesis, { aggregation: false });
    const error = await pipeline(Readable.from(lines(5)), producer.writable({ partitionKey: orderId })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProducerWritableError);
    expect((error as ProducerWritableError).record).toMatchObject({ partitionKey: 'o-2' });
  });

  it('refuses a string chunk without a partitionKey function', async () => {
    const producer = producerFor(fakeKinesis());
    const error = await pipeline(Readable.from(['x']), producer.writable()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WRITABLE_RECORD_FAILED', record: 'x' });
    expect((error as ProducerWritableError).cause).toMatchObject({ field: 'partitionKey' });
  });
});
