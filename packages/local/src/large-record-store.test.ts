import { describe, expect, it } from 'vitest';
import type { WireResponse } from './kinesis-wire';
import { type EmulatorCall, type InnerDecision, LargeRecordStore } from './large-record-store';
import { PLACEHOLDER_MARKER } from './large-records';
import type { KinesisCall, LimitDecision } from './service-limits';

const KIB = 1024;
const MIB = 1024 * KIB;
const THRESHOLD = 64 * KIB;
const base64 = (size: number, fill = 7) => Buffer.alloc(size, fill).toString('base64');
const call = (operation: string, request: unknown): KinesisCall => ({
  operation,
  headers: {},
  body: Buffer.from(JSON.stringify(request)),
});
const ok = (value: unknown): WireResponse => ({
  status: 200,
  headers: { 'content-type': 'application/x-amz-json-1.1' },
  body: Buffer.from(JSON.stringify(value)),
});
const json = (buffer: Buffer) => JSON.parse(buffer.toString('utf8'));
const forward: InnerDecision = async (c) => ({ kind: 'forward', body: c.body });
const isPlaceholder = (data: string) => Buffer.from(data, 'base64').toString().startsWith(PLACEHOLDER_MARKER);

/** A store whose emulator reports `maxRecordSizeInKiB` for every stream; counts the calls. */
function storeWith(maxRecordSizeInKiB = 1_024) {
  const described: unknown[] = [];
  const callEmulator: EmulatorCall = async (operation, request) => {
    described.push({ operation, request });
    if (operation === 'GetShardIterator') {
      return { status: 200, body: { ShardIterator: `after-${String(request.StartingSequenceNumber)}` } };
    }
    return { status: 200, body: { StreamDescriptionSummary: { MaxRecordSizeInKiB: maxRecordSizeInKiB } } };
  };
  return { store: new LargeRecordStore({ thresholdBytes: THRESHOLD, callEmulator }), described };
}

function forwarded(decision: LimitDecision) {
  if (decision.kind !== 'forward') throw new Error(`expected a forward, got ${decision.kind}`);
  return decision;
}

