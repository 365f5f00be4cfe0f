/**
 * Integration-test support: a handler whose side effect is an item in an "effects" table, made
 * idempotent through a `DynamoDbIdempotencyStore`. Used in the test process and in the worker
 * processes the tests kill, so that both run the same code.
 */
import { type DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbIdempotencyStore } from '../src/processing/dynamodb-idempotency-store.js';
import { idempotent } from '../src/processing/idempotent.js';
import { parallelByKey } from '../src/processing/parallel-by-key.js';
import type { ConsumerRecord, RecordHandler } from '../src/processor/record-processor.js';

export interface EffectsHandlerConfig {
  readonly dynamoDb: DynamoDBClient;
  /** The idempotency table (string key `id`). */
  readonly idempotencyTable: string;
  /** Where side effects are written, one item per execution (string key `id`). */
  readonly effectsTable: string;
  readonly workerId: string;
  readonly leaseDurationMs: number;
  /** The side effect of this event id never finishes (a worker that hangs, to be killed). */
  readonly hangOn?: string;
  /** Called when the side effect of `hangOn` started (after the claim). */
  readonly onHang?: () => void;
  /** Called after each side effect or duplicate. */
  readonly onOutcome?: (eventId: string, outcome: string) => void;
}

/** The event id a test record carries: its data, `event-<n>`. */
export const eventIdOf = (record: ConsumerRecord): string => new TextDecoder().decode(record.data);

export function effectsHandler(config: EffectsHandlerConfig): RecordHandler {
  const store = new DynamoDbIdempotencyStore({
    client: config.dynamoDb,
    tableName: config.idempotencyTable,
    leaseDurationMs: config.leaseDurationMs,
  });
  const sideEffect = async (record: ConsumerRecord) => {
    const eventId = eventIdOf(record);
    if (eventId === config.hangOn) {
      config.onHang?.();
      await new Promise(() => {}); // never finishes: the test kills this worker here
    }
    await config.dynamoDb.send(
      new PutItemCommand({
        TableName: config.effectsTable,
        Item: {
          id: { S: `${eventId}#${config.workerId}#${record.sequenceNumber}` },
          eventId: { S: eventId },
        },
      }),
    );
  };
  const once = idempotent(store, eventIdOf, sideEffect, { pollIntervalMs: 200 });
  return parallelByKey(async (record: ConsumerRecord) => {
    const outcome = await once(record);
    config.onOutcome?.(eventIdOf(record), outcome);
  });
}

/** How many side effects completed per event id, and by which workers. */
export async function readEffects(
  dynamoDb: DynamoDBClient,
  effectsTable: string,
): Promise<Map<string, string[]>> {
  const { Items } = await dynamoDb.send(new ScanCommand({ TableName: effectsTable, ConsistentRead: true }));
  const effects = new Map<string, string[]>();
  for (const item of Items ?? []) {
    const [eventId, workerId] = (item.id?.S ?? '').split('#');
    effects.set(eventId!, [...(effects.get(eventId!) ?? []), workerId!]);
  }
  return effects;
}
