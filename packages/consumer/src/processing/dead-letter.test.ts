import { describe, expect, it } from 'vitest';
import type { PoisonRecord } from '../processor/record-processor.js';
import {
  type DeadLetter,
  deadLetterTo,
  decodeDeadLetter,
  encodeDeadLetter,
  streamNameFromArn,
  toDeadLetter,
} from './dead-letter.js';
import { PartialBatchFailureError } from './processing-errors.js';

const arrival = new Date('2024-05-01T12:00:00.250Z');
const poison: PoisonRecord = {
  streamName: 'orders',
  shardId: 'shardId-000000000001',
  record: {
    partitionKey: 'user-1',
    data: new Uint8Array([0, 1, 2, 255]),
    sequenceNumber: '49545115243490985018280067714973144582180062593244200961',
    subSequenceNumber: 3,
    aggregated: true,
    explicitHashKey: '42',
    approximateArrivalTimestamp: arrival,
  },
  error: Object.assign(new TypeError('bad payload'), { code: 'E_PARSE' }),
  attempts: 5,
};

describe('dead letters', () => {
  it('carry the full metadata of the poison record (SC-34)', () => {
    const letter = toDeadLetter(poison, new Date(1_000));
    expect(letter).toEqual({
      streamName: 'orders',
      streamArn: undefined,
      shardId: 'shardId-000000000001',
      sequenceNumber: '49545115243490985018280067714973144582180062593244200961',
      subSequenceNumber: 3,
      partitionKey: 'user-1',
      explicitHashKey: '42',
      aggregated: true,
      approximateArrivalTimestamp: arrival,
      data: new Uint8Array([0, 1, 2, 255]),
      error: { name: 'TypeError', message: 'bad payload', code: 'E_PARSE' },
      attempts: 5,
      deadLetteredAt: new Date(1_000),
    });
  });

  it('copy the payload, which may be a view into bytes the consumer reuses', () => {
    const letter = toDeadLetter(poison);
    expect(letter.data).not.toBe(poison.record.data);
  });

  it('describe thrown non-errors and errors without a code', () => {
    expect(toDeadLetter({ ...poison, error: 'just a string' }).error).toEqual({
      name: 'string',
      message: 'just a string',
    });
    expect(toDeadLetter({ ...poison, error: new Error('plain') }).error).toEqual({
      name: 'Error',
      message: 'plain',
    });
    const partial = new PartialBatchFailureError([{ record: poison.record, error: 'x' }]);
    expect(toDeadLetter({ ...poison, error: partial }).error.code).toBe('PARTIAL_BATCH_FAILURE');
  });

  it('take the stream name from the ARN when only the ARN is known', () => {
    const streamArn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks';
    expect(toDeadLetter({ ...poison, streamName: undefined, streamArn }).streamName).toBe('clicks');
    expect(streamNameFromArn(`${streamArn}/consumer/app:1700000000`)).toBe('clicks');
    expect(streamNameFromArn('not an arn')).toBeUndefined();
  });

  it('round-trip through the JSON envelope, big sequence numbers as strings', () => {
    const letter = toDeadLetter(poison, new Date('2024-05-02T00:00:00Z'));
    const bytes = encodeDeadLetter(letter);
    const json = JSON.parse(new TextDecoder().decode(bytes));
    expect(json).toMatchObject({
      kinesisTsDeadLetter: 1,
      sequenceNumber: '49545115243490985018280067714973144582180062593244200961',
      data: 'AAEC/w==',
      approximateArrivalTimestamp: '2024-05-01T12:00:00.250Z',
      deadLetteredAt: '2024-05-02T00:00:00.000Z',
    });
    expect(decodeDeadLetter(bytes)).toEqual(letter);
  });

  it('refuse to decode bytes that are not a dead letter', () => {
    expect(() => decodeDeadLetter(new TextEncoder().encode('{"hello":1}'))).toThrow(
      expect.objectContaining({ code: 'INVALID_DEAD_LETTER' }),
    );
    expect(() => decodeDeadLetter(new TextEncoder().encode('not json'))).toThrow(
      expect.objectContaining({ code: 'INVALID_DEAD_LETTER', field: 'deadLetter' }),
    );
  });
});

describe('deadLetterTo', () => {
  it('hands each poison record to a sink as one letter', async () => {
    const sent: DeadLetter[][] = [];
    const hook = deadLetterTo({ send: async (letters) => void sent.push([...letters]) }, { now: () => 7 });
    await hook(poison);
    expect(sent).toHaveLength(1);
    expect(sent[0]![0]).toMatchObject({ partitionKey: 'user-1', attempts: 5, deadLetteredAt: new Date(7) });
  });

  it('takes a callback too', async () => {
    const letters: DeadLetter[] = [];
    await deadLetterTo((letter) => void letters.push(letter))(poison);
    expect(letters[0]?.subSequenceNumber).toBe(3);
  });

  it('fails when the sink fails, so the consumer does not move past the record', async () => {
    const hook = deadLetterTo(async () => {
      throw new Error('queue down');
    });
    await expect(hook(poison)).rejects.toThrow('queue down');
  });
});
