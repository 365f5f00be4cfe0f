/**
 * The code snippets of docs/consumer.md, docs/migrating-from-kcl.md and the package README, kept
 * here so that the type checker sees every one of them (`pnpm typecheck`). Each function is one
 * snippet; none is run by the tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import {
  type ConsumerRecord,
  type DeadLetterSink,
  deadLetterTo,
  deregisterStreamConsumer,
  ensureStreamConsumer,
  type InitializationInput,
  KinesisConsumer,
  LeaseLostError,
  type ProcessRecordsInput,
  readStream,
  type ShardEndedInput,
  type ShardRecordProcessor,
  type ShutdownRequestedInput,
} from '../src/index.js';

declare function saveOrder(order: unknown): Promise<void>;
declare function sendToDeadLetterQueue(message: object): Promise<void>;
declare const metricsSink: { gauge(name: string, value: number, tags: object): void };

/** Quick start: the handler path. */
export async function quickStart(): Promise<void> {
  const consumer = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app', // also the lease table's name
    kinesisClient: new KinesisClient({}),
    dynamoDbClient: new DynamoDBClient({}),
    initialPosition: 'TRIM_HORIZON', // only for shards that have no checkpoint yet
    handler: async (records, { shardId }) => {
      for (const record of records) {
        await saveOrder({ shardId, order: JSON.parse(new TextDecoder().decode(record.data)) });
      }
      // resolving checkpoints the batch; throwing retries it
    },
  });
  await consumer.start();
  process.once('SIGTERM', () => {
    void consumer.stop().then(() => process.exit(0));
  });
}

/** The processor path: a KCL-shaped processor that checkpoints every 1 000 records. */
class OrdersProcessor implements ShardRecordProcessor {
  private sinceCheckpoint = 0;

  initialize({
    shardId,
    extendedSequenceNumber,
    pendingCheckpointSequenceNumber,
  }: InitializationInput): void {
    // where this shard resumes, and a checkpoint the previous owner prepared but did not make
    console.info(`${shardId} resumes after`, extendedSequenceNumber, pendingCheckpointSequenceNumber);
  }

  async processRecords({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
    for (const record of records) await saveOrder(record.data);
    this.sinceCheckpoint += records.length;
    if (this.sinceCheckpoint >= 1_000) {
      await checkpointer.checkpoint(); // at the last record of this batch
      this.sinceCheckpoint = 0;
    }
  }

  async shardEnded({ checkpointer }: ShardEndedInput): Promise<void> {
    await checkpointer.checkpoint(); // required: writes SHARD_END so the child shards can start
  }

  async shutdownRequested({ checkpointer }: ShutdownRequestedInput): Promise<void> {
    await checkpointer.checkpoint(); // the consumer is stopping: save progress
  }

  leaseLost(): void {
    // another worker has the shard now; checkpoints would fail with LeaseLostError
  }
}

export function processorConsumer(
  kinesisClient: KinesisClient,
  dynamoDbClient: DynamoDBClient,
): KinesisConsumer {
  const consumer = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'LATEST',
    processor: () => new OrdersProcessor(),
  });
  return consumer;
}

/** Checkpointing inside a batch, at a record (its sub-sequence number counts inside KPL aggregates). */
export async function checkpointAtRecord({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
  for (const [index, record] of records.entries()) {
    await saveOrder(record.data);
    if (index % 100 === 99) {
      try {
        await checkpointer.checkpoint(record);
      } catch (error) {
        if (LeaseLostError.isInstance(error)) return; // another worker owns the shard: stop here
        throw error;
      }
    }
  }
}

/** Two-phase checkpoints: announce the position (with state) before a side effect, then make it. */
export async function preparedCheckpoint({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
  const last = records.at(-1);
  if (!last) return;
  const prepared = await checkpointer.prepareCheckpoint(last, new TextEncoder().encode('batch-42'));
  await saveOrder(records.map((r) => r.data));
  await prepared.checkpoint();
}

/** Poison records go to a dead-letter queue after maxProcessingAttempts instead of stopping the shard. */
export function deadLetter(kinesisClient: KinesisClient, dynamoDbClient: DynamoDBClient): KinesisConsumer {
  const consumer = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    handler: async (records: readonly ConsumerRecord[]) => {
      for (const record of records) await saveOrder(record.data);
    },
    maxProcessingAttempts: 5,
    onPoisonRecord: async ({ shardId, record, error, attempts }) => {
      await sendToDeadLetterQueue({
        shardId,
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: record.subSequenceNumber,
        partitionKey: record.partitionKey,
        data: Buffer.from(record.data).toString('base64'),
        error: String(error),
        attempts,
      });
    },
  });
  return consumer;
}

