import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { deaggregate } from '@kinesis-ts/core';
import { injectKinesisFaults, uniqueName } from '@kinesis-ts/local';
import { useLocalStack } from '@kinesis-ts/local/vitest';
import { KinesisProducer } from '@kinesis-ts/producer';
import { afterAll, describe, expect, it } from 'vitest';
import { createIngestServer, type IngestServer } from './ingest-server.js';

const local = useLocalStack();
const streams: string[] = [];
const servers: IngestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.shutdown()));
  await Promise.all(streams.map((stream) => local.deleteStream(stream)));
});

async function newStream(): Promise<string> {
  const streamName = uniqueName('ingest');
  streams.push(streamName);
  await local.createStream(streamName, 2);
  return streamName;
}

async function startServer(producer: KinesisProducer): Promise<string> {
  const server = createIngestServer({ producer, partitionKeyField: 'deviceId', maxBodyBytes: 1_000_000 });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
}

function post(url: string, events: unknown): Promise<Response> {
  return fetch(`${url}/events`, { method: 'POST', body: JSON.stringify(events) });
}

/** Every user record in the stream, KPL aggregates split, as parsed JSON. */
async function readStream(kinesis: KinesisClient, streamName: string): Promise<unknown[]> {
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const events: unknown[] = [];
  for (const shard of Shards) {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    for (const record of Records) {
      const input = {
        partitionKey: record.PartitionKey!,
        data: record.Data!,
        sequenceNumber: record.SequenceNumber!,
      };
      for (const user of deaggregate(input)) events.push(JSON.parse(new TextDecoder().decode(user.data)));
    }
  }
  return events;
}

const readings = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => ({
    deviceId: `d-${(from + index) % 3}`,
    reading: from + index,
  }));

describe('the ingest service', () => {
  it('answers 200 once Kinesis acknowledged the events, with each event’s shard and sequence number', async () => {
    const streamName = await newStream();
    const kinesis = local.kinesisClient({ transport: 'http2' }); // the SDK's default, as on AWS
    const url = await startServer(new KinesisProducer({ streamName, client: kinesis }));

    const response = await post(url, readings(5));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      accepted: number;
      events: { shardId: string; sequenceNumber: string }[];
    };
    expect(body.accepted).toBe(5);
    for (const event of body.events) {
      expect(event.shardId).toMatch(/^shardId-/);
      expect(event.sequenceNumber).toMatch(/^\d+$/);
    }
    expect(await readStream(kinesis, streamName)).toEqual(expect.arrayContaining(readings(5)));
    expect((await post(url, 'not an event')).status).toBe(400);
  });

  it('answers 503 with Retry-After while the producer’s buffer is full, and takes the events once it has room', async () => {
    const streamName = await newStream();
    const kinesis = local.kinesisClient({ transport: 'http2' }); // the SDK's default, as on AWS
    // a slow Kinesis: every PutRecords waits 0.8 s, so three records fill a buffer of three
    injectKinesisFaults(kinesis, { latency: [{ operations: ['PutRecords'], delayMs: 800 }] });
    const producer = new KinesisProducer({
      streamName,
      client: kinesis,
      maxBufferedRecords: 3,
      whenBufferFull: 'reject',
    });
    const url = await startServer(producer);

    const first = post(url, readings(3));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await post(url, readings(2, 3));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({
      error: 'BUFFER_FULL',
      accepted: 0,
      events: [{ error: 'BUFFER_FULL' }, { error: 'BUFFER_FULL' }],
    });

    expect((await first).status).toBe(200);
    expect((await post(url, readings(2, 3))).status).toBe(200); // the client's retry
    expect(await readStream(kinesis, streamName)).toEqual(expect.arrayContaining(readings(5)));
  });

  it('on SIGTERM stops taking requests, flushes what is buffered, answers the requests in flight and exits 0', async () => {
    const streamName = await newStream();
    const child = spawn(
      process.execPath,
      [
        '--conditions=kinesis-ts-source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./main.ts', import.meta.url)),
      ],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: {
          ...process.env,
          ...local.environment(), // AWS_ENDPOINT_URL_KINESIS etc.: the test run's local Kinesis
          STREAM_NAME: streamName,
          PORT: '0',
          MAX_BUFFERED_TIME_MS: '5000', // records wait for company: only the flush on SIGTERM sends them soon
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[^,]+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
    });

    const started = Date.now();
    const inFlight = post(url, readings(4));
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { accepted: number }).accepted).toBe(4);
    expect(Date.now() - started).toBeLessThan(5_000); // sent by the flush, not after maxBufferedTimeMs
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output).toContain('SIGTERM: no new requests');
    await expect(post(url, readings(1))).rejects.toThrow(); // nobody listens any more
    expect(await readStream(local.kinesisClient(), streamName)).toEqual(expect.arrayContaining(readings(4)));
  });
});
