export {
  type AutoscalerOptions,
  type AutoscalerState,
  DEFAULT_AUTOSCALER_OPTIONS,
  decideScaling,
  type HotShard,
  initialAutoscalerState,
  resolveAutoscalerOptions,
  type ScalingDecision,
  type ShardLoadSample,
  type WriteLoadSample,
  type WriteUtilization,
  writeUtilization,
} from './autoscaler-decision.js';
export { type CapacityInput, type CapacityPlan, capacityPlan } from './capacity-plan.js';
export {
  type CliClients,
  type ClientSettings,
  createClients,
  type KinesisHttpVersion,
} from './cli/clients.js';
export type { CommandContext } from './cli/context.js';
export { createOutput, formatTable, memoryOutput, type Output } from './cli/output.js';
export { CLI_USAGE, type CliIo, COMMANDS, runCli } from './cli/run-cli.js';
export { type TailedRecord, type TailOptions, type TailPosition, tailStream } from './commands/tail.js';
export { CliErrorCode, CliUsageError, OperationsError } from './errors.js';
export {
  HotKeyCollector,
  type HotKeyReport,
  type HotKeyReportOptions,
  hotKeyReport,
  writeLoadFromProducerMetrics,
} from './hot-key-report.js';
export {
  DEFAULT_LAG_DIAGNOSIS_OPTIONS,
  diagnoseLag,
  type LagDiagnosis,
  type LagDiagnosisOptions,
  lagFromConsumerMetrics,
  lagFromLeases,
  type ShardLag,
} from './lag-diagnosis.js';
export {
  mergeShards,
  type ReshardOptions,
  type ReshardResult,
  type ScalePlan,
  scaleStream,
  splitShard,
} from './resharding.js';
export { scaleBounds, UPDATE_SHARD_COUNT_MAX_SHARDS, validateScaleTarget } from './scale-bounds.js';
export {
  adjacentOpenPairs,
  hashRangeMidpoint,
  type MergePlan,
  planMerge,
  planSplit,
  type ShardRange,
  type SplitPlan,
} from './shard-ranges.js';
export { StreamAutoscaler, type StreamAutoscalerOptions } from './stream-autoscaler.js';
export {
  describeStream,
  listShards,
  OPERATIONS_REQUEST_TIMEOUT_MS,
  type StreamRef,
  waitForActive,
} from './stream-shards.js';
