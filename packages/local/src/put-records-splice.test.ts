import type { PutRecordsOutput, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { planPutRecords, splicePutRecordsOutput } from './put-records-splice';

const entries: PutRecordsRequestEntry[] = Array.from({ length: 5 }, (_, i) => ({
  PartitionKey: `k${i}`,
  Data: new Uint8Array([i]),
}));
const throttled = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' };

describe('planPutRecords', () => {
  it('keeps the order of the sent entries and records the failures by original index', () => {
    const plan = planPutRecords(entries, (_, index) => (index % 2 === 1 ? throttled : undefined));
    expect(plan.total).toBe(5);
    expect(plan.sentIndexes).toEqual([0, 2, 4]);
    expect([...plan.failures.keys()]).toEqual([1, 3]);
  });
});

describe('splicePutRecordsOutput', () => {
  it('puts sent results back at their original indexes and the failures between them', () => {
    const plan = planPutRecords(entries, (_, index) => (index === 1 || index === 3 ? throttled : undefined));
    const sent = {
      EncryptionType: 'NONE' as const,
      FailedRecordCount: 1,
      Records: [
        { SequenceNumber: '100', ShardId: 'shardId-000000000000' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'real failure' },
        { SequenceNumber: '102', ShardId: 'shardId-000000000001' },
      ],
      $metadata: { httpStatusCode: 200 },
    };
    const output = splicePutRecordsOutput(plan, sent);
    expect(output.Records).toEqual([
      { SequenceNumber: '100', ShardId: 'shardId-000000000000' },
      throttled,
      { ErrorCode: 'InternalFailure', ErrorMessage: 'real failure' },
      throttled,
      { SequenceNumber: '102', ShardId: 'shardId-000000000001' },
    ]);
    expect(output.FailedRecordCount).toBe(3);
    expect(output.$metadata).toEqual({ httpStatusCode: 200 });
    expect(output.Records?.[1]).not.toHaveProperty('SequenceNumber');
  });

  it('builds a whole response when every entry failed and nothing was sent', () => {
    const plan = planPutRecords(entries.slice(0, 2), () => throttled);
    const output = splicePutRecordsOutput(plan, undefined);
    expect(output).toEqual({ EncryptionType: 'NONE', FailedRecordCount: 2, Records: [throttled, throttled] });
  });

  it('counts the written entries of a response off the wire (ErrorCode null) as written', () => {
    const plan = planPutRecords(entries.slice(0, 2), (_, index) => (index === 0 ? throttled : undefined));
    const wire = {
      EncryptionType: 'NONE' as const,
      FailedRecordCount: 0,
      Records: [
        { ErrorCode: null, ErrorMessage: null, SequenceNumber: '7', ShardId: 'shardId-000000000000' },
      ],
    };
    const output = splicePutRecordsOutput(plan, wire as unknown as PutRecordsOutput);
    expect(output.FailedRecordCount).toBe(1);
  });

  it('refuses a response whose length does not match what was sent', () => {
    const plan = planPutRecords(entries, () => undefined);
    expect(() => splicePutRecordsOutput(plan, { Records: [], $metadata: {} })).toThrow(/5 entries/);
  });
});
