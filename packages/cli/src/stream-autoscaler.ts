import { type KinesisClient, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import {
  type AutoscalerOptions,
  type AutoscalerState,
  decideScaling,
  initialAutoscalerState,
  resolveAutoscalerOptions,
  type ScalingDecision,
  type ShardLoadSample,
  type WriteLoadSample,
} from './autoscaler-decision.js';
import {
  aboutStream,
  describeStream,
  type StreamRef,
  sendOperation,
  streamParameters,
} from './stream-shards.js';

/** Options of {@link StreamAutoscaler}. */
export interface StreamAutoscalerOptions extends AutoscalerOptions {
  /**
   * The Kinesis client `evaluate` uses (`DescribeStreamSummary`, then `UpdateShardCount`); yours,
   * configured with the region and credentials (it is not destroyed by the autoscaler). Required.
   */
  readonly kinesisClient: KinesisClient;
  /** The stream to scale, by name (`{ streamName }`) or by ARN (`{ streamArn }`). Required. */
  readonly stream: StreamRef;
  /** The clock, in ms since the epoch (tests). @defaultValue Date.now */
  readonly now?: () => number;
}

/**
 * The thin shell around {@link decideScaling}: feed it one {@link WriteLoadSample} per period (from
 * CloudWatch `IncomingBytes`/`IncomingRecords`, or from producer metrics with
 * `writeLoadFromProducerMetrics`); it reads the open shard count, decides, and calls
 * `UpdateShardCount` (`UNIFORM_SCALING`) when the decision says so. Run it from a scheduled Lambda or
 * a timer; keep one instance per stream (it holds the cooldown state), or persist `state`.
 */
export class StreamAutoscaler {
  /** The state carried between periods; persist it to survive restarts. */
  state: AutoscalerState;
  private readonly options: StreamAutoscalerOptions;

  constructor(options: StreamAutoscalerOptions, state: AutoscalerState = initialAutoscalerState) {
    resolveAutoscalerOptions(options);
    this.options = options;
    this.state = state;
  }

  /**
   * Decides on one period of load and scales when needed. Resolves with the decision.
   * @param shardSamples each open shard's load over the same period, to report hot shards and to
   * hold back a scale-down that would merge one (see {@link decideScaling}). @defaultValue none
   */
  async evaluate(
    sample: WriteLoadSample,
    shardSamples?: readonly ShardLoadSample[],
  ): Promise<ScalingDecision> {
    const { kinesisClient, stream } = this.options;
    const summary = await describeStream(kinesisClient, stream);
    const nowMs = (this.options.now ?? Date.now)();
    if (summary.StreamStatus !== 'ACTIVE') {
      const openShardCount = summary.OpenShardCount ?? 0;
      return {
        action: 'none',
        currentShardCount: openShardCount,
        targetShardCount: openShardCount,
        utilization: { bytes: 0, records: 0, max: 0 },
        hotShards: [],
        reason: `stream is ${summary.StreamStatus}`,
        state: this.state,
      };
    }
    const decision = decideScaling(
      {
        nowMs,
        openShardCount: summary.OpenShardCount ?? 0,
        sample,
        ...(shardSamples ? { shardSamples } : {}),
      },
      this.state,
      this.options,
    );
    if (decision.action !== 'none') {
      await aboutStream(stream, () =>
        sendOperation(
          kinesisClient,
          new UpdateShardCountCommand({
            ...streamParameters(stream),
            TargetShardCount: decision.targetShardCount,
            ScalingType: 'UNIFORM_SCALING',
          }),
        ),
      );
    }
    this.state = decision.state;
    return decision;
  }
}
