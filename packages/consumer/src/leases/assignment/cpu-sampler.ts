import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  type CpuReading,
  cpuUtilizationPercent,
  parseCgroupV1CpuacctUsage,
  parseCgroupV1CpuQuota,
  parseCgroupV2CpuMax,
  parseCgroupV2CpuStat,
} from './cpu-usage.js';

/** Where the CPU figures come from. */
export type CpuSource = 'cgroup-v2' | 'cgroup-v1' | 'process';

/** Reads a file, `undefined` when it cannot (absent, not Linux). */
export type ReadText = (path: string) => string | undefined;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * Samples this worker's CPU utilization (percent of the CPUs it may use) between calls: from the
 * cgroup v2 `cpu.stat` (container or systemd slice), else cgroup v1 `cpuacct.usage`, else Node's
 * `process.cpuUsage()` (this process only). The CPU count is the cgroup quota when there is one, else
 * the machine's.
 */
export class CpuSampler {
  readonly source: CpuSource;
  private readonly cpus: number;
  private previous: CpuReading | undefined;
  private readonly read: () => number;

  constructor(
    private readonly now: () => number = () => performance.now(),
    files: ReadText = readText,
    processUsage: () => { user: number; system: number } = () => process.cpuUsage(),
  ) {
    const machineCpus = availableParallelism();
    const v2 = files('/sys/fs/cgroup/cpu.stat');
    if (v2 !== undefined && parseCgroupV2CpuStat(v2) !== undefined) {
      this.source = 'cgroup-v2';
      this.cpus = parseCgroupV2CpuMax(files('/sys/fs/cgroup/cpu.max') ?? '') ?? machineCpus;
      this.read = () => parseCgroupV2CpuStat(files('/sys/fs/cgroup/cpu.stat') ?? '') ?? Number.NaN;
    } else if (parseCgroupV1CpuacctUsage(files('/sys/fs/cgroup/cpuacct/cpuacct.usage') ?? '') !== undefined) {
      this.source = 'cgroup-v1';
      this.cpus =
        parseCgroupV1CpuQuota(
          files('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') ?? '',
          files('/sys/fs/cgroup/cpu/cpu.cfs_period_us') ?? '',
        ) ?? machineCpus;
      this.read = () =>
        parseCgroupV1CpuacctUsage(files('/sys/fs/cgroup/cpuacct/cpuacct.usage') ?? '') ?? Number.NaN;
    } else {
      this.source = 'process';
      this.cpus = machineCpus;
      this.read = () => {
        const usage = processUsage();
        return usage.user + usage.system;
      };
    }
  }

  /** The utilization since the previous call (`undefined` on the first call or a failed read). */
  sample(): number | undefined {
    const usageMicros = this.read();
    const current = { usageMicros, atMs: this.now() };
    const previous = this.previous;
    if (!Number.isFinite(usageMicros)) return undefined;
    this.previous = current;
    return previous ? cpuUtilizationPercent(previous, current, this.cpus) : undefined;
  }
}
