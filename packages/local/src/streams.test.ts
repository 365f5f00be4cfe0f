import { KinesisClient, LimitExceededException } from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { connectLocalStack } from './connection';
import { createStreamAndWait, deleteStreamAndWait } from './streams';

// Validation happens before anything is sent: this client points nowhere and never makes a request.
const kinesis = new KinesisClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});

describe('stream and connection options', () => {
  it('rejects unknown and out-of-range wait options of createStream and deleteStream, naming them', async () => {
    await expect(createStreamAndWait(kinesis, 's', 1, { timeoutMs: -1 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'timeoutMs',
    });
    await expect(createStreamAndWait(kinesis, 's', 1, { timeoutMS: 5 } as never)).rejects.toMatchObject({
      field: 'timeoutMS',
    });
    await expect(deleteStreamAndWait(kinesis, 's', { pollIntervalMs: 0 })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('refuses a maxRecordSizeInKiB outside 1024 to 10240, naming it', async () => {
    for (const maxRecordSizeInKiB of [1023, 10_241, 2048.5]) {
      await expect(createStreamAndWait(kinesis, 's', 1, { maxRecordSizeInKiB })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        field: 'maxRecordSizeInKiB',
      });
    }
  });

  it('creates the stream with its MaxRecordSizeInKiB', async () => {
    const sent: Record<string, unknown>[] = [];
    const client = {
      send: async (command: { input: Record<string, unknown> }) => {
        sent.push(command.input);
        return { StreamDescriptionSummary: { StreamStatus: 'ACTIVE', MaxRecordSizeInKiB: 10_240 } };
      },
    } as unknown as KinesisClient;
    await createStreamAndWait(client, 's', 2, { maxRecordSizeInKiB: 10_240 });
    expect(sent[0]).toEqual({ StreamName: 's', ShardCount: 2, MaxRecordSizeInKiB: 10_240 });
  });

  it('rejects an unknown connectLocalStack option, naming it', () => {
    expect(() =>
      connectLocalStack({
        kinesisEndpoint: 'http://127.0.0.1:4567',
        dynamoDbEndpoint: 'http://127.0.0.1:4568',
        regoin: 'eu-west-1',
      } as never),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', field: 'regoin' }));
  });
});

describe('createStream and deleteStream under the service limits', () => {
  const rateExceeded = () =>
    new LimitExceededException({
      message: 'Rate exceeded for CreateStream under account 000000000000.',
      $metadata: {},
    });

  /** A client whose calls of each operation fail with `failures[operation]` errors first. */
  function fakeClient(failures: Record<string, (() => Error)[]>, summaries: string[]) {
    const calls: string[] = [];
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        const operation = command.constructor.name.replace(/Command$/, '');
        calls.push(operation);
        const failure = failures[operation]?.shift();
        if (failure) throw failure();
        if (operation === 'DescribeStreamSummary') {
          const status = summaries.shift();
          if (status === undefined)
            throw Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' });
          return { StreamDescriptionSummary: { StreamName: 's', StreamStatus: status } };
        }
        return {};
      },
    } as unknown as KinesisClient;
    return { client, calls };
  }

  it('call again when a call is refused for its rate, until the stream is ACTIVE', async () => {
    const { client, calls } = fakeClient(
      { CreateStream: [rateExceeded, rateExceeded], DescribeStreamSummary: [rateExceeded] },
      ['CREATING', 'ACTIVE'],
    );
    const summary = await createStreamAndWait(client, 's', 1, { pollIntervalMs: 1 });
    expect(summary.StreamStatus).toBe('ACTIVE');
    expect(calls).toEqual([
      'CreateStream',
      'CreateStream',
      'CreateStream',
      'DescribeStreamSummary',
      'DescribeStreamSummary',
      'DescribeStreamSummary',
    ]);
  });

  it('delete through rate refusals too', async () => {
    const { client, calls } = fakeClient(
      { DeleteStream: [rateExceeded], DescribeStreamSummary: [rateExceeded] },
      ['DELETING'],
    );
    await deleteStreamAndWait(client, 's', { pollIntervalMs: 1 });
    expect(calls).toEqual([
      'DeleteStream',
      'DeleteStream',
      'DescribeStreamSummary',
      'DescribeStreamSummary',
      'DescribeStreamSummary',
    ]);
  });

  it('fail at once on a LimitExceededException that is not about a rate (the shard limit)', async () => {
    const shardLimit = () =>
      new LimitExceededException({ message: 'This request would exceed the shard limit', $metadata: {} });
    const { client } = fakeClient({ CreateStream: [shardLimit] }, []);
    await expect(createStreamAndWait(client, 's', 1)).rejects.toThrow('shard limit');
  });
});
