/**
 * A consumer worker in its own process whose handler runs an idempotent side effect
 * (`effectsHandler`), so that a test can SIGKILL it between the claim and the done mark. Configured
 * by one JSON argument; reports on stdout as JSON lines: `{ "type": "started" }`,
 * `{ "type": "hanging", "eventId" }` once the side effect of `hangOn` started (its claim is written),
 * `{ "type": "outcome", "eventId", "outcome" }`.
 */
import { connectLocalStack } from '@kinesis-ts/local';
import { KinesisConsumer } from '../src/index.js';
import { effectsHandler } from './idempotent-effects.js';

interface Config {
  kinesisEndpoint: string;
  dynamoDbEndpoint: string;
  streamName: string;
  applicationName: string;
  workerId: string;
  failoverTimeMs: number;
  idempotencyTable: string;
  effectsTable: string;
  leaseDurationMs: number;
  hangOn?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const local = connectLocalStack({
  kinesisEndpoint: config.kinesisEndpoint,
  dynamoDbEndpoint: config.dynamoDbEndpoint,
});
const report = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
const dynamoDb = local.dynamoDbClient();

const consumer = new KinesisConsumer({
  streamName: config.streamName,
  applicationName: config.applicationName,
  workerId: config.workerId,
  kinesisClient: local.kinesisClient(),
  dynamoDbClient: dynamoDb,
  initialPosition: 'TRIM_HORIZON',
  failoverTimeMs: config.failoverTimeMs,
  idleTimeBetweenReadsMs: 200,
  handler: effectsHandler({
    dynamoDb,
    idempotencyTable: config.idempotencyTable,
    effectsTable: config.effectsTable,
    workerId: config.workerId,
    leaseDurationMs: config.leaseDurationMs,
    hangOn: config.hangOn,
    onHang: () => report({ type: 'hanging', eventId: config.hangOn }),
    onOutcome: (eventId, outcome) => report({ type: 'outcome', eventId, outcome }),
  }),
});
await consumer.start();
report({ type: 'started' });
