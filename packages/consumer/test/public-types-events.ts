/**
 * Type-level checks of the event payloads (no runtime part): the type check fails when an event about
 * a shard or a lease stops carrying the optional stream fields, or when a consumer-wide event gains them.
 */
import type { ConsumerEventName, ConsumerEvents, EventStreamFields, KinesisConsumer } from '../src/index.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

type ConsumerWideEvent =
  | 'started'
  | 'stopped'
  | 'stream:added'
  | 'stream:removed'
  | 'streams:error'
  | 'stream:recreated'
  | 'leadership:changed';
type StreamEvent = Exclude<ConsumerEventName, ConsumerWideEvent>;

/** Every event about a shard or a lease has both stream fields, optional. */
/** `P` has `streamName` and `streamArn`, both optional strings. */
type CarriesTheStream<P> = [Pick<P, Extract<keyof P, keyof EventStreamFields>>] extends [
  Required<EventStreamFields>,
]
  ? false // required
  : [EventStreamFields] extends [Pick<P, Extract<keyof P, keyof EventStreamFields>>]
    ? [Pick<P, Extract<keyof P, keyof EventStreamFields>>] extends [EventStreamFields]
      ? keyof EventStreamFields extends keyof P
        ? true
        : false
      : false
    : false;
export type EveryShardAndLeaseEventCarriesTheStream = Expect<
  Equals<{ [E in StreamEvent]: CarriesTheStream<ConsumerEvents[E]> }[StreamEvent], true>
>;
export type TheStreamNameIsAnOptionalString = Expect<
  Equals<ConsumerEvents['batch:processed']['streamName'], string | undefined>
>;
export type TheLeaseEventsCarryTheStreamArn = Expect<
  Equals<ConsumerEvents['lease:taken']['streamArn'], string | undefined>
>;
/** The stream events keep their required fields. */
export type StreamAddedKeepsARequiredName = Expect<
  Equals<ConsumerEvents['stream:added']['streamName'], string>
>;
/** Consumer-wide events do not pretend to concern one stream. */
export type StartedHasNoStream = Expect<
  Equals<'streamName' extends keyof ConsumerEvents['started'] ? 1 : 0, 0>
>;

/** A listener reads the stream off a shard event's payload. */
export function listensWithTheStream(consumer: KinesisConsumer): void {
  consumer.on('shard:started', ({ shardId, streamName, streamArn }) => {
    const named: string = `${streamName ?? streamArn ?? '?'}/${shardId}`;
    void named;
  });
}
