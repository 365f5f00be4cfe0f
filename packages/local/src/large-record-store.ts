import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { rewriteEventPayload } from './event-stream-messages';
import { jsonResponse, parseJsonObject, streamNameOf, type WireResponse } from './kinesis-wire';
import {
  dataBytes,
  isWireRecord,
  MIN_MAX_RECORD_BYTES,
  oversizeFailure,
  oversizeRecordResponse,
  placeholderData,
  recordsWithinReadLimit,
  requestSizeRefusal,
  restoreLargeData,
  type SwappedRecord,
  swapLargeData,
} from './large-records';
import { type PutRecordsPlan, planPutRecords, splicePutRecordsOutput } from './put-records-splice';
import type { KinesisCall, LimitDecision } from './service-limits';

/** What the large-record store has done since the front started. */
export interface LargeRecordStats {
  /** Records whose data the front holds now (written, stream not deleted). */
  readonly records: number;
  /** The data the front holds now, in bytes. */
  readonly bytes: number;
  /** Records whose data was put back into a GetRecords response or a SubscribeToShard event. */
  readonly restored: number;
  /** Records (PutRecord calls, PutRecords entries) refused for exceeding the stream's `MaxRecordSizeInKiB`. */
  readonly refusedRecords: number;
  /** PutRecords requests refused for exceeding 10 MiB. */
  readonly refusedRequests: number;
}

/** How the store asks the emulator for a stream's `MaxRecordSizeInKiB`. */
export type EmulatorCall = (
  operation: string,
  request: Record<string, unknown>,
  headers: IncomingHttpHeaders,
) => Promise<{ status: number; body: Record<string, unknown> | undefined }>;

/** What decides a call after the store (the service limits, or a plain forward). */
export type InnerDecision = (call: KinesisCall) => Promise<LimitDecision>;

interface Held {
  readonly stream: string;
  readonly shardId: string | undefined;
  readonly sequenceNumber: string;
  readonly data: string;
  readonly bytes: number;
}

/** The operations the store has a hand in. */
const OPERATIONS = new Set(['PutRecord', 'PutRecords', 'GetRecords', 'SubscribeToShard', 'DeleteStream']);

const respond = (response: WireResponse): LimitDecision => ({ kind: 'respond', response });

/**
 * The front's large-record store. kinesis-local takes time that grows steeply with a record's size
 * (a 9.5 MiB record takes over a minute to store), so the front keeps the data of records above
 * `thresholdBytes` itself and writes a placeholder of a few dozen bytes in its place; the records
 * keep their partition key, hash key, shard and sequence number. Reads (GetRecords) get the data
 * back before the response leaves the front (cut to the 10 MiB one call returns, with an iterator
 * after the last record kept): a record is restored only if it is a placeholder this
 * front issued and sits at the sequence number the write returned for it, so a record that happens
 * to look like a placeholder keeps its own bytes.
 *
 * As the emulator only sees placeholders, the front checks what it would have checked: each
 * record's data against the stream's `MaxRecordSizeInKiB` (read from the emulator when a record is
 * above 1 MiB), with the emulator's own errors; and it refuses a PutRecords request above 10 MiB
 * as the service does. The service limits (when enforced) decide on the real records, so they
 * count the real sizes. Held data is freed when its stream is deleted through the front (not when
 * the retention period passes: trimming is not modelled). SubscribeToShard events get the data
 * back too (each event-stream message is rewritten whole, its checksums computed again).
 */
export class LargeRecordStore {
  private readonly nonce = randomBytes(8).toString('hex');
  private nextId = 0;
  private readonly held = new Map<string, Held>();
  private readonly byStream = new Map<string, Set<string>>();
  private heldBytes = 0;
  private restored = 0;
  private refusedRecords = 0;
  private refusedRequests = 0;

  constructor(
    private readonly options: {
      /** Records whose data is above this many bytes are held by the front. */
      readonly thresholdBytes: number;
      /** Reaches the emulator for a stream's `MaxRecordSizeInKiB`. */
      readonly callEmulator: EmulatorCall;
    },
  ) {}

