import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ReferenceAggregatedRecordBuilder,
  referenceEncodeAggregatedRecord,
} from '../test/reference-aggregate-encoder.js';
import { AggregatedRecordBuilder, encodeAggregatedRecord } from './aggregated-record-builder.js';
import { MAX_HASH_KEY } from './limits.js';
import { MAX_TABLE_KEYS } from './partition-key-index.js';
import type { UserRecord } from './record.js';

// The encoder was rewritten for speed (issue 16); KPL byte compatibility means its output must be the
// old encoder's, byte for byte. These tests compare both on random inputs.

const asciiKey = fc.string({ minLength: 1, maxLength: 40 });
const uuidKey = fc.uuid();
/** Up to 256 characters: keys of 128 and more take a two-byte length varint. */
const longAsciiKey = fc.string({ minLength: 120, maxLength: 256 });
const unicodeKey = fc
  .string({ minLength: 1, maxLength: 256, unit: 'grapheme' })
  .filter((key) => key.length <= 256);
/** Latin-1 characters (one UTF-16 unit, two UTF-8 bytes): a latin1 write would get them wrong. */
const latin1Key = fc.string({
  minLength: 1,
  maxLength: 200,
  unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)),
});
const anyKey = fc.oneof(
  { weight: 4, arbitrary: asciiKey },
  { weight: 2, arbitrary: uuidKey },
  { weight: 1, arbitrary: longAsciiKey },
  { weight: 2, arbitrary: unicodeKey },
  { weight: 1, arbitrary: latin1Key },
);

const explicitHashKey = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_HASH_KEY }).map(String),
  fc.bigInt({ min: 0n, max: MAX_HASH_KEY }),
  fc.bigInt({ min: 0n, max: 1000n }).map((key) => ` 00${key} `),
  fc.constantFrom('0', '1', '007', '7'),
);

const data = fc.oneof(
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 16_000, maxLength: 20_000 }) },
  {
    weight: 1,
    // A view into a larger buffer, as a Buffer from Node's pool often is.
    arbitrary: fc
      .tuple(fc.uint8Array({ minLength: 10, maxLength: 200 }), fc.nat(5))
      .map(([bytes, offset]) => new Uint8Array(bytes.buffer, offset, bytes.length - offset)),
  },
);

/** Records whose keys come from a small pool (so they repeat) or are drawn fresh. */
const records = fc
  .tuple(fc.array(anyKey, { minLength: 1, maxLength: 12 }), fc.boolean(), fc.nat(100))
  .chain(([pool, fresh, ehkPercent]) =>
    fc.array(
      fc.record({
        partitionKey: fresh ? fc.oneof(anyKey, fc.constantFrom(...pool)) : fc.constantFrom(...pool),
        data,
        explicitHashKey: fc.option(explicitHashKey, {
          freq: Math.max(1, Math.floor(100 / (ehkPercent + 1))),
        }),
      }),
      { minLength: 1, maxLength: 200 },
    ),
  )
  .map((list) =>
    list.map(
      ({ explicitHashKey: ehk, ...rest }): UserRecord =>
        ehk === null ? rest : { ...rest, explicitHashKey: ehk },
    ),
  );

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

