import {
  type BackoffPolicy,
  CoreErrorCode,
  deaggregateLambdaEvent,
  type LambdaDeaggregatedRecord,
  type LambdaKinesisEvent,
  type RandomSource,
  ValidationError,
  validateBackoffPolicy,
  validateIntegerOption,
} from '@kinesis-ts/core';
import { bisectOnError } from '../processing/bisect-on-error.js';
import type { S3ClaimCheck } from '../processing/claim-check.js';
import { withResolvedClaimChecks } from '../processing/claim-check-batch.js';
import type { PoisonRecordInput } from '../processing/dead-letter.js';
import { type BatchFunction, parallelByKey } from '../processing/parallel-by-key.js';
import { processWithRetries } from '../processing/processing-retry.js';

/** The partial batch response Lambda reads when the event source mapping has `ReportBatchItemFailures`. */
export interface KinesisBatchResponse {
  /** Empty when the whole batch is done; otherwise one entry, the Kinesis sequence number to retry from. */
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** The second argument of the functions given to {@link kinesisLambdaHandler}. */
export interface LambdaProcessingContext<L> {
  /** The shard of the batch (Lambda hands one shard's records per invocation). */
  readonly shardId?: string;
  /** The stream's ARN. */
  readonly eventSourceArn?: string;
  /** Lambda's context object (the handler's second argument). */
  readonly lambdaContext: L;
  /** 1 on the first try in this invocation, then 2, 3… when `maxAttempts` allows retries. */
  readonly attempt: number;
  /**
   * Aborted `timeoutMarginMs` before the invocation times out (when Lambda's context tells the time
   * left): finish quickly; records not done by then are reported for Lambda to retry.
   */
  readonly signal: AbortSignal;
}

/** Options common to both forms of {@link kinesisLambdaHandler}. */
interface LambdaHandlerCommonOptions {
  /**
   * Tries at the same record inside one invocation, with `backoff` between them, from 1 to 100.
   * With 1, a failure is reported at once and Lambda retries (its `MaximumRetryAttempts`).
   * @defaultValue 1
   */
  readonly maxAttempts?: number;
  /** Backoff between tries inside an invocation. @defaultValue { baseDelayMs: 100, maxDelayMs: 2000 } */
  readonly backoff?: BackoffPolicy;
  /**
   * Receives each record that still fails after `maxAttempts` (with its metadata, error and attempts);
   * the record then counts as done. Give `deadLetterTo(sink)`. Without it, the failure is reported in
   * `batchItemFailures`. If it throws, the record is reported as failed.
   */
  readonly onPoisonRecord?: (poison: PoisonRecordInput) => Promise<void> | void;
  /**
   * How long before the invocation's timeout to stop starting records (and retries), in ms: the
   * records not done are then reported in `batchItemFailures` instead of the whole batch failing with
   * the timeout. Needs `getRemainingTimeInMillis()` on Lambda's context. @defaultValue 1000
   */
  readonly timeoutMarginMs?: number;
  /** Check the MD5 digest of KPL aggregates (a mismatch passes the record through raw, as the KCL). @defaultValue true */
  readonly verifyChecksum?: boolean;
  /** Uniform random numbers in [0, 1) for the backoff jitter (tests). @defaultValue Math.random */
  readonly random?: RandomSource;
  /**
   * Opt-in: records whose data is a claim-check pointer (written by an `S3ClaimCheck`, e.g. a
   * `KinesisDeadLetterSink` with `claimCheck`) reach `processRecord` / `processBatch` with the
   * payload read from S3 instead; a pointer that cannot be read fails its record (retried within
   * `maxAttempts`, then `onPoisonRecord` or `batchItemFailures`). Without it, pointers are delivered
   * as they are.
   */
  readonly resolveClaimChecks?: S3ClaimCheck;
}

/** {@link kinesisLambdaHandler} with a function per record. */
export interface LambdaRecordHandlerOptions<L> extends LambdaHandlerCommonOptions {
  /** Processes one user record (KPL aggregates are already split). Throwing (or rejecting) marks it failed. */
  readonly processRecord: (record: LambdaDeaggregatedRecord, context: LambdaProcessingContext<L>) => unknown;
  /**
   * How many records run at once, never two of one key, each key in order (see `parallelByKey`),
   * from 1 to 1 000. 1 keeps the shard's order. @defaultValue 1
   */
  readonly concurrency?: number;
  /** The ordering key for `concurrency`. @defaultValue the record's `partitionKey` */
  readonly keyOf?: (record: LambdaDeaggregatedRecord) => string;
}

/** {@link kinesisLambdaHandler} with a function per batch. */
export interface LambdaBatchHandlerOptions<L> extends LambdaHandlerCommonOptions {
  /**
   * Processes the batch (user records, in shard order). Throw a `PartialBatchFailureError` to say
   * which records failed; any other error fails the batch from its first record.
   */
  readonly processBatch: (
    records: readonly LambdaDeaggregatedRecord[],
    context: LambdaProcessingContext<L>,
  ) => unknown;
  /** Split a failing batch in halves until the failing record is isolated (see `bisectOnError`). @defaultValue false */
  readonly bisectOnError?: boolean;
}

/** The defaults of the {@link kinesisLambdaHandler} options. */
export const DEFAULT_LAMBDA_HANDLER_OPTIONS = {
  maxAttempts: 1,
  backoff: { baseDelayMs: 100, maxDelayMs: 2_000 },
  concurrency: 1,
  bisectOnError: false,
  timeoutMarginMs: 1_000,
} as const;

/**
 * Makes an AWS Lambda handler for a Kinesis event source: it decodes the event's records and splits
 * KPL aggregates into user records (Lambda does neither), runs `processRecord` on each (in order, or
 * `concurrency` at once by key) or `processBatch` on the batch, and returns the partial batch response:
 * `{ batchItemFailures: [{ itemIdentifier }] }` with the sequence number of the Kinesis record that
 * holds the first failed user record, so that Lambda retries from there and not from the start of
 * the batch. Turn on `ReportBatchItemFailures` in the event source mapping (without it Lambda ignores
 * the response and retries nothing).
 *
 * An aggregate is one Kinesis record: when a user record inside it fails, Lambda redelivers the whole
 * aggregate, so its user records before the failed one are processed again. Make them idempotent
 * (`idempotent`).
 *
 * This uses only `@kinesis-ts/core`, not the `KinesisConsumer` runtime: import it from
 * `@kinesis-ts/consumer/lambda`.
 */
export function kinesisLambdaHandler<L = unknown>(
  options: LambdaRecordHandlerOptions<L> | LambdaBatchHandlerOptions<L>,
): (event: LambdaKinesisEvent, lambdaContext: L) => Promise<KinesisBatchResponse> {
  const maxAttempts = validateIntegerOption(
    'maxAttempts',
    options.maxAttempts ?? DEFAULT_LAMBDA_HANDLER_OPTIONS.maxAttempts,
    1,
    100,
  );
  const backoff = validateBackoffPolicy(
    options.backoff ?? DEFAULT_LAMBDA_HANDLER_OPTIONS.backoff,
    'backoff.',
  );
  const random = options.random ?? Math.random;
  const timeoutMarginMs = validateIntegerOption(
    'timeoutMarginMs',
    options.timeoutMarginMs ?? DEFAULT_LAMBDA_HANDLER_OPTIONS.timeoutMarginMs,
    0,
    900_000,
  );
  const batchFunction = withClaimChecks(options.resolveClaimChecks, toBatchFunction(options));
  const onPoisonRecord = options.onPoisonRecord;

  return async (event, lambdaContext) => {
    const records = deaggregateLambdaEvent(event, { verifyChecksum: options.verifyChecksum });
    const first = records[0];
    if (first === undefined) return { batchItemFailures: [] };
    const { shardId, eventSourceArn } = first;
    const deadline = abortBeforeTimeout(lambdaContext, timeoutMarginMs);
    const { signal } = deadline;
    /** The records before this index are done (known after a partial failure or a poison record). */
    let doneCount = 0;
    const outcome = await processWithRetries({
      shardId: shardId ?? '',
      records,
      signal,
      random,
      onProgress: (lastDone) => {
        doneCount = records.indexOf(lastDone as LambdaDeaggregatedRecord) + 1;
      },
      policy: {
        maxAttempts,
        backoff,
        onPoisonRecord:
          onPoisonRecord &&
          ((record, error, attempts) =>
            onPoisonRecord({ streamArn: eventSourceArn, shardId, record, error, attempts })),
      },
      process: (subset, attempt) =>
        batchFunction(subset as readonly LambdaDeaggregatedRecord[], {
          shardId,
          eventSourceArn,
          lambdaContext,
          attempt,
          signal,
        }),
    }).finally(deadline.clear);
    if (outcome.outcome === 'processed') return { batchItemFailures: [] };
    const itemIdentifier =
      outcome.outcome === 'failed'
        ? (outcome.error.sequenceNumber ?? first.sequenceNumber)
        : records[doneCount]?.sequenceNumber; // aborted before the timeout
    return { batchItemFailures: itemIdentifier === undefined ? [] : [{ itemIdentifier }] };
  };
}

/** A signal aborted `marginMs` before the invocation times out, when the context tells the time left. */
function abortBeforeTimeout(
  lambdaContext: unknown,
  marginMs: number,
): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const remaining = (lambdaContext as { getRemainingTimeInMillis?: unknown } | null | undefined)
    ?.getRemainingTimeInMillis;
  if (typeof remaining !== 'function') return { signal: controller.signal, clear: () => {} };
  const budgetMs = Number(remaining.call(lambdaContext)) - marginMs;
  // with no time to spare at all, run anyway: stopping at once would only make Lambda retry forever
  if (!(budgetMs > 0)) return { signal: controller.signal, clear: () => {} };
  const timer = setTimeout(
    () => controller.abort(new Error('The Lambda invocation is about to time out')),
    budgetMs,
  );
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

function withClaimChecks<R extends LambdaDeaggregatedRecord, C>(
  claimCheck: S3ClaimCheck | undefined,
  batchFunction: BatchFunction<R, C>,
): BatchFunction<R, C> {
  if (claimCheck === undefined) return batchFunction;
  if (typeof (claimCheck as { resolve?: unknown }).resolve !== 'function') {
    throw new ValidationError(
      'resolveClaimChecks',
      'an S3ClaimCheck',
      'resolveClaimChecks has no resolve function',
      CoreErrorCode.INVALID_OPTION,
    );
  }
  return withResolvedClaimChecks(claimCheck, batchFunction);
}

function toBatchFunction<L>(
  options: LambdaRecordHandlerOptions<L> | LambdaBatchHandlerOptions<L>,
): BatchFunction<LambdaDeaggregatedRecord, LambdaProcessingContext<L>> {
  if ('processRecord' in options && typeof options.processRecord === 'function') {
    return parallelByKey(options.processRecord, {
      concurrency: options.concurrency ?? DEFAULT_LAMBDA_HANDLER_OPTIONS.concurrency,
      keyOf: options.keyOf,
    });
  }
  const batch = options as LambdaBatchHandlerOptions<L>;
  if (typeof batch.processBatch !== 'function') {
    throw new ValidationError(
      'processRecord',
      'a function (or processBatch)',
      'kinesisLambdaHandler needs processRecord or processBatch',
      CoreErrorCode.INVALID_OPTION,
    );
  }
  if (batch.bisectOnError ?? DEFAULT_LAMBDA_HANDLER_OPTIONS.bisectOnError)
    return bisectOnError(batch.processBatch);
  return async (records, context) => {
    await batch.processBatch(records, context);
  };
}
