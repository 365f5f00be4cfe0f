import {
  type AttributeValue,
  type DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type CommandWithMiddlewareStack, sendWithoutSdkRetries } from '@kinesis-ts/core';
import type { CoordinatorRowPlace } from './coordinator-layout.js';
import { LEASE_ATTRIBUTES } from './lease-serializer.js';

/**
 * Worker metrics rows in the KCL 3.x format: `lut` (last update, epoch seconds), `sts` (metric short
 * name → the last values, oldest first; -1 marks a failed reading), `opr` (metric short name → [max
 * utilization]). CPU is the metric `C`. In the lease table (the 3.5 single-table layout) a row is keyed
 * `leaseKey` = worker id and tagged `entityType = WORKER_METRIC_STATS`; in `<app>-WorkerMetricStats`
 * (3.0–3.4) it is keyed `wid` = worker id, untagged, as the Java 3.0–3.4 workers write it.
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

/** How the rows are keyed and whether they are tagged (the lease table's, by default). */
export type WorkerMetricsShape = Pick<CoordinatorRowPlace, 'keyAttribute' | 'tagged'>;

const LEASE_TABLE_SHAPE: WorkerMetricsShape = { keyAttribute: LEASE_ATTRIBUTES.leaseKey, tagged: true };

/** The `UpdateItem` parts writing a worker's row (unknown attributes survive). */
export function workerMetricsUpdate(
  row: WorkerMetricsRow,
  shape: WorkerMetricsShape = LEASE_TABLE_SHAPE,
): {
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
  const names: Record<string, string> = { '#lut': 'lut', '#sts': 'sts', '#opr': 'opr' };
  const values: Record<string, AttributeValue> = {
    ':lut': { N: String(Math.floor(row.lastUpdateMs / 1000)) },
    ':sts': { M: stats },
    ':opr': { M: range },
  };
  if (!shape.tagged) {
    return {
      UpdateExpression: 'SET #lut = :lut, #sts = :sts, #opr = :opr',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }
  return {
    UpdateExpression: 'SET #type = :type, #lut = :lut, #sts = :sts, #opr = :opr',
    ExpressionAttributeNames: { '#type': LEASE_ATTRIBUTES.entityType, ...names },
    ExpressionAttributeValues: { ':type': { S: WORKER_METRIC_STATS_ENTITY_TYPE }, ...values },
  };
}

/**
 * Reads a worker metrics row; `undefined` when the item is not one (in the lease table: not tagged
 * `WORKER_METRIC_STATS`; anywhere: no worker id or no `lut`).
 */
export function workerMetricsFromItem(
  item: Record<string, AttributeValue>,
  shape: WorkerMetricsShape = LEASE_TABLE_SHAPE,
): WorkerMetricsRow | undefined {
  if (shape.tagged && item[LEASE_ATTRIBUTES.entityType]?.S !== WORKER_METRIC_STATS_ENTITY_TYPE)
    return undefined;
  const workerId = item[shape.keyAttribute]?.S;
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

/** Worker metrics rows in their table (`place`: the lease table or `<app>-WorkerMetricStats`). */
export class WorkerMetricsTable implements WorkerMetricsStore {
  constructor(
    private readonly options: {
      readonly client: DynamoDBClient;
      readonly place: CoordinatorRowPlace;
      readonly requestTimeoutMs: number;
    },
  ) {}

  async writeWorkerMetrics(row: WorkerMetricsRow, signal?: AbortSignal): Promise<void> {
    await this.send(
      new UpdateItemCommand({
        TableName: this.options.place.tableName,
        Key: { [this.options.place.keyAttribute]: { S: row.workerId } },
        ...workerMetricsUpdate(row, this.options.place),
      }),
      signal,
    );
  }

  async listWorkerMetrics(signal?: AbortSignal): Promise<WorkerMetricsRow[]> {
    const rows: WorkerMetricsRow[] = [];
    const { place } = this.options;
    // In the lease table only the tagged rows; <app>-WorkerMetricStats holds nothing else.
    const filter = place.tagged
      ? {
          FilterExpression: '#type = :type',
          ExpressionAttributeNames: { '#type': LEASE_ATTRIBUTES.entityType },
          ExpressionAttributeValues: { ':type': { S: WORKER_METRIC_STATS_ENTITY_TYPE } },
        }
      : {};
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.send(
        new ScanCommand({ TableName: place.tableName, ExclusiveStartKey: startKey, ...filter }),
        signal,
      );
      for (const item of output.Items ?? []) {
        const row = workerMetricsFromItem(item, place);
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
