/**
 * Piping an NDJSON file into Kinesis with `stream.pipeline`: the file is read only as fast as the
 * stream takes records (the producer's buffer is the backpressure), so memory stays bounded by the
 * producer's `maxBufferedBytes` whatever the file's size, also while Kinesis throttles.
 *
 *   tsx --conditions=kinesis-ts-source src/ndjson-pipe.ts orders.ndjson orders customerId
 */
import { createReadStream } from 'node:fs';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '@kinesis-ts/producer';

/** Splits a byte stream into its lines (strings, without the newline), skipping empty ones. */
export function split(): Transform {
  let rest = '';
  const decoder = new TextDecoder();
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      rest += decoder.decode(chunk, { stream: true });
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.push(line.replace(/\r$/, ''));
      callback();
    },
    flush(callback: TransformCallback) {
      rest += decoder.decode();
      if (rest.trim() !== '') this.push(rest);
      callback();
    },
  });
}

/** Puts every line of `input` (NDJSON bytes) into the producer's stream, keyed by the JSON field `keyField`. */
export async function pipeNdjson(
  input: Readable,
  producer: KinesisProducer,
  keyField: string,
): Promise<void> {
  await pipeline(
    input,
    split(),
    producer.writable({
      partitionKey: (line) => String((JSON.parse(String(line)) as Record<string, unknown>)[keyField]),
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file = 'orders.ndjson', streamName = 'orders', keyField = 'customerId'] = process.argv.slice(2);
  const producer = new KinesisProducer({ streamName, client: new KinesisClient({}) });
  try {
    await pipeNdjson(createReadStream(file), producer, keyField);
  } finally {
    await producer.close();
  }
  process.stdout.write(`${producer.metrics().stream.UserRecordsPut} records put from ${file}\n`);
}
