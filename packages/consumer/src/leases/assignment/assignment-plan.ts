import type { RandomSource } from '@kinesis-ts/core';
import { decideVariance, type WorkerLoad } from './variance-decider.js';

/** A worker the leader may assign leases to. */
export interface AssignmentWorker {
  readonly workerId: string;
  /** Its CPU utilization (percent, smoothed), or `undefined` when it reports none. */
  readonly cpuPercent?: number;
  /**
   * Whether rebalancing may move leases to or from it: `false` while its last metrics predate its last
   * change of leases (its load is not known yet, so moving more would overshoot).
   */
  readonly settled: boolean;
}

/** A lease as the leader sees it after a scan. */
export interface AssignmentLease {
  readonly leaseKey: string;
  /** Its owner, when a live worker holds it. */
  readonly owner: string | undefined;
  /** Unowned, expired, or owned by a worker that is gone: to be assigned. */
  readonly assignable: boolean;
  /** Its throughput estimate (`throughputKBps`), 0 when unknown. */
  readonly throughputKBps: number;
}

/** A lease moved by an earlier rebalance: the hysteresis memory. */
export interface RecentMove {
  /** The worker it was moved away from (it is never moved back to it while remembered). */
  readonly from: string;
  /** The round of the move. */
  readonly round: number;
}

/** The input of {@link planLeaseAssignment}. */
export interface AssignmentPlanInput {
  readonly workers: readonly AssignmentWorker[];
  readonly leases: readonly AssignmentLease[];
  readonly maxLeasesForWorker: number;
  /** Rebalance only when a worker's load is outside ±this percentage of the mean (KCL: 10). */
  readonly rebalanceThresholdPercent: number;
  /** The share of the excess a giver sheds in one round (KCL: 60). */
  readonly dampeningPercent: number;
  /** When no lease fits within the amount to shed, move the smallest one anyway (KCL: true). */
  readonly allowThroughputOvershoot: boolean;
  /** Whether this round rebalances (the KCL does every `varianceBalancingFrequency` rounds). */
  readonly rebalance: boolean;
  readonly round: number;
  /** Moves remembered by the leader; a lease moved less than `moveCooldownRounds` ago stays put. */
  readonly recentMoves: ReadonlyMap<string, RecentMove>;
  readonly moveCooldownRounds: number;
  readonly random: RandomSource;
}

/** One decision of the planner. */
export interface LeaseAssignment {
  readonly leaseKey: string;
  /** The owner it is taken from (`undefined`: unowned, or expired and assigned afresh). */
  readonly from: string | undefined;
  readonly to: string;
  readonly reason: 'unassigned' | 'rebalance';
}

/** The planner's output. */
export interface AssignmentPlan {
  readonly assignments: readonly LeaseAssignment[];
  /** What load meant: CPU when every worker reports it, else the leases' throughput (the KCL fallback). */
  readonly metric: 'cpu' | 'throughput';
  /** The workers' loads before the plan. */
  readonly loads: ReadonlyMap<string, number>;
  /** The workers' loads as the plan expects them after its moves. */
  readonly projectedLoads: ReadonlyMap<string, number>;
}

interface WorkerState {
  readonly workerId: string;
  readonly settled: boolean;
  load: number;
  throughputKBps: number;
  leases: AssignmentLease[];
}

/**
 * The leader's decisions for one assignment round. Pure.
 *
 * 1. Load: CPU when every worker reports it, else summed lease throughput. The CPU cost of one KB/s is
 *    the slope of load over throughput across the workers (so a process's fixed cost is not counted as
 *    movable), bounded by the fleet's load/throughput ratio.
 * 2. Assignable leases (unowned, expired, or owned by a worker that is gone), busiest first, each go to
 *    the worker with the lowest projected load (then the fewest leases) under `maxLeasesForWorker`.
 * 3. When `rebalance`, {@link decideVariance} names givers and the throughput each sheds. A giver's
 *    leases are picked to sum to that amount (the smallest one when none fits and overshoot is allowed)
 *    and each goes to the settled worker with the most room below the mean. Hysteresis: a move is made
 *    only when the receiver ends at least `threshold × mean` below where the giver started (so the move
 *    back can never qualify), a lease moved less than `moveCooldownRounds` ago is not moved, never back to
 *    the worker it left, and unsettled workers neither give nor receive.
 */
