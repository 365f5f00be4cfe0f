import { KinesisConsumer } from '@kinesis-ts/consumer';
import { uniqueName } from '@kinesis-ts/local';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, useLocalStack, useTestStreams, waitFor } from '../../test/harness.js';

const local = useLocalStack();
const createStream = useTestStreams(local);
const consumers: KinesisConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});

/** An application with a lease table and one lease per shard of `stream`, its worker stopped. */
async function applicationOf(stream: string): Promise<string> {
  const app = uniqueName('cli-missing-app');
  const worker = new KinesisConsumer({
    streamName: stream,
    applicationName: app,
    kinesisClient: local.kinesisClient(),
    dynamoDbClient: local.dynamoDbClient(),
    initialPosition: 'TRIM_HORIZON',
    retrieval: { mode: 'polling', idleTimeBetweenReadsMs: 200 },
    handler: async () => {},
  });
  consumers.push(worker);
  await worker.start();
  await waitFor(async () => {
    const leases = await cli(local, ['leases', '--app', app, '--json']);
    return leases.code === 0 && JSON.parse(leases.stdout).leases.length === 1;
  }, 'the lease');
  await worker.stop();
  return app;
}

describe('kinesis-ts lag and leases name what is missing and exit 1', () => {
  it('exits 1 from lag and leases --stream when the stream does not exist', async () => {
    const stream = await createStream(uniqueName('cli-missing'), 1);
    const app = await applicationOf(stream);
    const missing = uniqueName('cli-no-such-stream');

    const lag = await cli(local, ['lag', '--app', app, '--stream', missing]);
    expect(lag.code).toBe(1);
    expect(lag.stderr).toMatch(new RegExp(`Stream ${missing} does not exist.*\\[CLI_STREAM_NOT_FOUND\\]`));
    expect(lag.stdout).toBe('');

    const leases = await cli(local, ['leases', '--app', app, '--stream', missing]);
    expect(leases.code).toBe(1);
    expect(leases.stderr).toMatch(/\[CLI_STREAM_NOT_FOUND\]/);

    const json = await cli(local, ['lag', '--app', app, '--stream', missing, '--json']);
    expect(json.code).toBe(1);
  });

  it('exits 1 from lag and leases when the lease table does not exist', async () => {
    const stream = await createStream(uniqueName('cli-missing'), 1);
    const app = uniqueName('cli-no-such-app');

    const lag = await cli(local, ['lag', '--app', app, '--stream', stream]);
    expect(lag.code).toBe(1);
    expect(lag.stderr).toMatch(/\[ADMIN_TABLE_NOT_FOUND\]/);

    const leases = await cli(local, ['leases', '--app', app]);
    expect(leases.code).toBe(1);
    expect(leases.stderr).toMatch(/\[ADMIN_TABLE_NOT_FOUND\]/);
  });

  it('still exits 0 for a stream and table that exist', async () => {
    const stream = await createStream(uniqueName('cli-missing'), 1);
    const app = await applicationOf(stream);
    expect((await cli(local, ['lag', '--app', app, '--stream', stream])).code).toBe(0);
    expect((await cli(local, ['leases', '--app', app, '--stream', stream])).code).toBe(0);
  });
});
