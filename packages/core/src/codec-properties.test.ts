import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AggregatedRecordBuilder, encodeAggregatedRecord } from './aggregated-record-builder.js';
import { deaggregate } from './deaggregate.js';
import { MAX_HASH_KEY } from './limits.js';
import type { UserRecord } from './record.js';

const partitionKey = fc
  .string({ minLength: 1, maxLength: 256, unit: 'grapheme' })
  .filter((k) => k.length <= 256);
const explicitHashKey = fc.option(fc.bigInt({ min: 0n, max: MAX_HASH_KEY }).map(String), { nil: undefined });
const userRecord: fc.Arbitrary<UserRecord> = fc
  .record({ partitionKey, data: fc.uint8Array({ maxLength: 300 }), explicitHashKey })
  .map(({ explicitHashKey: ehk, ...rest }) => (ehk === undefined ? rest : { ...rest, explicitHashKey: ehk }));
const userRecords = fc.array(userRecord, { minLength: 1, maxLength: 40 });

const SEQUENCE = '49590338271490256608559692538361571095921575989136588898';

describe('codec properties', () => {
  it('decodes every encoded list of records back to the same records, in order', () => {
    fc.assert(
      fc.property(userRecords, (records) => {
        const out = deaggregate({
          partitionKey: 'a',
          data: encodeAggregatedRecord(records),
          sequenceNumber: SEQUENCE,
        });
        expect(out).toHaveLength(records.length);
        out.forEach((decoded, index) => {
          const original = records[index]!;
          expect(decoded.partitionKey).toBe(original.partitionKey);
          expect(Buffer.from(decoded.data).equals(Buffer.from(original.data))).toBe(true);
          expect(decoded.explicitHashKey).toBe(original.explicitHashKey);
          expect(decoded.subSequenceNumber).toBe(index);
          expect(decoded.aggregated).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('predicts the exact encoded size before every addition', () => {
    fc.assert(
      fc.property(userRecords, (records) => {
        const builder = new AggregatedRecordBuilder();
        for (const record of records) {
          const predicted = builder.aggregatedSizeWith(record);
          builder.add(record);
          expect(builder.aggregatedSizeBytes).toBe(predicted);
        }
        expect(builder.encode().byteLength).toBe(builder.aggregatedSizeBytes);
        const entry = builder.build();
        expect(entry.data.byteLength).toBe(builder.dataSizeBytes);
        expect(entry.data.byteLength + Buffer.byteLength(entry.partitionKey)).toBe(builder.entrySizeBytes);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws while deaggregating arbitrary bytes, framed or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (body, framed) => {
        const data = framed ? Buffer.concat([Buffer.from('f3899ac2', 'hex'), body]) : Buffer.from(body);
        const out = deaggregate(
          { partitionKey: 'p', data, sequenceNumber: SEQUENCE },
          { verifyChecksum: false },
        );
        expect(Array.isArray(out)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
