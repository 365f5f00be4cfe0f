import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  KPL_AGGREGATE_WITH_EXPLICIT_HASH_KEYS,
  KPL_AGGREGATE_WITHOUT_EXPLICIT_HASH_KEYS,
  WORKED_EXAMPLE,
} from '../test/fixtures/kpl-golden-vectors.js';
import { text, toUserRecords, utf8 } from '../test/helpers.js';
import { encodeAggregatedRecord } from './aggregated-record-builder.js';
import {
  type DeaggregationDiscard,
  DeaggregationError,
  deaggregate,
  deaggregateAll,
  isAggregatedRecord,
} from './deaggregate.js';
import { partitionKeyToHashKey } from './hash-key.js';
import type { KinesisRecordInput } from './record.js';

const SEQUENCE = '49590338271490256608559692538361571095921575989136588898';
const ARRIVAL = new Date('2026-11-22T00:00:00Z');

function kinesisRecord(data: Uint8Array, partitionKey = 'a'): KinesisRecordInput {
  return { partitionKey, data, sequenceNumber: SEQUENCE, approximateArrivalTimestamp: ARRIVAL };
}

/** Frames a hand-written protobuf message as an aggregate with a correct digest. */
function frame(messageHex: string): Uint8Array {
  const message = Buffer.from(messageHex, 'hex');
  const digest = createHash('md5').update(message).digest();
  return new Uint8Array(Buffer.concat([Buffer.from('f3899ac2', 'hex'), message, digest]));
}

describe('deaggregate: aggregates', () => {
  it('decodes the worked example with sub-sequence numbers and only the explicit hash key it carries', () => {
    const out = deaggregate(kinesisRecord(Buffer.from(WORKED_EXAMPLE.hex, 'hex')));
    expect(out.map((r) => [r.partitionKey, r.explicitHashKey, text(r.data), r.subSequenceNumber])).toEqual([
      ['pk1', undefined, 'hello', 0],
      ['pk2', '42', 'world', 1],
      ['pk1', undefined, '!', 2],
    ]);
    for (const record of out) {
      expect(record.aggregated).toBe(true);
      expect(record.sequenceNumber).toBe(SEQUENCE);
      expect(record.approximateArrivalTimestamp).toBe(ARRIVAL);
    }
  });

  it.each([
    ['with explicit hash keys', KPL_AGGREGATE_WITH_EXPLICIT_HASH_KEYS],
    ['without explicit hash keys', KPL_AGGREGATE_WITHOUT_EXPLICIT_HASH_KEYS],
  ])('decodes an aggregate produced by the real KPL (%s)', (_, vector) => {
    const out = deaggregate(kinesisRecord(Buffer.from(vector.dataBase64, 'base64')));
    expect(
      out.map((r) => ({
        partitionKey: r.partitionKey,
        data: text(r.data),
        ...(r.explicitHashKey === undefined ? {} : { explicitHashKey: r.explicitHashKey }),
      })),
    ).toEqual(vector.userRecords);
    expect(out.map((r) => r.subSequenceNumber)).toEqual(vector.userRecords.map((_, i) => i));
  });

  it('returns views into the input, not copies', () => {
    const input = Buffer.from(WORKED_EXAMPLE.hex, 'hex');
    const out = deaggregate(kinesisRecord(input));
    expect(out[0]!.data.buffer).toBe(input.buffer);
    const plain = new Uint8Array(input);
    expect(deaggregate(kinesisRecord(plain))[1]!.data.buffer).toBe(plain.buffer);
  });

  it('decodes a one-record aggregate as aggregated', () => {
    const out = deaggregate(
      kinesisRecord(encodeAggregatedRecord([{ partitionKey: 'solo', data: utf8('x') }])),
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ partitionKey: 'solo', aggregated: true, subSequenceNumber: 0 });
  });

  it('skips unknown fields and tags, as protobuf requires', () => {
    // pk table "k"; unknown field 9 (varint 1); record { pk 0, data "x", tag {key "t"}, unknown field 7 }
    const out = deaggregate(
      kinesisRecord(frame('0a016b' + '4801' + '1a0c' + '0800' + '1a0178' + '2203' + '0a0174' + '3801')),
    );
    expect(out.map((r) => [r.partitionKey, text(r.data)])).toEqual([['k', 'x']]);
  });
});

