import type {
  ClientRequest,
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import { constants as http2, type ServerHttp2Stream } from 'node:http2';
import type { Readable, Writable } from 'node:stream';
import { EventStreamBoundary } from './event-stream-boundary';
import { EventStreamMessages } from './event-stream-messages';
import type { WireResponse } from './kinesis-wire';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './proxy-headers';
import type { KinesisCall, LimitDecision } from './service-limits';

/** One request and its response, over HTTP/1.1 or HTTP/2, as the limited path sees it. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The request body. */
  readonly body: Readable;
  /** Whether the client went away (reset its stream, closed its connection). */
  gone(): boolean;
  /** Calls `listener` once the exchange is closed, whether complete or not. */
  onClose(listener: () => void): void;
  /** Whether the response headers are out. */
  headersSent(): boolean;
  /** Sends a whole response (its `content-length` set from the body). */
  send(response: WireResponse): void;
  /** Starts a streamed response; returns where its body goes, or `undefined` if it cannot be sent. */
  begin(status: number, headers: OutgoingHttpHeaders): Writable | undefined;
  /** Fails the response after its headers (RST_STREAM, a destroyed connection). */
  abort(): void;
}

/** An HTTP/2 stream as an {@link Exchange}. */
export function http2Exchange(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Exchange {
  const respond = (responseHeaders: OutgoingHttpHeaders): boolean => {
    if (stream.destroyed || stream.closed) return false;
    try {
      stream.respond(responseHeaders);
      return true;
    } catch {
      // Headers HTTP/2 refuses: fail this stream, not the front.
      stream.close(http2.NGHTTP2_INTERNAL_ERROR);
      return false;
    }
  };
  return {
    method: String(headers[':method'] ?? 'GET'),
    path: String(headers[':path'] ?? '/'),
    headers,
    body: stream,
    gone: () => stream.destroyed || stream.closed,
    onClose: (listener) => stream.once('close', listener),
    headersSent: () => stream.headersSent,
    send(response) {
      const sent = respond({
        ':status': response.status,
        ...response.headers,
        'content-length': String(response.body.length),
      });
      if (sent) stream.end(response.body);
    },
    begin: (status, responseHeaders) =>
      respond({ ':status': status, ...responseHeaders }) ? stream : undefined,
    abort: () => stream.close(http2.NGHTTP2_INTERNAL_ERROR),
  };
}

/** An HTTP/1.1 request and response as an {@link Exchange}. */
export function http1Exchange(request: IncomingMessage, response: ServerResponse): Exchange {
  let gone = false;
  response.once('close', () => {
    if (!response.writableFinished) gone = true;
  });
  return {
    method: request.method ?? 'GET',
    path: request.url ?? '/',
    headers: request.headers,
    body: request,
    gone: () => gone || response.destroyed,
    onClose: (listener) => response.once('close', listener),
    headersSent: () => response.headersSent,
    send(wire) {
      if (response.destroyed) return;
      response.writeHead(wire.status, { ...wire.headers, 'content-length': String(wire.body.length) });
      response.end(wire.body);
    },
    begin(status, headers) {
      if (response.destroyed) return undefined;
      response.writeHead(status, headers);
      response.flushHeaders();
      return response;
    },
    abort: () => response.destroy(),
  };
}

/** What the limited path needs from the front. */
export interface LimitedCallContext {
  /** Decides the call: the service limits and the large-record store, as the front composes them. */
  readonly limits: { decide(call: KinesisCall): Promise<LimitDecision> };
  /** Opens the request to the emulator (counted by the front). */
  readonly openUpstream: (method: string, path: string, headers: OutgoingHttpHeaders) => ClientRequest;
  /** Counts a request to the emulator ended early (the client went away, or a lifetime ended it not). */
  readonly countAborted: () => void;
  /** Counts a request the emulator failed to answer. */
  readonly countError: () => void;
}

function readBody(body: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => resolve(Buffer.concat(chunks)));
    body.once('error', () => resolve(undefined));
    body.once('close', () => resolve(body.readableEnded ? Buffer.concat(chunks) : undefined));
  });
}

function readAll(source: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    source.on('data', (chunk: Buffer) => chunks.push(chunk));
    source.once('end', () => resolve(Buffer.concat(chunks)));
    source.once('error', reject);
    source.once('aborted', () => reject(new Error('aborted')));
  });
}

/**
 * A Kinesis call under the service's limits: the request body is read whole, the limits decide,
 * and the call is answered by the front (refused), or forwarded (the body the limits chose), its
 * response passed through whole (rewritten by the limits when they need to), or streamed (a
 * subscription, ended between two events at the end of its lifetime).
 */
