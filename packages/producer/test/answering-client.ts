import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';

/** A `PutRecords` body as the client would have sent it. */
export interface SentBody {
  readonly text: string;
  readonly contentLength: string | undefined;
}

/**
 * A real SDK client of a one-shard stream that answers every call itself once the request is signed
 * (so its credentials were resolved), keeping each `PutRecords` body; `credentials` replaces the
 * static test keys.
 */
export function answeringClient(
  credentials: KinesisClientConfig['credentials'] = { accessKeyId: 'test', secretAccessKey: 'test' },
): { client: KinesisClient; bodies: SentBody[] } {
  const client = new KinesisClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
  const bodies: SentBody[] = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const $metadata = { httpStatusCode: 200 };
      const request = args.request as { body: Uint8Array; headers: Record<string, string> };
      switch (context.commandName) {
        case 'ListShardsCommand':
          return {
            output: {
              $metadata,
              Shards: [
                {
                  ShardId: 'shardId-000000000000',
                  HashKeyRange: { StartingHashKey: '0', EndingHashKey: ((1n << 128n) - 1n).toString() },
                  SequenceNumberRange: { StartingSequenceNumber: '0' },
                },
              ],
            },
            response: {},
          };
        case 'DescribeStreamSummaryCommand':
          return {
            output: { $metadata, StreamDescriptionSummary: { MaxRecordSizeInKiB: 1024 } },
            response: {},
          };
        case 'PutRecordsCommand': {
          const body = Buffer.from(request.body).toString('utf8');
          bodies.push({ text: body, contentLength: request.headers['content-length'] });
          const entries = (JSON.parse(body) as { Records: unknown[] }).Records;
          return {
            output: {
              $metadata,
              FailedRecordCount: 0,
              Records: entries.map((_, index) => ({
                ShardId: 'shardId-000000000000',
                SequenceNumber: `4960000000000000000000000000000000000000000000000${index}`,
              })),
            },
            response: {},
          };
        }
        default:
          throw new Error(`unexpected ${context.commandName}`);
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'answerAfterSigning' },
  );
  return { client, bodies };
}
