/**
 * The KCL's multi-stream identity of a stream, `<accountId>:<streamName>:<creationEpochSeconds>`
 * (its `StreamIdentifier` in serialized form), and the multi-stream lease key built on it,
 * `<accountId>:<streamName>:<creationEpochSeconds>:<shardId>`. The creation epoch tells a stream
 * from another created later under the same name: their leases never share a key.
 */
export interface StreamIdentifier {
  /** The 12-digit account id of the stream's owner. */
  readonly accountId: string;
  /** The stream's name (no colon in it). */
  readonly streamName: string;
  /** The stream's creation time (`StreamCreationTimestamp`), in whole seconds since the epoch; > 0. */
  readonly creationEpochSeconds: number;
}

/** A stream ARN taken apart. */
export interface StreamArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly streamName: string;
}

/** The serialized identifier: digits, a name without colons, digits (as the KCL matches it). */
const SERIALIZED_PATTERN = /^([0-9]+):([^:]+):([0-9]+)$/;
/** A multi-stream lease key: a serialized identifier, then the shard id after the last colon. */
const LEASE_KEY_PATTERN = /^([0-9]+):([^:]+):([0-9]+):([^:]+)$/;
/** A Kinesis stream ARN, with its parts. */
const ARN_PATTERN = /^arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):([0-9]{12}):stream\/([^:/]+)$/;

/** `<accountId>:<streamName>:<creationEpochSeconds>`, the `streamName` attribute of a multi-stream lease. */
export function serializeStreamIdentifier(id: StreamIdentifier): string {
  return `${id.accountId}:${id.streamName}:${id.creationEpochSeconds}`;
}

/** Reads a serialized identifier; `undefined` when it is not one (or the epoch is not > 0). */
export function parseStreamIdentifier(text: string): StreamIdentifier | undefined {
  const match = SERIALIZED_PATTERN.exec(text);
  if (!match) return undefined;
  const creationEpochSeconds = Number(match[3]);
  if (!Number.isSafeInteger(creationEpochSeconds) || creationEpochSeconds <= 0) return undefined;
  return { accountId: match[1] as string, streamName: match[2] as string, creationEpochSeconds };
}

/** The lease key of a shard of a stream in a multi-stream application. */
export function multiStreamLeaseKey(id: StreamIdentifier | string, shardId: string): string {
  return `${typeof id === 'string' ? id : serializeStreamIdentifier(id)}:${shardId}`;
}

/** The stream and shard of a multi-stream lease key; `undefined` for a single-stream key (a bare shard id). */
export function parseMultiStreamLeaseKey(
  leaseKey: string,
): { readonly streamIdentifier: StreamIdentifier; readonly shardId: string } | undefined {
  const match = LEASE_KEY_PATTERN.exec(leaseKey);
  if (!match) return undefined;
  const streamIdentifier = parseStreamIdentifier(`${match[1]}:${match[2]}:${match[3]}`);
  if (!streamIdentifier) return undefined;
  return { streamIdentifier, shardId: match[4] as string };
}

/** Whether a lease key is in the multi-stream form. */
export function isMultiStreamLeaseKey(leaseKey: string): boolean {
  return parseMultiStreamLeaseKey(leaseKey) !== undefined;
}

/** The parts of a Kinesis stream ARN; `undefined` when it is not one. */
export function parseStreamArn(arn: string): StreamArnParts | undefined {
  const match = ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  return {
    partition: match[1] as string,
    region: match[2] as string,
    accountId: match[3] as string,
    streamName: match[4] as string,
  };
}

/** The identifier of the stream behind an ARN, created at `creationTime` (truncated to whole seconds). */
export function streamIdentifierFromArn(arn: string, creationTime: Date): StreamIdentifier | undefined {
  const parts = parseStreamArn(arn);
  const creationEpochSeconds = Math.floor(creationTime.getTime() / 1000);
  if (!parts || !Number.isSafeInteger(creationEpochSeconds) || creationEpochSeconds <= 0) return undefined;
  return { accountId: parts.accountId, streamName: parts.streamName, creationEpochSeconds };
}

/** The stream ARN of an identifier, in a partition and region. */
export function streamArnOf(id: StreamIdentifier, region: string, partition = 'aws'): string {
  return `arn:${partition}:kinesis:${region}:${id.accountId}:stream/${id.streamName}`;
}

/** Whether two identifiers name the same stream incarnation (same account, name and creation epoch). */
export function sameStreamIdentifier(a: StreamIdentifier, b: StreamIdentifier): boolean {
  return (
    a.accountId === b.accountId &&
    a.streamName === b.streamName &&
    a.creationEpochSeconds === b.creationEpochSeconds
  );
}