export function planLeaseAssignment(input: AssignmentPlanInput): AssignmentPlan {
  const states = new Map<string, WorkerState>();
  for (const w of input.workers) {
    states.set(w.workerId, {
      workerId: w.workerId,
      settled: w.settled,
      load: 0,
      throughputKBps: 0,
      leases: [],
    });
  }
  const metric: AssignmentPlan['metric'] =
    input.workers.length > 0 && input.workers.every((w) => w.cpuPercent !== undefined) ? 'cpu' : 'throughput';
  for (const lease of input.leases) {
    if (lease.assignable || lease.owner === undefined) continue;
    const state = states.get(lease.owner);
    if (!state) continue;
    state.leases.push(lease);
    state.throughputKBps += lease.throughputKBps;
  }
  for (const w of input.workers) {
    const state = states.get(w.workerId) as WorkerState;
    state.load = metric === 'cpu' ? (w.cpuPercent ?? 0) : state.throughputKBps;
  }
  const loads = new Map([...states.values()].map((s) => [s.workerId, s.load]));
  const costPerKBps = metric === 'cpu' ? cpuCostPerKBps([...states.values()]) : 1;
  // A lease whose cost is unknown (no throughput yet) counts as the mean load over the mean lease count,
  // as the KCL extrapolates an added lease, so that fresh leases spread evenly.
  const meanLoad = states.size > 0 ? [...loads.values()].reduce((a, b) => a + b, 0) / states.size : 0;
  const leasesPerWorker = Math.max(1, input.leases.length / Math.max(1, states.size));
  const unknownLeaseLoad = meanLoad > 0 ? meanLoad / leasesPerWorker : 1;
  const loadOf = (lease: AssignmentLease): number => {
    const estimate = lease.throughputKBps * costPerKBps;
    return estimate > 0 ? estimate : unknownLeaseLoad;
  };
  const assignments: LeaseAssignment[] = [];
  const move = (
    lease: AssignmentLease,
    from: WorkerState | undefined,
    to: WorkerState,
    reason: LeaseAssignment['reason'],
  ) => {
    const d = loadOf(lease);
    if (from) {
      from.leases = from.leases.filter((l) => l.leaseKey !== lease.leaseKey);
      from.load -= d;
      from.throughputKBps -= lease.throughputKBps;
    }
    to.leases.push(lease);
    to.load += d;
    to.throughputKBps += lease.throughputKBps;
    assignments.push({ leaseKey: lease.leaseKey, from: lease.owner, to: to.workerId, reason });
  };

  // 2. Assignable leases, busiest first (ties by key, for a stable plan).
  const assignable = input.leases
    .filter((l) => l.assignable)
    .sort((a, b) => b.throughputKBps - a.throughputKBps || a.leaseKey.localeCompare(b.leaseKey));
  for (const lease of assignable) {
    const target = pickLeastLoaded([...states.values()], input.maxLeasesForWorker);
    if (!target) break;
    move(lease, undefined, target, 'unassigned');
  }

  // 3. Rebalance by variance.
  if (input.rebalance && states.size >= 2) {
    const all = [...states.values()];
    const decision = decideVariance(
      all.map(toWorkerLoad),
      input.rebalanceThresholdPercent,
      input.dampeningPercent,
    );
    const margin = (decision.mean * input.rebalanceThresholdPercent) / 100;
    for (const shed of decision.rebalance ? decision.toShed : []) {
      const giver = states.get(shed.workerId) as WorkerState;
      if (!giver.settled) continue;
      const movable = giver.leases.filter((l) => {
        const recent = input.recentMoves.get(l.leaseKey);
        return !recent || input.round - recent.round >= input.moveCooldownRounds;
      });
      const picked = pickLeasesToShed(
        movable,
        shed.throughputKBps,
        input.allowThroughputOvershoot,
        input.random,
      );
      for (const lease of picked) {
        const avoid = input.recentMoves.get(lease.leaseKey)?.from;
        const receiver = pickReceiver(all, giver, avoid, input.maxLeasesForWorker, decision.mean);
        if (!receiver) break;
        if (receiver.load + loadOf(lease) > giver.load - margin) continue;
        move(lease, giver, receiver, 'rebalance');
      }
    }
  }
  return {
    assignments,
    metric,
    loads,
    projectedLoads: new Map([...states.values()].map((s) => [s.workerId, s.load])),
  };
}

