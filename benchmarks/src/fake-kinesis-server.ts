/**
 * A fast stand-in for Kinesis, for benchmarks: an HTTP/1.1 server that speaks the JSON protocol of
 * `ListShards` and `PutRecords` and nothing else. Started in a child process (so its work does not
 * land on the benchmarked core) by `startFakeKinesis()`; it reports its port over IPC.
 *
 * Modes:
 * - `unlimited`: every entry is accepted;
 * - `shard-limits`: each shard accepts 1,000 records/s and 1 MiB/s (a token bucket holding one second),
 *   and entries beyond that fail with `ProvisionedThroughputExceededException`, as Kinesis does;
 * - `throttle-all`: every entry fails with `ProvisionedThroughputExceededException`.
 */
import { fork } from 'node:child_process';
import { hash } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

export type FakeKinesisMode = 'unlimited' | 'shard-limits' | 'throttle-all';

export interface FakeKinesis {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const MAX_HASH_KEY = (1n << 128n) - 1n;

/** Starts the server in a child process. */
export function startFakeKinesis(shardCount: number, mode: FakeKinesisMode): Promise<FakeKinesis> {
  const child = fork(fileURLToPath(import.meta.url), ['serve', String(shardCount), mode], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message: { port: number }) => {
      resolve({
        endpoint: `http://127.0.0.1:${message.port}`,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

function serve(shardCount: number, mode: FakeKinesisMode): void {
  const width = (MAX_HASH_KEY + 1n) / BigInt(shardCount);
  const shards = Array.from({ length: shardCount }, (_, i) => ({
    id: `shardId-${String(i).padStart(12, '0')}`,
    start: BigInt(i) * width,
    end: i === shardCount - 1 ? MAX_HASH_KEY : BigInt(i + 1) * width - 1n,
    records: 1000,
    bytes: 1024 * 1024,
    updatedAt: performance.now(),
    sequence: 49_000_000_000_000_000_000_000_000n,
  }));

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      let answer: unknown;
      if (target.endsWith('.ListShards')) {
        answer = {
          Shards: shards.map((s) => ({
            ShardId: s.id,
            HashKeyRange: { StartingHashKey: s.start.toString(), EndingHashKey: s.end.toString() },
            SequenceNumberRange: { StartingSequenceNumber: '0' },
          })),
        };
      } else if (target.endsWith('.PutRecords')) {
        answer = putRecords(
          body.Records as { Data: string; PartitionKey: string; ExplicitHashKey?: string }[],
        );
      } else {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'UnknownOperationException' }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answer));
    });
  });

  /** Binary search over the shards' ending hash keys. */
  function shardIndex(hashKey: bigint): number {
    let low = 0;
    let high = shards.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (shards[middle]!.end < hashKey) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  function putRecords(entries: { Data: string; PartitionKey: string; ExplicitHashKey?: string }[]) {
    const now = performance.now();
    let failed = 0;
    const Records = entries.map((entry) => {
      const hashKey =
        entry.ExplicitHashKey === undefined
          ? BigInt(`0x${hash('md5', entry.PartitionKey, 'hex')}`)
          : BigInt(entry.ExplicitHashKey);
      const shard = shards[shardIndex(hashKey)]!;
      const bytes = Buffer.byteLength(entry.Data, 'base64') + Buffer.byteLength(entry.PartitionKey);
      if (mode !== 'unlimited') {
        const elapsed = (now - shard.updatedAt) / 1000;
        shard.updatedAt = now;
        shard.records = Math.min(1000, shard.records + elapsed * 1000);
        shard.bytes = Math.min(1024 * 1024, shard.bytes + elapsed * 1024 * 1024);
        if (mode === 'throttle-all' || shard.records < 1 || shard.bytes < bytes) {
          failed++;
          return {
            ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: 'Rate exceeded for shard',
          };
        }
        shard.records -= 1;
        shard.bytes -= bytes;
      }
      shard.sequence += 1n;
      return { ShardId: shard.id, SequenceNumber: shard.sequence.toString() };
    });
    return { FailedRecordCount: failed, Records };
  }

  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
}

if (process.argv[2] === 'serve') serve(Number(process.argv[3]), process.argv[4] as FakeKinesisMode);
