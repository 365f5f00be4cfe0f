/**
 * De-duplicates the partition keys of one aggregate for `encodeAggregatedRecord`: a key's index in
 * the table, or -1 for a key not seen yet.
 *
 * Why not only a `Map`: with 300 distinct keys, a `get` and a `set` per key (the map growing from 4
 * entries) cost about a fifth of the MD5 of the whole aggregate. This is an open-addressing table
 * over a few sampled characters (both ends and the middle: enough to tell apart UUIDs, counters and
 * device names), kept for the whole process and cleared for free by a generation stamp. Keys that
 * defeat the sampling (long runs of keys equal at every sampled position) make probe chains grow:
 * past {@link MAX_PROBES} the aggregate switches to a `Map`. A `Map` is also used above
 * {@link MAX_TABLE_KEYS} records, and by a call made while another holds the table (from a getter).
 */
const TABLE_SIZE = 1 << 13;
const MASK = TABLE_SIZE - 1;
/** Aggregates of more records use a `Map` (the table stays at most half full). */
export const MAX_TABLE_KEYS = TABLE_SIZE / 2;
const MAX_PROBES = 16;

let slots: Int32Array | undefined;
let stamps: Int32Array | undefined;
let generation = 0;
let tableInUse = false;

export class PartitionKeyIndex {
  private map: Map<string, number> | undefined;
  private readonly generation: number = 0;
  private readonly ownsTable: boolean = false;
  private freeSlot = 0;

  /**
   * @param keys the aggregate's partition key table, which the caller appends to after each miss.
   * @param maxKeys an upper bound of the number of keys (the number of records).
   */
  constructor(
    private readonly keys: readonly string[],
    maxKeys: number,
  ) {
    if (tableInUse || maxKeys > MAX_TABLE_KEYS) {
      this.map = new Map();
      return;
    }
    tableInUse = true;
    this.ownsTable = true;
    slots ??= new Int32Array(TABLE_SIZE);
    stamps ??= new Int32Array(TABLE_SIZE);
    if (generation === 0x7fffffff) {
      stamps.fill(0);
      generation = 0;
    }
    this.generation = ++generation;
  }

  /** The index of `key`, or -1 when it is new (then call {@link added} once it is appended to `keys`). */
  find(key: string): number {
    if (this.map !== undefined) return this.map.get(key) ?? -1;
    const keys = this.keys;
    const stamp = this.generation;
    let slot = sampledHash(key) & MASK;
    for (let probes = 0; stamps![slot] === stamp; probes++) {
      const index = slots![slot]!;
      if (keys[index] === key) return index;
      if (probes === MAX_PROBES) {
        // Never for a key already filed: with nothing ever removed, a lookup follows the path its
        // insertion took, which ended in fewer probes than this.
        this.map = new Map(keys.map((known, knownIndex) => [known, knownIndex]));
        return -1;
      }
      slot = (slot + 1) & MASK;
    }
    this.freeSlot = slot;
    return -1;
  }

  /** Files the key `find` just missed, now the last of `keys`. */
  added(key: string): void {
    const index = this.keys.length - 1;
    if (this.map !== undefined) {
      this.map.set(key, index);
      return;
    }
    stamps![this.freeSlot] = this.generation;
    slots![this.freeSlot] = index;
  }

  /** Gives the shared table back; call once, when the aggregate is done (or failed). */
  release(): void {
    if (this.ownsTable) tableInUse = false;
  }
}

/** A hash of the length and five characters (both ends and the middle); 0 stands in for a missing one. */
function sampledHash(key: string): number {
  const length = key.length;
  let hash = Math.imul(length, 0x9e3779b1);
  hash ^= Math.imul(key.charCodeAt(length - 1), 0x85ebca6b);
  hash ^= Math.imul(key.charCodeAt(length - 2), 0x27d4eb2f);
  hash ^= Math.imul(key.charCodeAt(length - 3), 0x165667b1);
  hash ^= Math.imul(key.charCodeAt(length >> 1), 0x61c88647);
  hash ^= Math.imul(key.charCodeAt(0), 0xc2b2ae35);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  return hash ^ (hash >>> 12);
}
