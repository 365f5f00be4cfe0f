import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { RequestsInHandling } from './requests-in-handling';

/** A response whose `end` is a spy, as the tracker sees one. */
const response = () => ({ end: vi.fn() });

describe('RequestsInHandling', () => {
  it('is idle at once when nothing is being handled', async () => {
    await expect(new RequestsInHandling().idle(10_000)).resolves.toBeUndefined();
  });

  it('waits until every request being handled has ended, each counted once', async () => {
    const requests = new RequestsInHandling();
    const first = response();
    const second = response();
    const firstEnd = first.end;
    requests.started(first as never);
    requests.started(second as never);
    let idle = false;
    const waiting = requests.idle(10_000).then(() => {
      idle = true;
    });
    (first as unknown as { end: () => void }).end();
    (first as unknown as { end: () => void }).end(); // a second end is not a second request
    await new Promise((resolve) => setImmediate(resolve));
    expect([requests.handling, idle]).toEqual([1, false]);
    (second as unknown as { end: () => void }).end();
    await waiting;
    expect(requests.handling).toBe(0);
    expect(firstEnd).toHaveBeenCalledTimes(2); // the response's own end still runs
  });

  it('stops waiting after its time limit when a request never ends', async () => {
    vi.useFakeTimers();
    try {
      const requests = new RequestsInHandling();
      requests.started(response() as never);
      const waiting = requests.idle(2_000);
      await vi.advanceTimersByTimeAsync(2_000);
      await expect(waiting).resolves.toBeUndefined();
      expect(requests.handling).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts a server's requests from arrival until the handler ends them, even after the client left", async () => {
    let endResponse: (() => void) | undefined;
    const server = createServer((_request, res) => {
      endResponse = () => res.end('late');
    });
    const requests = new RequestsInHandling();
    requests.track(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const abort = new AbortController();
    const call = fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal }).catch(() => undefined);
    while (endResponse === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    abort.abort(); // the client gives up; the handler is still at work
    await call;
    expect(requests.handling).toBe(1);
    endResponse();
    await requests.idle(1_000);
    expect(requests.handling).toBe(0);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
});
