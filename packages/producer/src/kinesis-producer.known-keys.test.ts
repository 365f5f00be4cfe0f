import { partitionKeyToHashKey } from '@kinesis-ts/core';
import { afterEach, describe, expect, it } from 'vitest';
import { evenShards, fakeKinesis } from '../test/fake-kinesis.js';
import { closeProducers, producerFor, readBack, utf8 } from '../test/producer-harness.js';

afterEach(closeProducers);

/**
 * The producer validates a partition key once and remembers it (with its hash key and UTF-8 length):
 * a later record of the same key must still be checked for everything else.
 */
describe('records of a partition key seen before', () => {
  it.each([
    [
      '1 MiB + 1 byte (the size counts the key in UTF-8 bytes)',
      { data: new Uint8Array(1024 * 1024 - 5) },
      'RECORD_TOO_LARGE',
    ],
    ['data that is not bytes', { data: 'x' as unknown as Uint8Array }, 'INVALID_DATA'],
    [
      'an explicit hash key out of range',
      { data: utf8('x'), explicitHashKey: '-1' },
      'INVALID_EXPLICIT_HASH_KEY',
    ],
  ])('are still refused for %s', async (_, fields, code) => {
    const kinesis = fakeKinesis();
    const producer = producerFor(kinesis);
    const key = 'é-key'; // 6 UTF-8 bytes for 5 characters
    await producer.put({ partitionKey: key, data: utf8('first') });
    await expect(producer.put({ partitionKey: key, ...fields })).rejects.toMatchObject({ code });
    await expect(producer.put({ partitionKey: key, data: utf8('again') })).resolves.toMatchObject({
      attemptCount: 1,
    });
    expect(producer.outstandingRecords).toBe(0);
  });

  it('count their key in UTF-8 bytes and route by its hash key, as the first record of the key', async () => {
    const shards = evenShards(4);
    const kinesis = fakeKinesis({ shards });
    const producer = producerFor(kinesis);
    const key = 'ключ'; // 8 UTF-8 bytes
    const fits = new Uint8Array(1024 * 1024 - 8);
    const results = await Promise.all([
      producer.put({ partitionKey: key, data: utf8('x') }),
      producer.put({ partitionKey: key, data: fits }),
      producer.put({ partitionKey: key, data: utf8('y'), explicitHashKey: '0' }),
    ]);
    const hashKey = partitionKeyToHashKey(key);
    const owner = shards.find((s) => s.start <= hashKey && hashKey <= s.end)!;
    expect(results[0]!.shardId).toBe(owner.shardId);
    expect(results[1]!.shardId).toBe(owner.shardId);
    expect(results[2]!.shardId).toBe(shards[0]!.shardId);
    expect(readBack(kinesis.written)).toHaveLength(3);
  });
});
