import { describe, expect, it } from 'vitest';
import { decodeKeyedRecord, encodeKeyedRecord, KeyedRecordSource } from './keyed-records.js';
import { DEFAULT_SOAK_OPTIONS, parseSoakArgs, SoakUsageError } from './options.js';

describe('parseSoakArgs', () => {
  it('takes the defaults (3 minutes, a fixed seed) when given nothing, and skips a -- separator', () => {
    expect(parseSoakArgs([])).toEqual(DEFAULT_SOAK_OPTIONS);
    expect(DEFAULT_SOAK_OPTIONS.durationSeconds).toBe(180);
    expect(
      parseSoakArgs(['--', '--duration', '30', '--seed=7', '--fan-out', '--no-transient-not-found']),
    ).toMatchObject({
      durationSeconds: 30,
      seed: 7,
      retrieval: 'fan-out',
      transientNotFound: false,
    });
  });

  it('refuses unknown options and values out of range, naming them', () => {
    expect(() => parseSoakArgs(['--speed', '3'])).toThrow(SoakUsageError);
    expect(() => parseSoakArgs(['--duration', '5'])).toThrow(
      '--duration must be an integer from 20 to 3600, got 5',
    );
  });
});

describe('keyed records', () => {
  it('numbers each key from 1 in the order records are taken, and reads their data back', () => {
    const keys = [0, 0.9, 0.1, 0.95];
    const source = new KeyedRecordSource(2, () => keys.shift()!);
    const records = [source.take(), source.take(), source.take(), source.take()];
    expect(records).toEqual([
      { key: 'k0', seq: 1 },
      { key: 'k1', seq: 1 },
      { key: 'k0', seq: 2 },
      { key: 'k1', seq: 2 },
    ]);
    expect(decodeKeyedRecord(encodeKeyedRecord(records[2]!))).toEqual({ key: 'k0', seq: 2 });
    expect(decodeKeyedRecord(new TextEncoder().encode('not ours'))).toBeUndefined();
  });
});
