import {
  CoreErrorCode,
  STREAM_ARN_LIMIT,
  STREAM_ARN_PATTERN,
  STREAM_NAME_LIMIT,
  STREAM_NAME_PATTERN,
  ValidationError,
} from '@kinesis-ts/core';
import { parseStreamArn } from '../leases/stream-identifier.js';
import type { InitialPosition } from '../retrieval/initial-position.js';

/**
 * One stream of a multi-stream application (the KCL's `StreamConfig`): by name (in the client's
 * account) or by ARN, with its own initial position and, for fan-out, its own stream consumer.
 */
export type StreamConfig = (
  | { readonly streamName: string; readonly streamArn?: undefined }
  | { readonly streamArn: string; readonly streamName?: undefined }
) & {
  /** Where to start reading this stream's shards that have no checkpoint. @defaultValue the consumer's initialPosition */
  readonly initialPosition?: InitialPosition;
  /** Fan-out: the stream consumer to register (or find) on this stream. @defaultValue applicationName */
  readonly consumerName?: string;
  /** Fan-out: a stream consumer registered beforehand on this stream. */
  readonly consumerArn?: string;
};

/** The streams of a multi-stream application: a fixed list, or a function polled every `streamSyncIntervalMs`. */
export type StreamsSource = readonly StreamConfig[] | (() => Promise<readonly StreamConfig[]>);

/** A stream config after validation: its name always known, its ARN when given. */
export interface CheckedStreamConfig {
  /** The stream's name (from `streamName`, or the last part of `streamArn`). */
  readonly streamName: string;
  readonly streamArn?: string;
  readonly initialPosition?: InitialPosition;
  readonly consumerName?: string;
  readonly consumerArn?: string;
  /** The config's field name in errors, e.g. `streams[2]`. */
  readonly field: string;
}

const CONSUMER_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
const CONSUMER_ARN_PATTERN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[^/]+\/consumer\/[^:]+:\d+$/;
const KNOWN_KEYS = new Set(['streamName', 'streamArn', 'initialPosition', 'consumerName', 'consumerArn']);

/**
 * Checks a list of streams: not empty, each entry `{ streamName }` or `{ streamArn }` (well formed,
 * the ARN in `region` when it is known), no stream twice, including a name and an ARN of the same
 * stream in the client's account (`accountId`, when known) or two ARNs naming one stream. Initial
 * positions are checked by `checkInitialPosition`.
 * @throws ValidationError (`INVALID_OPTION`) naming the entry (`streams[i]…`) and the stream.
 */
export function checkStreamConfigs(
  value: unknown,
  context: {
    readonly field?: string;
    readonly region?: string;
    readonly accountId?: string;
    readonly checkInitialPosition: (value: unknown, field: string) => InitialPosition;
  },
): CheckedStreamConfig[] {
  const field = context.field ?? 'streams';
  if (!Array.isArray(value)) {
    throw invalid(field, 'a non-empty array of { streamName } or { streamArn }', `got ${describe(value)}`);
  }
  if (value.length === 0) {
    throw invalid(field, 'a non-empty array of { streamName } or { streamArn }', 'the list is empty');
  }
  const checked = value.map((entry, index) => checkOne(entry, `${field}[${index}]`, context));
  const seen = new Map<string, CheckedStreamConfig>();
  for (const config of checked) {
    for (const key of identityKeys(config, context.accountId)) {
      const first = seen.get(key);
      if (first) {
        throw invalid(
          config.field,
          'each stream once',
          `stream ${config.streamArn ?? config.streamName} is also given as ${first.field} (${first.streamArn ?? first.streamName})`,
        );
      }
    }
    for (const key of identityKeys(config, context.accountId)) seen.set(key, config);
  }
  return checked;
}

