import { describe, expect, it } from 'vitest';
import {
  cpuUtilizationPercent,
  parseCgroupV1CpuacctUsage,
  parseCgroupV1CpuQuota,
  parseCgroupV2CpuMax,
  parseCgroupV2CpuStat,
} from './cpu-usage.js';

describe('CPU usage parsing', () => {
  it('reads usage_usec from a cgroup v2 cpu.stat', () => {
    const text = 'usage_usec 123456789\nuser_usec 100000000\nsystem_usec 23456789\nnr_periods 0\n';
    expect(parseCgroupV2CpuStat(text)).toBe(123_456_789);
    expect(parseCgroupV2CpuStat('user_usec 5\n')).toBeUndefined();
    expect(parseCgroupV2CpuStat('usage_usec abc\n')).toBeUndefined();
  });

  it('reads a cgroup v1 cpuacct.usage in nanoseconds as microseconds', () => {
    expect(parseCgroupV1CpuacctUsage('5000000\n')).toBe(5_000);
    expect(parseCgroupV1CpuacctUsage('-1\n')).toBeUndefined();
  });

  it('reads the CPU limit of cgroup v2 cpu.max and v1 CFS quotas, unlimited as undefined', () => {
    expect(parseCgroupV2CpuMax('200000 100000\n')).toBe(2);
    expect(parseCgroupV2CpuMax('max 100000\n')).toBeUndefined();
    expect(parseCgroupV1CpuQuota('50000\n', '100000\n')).toBe(0.5);
    expect(parseCgroupV1CpuQuota('-1\n', '100000\n')).toBeUndefined();
  });

  it('computes utilization as CPU time over elapsed time times CPUs, bounded to 0–100', () => {
    // 1.5 s of CPU in 1 s on 2 CPUs: 75 %.
    expect(
      cpuUtilizationPercent({ usageMicros: 0, atMs: 0 }, { usageMicros: 1_500_000, atMs: 1_000 }, 2),
    ).toBe(75);
    expect(
      cpuUtilizationPercent({ usageMicros: 0, atMs: 0 }, { usageMicros: 5_000_000, atMs: 1_000 }, 1),
    ).toBe(100);
    expect(
      cpuUtilizationPercent({ usageMicros: 10, atMs: 0 }, { usageMicros: 5, atMs: 1_000 }, 1),
    ).toBeUndefined();
    expect(
      cpuUtilizationPercent({ usageMicros: 0, atMs: 5 }, { usageMicros: 5, atMs: 5 }, 1),
    ).toBeUndefined();
  });
});
