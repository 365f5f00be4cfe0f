/** The try in progress of a delivery: what a stall report says is stuck. */
export interface StalledAttempt {
  /** How many records the handler (or `processRecords`) was given: the batch, its rest, or one record. */
  readonly records: number;
  /** The first of them (undefined for an empty batch). */
  readonly firstSequenceNumber: string | undefined;
  /** Which try of these records it is (1 for the first). */
  readonly attempt: number;
}

/** A delivery that made no progress for a multiple of the threshold. */
export interface StallReport extends StalledAttempt {
  /** How long since the delivery began or last made progress (a checkpoint, records done), in ms. */
  readonly stalledForMs: number;
  /**
   * Whether `processingTimeoutMs` has already aborted the signal of the try in progress, which has not
   * returned yet: the handler ignores its signal, and the shard waits for it.
   */
  readonly timedOut: boolean;
}

/**
 * Watches the delivery of one shard's batches: when a delivery makes no progress for `thresholdMs`,
 * `onStall` is called, and again at each further multiple of `thresholdMs` while it stays stuck
 * (a bounded rate: one report per threshold). Progress (a checkpoint, records done) starts the clock
 * again. Between deliveries nothing is watched: a shard waiting for records is not stalled. A
 * threshold of 0 watches nothing.
 */
export class StallWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the current stall clock started; undefined between deliveries. */
  private sinceMs: number | undefined;
  private current: StalledAttempt = { records: 0, firstSequenceNumber: undefined, attempt: 1 };
  private attemptTimedOut = false;

  constructor(
    private readonly thresholdMs: number,
    private readonly now: () => number,
    private readonly onStall: (report: StallReport) => void,
  ) {}

  /** A delivery begins. */
  begin(attempt: StalledAttempt): void {
    this.current = attempt;
    this.attemptTimedOut = false;
    this.restart();
  }

  /** The delivery in progress starts a try (a retry, the rest of a batch, one record). Not progress. */
  attempt(attempt: StalledAttempt): void {
    this.current = attempt;
    this.attemptTimedOut = false;
  }

  /** The try in progress timed out and its signal was aborted; it has not returned yet. */
  timedOut(): void {
    this.attemptTimedOut = true;
  }

  /** The delivery in progress made progress: the clock starts again. Ignored between deliveries. */
  progress(): void {
    if (this.sinceMs !== undefined) this.restart();
  }

  /** The delivery ended (done, failed or aborted). */
  end(): void {
    this.clear();
    this.sinceMs = undefined;
  }

  private restart(): void {
    this.clear();
    this.sinceMs = this.now();
    this.schedule();
  }

  private schedule(): void {
    if (this.thresholdMs <= 0 || this.sinceMs === undefined) return;
    // Each report is a threshold after the previous one (or after the start of the stall).
    this.timer = setTimeout(() => this.fire(), this.thresholdMs);
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.sinceMs === undefined) return;
    this.schedule();
    try {
      this.onStall({
        ...this.current,
        stalledForMs: Math.max(0, this.now() - this.sinceMs),
        timedOut: this.attemptTimedOut,
      });
    } catch {
      // a throwing logger must not escape a timer callback; the next report comes anyway
    }
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
