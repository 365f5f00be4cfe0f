import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE } from '../test/fixtures/kpl-golden-vectors.js';
import { hex, toUserRecords, utf8 } from '../test/helpers.js';
import { AggregatedRecordBuilder, encodeAggregatedRecord } from './aggregated-record-builder.js';
import { KinesisTsError, ValidationError } from './errors.js';
import { partitionKeyToHashKey } from './hash-key.js';

const limits = { maxAggregateSizeBytes: 51_200, maxRecordSizeBytes: 1024 * 1024 };

describe('encodeAggregatedRecord', () => {
  it('encodes the worked example byte for byte', () => {
    const encoded = encodeAggregatedRecord(toUserRecords(WORKED_EXAMPLE.userRecords));
    expect(hex(encoded)).toBe(WORKED_EXAMPLE.hex);
    expect(Buffer.from(encoded).toString('base64')).toBe(WORKED_EXAMPLE.base64);
    expect(encoded.byteLength).toBe(65);
  });

  it('writes the required fields even when they hold zero values', () => {
    const encoded = encodeAggregatedRecord([{ partitionKey: 'k', data: new Uint8Array(0) }]);
    // magic, pk table "k", record { 08 00, 1a 00 }, md5
    expect(hex(encoded.subarray(4, encoded.byteLength - 16))).toBe('0a016b' + '1a04' + '0800' + '1a00');
  });

  it('de-duplicates partition keys and explicit hash keys into the tables', () => {
    const records = [
      { partitionKey: 'same', data: utf8('1'), explicitHashKey: '7' },
      { partitionKey: 'same', data: utf8('2'), explicitHashKey: '007' },
      { partitionKey: 'other', data: utf8('3') },
    ];
    const message = decodeWithProtobufjs(encodeAggregatedRecord(records));
    expect(message.partitionKeys).toEqual(['same', 'other']);
    expect(message.explicitHashKeys).toEqual(['7']);
    expect(message.records.map((r) => [r.partitionKeyIndex, r.explicitHashKeyIndex])).toEqual([
      [0, 0],
      [0, 0],
      [1, undefined],
    ]);
  });

  it('writes explicit hash keys in canonical decimal form, from strings or bigints', () => {
    const message = decodeWithProtobufjs(
      encodeAggregatedRecord([
        { partitionKey: 'a', data: utf8('x'), explicitHashKey: ' 0042 ' },
        { partitionKey: 'b', data: utf8('y'), explicitHashKey: 340282366920938463463374607431768211455n },
      ]),
    );
    expect(message.explicitHashKeys).toEqual(['42', '340282366920938463463374607431768211455']);
  });

  it('produces the same bytes as protobufjs writing the proto2 schema', () => {
    const records = [
      { partitionKey: 'ключ-🔑', data: new Uint8Array(300).fill(7), explicitHashKey: '1' },
      { partitionKey: 'k'.repeat(256), data: new Uint8Array(0) },
      { partitionKey: 'ключ-🔑', data: utf8('again') },
    ];
    const ours = encodeAggregatedRecord(records);
    const writer = protobuf.Writer.create();
    writer.uint32(0x0a).string('ключ-🔑').uint32(0x0a).string('k'.repeat(256));
    writer.uint32(0x12).string('1');
    for (const [pk, ehk, data] of [
      [0, 0, records[0]!.data],
      [1, undefined, records[1]!.data],
      [0, undefined, records[2]!.data],
    ] as const) {
      writer.uint32(0x1a).fork().uint32(0x08).uint64(pk);
      if (ehk !== undefined) writer.uint32(0x10).uint64(ehk);
      writer.uint32(0x1a).bytes(data).ldelim();
    }
    const expected = writer.finish();
    expect(hex(ours.subarray(4, ours.byteLength - 16))).toBe(hex(expected));
  });

  it('throws a typed error on an empty list', () => {
    expect(() => encodeAggregatedRecord([])).toThrow(KinesisTsError);
    try {
      encodeAggregatedRecord([]);
    } catch (error) {
      expect((error as KinesisTsError).code).toBe('EMPTY_AGGREGATE');
    }
  });

  it('rejects invalid keys before encoding anything', () => {
    expect(() => encodeAggregatedRecord([{ partitionKey: '', data: utf8('x') }])).toThrow(ValidationError);
    expect(() =>
      encodeAggregatedRecord([{ partitionKey: 'k', data: utf8('x'), explicitHashKey: 'nope' }]),
    ).toThrow(/explicitHashKey/);
    expect(() => encodeAggregatedRecord([{ partitionKey: 'k', data: 'x' as never }])).toThrow(/data/);
  });
});

