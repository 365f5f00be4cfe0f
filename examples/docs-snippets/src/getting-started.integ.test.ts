import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('docs/getting-started.md', () => {
  it('runs the guide’s whole program (getting-started/orders-local.ts) on a local Kinesis and DynamoDB: every order arrives', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => {
      lines.push(line);
    });
    // the program's top-level code runs on import, as `npx tsx orders-local.ts` would run it
    await import('./getting-started/orders-local.js');
    expect(lines.filter((line) => line.startsWith('written to '))).toHaveLength(10);
    const received = lines
      .map((line) => /^shardId-\d+: (order-\d+) for customer-\d$/.exec(line)?.[1])
      .filter((id) => id !== undefined);
    expect(received.sort()).toEqual(Array.from({ length: 10 }, (_, index) => `order-${index}`).sort());
    expect(lines.at(-1)).toBe('received 10 of 10 orders');
  }, 120_000);
});