describe('deaggregate: pass-through, as the KCL does', () => {
  const raw = (data: Uint8Array) => deaggregate(kinesisRecord(data, 'own-key'));

  it('passes a record without the magic through as one raw record', () => {
    const out = raw(utf8('{"plain":"json"}'));
    expect(out).toEqual([
      {
        partitionKey: 'own-key',
        data: utf8('{"plain":"json"}'),
        explicitHashKey: undefined,
        sequenceNumber: SEQUENCE,
        subSequenceNumber: 0,
        aggregated: false,
        approximateArrivalTimestamp: ARRIVAL,
      },
    ]);
  });

  it('passes through empty data and data no longer than magic plus digest', () => {
    expect(raw(new Uint8Array(0))[0]!.aggregated).toBe(false);
    expect(raw(Buffer.from('f3899ac2', 'hex'))[0]!.aggregated).toBe(false);
    expect(raw(Buffer.concat([Buffer.from('f3899ac2', 'hex'), Buffer.alloc(16)]))[0]!.aggregated).toBe(false);
  });

  it('passes a record with a bad digest through, or throws when strict', () => {
    const corrupt = Buffer.from(WORKED_EXAMPLE.hex, 'hex');
    corrupt[corrupt.length - 1]! ^= 0xff;
    expect(raw(corrupt)).toEqual([expect.objectContaining({ aggregated: false, data: corrupt })]);
    expect(() => deaggregate(kinesisRecord(corrupt), { strict: true })).toThrow(DeaggregationError);
    expect(deaggregate(kinesisRecord(corrupt), { verifyChecksum: false })).toHaveLength(3);
  });

  it('passes through a truncated aggregate', () => {
    const full = Buffer.from(WORKED_EXAMPLE.hex, 'hex');
    for (const cut of [21, 30, 45, full.length - 1]) {
      expect(raw(full.subarray(0, cut))).toHaveLength(1);
      expect(raw(full.subarray(0, cut))[0]!.aggregated).toBe(false);
    }
  });

  it('passes through a message whose record lacks a required field', () => {
    expect(raw(frame('0a016b' + '1a03' + '1a0178'))[0]!.aggregated).toBe(false); // no partition_key_index
    expect(raw(frame('0a016b' + '1a02' + '0800'))[0]!.aggregated).toBe(false); // no data
    expect(raw(frame('0a016b' + '1a09' + '0800' + '1a0178' + '2202' + '1200'))[0]!.aggregated).toBe(false); // tag without key
  });

  it('passes through invalid protobuf: a zero tag, a bad wire type, an overrunning length', () => {
    expect(raw(frame('0000'))[0]!.aggregated).toBe(false);
    expect(raw(frame('0f01'))[0]!.aggregated).toBe(false);
    expect(raw(frame('0a056b'))[0]!.aggregated).toBe(false);
    expect(raw(frame('1a08' + '0800' + '1a0178'))[0]!.aggregated).toBe(false);
  });

  it('throws DeaggregationError with the sequence number for invalid protobuf when strict', () => {
    try {
      deaggregate(kinesisRecord(frame('0000')), { strict: true });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DeaggregationError);
      expect((error as DeaggregationError).code).toBe('INVALID_AGGREGATE');
      expect((error as DeaggregationError).sequenceNumber).toBe(SEQUENCE);
    }
  });

  it('never throws on random bytes after the magic', () => {
    for (let seed = 1; seed < 300; seed++) {
      const body = Buffer.alloc(seed % 64, 0);
      for (let i = 0; i < body.length; i++) body[i] = (seed * 31 + i * 17) & 0xff;
      expect(() => raw(frame(body.toString('hex')))).not.toThrow();
    }
  });
});

