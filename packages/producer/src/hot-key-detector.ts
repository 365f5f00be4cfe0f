const EXACT_RECORDS = 4096;
const SAMPLE_RATE = 1 / 8;
const LOG_NOT_SAMPLED = Math.log(1 - SAMPLE_RATE);
/** What `observe` returns while a window goes on (shared: no array per record). */
const NONE: HotSpot[] = [];

/** A key (or shard) that took an outsized share of the records of a window. */
export interface HotSpot {
  /** The partition key or shard id. */
  readonly key: string;
  /** Its share of the window's records, from 0 to 1 (for keys, a lower bound: see `HotKeyDetector`). */
  readonly share: number;
  /** About how many of the window's records it had (estimated from its share). */
  readonly count: number;
  /** How many records the window had. */
  readonly total: number;
}

/**
 * Finds partition keys that take more than `threshold` of the records in fixed windows, in bounded
 * memory and time: a Misra–Gries summary keeps at most 10/threshold counters whatever the number of
 * distinct keys. A counter underestimates its key's share by at most a tenth of the threshold, and a
 * key is reported only when its counted share is above the threshold. Past the first 4,096 records of
 * a window, only a random eighth of the records is counted (shares stay unbiased; their error grows
 * a little), which keeps the cost per record small on busy producers. Rather than a random number per
 * record, one per counted record draws how many to skip before the next (a geometric draw: each
 * record is still counted with probability 1/8, independently of the others).
 */
export class HotKeyDetector {
  private readonly counters = new Map<string, number>();
  private readonly capacity: number;
  private total = 0;
  private sampled = 0;
  /** Records to pass over before the next one counted (once past the window's first 4,096). */
  private toSkip = 0;
  private windowEndsAt: number;

  /**
   * @param threshold the share (0..1] above which a key is hot.
   * @param windowMs the length of a window in milliseconds.
   * @param minRecords windows with fewer records report nothing.
   */
  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    now: number,
    private readonly minRecords = 100,
    private readonly random: () => number = Math.random,
  ) {
    this.capacity = Math.max(1, Math.ceil(10 / threshold));
    this.windowEndsAt = now + windowMs;
  }

  /**
   * Counts one record with `key`. When `now` has moved past the window, the finished window's hot
   * keys are returned (once) and a new window starts; otherwise an empty list.
   */
  observe(key: string, now: number): HotSpot[] {
    const finished = now >= this.windowEndsAt ? this.closeWindow(now) : NONE;
    this.total++;
    if (this.total > EXACT_RECORDS) {
      if (this.toSkip > 0) {
        this.toSkip--;
        return finished;
      }
      this.toSkip = skipBeforeNextSample(this.random());
    }
    this.sampled++;
    const count = this.counters.get(key);
    if (count !== undefined) {
      this.counters.set(key, count + 1);
    } else if (this.counters.size < this.capacity) {
      this.counters.set(key, 1);
    } else {
      this.counters.forEach(this.decrement);
    }
    return finished;
  }

  /** Takes one from a counter, dropping it at zero (a method: no closure or entry array per call). */
  private readonly decrement = (count: number, key: string): void => {
    if (count <= 1) this.counters.delete(key);
    else this.counters.set(key, count - 1);
  };

  /** Ends the current window now and returns its hot keys. */
  closeWindow(now: number): HotSpot[] {
    const hot: HotSpot[] = [];
    if (this.total >= this.minRecords) {
      for (const [key, count] of this.counters) {
        const share = count / this.sampled;
        if (share > this.threshold) {
          hot.push({ key, count: Math.round(share * this.total), total: this.total, share });
        }
      }
      hot.sort((a, b) => b.count - a.count);
    }
    this.counters.clear();
    this.total = 0;
    this.sampled = 0;
    this.toSkip = 0;
    this.windowEndsAt = now + this.windowMs;
    return hot;
  }
}

/**
 * How many records to skip before the next one counted, from a uniform draw `u` in [0, 1): the number
 * of failures before a success in trials of probability `SAMPLE_RATE`, a geometric distribution.
 */
function skipBeforeNextSample(u: number): number {
  // A source that returns 1 (outside its range) must not stop the sampling for the rest of a window.
  return Math.floor(Math.log(1 - Math.min(u, 1 - Number.EPSILON)) / LOG_NOT_SAMPLED);
}
