import {
  closestMatch,
  describeError as describeAnyError,
  fatalCause,
  isClientSetupError,
  KinesisTsError,
} from '@kinesis-ts/core';
import { LAG_OPTIONS, LAG_USAGE, runLag } from '../commands/lag.js';
import { LEASES_OPTIONS, LEASES_USAGE, runLeases } from '../commands/leases.js';
import { PUT_OPTIONS, PUT_USAGE, runPut } from '../commands/put.js';
import {
  REPLAY_FAILURE_OPTIONS,
  REPLAY_FAILURE_USAGE,
  runReplayFailure,
} from '../commands/replay-failure.js';
import {
  RESET_CHECKPOINT_OPTIONS,
  RESET_CHECKPOINT_USAGE,
  runResetCheckpoint,
} from '../commands/reset-checkpoint.js';
import {
  MERGE_OPTIONS,
  MERGE_USAGE,
  runMerge,
  runScale,
  runSplit,
  SCALE_OPTIONS,
  SCALE_USAGE,
  SPLIT_OPTIONS,
  SPLIT_USAGE,
} from '../commands/reshard.js';
import { runShards, SHARDS_OPTIONS, SHARDS_USAGE } from '../commands/shards.js';
import { runTail, TAIL_OPTIONS, TAIL_USAGE } from '../commands/tail.js';
import { CliErrorCode, CliUsageError } from '../errors.js';
import { type Flags, parseFlags } from './args.js';
import { type CliClients, createClients, type KinesisHttpVersion } from './clients.js';
import type { CommandContext } from './context.js';
import { REGION_MISSING_MESSAGE } from './endpoints.js';
import { createOutput, type Output } from './output.js';

interface CommandSpec {
  readonly options: Parameters<typeof parseFlags>[2];
  readonly usage: string;
  readonly run: (flags: Flags, ctx: CommandContext) => Promise<number>;
  readonly summary: string;
}

/** Every command of `kinesis-ts`. */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  tail: {
    options: TAIL_OPTIONS,
    usage: TAIL_USAGE,
    run: runTail,
    summary: "print a stream's records (deaggregated), from a position",
  },
  put: {
    options: PUT_OPTIONS,
    usage: PUT_USAGE,
    run: runPut,
    summary: 'write records from stdin or a file, one per line',
  },
  leases: {
    options: LEASES_OPTIONS,
    usage: LEASES_USAGE,
    run: runLeases,
    summary: "list an application's leases",
  },
  'reset-checkpoint': {
    options: RESET_CHECKPOINT_OPTIONS,
    usage: RESET_CHECKPOINT_USAGE,
    run: runResetCheckpoint,
    summary: "move an application's checkpoints (replay or skip)",
  },
  split: {
    options: SPLIT_OPTIONS,
    usage: SPLIT_USAGE,
    run: runSplit,
    summary: 'split a hot shard at its midpoint',
  },
  merge: {
    options: MERGE_OPTIONS,
    usage: MERGE_USAGE,
    run: runMerge,
    summary: 'merge two adjacent cold shards',
  },
  scale: {
    options: SCALE_OPTIONS,
    usage: SCALE_USAGE,
    run: runScale,
    summary: 'scale a stream uniformly (UpdateShardCount)',
  },
  lag: {
    options: LAG_OPTIONS,
    usage: LAG_USAGE,
    run: runLag,
    summary: 'per-shard lag and what it points at',
  },
  shards: {
    options: SHARDS_OPTIONS,
    usage: SHARDS_USAGE,
    run: runShards,
    summary: 'how many shards a load needs',
  },
  'replay-failure': {
    options: REPLAY_FAILURE_OPTIONS,
    usage: REPLAY_FAILURE_USAGE,
    run: runReplayFailure,
    summary: "read back a Lambda on-failure destination's batch",
  },
};

/** The top-level help. */
export const CLI_USAGE = `kinesis-ts <command> [flags]

Commands:
${Object.entries(COMMANDS)
  .map(([name, spec]) => `  ${name.padEnd(18)}${spec.summary}`)
  .join('\n')}

Flags of every command:
  --region <region>            default: AWS_REGION, then the SDK's default chain
  --endpoint <url>             the Kinesis endpoint (default: AWS_ENDPOINT_URL_KINESIS, then AWS)
  --dynamodb-endpoint <url>    the DynamoDB endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, then AWS)
  --kinesis-http <1.1|2>       the HTTP version of Kinesis calls (default: 1.1)
  --allow-mixed-endpoints      allow one service on a local endpoint and the other on AWS
  --json                       machine-readable output
  --help, -h                   help for a command
  --version, -v                the version of kinesis-ts (no command)

Credentials come from the SDK's default chain (environment, profile, SSO, instance role).
For @kinesis-ts/local, paste the export line kinesis-ts-local prints, or pass both endpoints.
Exit codes: 0 done, 1 failed or refused (nothing changed unless the message says so), 2 bad command line,
130 put interrupted by Ctrl-C before its input was all sent.`;

