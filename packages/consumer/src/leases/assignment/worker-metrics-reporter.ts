import { describeError, type Logger, SILENT_LOGGER } from '@kinesis-ts/core';
import { CPU_METRIC, type WorkerMetricsStore } from '../dynamodb/worker-metrics-table.js';

/** Options of {@link WorkerMetricsReporter}. */
export interface WorkerMetricsReporterOptions {
  readonly store: WorkerMetricsStore;
  readonly workerId: string;
  /** Returns the CPU utilization since the last call, `undefined` when unknown. */
  readonly sampleCpu: () => number | undefined;
  /** Wall clock (epoch ms) for `lut`. */
  readonly wallClock: () => number;
  /** How many values to keep (KCL: 10). */
  readonly valuesKept: number;
  readonly logger?: Logger;
  readonly onError?: (error: unknown) => void;
}

/**
 * Writes this worker's metrics row (KCL 3.x format) on each {@link report}: the CPU utilization since
 * the previous report appended to the last values kept (-1 when the reading failed, as the KCL marks
 * it), max utilization 100.
 */
export class WorkerMetricsReporter {
  private values: number[] = [];
  private readonly logger: Logger;

  constructor(private readonly options: WorkerMetricsReporterOptions) {
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  /** Starts the CPU window (the first report then covers the time since). */
  prime(): void {
    this.options.sampleCpu();
  }

  /** Samples and writes the row. Never rejects. */
  async report(signal?: AbortSignal): Promise<void> {
    const cpu = this.options.sampleCpu();
    this.values = [...this.values, cpu === undefined ? -1 : Math.round(cpu * 100) / 100].slice(
      -this.options.valuesKept,
    );
    try {
      await this.options.store.writeWorkerMetrics(
        {
          workerId: this.options.workerId,
          lastUpdateMs: this.options.wallClock(),
          stats: { [CPU_METRIC]: this.values },
          operatingRange: { [CPU_METRIC]: 100 },
        },
        signal,
      );
    } catch (error) {
      this.logger.warn('Writing the worker metrics row failed', { error: describeError(error) });
      this.options.onError?.(error);
    }
  }
}
