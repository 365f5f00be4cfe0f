import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { KinesisTsError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import type { LocalStackEndpoints } from './clients';
import { connectLocalStack } from './connection';
import { startLocalStack } from './local-stack';
import { resolveLocalStackOptions } from './options';
import { isPortAcceptingConnections } from './ports';
import { createLocalStackGlobalSetup } from './vitest-global-setup';

describe('startLocalStack with s3', () => {
  it('starts a local S3 beside Kinesis and DynamoDB, with its buckets, and stops it with them', async () => {
    const stack = await startLocalStack({ s3: true, s3Buckets: ['claims'] });
    let s3Port: number;
    try {
      expect(stack.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      s3Port = Number(new URL(stack.s3Endpoint!).port);
      const object = `${stack.s3Endpoint}/claims/a/b.bin`;
      const put = await fetch(object, { method: 'PUT', body: new Uint8Array([1, 2, 3]) });
      expect(put.status).toBe(200);
      const got = await fetch(object);
      expect(new Uint8Array(await got.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
      await stack.kinesisClient().send(new ListStreamsCommand({}));
      // What points the AWS CLI and SDKs here names the S3 endpoint too.
      expect(stack.environment().AWS_ENDPOINT_URL_S3).toBe(stack.s3Endpoint);
    } finally {
      await stack.stop();
    }
    expect(await isPortAcceptingConnections(s3Port)).toBe(false);
  });

  it('starts no S3 server unless asked', async () => {
    const stack = await startLocalStack();
    try {
      expect(stack.s3Endpoint).toBeUndefined();
      expect(stack.environment()).not.toHaveProperty('AWS_ENDPOINT_URL_S3');
    } finally {
      await stack.stop();
    }
  });

  it('refuses s3Buckets without s3, and a bad bucket name, naming the option', () => {
    const errorOf = (options: object) => {
      try {
        resolveLocalStackOptions(options);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const without = errorOf({ s3Buckets: ['claims'] });
    expect(KinesisTsError.hasCode(without, 'INVALID_OPTION')).toBe(true);
    expect(without).toMatchObject({ field: 's3Buckets' });
    expect(errorOf({ s3: true, s3Buckets: ['Bad_Name'] })).toMatchObject({ field: 's3Buckets' });
  });

  it("provides the S3 endpoint through the vitest global setup to the tests' connection", async () => {
    let provided: LocalStackEndpoints | undefined;
    const project = {
      provide: (_key: string, value: LocalStackEndpoints) => {
        provided = value;
      },
    } as unknown as TestProject;
    const teardown = await createLocalStackGlobalSetup({ s3: true, s3Buckets: ['claims'] })(project);
    try {
      const local = connectLocalStack(provided!);
      expect(local.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const put = await fetch(`${local.s3Endpoint}/claims/k`, { method: 'PUT', body: 'x' });
      expect(put.status).toBe(200);
      local.close();
    } finally {
      await teardown();
    }
  });
});
