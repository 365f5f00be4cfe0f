/** One spending: `cost` units taken at `at`, back at `until`. */
interface Spending {
  at: number;
  cost: number;
  until: number;
}

/**
 * A rate limit of `capacity` units per `windowMs`, as a sliding window: a token bucket of one
 * window's capacity whose tokens come back exactly one window after they were spent. So no window
 * of `windowMs` ever holds more than `capacity` units taken with {@link tryTake}, which is what
 * "1,000 records per second" says, with no allowance for refill within the window.
 *
 * A charge larger than the capacity (a 10 MiB read from a 2 MiB/s shard) comes back after as many
 * windows as it fills (`cost / capacity × windowMs`, 5 s there), as the service blocks a shard's
 * reads after a large one. Pure: time is the `now` argument (milliseconds, any monotonic origin).
 */
export class RateWindow {
  /** Spendings that come back one window after they were taken, oldest first (their `until` grows). */
  private readonly regular: Spending[] = [];
  private head = 0;
  /** Spendings larger than the capacity, which come back later; few, scanned. */
  private readonly long: Spending[] = [];
  private used = 0;

  /**
   * @param capacity units per window, > 0
   * @param windowMs the window, in milliseconds, > 0
   */
  constructor(
    readonly capacity: number,
    readonly windowMs = 1_000,
  ) {
    if (!(capacity > 0) || !(windowMs > 0)) {
      throw new RangeError(
        `RateWindow needs a capacity and a window > 0, got ${capacity} per ${windowMs} ms`,
      );
    }
  }

  /** Units that can be taken at `now` (negative while a large charge is being paid back). */
  available(now: number): number {
    this.expire(now);
    return this.capacity - this.used;
  }

  /** Whether nothing taken is still held at `now` (the window can be dropped). */
  idle(now: number): boolean {
    this.expire(now);
    return this.used === 0;
  }

  /**
   * Takes `cost` units at `now` if they are available, and says whether it did. A cost larger than
   * the capacity is taken only from an idle window (a burst the service allows for large records).
   */
  tryTake(now: number, cost: number): boolean {
    this.expire(now);
    const fits = cost > this.capacity ? this.used === 0 : this.used + cost <= this.capacity;
    if (!fits) return false;
    this.spend(now, cost);
    return true;
  }

  /** Takes `cost` units at `now` whether or not they are available (a cost known only afterwards). */
  charge(now: number, cost: number): void {
    this.expire(now);
    if (cost > 0) this.spend(now, cost);
  }

  private spend(now: number, cost: number): void {
    this.used += cost;
    if (cost > this.capacity) {
      this.long.push({ at: now, cost, until: now + (cost / this.capacity) * this.windowMs });
      return;
    }
    // Spendings at the same instant come back together: one entry, however many units.
    const last = this.regular[this.regular.length - 1];
    if (last !== undefined && this.regular.length > this.head && last.at === now) {
      last.cost += cost;
      return;
    }
    this.regular.push({ at: now, cost, until: now + this.windowMs });
  }

  private expire(now: number): void {
    while (this.head < this.regular.length && this.regular[this.head]!.until <= now) {
      this.used -= this.regular[this.head]!.cost;
      this.head += 1;
    }
    if (this.head > 64 && this.head * 2 > this.regular.length) {
      this.regular.splice(0, this.head);
      this.head = 0;
    }
    for (let index = this.long.length - 1; index >= 0; index--) {
      if (this.long[index]!.until <= now) {
        this.used -= this.long[index]!.cost;
        this.long.splice(index, 1);
      }
    }
    // Float sums of costs: snap what is left of an empty window back to 0.
    if (this.head === this.regular.length && this.long.length === 0) this.used = 0;
  }
}

/**
 * Rate windows by key (a shard, a stream, a consumer and shard), created on first use with the
 * capacity `capacityOf(key)` gives, and dropped once idle.
 */
export class RateWindows {
  private readonly windows = new Map<string, RateWindow>();
  private sweepAt = 0;

  constructor(
    private readonly capacityOf: (key: string) => number,
    private readonly windowMs = 1_000,
  ) {}

  /** The window of `key`, created if needed. */
  get(key: string, now: number): RateWindow {
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window) {
      window = new RateWindow(this.capacityOf(key), this.windowMs);
      this.windows.set(key, window);
    }
    return window;
  }

  /** Number of windows kept. */
  get size(): number {
    return this.windows.size;
  }

  /** Drops idle windows, at most once per window length. */
  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + this.windowMs;
    for (const [key, window] of this.windows) if (window.idle(now)) this.windows.delete(key);
  }
}