export async function runLimitedCall(
  exchange: Exchange,
  operation: string,
  context: LimitedCallContext,
): Promise<void> {
  const body = await readBody(exchange.body);
  if (body === undefined || exchange.gone()) return;
  let decision: LimitDecision;
  try {
    decision = await context.limits.decide({ operation, headers: exchange.headers, body });
  } catch {
    decision = { kind: 'forward', body };
  }
  if (exchange.gone()) return;
  if (decision.kind === 'respond') {
    exchange.send(decision.response);
    return;
  }
  const upstream = context.openUpstream(exchange.method, exchange.path, {
    ...upstreamRequestHeaders(exchange.headers),
    'content-length': String(decision.body.length),
  });
  let complete = false;
  exchange.onClose(() => {
    if (!complete) {
      context.countAborted();
      upstream.destroy();
    }
  });
  upstream.on('error', (error: Error) => {
    if (complete || exchange.gone()) return;
    complete = true;
    context.countError();
    if (exchange.headersSent()) {
      exchange.abort();
      return;
    }
    exchange.send({
      status: 502,
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from(`kinesis-ts-local: the Kinesis emulator did not answer (${error.message})`),
    });
  });
  upstream.once('response', (response: IncomingMessage) => {
    const status = response.statusCode ?? 502;
    const headers = downstreamResponseHeaders(response.headers);
    const { onResponse, subscription } = decision;
    if (onResponse) {
      readAll(response).then(
        async (received) => {
          complete = true;
          const whole = { status, headers: headers as Record<string, string>, body: received };
          let answer: WireResponse;
          try {
            answer = await onResponse(whole);
          } catch {
            answer = whole;
          }
          if (!exchange.gone()) exchange.send(answer);
        },
        () => {
          complete = true;
          if (!exchange.gone()) exchange.abort();
        },
      );
      return;
    }
    const sink = exchange.begin(status, headers);
    if (!sink) {
      complete = true;
      response.destroy();
      upstream.destroy();
      return;
    }
    const rewriteEvent = status === 200 ? decision.rewriteEvent : undefined;
    pipeWithLifetime(
      response,
      sink,
      status === 200 ? subscription : undefined,
      () => {
        complete = true;
        upstream.destroy();
      },
      rewriteEvent,
    );
    response.once('end', () => {
      complete = true;
    });
    // Not after the lifetime ended it: then the front itself cut the emulator's response.
    response.once('aborted', () => {
      if (!complete) exchange.abort();
    });
    response.on('error', () => {
      if (!complete) exchange.abort();
    });
  });
  upstream.end(decision.body);
}

/**
 * Pipes `source` to `sink` with backpressure; with a `subscription`, ends the sink at the first
 * event boundary after `lifetimeMs` and calls `expired` (the caller ends the emulator's side). With
 * `rewriteEvent`, the source is sent a whole event-stream message at a time, each rewritten.
 */
function pipeWithLifetime(
  source: IncomingMessage,
  sink: Writable,
  subscription: { readonly lifetimeMs: number; readonly onExpired: () => void } | undefined,
  expired: () => void,
  rewriteEvent?: (message: Buffer) => Buffer,
): void {
  if (!subscription && !rewriteEvent) {
    source.pipe(sink);
    return;
  }
  const boundary = new EventStreamBoundary();
  const messages = rewriteEvent && new EventStreamMessages();
  let ending = false;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    subscription?.onExpired();
    expired();
    source.destroy();
    sink.end();
  };
  if (subscription) {
    timer = setTimeout(() => {
      ending = true;
      if (messages ? messages.atBoundary : boundary.atBoundary) finish();
    }, subscription.lifetimeMs);
  }
  const pauseUntilDrained = () => {
    source.pause();
    sink.once('drain', () => source.resume());
  };
  source.on('data', (chunk: Buffer) => {
    if (ended) return;
    if (messages && rewriteEvent) {
      let flowing = true;
      for (const message of messages.feed(chunk)) {
        let out = message;
        try {
          out = rewriteEvent(message);
        } catch {
          // A message the rewrite cannot handle goes as it came.
        }
        flowing = sink.write(out);
        if (ending) {
          finish();
          return;
        }
      }
      if (!flowing) pauseUntilDrained();
      return;
    }
    const ends = boundary.feed(chunk);
    if (ending && ends.length > 0) {
      sink.write(chunk.subarray(0, ends[0]));
      finish();
      return;
    }
    if (!sink.write(chunk)) pauseUntilDrained();
  });
  source.once('end', () => {
    clearTimeout(timer);
    if (!ended) sink.end();
  });
  source.once('close', () => clearTimeout(timer));
}
