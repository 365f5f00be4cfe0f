import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ListShardsInput, type ListShardsOutput, listShards } from './list-shards.js';
import { RequestTimeoutError } from './send-without-sdk-retries.js';

const command = (input: ListShardsInput) => new ListShardsCommand(input);

function shard(id: string, closed = false) {
  return {
    ShardId: id,
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' },
    SequenceNumberRange: { StartingSequenceNumber: '1', ...(closed ? { EndingSequenceNumber: '9' } : {}) },
  };
}

/** A client answering each `ListShards` with the next page, recording the requests. */
function pagedClient(pages: ListShardsOutput[]) {
  const inputs: ListShardsInput[] = [];
  const client = {
    async send(sent: ListShardsCommand, _options?: { abortSignal?: AbortSignal }) {
      inputs.push(sent.input as ListShardsInput);
      const page = pages.shift();
      if (!page) throw new Error('no more pages');
      return page;
    },
  };
  return { client, inputs };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('listShards', () => {
  it('follows NextToken and sends later pages with the token only, as Kinesis requires', async () => {
    const { client, inputs } = pagedClient([
      { Shards: [shard('shardId-0', true)], NextToken: 't1' },
      { Shards: [shard('shardId-1')], NextToken: 't2' },
      { Shards: [shard('shardId-2')] },
    ]);
    const shards = await listShards(client, { streamName: 'orders' }, { command, filter: 'AT_LATEST' });
    expect(shards.map((s) => s.shardId)).toEqual(['shardId-0', 'shardId-1', 'shardId-2']);
    expect(inputs).toEqual([
      { StreamName: 'orders', ShardFilter: { Type: 'AT_LATEST' }, MaxResults: 1000 },
      { NextToken: 't1', MaxResults: 1000 },
      { NextToken: 't2', MaxResults: 1000 },
    ]);
  });

  it('describes each shard with its lineage, hash range and sequence range', async () => {
    const { client, inputs } = pagedClient([
      {
        Shards: [{ ...shard('shardId-2', true), ParentShardId: 'shardId-0', AdjacentParentShardId: '' }, {}],
      },
    ]);
    const shards = await listShards(
      client,
      { streamArn: 'arn:aws:kinesis:r:123456789012:stream/s' },
      { command },
    );
    expect(inputs[0]).toEqual({ StreamARN: 'arn:aws:kinesis:r:123456789012:stream/s', MaxResults: 1000 });
    expect(shards).toEqual([
      {
        shardId: 'shardId-2',
        parentShardId: 'shardId-0',
        adjacentParentShardId: undefined,
        startingHashKey: '0',
        endingHashKey: '340282366920938463463374607431768211455',
        startingSequenceNumber: '1',
        endingSequenceNumber: '9',
      },
    ]);
  });

  it('rejects with RequestTimeoutError when a page takes longer than timeoutMs', async () => {
    vi.useFakeTimers();
    const client = { send: () => new Promise<never>(() => {}) };
    const listing = listShards(client, { streamName: 'orders' }, { command, timeoutMs: 5_000 });
    const outcome = expect(listing).rejects.toBeInstanceOf(RequestTimeoutError);
    await vi.advanceTimersByTimeAsync(5_000);
    await outcome;
  });

  it('gives each page its own timeoutMs', async () => {
    vi.useFakeTimers();
    const answers = [{ Shards: [shard('shardId-0')], NextToken: 't' }, { Shards: [shard('shardId-1')] }];
    const client = {
      send: () => new Promise((resolve) => setTimeout(() => resolve(answers.shift()), 3_000)),
    };
    const listing = listShards(client, { streamName: 'orders' }, { command, timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(6_000);
    await expect(listing).resolves.toHaveLength(2);
  });

  it('rejects with the signal’s reason when aborted, during a page or before one', async () => {
    const controller = new AbortController();
    const client = {
      // as the SDK's HTTP handlers do: the call rejects with the signal's reason when it aborts
      send: (_command: unknown, options: { abortSignal: AbortSignal }) =>
        new Promise<never>((_, reject) =>
          options.abortSignal.addEventListener('abort', () => reject(options.abortSignal.reason)),
        ),
    };
    const listing = listShards(client, { streamName: 'orders' }, { command, abortSignal: controller.signal });
    controller.abort(new Error('stopping'));
    await expect(listing).rejects.toThrow('stopping');
    const { client: unused, inputs } = pagedClient([]);
    await expect(
      listShards(unused, { streamName: 'orders' }, { command, abortSignal: controller.signal }),
    ).rejects.toThrow('stopping');
    expect(inputs).toEqual([]);
  });

  it('sends without the SDK’s retries unless sdkRetries is set, and wraps each call', async () => {
    const { client } = pagedClient([{ Shards: [] }, { Shards: [] }]);
    const added: string[] = [];
    const spying = (input: ListShardsInput) => {
      const sent = command(input);
      const add = sent.middlewareStack.add.bind(sent.middlewareStack);
      sent.middlewareStack.add = ((middleware: never, options: { name: string }) => {
        added.push(options.name);
        return add(middleware, options as never);
      }) as never;
      return sent;
    };
    await listShards(client, { streamName: 'a' }, { command: spying });
    expect(added).toEqual(['kinesisTsSuppressSdkRetries']);
    const wrapped: number[] = [];
    await listShards(
      client,
      { streamName: 'a' },
      {
        command: spying,
        sdkRetries: true,
        wrap: (call) => {
          wrapped.push(1);
          return call();
        },
      },
    );
    expect(added).toHaveLength(1);
    expect(wrapped).toEqual([1]);
  });
});
