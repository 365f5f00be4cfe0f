import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { sleep } from '@kinesis-ts/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  copyCredentials,
  createLocalDynamoDbClient,
  createLocalKinesisClient,
  LOCAL_CREDENTIALS,
  type LocalStackEndpoints,
} from './clients';
import { connectLocalStack, type LocalStackConnection } from './connection';
import { type DynamoDbServer, startDynamoDbServer } from './dynamodb-server';
import { emulatorCaller } from './emulator-call';
import { LocalStackError, LocalStackErrorCode } from './errors';
import {
  type EmulatorExit,
  type KinesisEmulatorProcess,
  locateEmulator,
  spawnKinesisEmulator,
} from './kinesis-emulator';
import { type KinesisFront, startKinesisFront } from './kinesis-front';
import {
  emulatorEnvironment,
  type LocalStackOptions,
  type ResolvedLocalStackOptions,
  resolveLocalStackOptions,
} from './options';
import { findFreePort, tryBindPort } from './ports';
import { type LocalS3, startLocalS3 } from './s3-server';
import { ServiceLimits } from './service-limits';

/** A running local Kinesis + DynamoDB, returned by {@link startLocalStack}. */
export interface LocalStack extends LocalStackConnection {
  /**
   * Port of `kinesisEndpoint`: the stack's Kinesis front, which speaks HTTP/1.1 and HTTP/2 and
   * forwards to the emulator.
   */
  readonly kinesisPort: number;
  /**
   * Port of the emulator's own plain endpoint, behind the front: HTTP/1.1 only (its HTTP/2 is
   * broken). Always a free port; for diagnosis, not for clients.
   */
  readonly kinesisEmulatorPort: number;
  /** Port of the Kinesis emulator's HTTPS endpoint (self-signed certificate). */
  readonly kinesisTlsPort: number;
  /** Port of the DynamoDB server. */
  readonly dynamoDbPort: number;
  /** The account id in the emulator's ARNs. */
  readonly accountId: string;
  /**
   * `http://127.0.0.1:<port>` of the local S3 server with `s3: true` (give it to an `S3Client` with
   * `forcePathStyle: true`, any credentials); `undefined` without.
   */
  readonly s3Endpoint: string | undefined;
  /** Process id of the Kinesis emulator. */
  readonly kinesisPid: number;
  /** Resolves when the emulator process exits: after `stop()`, or if it crashes or is killed. */
  readonly kinesisExited: Promise<EmulatorExit>;
  /** The last lines the emulator printed (it never prints to this process's console). */
  kinesisOutput(): string[];
  /** The serializable part: endpoints, region and credentials (what a vitest global setup provides). */
  endpoints(): LocalStackEndpoints;
  /**
   * Destroys the clients built by this stack, closes the DynamoDB server and ends the emulator
   * process; resolves once both ports are free. Safe to call more than once.
   */
  stop(): Promise<void>;
}

const PROBE_INTERVAL_MS = 50;
const MAX_START_ATTEMPTS = 3;

async function choosePorts(options: {
  kinesisPort: number;
  kinesisTlsPort: number;
  dynamoDbPort: number;
}): Promise<{
  kinesisPort: number;
  kinesisEmulatorPort: number;
  kinesisTlsPort: number;
  dynamoDbPort: number;
}> {
  const fixed = [options.kinesisPort, options.kinesisTlsPort, options.dynamoDbPort].filter(
    (port) => port !== 0,
  );
  const chosen: number[] = [...fixed];
  const pick = async (name: 'kinesisPort' | 'kinesisTlsPort' | 'dynamoDbPort') => {
    const requested = options[name];
    if (requested === 0) {
      const port = await findFreePort(chosen);
      chosen.push(port);
      return port;
    }
    // kinesis-local listens on every interface; dynalite on 127.0.0.1.
    const free = await tryBindPort(requested, name === 'dynamoDbPort' ? '127.0.0.1' : undefined);
    if (free === undefined) {
      const service = name === 'dynamoDbPort' ? 'DynamoDB' : 'Kinesis';
      throw new LocalStackError(`The ${service} port ${requested} (option ${name}) is already in use`, {
        code: LocalStackErrorCode.PORT_IN_USE,
        component: name === 'dynamoDbPort' ? 'dynamodb' : 'kinesis',
      });
    }
    return requested;
  };
  const kinesisPort = await pick('kinesisPort');
  const kinesisTlsPort = await pick('kinesisTlsPort');
  const dynamoDbPort = await pick('dynamoDbPort');
  const kinesisEmulatorPort = await findFreePort(chosen);
  return { kinesisPort, kinesisEmulatorPort, kinesisTlsPort, dynamoDbPort };
}

