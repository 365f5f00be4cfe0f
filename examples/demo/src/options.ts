/** Command-line options of the demo. */
export interface DemoOptions {
  /** How long the producer sends events, in seconds (start-up and the final drain come on top). */
  readonly durationSeconds: number;
  /** Events the producer sends per second. */
  readonly rate: number;
  /** Shards of the stream at the start (the demo splits one of them midway). */
  readonly shards: number;
  /** Print a status line every few seconds instead of redrawing the screen (automatic without a TTY). */
  readonly plain: boolean;
  /** Run the local stack with the service's limits (`enforceLimits`): throttling as on AWS. */
  readonly limits: boolean;
  /** Print the usage and exit. */
  readonly help: boolean;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  durationSeconds: 45,
  rate: 100,
  shards: 4,
  plain: false,
  limits: true,
  help: false,
};

export const DEMO_USAGE = `Usage: pnpm demo [-- options]

Runs a local Kinesis and DynamoDB, a producer and two consumer workers, splits a shard and kills a
worker midway, and checks that every record the producer got an acknowledgement for reached the
sink table. Exit status 0 only if nothing was lost.

Options:
  --duration <seconds>  how long the producer sends events (default ${DEFAULT_DEMO_OPTIONS.durationSeconds}, at least 20)
  --rate <events/s>     events per second (default ${DEFAULT_DEMO_OPTIONS.rate}, 1 to 2000)
  --shards <n>          shards of the stream at the start (default ${DEFAULT_DEMO_OPTIONS.shards}, 2 to 16)
  --plain               a status line every 5 s instead of a live view (the default without a terminal)
  --no-limits           run the local Kinesis without the service's limits (on by default: per-shard
                        write and read rates, call rates and subscription lifetimes as on AWS)
  --help                this text`;

/** A command line the demo cannot run. */
export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

const NUMERIC: Record<string, { key: 'durationSeconds' | 'rate' | 'shards'; min: number; max: number }> = {
  '--duration': { key: 'durationSeconds', min: 20, max: 3_600 },
  '--rate': { key: 'rate', min: 1, max: 2_000 },
  '--shards': { key: 'shards', min: 2, max: 16 },
};

/** Parses `--duration 30 --rate=200 --shards 4 --plain`; throws a `DemoUsageError` on anything else. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const options = { ...DEFAULT_DEMO_OPTIONS };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') continue; // `pnpm demo -- --rate 50` passes the separator through
    if (argument === '--help' || argument === '-h') {
      options.help = true;
      continue;
    }
    if (argument === '--plain') {
      options.plain = true;
      continue;
    }
    if (argument === '--no-limits') {
      options.limits = false;
      continue;
    }
    const [flag = '', inline] = argument.split('=', 2);
    const spec = NUMERIC[flag];
    if (!spec) throw new DemoUsageError(`Unknown option ${argument}`);
    const raw = inline ?? argv[++index];
    if (raw === undefined) throw new DemoUsageError(`${flag} needs a value`);
    const value = Number(raw);
    if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
      throw new DemoUsageError(`${flag} must be an integer from ${spec.min} to ${spec.max}, got ${raw}`);
    }
    options[spec.key] = value;
  }
  return options;
}
