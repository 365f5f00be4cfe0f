import { describe, expect, it } from 'vitest';
import { decideShardNotFound, listedShardStatus } from './shard-status.js';

describe('listedShardStatus', () => {
  const shards = new Map([
    ['shardId-000000000000', { endingSequenceNumber: '9223372036854775807' }],
    ['shardId-000000000001', { endingSequenceNumber: undefined }],
  ]);

  it('says open for a listed shard without an ending sequence number', () => {
    expect(listedShardStatus(shards, 'shardId-000000000001')).toBe('open');
  });

  it('says closed for a listed shard with an ending sequence number', () => {
    expect(listedShardStatus(shards, 'shardId-000000000000')).toBe('closed');
  });

  it('says gone for a shard the listing does not have', () => {
    expect(listedShardStatus(shards, 'shardId-000000000002')).toBe('gone');
  });
});

describe('decideShardNotFound', () => {
  it('ends the shard only when the listing confirms it is gone', () => {
    expect(decideShardNotFound('gone')).toBe('end');
  });

  it('retries when the listing still shows the shard (open, or closed and still readable) or could not be read', () => {
    expect(decideShardNotFound('open')).toBe('retry');
    expect(decideShardNotFound('closed')).toBe('retry');
    expect(decideShardNotFound(undefined)).toBe('retry');
  });
});
