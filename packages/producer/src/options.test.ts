import { readFileSync } from 'node:fs';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { optionTables, tableDisagreements, tsdocDisagreements } from '../../core/test/option-docs.js';
import {
  DEFAULT_PRODUCER_OPTIONS,
  type KinesisProducerOptions,
  PRODUCER_OPTION_SPECS,
  resolveProducerOptions,
} from './options.js';

const client = new KinesisClient({ region: 'us-east-1' });
const valid: KinesisProducerOptions = { streamName: 'orders', client };

function errorOf(options: object): ValidationError {
  try {
    resolveProducerOptions({ ...valid, ...options } as KinesisProducerOptions);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('resolveProducerOptions', () => {
  it('applies every default of DEFAULT_PRODUCER_OPTIONS', () => {
    const resolved = resolveProducerOptions(valid);
    for (const [name, value] of Object.entries(DEFAULT_PRODUCER_OPTIONS)) {
      expect(resolved[name as keyof typeof resolved], name).toEqual(value);
    }
    expect(resolved).toMatchObject({
      streamName: 'orders',
      client,
      maxRequestEntries: 500,
      whenBufferFull: 'wait',
    });
  });

  it('takes undefined as not given, and refuses null', () => {
    expect(resolveProducerOptions({ ...valid, maxBufferedTimeMs: undefined }).maxBufferedTimeMs).toBe(100);
    for (const field of ['maxBufferedTimeMs', 'aggregation', 'whenBufferFull', 'retryBackoff', 'random']) {
      const error = errorOf({ [field]: null });
      expect(error.field, field).toBe(field);
      expect(error.message, field).toContain('got null');
    }
  });

  it('suggests the option meant by a misspelt one', () => {
    expect(errorOf({ aggregate: false }).message).toContain("did you mean 'aggregation'?");
  });

  it('fills a backoff field left out from the default', () => {
    expect(
      resolveProducerOptions({ ...valid, retryBackoff: { maxDelayMs: 1_000 } as never }).retryBackoff,
    ).toEqual({ baseDelayMs: 100, maxDelayMs: 1_000 });
  });
});

describe('the producer options as documented', () => {
  const source = readFileSync(new URL('./options.ts', import.meta.url), 'utf8');
  const docs = readFileSync(new URL('../../../docs/producer.md', import.meta.url), 'utf8');

  it('have in their TSDoc the defaults and ranges of the specs', () => {
    expect(tsdocDisagreements(source, 'KinesisProducerOptions', PRODUCER_OPTION_SPECS)).toEqual([]);
  });

  it('have in the docs/producer.md table the defaults and ranges of the specs', () => {
    const tables = [...optionTables(docs).values()];
    expect(tables).toHaveLength(1);
    expect(tableDisagreements(tables[0]!, PRODUCER_OPTION_SPECS, 'docs/producer.md')).toEqual([]);
  });
});