describe('deaggregate: hash-range filtering and malformed records', () => {
  const lower = { startingHashKey: '0', endingHashKey: '170141183460469231731687303715884105727' };
  const upper = {
    startingHashKey: '170141183460469231731687303715884105728',
    endingHashKey: '340282366920938463463374607431768211455',
  };

  it('keeps an aggregate whose records all fall in the shard', () => {
    // user-2 hashes into the lower half
    const data = encodeAggregatedRecord([
      { partitionKey: 'user-2', data: utf8('a') },
      { partitionKey: 'user-2', data: utf8('b') },
    ]);
    expect(deaggregate(kinesisRecord(data), { hashKeyRange: lower })).toHaveLength(2);
  });

  it('drops the whole aggregate when any record hashes outside the shard, and reports it', () => {
    const discards: DeaggregationDiscard[] = [];
    const data = encodeAggregatedRecord([
      { partitionKey: 'user-2', data: utf8('in') },
      { partitionKey: 'user-1', data: utf8('out') },
      { partitionKey: 'user-2', data: utf8('in again') },
    ]);
    expect(
      deaggregate(kinesisRecord(data), { hashKeyRange: lower, onDiscard: (d) => discards.push(d) }),
    ).toEqual([]);
    expect(discards).toEqual([
      expect.objectContaining({
        reason: 'hash-key-out-of-range',
        keptCount: 0,
        totalCount: 3,
        subSequenceNumber: 1,
      }),
    ]);
    expect(deaggregate(kinesisRecord(data), { hashKeyRange: upper })).toEqual([]);
  });

  it('refuses a hashKeyRange end that is not a hash key, naming it', () => {
    const data = encodeAggregatedRecord([
      { partitionKey: 'user-2', data: utf8('a') },
      { partitionKey: 'user-2', data: utf8('b') },
    ]);
    expect(() =>
      deaggregate(kinesisRecord(data), { hashKeyRange: { startingHashKey: '12abc', endingHashKey: '5' } }),
    ).toThrow(
      expect.objectContaining({ code: 'INVALID_HASH_KEY_RANGE', field: 'hashKeyRange.startingHashKey' }),
    );
  });

  it('uses the explicit hash key, not the partition key, to filter', () => {
    const data = encodeAggregatedRecord([
      { partitionKey: 'user-1', data: utf8('x'), explicitHashKey: '5' },
      { partitionKey: 'user-1', data: utf8('y'), explicitHashKey: '6' },
    ]);
    expect(deaggregate(kinesisRecord(data), { hashKeyRange: lower })).toHaveLength(2);
    expect(deaggregate(kinesisRecord(data), { hashKeyRange: upper })).toEqual([]);
  });

  it('does not filter records that were not aggregated', () => {
    expect(deaggregate(kinesisRecord(utf8('raw'), 'user-1'), { hashKeyRange: lower })).toHaveLength(1);
  });

  it('keeps the records before a bad partition key index and drops the rest', () => {
    const discards: DeaggregationDiscard[] = [];
    // pk table "k"; records: {0,"a"}, {5,"b"} (out of table), {0,"c"}
    const data = frame(
      '0a016b' + '1a05' + '0800' + '1a0161' + '1a05' + '0805' + '1a0162' + '1a05' + '0800' + '1a0163',
    );
    const out = deaggregate(kinesisRecord(data), { onDiscard: (d) => discards.push(d) });
    expect(out.map((r) => text(r.data))).toEqual(['a']);
    expect(discards).toEqual([
      expect.objectContaining({ reason: 'malformed-record', keptCount: 1, subSequenceNumber: 1 }),
    ]);
  });

  it('treats a non-numeric explicit hash key as malformed, keeping what came before', () => {
    // pk table "k"; ehk table "undefined"; records: {0,"a"}, {0, ehk 0, "b"}
    const ehk = Buffer.from('undefined').toString('hex');
    const data = frame(`0a016b1209${ehk}1a0508001a01611a07080010001a0162`);
    expect(deaggregate(kinesisRecord(data)).map((r) => text(r.data))).toEqual(['a']);
  });

  it('treats a negative explicit hash key as out of the hash space, dropping the aggregate', () => {
    const ehk = Buffer.from('-1').toString('hex');
    const data = frame(`0a016b1202${ehk}1a0508001a01611a07080010001a0162`);
    expect(deaggregate(kinesisRecord(data))).toEqual([]);
  });

  it('reports no explicit hash key for records that have none, even when others have one', () => {
    const data = encodeAggregatedRecord([
      { partitionKey: 'p', data: utf8('1'), explicitHashKey: '11' },
      { partitionKey: 'q', data: utf8('2') },
    ]);
    expect(deaggregate(kinesisRecord(data)).map((r) => r.explicitHashKey)).toEqual(['11', undefined]);
  });

  it('computes the MD5 of each distinct key once when filtering, and gets the same answer', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `k${i % 5}`);
    const inLower = keys.filter((k) => partitionKeyToHashKey(k) <= BigInt(lower.endingHashKey));
    const data = encodeAggregatedRecord(
      inLower.map((partitionKey) => ({ partitionKey, data: utf8(partitionKey) })),
    );
    expect(deaggregate(kinesisRecord(data), { hashKeyRange: lower }).map((r) => r.partitionKey)).toEqual(
      inLower,
    );
  });
});

describe('deaggregateAll and isAggregatedRecord', () => {
  it('flattens several records in order', () => {
    const aggregate = Buffer.from(WORKED_EXAMPLE.hex, 'hex');
    const out = deaggregateAll([kinesisRecord(utf8('first'), 'r'), kinesisRecord(aggregate)]);
    expect(out.map((r) => text(r.data))).toEqual(['first', 'hello', 'world', '!']);
  });

  it('recognises the aggregate framing without checking the digest', () => {
    expect(isAggregatedRecord(Buffer.from(WORKED_EXAMPLE.hex, 'hex'))).toBe(true);
    expect(isAggregatedRecord(utf8('hello world, this is long enough'))).toBe(false);
    expect(isAggregatedRecord(encodeAggregatedRecord(toUserRecords(WORKED_EXAMPLE.userRecords)))).toBe(true);
  });
});
