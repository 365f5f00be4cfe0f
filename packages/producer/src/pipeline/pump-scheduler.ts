/**
 * When the pipeline's pump runs next: soon (on the next turn of the event loop, however often that
 * is asked for before it runs) or after a delay (a single timer, kept at the earliest time asked for).
 */
export class PumpScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private queued = false;

  constructor(private readonly pump: () => void) {}

  /** When the timer runs the pump (Infinity when no timer is set). */
  get timerRunsAt(): number {
    return this.timerAt;
  }

  /** Whether the pump runs on the next turn of the event loop already. */
  get soon(): boolean {
    return this.queued;
  }

  /** Runs the pump on the next turn of the event loop (`setImmediate`). */
  runSoon(): void {
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.pump();
    });
  }

  /** Runs the pump in `delayMs` (soon when not positive), unless a timer already runs it earlier. */
  runIn(delayMs: number): void {
    if (delayMs <= 0) {
      this.runSoon();
      return;
    }
    const at = Date.now() + delayMs;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, delayMs);
  }

  /** Clears the timer (a run already queued for the next turn still happens). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
