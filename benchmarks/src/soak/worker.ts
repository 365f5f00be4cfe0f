/**
 * One consumer worker of the soak, in its own process so that the driver can kill it as a crashed
 * machine dies (SIGKILL: no final checkpoint, no lease released). A plain `KinesisConsumer` with a
 * handler, sharing the stream with the other workers through the lease table; its DynamoDB and
 * Kinesis clients fail some calls on purpose (fault-plan.ts). Every batch, lease move and warning goes
 * to the worker's delivery log (delivery-log.ts), the batch before the handler resolves.
 */
import { KinesisConsumer, type Logger } from '@kinesis-ts/consumer';
import { connectLocalStack, injectDynamoDbFaults, injectKinesisFaults, mulberry32 } from '@kinesis-ts/local';
import { type DeliveredRecord, LogWriter, preciseNow } from './delivery-log.js';
import { workerFaults } from './fault-plan.js';
import { decodeKeyedRecord } from './keyed-records.js';
import type { DriverMessage, WorkerConfig, WorkerMessage } from './worker-protocol.js';

/** Warnings and errors written to the log per process; the rest are only counted. */
const MAX_LOGGED_MESSAGES = 200;
const STATS_EVERY_MS = 2_000;

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const w = config.workerId;
const log = new LogWriter(config.logFile);
const send = (message: WorkerMessage) => {
  if (process.connected) process.send?.(message);
};

const local = connectLocalStack({
  kinesisEndpoint: config.kinesisEndpoint,
  dynamoDbEndpoint: config.dynamoDbEndpoint,
});
const kinesisClient = local.kinesisClient();
const dynamoDbClient = local.dynamoDbClient();
const faults = workerFaults(config.faultSeed, config.transientNotFound);
const dynamoDbFaults = injectDynamoDbFaults(dynamoDbClient, faults.dynamoDb);
const kinesisFaults = injectKinesisFaults(kinesisClient, faults.kinesis);
const delayRandom = mulberry32(config.faultSeed ^ 0x5bd1e995);

let warnings = 0;
let errors = 0;
let leaseTableErrors = 0;
let retrievalErrors = 0;
function logMessage(level: 'warn' | 'error', message: string, context?: Record<string, unknown>): void {
  if (level === 'warn') warnings++;
  else errors++;
  if (warnings + errors > MAX_LOGGED_MESSAGES) return;
  log.append({ e: 'log', w, t: preciseNow(), level, message, details: describe(context) });
}
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, context) => logMessage('warn', message, context),
  error: (message, context) => logMessage('error', message, context),
};

const consumer = new KinesisConsumer({
  streamName: config.streamName,
  applicationName: config.applicationName,
  workerId: w,
  kinesisClient,
  dynamoDbClient,
  initialPosition: 'TRIM_HORIZON',
  failoverTimeMs: config.failoverTimeMs,
  maxLeasesForWorker: config.maxLeasesForWorker,
  idleTimeBetweenReadsMs: 250,
  shutdownTimeoutMs: 10_000,
  retrieval:
    config.retrieval === 'fan-out'
      ? {
          mode: 'fan-out',
          consumerName: `${config.applicationName}-efo`,
          subscribeClient: kinesisClient, // the emulator subscribes over HTTP/1.1
          shardEndCheckAfterMs: 2_000, // the emulator never sends a closed shard's last event
        }
      : { mode: 'polling' },
  logger,
  handler: async (records, { shardId }) => {
    const delayMs = Math.floor(delayRandom() * config.maxBatchDelayMs);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const delivered: DeliveredRecord[] = [];
    for (const record of records) {
      const keyed = decodeKeyedRecord(record.data);
      if (!keyed) {
        logMessage('error', 'A record the soak did not write', {
          shardId,
          sequenceNumber: record.sequenceNumber,
        });
        continue;
      }
      delivered.push([keyed.key, keyed.seq, record.sequenceNumber, record.subSequenceNumber]);
    }
    // the at-least-once point: processed, not yet checkpointed (the consumer checkpoints on resolve)
    log.append({ e: 'batch', w, t: preciseNow(), s: shardId, r: delivered });
  },
});

consumer
  .on('lease:taken', ({ leaseKey, previousOwner, stolen }) =>
    log.append({ e: 'lease', w, t: preciseNow(), kind: 'taken', s: leaseKey, previousOwner, stolen }),
  )
  .on('lease:lost', ({ leaseKey, reason }) =>
    log.append({ e: 'lease', w, t: preciseNow(), kind: 'lost', s: leaseKey, reason }),
  )
  .on('lease:released', ({ leaseKey, written }) =>
    log.append({ e: 'lease', w, t: preciseNow(), kind: 'released', s: leaseKey, written }),
  )
  .on('shard:ended', ({ shardId }) => log.append({ e: 'shard-ended', w, t: preciseNow(), s: shardId }))
  .on('shard:failed', ({ shardId, error }) =>
    log.append({ e: 'shard-failed', w, t: preciseNow(), s: shardId, error: String(error) }),
  )
  .on('lease-table:error', () => leaseTableErrors++)
  .on('retrieval:error', () => retrievalErrors++);

function writeStats(): void {
  const kinesisErrors = kinesisFaults.stats().byError;
  log.append({
    e: 'stats',
    w,
    t: preciseNow(),
    dynamoDbFaults: dynamoDbFaults.stats().callErrors,
    getRecordsFaults: kinesisErrors.ProvisionedThroughputExceededException ?? 0,
    notFoundFaults: kinesisErrors.ResourceNotFoundException ?? 0,
    leaseTableErrors,
    retrievalErrors,
    warnings,
    errors,
  });
}
const statsTimer = setInterval(writeStats, STATS_EVERY_MS);

let outageTimer: NodeJS.Timeout | undefined;
function outage(durationMs: number): void {
  dynamoDbFaults.update(workerFaults(config.faultSeed, config.transientNotFound, 'outage').dynamoDb);
  note(`lease-table outage for ${durationMs} ms`);
  outageTimer = setTimeout(() => {
    dynamoDbFaults.update(workerFaults(config.faultSeed, config.transientNotFound).dynamoDb);
    note('lease-table outage over');
  }, durationMs);
}

function hangLeaseTable(): void {
  clearTimeout(outageTimer);
  dynamoDbFaults.update(workerFaults(config.faultSeed, config.transientNotFound, 'hung').dynamoDb);
  note('every lease-table call hangs from now on');
}

function note(message: string): void {
  log.append({ e: 'log', w, t: preciseNow(), level: 'soak', message });
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  note('graceful stop requested');
  await consumer.stop();
  clearInterval(statsTimer);
  writeStats();
  log.append({ e: 'stopped', w, t: preciseNow() });
  log.close();
  send({ type: 'stopped' });
  local.close();
  process.exit(0);
}

process.on('message', (message: DriverMessage) => {
  if (message.type === 'stop') void stop();
  else if (message.type === 'outage') outage(message.durationMs);
  else if (message.type === 'hang-lease-table') hangLeaseTable();
});
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// the driver is gone (and the local services with it): nothing left to do
process.on('disconnect', () => process.exit(0));

try {
  await consumer.start();
} catch (error) {
  logMessage('error', 'start() failed', { error });
  process.exit(1);
}
log.append({ e: 'started', w, t: preciseNow(), pid: process.pid });
send({ type: 'started' });

function describe(context?: Record<string, unknown>): string | undefined {
  if (!context) return undefined;
  return Object.entries(context)
    .map(([key, value]) => `${key}=${detail(value)}`)
    .join(' ');
}

function detail(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value !== 'object' || value === null) return String(value);
  return JSON.stringify(value, (_, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
}