/** A hung handler: reported by shard:stalled, bounded by processingTimeoutMs (Failures, "Handler hangs"). */
export function hungHandler(
  kinesisClient: KinesisClient,
  dynamoDbClient: DynamoDBClient,
  sink: DeadLetterSink,
  saveOrder: (data: Uint8Array, options: { abortSignal: AbortSignal }) => Promise<void>,
  alert: (message: string, context: object) => void,
): KinesisConsumer {
  const consumer = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    stalledShardWarningMs: 60_000, // the default
    processingTimeoutMs: 30_000,
    maxProcessingAttempts: 3,
    onPoisonRecord: deadLetterTo(sink),
    handler: async (records, { signal }) => {
      for (const record of records) await saveOrder(record.data, { abortSignal: signal });
    },
  });
  consumer.on('shard:stalled', ({ shardId, stalledForMs, firstSequenceNumber, timedOut }) =>
    alert(`shard ${shardId} stuck for ${stalledForMs} ms at ${firstSequenceNumber}`, { timedOut }),
  );
  return consumer;
}

/** Observability: events, the metrics snapshot, a logger. */
export function observe(consumer: KinesisConsumer): void {
  consumer.on('lease:taken', ({ leaseKey, stolen }) =>
    console.info('took', leaseKey, stolen ? '(stolen)' : ''),
  );
  consumer.on('lease:lost', ({ leaseKey, reason }) => console.warn('lost', leaseKey, reason));
  consumer.on('shard:failed', ({ shardId, error }) => console.error('shard stopped', shardId, error));
  setInterval(() => {
    const metrics = consumer.metrics();
    for (const shard of Object.values(metrics.shards)) {
      metricsSink.gauge('MillisBehindLatest', shard.MillisBehindLatest ?? 0, { shardId: shard.shardId });
    }
    metricsSink.gauge('CurrentLeases', metrics.CurrentLeases, {});
  }, 60_000).unref();
}

/** Clients: HTTP/1.1 with keep-alive for the polling and lease calls (real AWS and the local emulator alike). */
export function clients(): { kinesisClient: KinesisClient; dynamoDbClient: DynamoDBClient } {
  const kinesisClient = new KinesisClient({
    region: 'eu-west-1',
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 35_000 }),
  });
  const dynamoDbClient = new DynamoDBClient({ region: 'eu-west-1' });
  return { kinesisClient, dynamoDbClient };
}

/** Against kinesis-local or LocalStack: an endpoint, dummy credentials and HTTP/1.1. */
export function localClients(): { kinesisClient: KinesisClient; dynamoDbClient: DynamoDBClient } {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  return {
    kinesisClient: new KinesisClient({
      endpoint: 'http://127.0.0.1:4568',
      region: 'us-east-1',
      credentials,
      requestHandler: new NodeHttpHandler(),
    }),
    dynamoDbClient: new DynamoDBClient({
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      credentials,
    }),
  };
}

