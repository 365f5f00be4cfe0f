import { describe, expect, it } from 'vitest';
import { AssignmentMemory } from './assignment-memory.js';

describe('AssignmentMemory', () => {
  it('rebalances every varianceBalancingFrequency-th round', () => {
    const memory = new AssignmentMemory({
      moveCooldownRounds: 10,
      varianceBalancingFrequency: 3,
      reportIntervalMs: 30_000,
    });
    expect([1, 2, 3, 4, 5, 6].map(() => memory.nextRound().rebalance)).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
  });

  it('remembers rebalancing moves for the cooldown, not plain assignments', () => {
    const memory = new AssignmentMemory({
      moveCooldownRounds: 2,
      varianceBalancingFrequency: 1,
      reportIntervalMs: 30_000,
    });
    memory.nextRound();
    memory.record(
      [
        { leaseKey: 's0', from: 'a', to: 'b', reason: 'rebalance' },
        { leaseKey: 's1', from: undefined, to: 'b', reason: 'unassigned' },
      ],
      1_000,
    );
    expect([...memory.recentMoves().keys()]).toEqual(['s0']);
    memory.nextRound();
    expect(memory.recentMoves().get('s0')).toEqual({ from: 'a', round: 1 });
    memory.nextRound();
    expect(memory.recentMoves().size).toBe(0);
  });

  it('counts only the CPU reports whose period lies after a worker last changed leases', () => {
    const memory = new AssignmentMemory({
      moveCooldownRounds: 10,
      varianceBalancingFrequency: 3,
      reportIntervalMs: 30_000,
    });
    expect(memory.workerLoad('b', [60, 60], 50_000, 0.5)).toEqual({ cpuPercent: 60, settled: true });
    memory.record([{ leaseKey: 's0', from: 'a', to: 'b', reason: 'rebalance' }], 100_000);
    // The report at 110 s covers 80–110 s, partly before the change: not settled yet.
    expect(memory.workerLoad('b', [60, 60, 45], 110_000, 0.5).settled).toBe(false);
    // The report at 140 s covers 110–140 s: only it counts.
    expect(memory.workerLoad('b', [60, 60, 45, 40], 140_000, 0.5)).toEqual({ cpuPercent: 40, settled: true });
    expect(memory.workerLoad('b', [60, 60, 45, 40, 42], 170_000, 0.5)).toEqual({
      cpuPercent: 41,
      settled: true,
    });
  });
});
