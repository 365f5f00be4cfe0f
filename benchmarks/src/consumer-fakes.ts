/**
 * In-process stand-ins for Kinesis and DynamoDB, fast enough that the consumer's own cost is what
 * the consumer benchmark measures. They answer the calls the consumer makes, by the command's class
 * name, with the services' semantics where the consumer depends on them: GetRecords pages through a
 * shard with iterators; DynamoDB conditional writes fail with ConditionalCheckFailedException.
 */
import { encodeAggregatedRecord, MAX_HASH_KEY, partitionKeyToHashKey } from '@kinesis-ts/core';

type Command = { constructor: { name: string }; input: Record<string, unknown> };
type AttributeValue = { S?: string; N?: string; SS?: string[]; B?: Uint8Array };
type Item = Record<string, AttributeValue>;

function serviceError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** A stream of `shardCount` shards, each an endless run of identical KPL aggregates. */
export class FakeKinesis {
  getRecordsCalls = 0;
  private readonly shards: {
    shardId: string;
    start: bigint;
    end: bigint;
    aggregate: Uint8Array;
    key: string;
  }[] = [];

  /**
   * @param recordsPerAggregate user records per aggregate (`recordBytes` of data each), keyed so that
   *   every user record hashes into its shard's range (so the consumer's hash-range check keeps them)
   * @param aggregatesPerCall Kinesis records returned by each GetRecords (0: the stream is idle)
   * @param aggregated false: plain records (one `recordBytes` payload each) instead of aggregates
   */
  constructor(
    shardCount: number,
    readonly recordsPerAggregate: number,
    recordBytes: number,
    public aggregatesPerCall: number,
    aggregated = true,
  ) {
    const width = (MAX_HASH_KEY + 1n) / BigInt(shardCount);
    const keys: string[][] = Array.from({ length: shardCount }, () => []);
    for (let i = 0; keys.some((k) => k.length < recordsPerAggregate); i++) {
      const key = `device-${i}`;
      const shard = Number(partitionKeyToHashKey(key) / width);
      const bucket = keys[Math.min(shard, shardCount - 1)]!;
      if (bucket.length < recordsPerAggregate) bucket.push(key);
    }
    const data = new Uint8Array(recordBytes).fill(120);
    for (let s = 0; s < shardCount; s++) {
      const start = width * BigInt(s);
      const end = s === shardCount - 1 ? MAX_HASH_KEY : start + width - 1n;
      this.shards.push({
        shardId: `shardId-${String(s).padStart(12, '0')}`,
        start,
        end,
        aggregate: aggregated
          ? encodeAggregatedRecord(keys[s]!.map((partitionKey) => ({ partitionKey, data })))
          : data,
        key: aggregated ? 'a' : keys[s]![0]!,
      });
    }
  }

  /** The payload bytes of one aggregate's user records. */
  get aggregateBytes(): number {
    return this.shards[0]!.aggregate.byteLength;
  }

  async send(command: Command): Promise<unknown> {
    const input = command.input;
    switch (command.constructor.name) {
      case 'DescribeStreamSummaryCommand':
        return { StreamDescriptionSummary: { StreamName: input.StreamName, StreamStatus: 'ACTIVE' } };
      case 'ListShardsCommand':
        return {
          Shards: this.shards.map((s) => ({
            ShardId: s.shardId,
            HashKeyRange: { StartingHashKey: s.start.toString(), EndingHashKey: s.end.toString() },
            SequenceNumberRange: { StartingSequenceNumber: '0' },
          })),
        };
      case 'GetShardIteratorCommand': {
        const type = input.ShardIteratorType as string;
        const sequence = input.StartingSequenceNumber as string | undefined;
        let position = 0n;
        if (type === 'AT_SEQUENCE_NUMBER') position = BigInt(sequence!) - SEQUENCE_BASE;
        if (type === 'AFTER_SEQUENCE_NUMBER') position = BigInt(sequence!) - SEQUENCE_BASE + 1n;
        return { ShardIterator: `${input.ShardId}|${position}` };
      }
      case 'GetRecordsCommand': {
        this.getRecordsCalls++;
        const [shardId, positionText] = (input.ShardIterator as string).split('|');
        const shard = this.shards.find((s) => s.shardId === shardId)!;
        const position = BigInt(positionText!);
        const count = Math.min(this.aggregatesPerCall, (input.Limit as number | undefined) ?? 10_000);
        const now = new Date();
        const Records = Array.from({ length: count }, (_, i) => ({
          SequenceNumber: (SEQUENCE_BASE + position + BigInt(i)).toString(),
          PartitionKey: shard.key,
          Data: shard.aggregate,
          ApproximateArrivalTimestamp: now,
        }));
        return {
          Records,
          NextShardIterator: `${shardId}|${position + BigInt(count)}`,
          MillisBehindLatest: 0,
        };
      }
      default:
        throw serviceError('UnknownOperationException', command.constructor.name);
    }
  }
}

