import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What s3rver (the S3 emulator) offers, as far as this package uses it. */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
  allowMismatchedSignatures: boolean;
}) => S3rverInstance;

/** The options of {@link startLocalS3}. */
export interface LocalS3Options {
  /** The port to listen on (127.0.0.1), 0 to 65 535; `0` picks a free one. @defaultValue 0 */
  readonly port?: number;
  /** Buckets created at the start. @defaultValue [] */
  readonly buckets?: readonly string[];
}

/** A local S3 server (s3rver) started by {@link startLocalS3}. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>`: give it to an `S3Client` as `endpoint`, with `forcePathStyle: true`. */
  readonly endpoint: string;
  /** Stops the server and deletes the objects it stored. */
  stop(): Promise<void>;
}

/**
 * Starts a real local S3 server (s3rver, objects in a temporary directory) for tests of code that
 * stores objects, such as the claim check of `@kinesis-ts/consumer`. Any credentials are accepted.
 * Use path-style addressing in the client (`forcePathStyle: true`).
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver') as S3rverClass;
  const directory = mkdtempSync(join(tmpdir(), 'kinesis-ts-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
    allowMismatchedSignatures: true,
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await server.close().catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
