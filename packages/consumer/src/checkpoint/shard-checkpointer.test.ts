import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore } from '../../test/in-memory-lease-store.js';
import { v2SequenceNumber as v2 } from '../../test/sequence-numbers.js';
import { InvalidCheckpointError, LeaseLostError } from '../errors.js';
import { LeaseRenewer } from '../leases/lease-renewer.js';
import { ShardCheckpointer } from './shard-checkpointer.js';

const esn = (sequenceNumber: string, subSequenceNumber = 0) => ({ sequenceNumber, subSequenceNumber });

function setup(checkpoint = esn('TRIM_HORIZON'), shardId = 'shard-1') {
  const store = new InMemoryLeaseStore();
  const lease = store.put({ leaseKey: shardId, leaseOwner: 'me', leaseCounter: 5, checkpoint });
  let now = 1_000;
  const lost: string[] = [];
  const renewer = new LeaseRenewer({
    table: store,
    workerId: 'me',
    failoverTimeMs: 10_000,
    renewalIntervalMs: 3_000,
    maxConcurrentRenewals: 5,
    now: () => now,
    random: () => 0,
    onLeaseLost: (l, reason) => lost.push(`${l.leaseKey}:${reason}`),
  });
  const token = renewer.add(lease, now);
  const written: string[] = [];
  const checkpointer = new ShardCheckpointer({
    shardId,
    leaseKey: shardId,
    token,
    store: renewer,
    initialCheckpoint: checkpoint,
    onCheckpoint: (c) => written.push(`${c.sequenceNumber}/${c.subSequenceNumber}`),
  });
  return { store, renewer, checkpointer, written, lost, advance: (ms: number) => (now += ms) };
}

