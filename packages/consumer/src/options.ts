/**
 * The consumer's options, one import path for the package: the options interface
 * (options/kinesis-consumer-options.ts), their specs and resolution (options/consumer-options.ts), the
 * retrieval modes' options (options/retrieval-options.ts) and the stream checks
 * (options/stream-options.ts).
 */
export {
  CONSUMER_OPTION_SPECS,
  DEFAULT_CONSUMER_OPTIONS,
  MIN_FAILOVER_TIME_MS,
  type ResolvedConsumerOptions,
  type ResolvedRetrieval,
  resolveConsumerOptions,
} from './options/consumer-options.js';
export type { KinesisConsumerOptions } from './options/kinesis-consumer-options.js';
export {
  DEFAULT_FAN_OUT_OPTIONS,
  DEFAULT_POLLING_OPTIONS,
  FAN_OUT_OPTION_SPECS,
  type FanOutRetrievalConfig,
  MIN_IDLE_TIME_BETWEEN_READS_MS,
  POLLING_CAUGHT_UP_OPTION_SPECS,
  POLLING_OPTION_SPECS,
  type PollingRetrievalConfig,
  type RetrievalConfig,
} from './options/retrieval-options.js';
export { checkInitialPosition, MULTI_STREAM } from './options/stream-options.js';
