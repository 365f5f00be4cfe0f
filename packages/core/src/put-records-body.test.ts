import { KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { base64Length, writeBase64, writePutRecordsBody } from './put-records-body.js';

/** Bytes 0, 1, 2, … (mod 256) from a seed, so no two cases share their data. */
function bytes(length: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 73 + seed * 31 + 11) & 255);
}

/** What the SDK's own serializer writes for `input` (a middleware captures the body before signing). */
async function sdkBody(input: PutRecordsCommandInput): Promise<string> {
  const client = new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  let body = '';
  client.middlewareStack.add(
    () => async (args) => {
      body = Buffer.from((args.request as { body: Uint8Array }).body).toString('utf8');
      return { output: { $metadata: {}, FailedRecordCount: 0, Records: [] }, response: {} };
    },
    { step: 'build', priority: 'low', name: 'captureSdkBody' },
  );
  await client.send(new PutRecordsCommand(input));
  return body;
}

/** Our body without the alignment spaces before each Data string. */
function withoutAlignment(body: Buffer): string {
  return body.toString('utf8').replace(/"Data": {0,3}"/g, '"Data":"');
}

describe('writeBase64', () => {
  it('writes what Buffer#toString("base64") writes, for every length and alignment, with and without 32-bit stores', () => {
    const out = Buffer.allocUnsafeSlow(512);
    const words = new Uint32Array(out.buffer, 0, out.buffer.byteLength >> 2);
    for (let length = 0; length <= 100; length++) {
      const data = bytes(length, length);
      const expected = Buffer.from(data).toString('base64');
      for (let at = 0; at < 4; at++) {
        for (const view of [words, undefined]) {
          out.fill(0);
          const end = writeBase64(data, out, view, at);
          expect(end - at).toBe(base64Length(length));
          expect(out.toString('latin1', at, end)).toBe(expected);
          expect(out[end]).toBe(0); // nothing written past the end
        }
      }
    }
  });

  it('reads data at any offset of its memory', () => {
    const backing = bytes(64, 5);
    const data = backing.subarray(7, 50);
    const out = Buffer.allocUnsafeSlow(128);
    const end = writeBase64(data, out, new Uint32Array(out.buffer), 0);
    expect(out.toString('latin1', 0, end)).toBe(Buffer.from(data).toString('base64'));
  });

  it('writes into a buffer that starts inside its memory (the 32-bit stores count from the memory start)', () => {
    const data = bytes(45, 6);
    const memory = Buffer.allocUnsafeSlow(128).fill(0);
    const out = memory.subarray(1); // out[3] is the memory's byte 4
    const end = writeBase64(data, out, new Uint32Array(memory.buffer), 3);
    expect(out.toString('latin1', 3, end)).toBe(Buffer.from(data).toString('base64'));
    expect(memory[3]).toBe(0);
  });
});

describe('writePutRecordsBody', () => {
  it('writes the JSON the SDK writes, but for spaces that align each Data string', async () => {
    const input: PutRecordsCommandInput = {
      StreamName: 'orders',
      Records: [
        { Data: bytes(100), PartitionKey: 'device-1' },
        { Data: bytes(1, 1), PartitionKey: 'a', ExplicitHashKey: '170141183460469231731687303715884105728' },
        { Data: bytes(0), PartitionKey: 'empty data' },
        { Data: bytes(50_000, 2), PartitionKey: 'ünïcødé 🚀 "quoted" back\\slash \n tab\t \u0001' },
      ],
    };
    const ours = writePutRecordsBody(input);
    expect(withoutAlignment(ours)).toBe(await sdkBody(input));
  });

  it('writes the stream ARN when the input names the stream by ARN', async () => {
    const input: PutRecordsCommandInput = {
      StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
      Records: [{ Data: bytes(3), PartitionKey: 'k' }],
    };
    expect(withoutAlignment(writePutRecordsBody(input))).toBe(await sdkBody(input));
  });

  it('starts every base64 string on a 4-byte boundary, and is valid JSON with the records in order', () => {
    const records = Array.from({ length: 40 }, (_, index) => ({
      Data: bytes(index * 7, index),
      PartitionKey: `key-${'x'.repeat(index)}`,
    }));
    const body = writePutRecordsBody({ StreamName: 's', Records: records });
    const text = body.toString('latin1');
    for (const match of text.matchAll(/"Data": {0,3}"/g)) {
      expect((match.index + match[0].length) % 4).toBe(0);
    }
    const parsed = JSON.parse(body.toString('utf8')) as { Records: { Data: string; PartitionKey: string }[] };
    expect(parsed.Records.map((record) => Buffer.from(record.Data, 'base64'))).toEqual(
      records.map((record) => Buffer.from(record.Data)),
    );
    expect(parsed.Records.map((record) => record.PartitionKey)).toEqual(records.map((r) => r.PartitionKey));
  });

  it('stays within its bound for the entries that take the most bytes beyond their data', () => {
    const escaped = '\u0001"\\'.repeat(86); // 256 characters of 6-, 2- and 2-byte escapes
    const records = Array.from({ length: 500 }, (_, index) => ({
      Data: bytes(index % 4),
      PartitionKey: escaped,
      ExplicitHashKey: '340282366920938463463374607431768211455',
    }));
    const input = { StreamName: escaped, StreamARN: escaped, Records: records };
    const parsed = JSON.parse(writePutRecordsBody(input).toString('utf8')) as typeof input;
    expect(parsed.StreamARN).toBe(escaped);
    expect(parsed.Records.map((record) => record.PartitionKey)).toEqual(records.map(() => escaped));

    // Empty keys and data: only the fixed bytes of each entry (50, with 3 spaces of alignment).
    const bare = Array.from({ length: 500 }, () => ({
      Data: bytes(0),
      PartitionKey: '',
      ExplicitHashKey: '',
    }));
    const bareParsed = JSON.parse(writePutRecordsBody({ Records: bare }).toString('utf8')) as {
      Records: unknown[];
    };
    expect(bareParsed.Records).toEqual(bare.map(() => ({ Data: '', PartitionKey: '', ExplicitHashKey: '' })));
  });

  it('writes a 9.5 MiB record between small ones', () => {
    const large = bytes(9.5 * 2 ** 20 + 2, 9);
    const body = writePutRecordsBody({
      StreamName: 's',
      Records: [
        { Data: bytes(5), PartitionKey: 'a' },
        { Data: large, PartitionKey: 'b' },
        { Data: bytes(4), PartitionKey: 'c' },
      ],
    });
    const parsed = JSON.parse(body.toString('utf8')) as { Records: { Data: string }[] };
    expect(Buffer.from(parsed.Records[1]!.Data, 'base64').equals(Buffer.from(large))).toBe(true);
    expect(Buffer.from(parsed.Records[2]!.Data, 'base64')).toEqual(Buffer.from(bytes(4)));
  });
});
