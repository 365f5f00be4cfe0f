/**
 * Pure parsing and arithmetic for a worker's CPU utilization, read from cgroup v2 (`cpu.stat`,
 * `cpu.max`), cgroup v1 (`cpuacct.usage`, `cpu.cfs_quota_us`/`cpu.cfs_period_us`), or Node's
 * `process.cpuUsage()`. The file reads live in `cpu-sampler.ts`.
 */

/** `usage_usec` from a cgroup v2 `cpu.stat`, in µs; `undefined` when absent or unreadable. */
export function parseCgroupV2CpuStat(text: string): number | undefined {
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name === 'usage_usec' && value !== undefined) return parseNonNegative(value);
  }
  return undefined;
}

/** A cgroup v1 `cpuacct.usage` (ns) in µs; `undefined` when unreadable. */
export function parseCgroupV1CpuacctUsage(text: string): number | undefined {
  const ns = parseNonNegative(text.trim());
  return ns === undefined ? undefined : ns / 1000;
}

/**
 * The CPUs a cgroup v2 `cpu.max` allows (`<quota> <period>`, or `max <period>` for no limit);
 * `undefined` when unlimited or unreadable.
 */
export function parseCgroupV2CpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return undefined;
  return cpusOf(parseNonNegative(quota), parseNonNegative(period));
}

/** The CPUs a cgroup v1 CFS quota allows (quota −1: unlimited, `undefined`). */
export function parseCgroupV1CpuQuota(quotaText: string, periodText: string): number | undefined {
  const quota = Number(quotaText.trim());
  if (!Number.isFinite(quota) || quota <= 0) return undefined;
  return cpusOf(quota, parseNonNegative(periodText.trim()));
}

/** One reading of cumulative CPU time. */
export interface CpuReading {
  /** CPU time used so far, in µs. */
  readonly usageMicros: number;
  /** When it was read, in ms (any monotonic clock). */
  readonly atMs: number;
}

/**
 * CPU utilization between two readings, in percent of the CPUs available (0–100): used CPU time over
 * elapsed time × CPUs. `undefined` when no time passed or the counter went backwards (a restart).
 */
export function cpuUtilizationPercent(
  previous: CpuReading,
  current: CpuReading,
  cpus: number,
): number | undefined {
  const elapsedMicros = (current.atMs - previous.atMs) * 1000;
  const used = current.usageMicros - previous.usageMicros;
  if (elapsedMicros <= 0 || used < 0 || cpus <= 0) return undefined;
  return Math.min(100, Math.max(0, (used / (elapsedMicros * cpus)) * 100));
}

function cpusOf(quota: number | undefined, period: number | undefined): number | undefined {
  if (quota === undefined || period === undefined || quota <= 0 || period <= 0) return undefined;
  return quota / period;
}

function parseNonNegative(text: string): number | undefined {
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
