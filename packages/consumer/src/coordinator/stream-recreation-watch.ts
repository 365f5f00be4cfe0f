import { describeError, type Logger } from '@kinesis-ts/core';
import { StreamRecreatedError } from '../errors.js';
import { RepeatingTimer } from '../util/repeating-timer.js';

/** Options of {@link StreamRecreationWatch}. */
export interface StreamRecreationWatchOptions {
  /** The stream, for messages. */
  readonly stream: string;
  /** The creation time seen at `start()`. */
  readonly createdAt: Date;
  /** Describes the stream now: its creation time, or `undefined` when it does not exist (deleted). */
  readonly describe: () => Promise<Date | undefined>;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** The stream was deleted and created again: the checkpoints in the table are the old stream's. */
  readonly onRecreated: (error: StreamRecreatedError) => void;
}

/**
 * Single-stream mode: the lease keys are bare shard ids, so a stream deleted and created again
 * under the same name would be read from the old stream's checkpoints. This watch describes the
 * stream every `intervalMs` and reports a changed creation time once (then stops).
 */
export class StreamRecreationWatch {
  private readonly options: StreamRecreationWatchOptions;
  private readonly timer: RepeatingTimer;
  private reported = false;

  constructor(options: StreamRecreationWatchOptions) {
    this.options = options;
    this.timer = new RepeatingTimer(options.intervalMs, 'fixed-delay', () => this.check());
  }

  start(): void {
    this.timer.start();
  }

  stop(): Promise<void> {
    return this.timer.stop();
  }

  /** One check (the timer's task). Never rejects. */
  async check(): Promise<void> {
    if (this.reported) return;
    let createdAt: Date | undefined;
    try {
      createdAt = await this.options.describe();
    } catch (error) {
      this.options.logger.debug('Describing the stream failed; checked again later', {
        error: describeError(error),
      });
      return;
    }
    if (createdAt === undefined || createdAt.getTime() === this.options.createdAt.getTime()) return;
    this.reported = true;
    const error = new StreamRecreatedError(this.options.stream, this.options.createdAt, createdAt);
    this.options.logger.error(error.message, { stream: this.options.stream });
    this.options.onRecreated(error);
    void this.timer.stop();
  }
}
