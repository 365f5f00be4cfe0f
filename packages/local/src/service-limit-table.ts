/**
 * The Kinesis Data Streams limits that `startLocalStack({ enforceLimits: true })` enforces, as the
 * service documents them. Sources:
 * - shard throughput: the quotas page, https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 *   ("1 MB/sec or 1,000 records/sec" written per shard; "five read transactions per second" and
 *   "2 MB per second via GetRecords" per shard; "If a call to GetRecords returns 10 MB, subsequent
 *   calls made within the next 5 seconds throw an exception");
 * - the rate of each API call: the sentence "This operation has a limit of …" of its page in the
 *   API reference, https://docs.aws.amazon.com/kinesis/latest/APIReference/API_<Operation>.html
 *   (the same text is in the TSDoc of `@aws-sdk/client-kinesis`'s commands);
 * - SubscribeToShard: API_SubscribeToShard.html ("one call to SubscribeToShard per second per
 *   registered consumer per shard"; events "for up to 5 minutes").
 */

const MIB = 1_048_576;

/** Per-shard limits of the data plane. */
export const SHARD_LIMITS = {
  /** Records written per second per shard (PutRecord and PutRecords entries together). */
  writeRecordsPerSecond: 1_000,
  /** Bytes written per second per shard: data plus partition keys. */
  writeBytesPerSecond: MIB,
  /** GetRecords calls per second per shard, shared by every reader of the shard. */
  readCallsPerSecond: 5,
  /** Bytes returned by GetRecords per second per shard. */
  readBytesPerSecond: 2 * MIB,
  /** SubscribeToShard calls per second per registered consumer per shard. */
  subscribeCallsPerSecond: 1,
  /** How long a SubscribeToShard subscription delivers events, in milliseconds. */
  subscriptionLifetimeMs: 300_000,
} as const;

/** What a call rate is counted per: the account (all of the stack), a stream, or a shard. */
export type CallRateScope = 'account' | 'stream' | 'shard';

/** The rate limit of one API operation. */
export interface CallRateLimit {
  /** Calls per second. */
  readonly perSecond: number;
  readonly scope: CallRateScope;
  /** The error of a call over the limit. */
  readonly error: 'LimitExceededException' | 'ProvisionedThroughputExceededException';
}

const perAccount = (perSecond: number): CallRateLimit => ({
  perSecond,
  scope: 'account',
  error: 'LimitExceededException',
});
const perStream = (perSecond: number): CallRateLimit => ({
  perSecond,
  scope: 'stream',
  error: 'LimitExceededException',
});

/**
 * The call rates of the API reference, by operation. Operations whose page states no rate
 * (IncreaseStreamRetentionPeriod, UpdateStreamMode, the tagging and resource-policy calls on
 * resources, …) are not limited. GetRecords, PutRecord(s) and SubscribeToShard have their own
 * limits ({@link SHARD_LIMITS}).
 */
export const CALL_RATE_LIMITS: Readonly<Record<string, CallRateLimit>> = {
  AddTagsToStream: perAccount(5),
  CreateStream: perAccount(5),
  DeleteStream: perAccount(5),
  DeregisterStreamConsumer: perStream(5),
  DescribeAccountSettings: perAccount(5),
  DescribeLimits: perAccount(1),
  DescribeStream: perAccount(10),
  DescribeStreamConsumer: perStream(20),
  DescribeStreamSummary: perAccount(20),
  GetShardIterator: { perSecond: 5, scope: 'shard', error: 'ProvisionedThroughputExceededException' },
  ListShards: perStream(1_000),
  ListStreamConsumers: perStream(5),
  ListStreams: perAccount(5),
  ListTagsForStream: perAccount(5),
  MergeShards: perAccount(5),
  RegisterStreamConsumer: perAccount(5),
  RemoveTagsFromStream: perAccount(5),
  SplitShard: perAccount(5),
  UpdateAccountSettings: perAccount(5),
  UpdateShardCount: perAccount(10),
  UpdateStreamWarmThroughput: perAccount(5),
};

/** The operations after which a stream's shards change (the front reads its hash ranges again). */
export const RESHARDING_OPERATIONS: ReadonlySet<string> = new Set([
  'SplitShard',
  'MergeShards',
  'UpdateShardCount',
  'CreateStream',
  'DeleteStream',
]);
