import { KinesisTsError, SILENT_LOGGER } from '@kinesis-ts/core';
import { describe, expect, it, vi } from 'vitest';
import { StreamRecreationWatch } from './stream-recreation-watch.js';

describe('StreamRecreationWatch', () => {
  it('reports once, with a typed error, a creation time that changed; not a stream that is only deleted', async () => {
    const createdAt = new Date('2026-01-01T00:00:00Z');
    const answers: (Date | undefined | Error)[] = [
      createdAt,
      undefined, // deleted, not yet created again
      new Error('throttled'),
      new Date('2026-06-01T00:00:00Z'),
      new Date('2026-06-01T00:00:00Z'),
    ];
    const onRecreated = vi.fn();
    const watch = new StreamRecreationWatch({
      stream: 'orders',
      createdAt,
      describe: async () => {
        const next = answers.shift();
        if (next instanceof Error) throw next;
        return next;
      },
      intervalMs: 1_000,
      logger: SILENT_LOGGER,
      onRecreated,
    });
    for (let i = 0; i < 3; i++) await watch.check();
    expect(onRecreated).not.toHaveBeenCalled();
    await watch.check();
    await watch.check();
    expect(onRecreated).toHaveBeenCalledTimes(1);
    const error = onRecreated.mock.calls[0]![0];
    expect(KinesisTsError.hasCode(error, 'STREAM_RECREATED')).toBe(true);
    expect(error.message).toContain('orders');
    await watch.stop();
  });
});
