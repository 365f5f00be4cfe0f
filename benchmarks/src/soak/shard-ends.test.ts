import { describe, expect, it } from 'vitest';
import type { LogLine } from './delivery-log.js';
import { openShardEnds } from './shard-ends.js';

const end = (s: string, t: number): LogLine => ({ e: 'shard-ended', w: 'w1.1', s, t });

describe('openShardEnds', () => {
  it('lists ends of shards no reshard closed, and ends that came before the reshard that closed the shard', () => {
    const ends = openShardEnds(
      [end('shardId-0', 1_500), end('shardId-1', 2_500), end('shardId-2', 6_500), end('shardId-3', 7_000)],
      [
        {
          kind: 'split',
          atMs: 5_000,
          parents: ['shardId-1', 'shardId-2'],
          children: ['shardId-4'],
          durationMs: 300,
        },
        { kind: 'split', atMs: 6_000, parents: ['shardId-3'], children: [], durationMs: 0, error: 'refused' },
      ],
      1_000,
    );
    expect(ends).toEqual([
      { shardId: 'shardId-0', workerId: 'w1.1', atMs: 500 },
      { shardId: 'shardId-1', workerId: 'w1.1', atMs: 1_500 },
      { shardId: 'shardId-3', workerId: 'w1.1', atMs: 6_000 },
    ]);
  });
});