/** What {@link runCli} needs from its process. */
export interface CliIo {
  readonly stdout: (chunk: string) => void;
  readonly stderr: (chunk: string) => void;
  readonly stdin?: AsyncIterable<string | Uint8Array>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (in-place progress). @defaultValue false */
  readonly interactive?: boolean;
  /** Aborts long commands (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Clients to use instead of building them from flags and environment (tests). */
  readonly clients?: CliClients;
  readonly now?: () => number;
  /** The version `--version` prints (the bin reads it from package.json). */
  readonly version?: string;
}

const EMPTY_INPUT: AsyncIterable<string> = {
  async *[Symbol.asyncIterator]() {},
};

/**
 * Runs one `kinesis-ts` command line in process and resolves with its exit code: 0 done, 1 failed
 * or refused, 2 bad command line, 130 `put` stopped by `io.signal` (Ctrl-C) before its input was
 * all sent. Everything is written through `io`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out: Output = createOutput(io.stdout, io.stderr, io.interactive ?? false);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const spec = topic === undefined ? undefined : COMMANDS[topic];
    out.line(spec ? spec.usage : CLI_USAGE);
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    out.line(`kinesis-ts ${io.version ?? 'unknown'}`);
    return 0;
  }
  const spec = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!spec) {
    const meant = closestMatch(name, Object.keys(COMMANDS));
    const hint = meant ? ` (did you mean '${meant}'?)` : '';
    out.error(`kinesis-ts: unknown command '${name}'${hint}\n\n${CLI_USAGE}`);
    return 2;
  }
  let clients: CliClients | undefined;
  try {
    const flags = parseFlags(name, rest, spec.options);
    if (flags.boolean('help')) {
      out.line(spec.usage);
      return 0;
    }
    const kinesisHttp = kinesisHttpVersion(flags);
    clients =
      io.clients ??
      createClients({
        region: flags.string('region'),
        kinesisEndpoint: flags.string('endpoint'),
        dynamoDbEndpoint: flags.string('dynamodb-endpoint'),
        kinesisHttp,
        allowMixedEndpoints: flags.boolean('allow-mixed-endpoints'),
        env: io.env ?? {},
      });
    return await spec.run(flags, {
      out,
      json: flags.boolean('json'),
      clients,
      stdin: io.stdin ?? EMPTY_INPUT,
      signal: io.signal ?? new AbortController().signal,
      now: io.now ?? Date.now,
    });
  } catch (error) {
    out.endProgress();
    if (CliUsageError.isInstance(error)) {
      out.error(`kinesis-ts ${error.message}\n\n${spec.usage}`);
      return 2;
    }
    out.error(`kinesis-ts ${name}: ${describeError(error)}`);
    return 1;
  } finally {
    if (!io.clients) clients?.destroy();
  }
}

/** `--kinesis-http`: `1.1` (default) or `2`. */
function kinesisHttpVersion(flags: Flags): KinesisHttpVersion {
  const value = flags.string('kinesis-http') ?? '1.1';
  if (value !== '1.1' && value !== '2') throw flags.usage(`--kinesis-http must be 1.1 or 2, got '${value}'`);
  return value;
}

/**
 * core's `describeError`, with the error code, and a hint when the error (or the cause of a
 * kinesis-ts error) shows the AWS client cannot make calls or is not allowed to.
 */
function describeError(error: unknown): string {
  if (error instanceof Error && error.message === 'Region is missing') {
    return `${REGION_MISSING_MESSAGE} [${CliErrorCode.REGION_MISSING}]`;
  }
  // isInstance, not instanceof: the error may come from the consumer's or producer's own copy of core
  const described = KinesisTsError.isInstance(error)
    ? `${error.message} [${error.code}]`
    : describeAnyError(error);
  const hint = setupHint(error) ?? (KinesisTsError.isInstance(error) ? setupHint(error.cause) : undefined);
  return hint === undefined ? described : `${described} (${hint})`;
}

/** What to check when an error shows the client's setup or permissions are wrong. */
function setupHint(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    return 'no AWS credentials: configure a profile or the AWS_* environment, or pass --endpoint for a local stack';
  }
  if (isClientSetupError(error)) {
    return 'the AWS client cannot make calls: check --region (or AWS_REGION) and --endpoint';
  }
  if (!KinesisTsError.isInstance(error) && fatalCause(error) === 'authorization') {
    return 'not allowed: check the IAM permissions (and KMS key policy) of these credentials';
  }
  return undefined;
}
