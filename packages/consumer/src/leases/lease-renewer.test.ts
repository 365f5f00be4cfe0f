import { describe, expect, it, vi } from 'vitest';
import { awsError, InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import { CheckpointFailedError, LeaseLostError } from '../errors.js';
import { LeaseRenewer } from './lease-renewer.js';

function setup(options: { failoverTimeMs?: number; renewalIntervalMs?: number } = {}) {
  const store = new InMemoryLeaseStore();
  let now = 0;
  const lost: string[] = [];
  const renewer = new LeaseRenewer({
    table: store,
    workerId: 'me',
    failoverTimeMs: options.failoverTimeMs ?? 10_000,
    renewalIntervalMs: options.renewalIntervalMs ?? 3_308,
    maxConcurrentRenewals: 20,
    now: () => now,
    random: () => 0,
    onLeaseLost: (lease, reason) => lost.push(`${lease.leaseKey}:${reason}`),
  });
  const hold = (leaseKey: string) =>
    renewer.add(store.put({ leaseKey, leaseOwner: 'me', leaseCounter: 3 }), now);
  return { store, renewer, lost, hold, advance: (ms: number) => (now += ms) };
}

describe('LeaseRenewer', () => {
  it('renews every held lease with one conditional write that increments the counter', async () => {
    const { store, renewer, hold, advance } = setup();
    hold('a');
    hold('b');
    advance(3_308);
    await renewer.renewAll();
    expect(store.rows.get('a')?.leaseCounter).toBe(4);
    expect(store.rows.get('b')?.leaseCounter).toBe(4);
    advance(3_308);
    await renewer.renewAll();
    expect(store.rows.get('a')?.leaseCounter).toBe(5);
  });

  it('loses a lease whose counter another worker moved, and stops renewing it', async () => {
    const { store, renewer, hold, lost, advance } = setup();
    hold('a');
    store.put({ leaseKey: 'a', leaseOwner: 'thief', leaseCounter: 4 });
    advance(3_308);
    await renewer.renewAll();
    expect(lost).toEqual(['a:taken-by-another-worker']);
    expect(renewer.holds('a')).toBe(false);
    advance(3_308);
    await renewer.renewAll();
    expect(store.count('renew')).toBe(1);
  });

  it('treats a failed condition as success when the row shows its own earlier write went through', async () => {
    const { store, renewer, hold, lost, advance } = setup();
    hold('a');
    // A renewal that timed out on our side but was applied: owner still me, counter already + 1.
    store.put({ leaseKey: 'a', leaseOwner: 'me', leaseCounter: 4 });
    advance(3_308);
    await renewer.renewAll();
    expect(lost).toEqual([]);
    expect(renewer.getLease('a')?.leaseCounter).toBe(4);
    advance(3_308);
    await renewer.renewAll();
    expect(store.rows.get('a')?.leaseCounter).toBe(5);
  });

  it('keeps a lease through failed renewals, and loses it once nothing succeeded for the failover time', async () => {
    const { store, renewer, hold, lost, advance } = setup();
    hold('a');
    store.failNext('renew', awsError('ProvisionedThroughputExceededException'), 10);
    advance(3_308);
    await renewer.renewAll();
    advance(3_308);
    await renewer.renewAll();
    advance(3_308);
    await renewer.renewAll();
    expect(renewer.holds('a')).toBe(true);
    advance(100);
    await renewer.renewAll();
    expect(lost).toEqual(['a:expired']);
  });

  it('skips the renewal of a lease written less than half an interval ago (a checkpoint renews too)', async () => {
    const { store, renewer, hold, advance } = setup();
    const token = hold('a');
    advance(3_000);
    await renewer.checkpoint('a', token, { checkpoint: { sequenceNumber: '5', subSequenceNumber: 0 } });
    advance(308);
    await renewer.renewAll();
    expect(store.count('renew')).toBe(0);
    advance(3_308);
    await renewer.renewAll();
    expect(store.count('renew')).toBe(1);
  });

  it('never has two writes to one lease in flight at once', async () => {
    const { store, renewer, hold, advance, lost } = setup();
    const token = hold('a');
    let inFlight = 0;
    let maxInFlight = 0;
    store.beforeOperation = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
    };
    advance(3_308);
    await Promise.all([
      renewer.renewAll(),
      renewer.checkpoint('a', token, { checkpoint: { sequenceNumber: '7', subSequenceNumber: 0 } }),
      renewer.checkpoint('a', token, { checkpoint: { sequenceNumber: '8', subSequenceNumber: 0 } }),
    ]);
    expect(maxInFlight).toBe(1);
    expect(lost).toEqual([]);
    expect(store.rows.get('a')).toMatchObject({ leaseCounter: 6, checkpoint: { sequenceNumber: '8' } });
  });

  it("does not hold up the other leases' renewals behind one lease's slow checkpoint", async () => {
    const { store, renewer, hold, lost, advance } = setup();
    const tokenA = hold('a');
    hold('b');
    let answerCheckpoint: () => void = () => undefined;
    store.beforeOperation = (operation, leaseKey) =>
      operation === 'checkpoint' && leaseKey === 'a'
        ? new Promise<void>((resolve) => {
            answerCheckpoint = resolve;
          })
        : undefined;
    const checkpoint = renewer.checkpoint('a', tokenA, {
      checkpoint: { sequenceNumber: '9', subSequenceNumber: 0 },
    });
    advance(3_308);
    await renewer.renewAll(); // resolves although a's checkpoint has not answered
    expect(store.rows.get('b')?.leaseCounter).toBe(4);
    expect(lost).toEqual([]);
    answerCheckpoint();
    await checkpoint;
    expect(store.rows.get('a')).toMatchObject({ leaseCounter: 4, checkpoint: { sequenceNumber: '9' } });
  });

  it('completes a checkpoint whose first try was applied but looked failed, without losing the lease', async () => {
    const { store, renewer, hold, lost } = setup();
    const token = hold('a');
    const write = store.updateCheckpoint.bind(store);
    let tries = 0;
    store.updateCheckpoint = async (lease, update) => {
      const result = await write(lease, update);
      if (++tries === 1) throw awsError('RequestTimeout'); // applied, then the answer was lost
      return result;
    };
    const lease = await renewer.checkpoint('a', token, {
      checkpoint: { sequenceNumber: '100', subSequenceNumber: 0 },
    });
    expect(lost).toEqual([]);
    expect(renewer.holds('a')).toBe(true);
    expect(lease).toMatchObject({ leaseOwner: 'me', checkpoint: { sequenceNumber: '100' } });
    expect(store.rows.get('a')).toMatchObject({ leaseCounter: 5, checkpoint: { sequenceNumber: '100' } });
  });

  it('still reports a lease another worker took as lost when a checkpoint finds it', async () => {
    const { store, renewer, hold, lost } = setup();
    const token = hold('a');
    store.put({ leaseKey: 'a', leaseOwner: 'thief', leaseCounter: 4 });
    await expect(
      renewer.checkpoint('a', token, { checkpoint: { sequenceNumber: '1', subSequenceNumber: 0 } }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(lost).toEqual(['a:checkpoint-conflict']);
  });

  it('refuses a checkpoint with the token of an earlier acquisition', async () => {
    const { store, renewer, advance } = setup();
    const old = renewer.add(store.put({ leaseKey: 'a', leaseOwner: 'me', leaseCounter: 3 }), 0);
    advance(10);
    renewer.add(store.put({ leaseKey: 'a', leaseOwner: 'me', leaseCounter: 8 }), 10);
    await expect(
      renewer.checkpoint('a', old, { checkpoint: { sequenceNumber: '1', subSequenceNumber: 0 } }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(store.count('checkpoint')).toBe(0);
  });

  it('retries a throttled checkpoint and reports a typed error when DynamoDB keeps failing', async () => {
    const { store, renewer, hold } = setup();
    const token = hold('a');
    store.failNext('checkpoint', awsError('ThrottlingException'), 1);
    await renewer.checkpoint('a', token, { checkpoint: { sequenceNumber: '5', subSequenceNumber: 0 } });
    expect(store.rows.get('a')?.checkpoint.sequenceNumber).toBe('5');
    store.failNext('checkpoint', awsError('InternalServerError', 500), 10);
    const error = await renewer
      .checkpoint('a', token, { checkpoint: { sequenceNumber: '6', subSequenceNumber: 0 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointFailedError);
    expect(error).toMatchObject({ code: 'CHECKPOINT_FAILED', retryable: true });
  });

  it('retries a checkpoint whose credentials fail to refresh: the table answered when the lease was taken', async () => {
    const { store, renewer, hold } = setup();
    const token = hold('a');
    const refreshFailed = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    store.failNext('checkpoint', refreshFailed, 2);
    await renewer.checkpoint('a', token, { checkpoint: { sequenceNumber: '5', subSequenceNumber: 0 } });
    expect(store.rows.get('a')?.checkpoint.sequenceNumber).toBe('5');
    expect(store.count('checkpoint')).toBe(3);
  });

  it('releases a lease with a conditional write that removes the owner', async () => {
    const { store, renewer, hold } = setup();
    hold('a');
    expect(await renewer.release('a')).toBe(true);
    expect(store.rows.get('a')).toMatchObject({ leaseOwner: undefined, leaseCounter: 4 });
    expect(renewer.holds('a')).toBe(false);
  });

  it('releases a lease whose own earlier write went through unseen (a renewal that timed out)', async () => {
    const { store, renewer, hold } = setup();
    hold('a');
    store.put({ leaseKey: 'a', leaseOwner: 'me', leaseCounter: 4 }); // applied, but we believe 3
    expect(await renewer.release('a')).toBe(true);
    expect(store.rows.get('a')?.leaseOwner).toBeUndefined();
    expect(store.rows.get('a')?.leaseCounter).toBe(5);
  });

  it('does not release a lease someone else took in the meantime', async () => {
    const { store, renewer, hold, lost } = setup();
    hold('a');
    store.put({ leaseKey: 'a', leaseOwner: 'thief', leaseCounter: 4 });
    expect(await renewer.release('a')).toBe(false);
    expect(store.rows.get('a')?.leaseOwner).toBe('thief');
    expect(lost).toEqual([]);
    expect(store.count('evict')).toBe(1); // a failed condition is not retried
  });

  it('retries a release that DynamoDB throttles, so the row ends up without an owner', async () => {
    const { store, renewer, hold } = setup();
    hold('a');
    store.failNext('evict', awsError('ProvisionedThroughputExceededException'), 2);
    expect(await renewer.release('a', { retryUntilMs: 30_000 })).toBe(true);
    expect(store.count('evict')).toBe(3);
    expect(store.rows.get('a')).toMatchObject({ leaseOwner: undefined, leaseCounter: 4 });
    expect(renewer.holds('a')).toBe(false);
  });

  it('retries a failed release 4 times in all when given no deadline', async () => {
    const { store, renewer, hold } = setup();
    hold('a');
    store.failNext('evict', awsError('InternalServerError', 500), 10);
    expect(await renewer.release('a')).toBe(false);
    expect(store.count('evict')).toBe(4);
    expect(store.rows.get('a')?.leaseOwner).toBe('me'); // left to expire
    expect(renewer.holds('a')).toBe(false);
  });

  it('starts no retry of a release after retryUntilMs', async () => {
    const { store, renewer, hold, advance } = setup();
    hold('a');
    store.failNext('evict', awsError('ThrottlingException'), 10);
    store.beforeOperation = (operation) => {
      if (operation === 'evict') advance(1_000); // each try takes a second
    };
    expect(await renewer.release('a', { retryUntilMs: 2_500 })).toBe(false);
    expect(store.count('evict')).toBe(3); // tries at 0, 1 000 and 2 000 ms; none from 3 000
  });

  it('does not retry a release that fails for a reason retrying cannot help', async () => {
    const { store, renewer, hold } = setup();
    hold('a');
    store.failNext('evict', awsError('AccessDeniedException'), 10);
    expect(await renewer.release('a', { retryUntilMs: 30_000 })).toBe(false);
    expect(store.count('evict')).toBe(1);
  });

  it('stops retrying a release when its signal aborts', async () => {
    const { store, renewer, hold } = setup();
    hold('a');
    const cutOff = new AbortController();
    store.failNext('evict', awsError('ThrottlingException'), 10);
    store.beforeOperation = () => cutOff.abort(new Error('out of time'));
    expect(await renewer.release('a', { retryUntilMs: 30_000, signal: cutOff.signal })).toBe(false);
    expect(store.count('evict')).toBe(1);
  });

  it('counts a release as written when an earlier try went through but its answer was lost', async () => {
    const { store, renewer, hold } = setup();
    hold('a');
    const evict = store.evictLease.bind(store);
    let tries = 0;
    store.evictLease = async (lease, owner) => {
      const result = await evict(lease, owner);
      if (++tries === 1) throw awsError('RequestTimeout'); // applied, then the answer was lost
      return result;
    };
    expect(await renewer.release('a', { retryUntilMs: 30_000 })).toBe(true);
    expect(tries).toBe(2);
    expect(store.rows.get('a')).toMatchObject({ leaseOwner: undefined, leaseCounter: 4 });
  });

  it('close() aborts a renewal in flight and sends no more', async () => {
    const { store, renewer, hold, advance } = setup();
    hold('a');
    const signals: (AbortSignal | undefined)[] = [];
    store.renewLease = (_lease, signal?: AbortSignal) => {
      signals.push(signal);
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    };
    advance(3_308);
    const renewing = renewer.renewAll();
    await vi.waitFor(() => expect(signals).toHaveLength(1));
    renewer.close();
    await renewing;
    expect(signals[0]?.aborted).toBe(true);
    advance(3_308);
    await renewer.renewAll();
    expect(signals).toHaveLength(1);
    expect(renewer.holds('a')).toBe(true); // closing loses nothing: the lease is released or dropped next
  });

  it('shed() reports the lease lost at once, refuses later checkpoints, and releases it after the write in flight', async () => {
    const { store, renewer, hold, lost } = setup();
    const token = hold('a');
    let answerCheckpoint: () => void = () => undefined;
    store.beforeOperation = (operation) =>
      operation === 'checkpoint'
        ? new Promise<void>((resolve) => {
            answerCheckpoint = resolve;
          })
        : undefined;
    const inFlight = renewer.checkpoint('a', token, {
      checkpoint: { sequenceNumber: '9', subSequenceNumber: 0 },
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.count('checkpoint')).toBe(1);
    const shed = renewer.shed('a', 'over-max-leases');
    expect(lost).toEqual(['a:over-max-leases']);
    expect(renewer.holds('a')).toBe(false);
    await expect(
      renewer.checkpoint('a', token, { checkpoint: { sequenceNumber: '10', subSequenceNumber: 0 } }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(store.count('evict')).toBe(0);
    answerCheckpoint();
    await inFlight;
    await expect(shed).resolves.toBe(true);
    expect(store.rows.get('a')).toMatchObject({ leaseOwner: undefined, checkpoint: { sequenceNumber: '9' } });
    expect(lost).toEqual(['a:over-max-leases']);
  });

  it('verify() renews at once, even right after a write, and reports a lease another worker took', async () => {
    const { store, renewer, hold, lost } = setup();
    const token = hold('a');
    await expect(renewer.verify('a', token)).resolves.toBe(true);
    expect(store.rows.get('a')?.leaseCounter).toBe(4);
    store.put({ leaseKey: 'a', leaseOwner: 'thief', leaseCounter: 9 });
    await expect(renewer.verify('a', token)).resolves.toBe(false);
    expect(lost).toEqual(['a:taken-by-another-worker']);
    await expect(renewer.verify('a', token)).resolves.toBe(false);
  });
});
