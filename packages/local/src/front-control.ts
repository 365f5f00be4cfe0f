import { request } from 'node:http';
import { LocalStackError, LocalStackErrorCode } from './errors';
import type { LargeRecordStats } from './large-record-store';
import type { ServiceLimitStats } from './service-limits';

/**
 * How {@link LocalStackConnection.closeKinesisSessions} closes the clients' connections:
 * `graceful` sends a GOAWAY (NO_ERROR) on every HTTP/2 session (streams in flight finish, new calls
 * need a new connection) and closes HTTP/1.1 connections once idle; `immediate` destroys them all
 * now, failing the calls in flight.
 */
export type CloseSessionsMode = 'graceful' | 'immediate';

/** What a close of the front's sessions closed. */
export interface CloseSessionsResult {
  /** HTTP/2 sessions sent a GOAWAY (or destroyed). */
  readonly http2Sessions: number;
  /** HTTP/1.1 connections closed (or to close after their response). */
  readonly http1Connections: number;
}

/** Counters of the Kinesis front since it started. */
export interface KinesisFrontStats {
  /** Requests received over HTTP/1.1. */
  readonly http1Requests: number;
  /** Requests (streams) received over HTTP/2. */
  readonly http2Requests: number;
  /** Requests forwarded to the emulator. */
  readonly upstreamRequests: number;
  /** Requests to the emulator not yet finished (an open SubscribeToShard counts until it ends). */
  readonly upstreamInFlight: number;
  /** Requests to the emulator ended early because the client went away (reset, abort, closed). */
  readonly upstreamAborted: number;
  /** Requests the emulator failed to answer (connection refused or reset). */
  readonly upstreamErrors: number;
  /** Sessions and connections closed by `closeKinesisSessions` (or the front's own close). */
  readonly sessionsClosedByServer: number;
  /** HTTP/2 sessions open now. */
  readonly http2Sessions: number;
  /** HTTP/1.1 connections open now. */
  readonly http1Connections: number;
  /** What the service's limits refused (all zero, `enforced: false`, unless `enforceLimits` is on). */
  readonly limits: ServiceLimitStats;
  /** What the front's large-record store holds and did (see `largeRecordThresholdBytes`). */
  readonly largeRecords: LargeRecordStats;
}

/** The path prefix of the front's control requests (no Kinesis API uses a path other than `/`). */
export const FRONT_CONTROL_PATH = '/__kinesis-ts-local/';

/** A control request the front answers itself instead of forwarding it. */
export type ControlAction = { kind: 'close-sessions'; mode: CloseSessionsMode } | { kind: 'stats' };

/** The control action a request asks for, or `undefined` for a Kinesis request to forward. */
export function controlAction(method: string, path: string): ControlAction | undefined {
  if (!path.startsWith(FRONT_CONTROL_PATH)) return undefined;
  const url = new URL(path, 'http://front');
  const action = url.pathname.slice(FRONT_CONTROL_PATH.length);
  if (action === 'stats' && method === 'GET') return { kind: 'stats' };
  if (action === 'close-sessions' && method === 'POST') {
    const mode = url.searchParams.get('mode') === 'immediate' ? 'immediate' : 'graceful';
    return { kind: 'close-sessions', mode };
  }
  return undefined;
}

/**
 * Sends a control request to the front at `kinesisEndpoint` over a connection of its own (HTTP/1.1,
 * no keep-alive) and returns the parsed answer.
 * @throws LocalStackError `LOCAL_STACK_NO_FRONT` when the endpoint is not a kinesis-ts-local front
 * (an older stack, LocalStack, AWS) or does not answer.
 */
export function requestFrontControl<T>(
  kinesisEndpoint: string,
  method: 'GET' | 'POST',
  path: string,
  timeoutMs = 5_000,
): Promise<T> {
  const url = new URL(`${FRONT_CONTROL_PATH}${path}`, kinesisEndpoint);
  const fail = (why: string, cause?: unknown) =>
    new LocalStackError(
      `The Kinesis endpoint ${kinesisEndpoint} is not a kinesis-ts-local front (${why}): closeKinesisSessions and kinesisFrontStats need a stack started by @kinesis-ts/local`,
      { code: LocalStackErrorCode.NO_FRONT, component: 'kinesis', cause },
    );
  return new Promise<T>((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { connection: 'close' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(fail(error.message, error)));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200 || !response.headers['content-type']?.includes('application/json')) {
          reject(fail(`HTTP ${response.statusCode}`));
          return;
        }
        try {
          resolve(JSON.parse(text) as T);
        } catch (error) {
          reject(fail('not JSON', error));
        }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(fail(error.message, error)));
    req.end();
  });
}
