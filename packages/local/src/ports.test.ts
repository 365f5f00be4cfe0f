import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, isPortAcceptingConnections, tryBindPort } from './ports';

describe('ports', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('finds a free port that can be bound and is not accepting connections', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);
    expect(await isPortAcceptingConnections(port)).toBe(false);
    expect(await tryBindPort(port)).toBe(port);
  });

  it('reports a port that another server listens on as taken and open', async () => {
    const port = await findFreePort();
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(port, resolve));
    expect(await tryBindPort(port)).toBeUndefined();
    expect(await isPortAcceptingConnections(port)).toBe(true);
  });
});
