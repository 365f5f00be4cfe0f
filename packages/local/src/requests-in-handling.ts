import type { Server, ServerResponse } from 'node:http';

/**
 * Counts the requests an HTTP server is still handling: from its `request` event until the handler
 * calls `res.end()`, whether or not the client is still there. A call the client gave up on (an
 * aborted SDK request, a consumer's `stop()`) is still being handled: dynalite goes on reading and
 * writing its database for it. dynalite closes its database as soon as its server has closed, and a
 * handler that writes after that throws `Database is closed` as an uncaught exception in this
 * process; so the DynamoDB server waits for {@link idle} before it closes.
 */
export class RequestsInHandling {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Requests being handled now. */
  get handling(): number {
    return this.count;
  }

  /** Counts every request `server` receives. */
  track(server: Server): void {
    // First, so that the count starts before any handler can end the response.
    server.prependListener('request', (_request, response: ServerResponse) => this.started(response));
  }

  /** A request began to be handled; it is done when `response.end()` is first called. */
  started(response: Pick<ServerResponse, 'end'>): void {
    this.count++;
    const end = response.end;
    let done = false;
    response.end = ((...args: Parameters<ServerResponse['end']>) => {
      if (!done) {
        done = true;
        this.finished();
      }
      return end.apply(response, args);
    }) as ServerResponse['end'];
  }

  /** Resolves once no request is being handled, or after `timeoutMs` whatever is left. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        const at = waiters.indexOf(done);
        if (at >= 0) waiters.splice(at, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  private finished(): void {
    this.count--;
    if (this.count === 0) for (const wake of this.waiters.slice()) wake();
  }
}
