import { KinesisClient } from '@aws-sdk/client-kinesis';
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
