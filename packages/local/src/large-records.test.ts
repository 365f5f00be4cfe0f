import { describe, expect, it } from 'vitest';
import {
  dataBytes,
  MAX_PUT_RECORDS_REQUEST_BYTES,
  oversizeFailure,
  PLACEHOLDER_MARKER,
  placeholderData,
  recordsWithinReadLimit,
  requestSizeRefusal,
  restoreLargeData,
  swapLargeData,
} from './large-records';

const base64 = (size: number, fill = 7) => Buffer.alloc(size, fill).toString('base64');

describe('large-record substitution', () => {
  it('measures data by its decoded size', () => {
    expect(dataBytes({ Data: base64(0) })).toBe(0);
    expect(dataBytes({ Data: base64(1) })).toBe(1);
    expect(dataBytes({ Data: base64(65_537) })).toBe(65_537);
    expect(dataBytes({})).toBe(0);
  });

  it('makes placeholders that carry the marker, the nonce and the id, each different', () => {
    const first = placeholderData('abcd', 1);
    expect(Buffer.from(first, 'base64').toString()).toBe(`${PLACEHOLDER_MARKER}abcd:1`);
    expect(placeholderData('abcd', 2)).not.toBe(first);
    expect(placeholderData('abce', 1)).not.toBe(first);
  });

  it('swaps only the data above the threshold, keeping every other field and the order', () => {
    let id = 0;
    const records = [
      { PartitionKey: 'a', Data: base64(100) },
      { PartitionKey: 'b', ExplicitHashKey: '42', Data: base64(1_000) },
      { PartitionKey: 'c', Data: base64(1_001) },
    ];
    const { records: sent, swapped } = swapLargeData(records, 1_000, () => `P${++id}`);
    expect(sent[0]).toBe(records[0]);
    expect(sent[1]).toBe(records[1]);
    expect(sent[2]).toEqual({ PartitionKey: 'c', Data: 'P1' });
    expect(swapped).toEqual([{ index: 2, placeholder: 'P1', data: records[2]!.Data, bytes: 1_001 }]);
  });

  it('puts data back only where both the placeholder and the sequence number match', () => {
    const held = new Map([['P1', { sequenceNumber: '100', data: 'ORIGINAL' }]]);
    const lookup = (data: string, sequenceNumber: string) => {
      const entry = held.get(data);
      return entry?.sequenceNumber === sequenceNumber ? entry.data : undefined;
    };
    const back = restoreLargeData(
      [
        { SequenceNumber: '100', PartitionKey: 'k', Data: 'P1', ApproximateArrivalTimestamp: 1 },
        // The same bytes written by a client: another sequence number, left alone.
        { SequenceNumber: '101', PartitionKey: 'k', Data: 'P1' },
        { SequenceNumber: '102', PartitionKey: 'k', Data: 'small' },
      ],
      lookup,
    );
    expect(back).toEqual({
      restored: 1,
      records: [
        { SequenceNumber: '100', PartitionKey: 'k', Data: 'ORIGINAL', ApproximateArrivalTimestamp: 1 },
        { SequenceNumber: '101', PartitionKey: 'k', Data: 'P1' },
        { SequenceNumber: '102', PartitionKey: 'k', Data: 'small' },
      ],
    });
    expect(restoreLargeData([{ SequenceNumber: '102', Data: 'small' }], lookup)).toBeUndefined();
  });

  it('keeps in one read the records within 10 MiB of data and partition keys, and always the first', () => {
    const record = (bytes: number) => ({ PartitionKey: 'k', Data: base64(bytes) });
    const MIB = 1024 * 1024;
    expect(recordsWithinReadLimit([])).toBe(0);
    expect(recordsWithinReadLimit([record(3 * MIB), record(3 * MIB), record(3 * MIB)])).toBe(3);
    expect(recordsWithinReadLimit([record(9.5 * MIB), record(9.5 * MIB)])).toBe(1);
    expect(recordsWithinReadLimit([record(5 * MIB - 1), record(5 * MIB - 1)])).toBe(2);
    expect(recordsWithinReadLimit([record(5 * MIB), record(5 * MIB)])).toBe(1);
    expect(recordsWithinReadLimit([record(10 * MIB), record(1)])).toBe(1);
  });

  it("gives the emulator's error for a record above the stream's limit", () => {
    expect(oversizeFailure(2_097_153, 2_097_152)).toEqual({
      ErrorCode: 'InvalidArgumentException',
      ErrorMessage: "Record data size 2097153 exceeds the stream's max record size of 2097152 bytes",
    });
  });

  it('refuses a PutRecords request whose data and partition keys exceed 10 MiB, not one at 10 MiB', () => {
    const half = MAX_PUT_RECORDS_REQUEST_BYTES / 2;
    const atLimit = [
      { PartitionKey: 'ab', Data: base64(half - 2) },
      { PartitionKey: 'cd', Data: base64(half - 2) },
    ];
    expect(requestSizeRefusal(atLimit)).toBeUndefined();
    const over = [atLimit[0]!, { PartitionKey: 'cde', Data: base64(half - 2) }];
    const refusal = requestSizeRefusal(over);
    expect(refusal?.status).toBe(400);
    expect(JSON.parse(refusal!.body.toString())).toEqual({
      __type: 'InvalidArgumentException',
      message: 'Records size exceeds 10 MB limit',
    });
  });
});
