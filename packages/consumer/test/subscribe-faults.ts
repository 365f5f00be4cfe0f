/**
 * Integration-test support for enhanced fan-out: a stand-in for the `subscribeClient` that passes
 * every call to a real client and records each SubscribeToShard call, its starting position and the
 * continuation numbers it delivered, and that can end a subscription the way the service does after
 * 5 minutes, fail it, or make it go silent, after a number of events.
 */
import {
  type KinesisClient,
  SubscribeToShardCommand,
  type SubscribeToShardCommandOutput,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';

/** What to do to one subscription. */
export interface SubscriptionFault {
  /** After this many events: `end` (like the service's 5-minute end), `fail` (InternalFailureException) or `hang`. */
  readonly afterEvents: number;
  readonly action: 'end' | 'fail' | 'hang';
}

/** One SubscribeToShard call as recorded. */
export interface RecordedSubscription {
  readonly shardId: string;
  readonly startingPosition: { readonly Type?: string; readonly SequenceNumber?: string };
  /** The `ContinuationSequenceNumber` of each event delivered. */
  readonly continuations: string[];
  /** The error the call failed with, if it did. */
  error?: unknown;
}

/**
 * Wraps `client` for SubscribeToShard. `faultFor(index, shardId)` picks what happens to the
 * index-th answered subscription (from 0, all shards counted). Before ending, failing or going silent, the
 * real request is aborted and `settleMs` waited, so that the emulator has released the subscription
 * (as the service has when it ends one; the emulator holds an aborted one for about 2 s), otherwise
 * the next call would get ResourceInUseException.
 */
export function faultySubscribeClient(
  client: KinesisClient,
  faultFor: (index: number, shardId: string) => SubscriptionFault | undefined,
  settleMs = 2_500,
): { readonly client: KinesisClient; readonly calls: RecordedSubscription[] } {
  const calls: RecordedSubscription[] = [];
  const wrapper = {
    async send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> {
      if (!(command instanceof SubscribeToShardCommand)) {
        return (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
      }
      const input = command.input;
      const recorded: RecordedSubscription = {
        shardId: input.ShardId ?? '',
        startingPosition: {
          Type: input.StartingPosition?.Type,
          SequenceNumber: input.StartingPosition?.SequenceNumber,
        },
        continuations: [],
      };
      calls.push(recorded);
      const controller = new AbortController();
      const outer = options?.abortSignal;
      if (outer?.aborted) controller.abort(outer.reason);
      outer?.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
      let output: SubscribeToShardCommandOutput;
      try {
        output = (await (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, {
          ...options,
          abortSignal: controller.signal,
        })) as SubscribeToShardCommandOutput;
      } catch (error) {
        recorded.error = error;
        throw error;
      }
      // Faults are picked among the calls that were answered (the emulator may refuse a call with
      // ResourceInUseException while it still holds the previous subscription).
      const fault = faultFor(calls.filter((c) => c.error === undefined).indexOf(recorded), recorded.shardId);
      const iterator = output.EventStream![Symbol.asyncIterator]();
      async function* events(): AsyncGenerator<SubscribeToShardEventStream> {
        let count = 0;
        try {
          for (;;) {
            if (fault && count >= fault.afterEvents) {
              controller.abort(new Error('fault injected'));
              await new Promise((resolve) => setTimeout(resolve, settleMs));
              if (fault.action === 'end') return;
              if (fault.action === 'fail') {
                throw Object.assign(new Error('Injected internal failure'), {
                  name: 'InternalFailureException',
                });
              }
              await new Promise(() => {}); // silent forever: only the consumer's watchdog gets out of this
            }
            const next = await iterator.next();
            if (next.done) return;
            count++;
            const continuation = next.value.SubscribeToShardEvent?.ContinuationSequenceNumber;
            if (continuation !== undefined) recorded.continuations.push(continuation);
            yield next.value;
          }
        } finally {
          controller.abort(new Error('subscription released'));
        }
      }
      return { ...output, EventStream: events() };
    },
  };
  return { client: wrapper as unknown as KinesisClient, calls };
}
