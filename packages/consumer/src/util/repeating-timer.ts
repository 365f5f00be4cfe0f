/**
 * Runs an async task every `intervalMs` until stopped. `fixed-rate` schedules each run
 * `intervalMs` after the previous one started (but never overlaps runs: a late run starts when the
 * previous one ends); `fixed-delay` waits `intervalMs` after the previous one ended. The task's
 * rejections are swallowed: the task reports its own errors.
 */
export class RepeatingTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private active = false;

  constructor(
    private readonly intervalMs: number,
    private readonly mode: 'fixed-rate' | 'fixed-delay',
    private readonly task: () => Promise<void>,
  ) {}

  /** Schedules the first run `intervalMs` from now. Does nothing when already started. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.schedule(this.intervalMs);
  }

  /** Whether the timer is started (and not stopped). */
  isActive(): boolean {
    return this.active;
  }

  /** Cancels the next run and resolves once a run in progress has finished. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, delayMs));
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.active) return;
    const startedAt = Date.now();
    this.running = this.task()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (!this.active) return;
        const elapsed = Date.now() - startedAt;
        this.schedule(this.mode === 'fixed-rate' ? this.intervalMs - elapsed : this.intervalMs);
      });
  }
}