describe('the encoder against the encoder before its rewrite', () => {
  it('encodeAggregatedRecord writes the same bytes on random records', () => {
    fc.assert(
      fc.property(records, (list) => {
        expect(hex(encodeAggregatedRecord(list))).toBe(hex(referenceEncodeAggregatedRecord(list)));
      }),
      { numRuns: 400 },
    );
  });

  it('writes the same bytes for one record, for 300 distinct UUID keys and for 300 records over 20 keys', () => {
    const payload = (i: number) => Uint8Array.from({ length: 100 }, (_, j) => (i * 31 + j) & 0xff);
    const cases: UserRecord[][] = [
      [{ partitionKey: 'k', data: new Uint8Array(0) }],
      [{ partitionKey: 'ключ', data: payload(1), explicitHashKey: '42' }],
      Array.from({ length: 300 }, (_, i) => ({ partitionKey: randomUUID(), data: payload(i) })),
      Array.from({ length: 300 }, (_, i) => ({ partitionKey: `device-${i % 20}`, data: payload(i) })),
      Array.from({ length: 300 }, (_, i) => ({
        partitionKey: `${'k'.repeat(200)}${i}`,
        data: payload(i),
        explicitHashKey: BigInt(i) * 1_000_000_007n,
      })),
      [{ partitionKey: 'big', data: new Uint8Array(3 * 1024 * 1024).fill(9) }],
      // Keys equal at every position the key index samples: its probe chains overflow into a Map.
      Array.from({ length: 300 }, (_, i) => ({
        partitionKey: `aaaaa${String(i % 150).padStart(4, '0')}aaaaaaaaaaa`,
        data: payload(i),
      })),
      // More records than the key index's table takes: a Map from the start.
      Array.from({ length: MAX_TABLE_KEYS + 1 }, (_, i) => ({
        partitionKey: `key-${i % 5000}`,
        data: payload(i).subarray(0, 3),
      })),
    ];
    for (const list of cases) {
      expect(hex(encodeAggregatedRecord(list))).toBe(hex(referenceEncodeAggregatedRecord(list)));
    }
  });

  it('AggregatedRecordBuilder encodes and builds the same, with and without pre-validated records, when reused', () => {
    fc.assert(
      fc.property(fc.array(records, { minLength: 1, maxLength: 3 }), (batches) => {
        const ours = new AggregatedRecordBuilder();
        const oursTrusting = new AggregatedRecordBuilder({ recordsAreValidated: true });
        const reference = new ReferenceAggregatedRecordBuilder();
        for (const list of batches) {
          ours.reset();
          oursTrusting.reset();
          reference.reset();
          for (const record of list) {
            ours.add(record);
            reference.add(record);
            oursTrusting.add(
              record.explicitHashKey === undefined
                ? record
                : { ...record, explicitHashKey: BigInt(String(record.explicitHashKey).trim()).toString() },
            );
          }
          const expected = hex(reference.encode());
          expect(hex(ours.encode())).toBe(expected);
          expect(hex(oursTrusting.encode())).toBe(expected);
          expect(ours.aggregatedSizeBytes).toBe(reference.aggregatedSizeBytes);
          const entry = ours.build();
          const referenceEntry = reference.build();
          expect({ ...entry, data: hex(entry.data) }).toEqual({
            ...referenceEntry,
            data: hex(referenceEntry.data),
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('AggregatedRecordBuilder takes and refuses the same records under size limits', () => {
    fc.assert(
      fc.property(records, fc.integer({ min: 30, max: 3000 }), fc.nat(50), (list, maxBytes, maxCount) => {
        const limits = {
          maxAggregateSizeBytes: maxBytes,
          maxRecordSizeBytes: maxBytes + 100,
          maxUserRecords: maxCount + 1,
        };
        const ours = new AggregatedRecordBuilder();
        const reference = new ReferenceAggregatedRecordBuilder();
        for (const record of list) {
          const taken = reference.tryAdd(record, limits);
          expect(ours.tryAdd(record, limits)).toBe(taken);
          if (!taken) {
            expect(hex(ours.encode())).toBe(hex(reference.encode()));
            ours.reset();
            reference.reset();
            ours.add(record);
            reference.add(record);
          }
        }
        expect(hex(ours.encode())).toBe(hex(reference.encode()));
        expect(ours.entrySizeBytes).toBe(reference.entrySizeBytes);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses the same invalid records with the same error', () => {
    const invalid = fc.constantFrom<UserRecord>(
      { partitionKey: '', data: new Uint8Array(1) },
      { partitionKey: 'k'.repeat(257), data: new Uint8Array(1) },
      { partitionKey: 'lone \uD800 surrogate', data: new Uint8Array(1) },
      { partitionKey: 5 as never, data: new Uint8Array(1) },
      { partitionKey: 'k', data: 'text' as never },
      { partitionKey: 'k', data: new Uint8Array(1), explicitHashKey: '-1' },
      { partitionKey: 'k', data: new Uint8Array(1), explicitHashKey: (MAX_HASH_KEY + 1n).toString() },
    );
    fc.assert(
      fc.property(records, invalid, fc.nat(), (list, bad, position) => {
        const withBad = [...list];
        withBad.splice(position % (list.length + 1), 0, bad);
        const thrown = (encode: () => unknown) => {
          try {
            encode();
          } catch (error) {
            return { error: String(error), code: (error as { code?: string }).code };
          }
          return undefined;
        };
        const expected = thrown(() => referenceEncodeAggregatedRecord(withBad));
        expect(expected).toBeDefined();
        expect(thrown(() => encodeAggregatedRecord(withBad))).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('encodes the same when reading a record runs another encode (a getter)', () => {
    const inner: UserRecord[] = [
      { partitionKey: 'inner-1', data: new Uint8Array(50).fill(1) },
      { partitionKey: 'inner-2', data: new Uint8Array(70).fill(2) },
    ];
    let innerBytes = '';
    const tricky = {
      partitionKey: 'outer-2',
      get data(): Uint8Array {
        innerBytes = hex(encodeAggregatedRecord(inner));
        return new Uint8Array(90).fill(3);
      },
    };
    const outer: UserRecord[] = [{ partitionKey: 'outer-1', data: new Uint8Array(80).fill(4) }, tricky];
    const expected = hex(referenceEncodeAggregatedRecord(outer));
    expect(hex(encodeAggregatedRecord(outer))).toBe(expected);
    expect(innerBytes).toBe(hex(referenceEncodeAggregatedRecord(inner)));
  });
});

describe('AggregatedRecordBuilder when data changes size after it was added', () => {
  it('refuses to encode rather than send bytes it never wrote', () => {
    // A resizable ArrayBuffer (ES2024, in Node 20; the project's TypeScript lib predates it).
    const Resizable = ArrayBuffer as unknown as new (
      bytes: number,
      options: { maxByteLength: number },
    ) => ArrayBuffer & { resize(bytes: number): void };
    const resizable = new Resizable(100, { maxByteLength: 200 });
    const builder = new AggregatedRecordBuilder();
    builder.add({ partitionKey: 'a', data: new Uint8Array(10).fill(1) });
    builder.add({ partitionKey: 'b', data: new Uint8Array(resizable) });
    resizable.resize(40);
    let error: unknown;
    try {
      builder.encode();
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'INVALID_DATA', field: 'data' });
  });
});
