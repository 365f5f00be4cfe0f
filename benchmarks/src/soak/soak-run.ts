/**
 * One soak run, from starting the local services to the verdict:
 *
 * 1. a local Kinesis and DynamoDB (`@kinesis-ts/local`) and the stream;
 * 2. three consumer worker processes (worker.ts) sharing the stream through one lease table;
 * 3. a `KinesisProducer` writing keyed, numbered records at a steady rate through a client that fails
 *    10 % of the PutRecords entries; meanwhile, on the plan's schedule (fault-plan.ts): a random worker
 *    killed with SIGKILL and replaced, a split, a merge, a lease-table outage for one worker;
 * 4. the producer closed, a bounded wait until every acknowledged record was delivered, the workers
 *    stopped gracefully (SIGKILL after a bounded time), the services stopped;
 * 5. the workers' logs analysed (analysis.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectKinesisFaults, type LocalStack, startLocalStack } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { type AckedRecord, analyzeSoak, type SoakAnalysis } from './analysis.js';
import type { SoakPlan } from './fault-plan.js';
import { encodeKeyedRecord, KeyedRecordSource, recordId } from './keyed-records.js';
import { type LeaseHoldings, leaseHoldings } from './lease-holdings.js';
import type { SoakOptions } from './options.js';
import { mergeRandomPair, type ReshardRecord, splitRandomShard } from './reshard-actions.js';
import { openShardEnds } from './shard-ends.js';
import { type CrashRecord, WorkerFleet } from './worker-fleet.js';
import type { WorkerProcess } from './worker-process.js';
import { summarizeWorkers, type WorkerStats } from './worker-stats.js';

const STREAM = 'soak';
const APPLICATION = 'soak-app';
const WORKERS = 3;
const TICK_MS = 50;
const START_TIMEOUT_MS = 90_000;
const CLOSE_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const MAX_BATCH_DELAY_MS = 40;

export interface SoakResult {
  readonly options: SoakOptions;
  readonly failoverTimeMs: number;
  readonly analysis: SoakAnalysis;
  readonly producer: {
    readonly sent: number;
    readonly rejected: number;
    readonly injectedEntryFailures: number;
    readonly retries: number;
    readonly lastError?: string;
  };
  readonly kills: readonly { readonly killed: string; readonly replacement: string; readonly atMs: number }[];
  readonly reshards: readonly ReshardRecord[];
  /** Shards a worker reported ended before a split or merge closed them (or that none closed). */
  readonly openShardEnds: readonly {
    readonly shardId: string;
    readonly workerId: string;
    readonly atMs: number;
  }[];
  readonly outage?: { readonly workerId: string; readonly atMs: number; readonly durationMs: number };
  readonly crashes: readonly CrashRecord[];
  readonly maxLeasesForWorker: number;
  readonly holdings: LeaseHoldings;
  /** The worker whose lease table hung right before the graceful stop, and how its stop went. */
  readonly hungAtStop?: {
    readonly workerId: string;
    readonly stopMs: number | undefined;
    readonly timedOut: boolean;
  };
  readonly processes: number;
  readonly stoppedGracefully: number;
  readonly stopTimeouts: readonly string[];
  readonly workers: WorkerStats;
  readonly drain: { readonly ms: number; readonly complete: boolean };
  readonly producingMs: number;
  readonly totalMs: number;
  readonly cutLines: number;
  readonly unreadableLines: number;
  readonly logDir: string;
  /** The run could not complete (a harness failure, not a finding about the consumer). */
  readonly failure?: string;
  readonly interrupted: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SoakRun {
  private readonly startedAt = Date.now();
  private readonly abort = new AbortController();
  private readonly logDir = mkdtempSync(join(tmpdir(), 'kinesis-ts-soak-'));
  private stack: LocalStack | undefined;
  private fleet: WorkerFleet | undefined;
  private producer: KinesisProducer | undefined;
  private producerFaults: ReturnType<typeof injectKinesisFaults> | undefined;
  private readonly acked: AckedRecord[] = [];
  private readonly delivered = new Set<string>();
  private sent = 0;
  private rejected = 0;
  private lastPutError: string | undefined;
  private producingStartedAt = 0;
  private producingMs = 0;
  private readonly kills: { killed: string; replacement: string; atMs: number }[] = [];
  private readonly reshards: ReshardRecord[] = [];
  private outage: { workerId: string; atMs: number; durationMs: number } | undefined;
  private drain = { ms: 0, complete: false };
  private hungAtStop: WorkerProcess | undefined;
  private failure: string | undefined;

  constructor(
    private readonly options: SoakOptions,
    private readonly plan: SoakPlan,
    private readonly progress: (line: string) => void,
  ) {}

  /** Ctrl-C: stop producing and waiting; the run then cleans up and reports what it saw. */
  interrupt(): void {
    this.abort.abort();
  }

  /** The hard time limit: kills every worker at once (the local services die with this process). */
  killEverything(): void {
    this.fleet?.killAll();
  }

  async run(): Promise<SoakResult> {
    try {
      await this.setUp();
      if (!this.aborted()) await this.produce();
      if (!this.aborted()) await this.waitForDeliveries();
    } catch (error) {
      this.failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    } finally {
      await this.tearDown();
    }
    return this.result();
  }

  private aborted(): boolean {
    return this.abort.signal.aborted;
  }

  /** Times in the report are ms since the run started, as in the progress lines. */
  private sinceStart(): number {
    return Date.now() - this.startedAt;
  }

  private note(text: string): void {
    this.progress(`[${(this.sinceStart() / 1_000).toFixed(1).padStart(6)} s] ${text}`);
  }

  private async setUp(): Promise<void> {
    this.stack = await startLocalStack({ streams: [{ name: STREAM, shardCount: this.options.shards }] });
    this.note(
      `local Kinesis ${this.stack.kinesisEndpoint}, DynamoDB ${this.stack.dynamoDbEndpoint}; logs in ${this.logDir}`,
    );
    this.fleet = new WorkerFleet({
      slots: WORKERS,
      logDir: this.logDir,
      seed: this.options.seed,
      maxCrashRestarts: 10,
      worker: {
        kinesisEndpoint: this.stack.kinesisEndpoint,
        dynamoDbEndpoint: this.stack.dynamoDbEndpoint,
        streamName: STREAM,
        applicationName: APPLICATION,
        failoverTimeMs: this.plan.failoverTimeMs,
        maxLeasesForWorker: this.plan.maxLeasesForWorker,
        retrieval: this.options.retrieval,
        transientNotFound: this.options.transientNotFound,
        maxBatchDelayMs: MAX_BATCH_DELAY_MS,
      },
    });
    await withTimeout(this.fleet.start(), START_TIMEOUT_MS, 'the workers did not start');
    this.note(`${WORKERS} workers started (${this.options.retrieval})`);
  }

  private async produce(): Promise<void> {
    const kinesis = this.stack!.kinesisClient();
    this.producerFaults = injectKinesisFaults(kinesis, this.plan.producerFaults);
    const producer = new KinesisProducer({ streamName: STREAM, client: kinesis, recordTtlMs: 120_000 });
    this.producer = producer;
    const source = new KeyedRecordSource(this.options.keys, this.plan.keyRandom);
    const durationMs = this.options.durationSeconds * 1_000;
    const kills = [...this.plan.killsAtMs];
    const pending: Promise<unknown>[] = [];
    let split = false;
    let merge = false;
    let outage = false;
    let lastProgress = 0;
    this.producingStartedAt = Date.now();
    this.note(
      `producing ${this.options.rate} records/s over ${this.options.keys} keys for ${this.options.durationSeconds} s`,
    );
    while (!this.aborted()) {
      const elapsed = Date.now() - this.producingStartedAt;
      if (elapsed >= durationMs) break;
      const due = Math.floor((elapsed / 1_000) * this.options.rate) - this.sent;
      for (let index = 0; index < due; index++) this.put(producer, source);
      if (kills.length > 0 && elapsed >= kills[0]!) {
        kills.shift();
        pending.push(this.killOne());
      }
      if (!split && elapsed >= this.plan.splitAtMs) {
        split = true;
        pending.push(this.reshard(splitRandomShard));
      }
      if (!merge && elapsed >= this.plan.mergeAtMs) {
        merge = true;
        pending.push(this.reshard(mergeRandomPair));
      }
      if (!outage && elapsed >= this.plan.outage.atMs) {
        outage = true;
        const workerId = this.fleet!.outage(this.plan.chaosRandom, this.plan.outage.durationMs);
        if (workerId) {
          this.outage = { workerId, atMs: this.sinceStart(), durationMs: this.plan.outage.durationMs };
          this.note(
            `lease-table outage for ${workerId}: every write fails for ${this.plan.outage.durationMs} ms`,
          );
        }
      }
      if (elapsed - lastProgress >= 10_000) {
        lastProgress = elapsed;
        this.pollDeliveries();
        this.note(`sent ${this.sent}, acknowledged ${this.acked.length}, delivered ${this.delivered.size}`);
      }
      await sleep(TICK_MS);
    }
    this.producingMs = Date.now() - this.producingStartedAt;
    await Promise.all(pending);
    await withTimeout(producer.close(), CLOSE_TIMEOUT_MS, 'the producer did not settle its records');
    this.note(`producer closed: ${this.acked.length} acknowledged, ${this.rejected} rejected`);
  }

  private put(producer: KinesisProducer, source: KeyedRecordSource): void {
    const record = source.take();
    this.sent++;
    producer.put({ partitionKey: record.key, data: encodeKeyedRecord(record) }).then(
      (result) => {
        this.acked.push({ ...record, shardId: result.shardId, sequenceNumber: result.sequenceNumber });
      },
      (error: unknown) => {
        this.rejected++;
        this.lastPutError = String(error);
      },
    );
  }

  private async killOne(): Promise<void> {
    const atMs = this.sinceStart();
    const kill = await this.fleet!.killRandom(this.plan.chaosRandom);
    if (!kill) return this.note('kill skipped: no worker running');
    this.kills.push({ ...kill, atMs });
    this.note(`killed ${kill.killed} (SIGKILL), started ${kill.replacement}`);
  }

  private async reshard(action: typeof splitRandomShard): Promise<void> {
    const record = await action(
      this.stack!.kinesisClient(),
      STREAM,
      this.plan.chaosRandom,
      this.sinceStart(),
    );
    this.reshards.push(record);
    this.note(
      record.error
        ? `${record.kind} failed: ${record.error}`
        : `${record.kind}: ${record.parents.join(' + ')} → ${record.children.join(' + ')} in ${record.durationMs} ms`,
    );
  }

  private pollDeliveries(): void {
    for (const line of this.fleet?.poll() ?? []) {
      if (line.e !== 'batch') continue;
      for (const [key, seq] of line.r) this.delivered.add(recordId({ key, seq }));
    }
  }

  private missing(): number {
    let missing = 0;
    for (const record of this.acked) if (!this.delivered.has(recordId(record))) missing++;
    return missing;
  }

  private async waitForDeliveries(): Promise<void> {
    const begin = Date.now();
    const limitMs = Math.max(60_000, this.options.durationSeconds * 500);
    this.note(`waiting up to ${limitMs / 1_000} s until every acknowledged record is delivered`);
    let missing = Number.POSITIVE_INFINITY;
    while (!this.aborted() && Date.now() - begin < limitMs) {
      this.pollDeliveries();
      missing = this.missing();
      if (missing === 0) break;
      await sleep(500);
    }
    this.drain = { ms: Date.now() - begin, complete: missing === 0 };
    this.note(
      missing === 0 ? `all delivered after ${this.drain.ms} ms` : `gave up with ${missing} not delivered`,
    );
  }

  private async tearDown(): Promise<void> {
    await this.producer?.close().catch(() => {});
    if (this.fleet) {
      if (this.plan.hangOneLeaseTableAtStop && !this.aborted() && !this.failure) {
        this.hungAtStop = this.fleet.hangLeaseTable(this.plan.chaosRandom);
        if (this.hungAtStop)
          this.note(`every lease-table call of ${this.hungAtStop.workerId} hangs from now on`);
      }
      this.note(`stopping the workers (each within ${STOP_TIMEOUT_MS / 1_000} s, else SIGKILL)`);
      await this.fleet.stop(STOP_TIMEOUT_MS);
      this.pollDeliveries();
    }
    await this.stack?.stop();
    this.note('workers and local services stopped');
  }

  private result(): SoakResult {
    const fleet = this.fleet;
    const lines = fleet?.lines ?? [];
    const origin = this.startedAt;
    const analysis = analyzeSoak(this.acked, lines, fleet?.killed ?? new Set());
    const faults = this.producerFaults?.stats();
    const result: SoakResult = {
      options: this.options,
      failoverTimeMs: this.plan.failoverTimeMs,
      analysis: relativeTimes(analysis, origin),
      producer: {
        sent: this.sent,
        rejected: this.rejected,
        injectedEntryFailures: faults?.failedEntries ?? 0,
        retries: this.producer?.metrics().stream.RetriesPerRecord.sum ?? 0,
        lastError: this.lastPutError,
      },
      kills: this.kills,
      reshards: this.reshards,
      openShardEnds: openShardEnds(lines, this.reshards, origin),
      outage: this.outage,
      crashes: fleet?.crashes ?? [],
      maxLeasesForWorker: this.plan.maxLeasesForWorker,
      holdings: leaseHoldings(lines, this.plan.maxLeasesForWorker),
      hungAtStop: this.hungAtStop && {
        workerId: this.hungAtStop.workerId,
        stopMs: this.hungAtStop.stopMs,
        timedOut: this.hungAtStop.stopTimedOut,
      },
      processes: fleet?.processes.length ?? 0,
      stoppedGracefully: fleet?.stoppedGracefully() ?? 0,
      stopTimeouts: fleet?.stopTimeouts() ?? [],
      workers: summarizeWorkers(lines),
      drain: this.drain,
      producingMs: this.producingMs,
      totalMs: Date.now() - this.startedAt,
      cutLines: fleet?.cutLines() ?? 0,
      unreadableLines: fleet?.unreadableLines() ?? 0,
      logDir: this.logDir,
      failure: this.failure,
      interrupted: this.aborted(),
    };
    return result;
  }

  /** Deletes the workers' logs (after a passing run, unless asked to keep them). */
  removeLogs(): void {
    rmSync(this.logDir, { recursive: true, force: true });
  }
}

/** Times in the analysis as ms after `origin` (the run's start), for reading. */
function relativeTimes(analysis: SoakAnalysis, origin: number): SoakAnalysis {
  const at = (ms: number) => Math.round(ms - origin);
  return {
    ...analysis,
    orderViolations: analysis.orderViolations.map((violation) => ({
      ...violation,
      atMs: at(violation.atMs),
    })),
    overlaps: analysis.overlaps.map((episode) => ({
      ...episode,
      takenAtMs: at(episode.takenAtMs),
      lastStaleAtMs: at(episode.lastStaleAtMs),
    })),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1_000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
