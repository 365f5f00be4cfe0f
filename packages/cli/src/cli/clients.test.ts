import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { createClients } from './clients.js';

describe('createClients', () => {
  const env = { AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:4568' };

  it('builds the Kinesis client with an HTTP/1.1 handler by default', () => {
    const clients = createClients({ env });
    expect(clients.kinesis().config.requestHandler).toBeInstanceOf(NodeHttpHandler);
    clients.destroy();
  });

  it("keeps the SDK's default HTTP/2 handler with kinesisHttp '2'", () => {
    const clients = createClients({ env, kinesisHttp: '2' });
    expect(clients.kinesis().config.requestHandler).toBeInstanceOf(NodeHttp2Handler);
    clients.destroy();
  });
});
