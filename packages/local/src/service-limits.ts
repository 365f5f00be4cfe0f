import type { IncomingHttpHeaders } from 'node:http';
import type { PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { admitCall, callRateCapacity } from './call-rate-limits';
import { openShardRanges, recordHashKey, type ShardRange, shardForHashKey } from './hash-ranges';
import {
  jsonResponse,
  kinesisErrorResponse,
  LIMIT_MESSAGES,
  parseJsonObject,
  streamNameOf,
  type WireResponse,
} from './kinesis-wire';
import { admitRecords, recordBytes, type ShardWriteWindows, type WireRecord } from './put-records-admission';
import { type PutRecordsPlan, splicePutRecordsOutput } from './put-records-splice';
import { RateWindows } from './rate-window';
import { CALL_RATE_LIMITS, RESHARDING_OPERATIONS, SHARD_LIMITS } from './service-limit-table';

/** A Kinesis call as the front received it (body complete). */
export interface KinesisCall {
  readonly operation: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What the front does with a call. */
export type LimitDecision =
  /** Answer the client with `response`; the emulator never sees the call. */
  | { readonly kind: 'respond'; readonly response: WireResponse }
  /**
   * Send `body` to the emulator. With `onResponse`, the emulator's whole response goes through it
   * before the client gets it. With `subscription`, the response (an event stream) is ended
   * between two events `lifetimeMs` after it started, and `onExpired` is called.
   */
  | {
      readonly kind: 'forward';
      readonly body: Buffer;
      readonly onResponse?: (response: WireResponse) => WireResponse | Promise<WireResponse>;
      readonly subscription?: { readonly lifetimeMs: number; readonly onExpired: () => void };
      /** Rewrites each whole message of a streamed response (an event stream) before it is sent. */
      readonly rewriteEvent?: (message: Buffer) => Buffer;
    };

/** What the limits refused since the stack started. */
export interface ServiceLimitStats {
  /** Whether the stack enforces the service's limits (`enforceLimits`). */
  readonly enforced: boolean;
  /** PutRecords entries failed with `ProvisionedThroughputExceededException` (never written). */
  readonly refusedEntries: number;
  /** Whole calls refused, by operation (PutRecord, GetRecords, SubscribeToShard, the control plane). */
  readonly refusedCalls: Readonly<Record<string, number>>;
  /** Subscriptions the stack ended at the end of their lifetime (`limits.subscriptionLifetimeMs`). */
  readonly subscriptionsEnded: number;
}

/** How the limits reach the emulator for what they need to know (a stream's shards). */
export interface ServiceLimitsOptions {
  /** The account id in ARNs and error messages. */
  readonly accountId: string;
  /** How long a subscription delivers events, in milliseconds. */
  readonly subscriptionLifetimeMs: number;
  /**
   * Sends one Kinesis call to the emulator directly (not through the limits) and resolves with its
   * status and JSON body; `headers` are the client's, for the emulator's authentication check.
   */
  readonly callEmulator: (
    operation: string,
    request: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ) => Promise<{ status: number; body: Record<string, unknown> | undefined }>;
  /** The clock, in milliseconds (any monotonic origin). @defaultValue `performance.now` */
  readonly now?: () => number;
  /** Waits `ms` milliseconds. @defaultValue a `setTimeout` */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** How long a stream's hash ranges are trusted before they are read again, in milliseconds. */
const RANGES_TTL_MS = 1_000;
/** How long a shard iterator is remembered, in milliseconds (the service's iterators live 5 minutes). */
const ITERATOR_TTL_MS = 330_000;
/**
 * How long after the front ended a subscription the emulator may still hold it, in milliseconds: it
 * notices the closed connection when it next sends an event (once a second, later on a loaded
 * machine: 1.2 s was seen to be too short under a full test run) and, until then, answers a new
 * subscription of the consumer to the shard with ResourceInUseException, which the service does not
 * after a subscription's end. The front holds such a renewal back until then.
 */
const EMULATOR_RELEASE_MS = 3_000;
/** The data-plane operations with limits of their own. */
const DATA_PLANE = new Set(['PutRecords', 'PutRecord', 'GetRecords', 'SubscribeToShard']);

interface RangesEntry {
  ranges?: readonly ShardRange[];
  at: number;
  pending?: Promise<readonly ShardRange[] | undefined>;
}

const forward = (body: Buffer): LimitDecision => ({ kind: 'forward', body });
const respond = (response: WireResponse): LimitDecision => ({ kind: 'respond', response });

/**
 * The service's limits, applied by the Kinesis front to the calls it receives: per-shard write and
 * read rates, one SubscribeToShard per second per consumer and shard, subscriptions that end after
 * their lifetime, and the documented call rates of the control plane (see `service-limit-table`).
 * The decisions are made by the pure modules it holds together (`RateWindow`, `admitRecords`,
 * `admitCall`); this class keeps their state, the shard iterators it has seen, and each stream's
 * hash ranges (read from the emulator with ListShards, again after a reshard).
 */
export class ServiceLimits {
  private readonly now: () => number;
  private enforcing = false;
  private readonly writeRecords = new RateWindows(() => SHARD_LIMITS.writeRecordsPerSecond);
  private readonly writeBytes = new RateWindows(() => SHARD_LIMITS.writeBytesPerSecond);
  private readonly readCalls = new RateWindows(() => SHARD_LIMITS.readCallsPerSecond);
  private readonly readBytes = new RateWindows(() => SHARD_LIMITS.readBytesPerSecond);
  private readonly subscribes = new RateWindows(() => SHARD_LIMITS.subscribeCallsPerSecond);
  private readonly callRates = new RateWindows(callRateCapacity);
  private readonly iterators = new Map<string, { stream: string; shardId: string; at: number }>();
  private iteratorsSweptAt = 0;
  private readonly ranges = new Map<string, RangesEntry>();
  private refusedEntries = 0;
  private readonly refusedCalls: Record<string, number> = {};
  private subscriptionsEnded = 0;
  /** When the front last ended a subscription, by consumer and shard. */
  private readonly ended = new Map<string, number>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ServiceLimitsOptions) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Starts enforcing (the stack does once it has started: its own start-up calls are not counted). */
  enforce(): void {
    this.enforcing = true;
  }

  /** Whether calls of `operation` go through {@link decide} (their bodies are read first). */
  intercepts(operation: string | undefined): boolean {
    return (
      this.enforcing &&
      operation !== undefined &&
      (DATA_PLANE.has(operation) || Object.hasOwn(CALL_RATE_LIMITS, operation))
    );
  }

  stats(): ServiceLimitStats {
    return {
      enforced: this.enforcing,
      refusedEntries: this.refusedEntries,
      refusedCalls: { ...this.refusedCalls },
      subscriptionsEnded: this.subscriptionsEnded,
    };
  }

  /** Decides what happens to a call: refused with the service's error, forwarded, or forwarded in part. */
  async decide(call: KinesisCall): Promise<LimitDecision> {
    const request = parseJsonObject(call.body);
    if (!request) return forward(call.body);
    switch (call.operation) {
      case 'PutRecords':
        return this.putRecords(call, request);
      case 'PutRecord':
        return this.putRecord(call, request);
      case 'GetRecords':
        return this.getRecords(call, request);
      case 'SubscribeToShard':
        return this.subscribeToShard(call, request);
    }
    const refusal = admitCall(this.callRates, this.now(), call.operation, request, this.options.accountId);
    if (refusal) return this.refuseCall(call.operation, refusal);
    if (call.operation === 'GetShardIterator') {
      const stream = streamNameOf(request);
      const shardId = request.ShardId;
      if (stream === undefined || typeof shardId !== 'string') return forward(call.body);
      return {
        kind: 'forward',
        body: call.body,
        onResponse: (response) => {
          const iterator = parseJsonObject(response.body)?.ShardIterator;
          if (response.status === 200 && typeof iterator === 'string')
            this.remember(iterator, stream, shardId);
          return response;
        },
      };
    }
    if (RESHARDING_OPERATIONS.has(call.operation)) {
      const stream = streamNameOf(request);
      if (stream !== undefined) this.ranges.delete(stream);
    }
    return forward(call.body);
  }

  private refuseCall(operation: string, response: WireResponse): LimitDecision {
    this.refusedCalls[operation] = (this.refusedCalls[operation] ?? 0) + 1;
    return respond(response);
  }

  private writeWindows(stream: string, shardId: string, now: number): ShardWriteWindows {
    const key = `${stream}/${shardId}`;
    return { records: this.writeRecords.get(key, now), bytes: this.writeBytes.get(key, now) };
  }

  /** Admits the records of a write at once (after the stream's hash ranges are known). */
  private async admit(
    call: KinesisCall,
    request: Record<string, unknown>,
    records: readonly WireRecord[],
  ): Promise<{ stream: string; plan: PutRecordsPlan; predicted: (string | undefined)[] } | undefined> {
    const stream = streamNameOf(request);
    if (stream === undefined) return undefined;
    const ranges = await this.rangesOf(stream, request, call.headers);
    if (!ranges) return undefined;
    const now = this.now();
    const predicted: (string | undefined)[] = [];
    const plan = admitRecords(records, {
      now,
      shardOf: (record) => {
        const hashKey = recordHashKey(record);
        const shardId = hashKey === undefined ? undefined : shardForHashKey(ranges, hashKey);
        predicted.push(shardId);
        return shardId;
      },
      windowsOf: (shardId) => this.writeWindows(stream, shardId, now),
      failure: (shardId) => ({
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: LIMIT_MESSAGES.shardWrite(shardId, stream, this.options.accountId),
      }),
    });
    return { stream, plan, predicted };
  }

  /** Reads a stream's hash ranges again when a write landed on another shard than predicted. */
  private checkPrediction(stream: string, predicted: string | undefined, actual: unknown): void {
    if (predicted !== undefined && typeof actual === 'string' && actual !== predicted)
      this.ranges.delete(stream);
  }

  private async putRecords(call: KinesisCall, request: Record<string, unknown>): Promise<LimitDecision> {
    const records = request.Records;
    // Requests the service refuses whole (no entries, too many, an entry without data or key) go
    // to the emulator as they are, for its error.
    if (!Array.isArray(records) || records.length === 0 || records.length > 500) return forward(call.body);
    if (records.some((record) => !isWireRecord(record))) return forward(call.body);
    const admitted = await this.admit(call, request, records as WireRecord[]);
    if (!admitted) return forward(call.body);
    const { stream, plan, predicted } = admitted;
    this.refusedEntries += plan.failures.size;
    if (plan.sentIndexes.length === 0) {
      return respond(jsonResponse(200, splicePutRecordsOutput(plan, undefined)));
    }
    const body =
      plan.failures.size === 0
        ? call.body
        : Buffer.from(
            JSON.stringify({ ...request, Records: plan.sentIndexes.map((index) => records[index]) }),
          );
    return {
      kind: 'forward',
      body,
      onResponse: (response) => {
        if (response.status !== 200) return response;
        const output = parseJsonObject(response.body);
        const results = output?.Records;
        if (!output || !Array.isArray(results) || results.length !== plan.sentIndexes.length) return response;
        plan.sentIndexes.forEach((index, sent) => {
          this.checkPrediction(stream, predicted[index], (results[sent] as { ShardId?: unknown })?.ShardId);
        });
        if (plan.failures.size === 0) return response;
        const spliced = splicePutRecordsOutput(plan, output as unknown as PutRecordsOutput);
        return { ...response, body: Buffer.from(JSON.stringify(spliced)) };
      },
    };
  }

  private async putRecord(call: KinesisCall, request: Record<string, unknown>): Promise<LimitDecision> {
    if (!isWireRecord(request)) return forward(call.body);
    const admitted = await this.admit(call, request, [request]);
    if (!admitted) return forward(call.body);
    const { stream, plan, predicted } = admitted;
    const failure = plan.failures.get(0);
    if (failure)
      return this.refuseCall('PutRecord', kinesisErrorResponse(failure.ErrorCode, failure.ErrorMessage));
    return {
      kind: 'forward',
      body: call.body,
      onResponse: (response) => {
        if (response.status === 200) {
          this.checkPrediction(stream, predicted[0], parseJsonObject(response.body)?.ShardId);
        }
        return response;
      },
    };
  }

  private getRecords(call: KinesisCall, request: Record<string, unknown>): LimitDecision {
    const iterator = request.ShardIterator;
    const shard = typeof iterator === 'string' ? this.iterators.get(iterator) : undefined;
    // An iterator this front did not hand out: not counted (the emulator judges it).
    if (!shard) return forward(call.body);
    const now = this.now();
    const key = `${shard.stream}/${shard.shardId}`;
    const bytes = this.readBytes.get(key, now);
    if (bytes.available(now) <= 0 || !this.readCalls.get(key, now).tryTake(now, 1)) {
      return this.refuseCall(
        'GetRecords',
        kinesisErrorResponse(
          'ProvisionedThroughputExceededException',
          LIMIT_MESSAGES.shardRead(shard.shardId, shard.stream, this.options.accountId),
        ),
      );
    }
    return {
      kind: 'forward',
      body: call.body,
      onResponse: (response) => {
        const output = response.status === 200 ? parseJsonObject(response.body) : undefined;
        if (!output) return response;
        const returned = Array.isArray(output.Records)
          ? (output.Records as WireRecord[]).reduce((sum, record) => sum + recordBytes(record), 0)
          : 0;
        const later = this.now();
        this.readBytes.get(key, later).charge(later, returned);
        if (typeof output.NextShardIterator === 'string') {
          this.remember(output.NextShardIterator, shard.stream, shard.shardId);
        }
        return response;
      },
    };
  }

  private async subscribeToShard(
    call: KinesisCall,
    request: Record<string, unknown>,
  ): Promise<LimitDecision> {
    const { ConsumerARN: consumerArn, ShardId: shardId } = request;
    if (typeof consumerArn !== 'string' || typeof shardId !== 'string') return forward(call.body);
    const key = `${consumerArn}|${shardId}`;
    const now = this.now();
    if (!this.subscribes.get(key, now).tryTake(now, 1)) {
      return this.refuseCall(
        'SubscribeToShard',
        kinesisErrorResponse('LimitExceededException', LIMIT_MESSAGES.subscribe(consumerArn, shardId)),
      );
    }
    const endedAt = this.ended.get(key);
    if (endedAt !== undefined) {
      this.ended.delete(key);
      const wait = endedAt + EMULATOR_RELEASE_MS - now;
      if (wait > 0) await this.sleep(wait);
    }
    return {
      kind: 'forward',
      body: call.body,
      subscription: {
        lifetimeMs: this.options.subscriptionLifetimeMs,
        onExpired: () => {
          this.subscriptionsEnded += 1;
          const at = this.now();
          for (const [pair, when] of this.ended) if (at - when > EMULATOR_RELEASE_MS) this.ended.delete(pair);
          this.ended.set(key, at);
        },
      },
    };
  }

  private remember(iterator: string, stream: string, shardId: string): void {
    const now = this.now();
    this.iterators.set(iterator, { stream, shardId, at: now });
    if (now - this.iteratorsSweptAt < 10_000) return;
    this.iteratorsSweptAt = now;
    for (const [key, entry] of this.iterators)
      if (now - entry.at > ITERATOR_TTL_MS) this.iterators.delete(key);
  }

  /** A stream's open shards' hash ranges: cached for a second, read again after a reshard. */
  private rangesOf(
    stream: string,
    request: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ): Promise<readonly ShardRange[] | undefined> {
    const cached = this.ranges.get(stream);
    if (cached?.pending) return cached.pending;
    if (cached?.ranges && this.now() - cached.at < RANGES_TTL_MS) return Promise.resolve(cached.ranges);
    const pending = this.readRanges(request, headers).then(
      (ranges) => {
        if (this.ranges.get(stream)?.pending !== pending) return ranges;
        if (ranges) this.ranges.set(stream, { ranges, at: this.now() });
        else this.ranges.delete(stream);
        return ranges;
      },
      () => {
        if (this.ranges.get(stream)?.pending === pending) this.ranges.delete(stream);
        return undefined;
      },
    );
    this.ranges.set(stream, { at: 0, pending });
    return pending;
  }

  /** ListShards on the emulator, every page; `undefined` when it fails (no such stream). */
  private async readRanges(
    request: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ): Promise<readonly ShardRange[] | undefined> {
    const shards: unknown[] = [];
    let page: Record<string, unknown> =
      typeof request.StreamARN === 'string'
        ? { StreamARN: request.StreamARN }
        : { StreamName: request.StreamName };
    for (let pages = 0; pages < 1_000; pages++) {
      const { status, body } = await this.options.callEmulator('ListShards', page, headers);
      if (status !== 200 || !body || !Array.isArray(body.Shards)) return undefined;
      shards.push(...body.Shards);
      if (typeof body.NextToken !== 'string') break;
      page = { NextToken: body.NextToken };
    }
    return openShardRanges(shards);
  }
}

function isWireRecord(value: unknown): value is WireRecord {
  const record = value as WireRecord | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.Data === 'string' &&
    typeof record.PartitionKey === 'string'
  );
}
