import {
  Agent,
  type ClientRequest,
  createServer as createHttp1Server,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createHttp2Server,
  type IncomingHttpHeaders as Http2IncomingHttpHeaders,
  type Http2Session,
  constants as http2,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { emulatorCaller } from './emulator-call';
import {
  type CloseSessionsMode,
  type CloseSessionsResult,
  type ControlAction,
  controlAction,
  type KinesisFrontStats,
} from './front-control';
import { operationOf } from './kinesis-wire';
import { type LargeRecordStats, LargeRecordStore } from './large-record-store';
import { http1Exchange, http2Exchange, type LimitedCallContext, runLimitedCall } from './limited-exchange';
import { sniffProtocol } from './protocol-sniff';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './proxy-headers';
import type { KinesisCall, LimitDecision, ServiceLimitStats, ServiceLimits } from './service-limits';

/** Where the front listens and where it forwards. */
export interface KinesisFrontOptions {
  /** Port to listen on; `0` picks a free one. */
  readonly port: number;
  /** Interface to listen on. @defaultValue every interface (as kinesis-local itself listens) */
  readonly host?: string;
  /** Port of the emulator's plain HTTP/1.1 endpoint. */
  readonly upstreamPort: number;
  /** @defaultValue '127.0.0.1' */
  readonly upstreamHost?: string;
  /**
   * The service's limits to apply to the calls, once they enforce (`startLocalStack`'s
   * `enforceLimits`): the calls they intercept are read whole and decided on before they are
   * forwarded. @defaultValue none: every call is streamed through as it is
   */
  readonly limits?: ServiceLimits;
  /**
   * Records whose data is larger than this, in bytes, are kept by the front: the emulator stores a
   * placeholder of a few dozen bytes instead (it takes over a minute to store a 9.5 MiB record) and
   * GetRecords responses get the original data back. The front then checks those records against
   * the stream's `MaxRecordSizeInKiB` itself. `Infinity` sends every record to the emulator as it is.
   * @defaultValue 65536
   */
  readonly largeRecordThresholdBytes?: number;
}

/** The default of {@link KinesisFrontOptions.largeRecordThresholdBytes}, in bytes (64 KiB). */
export const DEFAULT_LARGE_RECORD_THRESHOLD_BYTES = 65_536;

/** A running front (see {@link startKinesisFront}). */
export interface KinesisFront {
  /** The port it listens on. */
  readonly port: number;
  /** Counters of what went through it. */
  stats(): KinesisFrontStats;
  /**
   * Closes the clients' connections from the server side. `graceful`: a GOAWAY (NO_ERROR) on every
   * HTTP/2 session, whose streams in flight finish while new ones must use a new connection; idle
   * HTTP/1.1 connections closed, busy ones closed after their response. `immediate`: every session
   * and connection destroyed now (GOAWAY INTERNAL_ERROR on HTTP/2); calls in flight fail.
   * `except` (a socket) is left alone: the one carrying the control request.
   */
  closeSessions(mode: CloseSessionsMode, except?: Socket): CloseSessionsResult;
  /** Stops listening, closes every session and upstream connection; resolves once all are closed. */
  close(): Promise<void>;
}

const NO_LARGE_RECORDS: LargeRecordStats = {
  records: 0,
  bytes: 0,
  restored: 0,
  refusedRecords: 0,
  refusedRequests: 0,
};

const NO_LIMITS: ServiceLimitStats = {
  enforced: false,
  refusedEntries: 0,
  refusedCalls: {},
  subscriptionsEnded: 0,
};

/** How long `close()` lets a GOAWAY flush before destroying what is still open, in milliseconds. */
const CLOSE_GRACE_MS = 100;
/** How long the front waits for a new connection's first bytes before dropping it, in milliseconds. */
const SNIFF_TIMEOUT_MS = 30_000;

/**
 * Starts the front of the local Kinesis endpoint: one TCP port that speaks HTTP/1.1 and HTTP/2
 * (prior-knowledge h2c) and forwards every request to kinesis-local over HTTP/1.1, whose HTTP/2 is
 * broken. Each connection is classified by its first bytes (the HTTP/2 preface or not) and handed
 * to an `http2` or an `http` server. Requests and responses are streamed through (the
 * SubscribeToShard event stream as it comes), with backpressure both ways: a full HTTP/2 flow-
 * control window pauses the read from the emulator. A client that resets its stream (RST_STREAM),
 * closes its session or drops its connection aborts the request to the emulator.
 */
export async function startKinesisFront(options: KinesisFrontOptions): Promise<KinesisFront> {
  const upstreamAgent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
  const counters = {
    http1Requests: 0,
    http2Requests: 0,
    upstreamRequests: 0,
    upstreamInFlight: 0,
    upstreamAborted: 0,
    upstreamErrors: 0,
    sessionsClosedByServer: 0,
  };
  const sniffing = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  const http1Sockets = new Set<Socket>();
  /** HTTP/1.1 sockets with a response in progress, and those to close once it is sent. */
  const busyHttp1 = new Set<Socket>();
  const closeAfterResponse = new WeakSet<Socket>();
  /** Idle HTTP/1.1 connections the front ended: a request that still arrives on one is dropped. */
  const endedHttp1 = new WeakSet<Socket>();
  let closing = false;

  /** Opens the request to the emulator; counts it in flight until it closes. */
  function openUpstream(method: string, path: string, headers: OutgoingHttpHeaders): ClientRequest {
    counters.upstreamRequests += 1;
    counters.upstreamInFlight += 1;
    const upstream = httpRequest({
      host: options.upstreamHost ?? '127.0.0.1',
      port: options.upstreamPort,
      method,
      path,
      headers,
      agent: upstreamAgent,
    });
    upstream.once('close', () => {
      counters.upstreamInFlight -= 1;
    });
    return upstream;
  }

  const thresholdBytes = options.largeRecordThresholdBytes ?? DEFAULT_LARGE_RECORD_THRESHOLD_BYTES;
  if (!(thresholdBytes >= 0))
    throw new RangeError(`largeRecordThresholdBytes: got ${thresholdBytes}, not a size in bytes`);
  const storeCaller =
    thresholdBytes === Number.POSITIVE_INFINITY
      ? undefined
      : emulatorCaller({ port: options.upstreamPort, host: options.upstreamHost });
  const store = storeCaller && new LargeRecordStore({ thresholdBytes, callEmulator: storeCaller.call });
  const serviceLimits = options.limits;
  /** What the limits decide, or a plain forward for a call they do not intercept. */
  const limitsDecide = (call: KinesisCall): Promise<LimitDecision> =>
    serviceLimits?.intercepts(call.operation)
      ? serviceLimits.decide(call)
      : Promise.resolve({ kind: 'forward', body: call.body });
  const limited: LimitedCallContext | undefined = (serviceLimits || store) && {
    limits: { decide: (call) => (store ? store.decide(call, limitsDecide) : limitsDecide(call)) },
    openUpstream,
    countAborted: () => {
      counters.upstreamAborted += 1;
    },
    countError: () => {
      counters.upstreamErrors += 1;
    },
  };
  /** The operation of a call the limits intercept, if limits are on and they do. */
  function limitedOperation(headers: IncomingHttpHeaders): string | undefined {
    const operation = operationOf(headers);
    return serviceLimits?.intercepts(operation) || store?.intercepts(operation) ? operation : undefined;
  }

  const h2 = createHttp2Server();
  /** Resolves once every HTTP/2 session has emitted 'close'. */
  let allSessionsClosed: (() => void) | undefined;
  h2.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => {
      sessions.delete(session);
      if (sessions.size === 0) allSessionsClosed?.();
    });
    // A session error (a protocol error, a reset connection) ends the session; its streams close.
    session.on('error', () => {});
  });
  h2.on('stream', (stream: ServerHttp2Stream, headers: Http2IncomingHttpHeaders) => {
    counters.http2Requests += 1;
    stream.on('error', () => {});
    const method = String(headers[':method'] ?? 'GET');
    const path = String(headers[':path'] ?? '/');
    const action = controlAction(method, path);
    if (action) {
      const socket = stream.session?.socket as Socket | undefined;
      const body = runControl(action, socket);
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(body);
      return;
    }
    const operation = limitedOperation(headers);
    if (limited && operation) {
      void runLimitedCall(http2Exchange(stream, headers), operation, limited);
      return;
    }
    const upstream = openUpstream(method, path, upstreamRequestHeaders(headers));
    let complete = false;
    stream.once('close', () => {
      // RST_STREAM from the client, its session closed or destroyed: end the emulator's request.
      if (!complete) {
        counters.upstreamAborted += 1;
        upstream.destroy();
      }
    });
    upstream.once('response', (response: IncomingMessage) => {
      if (stream.destroyed || stream.closed) {
        response.destroy();
        return;
      }
      try {
        stream.respond({
          ':status': response.statusCode ?? 502,
          ...downstreamResponseHeaders(response.headers),
        });
      } catch {
        // Headers HTTP/2 refuses: fail this stream, not the front.
        counters.upstreamErrors += 1;
        complete = true;
        response.destroy();
        stream.close(http2.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      response.once('end', () => {
        complete = true;
      });
      response.once('aborted', () => stream.close(http2.NGHTTP2_INTERNAL_ERROR));
      response.on('error', () => stream.close(http2.NGHTTP2_INTERNAL_ERROR));
      response.pipe(stream);
    });
    upstream.on('error', (error: Error) => {
      if (complete || stream.destroyed) return;
      counters.upstreamErrors += 1;
      complete = true;
      if (!stream.headersSent) {
        stream.respond({ ':status': 502, 'content-type': 'text/plain' });
        stream.end(`kinesis-ts-local: the Kinesis emulator did not answer (${error.message})`);
      } else {
        stream.close(http2.NGHTTP2_INTERNAL_ERROR);
      }
    });
    stream.pipe(upstream);
  });

  const h1 = createHttp1Server({ keepAliveTimeout: 65_000 });
  h1.on('connection', (socket: Socket) => {
    http1Sockets.add(socket);
    socket.once('close', () => {
      http1Sockets.delete(socket);
      busyHttp1.delete(socket);
    });
  });
  h1.on('clientError', (_error, socket: Socket) => socket.destroy());
  h1.on('request', (request: IncomingMessage, response: ServerResponse) => {
    counters.http1Requests += 1;
    const socket = request.socket;
    if (endedHttp1.has(socket)) {
      // A request that crossed the front's close of this idle connection: a server that closed the
      // connection never answers it, so it must not reach the emulator (the client retries it on
      // a new connection; processed here, its answer would be lost and the retry would duplicate it).
      socket.destroy();
      return;
    }
    busyHttp1.add(socket);
    response.once('finish', () => {
      busyHttp1.delete(socket);
      if (closeAfterResponse.has(socket) || closing) {
        endedHttp1.add(socket);
        socket.end();
      }
    });
    if (closeAfterResponse.has(socket) || closing) response.shouldKeepAlive = false;
    const action = controlAction(request.method ?? 'GET', request.url ?? '/');
    if (action) {
      const body = runControl(action, socket);
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
      return;
    }
    const operation = limitedOperation(request.headers);
    if (limited && operation) {
      void runLimitedCall(http1Exchange(request, response), operation, limited);
      return;
    }
    const upstream = openUpstream(
      request.method ?? 'GET',
      request.url ?? '/',
      upstreamRequestHeaders(request.headers),
    );
    let complete = false;
    response.once('close', () => {
      if (!complete) {
        counters.upstreamAborted += 1;
        upstream.destroy();
      }
    });
    upstream.once('response', (upstreamResponse: IncomingMessage) => {
      response.writeHead(
        upstreamResponse.statusCode ?? 502,
        downstreamResponseHeaders(upstreamResponse.headers),
      );
      response.flushHeaders();
      upstreamResponse.once('end', () => {
        complete = true;
      });
      upstreamResponse.once('aborted', () => response.destroy());
      upstreamResponse.on('error', () => response.destroy());
      upstreamResponse.pipe(response);
    });
    upstream.on('error', (error: Error) => {
      if (complete || response.destroyed) return;
      counters.upstreamErrors += 1;
      complete = true;
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`kinesis-ts-local: the Kinesis emulator did not answer (${error.message})`);
      } else {
        response.destroy();
      }
    });
    request.pipe(upstream);
  });

  /**
   * The sessions and connections a close in `mode` acts on: a graceful close skips sessions already
   * closing (their peer or the front sent a GOAWAY), an immediate one still destroys them.
   */
  function closeTargets(mode: CloseSessionsMode, except: Socket | undefined) {
    return {
      http2: [...sessions].filter(
        (session) =>
          session.socket !== except && !session.destroyed && (mode === 'immediate' || !session.closed),
      ),
      http1: [...http1Sockets].filter((socket) => socket !== except && !socket.destroyed),
    };
  }

  function closeSessions(mode: CloseSessionsMode, except?: Socket): CloseSessionsResult {
    const targets = closeTargets(mode, except);
    for (const session of targets.http2) {
      if (mode === 'graceful') session.close();
      else session.destroy(new Error('closed by the kinesis-ts-local front'), http2.NGHTTP2_INTERNAL_ERROR);
    }
    for (const socket of targets.http1) {
      if (mode === 'immediate') socket.destroy();
      else if (busyHttp1.has(socket)) closeAfterResponse.add(socket);
      else {
        endedHttp1.add(socket);
        socket.end();
      }
    }
    counters.sessionsClosedByServer += targets.http2.length + targets.http1.length;
    return { http2Sessions: targets.http2.length, http1Connections: targets.http1.length };
  }

  function stats(): KinesisFrontStats {
    return {
      ...counters,
      http2Sessions: sessions.size,
      http1Connections: http1Sockets.size,
      limits: options.limits?.stats() ?? NO_LIMITS,
      largeRecords: store?.stats() ?? NO_LARGE_RECORDS,
    };
  }

  function runControl(action: ControlAction, socket: Socket | undefined): string {
    if (action.kind === 'close-sessions') {
      const targets = closeTargets(action.mode, socket);
      // After this response is on its way: an immediate close must not race the control answer.
      setImmediate(() => closeSessions(action.mode, socket));
      return JSON.stringify({ http2Sessions: targets.http2.length, http1Connections: targets.http1.length });
    }
    return JSON.stringify(stats());
  }

  function handOver(socket: Socket, buffered: Buffer, protocol: 'http1' | 'http2'): void {
    sniffing.delete(socket);
    socket.setTimeout(0);
    // Put the sniffed bytes back. The HTTP/2 session reads what is buffered in the socket itself
    // (on the next tick) before consuming it natively; the HTTP/1.1 server parses it once the socket
    // flows again.
    socket.pause();
    socket.unshift(buffered);
    if (protocol === 'http2') {
      h2.emit('connection', socket);
    } else {
      h1.emit('connection', socket);
      socket.resume();
    }
  }

  const server: NetServer = createNetServer((socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sniffing.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const protocol = sniffProtocol(buffered);
      if (protocol === 'undecided') return;
      socket.off('data', onData);
      socket.off('error', onError);
      handOver(socket, buffered, protocol);
    };
    const onError = () => socket.destroy();
    socket.on('data', onData);
    socket.on('error', onError);
    socket.once('close', () => sniffing.delete(socket));
    socket.setTimeout(SNIFF_TIMEOUT_MS, () => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;

  let closed: Promise<void> | undefined;
  return {
    port,
    stats,
    closeSessions: (mode, except) => closeSessions(mode, except),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const socket of sniffing) socket.destroy();
        closeSessions('graceful');
        const grace = setTimeout(() => closeSessions('immediate'), CLOSE_GRACE_MS);
        const sessionsClosed = new Promise<void>((done) => {
          allSessionsClosed = done;
          if (sessions.size === 0) done();
        });
        server.close(() => {
          void sessionsClosed.then(() => {
            clearTimeout(grace);
            upstreamAgent.destroy();
            storeCaller?.close();
            resolve();
          });
        });
      });
      return closed;
    },
  };
}