describe('LargeRecordStore', () => {
  it('sends placeholders for data above the threshold, and puts the data back in GetRecords at the sequence numbers written', async () => {
    const { store } = storeWith(10_240);
    const big = base64(3 * MIB, 1);
    const small = base64(100, 2);
    const decision = forwarded(
      await store.decide(
        call('PutRecords', {
          StreamName: 's',
          Records: [
            { PartitionKey: 'a', Data: big },
            { PartitionKey: 'b', Data: small },
          ],
        }),
        forward,
      ),
    );
    const sent = json(decision.body).Records;
    expect(isPlaceholder(sent[0].Data)).toBe(true);
    expect(sent[0].PartitionKey).toBe('a');
    expect(sent[1]).toEqual({ PartitionKey: 'b', Data: small });
    expect(decision.body.length).toBeLessThan(1_000);
    const written = {
      FailedRecordCount: 0,
      Records: [
        { SequenceNumber: '1', ShardId: 'shardId-000000000000' },
        { SequenceNumber: '2', ShardId: 'shardId-000000000000' },
      ],
    };
    expect(json((await decision.onResponse!(ok(written))).body)).toEqual(written);
    expect(store.stats()).toMatchObject({ records: 1, bytes: 3 * MIB });

    const read = forwarded(await store.decide(call('GetRecords', { ShardIterator: 'it' }), forward));
    const fromEmulator = {
      NextShardIterator: 'next',
      MillisBehindLatest: 0,
      Records: [
        { SequenceNumber: '1', PartitionKey: 'a', Data: sent[0].Data },
        { SequenceNumber: '2', PartitionKey: 'b', Data: small },
        // The placeholder's bytes written again by a client: not the record the store holds.
        { SequenceNumber: '3', PartitionKey: 'c', Data: sent[0].Data },
      ],
    };
    expect(json((await read.onResponse!(ok(fromEmulator))).body)).toEqual({
      ...fromEmulator,
      Records: [
        { SequenceNumber: '1', PartitionKey: 'a', Data: big },
        { SequenceNumber: '2', PartitionKey: 'b', Data: small },
        { SequenceNumber: '3', PartitionKey: 'c', Data: sent[0].Data },
      ],
    });
    expect(store.stats().restored).toBe(1);
  });

  it('holds nothing for an entry the emulator did not write', async () => {
    const { store } = storeWith();
    const decision = forwarded(
      await store.decide(
        call('PutRecords', { StreamName: 's', Records: [{ PartitionKey: 'a', Data: base64(MIB) }] }),
        forward,
      ),
    );
    await decision.onResponse!(
      ok({ FailedRecordCount: 1, Records: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] }),
    );
    await decision.onResponse!({ status: 400, headers: {}, body: Buffer.from('{}') });
    expect(store.stats()).toMatchObject({ records: 0, bytes: 0 });
  });

  it("refuses entries above the stream's MaxRecordSizeInKiB itself and splices the emulator's error in at their index", async () => {
    const { store, described } = storeWith(2_048);
    const fits = base64(2 * MIB, 1);
    const decision = forwarded(
      await store.decide(
        call('PutRecords', {
          StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
          Records: [
            { PartitionKey: 'over', Data: base64(2 * MIB + 1, 2) },
            { PartitionKey: 'fits', Data: fits },
          ],
        }),
        forward,
      ),
    );
    expect(described).toEqual([
      {
        operation: 'DescribeStreamSummary',
        request: { StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' },
      },
    ]);
    const sent = json(decision.body).Records;
    expect(sent).toHaveLength(1);
    expect(sent[0].PartitionKey).toBe('fits');
    const response = json(
      (
        await decision.onResponse!(
          ok({ FailedRecordCount: 0, Records: [{ SequenceNumber: '9', ShardId: 'shardId-0' }] }),
        )
      ).body,
    );
    expect(response.FailedRecordCount).toBe(1);
    expect(response.Records).toEqual([
      {
        ErrorCode: 'InvalidArgumentException',
        ErrorMessage: `Record data size ${2 * MIB + 1} exceeds the stream's max record size of ${2 * MIB} bytes`,
      },
      { SequenceNumber: '9', ShardId: 'shardId-0' },
    ]);
    expect(store.stats()).toMatchObject({ records: 1, refusedRecords: 1 });
  });

  it('answers a PutRecords whose every entry is too large without the emulator', async () => {
    const { store } = storeWith(1_024);
    const decision = await store.decide(
      call('PutRecords', { StreamName: 's', Records: [{ PartitionKey: 'a', Data: base64(MIB + 1) }] }),
      async () => {
        throw new Error('the emulator must not be asked');
      },
    );
    expect(decision.kind).toBe('respond');
    const body = json((decision as { response: WireResponse }).response.body);
    expect(body.FailedRecordCount).toBe(1);
    expect(body.Records[0].ErrorCode).toBe('InvalidArgumentException');
  });

  it("refuses a PutRecord above the stream's limit with a 400 InvalidArgumentException, and asks no limit for data up to 1 MiB", async () => {
    const { store, described } = storeWith(1_024);
    const refused = await store.decide(
      call('PutRecord', { StreamName: 's', PartitionKey: 'p', Data: base64(MIB + 1) }),
      forward,
    );
    expect(refused.kind).toBe('respond');
    const response = (refused as { response: WireResponse }).response;
    expect(response.status).toBe(400);
    expect(json(response.body)).toEqual({
      __type: 'InvalidArgumentException',
      message: `Record data size ${MIB + 1} exceeds the stream's max record size of ${MIB} bytes`,
    });
    expect(described).toHaveLength(1);
    const decision = forwarded(
      await store.decide(
        call('PutRecord', { StreamName: 's', PartitionKey: 'p', Data: base64(MIB) }),
        forward,
      ),
    );
    expect(described).toHaveLength(1);
    expect(isPlaceholder(json(decision.body).Data)).toBe(true);
    await decision.onResponse!(ok({ SequenceNumber: '5', ShardId: 'shardId-0' }));
    expect(store.stats()).toMatchObject({ records: 1, bytes: MIB });
  });

  it('refuses a PutRecords request above 10 MiB whole, before the limits or the emulator see it', async () => {
    const { store } = storeWith(10_240);
    const decision = await store.decide(
      call('PutRecords', {
        StreamName: 's',
        Records: [0, 1, 2, 3].map((i) => ({ PartitionKey: `k${i}`, Data: base64(2.6 * MIB) })),
      }),
      async () => {
        throw new Error('not to be decided further');
      },
    );
    expect(decision.kind).toBe('respond');
    expect(store.stats().refusedRequests).toBe(1);
  });

  it('lets the limits decide on the real records, and swaps in what they forward', async () => {
    const { store } = storeWith(10_240);
    const big = base64(2 * MIB, 1);
    let seenByLimits: unknown;
    const limits: InnerDecision = async (c) => {
      seenByLimits = json(c.body);
      // The limits refuse the second entry (its shard's rate) and forward the first.
      const request = json(c.body);
      return {
        kind: 'forward',
        body: Buffer.from(JSON.stringify({ ...request, Records: [request.Records[0]] })),
        onResponse: (response) => {
          const output = json(response.body);
          return ok({
            FailedRecordCount: 1,
            Records: [
              output.Records[0],
              { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'rate' },
            ],
          });
        },
      };
    };
    const decision = forwarded(
      await store.decide(
        call('PutRecords', {
          StreamName: 's',
          Records: [
            { PartitionKey: 'a', Data: big },
            { PartitionKey: 'b', Data: base64(10) },
          ],
        }),
        limits,
      ),
    );
    expect((seenByLimits as { Records: { Data: string }[] }).Records[0]!.Data).toBe(big);
    expect(json(decision.body).Records).toHaveLength(1);
    const out = json(
      (
        await decision.onResponse!(
          ok({ FailedRecordCount: 0, Records: [{ SequenceNumber: '7', ShardId: 'x' }] }),
        )
      ).body,
    );
    expect(out.Records[1].ErrorCode).toBe('ProvisionedThroughputExceededException');
    expect(store.stats().records).toBe(1);
  });

  it('gives the limits the restored GetRecords response, so that they count the real bytes read', async () => {
    const { store } = storeWith(10_240);
    const big = base64(MIB);
    const put = forwarded(
      await store.decide(call('PutRecord', { StreamName: 's', PartitionKey: 'p', Data: big }), forward),
    );
    const placeholder = json(put.body).Data;
    await put.onResponse!(ok({ SequenceNumber: '1', ShardId: 'x' }));
    let countedBytes = 0;
    const limits: InnerDecision = async (c) => ({
      kind: 'forward',
      body: c.body,
      onResponse: (response) => {
        countedBytes = json(response.body).Records[0].Data.length;
        return response;
      },
    });
    const read = forwarded(await store.decide(call('GetRecords', { ShardIterator: 'i' }), limits));
    await read.onResponse!(ok({ Records: [{ SequenceNumber: '1', PartitionKey: 'p', Data: placeholder }] }));
    expect(countedBytes).toBe(big.length);
  });

  it('cuts a GetRecords whose restored records exceed 10 MiB after the last that fits, with an iterator after it from the emulator', async () => {
    const { store, described } = storeWith(10_240);
    const placeholders: string[] = [];
    for (const seq of ['1', '2']) {
      const put = forwarded(
        await store.decide(
          call('PutRecord', { StreamName: 's', PartitionKey: 'p', Data: base64(9.5 * MIB, Number(seq)) }),
          forward,
        ),
      );
      placeholders.push(json(put.body).Data);
      await put.onResponse!(ok({ SequenceNumber: seq, ShardId: 'shardId-000000000001' }));
    }
    described.length = 0;
    const arrival = Date.now() / 1000 - 5;
    const read = forwarded(await store.decide(call('GetRecords', { ShardIterator: 'it' }), forward));
    const out = json(
      (
        await read.onResponse!(
          ok({
            NextShardIterator: null,
            MillisBehindLatest: 0,
            ChildShards: [{ ShardId: 'shardId-000000000002' }],
            Records: placeholders.map((data, i) => ({
              SequenceNumber: String(i + 1),
              PartitionKey: 'p',
              Data: data,
              ApproximateArrivalTimestamp: arrival,
            })),
          }),
        )
      ).body,
    );
    expect(out.Records.map((record: { SequenceNumber: string }) => record.SequenceNumber)).toEqual(['1']);
    expect(out.Records[0].Data).toBe(base64(9.5 * MIB, 1));
    expect(out.NextShardIterator).toBe('after-1');
    expect(out.ChildShards).toBeUndefined();
    expect(out.MillisBehindLatest).toBeGreaterThanOrEqual(5_000);
    expect(described).toEqual([
      {
        operation: 'GetShardIterator',
        request: {
          StreamName: 's',
          ShardId: 'shardId-000000000001',
          ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
          StartingSequenceNumber: '1',
        },
      },
    ]);
  });

  it("frees a stream's data once its DeleteStream succeeds, and only that stream's", async () => {
    const { store } = storeWith(10_240);
    for (const [stream, seq] of [
      ['a', '1'],
      ['b', '2'],
    ] as const) {
      const put = forwarded(
        await store.decide(
          call('PutRecord', { StreamName: stream, PartitionKey: 'p', Data: base64(100 * KIB) }),
          forward,
        ),
      );
      await put.onResponse!(ok({ SequenceNumber: seq, ShardId: 'x' }));
    }
    expect(store.stats()).toMatchObject({ records: 2, bytes: 200 * KIB });
    const failed = forwarded(await store.decide(call('DeleteStream', { StreamName: 'a' }), forward));
    await failed.onResponse!({ status: 400, headers: {}, body: Buffer.from('{}') });
    expect(store.stats().records).toBe(2);
    const deleted = forwarded(
      await store.decide(
        call('DeleteStream', { StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/a' }),
        forward,
      ),
    );
    await deleted.onResponse!(ok({}));
    expect(store.stats()).toMatchObject({ records: 1, bytes: 100 * KIB });
  });

  it('passes calls it cannot read (CBOR, broken JSON) and small records through untouched', async () => {
    const { store, described } = storeWith();
    const cbor: KinesisCall = { operation: 'PutRecord', headers: {}, body: Buffer.from([0xbf, 0x64, 0x44]) };
    expect(forwarded(await store.decide(cbor, forward)).body).toBe(cbor.body);
    const small = call('PutRecords', {
      StreamName: 's',
      Records: [{ PartitionKey: 'a', Data: base64(THRESHOLD) }],
    });
    const decision = forwarded(await store.decide(small, forward));
    expect(decision.body).toBe(small.body);
    expect(decision.onResponse).toBeUndefined();
    expect(described).toEqual([]);
    // With nothing held, GetRecords is streamed through as it is.
    expect(
      forwarded(await store.decide(call('GetRecords', { ShardIterator: 'i' }), forward)).onResponse,
    ).toBeUndefined();
  });
});
