import { describe, expect, it } from 'vitest';
import { aggregateWithAwsKinesisAgg, deaggregateWithAwsKinesisAgg } from '../test/aws-kinesis-agg.js';
import { WORKED_EXAMPLE } from '../test/fixtures/kpl-golden-vectors.js';
import { text, toUserRecords, utf8 } from '../test/helpers.js';
import { encodeAggregatedRecord } from './aggregated-record-builder.js';
import { deaggregate } from './deaggregate.js';

const SEQUENCE = '49590338271490256608559692538361571095921575989136588898';

const records = [
  { partitionKey: 'device-1', data: utf8('{"t":21.5}') },
  { partitionKey: 'устройство-2', data: utf8('{"t":19}'), explicitHashKey: '12345678901234567890' },
  { partitionKey: 'device-1', data: new Uint8Array(0) },
  { partitionKey: 'k'.repeat(256), data: new Uint8Array(1000).fill(0xab) },
];

describe('interoperability with aws-kinesis-agg', () => {
  it('aws-kinesis-agg decodes what we encode', () => {
    const encoded = encodeAggregatedRecord(records);
    const decoded = deaggregateWithAwsKinesisAgg({
      partitionKey: 'a',
      data: encoded,
      sequenceNumber: SEQUENCE,
    });
    expect(decoded.map((r) => r.partitionKey)).toEqual(records.map((r) => r.partitionKey));
    expect(decoded.map((r) => Buffer.from(r.data).toString('hex'))).toEqual(
      records.map((r) => Buffer.from(r.data).toString('hex')),
    );
    expect(decoded.map((r) => r.subSequenceNumber)).toEqual([0, 1, 2, 3]);
    expect(decoded[1]!.explicitPartitionKey).toBe('12345678901234567890');
  });

  it('aws-kinesis-agg decodes the worked example', () => {
    const encoded = encodeAggregatedRecord(toUserRecords(WORKED_EXAMPLE.userRecords));
    const decoded = deaggregateWithAwsKinesisAgg({
      partitionKey: 'a',
      data: encoded,
      sequenceNumber: SEQUENCE,
    });
    expect(decoded.map((r) => [r.partitionKey, text(r.data)])).toEqual([
      ['pk1', 'hello'],
      ['pk2', 'world'],
      ['pk1', '!'],
    ]);
  });

  it('we decode what aws-kinesis-agg encodes', async () => {
    const encoded = await aggregateWithAwsKinesisAgg(records);
    expect(encoded).toHaveLength(1);
    const out = deaggregate({
      partitionKey: encoded[0]!.partitionKey,
      data: encoded[0]!.data,
      sequenceNumber: SEQUENCE,
    });
    expect(out.map((r) => [r.partitionKey, Buffer.from(r.data).toString('hex'), r.explicitHashKey])).toEqual(
      records.map((r) => [r.partitionKey, Buffer.from(r.data).toString('hex'), r.explicitHashKey]),
    );
  });

  it('reports no explicit hash key where aws-kinesis-agg misattributes the first one', () => {
    const mixed = [
      { partitionKey: 'with', data: utf8('1'), explicitHashKey: '99' },
      { partitionKey: 'without', data: utf8('2') },
    ];
    const encoded = encodeAggregatedRecord(mixed);
    const theirs = deaggregateWithAwsKinesisAgg({
      partitionKey: 'a',
      data: encoded,
      sequenceNumber: SEQUENCE,
    });
    const ours = deaggregate({ partitionKey: 'a', data: encoded, sequenceNumber: SEQUENCE });
    // aws-kinesis-agg reads index 0 for an absent field; the KCL (and we) report none.
    expect(theirs[1]!.explicitPartitionKey).toBe('99');
    expect(ours[1]!.explicitHashKey).toBeUndefined();
  });
});
