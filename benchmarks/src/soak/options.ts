/** Command-line options of the reliability soak (`pnpm soak -- --duration 60 --seed 7`). */
export interface SoakOptions {
  /** How long the producer writes, in seconds (start-up, the drain and the stop come on top). */
  readonly durationSeconds: number;
  /** Seed of every random choice: keys, faults, which worker is killed, which shards are resharded. */
  readonly seed: number;
  /** A worker is killed (SIGKILL) and restarted every this many seconds while the producer writes. */
  readonly killEverySeconds: number;
  /** Records the producer writes per second. */
  readonly rate: number;
  /** Shards of the stream at the start (one is split, two are merged later). */
  readonly shards: number;
  /** Partition keys the records are spread over (each key carries its own sequence 1, 2, 3…). */
  readonly keys: number;
  /** How the workers read: GetRecords polling or enhanced fan-out. */
  readonly retrieval: 'polling' | 'fan-out';
  /** Answer some GetRecords calls with a transient ResourceNotFoundException (fault-plan.ts). */
  readonly transientNotFound: boolean;
  /** Keep the per-worker delivery logs after a successful run (always kept after a failed one). */
  readonly keepLogs: boolean;
  /** Print the usage and exit. */
  readonly help: boolean;
}

export const DEFAULT_SOAK_OPTIONS: SoakOptions = {
  durationSeconds: 180,
  seed: 20_261_122,
  killEverySeconds: 20,
  rate: 200,
  shards: 4,
  keys: 100,
  retrieval: 'polling',
  transientNotFound: true,
  keepLogs: false,
  help: false,
};

export const SOAK_USAGE = `Usage: npx -y pnpm@10 soak [options]

A reliability soak against a local Kinesis and DynamoDB. A producer writes keyed records (a sequence
per key) while 10 % of its PutRecords entries fail on purpose; three consumer worker processes share
the stream through one lease table (maxLeasesForWorker set) whose writes are throttled now and then,
and some of their reads get a transient ResourceNotFoundException. A worker is killed with SIGKILL and
restarted every few seconds, one shard is split and two are merged, one worker's lease-table writes
all fail for a while, and one worker's lease table hangs while it stops. At the end it counts lost
records, duplicates, per-key order violations and shards processed by two workers at once.
Exit status 0 only if nothing was lost and no key went out of order.

Options:
  --duration <seconds>      how long the producer writes (default ${DEFAULT_SOAK_OPTIONS.durationSeconds}, 20 to 3600)
  --seed <n>                seed of every random choice (default ${DEFAULT_SOAK_OPTIONS.seed})
  --kill-every <seconds>    SIGKILL and restart a random worker this often (default ${DEFAULT_SOAK_OPTIONS.killEverySeconds}, 5 to 3600)
  --rate <records/s>        records written per second (default ${DEFAULT_SOAK_OPTIONS.rate}, 1 to 2000)
  --shards <n>              shards at the start (default ${DEFAULT_SOAK_OPTIONS.shards}, 2 to 16)
  --keys <n>                partition keys (default ${DEFAULT_SOAK_OPTIONS.keys}, 1 to 100000)
  --fan-out                 workers read through enhanced fan-out instead of GetRecords polling
  --no-transient-not-found  no transient ResourceNotFoundException on the workers' reads
  --keep-logs               keep the workers' delivery logs after a successful run
  --help                    this text`;

/** A command line the soak cannot run. */
export class SoakUsageError extends Error {
  override readonly name = 'SoakUsageError';
}

type NumericKey = 'durationSeconds' | 'seed' | 'killEverySeconds' | 'rate' | 'shards' | 'keys';

const NUMERIC: Record<string, { key: NumericKey; min: number; max: number }> = {
  '--duration': { key: 'durationSeconds', min: 20, max: 3_600 },
  '--seed': { key: 'seed', min: 0, max: 2 ** 32 - 1 },
  '--kill-every': { key: 'killEverySeconds', min: 5, max: 3_600 },
  '--rate': { key: 'rate', min: 1, max: 2_000 },
  '--shards': { key: 'shards', min: 2, max: 16 },
  '--keys': { key: 'keys', min: 1, max: 100_000 },
};

/** Parses `--duration 30 --seed=7 --fan-out`; throws a `SoakUsageError` on anything else. */
export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const options: { -readonly [K in keyof SoakOptions]: SoakOptions[K] } = { ...DEFAULT_SOAK_OPTIONS };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') continue; // `pnpm soak -- --duration 30` passes the separator through
    if (argument === '--help' || argument === '-h') {
      options.help = true;
      continue;
    }
    if (argument === '--fan-out') {
      options.retrieval = 'fan-out';
      continue;
    }
    if (argument === '--no-transient-not-found') {
      options.transientNotFound = false;
      continue;
    }
    if (argument === '--keep-logs') {
      options.keepLogs = true;
      continue;
    }
    const [flag = '', inline] = argument.split('=', 2);
    const spec = NUMERIC[flag];
    if (!spec) throw new SoakUsageError(`Unknown option ${argument}`);
    const raw = inline ?? argv[++index];
    if (raw === undefined) throw new SoakUsageError(`${flag} needs a value`);
    const value = Number(raw);
    if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
      throw new SoakUsageError(`${flag} must be an integer from ${spec.min} to ${spec.max}, got ${raw}`);
    }
    options[spec.key] = value;
  }
  return options;
}
