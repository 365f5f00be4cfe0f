import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type CommandWithMiddlewareStack, sendWithoutSdkRetries } from '@kinesis-ts/core';
import { LEASE_ATTRIBUTES } from './lease-serializer.js';

/**
 * Worker metrics rows in the KCL 3.x format, in the lease table (the 3.5 single-table layout):
 * `leaseKey` = worker id, `entityType = WORKER_METRIC_STATS`, `lut` (last update, epoch seconds), `sts`
 * (metric short name → the last values, oldest first; -1 marks a failed reading), `opr` (metric short
 * name → [max utilization]). CPU is the metric `C`.
 */
export const WORKER_METRIC_STATS_ENTITY_TYPE = 'WORKER_METRIC_STATS';
export const CPU_METRIC = 'C';

/** A worker metrics row as read or written. */
export interface WorkerMetricsRow {
  readonly workerId: string;
  /** Last update, in ms (stored in seconds). */
  readonly lastUpdateMs: number;
  /** Metric short name → values, oldest first. */
  readonly stats: Readonly<Record<string, readonly number[]>>;
  /** Metric short name → max utilization. */
  readonly operatingRange: Readonly<Record<string, number>>;
}

/** The `UpdateItem` parts writing a worker's row (unknown attributes survive). */
export function workerMetricsUpdate(row: WorkerMetricsRow): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, AttributeValue>;
} {
  const stats: Record<string, AttributeValue> = {};
  for (const [name, values] of Object.entries(row.stats)) {
    stats[name] = { L: values.map((v) => ({ N: String(v) })) };
  }
  const range: Record<string, AttributeValue> = {};
  for (const [name, max] of Object.entries(row.operatingRange)) range[name] = { L: [{ N: String(max) }] };
  return {
    UpdateExpression: 'SET #type = :type, #lut = :lut, #sts = :sts, #opr = :opr',
    ExpressionAttributeNames: {
      '#type': LEASE_ATTRIBUTES.entityType,
      '#lut': 'lut',
      '#sts': 'sts',
      '#opr': 'opr',
    },
    ExpressionAttributeValues: {
      ':type': { S: WORKER_METRIC_STATS_ENTITY_TYPE },
      ':lut': { N: String(Math.floor(row.lastUpdateMs / 1000)) },
      ':sts': { M: stats },
      ':opr': { M: range },
    },
  };
}

/** Reads a worker metrics row; `undefined` when the item is not one. */
export function workerMetricsFromItem(item: Record<string, AttributeValue>): WorkerMetricsRow | undefined {
  if (item[LEASE_ATTRIBUTES.entityType]?.S !== WORKER_METRIC_STATS_ENTITY_TYPE) return undefined;
  const workerId = item[LEASE_ATTRIBUTES.leaseKey]?.S ?? item.wid?.S;
  const lut = Number(item.lut?.N);
  if (!workerId || !Number.isFinite(lut)) return undefined;
  const stats: Record<string, number[]> = {};
  for (const [name, value] of Object.entries(item.sts?.M ?? {})) {
    stats[name] = (value.L ?? []).map((v) => Number(v.N)).filter((v) => Number.isFinite(v));
  }
  const operatingRange: Record<string, number> = {};
  for (const [name, value] of Object.entries(item.opr?.M ?? {})) {
    const max = Number(value.L?.[0]?.N);
    if (Number.isFinite(max)) operatingRange[name] = max;
  }
  return { workerId, lastUpdateMs: lut * 1000, stats, operatingRange };
}

/** What the assignment needs from the table (a fake implements it in tests). */
export interface WorkerMetricsStore {
  writeWorkerMetrics(row: WorkerMetricsRow, signal?: AbortSignal): Promise<void>;
  listWorkerMetrics(signal?: AbortSignal): Promise<WorkerMetricsRow[]>;
}

/** Worker metrics rows in the lease table. */
export class WorkerMetricsTable implements WorkerMetricsStore {
  constructor(
    private readonly options: {
      readonly client: DynamoDBClient;
      readonly tableName: string;
      readonly requestTimeoutMs: number;
    },
  ) {}

  async writeWorkerMetrics(row: WorkerMetricsRow, signal?: AbortSignal): Promise<void> {
    await this.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { [LEASE_ATTRIBUTES.leaseKey]: { S: row.workerId } },
        ...workerMetricsUpdate(row),
      }),
      signal,
    );
  }

  async listWorkerMetrics(signal?: AbortSignal): Promise<WorkerMetricsRow[]> {
    const rows: WorkerMetricsRow[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.send(
        new ScanCommand({
          TableName: this.options.tableName,
          ExclusiveStartKey: startKey,
          FilterExpression: '#type = :type',
          ExpressionAttributeNames: { '#type': LEASE_ATTRIBUTES.entityType },
          ExpressionAttributeValues: { ':type': { S: WORKER_METRIC_STATS_ENTITY_TYPE } },
        }),
        signal,
      );
      for (const item of output.Items ?? []) {
        const row = workerMetricsFromItem(item);
        if (row) rows.push(row);
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return rows;
  }

  private send<O>(command: CommandWithMiddlewareStack<O>, signal?: AbortSignal): Promise<O> {
    return sendWithoutSdkRetries(this.options.client, command, {
      timeoutMs: this.options.requestTimeoutMs,
      abortSignal: signal,
    });
  }
}