/** Starts the Kinesis front on `port`; a port taken meanwhile is a (retryable if picked) port-in-use. */
async function startFront(
  port: number,
  upstreamPort: number,
  picked: boolean,
  limits: ServiceLimits | undefined,
  largeRecordThresholdBytes: number,
): Promise<KinesisFront> {
  try {
    return await startKinesisFront({ port, upstreamPort, limits, largeRecordThresholdBytes });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw cause;
    throw new LocalStackError(`The Kinesis port ${port} (option kinesisPort) is already in use`, {
      code: LocalStackErrorCode.PORT_IN_USE,
      component: 'kinesis',
      retryable: picked,
      cause,
    });
  }
}

/** Polls `probe` until it resolves, the deadline passes, or `failed()` reports a reason to give up. */
async function waitUntil(
  probe: () => Promise<unknown>,
  deadline: number,
  failed: () => LocalStackError | undefined,
  timeoutError: (lastError: unknown) => LocalStackError,
): Promise<void> {
  let lastError: unknown;
  while (true) {
    const failure = failed();
    if (failure) throw failure;
    if (Date.now() > deadline) throw timeoutError(lastError);
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(PROBE_INTERVAL_MS);
  }
}

/**
 * Starts a local Kinesis (kinesis-local, as a child process tied to this one) and a local DynamoDB
 * (dynalite, in this process), each on a free port unless fixed ports are given, and resolves once
 * both answer (and the `streams` option's streams are ACTIVE).
 *
 * Nothing is left running when it fails: a port in use, a missing emulator, an emulator that exits
 * or does not answer within `startTimeoutMs` all reject with a {@link LocalStackError} naming what
 * failed (with the emulator's last output lines). Unknown or invalid options reject with a
 * `ValidationError` naming the option.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const resolved = resolveLocalStackOptions(options);
  const deadline = Date.now() + resolved.startTimeoutMs;
  const emulatorPath = await locateEmulator(resolved.emulatorPath);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(resolved, emulatorPath, deadline);
    } catch (error) {
      // A free port picked here can be taken by another process before a server binds it (other
      // test runs start stacks too): pick new ports and try again.
      const raced =
        LocalStackError.isInstance(error) &&
        error.code === LocalStackErrorCode.PORT_IN_USE &&
        error.retryable;
      if (!raced || attempt >= MAX_START_ATTEMPTS || Date.now() > deadline) throw error;
    }
  }
}

async function startOnce(
  resolved: ResolvedLocalStackOptions,
  emulatorPath: string,
  deadline: number,
): Promise<LocalStack> {
  const ports = await choosePorts(resolved);

  let dynamoDb: DynamoDbServer | undefined;
  let s3: LocalS3 | undefined;
  let front: KinesisFront | undefined;
  let emulator: KinesisEmulatorProcess | undefined;
  let connection: LocalStackConnection | undefined;
  // The service's limits, applied by the front once the stack has started (its own calls are free).
  const caller = resolved.enforceLimits ? emulatorCaller({ port: ports.kinesisEmulatorPort }) : undefined;
  const limits = caller
    ? new ServiceLimits({
        accountId: resolved.accountId,
        subscriptionLifetimeMs: resolved.limits.subscriptionLifetimeMs,
        callEmulator: caller.call,
      })
    : undefined;
  const cleanUp = async () => {
    caller?.close();
    connection?.close();
    await Promise.all([front?.close(), emulator?.stop(0), dynamoDb?.close(1_000), s3?.stop()]);
  };

  try {
    dynamoDb = await startDynamoDbServer({
      port: ports.dynamoDbPort,
      autoPort: resolved.dynamoDbPort === 0,
      createTableMs: resolved.createTableMs,
      deleteTableMs: resolved.deleteTableMs,
      updateTableMs: resolved.updateTableMs,
    });
    if (resolved.s3) s3 = await startLocalS3({ buckets: resolved.s3Buckets });
    front = await startFront(
      ports.kinesisPort,
      ports.kinesisEmulatorPort,
      resolved.kinesisPort === 0,
      limits,
      resolved.largeRecordThresholdBytes,
    );
    emulator = spawnKinesisEmulator({
      emulatorPath,
      nodePath: resolved.nodePath,
      env: emulatorEnvironment(resolved, { plain: ports.kinesisEmulatorPort, tls: ports.kinesisTlsPort }),
      outputLines: resolved.outputLines,
    });
    const running = emulator;
    const endpoints: LocalStackEndpoints = {
      kinesisEndpoint: `http://127.0.0.1:${ports.kinesisPort}`,
      dynamoDbEndpoint: `http://127.0.0.1:${dynamoDb.port}`,
      region: resolved.region,
      credentials: copyCredentials(LOCAL_CREDENTIALS),
      ...(s3 === undefined ? {} : { s3Endpoint: s3.endpoint }),
    };
    connection = connectLocalStack(endpoints);

    const probeHandler = () => new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 2_000 });
    const kinesisProbe = createLocalKinesisClient(endpoints, {
      maxAttempts: 1,
      requestHandler: probeHandler(),
    });
    const dynamoDbProbe = createLocalDynamoDbClient(endpoints, {
      maxAttempts: 1,
      requestHandler: probeHandler(),
    });
    const emulatorFailure = () => {
      const exit = running.exit();
      if (!exit) return undefined;
      const inUse = running.printed('EADDRINUSE');
      // The emulator's plain port is always one the stack picked; a fixed kinesisTlsPort it names
      // in its error is not worth another try.
      const fixedTlsPortTaken =
        resolved.kinesisTlsPort !== 0 && running.printed(`:${resolved.kinesisTlsPort}`);
      return new LocalStackError(
        inUse
          ? `The Kinesis emulator could not listen: port ${ports.kinesisEmulatorPort} (its own port, picked by the stack) or ${ports.kinesisTlsPort} (kinesisTlsPort) is already in use`
          : `The Kinesis emulator exited before it answered (exit code ${exit.code}, signal ${exit.signal})`,
        {
          code: inUse ? LocalStackErrorCode.PORT_IN_USE : LocalStackErrorCode.EMULATOR_EXITED,
          component: 'kinesis',
          retryable: inUse && !fixedTlsPortTaken,
          output: running.output(),
        },
      );
    };
    try {
      await Promise.all([
        waitUntil(
          () => kinesisProbe.send(new ListStreamsCommand({})),
          deadline,
          emulatorFailure,
          (lastError) =>
            new LocalStackError(
              `The Kinesis emulator did not answer on ${endpoints.kinesisEndpoint} within ${resolved.startTimeoutMs} ms (startTimeoutMs)`,
              {
                code: LocalStackErrorCode.START_TIMEOUT,
                component: 'kinesis',
                output: running.output(),
                cause: lastError,
              },
            ),
        ),
        waitUntil(
          () => dynamoDbProbe.send(new ListTablesCommand({})),
          deadline,
          () => undefined,
          (lastError) =>
            new LocalStackError(
              `The DynamoDB server did not answer on ${endpoints.dynamoDbEndpoint} within ${resolved.startTimeoutMs} ms (startTimeoutMs)`,
              { code: LocalStackErrorCode.START_TIMEOUT, component: 'dynamodb', cause: lastError },
            ),
        ),
      ]);
    } finally {
      kinesisProbe.destroy();
      dynamoDbProbe.destroy();
    }

    for (const stream of resolved.streams) {
      await connection.createStream(stream.name, stream.shardCount, {
        timeoutMs: Math.max(1, deadline - Date.now()),
      });
    }

    limits?.enforce();
    const server = dynamoDb;
    const kinesisFront = front;
    const live = connection;
    const localS3 = s3;
    let stopping: Promise<void> | undefined;
    // Copy the connection's properties as they are defined: `credentials` stays a getter that
    // hands out a fresh object on every read.
    const stack = Object.defineProperties({}, Object.getOwnPropertyDescriptors(live)) as LocalStackConnection;
    return Object.assign(stack, {
      kinesisPort: kinesisFront.port,
      kinesisEmulatorPort: ports.kinesisEmulatorPort,
      kinesisTlsPort: ports.kinesisTlsPort,
      dynamoDbPort: server.port,
      accountId: resolved.accountId,
      s3Endpoint: localS3?.endpoint,
      kinesisPid: running.pid,
      kinesisExited: running.exited,
      kinesisOutput: () => running.output(),
      endpoints: () => ({ ...endpoints, credentials: copyCredentials(endpoints.credentials) }),
      stop() {
        stopping ??= (async () => {
          live.close();
          await Promise.all([
            kinesisFront.close(),
            running.stop(resolved.stopGraceMs),
            server.close(2_000),
            localS3?.stop(),
          ]);
          caller?.close();
        })();
        return stopping;
      },
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
