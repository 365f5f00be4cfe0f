import { encodeAggregatedRecord, type KinesisRecordInput } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { toUserRecords } from './record-filter.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const plain = (sequenceNumber: string, text = sequenceNumber): KinesisRecordInput => ({
  partitionKey: `k-${text}`,
  data: bytes(text),
  sequenceNumber,
});
const aggregate = (sequenceNumber: string, count: number, explicitHashKey?: string): KinesisRecordInput => ({
  partitionKey: 'a',
  sequenceNumber,
  data: encodeAggregatedRecord(
    Array.from({ length: count }, (_, i) => ({
      partitionKey: `u${i}`,
      data: bytes(`u${i}`),
      explicitHashKey,
    })),
  ),
});
const positions = (records: ReturnType<typeof toUserRecords>) =>
  records.map((r) => `${r.sequenceNumber}/${r.subSequenceNumber}`);

describe('toUserRecords', () => {
  it('deaggregates KPL aggregates and passes plain records through', () => {
    const records = toUserRecords([plain('100'), aggregate('200', 3), plain('300')], {});
    expect(positions(records)).toEqual(['100/0', '200/0', '200/1', '200/2', '300/0']);
    expect(records[2]).toMatchObject({ partitionKey: 'u1', aggregated: true });
  });

  it('drops records at or before the checkpoint', () => {
    const records = toUserRecords([plain('100'), plain('200'), plain('300')], {
      after: { sequenceNumber: '200', subSequenceNumber: 0 },
    });
    expect(positions(records)).toEqual(['300/0']);
  });

  it('resumes inside an aggregate after its checkpointed sub-sequence number', () => {
    const records = toUserRecords([aggregate('200', 5), plain('300')], {
      after: { sequenceNumber: '200', subSequenceNumber: 2 },
    });
    expect(positions(records)).toEqual(['200/3', '200/4', '300/0']);
  });

  it('compares sequence numbers as integers (a shorter string is a smaller number)', () => {
    const records = toUserRecords([plain('99'), plain('100')], {
      after: { sequenceNumber: '99', subSequenceNumber: 0 },
    });
    expect(positions(records)).toEqual(['100/0']);
  });

  it('does not filter when the checkpoint is a sentinel', () => {
    const records = toUserRecords([plain('1')], {
      after: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
    });
    expect(positions(records)).toEqual(['1/0']);
  });

  it('drops aggregates whose user records lie outside the shard hash range, and reports it', () => {
    const discards: unknown[] = [];
    const records = toUserRecords([aggregate('200', 2, '1000'), plain('300')], {
      hashKeyRange: { startingHashKey: '0', endingHashKey: '999' },
      onDiscard: (discard) => discards.push(discard),
    });
    expect(positions(records)).toEqual(['300/0']);
    expect(discards).toHaveLength(1);
  });
});
