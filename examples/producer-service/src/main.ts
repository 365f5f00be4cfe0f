/**
 * An HTTP ingest service: `POST /events` puts events into a Kinesis stream through KinesisProducer.
 * Configured by environment variables (see config.ts and the README); by default it starts a local
 * Kinesis, so `pnpm start` needs no AWS account.
 */
import { KinesisProducer } from '@kinesis-ts/producer';
import { loadConfig } from './config.js';
import { createIngestServer } from './ingest-server.js';
import { openKinesisTarget } from './kinesis-target.js';

const config = loadConfig();
const target = await openKinesisTarget(config);
const producer = new KinesisProducer({
  streamName: config.streamName,
  client: target.client,
  maxBufferedRecords: config.maxBufferedRecords,
  maxBufferedTimeMs: config.maxBufferedTimeMs,
  whenBufferFull: 'reject', // a full buffer answers 503 at once instead of queueing requests
});
producer.events.on('hot-key', ({ key, share }) =>
  console.warn(`hot partition key ${key}: ${Math.round(share * 100)} % of the records`),
);

const ingest = createIngestServer({
  producer,
  partitionKeyField: config.partitionKeyField,
  maxBodyBytes: config.maxBodyBytes,
});
const address = await ingest.listen(config.port, config.host);
const url = `http://${address.address}:${address.port}`;
console.log(`listening on ${url}, putting into ${config.streamName} on ${target.description}`);
console.log(`try: curl -s -X POST ${url}/events -d '{"deviceId":"d-1","temperature":21.5}'`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(
    `${signal}: no new requests; sending what is buffered (${producer.outstandingRecords} records)`,
  );
  await ingest.shutdown();
  await target.close();
  console.log('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
