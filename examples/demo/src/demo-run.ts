/**
 * One run of the demo, from starting the local services to the verdict. The steps, in order:
 *
 * 1. start a local Kinesis and DynamoDB (`@kinesis-ts/local`), create the stream, the sink table and
 *    the idempotency table;
 * 2. start two consumer workers in child processes, A polling and B with enhanced fan-out; they share
 *    the shards through the lease table;
 * 3. send device events through a `KinesisProducer` (aggregation on) whose client fails some
 *    PutRecords entries and calls with throttling errors (`injectKinesisFaults`);
 * 4. at 30 % of the time, split the busiest shard; at 55 %, kill worker B with SIGKILL;
 * 5. stop producing, wait until every acknowledged event is in the sink table, and check it with a
 *    scan of the table.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { listShards, splitShard } from '@kinesis-ts/cli';
import { injectKinesisFaults, type LocalStack, startLocalStack } from '@kinesis-ts/local';
import { KinesisProducer } from '@kinesis-ts/producer';
import { type DashboardView, Screen, type ShardView, styles, type TimelineEntry } from './dashboard.js';
import { DeviceEventSource, encodeEvent } from './device-events.js';
import { formatDuration } from './format.js';
import type { DemoOptions } from './options.js';
import type { WorkerConfig } from './protocol.js';
import { type DemoResult, exitStatus, findLost, formatSummary } from './summary.js';
import { createTable, findIds, scanIds } from './tables.js';
import { WorkerHandle, type WorkerListener } from './worker-handle.js';

const STREAM = 'device-events';
const APPLICATION = 'device-sink';
const SINK_TABLE = 'device-events-sink';
const DEDUPE_TABLE = 'device-events-dedupe';
/** Short, so that the killed worker's leases are taken within seconds (10 s by default). */
const FAILOVER_TIME_MS = 3_000;
const TICK_MS = 50;
const RENDER_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ShardInfo {
  open: boolean;
}

export class DemoRun {
  private readonly startedAt = Date.now();
  private readonly screen: Screen;
  private readonly abort = new AbortController();
  private readonly timeline: TimelineEntry[] = [];
  private phase = 'starting';
  private stack: LocalStack | undefined;
  private kinesis: KinesisClient | undefined;
  private producer: KinesisProducer | undefined;
  private faults: ReturnType<typeof injectKinesisFaults> | undefined;
  private readonly workers: WorkerHandle[] = [];
  private readonly shards = new Map<string, ShardInfo>();
  private readonly acked = new Map<string, string>(); // event id → shard
  private readonly ackedPerShard = new Map<string, number>();
  private readonly delivered = new Set<string>();
  private readonly deliveredPerShard = new Map<string, number>();
  private readonly hotKeys = new Set<string>();
  private sent = 0;
  private failedPuts = 0;
  private lastPutError: unknown;
  private producingStartedAt: number | undefined;
  private producingMs = 0;
  private lastDeliveryAt: number | undefined;
  private split: { parent: string; children: string[] } | undefined;
  private kill: { at: number; worker: string; leases: string[]; taken: Map<string, number> } | undefined;
  private takeoverMs: number | undefined;
  private failure: string | undefined;
  private drainGaveUpAfterMs: number | undefined;

  constructor(private readonly options: DemoOptions) {
    this.screen = new Screen(process.stdout, { plain: options.plain });
  }

  /** Ctrl-C: stop producing and waiting; the run then cleans up and reports what it saw. */
  interrupt(): void {
    if (this.abort.signal.aborted) return;
    this.note('interrupted (Ctrl-C): stopping everything');
    this.abort.abort();
  }

  /** Runs the demo; resolves with the exit status. Everything started is stopped before it resolves. */
  async run(): Promise<number> {
    const render = setInterval(() => this.screen.draw(this.view()), RENDER_MS);
    let result: DemoResult | undefined;
    try {
      await this.setUp();
      if (!this.aborted()) await this.produce();
      if (!this.aborted()) await this.drain();
      result = await this.check();
    } catch (error) {
      this.failure ??= error instanceof Error ? (error.stack ?? error.message) : String(error);
    } finally {
      clearInterval(render);
      await this.tearDown();
      this.phase = this.failure ? 'failed' : this.aborted() ? 'interrupted' : 'done';
      this.screen.draw(this.view(), true);
      this.screen.release();
    }
    return this.report(result);
  }