describe('ShardCheckpointer', () => {
  it('checkpoints the last record delivered, with its sub-sequence number, through a conditional write', async () => {
    const { store, checkpointer, written } = setup();
    checkpointer.advanceLargestPermitted(esn('200', 3));
    await checkpointer.checkpoint();
    expect(store.rows.get('shard-1')).toMatchObject({ checkpoint: esn('200', 3), leaseCounter: 6 });
    expect(written).toEqual(['200/3']);
  });

  it('checkpoints a given record or sequence number, and skips one equal to the last', async () => {
    const { store, checkpointer } = setup();
    checkpointer.advanceLargestPermitted(esn('300'), esn('100')); // a batch of records 100 to 300
    await checkpointer.checkpoint({ sequenceNumber: '200', subSequenceNumber: 2 });
    await checkpointer.checkpoint('200', 2);
    expect(store.count('checkpoint')).toBe(1);
    await checkpointer.checkpoint('250');
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('250'));
  });

  it('does nothing on checkpoint() before any record was delivered', async () => {
    const { store, checkpointer } = setup();
    await checkpointer.checkpoint();
    expect(store.count('checkpoint')).toBe(0);
  });

  it('refuses positions beyond the last record delivered or behind the last checkpoint', async () => {
    const { checkpointer } = setup(esn('100'));
    checkpointer.advanceLargestPermitted(esn('200'));
    await expect(checkpointer.checkpoint('201')).rejects.toBeInstanceOf(InvalidCheckpointError);
    await expect(checkpointer.checkpoint('99')).rejects.toBeInstanceOf(InvalidCheckpointError);
  });

  it('fails with a typed lease-lost error once another worker has taken the lease', async () => {
    const { store, checkpointer, lost } = setup();
    checkpointer.advanceLargestPermitted(esn('200'));
    store.put({ ...store.rows.get('shard-1')!, leaseOwner: 'thief', leaseCounter: 9 });
    const error = await checkpointer.checkpoint().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error).toMatchObject({ code: 'LEASE_LOST', leaseKey: 'shard-1' });
    expect(lost).toEqual(['shard-1:checkpoint-conflict']);
    await expect(checkpointer.checkpoint('200')).rejects.toBeInstanceOf(LeaseLostError);
    expect(store.rows.get('shard-1')?.leaseOwner).toBe('thief');
  });

  it('fails with a lease-lost error even when there is nothing new to checkpoint', async () => {
    const { store, checkpointer, renewer } = setup();
    checkpointer.advanceLargestPermitted(esn('200'));
    await checkpointer.checkpoint();
    await renewer.release('shard-1');
    await expect(checkpointer.checkpoint()).rejects.toBeInstanceOf(LeaseLostError);
    await expect(checkpointer.prepareCheckpoint()).rejects.toBeInstanceOf(LeaseLostError);
    expect(store.count('checkpoint')).toBe(1);
  });

  it('fails without writing once the lease has expired locally', async () => {
    const { store, checkpointer, advance } = setup();
    checkpointer.advanceLargestPermitted(esn('200'));
    advance(10_001);
    await expect(checkpointer.checkpoint()).rejects.toBeInstanceOf(LeaseLostError);
    expect(store.count('checkpoint')).toBe(0);
  });

  it('writes SHARD_END when the last record is checkpointed again at shard end (KCL #211)', async () => {
    const { store, checkpointer } = setup();
    checkpointer.advanceLargestPermitted(esn('500', 1));
    await checkpointer.checkpoint('500', 1); // in processRecords
    checkpointer.markShardEnd(['shard-7', 'shard-8']);
    await checkpointer.checkpoint('500', 1); // in shardEnded
    expect(store.rows.get('shard-1')).toMatchObject({
      checkpoint: esn('SHARD_END'),
      childShardIds: ['shard-7', 'shard-8'],
    });
    expect(checkpointer.lastCheckpoint()).toEqual(esn('SHARD_END'));
  });

  it('writes SHARD_END at the end of a shard that delivered no records', async () => {
    const { store, checkpointer } = setup();
    checkpointer.markShardEnd([]);
    await checkpointer.checkpoint();
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('SHARD_END'));
  });

  it('prepares a pending checkpoint with application state without moving the checkpoint, then makes it', async () => {
    const { store, checkpointer } = setup(esn('100'));
    checkpointer.advanceLargestPermitted(esn('200'));
    const prepared = await checkpointer.prepareCheckpoint('150', new Uint8Array([1, 2]));
    expect(store.rows.get('shard-1')).toMatchObject({
      checkpoint: esn('100'),
      pendingCheckpoint: esn('150'),
      pendingCheckpointState: new Uint8Array([1, 2]),
    });
    expect(prepared.pendingCheckpoint).toEqual(esn('150'));
    await prepared.checkpoint();
    const row = store.rows.get('shard-1')!;
    expect(row.checkpoint).toEqual(esn('150'));
    expect(row.pendingCheckpoint).toBeUndefined();
    expect(row.pendingCheckpointState).toBeUndefined();
  });

  it('keeps concurrent checkpoints in order so the table never moves backwards', async () => {
    const { store, checkpointer } = setup();
    checkpointer.advanceLargestPermitted(esn('300'), esn('100'));
    const results = await Promise.allSettled([
      checkpointer.checkpoint('250'),
      checkpointer.checkpoint('200'),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1].status).toBe('rejected');
    expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('250'));
  });

  describe('accepts only positions of records delivered on its shard', () => {
    const SHARD = 'shardId-000000000001';

    it("refuses another shard's sequence number and writes nothing", async () => {
      const { store, checkpointer, written } = setup(esn('TRIM_HORIZON'), SHARD);
      checkpointer.advanceLargestPermitted(esn(v2(1, 20)), esn(v2(1, 10)));
      for (const other of [v2(0, 15), v2(17, 15)]) {
        const error = await checkpointer.checkpoint(other).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidCheckpointError);
        expect(error).toMatchObject({ code: 'INVALID_CHECKPOINT', shardId: SHARD, sequenceNumber: other });
        await expect(checkpointer.prepareCheckpoint(other)).rejects.toBeInstanceOf(InvalidCheckpointError);
      }
      expect(store.count('checkpoint')).toBe(0);
      expect(store.rows.get(SHARD)?.checkpoint).toEqual(esn('TRIM_HORIZON'));
      expect(store.rows.get(SHARD)?.pendingCheckpoint).toBeUndefined();
      expect(written).toEqual([]);
      await checkpointer.checkpoint(v2(1, 15));
      expect(store.rows.get(SHARD)?.checkpoint).toEqual(esn(v2(1, 15)));
    });

    it('refuses a position before the first record it delivered on a shard read from TRIM_HORIZON', async () => {
      const { store, checkpointer } = setup();
      checkpointer.advanceLargestPermitted(esn('200'), esn('150'));
      checkpointer.advanceLargestPermitted(esn('300'), esn('250'));
      await expect(checkpointer.checkpoint('120')).rejects.toThrow(/shard-1/);
      expect(store.count('checkpoint')).toBe(0);
      await checkpointer.checkpoint('150');
      expect(store.rows.get('shard-1')?.checkpoint).toEqual(esn('150'));
    });

    it('refuses a position past the last record delivered, also once the shard has ended', async () => {
      const { store, checkpointer } = setup(esn('100'));
      checkpointer.advanceLargestPermitted(esn('200'), esn('101'));
      await expect(checkpointer.checkpoint('201')).rejects.toBeInstanceOf(InvalidCheckpointError);
      checkpointer.markShardEnd([]);
      await expect(checkpointer.checkpoint('201')).rejects.toBeInstanceOf(InvalidCheckpointError);
      await expect(checkpointer.checkpoint('99999999999999999999')).rejects.toBeInstanceOf(
        InvalidCheckpointError,
      );
      expect(store.count('checkpoint')).toBe(0);
    });

    it('still accepts the sentinel SHARD_END at shard end, by name or as checkpoint()', async () => {
      const first = setup(esn('TRIM_HORIZON'), SHARD);
      first.checkpointer.advanceLargestPermitted(esn(v2(1, 20)), esn(v2(1, 10)));
      first.checkpointer.markShardEnd(['shardId-000000000002']);
      await first.checkpointer.checkpoint('SHARD_END');
      expect(first.store.rows.get(SHARD)?.checkpoint).toEqual(esn('SHARD_END'));

      const second = setup(esn('TRIM_HORIZON'), SHARD);
      second.checkpointer.advanceLargestPermitted(esn(v2(1, 20)), esn(v2(1, 10)));
      second.checkpointer.markShardEnd([]);
      await second.checkpointer.checkpoint();
      expect(second.store.rows.get(SHARD)?.checkpoint).toEqual(esn('SHARD_END'));
    });
  });
});
