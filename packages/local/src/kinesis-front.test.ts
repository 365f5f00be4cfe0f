import {
  createServer,
  request as http1Request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type ClientHttp2Session, constants as http2, connect as http2Connect } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test/helpers';
import { type KinesisFront, startKinesisFront } from './kinesis-front';
import { HTTP2_PREFACE } from './protocol-sniff';

/** A fake emulator: an HTTP/1.1 server whose behaviour each test sets. */
interface FakeUpstream {
  readonly port: number;
  handler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Requests whose connection or response closed before the response ended. */
  readonly abortedRequests: string[];
  close(): Promise<void>;
}

async function startUpstream(): Promise<FakeUpstream> {
  const abortedRequests: string[] = [];
  const upstream: Partial<FakeUpstream> & { handler: FakeUpstream['handler'] } = {
    handler: (_request, response) => response.end('ok'),
    abortedRequests,
  };
  const server: Server = createServer((request, response) => {
    response.once('close', () => {
      if (!response.writableFinished) abortedRequests.push(request.url ?? '');
    });
    upstream.handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return Object.assign(upstream, {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as FakeUpstream;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(): Promise<{ upstream: FakeUpstream; front: KinesisFront; url: string }> {
  const upstream = await startUpstream();
  cleanups.push(() => upstream.close());
  const front = await startKinesisFront({ port: 0, host: '127.0.0.1', upstreamPort: upstream.port });
  cleanups.push(() => front.close());
  return { upstream, front, url: `http://127.0.0.1:${front.port}` };
}

function h2Session(url: string): ClientHttp2Session {
  const session = http2Connect(url);
  session.on('error', () => {});
  cleanups.push(() => {
    session.destroy();
  });
  return session;
}

/** Streams `total` bytes in 64 KiB chunks, honouring backpressure; counts what it wrote. */
function streamBytes(response: ServerResponse, total: number, written: { bytes: number }): void {
  const chunk = Buffer.alloc(64 * 1024, 7);
  const writeMore = () => {
    while (written.bytes < total) {
      written.bytes += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', writeMore);
        return;
      }
    }
    response.end();
  };
  response.writeHead(200, { 'content-type': 'application/octet-stream' });
  writeMore();
}

/** Resolves once `read()` has returned the same value for `quietMs`. */
async function settled(read: () => number, quietMs = 300): Promise<number> {
  let last = read();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = read();
    if (now === last) return now;
    last = now;
  }
}

const TOTAL = 128 * 1024 * 1024;

describe('the Kinesis front (HTTP/1.1 and HTTP/2 on one port, forwarding over HTTP/1.1)', () => {
  it('forwards an HTTP/2 request with its signed headers and body, and strips hop-by-hop response headers', async () => {
    const { upstream, url, front } = await setUp();
    let seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    upstream.handler = (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen = {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        };
        // Hop-by-hop headers are invalid in HTTP/2: the front must drop them.
        response.writeHead(200, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': 'r-1',
          connection: 'keep-alive',
          'keep-alive': 'timeout=5',
        });
        response.end('{"ok":true}');
      });
    };
    const session = h2Session(url);
    const stream = session.request({
      ':method': 'POST',
      ':path': '/',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Kinesis_20131202.ListStreams',
      authorization: 'AWS4-HMAC-SHA256 Credential=local/abc',
    });
    stream.end('{}');
    const [headers, body] = await new Promise<[Record<string, unknown>, string]>((resolve, reject) => {
      let responseHeaders: Record<string, unknown> = {};
      let text = '';
      stream.on('response', (h) => {
        responseHeaders = h;
      });
      stream.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      stream.on('end', () => resolve([responseHeaders, text]));
      stream.on('error', reject);
    });
    expect(headers[':status']).toBe(200);
    expect(headers['x-amzn-requestid']).toBe('r-1');
    expect(headers.connection).toBeUndefined();
    expect(body).toBe('{"ok":true}');
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/');
    expect(seen.body).toBe('{}');
    expect(seen.headers).toMatchObject({
      host: `127.0.0.1:${front.port}`,
      'x-amz-target': 'Kinesis_20131202.ListStreams',
      authorization: 'AWS4-HMAC-SHA256 Credential=local/abc',
    });
    expect(Object.keys(seen.headers ?? {}).some((name) => name.startsWith(':'))).toBe(false);
    expect(front.stats()).toMatchObject({ http2Requests: 1, upstreamRequests: 1, upstreamInFlight: 0 });
  });

  it('takes an HTTP/1.1 request line that arrives one byte at a time (the "P" of POST matches the HTTP/2 preface)', async () => {
    const { url, front } = await setUp();
    const socket = netConnect(front.port, '127.0.0.1');
    cleanups.push(() => {
      socket.destroy();
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    const raw = `POST / HTTP/1.1\r\nHost: ${new URL(url).host}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`;
    for (const byte of raw) {
      socket.write(byte);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.endsWith('ok')).toBe(true);
    expect(front.stats().http1Requests).toBe(1);
  });

  it('takes an HTTP/2 preface split across two packets', async () => {
    const { front } = await setUp();
    const socket = netConnect(front.port, '127.0.0.1');
    cleanups.push(() => {
      socket.destroy();
    });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(HTTP2_PREFACE.subarray(0, 3)); // "PRI": still undecided
    await new Promise((resolve) => setTimeout(resolve, 50));
    const emptySettings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    socket.write(Buffer.concat([HTTP2_PREFACE.subarray(3), emptySettings]));
    await waitFor(() => Buffer.concat(received).length >= 9, 5_000, 'the server SETTINGS frame');
    const frames = Buffer.concat(received);
    expect(frames[3]).toBe(4); // a SETTINGS frame, not a GOAWAY (7) for a bad preface
    expect(front.stats().http2Sessions).toBe(1);
  });

  for (const transport of ['http1', 'http2'] as const) {
    it(`does not buffer a response its ${transport} client does not read: the emulator is held back`, async () => {
      const { upstream, url } = await setUp();
      const written = { bytes: 0 };
      upstream.handler = (_request, response) => streamBytes(response, TOTAL, written);
      let received = 0;
      let pause!: () => void;
      let resume!: () => void;
      const done = new Promise<void>((resolve, reject) => {
        if (transport === 'http2') {
          const stream = h2Session(url).request({ ':method': 'POST', ':path': '/' });
          stream.end();
          stream.on('data', (chunk: Buffer) => {
            received += chunk.length;
          });
          stream.on('end', resolve);
          stream.on('error', reject);
          pause = () => stream.pause();
          resume = () => stream.resume();
        } else {
          const req = http1Request(url, { method: 'POST', agent: false }, (response) => {
            response.on('data', (chunk: Buffer) => {
              received += chunk.length;
            });
            response.on('end', resolve);
            pause = () => response.pause();
            resume = () => response.resume();
            pause();
          });
          req.on('error', reject);
          req.end();
        }
      });
      await waitFor(() => pause !== undefined, 5_000, 'the response');
      pause();
      const heldAt = await settled(() => written.bytes);
      // Socket and flow-control buffers hold a few MiB (4 to 8 measured); without backpressure
      // the fake emulator writes all 128 MiB into the front's memory at once.
      expect(heldAt).toBeLessThan(40 * 1024 * 1024);
      resume();
      await done;
      expect(received).toBe(TOTAL);
    });
  }

  it('streams a response through as it comes: the client gets an event before the emulator ends the response', async () => {
    const { upstream, url } = await setUp();
    let sendNext!: () => void;
    upstream.handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      response.write('event-1');
      sendNext = () => response.end('event-2');
    };
    const stream = h2Session(url).request({ ':method': 'POST', ':path': '/' });
    stream.end();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk.toString());
    });
    await waitFor(() => chunks.join('') === 'event-1', 5_000, 'the first event');
    sendNext();
    await new Promise((resolve) => stream.once('end', resolve));
    expect(chunks.join('')).toBe('event-1event-2');
  });

  it('streams a request body through: the emulator reads the first part before the client sends the rest', async () => {
    const { upstream, url } = await setUp();
    let firstPart = '';
    upstream.handler = (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
        firstPart ||= body;
      });
      request.on('end', () => response.end(body));
    };
    const stream = h2Session(url).request({ ':method': 'POST', ':path': '/' });
    stream.write('first-');
    await waitFor(() => firstPart === 'first-', 5_000, 'the first part upstream');
    stream.end('second');
    let echoed = '';
    stream.on('data', (chunk: Buffer) => {
      echoed += chunk.toString();
    });
    await new Promise((resolve) => stream.once('end', resolve));
    expect(echoed).toBe('first-second');
  });

  it('aborts the emulator request when an HTTP/2 client resets its stream (RST_STREAM)', async () => {
    const { upstream, url, front } = await setUp();
    upstream.handler = (request, response) => {
      response.writeHead(200);
      response.write('open');
      void request;
    };
    const stream = h2Session(url).request({ ':method': 'POST', ':path': '/subscribe' });
    stream.end();
    await new Promise((resolve) => stream.once('data', resolve));
    expect(front.stats().upstreamInFlight).toBe(1);
    stream.close(http2.NGHTTP2_CANCEL);
    await waitFor(() => upstream.abortedRequests.length === 1, 5_000, 'the upstream request to be aborted');
    await waitFor(() => front.stats().upstreamInFlight === 0, 5_000, 'no request in flight');
    expect(front.stats().upstreamAborted).toBe(1);
  });

  it('aborts the emulator requests of an HTTP/2 session the client destroys', async () => {
    const { upstream, url, front } = await setUp();
    upstream.handler = (_request, response) => {
      response.writeHead(200);
      response.write('open');
    };
    const session = h2Session(url);
    const streams = [1, 2, 3].map((n) => {
      const stream = session.request({ ':method': 'POST', ':path': `/s${n}` });
      stream.on('error', () => {});
      stream.end();
      return new Promise((resolve) => stream.once('data', resolve));
    });
    await Promise.all(streams);
    expect(front.stats().upstreamInFlight).toBe(3);
    session.destroy();
    await waitFor(() => upstream.abortedRequests.length === 3, 5_000, 'the upstream requests to be aborted');
    await waitFor(() => front.stats().upstreamInFlight === 0, 5_000, 'no request in flight');
  });

  it('aborts the emulator request when an HTTP/1.1 client drops its connection', async () => {
    const { upstream, url, front } = await setUp();
    upstream.handler = (_request, response) => {
      response.writeHead(200);
      response.write('open');
    };
    const req = http1Request(url, { method: 'POST', agent: false });
    req.on('error', () => {});
    req.end();
    const response = await new Promise<IncomingMessage>((resolve) => req.once('response', resolve));
    await new Promise((resolve) => response.once('data', resolve));
    req.destroy();
    await waitFor(() => upstream.abortedRequests.length === 1, 5_000, 'the upstream request to be aborted');
    await waitFor(() => front.stats().upstreamInFlight === 0, 5_000, 'no request in flight');
  });

  it('answers 502 naming the cause when the emulator is not there', async () => {
    const upstream = await startUpstream();
    await upstream.close();
    const front = await startKinesisFront({ port: 0, host: '127.0.0.1', upstreamPort: upstream.port });
    cleanups.push(() => front.close());
    const stream = h2Session(`http://127.0.0.1:${front.port}`).request({ ':method': 'POST', ':path': '/' });
    stream.end();
    let status: unknown;
    let body = '';
    stream.on('response', (headers) => {
      status = headers[':status'];
    });
    stream.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    await new Promise((resolve) => stream.once('end', resolve));
    expect(status).toBe(502);
    expect(body).toContain('ECONNREFUSED');
    expect(front.stats().upstreamErrors).toBe(1);
  });

  it('closes sessions gracefully (GOAWAY): a stream in flight finishes, the session takes no new stream', async () => {
    const { upstream, url, front } = await setUp();
    const finish: (() => void)[] = [];
    upstream.handler = (_request, response) => {
      response.writeHead(200);
      response.write('open;');
      finish.push(() => response.end('done'));
    };
    const session = h2Session(url);
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    const stream = session.request({ ':method': 'POST', ':path': '/' });
    stream.end();
    let body = '';
    stream.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    await waitFor(() => body === 'open;', 5_000, 'the stream to open');
    expect(front.closeSessions('graceful')).toEqual({ http2Sessions: 1, http1Connections: 0 });
    expect(await goaway).toBe(http2.NGHTTP2_NO_ERROR);
    finish[0]!();
    await new Promise((resolve) => stream.once('end', resolve));
    expect(body).toBe('open;done');
    expect(upstream.abortedRequests).toEqual([]);
  });

  it('closes sessions immediately: the stream in flight fails and the emulator request is aborted', async () => {
    const { upstream, url, front } = await setUp();
    upstream.handler = (_request, response) => {
      response.writeHead(200);
      response.write('open');
    };
    const session = h2Session(url);
    const stream = session.request({ ':method': 'POST', ':path': '/' });
    stream.on('error', () => {});
    stream.end();
    await new Promise((resolve) => stream.once('data', resolve));
    const failed = new Promise((resolve) => stream.once('close', () => resolve(stream.rstCode)));
    expect(front.closeSessions('immediate')).toEqual({ http2Sessions: 1, http1Connections: 0 });
    expect(await failed).not.toBe(http2.NGHTTP2_NO_ERROR);
    await waitFor(() => upstream.abortedRequests.length === 1, 5_000, 'the upstream request to be aborted');
  });

  it('close() ends open streams and connections of both kinds and stops listening', async () => {
    const { upstream, url, front } = await setUp();
    upstream.handler = (_request, response) => {
      response.writeHead(200);
      response.write('open');
    };
    const stream = h2Session(url).request({ ':method': 'POST', ':path': '/h2' });
    stream.on('error', () => {});
    stream.end();
    const req = http1Request(url, { method: 'POST', agent: false });
    req.on('error', () => {});
    req.end();
    await Promise.all([
      new Promise((resolve) => stream.once('data', resolve)),
      new Promise((resolve) => req.once('response', (response) => response.once('data', resolve))),
    ]);
    await front.close();
    expect(front.stats()).toMatchObject({ http2Sessions: 0, http1Connections: 0 });
    await waitFor(() => upstream.abortedRequests.length === 2, 5_000, 'the upstream requests to be aborted');
    const refused = await new Promise<string>((resolve) => {
      const socket = netConnect(front.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