describe('AggregatedRecordBuilder', () => {
  it('knows the exact encoded size before and after each record', () => {
    const builder = new AggregatedRecordBuilder();
    const records = [
      { partitionKey: 'é'.repeat(200), data: new Uint8Array(127) },
      { partitionKey: 'b', data: new Uint8Array(128), explicitHashKey: '99999999999999999999' },
      { partitionKey: 'é'.repeat(200), data: new Uint8Array(16_384) },
      { partitionKey: 'c', data: new Uint8Array(0), explicitHashKey: '99999999999999999999' },
    ];
    for (const record of records) {
      const predicted = builder.aggregatedSizeWith(record);
      builder.add(record);
      expect(builder.aggregatedSizeBytes).toBe(predicted);
      expect(builder.encode().byteLength).toBe(predicted);
    }
  });

  it('sends a single record raw, with its own key and its MD5 hash key (KPL rule)', () => {
    const builder = new AggregatedRecordBuilder();
    builder.add({ partitionKey: 'pk1', data: utf8('hello') });
    const entry = builder.build();
    expect(entry).toEqual({
      partitionKey: 'pk1',
      explicitHashKey: '329398341438914906102347661116985167824',
      data: utf8('hello'),
      aggregated: false,
      userRecordCount: 1,
    });
    expect(builder.dataSizeBytes).toBe(5);
    expect(builder.entrySizeBytes).toBe(8);
  });

  it('sends two or more records as an aggregate keyed "a" and routed by the first hash key', () => {
    const builder = new AggregatedRecordBuilder();
    for (const record of toUserRecords(WORKED_EXAMPLE.userRecords)) builder.add(record);
    const entry = builder.build();
    expect(entry.partitionKey).toBe('a');
    expect(entry.explicitHashKey).toBe(partitionKeyToHashKey('pk1').toString());
    expect(hex(entry.data)).toBe(WORKED_EXAMPLE.hex);
    expect(entry.aggregated).toBe(true);
    expect(entry.userRecordCount).toBe(3);
    expect(builder.entrySizeBytes).toBe(66);
  });

  it('routes by the first record explicit hash key when it has one, or by a hash key given by the caller', () => {
    const withKey = new AggregatedRecordBuilder();
    withKey.add({ partitionKey: 'x', data: utf8('1'), explicitHashKey: '5' });
    withKey.add({ partitionKey: 'y', data: utf8('2') });
    expect(withKey.build().explicitHashKey).toBe('5');
    const given = new AggregatedRecordBuilder();
    given.add({ partitionKey: 'x', data: utf8('1') }, 123n);
    expect(given.build().explicitHashKey).toBe('123');
  });

  it('refuses a record that would push the aggregate past its size limit, but always takes the first', () => {
    const builder = new AggregatedRecordBuilder();
    const big = { partitionKey: 'k', data: new Uint8Array(60_000) };
    expect(builder.tryAdd(big, limits)).toBe(true);
    expect(builder.tryAdd({ partitionKey: 'k', data: utf8('small') }, limits)).toBe(false);
    expect(builder.count).toBe(1);

    const filling = new AggregatedRecordBuilder();
    const chunk = { partitionKey: 'k', data: new Uint8Array(1000) };
    while (filling.tryAdd(chunk, limits)) {
      /* fill */
    }
    expect(filling.aggregatedSizeBytes).toBeLessThanOrEqual(51_200);
    expect(filling.aggregatedSizeWith(chunk)).toBeGreaterThan(51_200);
  });

  it('keeps the entry, outer partition key included, within the record size limit', () => {
    const builder = new AggregatedRecordBuilder();
    const tight = { maxAggregateSizeBytes: 10_000_000, maxRecordSizeBytes: 1000 };
    const chunk = { partitionKey: 'k', data: new Uint8Array(100) };
    while (builder.tryAdd(chunk, tight)) {
      /* fill */
    }
    expect(builder.entrySizeBytes).toBeLessThanOrEqual(1000);
    expect(builder.aggregatedSizeWith(chunk) + 1).toBeGreaterThan(1000);
  });

  it('honours a maximum number of user records per aggregate', () => {
    const builder = new AggregatedRecordBuilder();
    const record = { partitionKey: 'k', data: utf8('x') };
    const counted = { ...limits, maxUserRecords: 3 };
    expect([1, 2, 3, 4].map(() => builder.tryAdd(record, counted))).toEqual([true, true, true, false]);
  });

  it('encodes the same bytes when the caller vouches for validated records', () => {
    const trusting = new AggregatedRecordBuilder({ recordsAreValidated: true });
    for (const record of toUserRecords(WORKED_EXAMPLE.userRecords)) trusting.add(record);
    expect(hex(trusting.encode())).toBe(WORKED_EXAMPLE.hex);
  });

  it('can be reset and reused', () => {
    const builder = new AggregatedRecordBuilder();
    builder.add({ partitionKey: 'one', data: utf8('1') });
    builder.add({ partitionKey: 'two', data: utf8('2') });
    builder.reset();
    expect(builder.count).toBe(0);
    expect(builder.dataSizeBytes).toBe(0);
    for (const record of toUserRecords(WORKED_EXAMPLE.userRecords)) builder.add(record);
    expect(hex(builder.encode())).toBe(WORKED_EXAMPLE.hex);
  });

  it('throws EMPTY_AGGREGATE when built empty', () => {
    expect(() => new AggregatedRecordBuilder().build()).toThrow(/at least one user record/);
  });

  it('keeps the caller data in the entry of a single record, without copying', () => {
    const data = utf8('payload');
    const builder = new AggregatedRecordBuilder();
    builder.add({ partitionKey: 'k', data });
    expect(builder.build().data).toBe(data);
  });
});

