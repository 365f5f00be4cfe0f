import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as types from './index.js';
import * as api from './index.js';

/**
 * The values `@kinesis-ts/producer` exports, sorted: what docs/, examples/, benchmarks/ and the
 * other packages use (the producer, its errors, the default options, the helpers for partition keys
 * and shard counts, the silent logger). Anything else in src/ (the pipeline's stages above all) is
 * internal and may change freely. Adding a name here is a deliberate decision: it becomes API to keep.
 *
 * Type-only exports (`PutResult`, `Attempt`, `KinesisProducerOptions`, `ProducerEvents`,
 * `ProducerMetrics`, `HotSpot`, `OpenShard`…) are erased at compile time, so `Object.keys` of the
 * module cannot see them and this test cannot hold them to a list: review `index.ts` for those. The
 * type check (`tsc`, which covers this file) at least fails when one of the types docs/ and examples/
 * use disappears: see the last test.
 */
const PUBLIC_VALUES = [
  'BufferFullError',
  'DEFAULT_PRODUCER_OPTIONS',
  'KinesisProducer',
  'OversizedRecordError',
  'ProducerClosedError',
  'ProducerErrorCode',
  'ProducerWritableError',
  'RecordFailedError',
  'SILENT_LOGGER',
  'bucketedPartitionKey',
  'checkReadCapacity',
  'requiredShards',
];

describe('the public API', () => {
  it('exports exactly the allowed values', () => {
    expect(Object.keys(api).sort()).toEqual(PUBLIC_VALUES);
  });

  it('keeps its allowlist sorted, so a new export shows as one line in review', () => {
    expect([...PUBLIC_VALUES].sort()).toEqual(PUBLIC_VALUES);
  });

  it('keeps the types docs/ and examples/ name (checked by tsc, not at run time)', () => {
    expectTypeOf<types.PutResult['attempts']>().toEqualTypeOf<readonly types.Attempt[]>();
    expectTypeOf<types.HotSpot>().toHaveProperty('share');
    expectTypeOf<types.ProducerMetrics>().toHaveProperty('stream');
    expectTypeOf<types.ReadCapacityCheck>().not.toBeNever();
    expectTypeOf<types.WriteLoad>().not.toBeNever();
    expectTypeOf<types.Logger>().not.toBeNever();
  });
});
