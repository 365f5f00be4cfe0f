import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { createKinesisError, KINESIS_FAULT_ERROR_NAMES } from './fault-errors';
import { FaultEngine, operationName, resolveCallErrorRules, resolveLatencyRules } from './fault-rules';

const rules = (value: unknown) =>
  resolveCallErrorRules('callErrors', value, KINESIS_FAULT_ERROR_NAMES, createKinesisError);

describe('FaultEngine', () => {
  it('fires a rule only for its operations and only for its first N matching calls', () => {
    const engine = new FaultEngine(1);
    const [rule] = rules([
      { operations: ['PutRecordsCommand'], error: 'ThrottlingException', firstCalls: 2 },
    ]);
    expect(rule!.operations).toEqual(['PutRecords']);
    const fired = ['GetRecords', 'PutRecords', 'GetRecords', 'PutRecords', 'PutRecords'].map((operation) =>
      engine.fires(rule!, operation),
    );
    expect(fired).toEqual([false, true, false, true, false]);
  });

  it('makes the same decisions for the same seed and the same calls', () => {
    const decisions = (seed: number) => {
      const engine = new FaultEngine(seed);
      const [rule] = rules([{ error: 'InternalFailureException', rate: 0.5 }]);
      return Array.from({ length: 40 }, () => engine.fires(rule!, 'PutRecords'));
    };
    expect(decisions(3)).toEqual(decisions(3));
    expect(decisions(3)).not.toEqual(decisions(4));
    const fired = decisions(3).filter(Boolean).length;
    expect(fired).toBeGreaterThan(10);
    expect(fired).toBeLessThan(30);
  });

  it('never draws a random number for rates 0 and 1, so they do not shift the sequence', () => {
    const a = new FaultEngine(9);
    const b = new FaultEngine(9);
    expect(a.chance(1)).toBe(true);
    expect(a.chance(0)).toBe(false);
    expect(a.random()).toBe(b.random());
  });

  it('throws the first firing rule’s error and counts it by name or socket code', async () => {
    const engine = new FaultEngine(1);
    const callErrors = rules([
      { operations: ['ListShards'], error: 'LimitExceededException' },
      { error: 'ECONNRESET' },
    ]);
    await expect(engine.beforeSend([], callErrors, 'ListShards', {})).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    await expect(engine.beforeSend([], callErrors, 'PutRecords', {})).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    expect(engine.stats().byError).toEqual({ LimitExceededException: 1, ECONNRESET: 1 });
    engine.resetStats();
    expect(engine.stats().callErrors).toBe(0);
  });

  it('uses a function as the error factory', async () => {
    const engine = new FaultEngine(1);
    const custom = new Error('boom');
    const callErrors = rules([{ error: (operation: string) => Object.assign(custom, { operation }) }]);
    await expect(engine.beforeSend([], callErrors, 'PutRecord', {})).rejects.toBe(custom);
    expect(custom).toMatchObject({ operation: 'PutRecord' });
  });

  it('delays by delayMs plus a seeded jitter below jitterMs', () => {
    const engine = new FaultEngine(5);
    const latency = resolveLatencyRules('latency', [
      { operations: ['GetRecords'], delayMs: 100, jitterMs: 50 },
    ]);
    expect(engine.delayFor(latency, 'PutRecords')).toBe(0);
    const delay = engine.delayFor(latency, 'GetRecords');
    expect(delay).toBeGreaterThanOrEqual(100);
    expect(delay).toBeLessThan(150);
  });
});

describe('rule validation', () => {
  it('rejects an unknown rule field, an unknown error name and a rate out of range, naming the field', () => {
    expect(() => rules([{ error: 'ThrottlingException', rat: 0.5 }])).toThrow(ValidationError);
    expect(() => rules([{ error: 'ThrottlingException', rat: 0.5 }])).toThrow(
      /callErrors\[0\] has no option named 'rat'/,
    );
    expect(() => rules([{ error: 'Nope' }])).toThrow(/callErrors\[0\]\.error/);
    expect(() => rules([{ error: 'ThrottlingException', rate: 1.5 }])).toThrow(/callErrors\[0\]\.rate/);
    expect(() => rules([{ error: 'ThrottlingException', firstCalls: -1 }])).toThrow(/firstCalls/);
    expect(() => resolveLatencyRules('latency', [{ jitterMs: 5 }])).toThrow(/latency\[0\]\.delayMs/);
  });

  it('says what a numeric rule field got, quoting a string so "0.5" is not taken for 0.5', () => {
    expect(() => rules([{ error: 'ThrottlingException', rate: '0.5' }])).toThrow(
      'Invalid callErrors[0].rate: got the string "0.5" (allowed: a number from 0 to 1)',
    );
    expect(() => rules([{ error: 'ThrottlingException', firstCalls: '2' }])).toThrow(
      'Invalid callErrors[0].firstCalls: got the string "2" (allowed: an integer >= 0)',
    );
    expect(() => resolveLatencyRules('latency', [{ delayMs: Number.NaN }])).toThrow(
      'Invalid latency[0].delayMs: got NaN (allowed: a number of milliseconds >= 0)',
    );
    expect(() => rules([{ error: 'ThrottlingException' }, 'oops'])).toThrow(
      'Invalid callErrors[1]: got the string "oops" (allowed: an object)',
    );
  });

  it('strips the Command suffix from operation names', () => {
    expect(operationName('PutRecordsCommand')).toBe('PutRecords');
    expect(operationName('PutRecords')).toBe('PutRecords');
  });
});
