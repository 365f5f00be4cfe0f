/**
 * The states of a shard consumer, one per lease acquisition (the KCL's `ConsumerStates`), and the
 * transitions between them. `ShardConsumer` moves through them; this table is what it may do, and a
 * test holds every transition it makes against it.
 *
 * ```
 *                      parents finished              initialize done
 *   waiting-on-parents ────────────────► initializing ───────────────► processing
 *     │        │                           │       │                     │
 *     │        │ stop,               stop, │       │ at SHARD_END        │ stop, lease lost,
 *     │        │ lease lost     lease lost │       │ already, or         │ shard end
 *     │        ▼                           │       │ nothing to read     │
 *     │      shutting-down ◄───────────────┴───────┼─────────────────────┘
 *     │        │                                   │
 *     │        │ leaseLost / shardEnded /          │
 *     │        │ shutdownRequested returned        │
 *     │        ▼                                   │
 *     └────► shutdown-complete ◄───────────────────┘
 *   requestShutdown()
 *   before start()
 *
 *   failed ◄── from initializing, processing or shutting-down: a task failed
 *              maxProcessingAttempts times (the lease stays held)
 * ```
 *
 * - `waiting-on-parents`: the first state. Reads the parents' leases until none is unfinished (a
 *   parent without a lease does not block); a parent ending on this worker wakes it at once.
 * - `initializing`: `initialize` (processor path), retried with backoff. A lease already at
 *   SHARD_END, or a checkpoint with no position left to read, ends the consumer at once.
 * - `processing`: batches are read, deaggregated, filtered and delivered with the failure policy;
 *   the handler path checkpoints after batches. The only state that reads records.
 * - `shutting-down`: entered at a shard's end (children's leases created, then `shardEnded` or a
 *   SHARD_END checkpoint), or when the lease is lost or the consumer stops (`leaseLost` or
 *   `shutdownRequested` / a last checkpoint). A batch in delivery always finishes first.
 * - `shutdown-complete`: terminal; the consumer's `done` resolves with the reason
 *   (`'lease-lost'`, `'shard-end'`, `'requested'`).
 * - `failed`: terminal; `done` resolves with `'failed'` and the lease is kept (renewed), so that no
 *   other worker processes past the failure; losing the lease later forgets the shard.
 *
 * Unlike the KCL there is no `SHUTDOWN_REQUESTED` state (a graceful stop is one pass through
 * `shutting-down`), and `failed` is a state of its own (the KCL retries a failing task forever).
 */
export type ShardConsumerState =
  | 'waiting-on-parents'
  | 'initializing'
  | 'processing'
  | 'shutting-down'
  | 'failed'
  | 'shutdown-complete';

/** Why a shard consumer ended. */
export type ShardShutdownReason =
  /** Another worker took the lease, or it expired locally. */
  | 'lease-lost'
  /** The shard is closed and was processed to its end (checkpointed at SHARD_END). */
  | 'shard-end'
  /** The consumer is stopping (`stop()`). */
  | 'requested'
  /** Processing failed `maxProcessingAttempts` times; the lease stays held and nothing is skipped. */
  | 'failed';

/** The state every shard consumer starts in. */
export const INITIAL_SHARD_CONSUMER_STATE: ShardConsumerState = 'waiting-on-parents';

/** The valid transitions: the states each state may move to. */
export const SHARD_CONSUMER_TRANSITIONS: Readonly<Record<ShardConsumerState, readonly ShardConsumerState[]>> =
  {
    'waiting-on-parents': ['initializing', 'shutting-down', 'shutdown-complete'],
    initializing: ['processing', 'shutting-down', 'shutdown-complete', 'failed'],
    processing: ['shutting-down', 'failed'],
    'shutting-down': ['shutdown-complete', 'failed'],
    'shutdown-complete': [],
    failed: [],
  };

/** Whether a shard consumer may move from `from` to `to`. */
export function isValidShardConsumerTransition(from: ShardConsumerState, to: ShardConsumerState): boolean {
  return SHARD_CONSUMER_TRANSITIONS[from].includes(to);
}
