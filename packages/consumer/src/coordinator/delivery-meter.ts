import type { EmitConsumerEvent } from './shard-consumer-factory.js';

/**
 * Wraps a shard consumer's event emitter so that the bytes of each `batch:processed` also go to
 * `onBytesDelivered` under the lease's table key (load-aware assignment's `throughputKBps`): the
 * shard id itself in single-stream mode, `<streamIdentifier>:<shardId>` in multi-stream mode.
 */
export function withDeliveryMeter(
  emit: EmitConsumerEvent,
  leaseKeyOf: (shardId: string) => string,
  onBytesDelivered: (leaseKey: string, bytes: number) => void,
): EmitConsumerEvent {
  return (event, payload) => {
    if (event === 'batch:processed') {
      const { shardId, bytes } = payload as { shardId: string; bytes: number };
      onBytesDelivered(leaseKeyOf(shardId), bytes);
    }
    emit(event, payload);
  };
}
