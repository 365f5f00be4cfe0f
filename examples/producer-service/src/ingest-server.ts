/**
 * The HTTP side: `POST /events` with one JSON event or an array of them, answered once Kinesis has
 * acknowledged every event (so a 200 means written, not merely buffered).
 *
 * Backpressure: the producer is built with `whenBufferFull: 'reject'`, so when it already holds
 * `maxBufferedRecords` records (Kinesis is slow or throttling), `put` refuses at once with a
 * `BufferFullError` and the service answers **503 with `Retry-After`** naming the events it did not
 * take, instead of queueing without bound. Clients retry those later.
 *
 * Shutdown: `shutdown()` stops taking requests (503 and `Connection: close` for the ones still
 * arriving, `/health` turns 503 so a load balancer stops sending), closes the producer, which sends
 * everything buffered and settles every put (so requests in flight get their answer), then closes
 * the server.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KinesisTsError, ValidationError } from '@kinesis-ts/core';
import { type KinesisProducer, ProducerErrorCode } from '@kinesis-ts/producer';

export interface IngestServerOptions {
  readonly producer: KinesisProducer;
  /** The event field used as partition key; events without it get a random key. */
  readonly partitionKeyField: string;
  /** The largest request body, in bytes. */
  readonly maxBodyBytes: number;
  /** How long `shutdown()` waits for requests in flight, in ms. @defaultValue 30000 */
  readonly shutdownTimeoutMs?: number;
}

export interface IngestServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops taking requests, flushes the producer, answers the requests in flight, closes the server. */
  shutdown(): Promise<void>;
}

/** What `POST /events` answers, per event, in request order. */
type EventOutcome =
  | { readonly shardId: string; readonly sequenceNumber: string }
  | { readonly error: string; readonly message: string };

export function createIngestServer(options: IngestServerOptions): IngestServer {
  const { producer } = options;
  let draining = false;

  const server = createServer((request, response) => {
    if (draining) response.setHeader('Connection', 'close');
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { error: 'INTERNAL', message: String(error) });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/health' && request.method === 'GET') {
      send(response, draining ? 503 : 200, {
        status: draining ? 'shutting-down' : 'ok',
        outstandingRecords: producer.outstandingRecords,
      });
      return;
    }
    if (path !== '/events') {
      send(response, 404, { error: 'NOT_FOUND', message: `${request.method} ${path}` });
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      send(response, 405, { error: 'METHOD_NOT_ALLOWED', message: 'POST events here' });
      return;
    }
    if (draining) {
      send(response, 503, {
        error: 'SHUTTING_DOWN',
        message: 'the service is stopping; try another instance',
      });
      return;
    }
    const body = await readBody(request, options.maxBodyBytes);
    if (body === undefined) {
      send(response, 413, {
        error: 'TOO_LARGE',
        message: `the body is larger than ${options.maxBodyBytes} bytes`,
      });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      send(response, 400, { error: 'INVALID_JSON', message: 'the body is not JSON' });
      return;
    }
    const events = Array.isArray(parsed) ? parsed : [parsed];
    if (events.length === 0 || !events.every((event) => typeof event === 'object' && event !== null)) {
      send(response, 400, { error: 'INVALID_EVENTS', message: 'send a JSON object or an array of objects' });
      return;
    }

    const results = await producer.putMany(
      events.map((event: Record<string, unknown>) => ({
        partitionKey: String(event[options.partitionKeyField] ?? randomUUID()),
        data: new TextEncoder().encode(JSON.stringify(event)),
      })),
    );
    const outcomes: EventOutcome[] = results.map((result) =>
      result.status === 'fulfilled'
        ? { shardId: result.value.shardId, sequenceNumber: result.value.sequenceNumber }
        : describeFailure(result.reason),
    );
    const accepted = outcomes.filter((outcome) => 'sequenceNumber' in outcome).length;
    const refused = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
    if (refused.length === 0) {
      send(response, 200, { accepted, events: outcomes });
    } else if (
      // hasCode, not instanceof: true for an error from any copy of the packages
      refused.every((reason) =>
        KinesisTsError.hasCode(reason, ProducerErrorCode.BUFFER_FULL, ProducerErrorCode.PRODUCER_CLOSED),
      )
    ) {
      // backpressure: the events without a sequence number were not taken; send them again later
      response.setHeader('Retry-After', '1');
      send(response, 503, { error: 'BUFFER_FULL', accepted, events: outcomes });
    } else if (refused.every((reason) => ValidationError.isInstance(reason))) {
      send(response, 400, { error: 'INVALID_EVENTS', accepted, events: outcomes });
    } else {
      send(response, 502, { error: 'KINESIS_FAILED', accepted, events: outcomes });
    }
  }

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      }),
    async shutdown() {
      if (draining) return;
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await producer.close(); // sends everything buffered; every put settles, so every request is answered
      const timer = setTimeout(() => server.closeAllConnections(), options.shutdownTimeoutMs ?? 30_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

function describeFailure(reason: unknown): EventOutcome {
  const error = reason as { code?: string; message?: string };
  return { error: error.code ?? 'FAILED', message: error.message ?? String(reason) };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}

/** The body as text, or undefined when it is larger than `limit` bytes. */
async function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
