/**
 * Runs the Lambda function on this machine: starts a local Kinesis and DynamoDB, writes sensor
 * readings through KinesisProducer (so the stream holds KPL aggregates, as it would in production)
 * plus one record that is not a reading, reads the stream back as Lambda Kinesis events, and invokes
 * the handler on them twice (the second time, as Lambda would on a retry: nothing is saved again).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { decodeDeadLetter } from '@kinesis-ts/consumer/lambda';
import { startLocalStack } from '@kinesis-ts/local';
import { createHandler } from './handler.js';
import {
  createLocalResources,
  localContext,
  putReadings,
  readAsLambdaEvents,
  sampleReadings,
} from './local-run.js';

const names = {
  streamName: 'readings',
  deadLetterStream: 'readings-dead-letters',
  dedupeTable: 'readings-dedupe',
  readingsTable: 'readings',
};
const stack = await startLocalStack();
try {
  await createLocalResources(stack, names);
  const kinesisClient = stack.kinesisClient();
  const dynamoDbClient = stack.dynamoDbClient();
  await putReadings(kinesisClient, names.streamName, sampleReadings(40), [
    '{"readingId": "r-broken", "celsius": "warm"}',
  ]);
  const events = await readAsLambdaEvents(kinesisClient, names.streamName);
  const kinesisRecords = events.reduce((sum, event) => sum + event.Records.length, 0);
  console.log(`the stream holds ${kinesisRecords} Kinesis records for 41 user records (KPL aggregates)`);

  let saved = 0;
  const handler = createHandler({
    dynamoDbClient,
    kinesisClient,
    ...names,
    saveReading: async (reading) => {
      saved++;
      console.log(`saved ${reading.readingId} from ${reading.sensorId}: ${reading.celsius} °C`);
    },
  });
  for (const event of events) console.log('response:', JSON.stringify(await handler(event, localContext())));
  console.log(`${saved} readings saved`);

  saved = 0;
  for (const event of events) await handler(event, localContext()); // Lambda delivering the batch again
  console.log(`the same events again: ${saved} readings saved (each reading id is already done)`);

  const { Items = [] } = await dynamoDbClient.send(new ScanCommand({ TableName: names.dedupeTable }));
  console.log(`${Items.length} reading ids in ${names.dedupeTable}`);
  const { ShardIterator } = await kinesisClient.send(
    new GetShardIteratorCommand({
      StreamName: names.deadLetterStream,
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const { Records = [] } = await kinesisClient.send(new GetRecordsCommand({ ShardIterator }));
  // one letter per delivery: the second delivery of the same event dead-letters the record again
  for (const record of Records) {
    const letter = decodeDeadLetter(record.Data!);
    console.log(
      `dead letter: ${new TextDecoder().decode(letter.data)} (${letter.error.message}, ${letter.attempts} attempts)`,
    );
  }
} finally {
  await stack.stop();
}
