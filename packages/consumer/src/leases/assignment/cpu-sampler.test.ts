import { describe, expect, it } from 'vitest';
import { CpuSampler } from './cpu-sampler.js';

describe('CpuSampler', () => {
  it('reads cgroup v2 cpu.stat against the cpu.max quota', () => {
    let usage = 0;
    let now = 0;
    const files: Record<string, () => string> = {
      '/sys/fs/cgroup/cpu.stat': () => `usage_usec ${usage}\nuser_usec 0\n`,
      '/sys/fs/cgroup/cpu.max': () => '200000 100000\n',
    };
    const sampler = new CpuSampler(
      () => now,
      (path) => files[path]?.(),
    );
    expect(sampler.source).toBe('cgroup-v2');
    expect(sampler.sample()).toBeUndefined();
    usage += 1_000_000; // 1 s of CPU in 1 s on a 2-CPU quota: 50 %
    now += 1_000;
    expect(sampler.sample()).toBe(50);
  });

  it('falls back to cgroup v1 cpuacct.usage, then to process.cpuUsage()', () => {
    let now = 0;
    const v1 = new CpuSampler(
      () => now,
      (path) =>
        ({
          '/sys/fs/cgroup/cpuacct/cpuacct.usage': '1000000000\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
          '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
        })[path],
    );
    expect(v1.source).toBe('cgroup-v1');
    let micros = 0;
    const processOnly = new CpuSampler(
      () => now,
      () => undefined,
      () => ({ user: micros, system: 0 }),
    );
    expect(processOnly.source).toBe('process');
    processOnly.sample();
    micros += 100_000;
    now += 1_000;
    expect(processOnly.sample()).toBeGreaterThan(0);
  });
});
