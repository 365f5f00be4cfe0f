/**
 * The variance test of load-aware assignment (the KCL 3.x `VarianceBasedLeaseAssignmentDecider`'s
 * rule): rebalance when any worker's load is outside ±`thresholdPercent` of the fleet mean; take load
 * from every worker at or above the upper bound (or, when none is, from the most loaded one), each
 * giving up `(load − mean) / load × dampening` of its throughput. Pure.
 */

/** A worker as the decider sees it. */
export interface WorkerLoad {
  readonly workerId: string;
  /** Its load metric (CPU %, or KB/s when balancing by throughput only). */
  readonly load: number;
  /** The summed throughput of its leases, KB/s. */
  readonly throughputKBps: number;
}

/** What the decider asks for. */
export interface VarianceDecision {
  readonly mean: number;
  /** Whether a worker is outside the band (nothing is moved otherwise). */
  readonly rebalance: boolean;
  /** Per giving worker, the throughput (KB/s) to move away, largest first. */
  readonly toShed: readonly { readonly workerId: string; readonly throughputKBps: number }[];
}

/** Decides whether and how much to rebalance; see the module comment. */
export function decideVariance(
  workers: readonly WorkerLoad[],
  thresholdPercent: number,
  dampeningPercent: number,
): VarianceDecision {
  if (workers.length < 2) return { mean: workers[0]?.load ?? 0, rebalance: false, toShed: [] };
  const mean = workers.reduce((sum, w) => sum + w.load, 0) / workers.length;
  const upper = mean * (1 + thresholdPercent / 100);
  const lower = mean * (1 - thresholdPercent / 100);
  const outside = workers.some((w) => w.load > upper || w.load < lower);
  if (!outside || mean <= 0) return { mean, rebalance: false, toShed: [] };
  let givers = workers.filter((w) => w.load >= upper);
  if (givers.length === 0) {
    const most = workers.reduce((a, b) => (b.load > a.load ? b : a));
    givers = [most];
  }
  const toShed = givers
    .map((w) => ({
      workerId: w.workerId,
      throughputKBps:
        w.load > 0 ? w.throughputKBps * ((w.load - mean) / w.load) * (dampeningPercent / 100) : 0,
    }))
    .sort((a, b) => b.throughputKBps - a.throughputKBps);
  return { mean, rebalance: true, toShed };
}
