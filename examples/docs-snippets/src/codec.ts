/** The snippets of docs/codec.md, type-checked (none is run). */
import { type DeaggregatedRecord, deaggregate, encodeAggregatedRecord } from '@kinesis-ts/core';

/** docs/codec.md, introduction: two user records in one KPL aggregate, and back. */
export function encodeAndDeaggregate(): DeaggregatedRecord[] {
  const data = encodeAggregatedRecord([
    { partitionKey: 'pk1', data: Buffer.from('hello') },
    { partitionKey: 'pk2', data: Buffer.from('world'), explicitHashKey: '42' },
  ]);
  const userRecords = deaggregate({ partitionKey: 'a', data, sequenceNumber: '4959…' });
  // [{ partitionKey: 'pk1', subSequenceNumber: 0, aggregated: true, … }, { partitionKey: 'pk2', explicitHashKey: '42', … }]
  return userRecords;
}