const SEQUENCE_BASE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;

/**
 * A DynamoDB of one or more tables, enough for the lease table: items keyed by `leaseKey`, the
 * condition and update expressions the consumer writes (`=`, `AND`, `attribute_(not_)exists`, SET,
 * REMOVE, ADD). Counts writes per table.
 */
export class FakeDynamoDb {
  private readonly tables = new Map<string, Map<string, Item>>();
  readonly writes = new Map<string, number>();
  /** Read requests (Scan, GetItem) and the items they returned, per table. */
  readonly reads = new Map<string, { requests: number; items: number }>();

  readCount(table: string): { requests: number; items: number } {
    return this.reads.get(table) ?? { requests: 0, items: 0 };
  }

  writeCount(table: string): number {
    return this.writes.get(table) ?? 0;
  }

  async send(command: Command): Promise<unknown> {
    const input = command.input as {
      TableName: string;
      Key?: Item;
      Item?: Item;
      ConditionExpression?: string;
      UpdateExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Item;
    };
    const table = this.tables.get(input.TableName);
    const name = command.constructor.name;
    if (name === 'CreateTableCommand') {
      if (table) throw serviceError('ResourceInUseException');
      this.tables.set(input.TableName, new Map());
      return {};
    }
    if (!table) throw serviceError('ResourceNotFoundException', `Table ${input.TableName} not found`);
    const key = input.Key?.leaseKey?.S ?? input.Item?.leaseKey?.S ?? '';
    switch (name) {
      case 'DescribeTableCommand':
        return { Table: { TableName: input.TableName, TableStatus: 'ACTIVE' } };
      case 'ScanCommand':
        this.countRead(input.TableName, table.size);
        return { Items: [...table.values()].map((item) => ({ ...item })) };
      case 'GetItemCommand': {
        const item = table.get(key);
        this.countRead(input.TableName, item ? 1 : 0);
        return { Item: item ? { ...item } : undefined };
      }
      case 'PutItemCommand':
        this.check(table.get(key), input);
        table.set(key, { ...input.Item! });
        this.countWrite(input.TableName);
        return {};
      case 'UpdateItemCommand': {
        const current = table.get(key);
        this.check(current, input);
        table.set(key, this.update({ ...(current ?? { leaseKey: { S: key } }) }, input));
        this.countWrite(input.TableName);
        return {};
      }
      case 'DeleteItemCommand':
        table.delete(key);
        this.countWrite(input.TableName);
        return {};
      default:
        throw serviceError('UnknownOperationException', name);
    }
  }

  private countRead(table: string, items: number): void {
    const now = this.readCount(table);
    this.reads.set(table, { requests: now.requests + 1, items: now.items + items });
  }

  private countWrite(table: string): void {
    this.writes.set(table, this.writeCount(table) + 1);
  }

  private check(
    item: Item | undefined,
    input: {
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Item;
    },
  ): void {
    if (!input.ConditionExpression) return;
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const holds = input.ConditionExpression.split(' AND ').every((term) => {
      const exists = /^attribute_(not_)?exists\((#\w+)\)$/.exec(term.trim());
      if (exists) return (item?.[names[exists[2]!]!] !== undefined) === !exists[1];
      const [left, right] = term.split('=').map((part) => part.trim());
      return JSON.stringify(item?.[names[left!]!]) === JSON.stringify(values[right!]);
    });
    if (!holds) throw serviceError('ConditionalCheckFailedException', 'The conditional request failed');
  }

  private update(
    item: Item,
    input: {
      UpdateExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Item;
    },
  ): Item {
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const clauses = (input.UpdateExpression ?? '').split(/\b(?=SET |REMOVE |ADD )/);
    for (const clause of clauses) {
      const [action, ...rest] = clause.trim().split(' ');
      const body = rest.join(' ');
      for (const part of body
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        if (action === 'SET') {
          const [name, value] = part.split('=').map((p) => p.trim());
          item[names[name!]!] = values[value!]!;
        } else if (action === 'REMOVE') {
          delete item[names[part]!];
        } else if (action === 'ADD') {
          const [name, value] = part.split(' ');
          const attribute = names[name!]!;
          item[attribute] = { N: String(Number(item[attribute]?.N ?? 0) + Number(values[value!]!.N)) };
        }
      }
    }
    return item;
  }
}
