import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** The client headers the emulator reads to authenticate a call (and to pick region and account). */
const AUTH_HEADERS = ['authorization', 'x-amz-date', 'x-amz-security-token'] as const;

/**
 * Sends Kinesis calls of the front's own (ListShards for a stream's hash ranges) straight to the
 * emulator's port, with the authentication headers of the client call that needed them.
 */
export function emulatorCaller(options: { port: number; host?: string; timeoutMs?: number }): {
  call: (
    operation: string,
    request: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ) => Promise<{ status: number; body: Record<string, unknown> | undefined }>;
  close: () => void;
} {
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 4 });
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    call(operation, request, headers) {
      const body = Buffer.from(JSON.stringify(request));
      const sent: Record<string, string> = {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `Kinesis_20131202.${operation}`,
        'content-length': String(body.length),
      };
      for (const name of AUTH_HEADERS) {
        const value = headers[name];
        if (typeof value === 'string') sent[name] = value;
      }
      return new Promise((resolve, reject) => {
        const call = httpRequest(
          {
            host: options.host ?? '127.0.0.1',
            port: options.port,
            method: 'POST',
            path: '/',
            headers: sent,
            agent,
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.once('error', reject);
            response.once('end', () => {
              let parsed: Record<string, unknown> | undefined;
              try {
                parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
              } catch {
                parsed = undefined;
              }
              resolve({ status: response.statusCode ?? 0, body: parsed });
            });
          },
        );
        call.setTimeout(timeoutMs, () => call.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        call.once('error', reject);
        call.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