  private aborted(): boolean {
    return this.abort.signal.aborted;
  }

  private elapsed(): number {
    return Date.now() - this.startedAt;
  }

  private note(text: string): void {
    this.timeline.push({ atMs: this.elapsed(), text });
  }

  // --- 1 and 2: services, stream, tables, workers ------------------------------------------------

  private async setUp(): Promise<void> {
    // The service's limits on by default: per-shard rates, call rates, 5-minute subscriptions
    const stack = await startLocalStack({ enforceLimits: this.options.limits });
    this.stack = stack;
    this.note(
      `local Kinesis (${stack.kinesisEndpoint}) and DynamoDB (${stack.dynamoDbEndpoint}) started${this.options.limits ? ", with the service's limits" : ''}`,
    );
    const dynamoDb = stack.dynamoDbClient();
    await Promise.all([
      stack.createStream(STREAM, this.options.shards),
      createTable(dynamoDb, SINK_TABLE),
      createTable(dynamoDb, DEDUPE_TABLE),
    ]);
    this.kinesis = stack.kinesisClient();
    for (const shard of await listShards(this.kinesis, { streamName: STREAM })) {
      this.shards.set(shard.shardId, { open: shard.open });
    }
    this.note(
      `stream ${STREAM} with ${this.options.shards} shards, tables ${SINK_TABLE} and ${DEDUPE_TABLE}`,
    );

    const base = {
      kinesisEndpoint: stack.kinesisEndpoint,
      dynamoDbEndpoint: stack.dynamoDbEndpoint,
      streamName: STREAM,
      applicationName: APPLICATION,
      sinkTable: SINK_TABLE,
      dedupeTable: DEDUPE_TABLE,
      failoverTimeMs: FAILOVER_TIME_MS,
    };
    const configs: WorkerConfig[] = [
      { ...base, label: 'A', mode: 'polling', getRecordsThrottleRate: 0.05 },
      { ...base, label: 'B', mode: 'fan-out', getRecordsThrottleRate: 0 },
    ];
    const listener = this.workerListener();
    for (const config of configs) this.workers.push(new WorkerHandle(config, listener));
    const started = Promise.all(this.workers.map((worker) => worker.started));
    await Promise.race([started, this.abortable(90_000, 'the workers did not start within 90 s')]);
    if (this.aborted()) return;
    this.note(
      `workers started: A polls GetRecords, B reads through enhanced fan-out; they share the shards through the lease table ${APPLICATION}`,
    );
  }

