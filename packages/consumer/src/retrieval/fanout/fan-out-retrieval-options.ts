import type { AwsErrorKind, BackoffPolicy, ClientThatSends, Logger, RandomSource } from '@kinesis-ts/core';
import type { StartingPosition } from '../records-retrieval.js';
import type { ShardEndProbe } from '../shard-end-probe.js';
import type { ShardStatusCheck } from '../shard-status.js';
import type { SubscriptionEnd } from './subscription-planner.js';

/** Why a subscription ended, as reported in events. */
export type SubscriptionEndReason = SubscriptionEnd | 'shard-end' | 'closed';

/** Something the fan-out retrieval reports (for metrics and events). */
export type FanOutRetrievalEvent =
  | { readonly type: 'subscribed'; readonly startingPosition: StartingPosition }
  | {
      readonly type: 'subscription-ended';
      readonly reason: SubscriptionEndReason;
      /** Events the subscription delivered. */
      readonly events: number;
      readonly error?: unknown;
    }
  | { readonly type: 'event'; readonly records: number; readonly millisBehindLatest?: number }
  | {
      readonly type: 'error';
      readonly operation: 'SubscribeToShard' | 'GetRecords';
      readonly kind: AwsErrorKind;
      readonly error: unknown;
      /** How long until the next subscription, in ms. */
      readonly retryInMs: number;
    }
  | { readonly type: 'shard-end-check'; readonly closed: boolean; readonly ended: boolean };

/** Options of {@link FanOutRetrieval}. Times are in milliseconds. */
export interface FanOutRetrievalOptions {
  /** The client that calls SubscribeToShard (HTTP/2 on AWS, HTTP/1.1 on the local emulator). */
  readonly client: ClientThatSends;
  /** The registered stream consumer. */
  readonly consumerArn: string;
  /** The shard subscribed to. Required. */
  readonly shardId: string;
  /** Where the first subscription starts (from the checkpoint, or the initial position). */
  readonly startingPosition: StartingPosition;
  /** A subscription that delivers no event for this long (while one is awaited) is aborted and renewed. */
  readonly subscriptionIdleTimeoutMs: number;
  /** After this long without progress, check whether the shard is closed (see `shardStatus`); 0 never. */
  readonly shardEndCheckAfterMs: number;
  /** Backoff after throttling and errors. */
  readonly backoff: BackoffPolicy;
  /** The least time between two subscriptions to the shard. @defaultValue 1000 */
  readonly minSubscribeIntervalMs?: number;
  /** The least wait after `ResourceInUseException`. @defaultValue 5000 */
  readonly resourceInUseWaitMs?: number;
  /**
   * Asks the stream's shard listing about this shard: whether it is closed (a listing up to
   * `shardEndCheckAfterMs` old), and, when GetRecords says the shard does not exist, whether it
   * really is gone (a fresh listing) before the shard is ended.
   */
  readonly shardStatus: ShardStatusCheck;
  /** Reads the shard once from a position to learn whether it ends there (GetRecords). */
  readonly probeShardEnd: (position: StartingPosition, signal: AbortSignal) => Promise<ShardEndProbe>;
  /**
   * Whether this worker still holds the shard's lease; asked before subscribing again after a
   * subscription failed (`ResourceInUseException` or a dropped connection can mean another worker
   * took the shard: subscribing again would take the subscription back). @defaultValue always true
   */
  readonly verifyLease?: () => Promise<boolean>;
  /** The clock, in ms since the epoch (tests). @defaultValue Date.now */
  readonly now?: () => number;
  /** The jitter source (tests). @defaultValue Math.random */
  readonly random?: RandomSource;
  /** Where to log. @defaultValue silent */
  readonly logger?: Logger;
  /** Told about subscriptions and their failures. @defaultValue none */
  readonly onEvent?: (event: FanOutRetrievalEvent) => void;
}