  /** Whether calls of `operation` go through {@link decide}. */
  intercepts(operation: string | undefined): boolean {
    return operation !== undefined && OPERATIONS.has(operation);
  }

  stats(): LargeRecordStats {
    return {
      records: this.held.size,
      bytes: this.heldBytes,
      restored: this.restored,
      refusedRecords: this.refusedRecords,
      refusedRequests: this.refusedRequests,
    };
  }

  /** Decides a call: the store's own checks and swaps around what `inner` decides. */
  async decide(call: KinesisCall, inner: InnerDecision): Promise<LimitDecision> {
    const request = parseJsonObject(call.body);
    if (!request) return inner(call);
    switch (call.operation) {
      case 'PutRecords':
        return this.putRecords(call, request, inner);
      case 'PutRecord':
        return this.putRecord(call, request, inner);
      case 'GetRecords':
        return this.getRecords(call, inner);
      case 'SubscribeToShard':
        return this.subscribeToShard(call, inner);
      case 'DeleteStream':
        return this.deleteStream(call, request, inner);
    }
    return inner(call);
  }

  private placeholder = (): string => {
    this.nextId += 1;
    return placeholderData(this.nonce, this.nextId);
  };

  private async putRecords(
    call: KinesisCall,
    request: Record<string, unknown>,
    inner: InnerDecision,
  ): Promise<LimitDecision> {
    const records = request.Records;
    // What the service refuses whole for its shape goes to the emulator (and the limits) as it is.
    if (!Array.isArray(records) || records.length === 0 || records.length > 500) return inner(call);
    if (!records.every(isWireRecord)) return inner(call);
    const stream = streamNameOf(request);
    const tooLarge = requestSizeRefusal(records);
    if (tooLarge) {
      this.refusedRequests += 1;
      return respond(tooLarge);
    }
    if (stream === undefined || !records.some((record) => dataBytes(record) > this.options.thresholdBytes))
      return inner(call);
    const limit = records.some((record) => dataBytes(record) > MIN_MAX_RECORD_BYTES)
      ? await this.maxRecordBytes(request, call.headers)
      : undefined;
    const plan = planPutRecords(records, (record) => {
      const bytes = dataBytes(record);
      return limit !== undefined && bytes > limit ? oversizeFailure(bytes, limit) : undefined;
    });
    this.refusedRecords += plan.failures.size;
    if (plan.sentIndexes.length === 0)
      return respond(jsonResponse(200, splicePutRecordsOutput(plan, undefined)));
    const innerCall =
      plan.failures.size === 0
        ? call
        : {
            ...call,
            body: Buffer.from(
              JSON.stringify({ ...request, Records: plan.sentIndexes.map((index) => records[index]) }),
            ),
          };
    const decision = await inner(innerCall);
    if (decision.kind === 'respond') {
      return plan.failures.size === 0 ? decision : respond(spliceFailures(plan, decision.response));
    }
    const forwarded = parseJsonObject(decision.body);
    const sent = forwarded?.Records;
    if (!forwarded || !Array.isArray(sent) || !sent.every(isWireRecord)) return decision;
    const swap = swapLargeData(sent, this.options.thresholdBytes, this.placeholder);
    return {
      ...decision,
      body: Buffer.from(JSON.stringify({ ...forwarded, Records: swap.records })),
      onResponse: async (response) => {
        this.keep(stream, swap.swapped, response);
        const decided = decision.onResponse ? await decision.onResponse(response) : response;
        return plan.failures.size === 0 ? decided : spliceFailures(plan, decided);
      },
    };
  }

  private async putRecord(
    call: KinesisCall,
    request: Record<string, unknown>,
    inner: InnerDecision,
  ): Promise<LimitDecision> {
    const stream = streamNameOf(request);
    if (!isWireRecord(request) || stream === undefined) return inner(call);
    const bytes = dataBytes(request);
    if (bytes <= this.options.thresholdBytes) return inner(call);
    const limit = bytes > MIN_MAX_RECORD_BYTES ? await this.maxRecordBytes(request, call.headers) : undefined;
    if (limit !== undefined && bytes > limit) {
      this.refusedRecords += 1;
      return respond(oversizeRecordResponse(bytes, limit));
    }
    const decision = await inner(call);
    if (decision.kind === 'respond') return decision;
    const forwarded = parseJsonObject(decision.body);
    if (!forwarded || !isWireRecord(forwarded)) return decision;
    const swap = swapLargeData([forwarded], this.options.thresholdBytes, this.placeholder);
    return {
      ...decision,
      body: Buffer.from(JSON.stringify(swap.records[0])),
      onResponse: async (response) => {
        this.keep(stream, swap.swapped, response);
        return decision.onResponse ? decision.onResponse(response) : response;
      },
    };
  }

