import { encodeAggregatedRecord, KinesisTsError, type LambdaKinesisEventRecord } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { deadLetterTo } from '../processing/dead-letter.js';
import { ProcessingErrorCode } from '../processing/processing-errors.js';
import { WindowStateTooLargeError } from './window-errors.js';
import type { LambdaKinesisWindowEvent } from './window-event.js';
import { kinesisWindowHandler, type WindowEndContext } from './window-handler.js';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream';
const SHARD = 'shardId-000000000006';
const bytes = (value: string) => new TextEncoder().encode(value);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** A record shaped like the Lambda documentation's example (KinesisTimeWindowEvent). */
function docRecord(sequenceNumber: string, data: Uint8Array, partitionKey: string): LambdaKinesisEventRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: 1607497475.0,
    },
    eventID: `${SHARD}:${sequenceNumber}`,
    eventSourceARN: STREAM_ARN,
    awsRegion: 'us-east-1',
    ...({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-kinesis-role',
    } as object),
  };
}

type Counts = { readonly [partitionKey: string]: number };

function windowEvent(
  records: LambdaKinesisEventRecord[],
  state: Counts,
  flags: { final?: boolean; early?: boolean } = {},
): LambdaKinesisWindowEvent<Counts> {
  return {
    Records: records,
    window: { start: '2020-12-09T07:04:00Z', end: '2020-12-09T07:06:00Z' },
    state,
    shardId: SHARD,
    eventSourceARN: STREAM_ARN,
    isFinalInvokeForWindow: flags.final ?? false,
    isWindowTerminatedEarly: flags.early ?? false,
  };
}

/** Counts records per partition key; the amount is the record's data, as a number. */
function countingHandler(ended: { state: Counts; context: WindowEndContext<unknown> }[] = []) {
  return kinesisWindowHandler<Counts>({
    initialState: () => ({}),
    reduce: (state, record) => {
      const amount = Number(text(record.data));
      if (Number.isNaN(amount)) throw new SyntaxError(`not a number: ${text(record.data)}`);
      return { ...state, [record.partitionKey]: (state[record.partitionKey] ?? 0) + amount };
    },
    onWindowEnd: (state, context) => void ended.push({ state, context }),
  });
}

