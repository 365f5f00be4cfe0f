import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  awsErrorCode,
  type CommandWithMiddlewareStack,
  CoreErrorCode,
  sendWithDeadline,
  ValidationError,
  validateIntegerOption,
} from '@kinesis-ts/core';
import {
  type ClaimResult,
  type IdempotencyClaim,
  type IdempotencyStore,
  ttlEpochSeconds,
} from './idempotency-store.js';

/** Options of {@link DynamoDbIdempotencyStore}. */
export interface DynamoDbIdempotencyStoreOptions {
  /** The client (SDK v3). Its own retry settings apply to the store's calls, within `requestTimeoutMs`. */
  readonly client: DynamoDBClient;
  /**
   * Your table. Its partition key must be a string attribute named `keyAttribute`, with no sort key.
   * Turn DynamoDB TTL on for `ttlAttribute` so that old marks are deleted.
   */
  readonly tableName: string;
  /** The table's partition key attribute (a string). @defaultValue 'id' */
  readonly keyAttribute?: string;
  /** The attribute holding the expiry in epoch seconds, for DynamoDB TTL. @defaultValue 'expiresAt' */
  readonly ttlAttribute?: string;
  /** Put before every event id, so that several applications can share a table. @defaultValue '' */
  readonly keyPrefix?: string;
  /**
   * How long a claim is valid, in ms: longer than the slowest side effect (after it, another worker
   * may run the side effect too), short enough that a crashed worker's claim does not hold up the
   * redelivery for long. From 1 000 to 43 200 000 (12 h). @defaultValue 30000
   */
  readonly leaseDurationMs?: number;
  /**
   * How long a done event is remembered, in seconds: keep it longer than the stream's retention
   * period so that any redelivery or replay finds it. From 60 to 31 622 400 (366 days).
   * @defaultValue 691200 (8 days: more than 7 days of extended retention)
   */
  readonly ttlSeconds?: number;
  /**
   * How long one call of the store may take, in ms, the SDK's retries included, from 100: past it
   * the call is aborted and the store rejects with a transient `RequestTimeoutError` (the batch is
   * then retried). @defaultValue 10000
   */
  readonly requestTimeoutMs?: number;
  /** The clock, in ms since the epoch (tests). Workers' clocks must roughly agree. @defaultValue Date.now */
  readonly now?: () => number;
}

/** The defaults of {@link DynamoDbIdempotencyStoreOptions}. */
export const DEFAULT_IDEMPOTENCY_STORE_OPTIONS = {
  keyAttribute: 'id',
  ttlAttribute: 'expiresAt',
  keyPrefix: '',
  leaseDurationMs: 30_000,
  ttlSeconds: 691_200,
  requestTimeoutMs: 10_000,
} as const;

/** The item's attributes besides the key and the TTL. */
export const IDEMPOTENCY_ATTRIBUTES = {
  status: 'status',
  leaseExpiresAtMs: 'leaseExpiresAtMs',
  claimToken: 'claimToken',
  completedAtMs: 'completedAtMs',
} as const;

const IN_PROGRESS = 'IN_PROGRESS';
const DONE = 'DONE';
/** How many times `claim` tries again when the item changes between its write and its read. */
const CLAIM_ROUNDS = 5;