function toWorkerLoad(s: WorkerState): WorkerLoad {
  return { workerId: s.workerId, load: s.load, throughputKBps: s.throughputKBps };
}

/**
 * The CPU percent one KB/s costs: the least-squares slope of load over throughput across workers,
 * clamped to [0, fleet load / fleet throughput]; the ratio itself when the workers' throughputs do not
 * differ. 0 when there is no throughput.
 */
export function cpuCostPerKBps(workers: readonly { load: number; throughputKBps: number }[]): number {
  const totalTp = workers.reduce((s, w) => s + w.throughputKBps, 0);
  if (totalTp <= 0) return 0;
  const ratio = workers.reduce((s, w) => s + w.load, 0) / totalTp;
  const n = workers.length;
  const meanTp = totalTp / n;
  const meanLoad = workers.reduce((s, w) => s + w.load, 0) / n;
  let cov = 0;
  let varTp = 0;
  for (const w of workers) {
    cov += (w.throughputKBps - meanTp) * (w.load - meanLoad);
    varTp += (w.throughputKBps - meanTp) ** 2;
  }
  if (varTp <= 0) return ratio;
  return Math.min(ratio, Math.max(0, cov / varTp));
}

function pickLeastLoaded(workers: readonly WorkerState[], maxLeases: number): WorkerState | undefined {
  let best: WorkerState | undefined;
  for (const w of workers) {
    if (w.leases.length >= maxLeases) continue;
    if (
      !best ||
      w.load < best.load ||
      (w.load === best.load && w.leases.length < best.leases.length) ||
      (w.load === best.load && w.leases.length === best.leases.length && w.workerId < best.workerId)
    ) {
      best = w;
    }
  }
  return best;
}

/** The settled worker with the most room to reach the mean (relative, as the KCL ranks them). */
function pickReceiver(
  workers: readonly WorkerState[],
  giver: WorkerState,
  avoid: string | undefined,
  maxLeases: number,
  mean: number,
): WorkerState | undefined {
  let best: WorkerState | undefined;
  let bestRoom = Number.NEGATIVE_INFINITY;
  for (const w of workers) {
    if (w === giver || !w.settled || w.workerId === avoid || w.leases.length >= maxLeases) continue;
    const room = w.load <= 0 ? Number.POSITIVE_INFINITY : (mean - w.load) / w.load;
    if (room > bestRoom || (room === bestRoom && best !== undefined && w.workerId < best.workerId)) {
      best = w;
      bestRoom = room;
    }
  }
  return best;
}

/**
 * Leases whose throughput sums to at most `amountKBps` (in random order, skipping any that would
 * overshoot); when none fits and `allowOvershoot`, the smallest; when the giver has no measured
 * throughput, one lease.
 */
export function pickLeasesToShed(
  leases: readonly AssignmentLease[],
  amountKBps: number,
  allowOvershoot: boolean,
  random: RandomSource,
): AssignmentLease[] {
  if (leases.length === 0) return [];
  const total = leases.reduce((s, l) => s + l.throughputKBps, 0);
  if (total <= 0) return [leases[0] as AssignmentLease];
  const shuffled = [...leases];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as AssignmentLease, shuffled[i] as AssignmentLease];
  }
  const out: AssignmentLease[] = [];
  let remaining = amountKBps;
  for (const lease of shuffled) {
    if (remaining - lease.throughputKBps <= 0) continue;
    remaining -= lease.throughputKBps;
    out.push(lease);
  }
  if (out.length === 0 && allowOvershoot) {
    out.push(shuffled.reduce((a, b) => (b.throughputKBps < a.throughputKBps ? b : a)));
  }
  return out;
}