interface DecodedMessage {
  partitionKeys: string[];
  explicitHashKeys: string[];
  records: { partitionKeyIndex: number; explicitHashKeyIndex: number | undefined; data: Uint8Array }[];
}

/** An independent decoder built on protobufjs, to check our encoder against. */
function decodeWithProtobufjs(aggregate: Uint8Array): DecodedMessage {
  const reader = protobuf.Reader.create(aggregate.subarray(4, aggregate.byteLength - 16));
  const message: DecodedMessage = { partitionKeys: [], explicitHashKeys: [], records: [] };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 0x0a) message.partitionKeys.push(reader.string());
    else if (tag === 0x12) message.explicitHashKeys.push(reader.string());
    else if (tag === 0x1a) {
      const end = reader.uint32() + reader.pos;
      const record: DecodedMessage['records'][number] = {
        partitionKeyIndex: -1,
        explicitHashKeyIndex: undefined,
        data: new Uint8Array(),
      };
      while (reader.pos < end) {
        const field = reader.uint32();
        if (field === 0x08) record.partitionKeyIndex = reader.uint32();
        else if (field === 0x10) record.explicitHashKeyIndex = reader.uint32();
        else if (field === 0x1a) record.data = reader.bytes();
        else reader.skipType(field & 7);
      }
      message.records.push(record);
    } else reader.skipType(tag & 7);
  }
  return message;
}
