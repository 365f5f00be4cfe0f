// docs/getting-started.md, "Go to AWS": a complete program, a consumer worker that runs until SIGTERM
// or Ctrl-C. Save it as orders-aws.ts in a project whose package.json has "type": "module", and run it
// with `STREAM_NAME=orders AWS_REGION=eu-west-1 npx tsx orders-aws.ts` (credentials from the default
// chain: AWS_PROFILE, environment, SSO, a role).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisConsumer } from '@kinesis-ts/consumer';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const streamName = process.env.STREAM_NAME ?? 'orders';

// credentials and region from the default chain (AWS_PROFILE, AWS_REGION, a role…); HTTP/1.1
// with keep-alive is what polling consumers want (the producer works with either handler;
// enhanced fan-out adds an HTTP/2 client for SubscribeToShard)
const kinesisClient = new KinesisClient({
  requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 35_000 }),
});
const dynamoDbClient = new DynamoDBClient({});

const consumer = new KinesisConsumer({
  streamName,
  applicationName: 'orders-app', // creates (or reuses) the DynamoDB lease table of this name
  kinesisClient,
  dynamoDbClient,
  initialPosition: 'TRIM_HORIZON',
  handler: async (records, { shardId }) => {
    for (const record of records) {
      console.log(`${shardId} ${record.sequenceNumber}: ${new TextDecoder().decode(record.data)}`);
    }
  },
});

let stopping = false;
async function shutDown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await consumer.stop(); // checkpoints what was processed and hands the leases over at once
  kinesisClient.destroy();
  dynamoDbClient.destroy();
}
process.once('SIGTERM', () => void shutDown());
process.once('SIGINT', () => void shutDown());

await consumer.start();
console.log(`consuming ${streamName} as worker ${consumer.workerId}; Ctrl-C stops`);