/**
 * An {@link IdempotencyStore} on your DynamoDB table, shared by every worker.
 *
 * - `claim` is one conditional `PutItem`: the id is written as `IN_PROGRESS` with a lease
 *   (`leaseExpiresAtMs`), a fresh `claimToken` and the TTL attribute, if it does not exist or its
 *   claim's lease has run out. Otherwise the item is read (strongly consistent, unless DynamoDB
 *   returned it with the failure) to tell `done` from `in-progress`.
 * - `complete` writes the id as `DONE` with the TTL attribute at `floor(now / 1000) + ttlSeconds`
 *   (epoch seconds, as DynamoDB TTL wants).
 * - `release` deletes the item if it still is this claim (a conditional `DeleteItem`).
 *
 * One read or write unit per call, one more on a duplicate.
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly keyAttribute: string;
  private readonly ttlAttribute: string;
  private readonly keyPrefix: string;
  private readonly leaseDurationMs: number;
  private readonly ttlSeconds: number;
  private readonly requestTimeoutMs: number;
  private readonly now: () => number;

  constructor(options: DynamoDbIdempotencyStoreOptions) {
    const defaults = DEFAULT_IDEMPOTENCY_STORE_OPTIONS;
    if (typeof options.tableName !== 'string' || options.tableName.length < 3) {
      throw new ValidationError(
        'tableName',
        'a DynamoDB table name',
        `got ${String(options.tableName)}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
    this.client = options.client;
    this.tableName = options.tableName;
    this.keyAttribute = options.keyAttribute ?? defaults.keyAttribute;
    this.ttlAttribute = options.ttlAttribute ?? defaults.ttlAttribute;
    this.keyPrefix = options.keyPrefix ?? defaults.keyPrefix;
    const own = new Set<string>(Object.values(IDEMPOTENCY_ATTRIBUTES));
    for (const [field, name] of [
      ['keyAttribute', this.keyAttribute],
      ['ttlAttribute', this.ttlAttribute],
    ] as const) {
      if (name.length === 0 || own.has(name)) {
        throw new ValidationError(
          field,
          `a non-empty attribute name other than ${[...own].join(', ')}`,
          `got "${name}"`,
          CoreErrorCode.INVALID_OPTION,
        );
      }
    }
    if (this.keyAttribute === this.ttlAttribute) {
      throw new ValidationError(
        'ttlAttribute',
        'another attribute than keyAttribute',
        `got "${this.ttlAttribute}"`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
    this.leaseDurationMs = validateIntegerOption(
      'leaseDurationMs',
      options.leaseDurationMs ?? defaults.leaseDurationMs,
      1_000,
      43_200_000,
    );
    this.ttlSeconds = validateIntegerOption(
      'ttlSeconds',
      options.ttlSeconds ?? defaults.ttlSeconds,
      60,
      31_622_400,
    );
    this.requestTimeoutMs = validateIntegerOption(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? defaults.requestTimeoutMs,
      100,
      86_400_000,
    );
    this.now = options.now ?? Date.now;
  }

  async claim(eventId: string): Promise<ClaimResult> {
    const key = this.keyOf(eventId);
    let leaseExpiresAtMs = 0;
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const now = this.now();
      const claim: IdempotencyClaim = {
        eventId,
        token: randomUUID(),
        leaseExpiresAtMs: now + this.leaseDurationMs,
      };
      try {
        await this.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              [this.keyAttribute]: { S: key },
              [IDEMPOTENCY_ATTRIBUTES.status]: { S: IN_PROGRESS },
              [IDEMPOTENCY_ATTRIBUTES.leaseExpiresAtMs]: { N: String(claim.leaseExpiresAtMs) },
              [IDEMPOTENCY_ATTRIBUTES.claimToken]: { S: claim.token },
              [this.ttlAttribute]: { N: String(ttlEpochSeconds(now, this.ttlSeconds)) },
            },
            ConditionExpression: 'attribute_not_exists(#key) OR (#status = :inProgress AND #lease < :now)',
            ExpressionAttributeNames: {
              '#key': this.keyAttribute,
              '#status': IDEMPOTENCY_ATTRIBUTES.status,
              '#lease': IDEMPOTENCY_ATTRIBUTES.leaseExpiresAtMs,
            },
            ExpressionAttributeValues: { ':inProgress': { S: IN_PROGRESS }, ':now': { N: String(now) } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { status: 'claimed', claim };
      } catch (error) {
        if (awsErrorCode(error) !== 'ConditionalCheckFailedException') throw error;
        const item = (error as { Item?: Record<string, AttributeValue> }).Item ?? (await this.read(key));
        if (item === undefined) continue; // released in between: try again
        if (item[IDEMPOTENCY_ATTRIBUTES.status]?.S === DONE) return { status: 'done' };
        leaseExpiresAtMs = Number(item[IDEMPOTENCY_ATTRIBUTES.leaseExpiresAtMs]?.N ?? 0);
        if (leaseExpiresAtMs >= now) return { status: 'in-progress', leaseExpiresAtMs };
        // expired between the write and the read: try again
      }
    }
    return { status: 'in-progress', leaseExpiresAtMs };
  }

  async complete(claim: IdempotencyClaim): Promise<void> {
    const now = this.now();
    await this.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [this.keyAttribute]: { S: this.keyOf(claim.eventId) },
          [IDEMPOTENCY_ATTRIBUTES.status]: { S: DONE },
          [IDEMPOTENCY_ATTRIBUTES.claimToken]: { S: claim.token },
          [IDEMPOTENCY_ATTRIBUTES.completedAtMs]: { N: String(now) },
          [this.ttlAttribute]: { N: String(ttlEpochSeconds(now, this.ttlSeconds)) },
        },
      }),
    );
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    try {
      await this.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [this.keyAttribute]: { S: this.keyOf(claim.eventId) } },
          ConditionExpression: '#status = :inProgress AND #token = :token',
          ExpressionAttributeNames: {
            '#status': IDEMPOTENCY_ATTRIBUTES.status,
            '#token': IDEMPOTENCY_ATTRIBUTES.claimToken,
          },
          ExpressionAttributeValues: { ':inProgress': { S: IN_PROGRESS }, ':token': { S: claim.token } },
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) !== 'ConditionalCheckFailedException') throw error;
      // not our claim any more (expired and taken over, or completed): leave it
    }
  }

  private send<O>(command: CommandWithMiddlewareStack<O>): Promise<O> {
    return sendWithDeadline(this.client, command, { timeoutMs: this.requestTimeoutMs });
  }

  private keyOf(eventId: string): string {
    return `${this.keyPrefix}${eventId}`;
  }

  private async read(key: string): Promise<Record<string, AttributeValue> | undefined> {
    const output = await this.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [this.keyAttribute]: { S: key } },
        ConsistentRead: true,
      }),
    );
    return output.Item;
  }
}
