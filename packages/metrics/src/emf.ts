import type { MetricDatum } from './metric-datum.js';

/** Where Embedded Metric Format lines go. */
export interface EmfTarget {
  /** The CloudWatch namespace the metrics are extracted into. */
  readonly namespace: string;
  /**
   * Writes one log line (no trailing newline). In Lambda, standard output is the function's log
   * stream, from which CloudWatch extracts the metrics. @defaultValue writes the line and a newline to process.stdout
   */
  readonly write?: (line: string) => void;
}

/** The most metrics one EMF directive may name. */
export const EMF_MAX_METRICS_PER_LINE = 100;

/**
 * The Embedded Metric Format log lines for `datums`: one JSON object per set of dimension values,
 * with its metrics as top-level members and an `_aws` directive that tells CloudWatch to extract
 * them. EMF carries one value per metric per line, so statistics (`BufferingTime`…) are written as the
 * period's average and their sample count goes into a `<name>.SampleCount` member that is not a
 * metric. Pure.
 */
export function emfLines(datums: readonly MetricDatum[], namespace: string, timestamp: Date): string[] {
  const groups = new Map<string, { dimensions: Readonly<Record<string, string>>; datums: MetricDatum[] }>();
  for (const datum of datums) {
    const key = JSON.stringify(Object.entries(datum.dimensions));
    let group = groups.get(key);
    if (!group) {
      group = { dimensions: datum.dimensions, datums: [] };
      groups.set(key, group);
    }
    group.datums.push(datum);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    // A metric name appears once per line: later datums of the same name go to the next line.
    const pending = [...group.datums];
    while (pending.length > 0) {
      const line: MetricDatum[] = [];
      const names = new Set<string>();
      for (let i = 0; i < pending.length && line.length < EMF_MAX_METRICS_PER_LINE; ) {
        const datum = pending[i]!;
        if (names.has(datum.name)) {
          i++;
          continue;
        }
        names.add(datum.name);
        line.push(datum);
        pending.splice(i, 1);
      }
      const body: Record<string, unknown> = {
        _aws: {
          Timestamp: timestamp.getTime(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [Object.keys(group.dimensions)],
              Metrics: line.map((datum) => ({ Name: datum.name, Unit: datum.unit })),
            },
          ],
        },
        ...group.dimensions,
      };
      for (const datum of line) {
        if (datum.statistic) {
          body[datum.name] = datum.statistic.sum / datum.statistic.sampleCount;
          body[`${datum.name}.SampleCount`] = datum.statistic.sampleCount;
        } else {
          body[datum.name] = datum.value ?? 0;
        }
      }
      lines.push(JSON.stringify(body));
    }
  }
  return lines;
}

/** Writes `datums` as EMF lines through the target's writer. */
export function writeEmf(target: EmfTarget, datums: readonly MetricDatum[], timestamp: Date): number {
  const write = target.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const lines = emfLines(datums, target.namespace, timestamp);
  for (const line of lines) write(line);
  return lines.length;
}
