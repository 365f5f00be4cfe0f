import { describe, expect, it } from 'vitest';
import { secondCopyPartialBatchFailure } from '../../test/second-copy-errors.js';
import { bisectOnError } from './bisect-on-error.js';
import { PartialBatchFailureError } from './processing-errors.js';

const batch = Array.from({ length: 16 }, (_, i) => ({
  sequenceNumber: String(100 + i),
  subSequenceNumber: 0,
}));

describe('bisectOnError', () => {
  it('splits a failing batch in halves until the bad record is isolated (SC-35)', async () => {
    const calls: string[] = [];
    const processed = new Set<string>();
    const handler = bisectOnError<(typeof batch)[number], undefined>(async (records) => {
      calls.push(`${records[0]!.sequenceNumber}+${records.length}`);
      if (records.some((r) => r.sequenceNumber === '110')) throw new Error('bad 110');
      for (const r of records) processed.add(r.sequenceNumber);
    });
    const error = (await handler(batch, undefined).catch((e: unknown) => e)) as PartialBatchFailureError;
    expect(error).toBeInstanceOf(PartialBatchFailureError);
    expect(error.failures).toHaveLength(1);
    expect(error.failures[0]!.record.sequenceNumber).toBe('110');
    expect((error.failures[0]!.error as Error).message).toBe('bad 110');
    expect(calls).toEqual(['100+16', '100+8', '108+8', '108+4', '108+2', '110+2', '110+1']);
    // every record before the bad one is done, none after it was needed
    expect([...processed].sort()).toEqual([
      '100',
      '101',
      '102',
      '103',
      '104',
      '105',
      '106',
      '107',
      '108',
      '109',
    ]);
  });

  it('finds the first bad record when there are several', async () => {
    const handler = bisectOnError<(typeof batch)[number], undefined>(async (records) => {
      if (records.some((r) => r.sequenceNumber === '103' || r.sequenceNumber === '112'))
        throw new Error('bad');
    });
    const error = (await handler(batch, undefined).catch((e: unknown) => e)) as PartialBatchFailureError;
    expect(error.failures[0]!.record.sequenceNumber).toBe('103');
  });

  it('resolves when every half succeeds (a transient failure)', async () => {
    let calls = 0;
    const handler = bisectOnError(async () => {
      if (++calls === 1) throw new Error('blip');
    });
    await handler(batch, undefined);
    expect(calls).toBe(3);
  });

  it('takes a partial failure from the handler at its word', async () => {
    let calls = 0;
    const handler = bisectOnError<(typeof batch)[number], undefined>(async (records) => {
      calls++;
      throw new PartialBatchFailureError([{ record: records[5]!, error: 'five' }]);
    });
    const error = (await handler(batch, undefined).catch((e: unknown) => e)) as PartialBatchFailureError;
    expect(calls).toBe(1);
    expect(error.failures[0]).toMatchObject({ record: { sequenceNumber: '105' }, error: 'five' });
  });

  it('takes a partial failure made by a second copy of the package at its word too', async () => {
    let calls = 0;
    const handler = bisectOnError<(typeof batch)[number], undefined>(async (records) => {
      calls++;
      throw secondCopyPartialBatchFailure([{ record: records[5]!, error: 'five' }]);
    });
    const error = (await handler(batch, undefined).catch((e: unknown) => e)) as PartialBatchFailureError;
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(PartialBatchFailureError);
    expect(error.failures[0]).toMatchObject({ record: { sequenceNumber: '105' }, error: 'five' });
  });

  it('passes a single failing record through as a partial failure of that record', async () => {
    const handler = bisectOnError(async () => {
      throw new Error('one');
    });
    const error = (await handler([batch[0]!], undefined).catch(
      (e: unknown) => e,
    )) as PartialBatchFailureError;
    expect(error.failures[0]!.record).toBe(batch[0]);
  });
});
