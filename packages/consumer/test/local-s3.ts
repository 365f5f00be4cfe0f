/**
 * A local S3 server with one bucket for the claim-check integration tests: started before the file's
 * tests, stopped after them, with an S3 client pointed at it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { type LocalS3, startLocalS3 } from '@kinesis-ts/local';
import { afterAll, beforeAll } from 'vitest';

/** The server and its client, set once `beforeAll` has run. */
export interface TestS3 {
  readonly server: LocalS3;
  readonly client: S3Client;
}

/** Starts a local S3 holding `bucket` for the tests of the calling file. */
export function useLocalS3(bucket: string): { current(): TestS3 } {
  let server: LocalS3 | undefined;
  let client: S3Client | undefined;
  beforeAll(async () => {
    server = await startLocalS3({ buckets: [bucket] });
    client = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  return {
    current: () => {
      if (!server || !client) throw new Error('useLocalS3: the local S3 is not started yet');
      return { server, client };
    },
  };
}
