import { describe, expect, it } from 'vitest';
import { v2SequenceNumber as v2 } from '../../test/sequence-numbers.js';
import { InvalidCheckpointError } from '../errors.js';
import { resolveCheckpoint } from './checkpoint-validation.js';

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

describe('resolveCheckpoint accepts only positions of records delivered on the shard', () => {
  const SHARD = 'shardId-000000000001';
  /** Shard 1 read from TRIM_HORIZON: records 10 to 20 of it delivered. */
  const fromTrimHorizon = {
    lastCheckpoint: esn('TRIM_HORIZON'),
    firstDelivered: esn(v2(1, 10)),
    largestPermitted: esn(v2(1, 20)),
    shardId: SHARD,
  };

  it('accepts the first, a middle and the last record delivered', () => {
    for (const counter of [10, 15, 20]) {
      expect(resolveCheckpoint(esn(v2(1, counter)), fromTrimHorizon).target).toEqual(esn(v2(1, counter)));
    }
  });

  it("refuses another shard's sequence number, even one between the first and the last record delivered", () => {
    // Shard 17 shares shard 1's low index digit, so their numbers interleave: only the shard in the
    // number tells them apart.
    const other = v2(17, 15);
    expect(BigInt(other) > BigInt(v2(1, 10)) && BigInt(other) < BigInt(v2(1, 20))).toBe(true);
    let error: unknown;
    try {
      resolveCheckpoint(esn(other), fromTrimHorizon);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidCheckpointError);
    expect(error).toMatchObject({
      code: 'INVALID_CHECKPOINT',
      shardId: SHARD,
      sequenceNumber: other,
      subSequenceNumber: 0,
    });
    expect((error as Error).message).toContain(other);
    expect((error as Error).message).toContain('shardId-000000000017');
    expect((error as Error).message).toContain(SHARD);
  });

  it("refuses another shard's sequence number from before this shard's first record (a new shard read from TRIM_HORIZON)", () => {
    // The emulator's shard 0 numbers all sort below shard 1's.
    expect(() => resolveCheckpoint(esn(v2(0, 99)), fromTrimHorizon)).toThrow(InvalidCheckpointError);
    expect(() => resolveCheckpoint(esn(v2(0, 99)), { ...fromTrimHorizon, shardId: undefined })).toThrow(
      /first record delivered/,
    );
  });

  it('refuses a position before the first record delivered when the shard started from a sentinel', () => {
    const bounds = {
      lastCheckpoint: esn('LATEST'),
      firstDelivered: esn('150'),
      largestPermitted: esn('200'),
    };
    expect(() => resolveCheckpoint(esn('149', 7), bounds)).toThrow(
      /outside the acceptable range \[150\/0, 200\/0\]/,
    );
    expect(resolveCheckpoint(esn('150'), bounds).target).toEqual(esn('150'));
  });

  it('accepts every sub-sequence number of the first aggregate delivered, even before the first user record', () => {
    const bounds = {
      lastCheckpoint: esn('TRIM_HORIZON'),
      firstDelivered: esn('150', 3),
      largestPermitted: esn('150', 9),
    };
    expect(resolveCheckpoint(esn('150', 0), bounds).target).toEqual(esn('150', 0));
    expect(() => resolveCheckpoint(esn('150', 10), bounds)).toThrow(InvalidCheckpointError);
  });

  it('refuses any sequence number before a record was delivered from a sentinel', () => {
    expect(() =>
      resolveCheckpoint(esn('100'), {
        lastCheckpoint: esn('TRIM_HORIZON'),
        largestPermitted: esn('TRIM_HORIZON'),
      }),
    ).toThrow(/no record has been delivered/);
  });

  it('refuses a position past the last record delivered, also once the shard has ended', () => {
    const bounds = { lastCheckpoint: esn('100'), largestPermitted: esn('300') };
    expect(() => resolveCheckpoint(esn('301'), bounds)).toThrow(InvalidCheckpointError);
    const ended = { ...bounds, largestPermitted: SHARD_END, sequenceNumberAtShardEnd: esn('300') };
    expect(() => resolveCheckpoint(esn('301'), ended)).toThrow(
      /outside the acceptable range \[100\/0, 300\/0\]/,
    );
    expect(() => resolveCheckpoint(esn('300', 1), ended)).toThrow(InvalidCheckpointError);
    expect(resolveCheckpoint(esn('250'), ended).target).toEqual(esn('250'));
  });

  it('refuses a sequence number at the end of a shard that delivered no record from a sentinel, but takes SHARD_END', () => {
    const ended = { lastCheckpoint: esn('TRIM_HORIZON'), largestPermitted: SHARD_END };
    expect(() => resolveCheckpoint(esn('1'), ended)).toThrow(InvalidCheckpointError);
    expect(resolveCheckpoint(SHARD_END, ended)).toEqual({ target: SHARD_END, unchanged: false });
  });

  it('still takes the sentinel SHARD_END at shard end, and the last record as SHARD_END', () => {
    const ended = {
      ...fromTrimHorizon,
      largestPermitted: SHARD_END,
      sequenceNumberAtShardEnd: esn(v2(1, 20)),
    };
    expect(resolveCheckpoint(SHARD_END, ended)).toEqual({ target: SHARD_END, unchanged: false });
    expect(resolveCheckpoint(esn(v2(1, 20)), ended)).toEqual({ target: SHARD_END, unchanged: false });
  });

  it('refuses the other sentinels', () => {
    for (const sentinel of ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']) {
      expect(() => resolveCheckpoint(esn(sentinel), fromTrimHorizon)).toThrow(/not a sequence number/);
    }
  });
});