  private async getRecords(call: KinesisCall, inner: InnerDecision): Promise<LimitDecision> {
    const decision = await inner(call);
    if (decision.kind === 'respond' || this.held.size === 0) return decision;
    return {
      ...decision,
      onResponse: async (response) => {
        const restored = await this.restoreRead(response, call.headers);
        return decision.onResponse ? decision.onResponse(restored) : restored;
      },
    };
  }

  private async subscribeToShard(call: KinesisCall, inner: InnerDecision): Promise<LimitDecision> {
    const decision = await inner(call);
    if (decision.kind === 'respond') return decision;
    return {
      ...decision,
      rewriteEvent: (message) =>
        this.held.size === 0
          ? message
          : rewriteEventPayload(message, (payload) => this.restorePayload(payload)),
    };
  }

  private async deleteStream(
    call: KinesisCall,
    request: Record<string, unknown>,
    inner: InnerDecision,
  ): Promise<LimitDecision> {
    const decision = await inner(call);
    const stream = streamNameOf(request);
    if (decision.kind === 'respond' || stream === undefined || !this.byStream.has(stream)) return decision;
    return {
      ...decision,
      onResponse: async (response) => {
        if (response.status === 200) this.free(stream);
        return decision.onResponse ? decision.onResponse(response) : response;
      },
    };
  }

  /** Keeps the data of the swapped records the emulator wrote (those with a sequence number). */
  private keep(stream: string, swapped: readonly SwappedRecord[], response: WireResponse): void {
    if (response.status !== 200 || swapped.length === 0) return;
    const output = parseJsonObject(response.body);
    if (!output) return;
    const results = Array.isArray(output.Records) ? (output.Records as unknown[]) : [output];
    let placeholders = this.byStream.get(stream);
    for (const record of swapped) {
      const result = results[record.index] as { SequenceNumber?: unknown; ShardId?: unknown } | undefined;
      const sequenceNumber = result?.SequenceNumber;
      if (typeof sequenceNumber !== 'string') continue;
      const shardId = typeof result?.ShardId === 'string' ? result.ShardId : undefined;
      this.held.set(record.placeholder, {
        stream,
        shardId,
        sequenceNumber,
        data: record.data,
        bytes: record.bytes,
      });
      this.heldBytes += record.bytes;
      if (!placeholders) {
        placeholders = new Set();
        this.byStream.set(stream, placeholders);
      }
      placeholders.add(record.placeholder);
    }
  }

  /**
   * A GetRecords response with the held data put back, cut to what one call returns (10 MiB: the
   * emulator cut it by the placeholders' sizes) with a `NextShardIterator` after the last record
   * kept, from the emulator.
   */
  private async restoreRead(response: WireResponse, headers: IncomingHttpHeaders): Promise<WireResponse> {
    if (response.status !== 200) return response;
    const output = parseJsonObject(response.body);
    const back = output && this.restoreOutput(output);
    if (!output || !back) return response;
    const records = back.records;
    const keep = recordsWithinReadLimit(records);
    const last = records[keep - 1] as { SequenceNumber?: unknown; ApproximateArrivalTimestamp?: unknown };
    const next =
      keep < records.length && back.shard?.shardId !== undefined && typeof last.SequenceNumber === 'string'
        ? await this.iteratorAfter(back.shard.stream, back.shard.shardId, last.SequenceNumber, headers)
        : undefined;
    const cut: Record<string, unknown> =
      next === undefined
        ? { ...output, Records: records }
        : {
            ...output,
            Records: records.slice(0, keep),
            NextShardIterator: next,
            MillisBehindLatest: millisBehind(last.ApproximateArrivalTimestamp),
          };
    // Not at the end of a closed shard any more: its children come with the last records.
    if (next !== undefined) delete cut.ChildShards;
    return { ...response, body: Buffer.from(JSON.stringify(cut)) };
  }

