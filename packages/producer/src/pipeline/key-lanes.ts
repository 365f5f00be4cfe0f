import { KeyReuse } from './key-reuse.js';
import type { ShardLane } from './shard-lane.js';

/**
 * The lane each recent partition key was routed to, for the lanes of one shard map: finding a key's
 * shard takes a binary search over the map with 128-bit (bigint) comparisons, while producers put the
 * same keys again and again. The router empties it whenever it rebuilds its lanes (a new map, or
 * none), and uses it only while the map its lanes were built from is the current one and ready.
 * Bounded: when full it starts over.
 */
export class KeyLanes {
  private readonly lanes = new Map<string, ShardLane>();
  private readonly reuse = new KeyReuse();

  /** @param capacity the most partition keys remembered. @defaultValue 10000 */
  constructor(private readonly capacity = 10_000) {}

  /** The lane `partitionKey` was routed to since the last `clear`, if remembered. */
  get(partitionKey: string): ShardLane | undefined {
    const lane = this.lanes.get(partitionKey);
    this.reuse.looked(lane !== undefined);
    return lane;
  }

  /** Remembers that `partitionKey` goes to `lane` (only some new keys while keys do not come back: see `KeyReuse`). */
  set(partitionKey: string, lane: ShardLane): void {
    if (!this.reuse.shouldRemember()) return;
    if (this.lanes.size >= this.capacity) this.lanes.clear();
    this.lanes.set(partitionKey, lane);
  }

  /** Forgets every key (the lanes were rebuilt). */
  clear(): void {
    this.lanes.clear();
  }
}