/** The keys a stream is known by: its name in the client's account, its ARN's account and name. */
function identityKeys(config: CheckedStreamConfig, accountId: string | undefined): string[] {
  if (config.streamArn === undefined) return [`name:${config.streamName}`];
  const parts = parseStreamArn(config.streamArn);
  const keys = [`arn:${parts?.accountId}:${config.streamName}`];
  // An ARN in the client's account names the same stream as its bare name; when the account is not
  // known yet, an ARN and a name that agree are taken as the same stream (the safer reading).
  if (accountId === undefined || parts?.accountId === accountId) keys.push(`name:${config.streamName}`);
  return keys;
}

function checkOne(
  entry: unknown,
  field: string,
  context: {
    readonly region?: string;
    readonly checkInitialPosition: (value: unknown, field: string) => InitialPosition;
  },
): CheckedStreamConfig {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw invalid(field, '{ streamName } or { streamArn }', `got ${describe(entry)}`);
  }
  const record = entry as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter((key) => !KNOWN_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw invalid(
      `${field}.${unknownKeys[0]}`,
      'streamName, streamArn, initialPosition, consumerName or consumerArn',
      `unknown option ${unknownKeys.join(', ')}`,
    );
  }
  const { streamName, streamArn, initialPosition, consumerName, consumerArn } = record;
  if (streamName !== undefined && streamArn !== undefined) {
    throw invalid(`${field}.streamName`, 'one of streamName and streamArn, not both', `both were given`);
  }
  let name: string;
  if (streamArn !== undefined) {
    if (typeof streamArn !== 'string' || !STREAM_ARN_PATTERN.test(streamArn)) {
      throw invalid(`${field}.streamArn`, STREAM_ARN_LIMIT, `got ${describe(streamArn)}`);
    }
    const parts = parseStreamArn(streamArn)!;
    if (context.region !== undefined && parts.region !== context.region) {
      throw invalid(
        `${field}.streamArn`,
        `a stream in the Kinesis client's region ${context.region}`,
        `stream ${streamArn} is in ${parts.region}`,
      );
    }
    name = parts.streamName;
  } else {
    if (streamName === undefined) {
      throw invalid(`${field}.streamName`, '{ streamName } or { streamArn }', 'neither was given');
    }
    if (typeof streamName !== 'string' || !STREAM_NAME_PATTERN.test(streamName)) {
      throw invalid(`${field}.streamName`, STREAM_NAME_LIMIT, `got ${describe(streamName)}`);
    }
    name = streamName;
  }
  if (consumerName !== undefined && consumerArn !== undefined) {
    throw invalid(`${field}.consumerArn`, 'either consumerName or consumerArn, not both', 'both were given');
  }
  if (
    consumerName !== undefined &&
    (typeof consumerName !== 'string' || !CONSUMER_NAME_PATTERN.test(consumerName))
  ) {
    throw invalid(
      `${field}.consumerName`,
      'a stream consumer name: 1 to 128 of a-z A-Z 0-9 _ . -',
      `stream ${name}: got ${describe(consumerName)}`,
    );
  }
  if (consumerArn !== undefined) {
    if (typeof consumerArn !== 'string' || !CONSUMER_ARN_PATTERN.test(consumerArn)) {
      throw invalid(
        `${field}.consumerArn`,
        'a stream consumer ARN (arn:aws:kinesis:…:stream/<stream>/consumer/<name>:<epoch>)',
        `stream ${name}: got ${describe(consumerArn)}`,
      );
    }
    if (!consumerArn.includes(`:stream/${name}/consumer/`)) {
      throw invalid(`${field}.consumerArn`, `a stream consumer of stream ${name}`, `got ${consumerArn}`);
    }
  }
  return {
    streamName: name,
    ...(streamArn !== undefined ? { streamArn: streamArn as string } : {}),
    ...(initialPosition !== undefined
      ? { initialPosition: context.checkInitialPosition(initialPosition, `${field}.initialPosition`) }
      : {}),
    ...(consumerName !== undefined ? { consumerName: consumerName as string } : {}),
    ...(consumerArn !== undefined ? { consumerArn: consumerArn as string } : {}),
    field,
  };
}

function invalid(field: string, limit: string, detail: string): ValidationError {
  return new ValidationError(field, limit, detail, CoreErrorCode.INVALID_OPTION);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
