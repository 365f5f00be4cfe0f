import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { KinesisProducer, type PutResult } from '@kinesis-ts/producer';
import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { formatDuration, toJson } from '../cli/output.js';
import { CliErrorCode, OperationsError } from '../errors.js';
import { describeStream } from '../stream-shards.js';

/** Flags of `kinesis-ts put`. */
export const PUT_OPTIONS = {
  stream: { type: 'string' },
  file: { type: 'string' },
  'partition-key': { type: 'string' },
  'key-field': { type: 'string' },
  'no-aggregation': { type: 'boolean' },
  'progress-interval-ms': { type: 'string' },
} as const;

export const PUT_USAGE = `kinesis-ts put <stream> [--file <path>] [--partition-key <key> | --key-field <field>]

  Writes one record per line of the file (or of standard input) through KinesisProducer
  (aggregation, batching, retries), with a progress line on stderr. Empty lines are skipped.
  Options:
    --file <path>              read this file instead of standard input ('-' is standard input)
    --partition-key <key>      the same partition key for every record (all go to one shard, in order)
    --key-field <field>        take the partition key from this field of each line, read as JSON
                               (default: a random key per record, spreading records over the shards)
    --no-aggregation           send each record as its own Kinesis record
    --progress-interval-ms <ms> how often the progress line is updated (default 500)
  Ctrl-C stops reading at the next line, sends what was read, reports how far it got (the first
  line not sent) and exits 130.`;

/** The exit code of a `put` stopped by Ctrl-C (SIGINT) before its input ended: 128 + 2, as shells use. */
export const PUT_INTERRUPTED_EXIT_CODE = 130;

/** Splits a stream of chunks into lines (without their line ends). */
export async function* lines(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let end = rest.indexOf('\n');
    while (end !== -1) {
      yield rest.slice(0, end).replace(/\r$/, '');
      rest = rest.slice(end + 1);
      end = rest.indexOf('\n');
    }
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest.replace(/\r$/, '');
}

/** `kinesis-ts put`. */
export async function runPut(flags: Flags, ctx: CommandContext): Promise<number> {
  const streamName = flags.stream();
  const fixedKey = flags.string('partition-key');
  const keyField = flags.string('key-field');
  if (fixedKey !== undefined && keyField !== undefined)
    throw flags.usage('give --partition-key or --key-field, not both');
  const file = flags.string('file');
  const progressIntervalMs = flags.integer('progress-interval-ms', 1) ?? 500;
  let input: AsyncIterable<string | Uint8Array> = ctx.stdin;
  if (file !== undefined && file !== '-') {
    try {
      await access(file);
    } catch (error) {
      throw new OperationsError(CliErrorCode.INPUT_NOT_FOUND, `Cannot read ${file}`, { cause: error });
    }
    input = createReadStream(file);
  }
  await describeStream(ctx.clients.kinesis(), { streamName }); // a clear error before anything is read

  const producer = new KinesisProducer({
    streamName,
    client: ctx.clients.kinesis(),
    aggregation: !flags.boolean('no-aggregation'),
  });
  const started = ctx.now();
  let read = 0;
  let written = 0;
  let failed = 0;
  const byShard = new Map<string, number>();
  const errors: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const fail = (line: number, message: string) => {
    failed++;
    if (errors.length < 5) errors.push(`line ${line}: ${message}`);
  };
  const progress = () => {
    const seconds = Math.max((ctx.now() - started) / 1000, 0.001);
    ctx.out.progress(
      `put: ${read} read, ${written} written, ${failed} failed, ${inFlight.size} in flight (${Math.round(written / seconds)}/s)`,
    );
  };
  const timer = ctx.json ? undefined : setInterval(progress, progressIntervalMs);
  // The first line not sent when Ctrl-C stopped the reading; undefined when the input was read to its end.
  let stoppedAtLine: number | undefined;
  try {
    let lineNumber = 0;
    for await (const line of lines(input)) {
      lineNumber++;
      if (ctx.signal.aborted) {
        stoppedAtLine = lineNumber;
        break;
      }
      if (line.length === 0) continue;
      read++;
      let partitionKey = fixedKey ?? randomUUID();
      if (keyField !== undefined) {
        try {
          const value = (JSON.parse(line) as Record<string, unknown>)[keyField];
          if (value === undefined || value === null || value === '')
            throw new Error(`no field '${keyField}'`);
          partitionKey = String(value);
        } catch (error) {
          fail(lineNumber, error instanceof Error ? error.message : String(error));
          continue;
        }
      }
      const at = lineNumber;
      const settle: Promise<void> = producer
        .put({ partitionKey, data: new TextEncoder().encode(line) })
        .then(
          (result: PutResult) => {
            written++;
            byShard.set(result.shardId, (byShard.get(result.shardId) ?? 0) + 1);
          },
          (error: unknown) => fail(at, error instanceof Error ? error.message : String(error)),
        )
        .finally(() => inFlight.delete(settle));
      inFlight.add(settle);
      if (inFlight.size >= 20_000) await Promise.race(inFlight);
    }
    await producer.flush();
    await Promise.all(inFlight);
  } finally {
    if (timer) clearInterval(timer);
    await producer.close();
  }
  const durationMs = ctx.now() - started;
  const shards = Object.fromEntries([...byShard].sort(([a], [b]) => a.localeCompare(b)));
  // Ctrl-C at any time before the end: the input may be incomplete (a pipe's writer gets the signal too).
  const interrupted = ctx.signal.aborted;
  if (ctx.json) {
    ctx.out.line(
      toJson({
        stream: streamName,
        read,
        written,
        failed,
        durationMs,
        shards,
        errors,
        ...(interrupted ? { interrupted, stoppedAtLine: stoppedAtLine ?? null } : {}),
      }),
    );
  } else {
    progress();
    ctx.out.endProgress();
    ctx.out.line(
      `Put ${written} of ${read} record(s) to ${streamName} in ${formatDuration(durationMs)}${
        failed > 0 ? `, ${failed} failed` : ''
      }; by shard: ${
        Object.entries(shards)
          .map(([shard, count]) => `${shard} ${count}`)
          .join(', ') || 'none'
      }`,
    );
    for (const error of errors) ctx.out.error(`  ${error}`);
  }
  if (interrupted) {
    ctx.out.error(
      `kinesis-ts put: interrupted: ${written} record(s) written, ${failed} failed, ${
        stoppedAtLine === undefined
          ? 'after the input ended (if it came from a pipe, its writer may have been stopped too)'
          : `line ${stoppedAtLine} and the rest of the input not sent`
      }`,
    );
    return PUT_INTERRUPTED_EXIT_CODE;
  }
  if (failed > 0) {
    throw new OperationsError(
      CliErrorCode.PUT_FAILED,
      `${failed} record(s) could not be written (first: ${errors[0] ?? '?'})`,
    );
  }
  return 0;
}