  /** Resolves when aborted; rejects with `message` after `ms`. */
  private abortable(ms: number, message: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(message)), ms);
      timer.unref();
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  private workerListener(): WorkerListener {
    return {
      delivered: (_worker, ids) => {
        for (const id of ids) this.markDelivered(id);
      },
      lease: (worker, event, leaseKey) => {
        if (event === 'taken') {
          this.note(`worker ${worker.label} took the lease of ${leaseKey}`);
          if (this.kill && worker.label !== this.kill.worker && this.kill.leases.includes(leaseKey)) {
            this.kill.taken.set(leaseKey, Date.now());
            if (this.kill.leases.every((key) => this.kill?.taken.has(key))) {
              this.takeoverMs = Math.max(...this.kill.taken.values()) - this.kill.at;
              this.note(
                styles.green(
                  `worker ${worker.label} took over all ${this.kill.leases.length} leases of worker ${this.kill.worker} ${formatDuration(this.takeoverMs)} after the kill`,
                ),
              );
            }
          }
        } else if (event === 'lost') {
          this.note(`worker ${worker.label} lost the lease of ${leaseKey} (another worker took it)`);
        }
      },
      shardEnded: (worker, shardId, children) => {
        const info = this.shards.get(shardId);
        if (info) info.open = false;
        this.note(
          `worker ${worker.label} read ${shardId} to its end; its children ${children.join(', ')} start now`,
        );
      },
      exited: (worker, code, signal) => {
        if (
          worker.state === 'killed' ||
          worker.state === 'stopped' ||
          this.phase === 'stopping' ||
          this.aborted()
        ) {
          return;
        }
        this.failure ??= `worker ${worker.label} exited unexpectedly (${code ?? signal})\n${worker.logs.join('\n')}\n${worker.errorOutput()}`;
        this.abort.abort();
      },
    };
  }

  private markDelivered(id: string): void {
    if (this.delivered.has(id)) return;
    this.delivered.add(id);
    this.lastDeliveryAt = Date.now();
    const shardId = this.acked.get(id);
    if (shardId) this.deliveredPerShard.set(shardId, (this.deliveredPerShard.get(shardId) ?? 0) + 1);
  }

  // --- 3 and 4: produce, split, kill ------------------------------------------------------------

  private async produce(): Promise<void> {
    const kinesis = this.kinesis!;
    // A shard throttles for real (enforceLimits) only when full, which this rate rarely makes it: fail
    // 10 % of PutRecords entries and 2 % of calls as a busy Kinesis would
    this.faults = injectKinesisFaults(kinesis, {
      seed: 7,
      putRecordsFailures: { rate: 0.1, errorCode: 'ProvisionedThroughputExceededException' },
      callErrors: [{ operations: ['PutRecords'], error: 'ThrottlingException', rate: 0.02 }],
    });
    const producer = new KinesisProducer({
      streamName: STREAM,
      client: kinesis,
      recordTtlMs: 120_000, // a slow shared machine must not expire records
      hotKeyShare: 0.05,
    });
    this.producer = producer;
    producer.events.on('hot-key', ({ key }) => {
      if (!this.hotKeys.has(key)) this.note(`producer: hot key ${key}`);
      this.hotKeys.add(key);
    });
    producer.events.on('shard-map:updated', ({ shards, generation }) => {
      if (generation > 1) this.note(`producer: new shard map, ${shards.length} open shards`);
    });

    const source = new DeviceEventSource({ runId: Date.now().toString(36) });
    const durationMs = this.options.durationSeconds * 1_000;
    const splitAtMs = durationMs * 0.3;
    const killAtMs = durationMs * 0.55;
    const begin = Date.now();
    this.producingStartedAt = begin;
    this.phase = 'producing';
    this.note(
      `producer started: ${this.options.rate} device events/s, KPL aggregation on, throttling injected`,
    );
    let splitStarted = false;
    let killed = false;
    const actions: Promise<void>[] = [];
    while (!this.aborted()) {
      const elapsed = Date.now() - begin;
      if (elapsed >= durationMs) break;
      const due = Math.floor((elapsed / 1_000) * this.options.rate) - this.sent;
      for (let index = 0; index < due; index++) this.put(producer, source);
      if (!splitStarted && elapsed >= splitAtMs) {
        splitStarted = true;
        actions.push(this.splitBusiestShard());
      }
      if (!killed && elapsed >= killAtMs) {
        killed = true;
        actions.push(this.killWorker('B'));
      }
      await sleep(TICK_MS);
    }
    this.producingMs = Date.now() - begin;
    await Promise.all(actions);
    if (this.aborted()) return;
    this.phase = 'flushing';
    await producer.close(); // sends what is buffered and settles every put
    this.note(`producer closed: ${this.acked.size} events acknowledged, ${this.failedPuts} failed`);
  }

  private put(producer: KinesisProducer, source: DeviceEventSource): void {
    const event = source.next();
    this.sent++;
    producer.put({ partitionKey: event.deviceId, data: encodeEvent(event) }).then(
      (result) => {
        this.acked.set(event.eventId, result.shardId);
        this.ackedPerShard.set(result.shardId, (this.ackedPerShard.get(result.shardId) ?? 0) + 1);
        if (this.delivered.has(event.eventId)) {
          // delivered before this acknowledgement arrived: count it for its shard now
          this.deliveredPerShard.set(result.shardId, (this.deliveredPerShard.get(result.shardId) ?? 0) + 1);
        }
      },
      (error: unknown) => {
        this.failedPuts++;
        this.lastPutError = error;
      },
    );
  }

  private async splitBusiestShard(): Promise<void> {
    const open = [...this.shards.entries()].filter(([, info]) => info.open).map(([shardId]) => shardId);
    const parent = open.sort(
      (a, b) => (this.ackedPerShard.get(b) ?? 0) - (this.ackedPerShard.get(a) ?? 0),
    )[0];
    if (!parent) return;
    this.note(`splitting ${parent}, the busiest shard (hot devices write to it)`);
    const result = await splitShard(this.kinesis!, { streamName: STREAM }, parent, { pollIntervalMs: 200 });
    const children = result.newShards.map((shard) => shard.shardId);
    this.split = { parent, children };
    const info = this.shards.get(parent);
    if (info) info.open = false;
    for (const child of children) this.shards.set(child, { open: true });
    this.note(styles.yellow(`split ${parent} into ${children.join(' and ')}`));
  }

  private async killWorker(label: string): Promise<void> {
    const worker = this.workers.find((candidate) => candidate.label === label);
    if (worker?.state !== 'running') return;
    const leases = [...worker.leases];
    this.kill = { at: Date.now(), worker: label, leases, taken: new Map() };
    await worker.kill();
    this.note(
      styles.red(
        `killed worker ${label} (SIGKILL) holding ${leases.length} lease(s): no checkpoint, no release; the others wait for the failover time (${formatDuration(FAILOVER_TIME_MS)})`,
      ),
    );
    if (leases.length === 0) this.takeoverMs = 0;
  }

  // --- 5: drain and check -----------------------------------------------------------------------

  private missing(): string[] {
    const missing: string[] = [];
    for (const id of this.acked.keys()) if (!this.delivered.has(id)) missing.push(id);
    return missing;
  }

  private async drain(): Promise<void> {
    this.phase = 'draining';
    this.note('waiting until every acknowledged event is in the sink table');
    const waitMs = Math.max(90_000, this.options.durationSeconds * 1_000);
    const deadline = Date.now() + waitMs;
    const dynamoDb = this.stack!.dynamoDbClient();
    let lastLookup = Date.now();
    while (!this.aborted() && Date.now() < deadline) {
      const missing = this.missing();
      if (missing.length === 0) return;
      // a worker killed with SIGKILL may have written events it never got to report: look them up
      if (Date.now() - lastLookup >= 2_000 && missing.length <= 5_000) {
        lastLookup = Date.now();
        for (const id of await findIds(dynamoDb, SINK_TABLE, missing)) this.markDelivered(id);
        continue;
      }
      await sleep(200);
    }
    if (this.aborted()) return;
    this.drainGaveUpAfterMs = waitMs;
    this.note(styles.red(`gave up waiting for the sink table after ${formatDuration(waitMs)}`));
  }

  private async check(): Promise<DemoResult> {
    this.phase = 'checking';
    const inSink = this.stack ? await scanIds(this.stack.dynamoDbClient(), SINK_TABLE) : new Set<string>();
    const lost = findLost(this.acked.keys(), inSink);
    const delivered = this.acked.size - lost.length;
    const metrics = this.producer?.metrics();
    const faults = this.faults?.stats();
    const limits = this.options.limits ? (await this.stack?.kinesisFrontStats())?.limits : undefined;
    this.note(`scanned ${SINK_TABLE}: ${inSink.size} items`);
    return {
      sent: this.sent,
      acknowledged: this.acked.size,
      failedPuts: this.failedPuts,
      delivered,
      lost,
      duplicatesSuppressed: this.workers.reduce((sum, worker) => sum + worker.duplicates, 0),
      producerRetries: metrics?.stream.RetriesPerRecord.sum ?? 0,
      injectedFailures: (faults?.failedEntries ?? 0) + (faults?.callErrors ?? 0),
      consumerRetries: this.workers.reduce((sum, worker) => sum + worker.retrievalRetries, 0),
      limits,
      producingMs: this.producingMs,
      deliveringMs:
        this.producingStartedAt && this.lastDeliveryAt ? this.lastDeliveryAt - this.producingStartedAt : 0,
      takeoverMs: this.takeoverMs,
      killedWorkerLeases: this.kill?.leases ?? [],
      split: this.split,
      totalMs: this.elapsed(),
      interrupted: this.aborted(),
    };
  }

  private async tearDown(): Promise<void> {
    this.phase = 'stopping';
    await this.producer?.close().catch(() => {});
    // graceful stops: final checkpoints, leases released
    await Promise.all(this.workers.map((worker) => worker.stop(15_000)));
    await this.stack?.stop();
    this.note('workers stopped, local services stopped');
  }

  private report(result: DemoResult | undefined): number {
    const out = (line = '') => process.stdout.write(`${this.screen.style(line)}\n`);
    out();
    if (this.failure) {
      out(styles.red(styles.bold('The demo failed:')));
      out(this.failure);
      for (const worker of this.workers)
        for (const line of worker.logs) out(`  worker ${worker.label} ${line}`);
    }
    if (!result) return this.failure ? 1 : 130;
    out(styles.bold('Summary'));
    for (const line of formatSummary(result)) out(line);
    if (result.failedPuts > 0 && this.lastPutError) out(`  last put failure: ${String(this.lastPutError)}`);
    const status = this.failure ? 1 : exitStatus(result);
    out();
    if (result.interrupted) out(styles.yellow('Interrupted: the numbers above are partial.'));
    else if (status === 0)
      out(styles.green(styles.bold('OK: every acknowledged record reached the sink table (lost = 0).')));
    else out(styles.red(styles.bold(`FAILED: ${result.lost.length} acknowledged record(s) lost.`)));
    if (status !== 0 && this.drainGaveUpAfterMs !== undefined) {
      out(
        `They were still not in the sink table ${formatDuration(this.drainGaveUpAfterMs)} after the producer stopped: with a --rate this machine cannot sustain, the workers may be behind rather than the records lost.`,
      );
    }
    return status;
  }

  // --- the live view ----------------------------------------------------------------------------

  private view(): DashboardView {
    const owners = new Map<string, string>();
    for (const worker of this.workers) for (const lease of worker.leases) owners.set(lease, worker.label);
    // the killed worker's leases stay its own until another worker takes them
    for (const lease of this.kill?.leases ?? []) {
      if (!this.kill?.taken.has(lease) && !owners.has(lease)) owners.set(lease, `${this.kill?.worker}✗`);
    }
    const shards: ShardView[] = [...this.shards.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([shardId, info]) => {
        const owner = owners.get(shardId);
        const ownerWorker = this.workers.find(
          (worker) => worker.label === owner && worker.state === 'running',
        );
        return {
          shardId,
          open: info.open,
          owner,
          acked: this.ackedPerShard.get(shardId) ?? 0,
          delivered: this.deliveredPerShard.get(shardId) ?? 0,
          millisBehindLatest: ownerWorker?.shards[shardId]?.millisBehindLatest,
        };
      });
    const metrics = this.producer?.metrics();
    const faults = this.faults?.stats();
    return {
      elapsedMs: this.elapsed(),
      durationMs: this.options.durationSeconds * 1_000,
      phase: this.phase,
      rate: this.options.rate,
      streamName: STREAM,
      producer: {
        sent: this.sent,
        acked: this.acked.size,
        failed: this.failedPuts,
        retries: metrics?.stream.RetriesPerRecord.sum ?? 0,
        injectedFailures: (faults?.failedEntries ?? 0) + (faults?.callErrors ?? 0),
        pending: this.producer?.outstandingRecords ?? 0,
        recordsPerAggregate: metrics?.stream.UserRecordsPerKinesisRecord.average ?? 0,
      },
      delivered: this.delivered.size,
      duplicates: this.workers.reduce((sum, worker) => sum + worker.duplicates, 0),
      hotKeys: [...this.hotKeys],
      workers: this.workers.map((worker) => ({
        label: worker.label,
        mode: worker.mode,
        pid: worker.pid,
        state: worker.state,
        leases: worker.leases,
        wrote: worker.deliveredCount,
        duplicates: worker.duplicates,
        retries: worker.retrievalRetries,
      })),
      shards,
      timeline: this.timeline,
    };
  }
}