  /**
   * A SubscribeToShard event (JSON with `Records`) with the held data put back; `undefined` when
   * it has none of it (or is not such JSON).
   */
  private restorePayload(payload: Buffer): Buffer | undefined {
    if (this.held.size === 0) return undefined;
    const output = parseJsonObject(payload);
    const back = output && this.restoreOutput(output);
    return back && Buffer.from(JSON.stringify({ ...output, Records: back.records }));
  }

  /** The records of a read with the held data put back, and the stream and shard of one of them. */
  private restoreOutput(
    output: Record<string, unknown>,
  ): { records: unknown[]; shard: Held | undefined } | undefined {
    if (!Array.isArray(output.Records)) return undefined;
    let shard: Held | undefined;
    const back = restoreLargeData(output.Records, (data, sequenceNumber) => {
      const held = this.held.get(data);
      if (held?.sequenceNumber !== sequenceNumber) return undefined;
      shard ??= held;
      return held.data;
    });
    if (!back) return undefined;
    this.restored += back.restored;
    return { records: back.records, shard };
  }

  /** An iterator of the emulator's just after `sequenceNumber`; `undefined` when it gives none. */
  private async iteratorAfter(
    stream: string,
    shardId: string,
    sequenceNumber: string,
    headers: IncomingHttpHeaders,
  ): Promise<string | undefined> {
    try {
      const { status, body } = await this.options.callEmulator(
        'GetShardIterator',
        {
          StreamName: stream,
          ShardId: shardId,
          ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
          StartingSequenceNumber: sequenceNumber,
        },
        headers,
      );
      return status === 200 && typeof body?.ShardIterator === 'string' ? body.ShardIterator : undefined;
    } catch {
      return undefined;
    }
  }

  /** Frees the data of a deleted stream's records. */
  private free(stream: string): void {
    const placeholders = this.byStream.get(stream);
    if (!placeholders) return;
    for (const placeholder of placeholders) {
      this.heldBytes -= this.held.get(placeholder)?.bytes ?? 0;
      this.held.delete(placeholder);
    }
    this.byStream.delete(stream);
  }

  /**
   * The stream's `MaxRecordSizeInKiB` in bytes (1 MiB when the emulator does not say), read from
   * the emulator with the client's own authentication; `undefined` when it cannot tell (no such
   * stream: the emulator then answers the write with its own error).
   */
  private async maxRecordBytes(
    request: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ): Promise<number | undefined> {
    const target =
      typeof request.StreamARN === 'string'
        ? { StreamARN: request.StreamARN }
        : { StreamName: request.StreamName };
    try {
      const { status, body } = await this.options.callEmulator('DescribeStreamSummary', target, headers);
      if (status !== 200) return undefined;
      const summary = body?.StreamDescriptionSummary as { MaxRecordSizeInKiB?: unknown } | undefined;
      const kib = summary?.MaxRecordSizeInKiB;
      return (typeof kib === 'number' ? kib : 1024) * 1024;
    } catch {
      return undefined;
    }
  }
}

/** Puts the store's own entry failures into a PutRecords response to the entries it sent. */
function spliceFailures(plan: PutRecordsPlan, response: WireResponse): WireResponse {
  if (response.status !== 200) return response;
  const output = parseJsonObject(response.body);
  if (!output || !Array.isArray(output.Records) || output.Records.length !== plan.sentIndexes.length)
    return response;
  return {
    ...response,
    body: Buffer.from(JSON.stringify(splicePutRecordsOutput(plan, output as unknown as PutRecordsOutput))),
  };
}

/** How far behind the tip a record that arrived at `arrival` (epoch seconds) is, in milliseconds. */
function millisBehind(arrival: unknown): number {
  return typeof arrival === 'number' ? Math.max(0, Math.round(Date.now() - arrival * 1000)) : 0;
}
