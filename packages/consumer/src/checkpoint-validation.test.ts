import { describe, expect, it } from 'vitest';
import { resolveCheckpoint } from './checkpoint-validation.js';
import { InvalidCheckpointError } from './errors.js';

const esn = (sequenceNumber: string, subSequenceNumber = 0) => ({ sequenceNumber, subSequenceNumber });
const SHARD_END = esn('SHARD_END');

describe('resolveCheckpoint', () => {
  it('accepts a position between the last checkpoint and the last record delivered', () => {
    const resolved = resolveCheckpoint(esn('150'), {
      lastCheckpoint: esn('100'),
      largestPermitted: esn('200'),
    });
    expect(resolved).toEqual({ target: esn('150'), unchanged: false });
  });

  it('refuses a position before the last checkpoint or after the last record delivered', () => {
    const bounds = { lastCheckpoint: esn('100', 2), largestPermitted: esn('200', 5) };
    expect(() => resolveCheckpoint(esn('100', 1), bounds)).toThrow(InvalidCheckpointError);
    expect(() => resolveCheckpoint(esn('200', 6), bounds)).toThrow(/outside the acceptable range/);
    expect(() => resolveCheckpoint(esn('201'), bounds)).toThrow(InvalidCheckpointError);
  });

  it('compares sequence numbers as integers, not as strings or doubles', () => {
    const bounds = {
      lastCheckpoint: esn('9'),
      largestPermitted: esn('49590338271490256608559692538361571095921575989136588898'),
    };
    expect(resolveCheckpoint(esn('10'), bounds).target).toEqual(esn('10'));
    expect(() =>
      resolveCheckpoint(esn('49590338271490256608559692538361571095921575989136588899'), bounds),
    ).toThrow(InvalidCheckpointError);
  });

  it('refuses strings that are not sequence numbers and negative sub-sequence numbers', () => {
    const bounds = { lastCheckpoint: esn('TRIM_HORIZON'), largestPermitted: esn('200') };
    expect(() => resolveCheckpoint(esn('abc'), bounds)).toThrow(/not a sequence number/);
    expect(() => resolveCheckpoint(esn('LATEST'), bounds)).toThrow(InvalidCheckpointError);
    expect(() => resolveCheckpoint(esn('150', -1), bounds)).toThrow(/sub-sequence/);
  });

  it('reports a checkpoint equal to the last one as unchanged', () => {
    expect(
      resolveCheckpoint(esn('100', 3), { lastCheckpoint: esn('100', 3), largestPermitted: esn('200') }),
    ).toEqual({
      target: esn('100', 3),
      unchanged: true,
    });
  });

  it('orders positions inside an aggregate by sub-sequence number', () => {
    const bounds = { lastCheckpoint: esn('100', 3), largestPermitted: esn('100', 9) };
    expect(resolveCheckpoint(esn('100', 4), bounds).target).toEqual(esn('100', 4));
    expect(() => resolveCheckpoint(esn('100', 2), bounds)).toThrow(InvalidCheckpointError);
  });

  it('writes SHARD_END for a checkpoint at the last record of a finished shard', () => {
    const resolved = resolveCheckpoint(esn('300', 4), {
      lastCheckpoint: esn('100'),
      largestPermitted: SHARD_END,
      sequenceNumberAtShardEnd: esn('300', 4),
    });
    expect(resolved).toEqual({ target: SHARD_END, unchanged: false });
  });

  it('writes SHARD_END when the last record was already checkpointed in processRecords (KCL bug #211)', () => {
    // The KCL compares the request (300) with the last checkpoint (300) before rewriting it to
    // SHARD_END, skips the write, and the shard never ends. The rewritten target must be compared.
    const resolved = resolveCheckpoint(esn('300'), {
      lastCheckpoint: esn('300'),
      largestPermitted: SHARD_END,
      sequenceNumberAtShardEnd: esn('300'),
    });
    expect(resolved).toEqual({ target: SHARD_END, unchanged: false });
  });

  it('accepts SHARD_END itself at shard end and reports it unchanged once written', () => {
    const bounds = {
      lastCheckpoint: esn('300'),
      largestPermitted: SHARD_END,
      sequenceNumberAtShardEnd: esn('300'),
    };
    expect(resolveCheckpoint(SHARD_END, bounds)).toEqual({ target: SHARD_END, unchanged: false });
    expect(resolveCheckpoint(SHARD_END, { ...bounds, lastCheckpoint: SHARD_END })).toEqual({
      target: SHARD_END,
      unchanged: true,
    });
  });

  it('refuses SHARD_END before the shard has ended', () => {
    expect(() =>
      resolveCheckpoint(SHARD_END, { lastCheckpoint: esn('1'), largestPermitted: esn('300') }),
    ).toThrow(InvalidCheckpointError);
  });
});
