import { readFile } from 'node:fs/promises';
import { parseKinesisFailureMessages, readFailedBatch } from '@kinesis-ts/consumer/lambda';
import { KinesisProducer } from '@kinesis-ts/producer';
import type { Flags } from '../cli/args.js';
import type { CommandContext } from '../cli/context.js';
import { CliErrorCode, OperationsError } from '../errors.js';
import { printRecord } from './tail.js';

/** Flags of `kinesis-ts replay-failure`. */
export const REPLAY_FAILURE_OPTIONS = {
  file: { type: 'string' },
  'to-stream': { type: 'string' },
} as const;

export const REPLAY_FAILURE_USAGE = `kinesis-ts replay-failure [<file> | -] [--to-stream <stream>]

  Reads a Lambda Kinesis on-failure destination message (an SQS body, an SNS notification, a Lambda
  SQS/SNS event, or an S3 destination object) from the file or standard input, reads back exactly
  the failed batch's records (from the stream between its start and end sequence numbers, or from the
  S3 object's payload), KPL aggregates unpacked, and prints them as tail does.
  Options:
    --file <path>              the message file (or give it as the argument; '-' is standard input)
    --to-stream <stream>       also put the records into this stream (their partition and explicit
                               hash keys kept), to run them through the consumer again
  --json prints one JSON object per record.`;

/** `kinesis-ts replay-failure`. */
export async function runReplayFailure(flags: Flags, ctx: CommandContext): Promise<number> {
  if (flags.positionals.length > 1) throw flags.usage(`unexpected argument '${flags.positionals[1]}'`);
  const file = flags.positionals[0] ?? flags.string('file');
  const toStream = flags.string('to-stream');
  const message = await readMessage(file, ctx);
  const batches = parseKinesisFailureMessages(message);
  const kinesis = ctx.clients.kinesis();
  const producer =
    toStream === undefined ? undefined : new KinesisProducer({ streamName: toStream, client: kinesis });
  let count = 0;
  try {
    for (const batch of batches) {
      const records = await readFailedBatch({ batch, client: kinesis, signal: ctx.signal });
      ctx.out.error(
        `${batch.shardId} ${batch.startSequenceNumber}..${batch.endSequenceNumber}${batch.condition ? ` (${batch.condition})` : ''}: ${records.length} record(s)${batch.event ? ' from the S3 object' : ''}`,
      );
      for (const record of records) printRecord(record, ctx);
      if (producer !== undefined) {
        await Promise.all(
          records.map((record) =>
            producer.put({
              partitionKey: record.partitionKey,
              explicitHashKey: record.explicitHashKey,
              data: record.data,
            }),
          ),
        );
      }
      count += records.length;
    }
    await producer?.flush();
  } finally {
    await producer?.close();
  }
  ctx.out.error(`${count} record(s)${toStream === undefined ? '' : ` put into ${toStream}`}`);
  return 0;
}

async function readMessage(file: string | undefined, ctx: CommandContext): Promise<string> {
  if (file !== undefined && file !== '-') {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new OperationsError(CliErrorCode.INPUT_NOT_FOUND, `Cannot read ${file}`, { cause: error });
    }
  }
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of ctx.stdin)
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