describe('kinesisWindowHandler', () => {
  it('starts a window from the initial state when Lambda sends an empty state, and returns the new state', async () => {
    const handler = countingHandler();
    const response = await handler(
      windowEvent([docRecord('100', bytes('282'), '1'), docRecord('200', bytes('715'), '2')], {}),
      {},
    );
    expect(response).toEqual({ state: { 1: 282, 2: 715 }, batchItemFailures: [] });
  });

  it('carries the state of the middle of a window into the next invocation, splitting KPL aggregates', async () => {
    const handler = countingHandler();
    const aggregate = encodeAggregatedRecord([
      { partitionKey: '1', data: bytes('8') },
      { partitionKey: '3', data: bytes('5') },
    ]);
    const response = await handler(
      windowEvent([docRecord('300', bytes('10'), '1'), docRecord('400', aggregate, 'a')], { 1: 282, 2: 715 }),
      {},
    );
    expect(response).toEqual({ state: { 1: 300, 2: 715, 3: 5 }, batchItemFailures: [] });
  });

  it('hands the final state to onWindowEnd on the final invocation, after reducing its records', async () => {
    const ended: { state: Counts; context: WindowEndContext<unknown> }[] = [];
    const handler = countingHandler(ended);
    expect(await handler(windowEvent([], { 1: 282, 2: 715 }, { final: true }), {})).toEqual({
      state: { 1: 282, 2: 715 },
      batchItemFailures: [],
    });
    await handler(windowEvent([docRecord('500', bytes('1'), '2')], { 1: 282, 2: 715 }, { final: true }), {});
    expect(ended.map((end) => end.state)).toEqual([
      { 1: 282, 2: 715 },
      { 1: 282, 2: 716 },
    ]);
    expect(ended[0]!.context).toMatchObject({
      window: { start: new Date('2020-12-09T07:04:00Z'), end: new Date('2020-12-09T07:06:00Z') },
      shardId: SHARD,
      eventSourceArn: STREAM_ARN,
      terminatedEarly: false,
    });
  });

  it('tells onWindowEnd when Lambda terminated the window early, and starts the rest of the window afresh', async () => {
    const ended: { state: Counts; context: WindowEndContext<unknown> }[] = [];
    const handler = countingHandler(ended);
    await handler(windowEvent([], { 1: 282 }, { final: true, early: true }), {});
    expect(ended).toHaveLength(1);
    expect(ended[0]!.context.terminatedEarly).toBe(true);
    // the window goes on with a fresh state
    expect(await handler(windowEvent([docRecord('600', bytes('4'), '1')], {}), {})).toEqual({
      state: { 1: 4 },
      batchItemFailures: [],
    });
  });

  it('returns the state before the failed Kinesis record with the failure, so an aggregate is not counted twice', async () => {
    const ended: unknown[] = [];
    const handler = countingHandler(ended as never);
    const aggregate = encodeAggregatedRecord([
      { partitionKey: '1', data: bytes('8') },
      { partitionKey: '3', data: bytes('oops') },
    ]);
    const response = await handler(
      windowEvent(
        [
          docRecord('300', bytes('10'), '1'),
          docRecord('400', aggregate, 'a'),
          docRecord('500', bytes('1'), '2'),
        ],
        { 1: 282, 2: 715 },
        { final: true },
      ),
      {},
    );
    // 10 is in, the aggregate's first user record (8) is not: Lambda redelivers from record 400
    expect(response).toEqual({ state: { 1: 292, 2: 715 }, batchItemFailures: [{ itemIdentifier: '400' }] });
    expect(ended).toEqual([]); // the window is not complete
  });

  it('dead-letters a record that keeps failing and leaves it out of the state', async () => {
    const letters: string[] = [];
    const handler = kinesisWindowHandler<Counts>({
      initialState: () => ({}),
      reduce: (state, record) => {
        if (text(record.data) === 'bad') throw new Error('bad record');
        return { ...state, n: (state.n ?? 0) + 1 };
      },
      onPoisonRecord: deadLetterTo((letter) => void letters.push(letter.sequenceNumber)),
    });
    const response = await handler(
      windowEvent(
        [docRecord('1', bytes('a'), 'k'), docRecord('2', bytes('bad'), 'k'), docRecord('3', bytes('b'), 'k')],
        {},
      ),
      {},
    );
    expect(response).toEqual({ state: { n: 2 }, batchItemFailures: [] });
    expect(letters).toEqual(['2']);
  });

  it('fails the invocation with a typed error naming the size when the state passes maxStateBytes', async () => {
    const handler = kinesisWindowHandler<{ readonly ids: readonly string[] }>({
      initialState: () => ({ ids: [] }),
      reduce: (state, record) => ({ ids: [...state.ids, text(record.data)] }),
      maxStateBytes: 40,
    });
    const ok = await handler(windowEvent([docRecord('1', bytes('abc'), 'k')], {}) as never, {});
    expect(ok.state).toEqual({ ids: ['abc'] });
    const error = await handler(
      windowEvent(
        [docRecord('1', bytes('a'.repeat(20)), 'k'), docRecord('2', bytes('b'.repeat(20)), 'k')],
        {},
      ) as never,
      {},
    ).catch((e: unknown) => e);
    expect(KinesisTsError.hasCode(error, ProcessingErrorCode.WINDOW_STATE_TOO_LARGE)).toBe(true);
    expect(error).toBeInstanceOf(WindowStateTooLargeError);
    // {"ids":["a…","b…"]}: 8 + 22 + 1 + 22 + 2 bytes
    expect(error).toMatchObject({ stateBytes: 55, maxStateBytes: 40, shardId: SHARD, retryable: false });
    expect((error as Error).message).toContain('55 bytes');
  });

  it('rethrows a failure of onWindowEnd, so that Lambda retries the final invocation', async () => {
    const handler = kinesisWindowHandler<Counts>({
      initialState: () => ({}),
      reduce: (state) => state,
      onWindowEnd: () => {
        throw new Error('warehouse down');
      },
    });
    await expect(handler(windowEvent([], { 1: 1 }, { final: true }), {})).rejects.toThrow('warehouse down');
  });

  it('refuses an event without a window and options without reduce, naming the field', async () => {
    const handler = countingHandler();
    const { window: _, ...noWindow } = windowEvent([], {});
    await expect(handler(noWindow as never, {})).rejects.toMatchObject({
      field: 'window',
      code: 'INVALID_RECORD',
    });
    expect(() => kinesisWindowHandler({ initialState: () => ({}) } as never)).toThrow(
      expect.objectContaining({ field: 'reduce', code: 'INVALID_OPTION' }),
    );
    expect(() =>
      kinesisWindowHandler({ initialState: () => ({}), reduce: (s) => s, maxStateBytes: 2_000_000 }),
    ).toThrow(expect.objectContaining({ field: 'maxStateBytes' }));
  });
});
