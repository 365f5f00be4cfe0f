import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { readLeases, useLocalStack, useTestStreams, waitFor } from '../local-stack.js';
import { startWorkerProcess, type WorkerProcess } from '../worker-process-handle.js';

const FAILOVER_MS = 2_000;
const local = useLocalStack();
const createStream = useTestStreams(local);
const kinesis = local.kinesisClient();
const dynamoDb = local.dynamoDbClient();
const processes: WorkerProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});

/** Puts `perKey` records for each of `keys` keys, data `<key>:<i>` in order, one PutRecords per round. */
async function putOrdered(streamName: string, keys: number, perKey: number, from = 0): Promise<string[]> {
  const sent: string[] = [];
  for (let i = from; i < from + perKey; i++) {
    const records = [];
    for (let k = 0; k < keys; k++) {
      records.push({ PartitionKey: `k${k}`, Data: new TextEncoder().encode(`k${k}:${i}`) });
      sent.push(`${streamName}/k${k}/k${k}:${i}`);
    }
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));
    if (out.FailedRecordCount) throw new Error('put failed');
  }
  return sent;
}

/**
 * Whether, in what one worker delivered, every key's records come in order: each record is the next
 * one of its key, or starts a replay (at or before the last one: a lease taken back resumes from the
 * last checkpoint, so some records come twice). A record after a gap would be out of order.
 */
function keysInOrder(delivered: readonly string[]): boolean {
  const last = new Map<string, number>();
  for (const entry of delivered) {
    const [stream, key, data] = entry.split('/') as [string, string, string];
    const index = Number(data.split(':')[1]);
    const previous = last.get(`${stream}/${key}`);
    if (previous !== undefined && index > previous + 1) return false;
    last.set(`${stream}/${key}`, index);
  }
  return true;
}

describe('a multi-stream application over worker processes', () => {
  it('shares 3 streams × 2 shards between 2 processes and, when one is SIGKILLed, the other delivers everything in key order', async () => {
    const streams = [uniqueName('msk-a'), uniqueName('msk-b'), uniqueName('msk-c')];
    await Promise.all(streams.map((name) => createStream(name, 2)));
    const applicationName = uniqueName('msk-app');
    const config = { ...local, streamName: '', streams, applicationName, failoverTimeMs: FAILOVER_MS };
    const victim = startWorkerProcess({ ...config, workerId: 'victim' });
    const survivor = startWorkerProcess({ ...config, workerId: 'survivor' });
    processes.push(victim, survivor);
    await Promise.all([victim.started, survivor.started]);
    await waitFor(
      () => victim.held().length === 3 && survivor.held().length === 3,
      'three leases each',
      30_000,
      100,
    );
    // Written once the leases are balanced, so that no lease moves while they are read.
    const sent: string[] = [];
    for (const name of streams) sent.push(...(await putOrdered(name, 8, 5)));
    const delivered = () => new Set([...victim.keys(), ...survivor.keys()]);
    await waitFor(() => sent.every((key) => delivered().has(key)), 'the first records', 30_000, 100);
    await victim.kill();
    for (const name of streams) sent.push(...(await putOrdered(name, 8, 5, 5)));
    await waitFor(() => survivor.held().length === 6, 'the survivor to take every lease', 30_000, 100);
    await waitFor(() => sent.every((key) => delivered().has(key)), 'every record', 30_000, 100);
    expect(keysInOrder(victim.keys())).toBe(true);
    expect(keysInOrder(survivor.keys())).toBe(true);
    // Every record came with the stream it was written to.
    expect([...delivered()].every((key) => streams.includes(key.split('/')[0]!))).toBe(true);
    const leases = await readLeases(dynamoDb, applicationName);
    expect(leases.size).toBe(6);
    for (const key of leases.keys()) expect(key).toMatch(/^\d{12}:msk-[^:]+:\d+:shardId-\d{12}$/);
  }, 120_000);
});