/** Migrating from the Node MultiLangDaemon wrapper (`aws-kcl`): the same processor, without callbacks or base64. */
const fromAwsKcl: ShardRecordProcessor = {
  async processRecords({ records, checkpointer }) {
    for (const record of records) {
      const text = new TextDecoder().decode(record.data); // was Buffer.from(record.data, 'base64')
      await saveOrder(text);
    }
    await checkpointer.checkpoint(); // was checkpointer.checkpoint(sequenceNumber, callback)
  },
  async shardEnded({ checkpointer }) {
    await checkpointer.checkpoint();
  },
};

export function fromAwsKclConsumer(
  kinesisClient: KinesisClient,
  dynamoDbClient: DynamoDBClient,
): KinesisConsumer {
  return new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app', // the aws-kcl application's name: same lease table, same checkpoints
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    processor: () => fromAwsKcl,
  });
}

/** Enhanced fan-out on AWS: a dedicated HTTP/2 client for SubscribeToShard, HTTP/1.1 for the rest. */
export function fanOut(dynamoDbClient: DynamoDBClient): KinesisConsumer {
  const consumer = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    kinesisClient: new KinesisClient({
      region: 'eu-west-1',
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 35_000 }),
    }),
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    retrieval: {
      mode: 'fan-out', // registers (or finds) the stream consumer "orders-app" at start
      subscribeClient: new KinesisClient({
        region: 'eu-west-1',
        // One HTTP/2 session per subscription: a broken session affects one shard only.
        requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: true }),
      }),
    },
    handler: async (records) => {
      for (const record of records) await saveOrder(record.data);
    },
  });
  return consumer;
}

/** Enhanced fan-out against kinesis-local or LocalStack: HTTP/1.1 for subscriptions too. */
export function fanOutLocally(dynamoDbClient: DynamoDBClient): KinesisConsumer {
  const kinesisClient = new KinesisClient({
    endpoint: 'http://127.0.0.1:4568',
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(), // the emulator's HTTP/2 fails on SubscribeToShard
  });
  const consumer = new KinesisConsumer({
    streamName: 'orders',
    applicationName: 'orders-app',
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    handler: async () => {},
    kinesisClient,
    retrieval: { mode: 'fan-out', subscribeClient: kinesisClient },
  });
  return consumer;
}

/** Registering the stream consumer before a deployment, and deregistering it when the application is retired. */
export async function streamConsumerAdmin(kinesisClient: KinesisClient): Promise<void> {
  const { consumerArn } = await ensureStreamConsumer({
    kinesisClient,
    streamName: 'orders',
    consumerName: 'orders-app',
  });
  console.log('workers can use', { retrieval: { mode: 'fan-out', consumerArn } });

  // Never done by KinesisConsumer itself: every worker of the application stops receiving records.
  await deregisterStreamConsumer({ kinesisClient, streamName: 'orders', consumerName: 'orders-app' });
}

/** Scripts and tools: iterate over a stream's records without leases. */
export async function iterateAStream(kinesisClient: KinesisClient, signal: AbortSignal): Promise<void> {
  for await (const record of readStream({
    streamName: 'orders',
    client: kinesisClient,
    from: 'TRIM_HORIZON',
    signal,
  })) {
    console.log(
      record.shardId,
      record.sequenceNumber,
      record.partitionKey,
      new TextDecoder().decode(record.data),
    );
  }
}

declare function route(streamName: string, shardId: string, record: ConsumerRecord): Promise<void>;

/** Many streams: one application over several streams (KCL multi-stream leases). */
export function manyStreams(kinesisClient: KinesisClient, dynamoDbClient: DynamoDBClient): KinesisConsumer {
  const consumer = new KinesisConsumer({
    applicationName: 'events-app',
    kinesisClient,
    dynamoDbClient,
    initialPosition: 'TRIM_HORIZON',
    streams: [
      { streamName: 'orders' },
      { streamName: 'payments', initialPosition: 'LATEST' },
      { streamArn: 'arn:aws:kinesis:eu-west-1:210987654321:stream/audit' }, // another account
    ],
    handler: async (records, { streamName, shardId }) => {
      for (const record of records) await route(streamName!, shardId, record);
    },
  });
  return consumer;
}
