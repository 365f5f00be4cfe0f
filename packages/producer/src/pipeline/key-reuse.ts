/** Lookups per window over which the hit rate is judged. */
const WINDOW_LOOKUPS = 1024;
/** A window with at least one hit in this many lookups counts as reuse. */
const MIN_HITS_IN = 8;
/** Without reuse, one new key in this many is remembered (a power of two). */
const SAMPLED_ONE_IN = 16;

/**
 * Whether the partition keys a cache sees come back, so that remembering each new one pays. Every
 * new key costs the cache an insert (and, bounded, a share of a clear and a regrowth), which a
 * producer given a new key per record (a UUID, a request id: a common way to spread records over
 * shards) pays for every record and never gets back: about 0.6 µs per record for the two key
 * caches. While the last window of lookups had fewer than one hit in eight, only one new key in 16
 * is remembered: enough for keys that do come back to be found again soon, and for a cache whose
 * keys start repeating to see its hit rate rise and remember every key again.
 */
export class KeyReuse {
  private lookups = 0;
  private hits = 0;
  private reusing = true;
  private skipped = 0;

  /** Counts a lookup, and whether it found the key. */
  looked(found: boolean): void {
    if (found) this.hits++;
    if (++this.lookups < WINDOW_LOOKUPS) return;
    this.reusing = this.hits * MIN_HITS_IN >= this.lookups;
    this.lookups = 0;
    this.hits = 0;
  }

  /** Whether to remember the new key just looked up. */
  shouldRemember(): boolean {
    if (this.reusing) return true;
    this.skipped = (this.skipped + 1) & (SAMPLED_ONE_IN - 1);
    return this.skipped === 0;
  }
}
