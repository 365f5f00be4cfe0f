import { createHash, randomUUID } from 'node:crypto';
import { CoreErrorCode, ValidationError } from '@kinesis-ts/core';
import { type DeadLetter, decodeDeadLetter } from './dead-letter.js';

/** The S3 client calls the claim check makes (an `S3Client` of `@aws-sdk/client-s3`). */
export interface ClaimCheckS3Client {
  send(command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** What becomes of a stored object once it was read back. */
export type ClaimCheckLifecycle =
  /** Kept: the bucket's own lifecycle rules (an expiration) remove it. */
  | 'keep'
  /** Deleted once read back (`resolve`): a redelivery after that cannot read it any more. */
  | 'delete-after-read';

/** The options of {@link S3ClaimCheck}. */
export interface S3ClaimCheckOptions {
  /** The user's `S3Client` (`@aws-sdk/client-s3`, an optional peer dependency of this package). */
  readonly client: ClaimCheckS3Client;
  readonly bucket: string;
  /** Put before every key. @defaultValue 'kinesis-ts/claim-check/' */
  readonly keyPrefix?: string;
  /** @defaultValue 'keep' */
  readonly lifecycle?: ClaimCheckLifecycle;
}

/** The small record written in place of a payload stored in S3. */
export interface ClaimCheckPointer {
  readonly kinesisTsClaimCheck: 1;
  readonly bucket: string;
  readonly key: string;
  /** The stored payload's size, in bytes. */
  readonly bytes: number;
  /** The SHA-256 of the stored payload, hex. */
  readonly sha256: string;
}

const MARKER = '{"kinesisTsClaimCheck":1,';

/**
 * A claim check on S3: a payload too large for a Kinesis record is stored as an object, and a small
 * pointer (`{"kinesisTsClaimCheck":1,"bucket":…,"key":…,"bytes":…,"sha256":…}`) travels in its place;
 * `resolve` reads it back. `KinesisDeadLetterSink` uses it for letters over the dead-letter stream's
 * record limit (`claimCheck`), and `resolveClaimChecks` wraps a per-record function so that it gets
 * the payloads, not the pointers.
 *
 * `@aws-sdk/client-s3` is loaded when first needed: without a claim check nothing loads it.
 */
export class S3ClaimCheck {
  readonly bucket: string;
  private readonly client: ClaimCheckS3Client;
  private readonly keyPrefix: string;
  private readonly lifecycle: ClaimCheckLifecycle;

  constructor(options: S3ClaimCheckOptions) {
    if (typeof options?.client?.send !== 'function') {
      throw new ValidationError(
        'client',
        'an S3Client',
        'S3ClaimCheck needs client',
        CoreErrorCode.INVALID_OPTION,
      );
    }
    if (typeof options.bucket !== 'string' || options.bucket === '') {
      throw new ValidationError(
        'bucket',
        'a bucket name',
        'S3ClaimCheck needs bucket',
        CoreErrorCode.INVALID_OPTION,
      );
    }
    const lifecycle = options.lifecycle ?? 'keep';
    if (lifecycle !== 'keep' && lifecycle !== 'delete-after-read') {
      throw new ValidationError(
        'lifecycle',
        "'keep' or 'delete-after-read'",
        `got ${String(lifecycle)}`,
        CoreErrorCode.INVALID_OPTION,
      );
    }
    this.client = options.client;
    this.bucket = options.bucket;
    this.keyPrefix = options.keyPrefix ?? 'kinesis-ts/claim-check/';
    this.lifecycle = lifecycle;
  }

  /** Stores `data` and returns the pointer record's bytes. */
  async store(data: Uint8Array, name: string = randomUUID()): Promise<Uint8Array> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const key = `${this.keyPrefix}${name}`;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: data,
        ContentType: 'application/octet-stream',
      }),
    );
    const pointer: ClaimCheckPointer = {
      kinesisTsClaimCheck: 1,
      bucket: this.bucket,
      key,
      bytes: data.byteLength,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
    return new TextEncoder().encode(JSON.stringify(pointer));
  }

  /** The payload a pointer stands for (checked against its size and digest); other data as it is. */
  async resolve(data: Uint8Array): Promise<Uint8Array> {
    const pointer = claimCheckPointerOf(data);
    if (pointer === undefined) return data;
    const { GetObjectCommand, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const output = (await this.client.send(
      new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }),
    )) as {
      Body?: { transformToByteArray(): Promise<Uint8Array> };
    };
    const payload = (await output.Body?.transformToByteArray()) ?? new Uint8Array(0);
    const digest = createHash('sha256').update(payload).digest('hex');
    if (payload.byteLength !== pointer.bytes || digest !== pointer.sha256) {
      throw new ValidationError(
        'claim check',
        `${pointer.bytes} bytes with SHA-256 ${pointer.sha256}`,
        `s3://${pointer.bucket}/${pointer.key} holds ${payload.byteLength} bytes with SHA-256 ${digest}`,
        CoreErrorCode.INVALID_DATA,
      );
    }
    if (this.lifecycle === 'delete-after-read') {
      await this.client.send(new DeleteObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    }
    return payload;
  }
}

/** The pointer in `data`, when `data` is a claim-check pointer record; otherwise `undefined`. */
export function claimCheckPointerOf(data: Uint8Array): ClaimCheckPointer | undefined {
  if (data.byteLength > 4_096 || data.byteLength < MARKER.length) return undefined;
  const text = new TextDecoder().decode(data);
  if (!text.startsWith(MARKER)) return undefined;
  try {
    const value = JSON.parse(text) as Partial<ClaimCheckPointer>;
    return typeof value.bucket === 'string' &&
      typeof value.key === 'string' &&
      typeof value.bytes === 'number' &&
      typeof value.sha256 === 'string'
      ? (value as ClaimCheckPointer)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wraps a per-record function so that a record whose data is a claim-check pointer reaches it with
 * the stored payload instead (read from S3); other records pass unchanged. Opt-in: for
 * `processRecord` of `kinesisLambdaHandler`, inside `parallelByKey` for the `KinesisConsumer`, or
 * when reading a dead-letter stream.
 */
export function resolveClaimChecks<R extends { readonly data: Uint8Array }, C extends unknown[]>(
  claimCheck: S3ClaimCheck,
  process: (record: R, ...rest: C) => unknown,
): (record: R, ...rest: C) => Promise<void> {
  return async (record, ...rest) => {
    const data = await claimCheck.resolve(record.data);
    await process(data === record.data ? record : { ...record, data }, ...rest);
  };
}

/**
 * Reads a record of a dead-letter stream written by `KinesisDeadLetterSink`, following a claim-check
 * pointer to S3 when the letter was too large for the stream.
 */
export async function resolveDeadLetter(data: Uint8Array, claimCheck: S3ClaimCheck): Promise<DeadLetter> {
  return decodeDeadLetter(await claimCheck.resolve(data));
}
