import type { S3ClaimCheck } from '../processing/claim-check.js';
import { withResolvedClaimChecks } from '../processing/claim-check-batch.js';
import type {
  ProcessRecordsInput,
  RecordHandler,
  ShardRecordProcessor,
  ShardRecordProcessorFactory,
} from './record-processor.js';

/** The delivery options `resolveClaimChecks` acts on. */
interface Delivery {
  readonly handler?: RecordHandler;
  readonly processor?: ShardRecordProcessorFactory;
  readonly resolveClaimChecks?: Pick<S3ClaimCheck, 'resolve'>;
}

/**
 * The consumer's `handler` or `processor`, given the stored payloads in place of claim-check pointers
 * when `resolveClaimChecks` is set; unchanged otherwise.
 */
export function withClaimCheckedDelivery<O extends Delivery>(options: O): O {
  const claimCheck = options.resolveClaimChecks;
  if (claimCheck === undefined) return options;
  const { handler, processor } = options;
  return {
    ...options,
    handler: handler && withResolvedClaimChecks(claimCheck, handler),
    processor:
      processor &&
      ((shardId, stream) => {
        const inner = processor(shardId, stream);
        const processRecords = withResolvedClaimChecks(
          claimCheck,
          (records: ProcessRecordsInput['records'], input: ProcessRecordsInput) =>
            inner.processRecords({ ...input, records }),
        );
        const wrapped: ShardRecordProcessor = {
          processRecords: (input) => processRecords(input.records, input),
        };
        for (const name of ['initialize', 'leaseLost', 'shardEnded', 'shutdownRequested'] as const) {
          const method = inner[name];
          if (method) Object.assign(wrapped, { [name]: method.bind(inner) });
        }
        return wrapped;
      }),
  };
}
