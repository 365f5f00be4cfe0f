import { parseArgs } from 'node:util';
import { CoreErrorCode, closestMatch, ValidationError } from '@kinesis-ts/core';
import type { EmulatorLogLevel, LocalStackOptions } from './options';

/** What the command line asked for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'start'; options: LocalStackOptions };

/** The usage text of `kinesis-ts-local`. */
export const CLI_USAGE = `Usage: kinesis-ts-local [options]

Starts a local Kinesis (kinesis-local) and DynamoDB (dynalite) in the foreground, prints their
endpoints and the environment to point the AWS CLI and SDKs at them, and stops on Ctrl-C.

Options:
  --stream NAME:SHARDS     create a stream (repeatable), e.g. --stream orders:2
  --kinesis-port PORT      Kinesis port, HTTP/1.1 and HTTP/2 (default: a free port)
  --kinesis-tls-port PORT  the emulator's own HTTPS port, not behind the front (default: a free port)
  --dynamodb-port PORT     DynamoDB port (default: a free port)
  --region REGION          region (default: us-east-1)
  --log-level LEVEL        emulator log level: ERROR, WARN, INFO, DEBUG, TRACE (default: WARN)
  --enforce-limits         refuse what Kinesis refuses: per-shard write and read rates, one
                           SubscribeToShard per second per consumer and shard, control-plane call
                           rates, with the service's errors (default: off)
  --subscription-lifetime-ms MS
                           with --enforce-limits: end subscriptions after MS (default: 300000)
  -v, --version            print the version
  -h, --help               show this help
`;

/**
 * A command-line mistake: a `ValidationError` (`INVALID_OPTION`) naming the flag, like any bad option
 * of the stack; the CLI prints its message and the usage, and exits with 2.
 */
function usageError(flag: string, limit: string, message: string): ValidationError {
  const error = new ValidationError(flag, limit, message, CoreErrorCode.INVALID_OPTION);
  error.message = message;
  return error;
}

function parsePort(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw usageError(flag, 'a port number (0..65535)', `${flag} must be a port number, got '${value}'`);
  return port;
}

/** Parses `name:shards` (shards defaults to 1 when omitted). */
export function parseStreamSpec(spec: string): { name: string; shardCount: number } {
  const match = /^([^:]+)(?::(\d+))?$/.exec(spec);
  if (!match)
    throw usageError('--stream', 'NAME:SHARDS', `--stream must look like NAME:SHARDS, got '${spec}'`);
  const shardCount = match[2] === undefined ? 1 : Number(match[2]);
  if (shardCount < 1)
    throw usageError('--stream', 'a shard count ≥ 1', `--stream ${spec}: the shard count must be at least 1`);
  return { name: match[1]!, shardCount };
}

/** Parses the arguments of `kinesis-ts-local` (without `node` and the script). */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values: ReturnType<typeof parse>['values'];
  // `pnpm run local -- --stream a:1` passes the `--` through.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  try {
    values = parse(args).values;
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw usageError('arguments', 'the flags of kinesis-ts-local --help', `${message}${flagHint(message)}`);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const options: LocalStackOptions = {};
  const kinesisPort = parsePort('--kinesis-port', values['kinesis-port']);
  const kinesisTlsPort = parsePort('--kinesis-tls-port', values['kinesis-tls-port']);
  const dynamoDbPort = parsePort('--dynamodb-port', values['dynamodb-port']);
  if (kinesisPort !== undefined) options.kinesisPort = kinesisPort;
  if (kinesisTlsPort !== undefined) options.kinesisTlsPort = kinesisTlsPort;
  if (dynamoDbPort !== undefined) options.dynamoDbPort = dynamoDbPort;
  if (values.region !== undefined) options.region = values.region;
  if (values['log-level'] !== undefined)
    options.logLevel = values['log-level'].toUpperCase() as EmulatorLogLevel;
  if (values['enforce-limits']) options.enforceLimits = true;
  const lifetime = values['subscription-lifetime-ms'];
  if (lifetime !== undefined) {
    if (!values['enforce-limits']) {
      throw usageError(
        '--subscription-lifetime-ms',
        'only with --enforce-limits',
        '--subscription-lifetime-ms needs --enforce-limits',
      );
    }
    if (!/^\d+$/.test(lifetime)) {
      throw usageError(
        '--subscription-lifetime-ms',
        'a number of milliseconds',
        `--subscription-lifetime-ms must be a number of milliseconds, got '${lifetime}'`,
      );
    }
    options.limits = { subscriptionLifetimeMs: Number(lifetime) };
  }
  const streams = (values.stream ?? []).map(parseStreamSpec);
  if (streams.length > 0) options.streams = streams;
  return { kind: 'start', options };
}

/** ` (did you mean '--stream'?)` for an unknown flag close to a known one, else ''. */
function flagHint(message: string): string {
  const unknown = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
  const meant = unknown && closestMatch(unknown, Object.keys(FLAGS));
  return meant ? ` (did you mean '--${meant}'?)` : '';
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: FLAGS,
  });
}

const FLAGS = {
  stream: { type: 'string', multiple: true },
  'kinesis-port': { type: 'string' },
  'kinesis-tls-port': { type: 'string' },
  'dynamodb-port': { type: 'string' },
  region: { type: 'string' },
  'log-level': { type: 'string' },
  'enforce-limits': { type: 'boolean' },
  'subscription-lifetime-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Quotes a value for a POSIX shell when it needs it. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The `export …` line for a POSIX shell. */
export function exportLine(environment: Record<string, string>): string {
  return `export ${Object.entries(environment)
    .map(([name, value]) => `${name}=${shellQuote(value)}`)
    .join(' ')}`;
}
