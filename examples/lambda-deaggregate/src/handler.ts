/**
 * An AWS Lambda function for a Kinesis event source mapping, built with `@kinesis-ts/consumer/lambda`
 * (which loads only `@kinesis-ts/core`, not the KinesisConsumer runtime):
 *
 * - Lambda hands over Kinesis records as they are; records written by the KPL or by
 *   `@kinesis-ts/producer` are KPL aggregates of many user records. `kinesisLambdaHandler` splits
 *   them, so `processRecord` sees one reading at a time;
 * - up to 10 readings run at once, never two of one sensor (the partition key) at once;
 * - `idempotent` with a `DynamoDbIdempotencyStore` saves each reading once, even when Lambda delivers
 *   an aggregate again (it retries from the failed Kinesis record, which holds readings already done);
 * - a reading that fails 3 times in a row goes to a dead-letter stream, if one is configured;
 *   otherwise the handler answers `batchItemFailures` with the sequence number of the Kinesis record
 *   holding the first failed reading, and Lambda retries from there (turn on
 *   `ReportBatchItemFailures` on the event source mapping).
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  DynamoDbIdempotencyStore,
  deadLetterTo,
  idempotent,
  type KinesisBatchResponse,
  KinesisDeadLetterSink,
  kinesisLambdaHandler,
  type LambdaKinesisEvent,
} from '@kinesis-ts/consumer/lambda';
import { parseReading, type Reading } from './reading.js';

export interface HandlerOptions {
  readonly dynamoDbClient: DynamoDBClient;
  readonly kinesisClient: KinesisClient;
  /** The idempotency table: partition key `id` (string), TTL on `expiresAt`. */
  readonly dedupeTable: string;
  /** Where readings are saved: partition key `readingId` (string). */
  readonly readingsTable: string;
  /** A stream for readings that keep failing; without it Lambda retries them (batchItemFailures). */
  readonly deadLetterStream?: string;
  /** The side effect. @defaultValue a PutItem into `readingsTable` */
  readonly saveReading?: (reading: Reading) => Promise<void>;
}

/** The part of Lambda's context object the handler reads: the time left, to stop before the timeout. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export type KinesisHandler = (
  event: LambdaKinesisEvent,
  context: LambdaContext,
) => Promise<KinesisBatchResponse>;

export function createHandler(options: HandlerOptions): KinesisHandler {
  const { dynamoDbClient, kinesisClient } = options;
  const store = new DynamoDbIdempotencyStore({ client: dynamoDbClient, tableName: options.dedupeTable });
  const putReading = async (reading: Reading) => {
    await dynamoDbClient.send(
      new PutItemCommand({
        TableName: options.readingsTable,
        Item: {
          readingId: { S: reading.readingId },
          sensorId: { S: reading.sensorId },
          celsius: { N: String(reading.celsius) },
          at: { S: reading.at },
        },
      }),
    );
  };
  const saveReading = options.saveReading ?? putReading;
  return kinesisLambdaHandler<LambdaContext>({
    concurrency: 10,
    maxAttempts: 3, // inside this invocation, with backoff between tries
    backoff: { baseDelayMs: 100, maxDelayMs: 1_000 },
    onPoisonRecord: options.deadLetterStream
      ? deadLetterTo(
          new KinesisDeadLetterSink({ client: kinesisClient, streamName: options.deadLetterStream }),
        )
      : undefined,
    processRecord: idempotent(
      store,
      (record) => parseReading(record.data).readingId,
      (record) => saveReading(parseReading(record.data)),
    ),
  });
}

/** The configuration of the deployed function, from its environment variables. */
export function optionsFromEnvironment(
  env: NodeJS.ProcessEnv,
): Pick<HandlerOptions, 'dedupeTable' | 'readingsTable' | 'deadLetterStream'> {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`The environment variable ${name} is required`);
    return value;
  };
  return {
    dedupeTable: required('DEDUPE_TABLE'),
    readingsTable: required('READINGS_TABLE'),
    deadLetterStream: env.DEAD_LETTER_STREAM || undefined,
  };
}

let deployed: KinesisHandler | undefined;

/** The Lambda entry point: clients and configuration are built once per execution environment. */
export const handler: KinesisHandler = (event, context) => {
  deployed ??= createHandler({
    dynamoDbClient: new DynamoDBClient({}),
    kinesisClient: new KinesisClient({}),
    ...optionsFromEnvironment(process.env),
  });
  return deployed(event, context);
};
