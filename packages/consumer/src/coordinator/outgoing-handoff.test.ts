import { SILENT_LOGGER } from '@kinesis-ts/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fleetProtocol } from '../leases/dynamodb/client-version-row.js';
import type { ShardShutdownReason } from '../lifecycle/shard-consumer-states.js';
import { handOverLease } from './outgoing-handoff.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function shard(finishAfterMs: number | undefined) {
  const calls: string[] = [];
  return {
    calls,
    requestShutdown: () => {
      calls.push('requestShutdown');
      return new Promise<ShardShutdownReason>((resolve) => {
        if (finishAfterMs !== undefined) setTimeout(() => resolve('requested'), finishAfterMs);
      });
    },
    leaseLost: () => {
      calls.push('leaseLost');
    },
  };
}

describe('handOverLease (the old owner of a graceful handoff)', () => {
  it('transfers once the shard has finished and checkpointed, without telling it the lease is lost', async () => {
    const s = shard(1_000);
    const transfer = vi.fn(async () => {
      s.calls.push('transfer');
      return true;
    });
    const done = handOverLease({
      leaseKey: 'a',
      nextOwner: 'b',
      shard: s,
      timeoutMs: 30_000,
      transfer,
      logger: SILENT_LOGGER,
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await done).toEqual({ finished: true, written: true });
    expect(s.calls).toEqual(['requestShutdown', 'transfer']);
  });

  it('transfers after the timeout when the shard never finishes, then tells it the lease is lost', async () => {
    const s = shard(undefined);
    const transfer = vi.fn(async () => {
      s.calls.push('transfer');
      return true;
    });
    const done = handOverLease({
      leaseKey: 'a',
      nextOwner: 'b',
      shard: s,
      timeoutMs: 30_000,
      transfer,
      logger: SILENT_LOGGER,
    });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(transfer).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toEqual({ finished: false, written: true });
    expect(s.calls).toEqual(['requestShutdown', 'transfer', 'leaseLost']);
  });

  it('transfers at once when no shard consumer runs for the lease', async () => {
    const transfer = vi.fn(async () => true);
    expect(
      await handOverLease({
        leaseKey: 'a',
        nextOwner: 'b',
        shard: undefined,
        timeoutMs: 30_000,
        transfer,
        logger: SILENT_LOGGER,
      }),
    ).toEqual({ finished: true, written: true });
  });
});

describe('fleetProtocol (the Migration3.0 row)', () => {
  it('is the 3.x protocol only for CLIENT_VERSION_3X and CLIENT_VERSION_3X_WITH_ROLLBACK', () => {
    expect(fleetProtocol('CLIENT_VERSION_3X')).toBe('kcl3');
    expect(fleetProtocol('CLIENT_VERSION_3X_WITH_ROLLBACK')).toBe('kcl3');
    for (const cv of [
      undefined,
      'CLIENT_VERSION_INIT',
      'CLIENT_VERSION_UPGRADE_FROM_2X',
      'CLIENT_VERSION_2X',
      'SOMETHING_NEW',
    ]) {
      expect(fleetProtocol(cv)).toBe('kcl2');
    }
  });
});
