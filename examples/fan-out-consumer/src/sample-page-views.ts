/** Page views to put into a local stream at start, keyed by user. */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisProducer } from '@kinesis-ts/producer';

export const PAGES = ['/', '/pricing', '/docs', '/blog', '/signup'] as const;

export async function putSamplePageViews(
  kinesisClient: KinesisClient,
  streamName: string,
  count: number,
): Promise<void> {
  if (count === 0) return;
  const producer = new KinesisProducer({ streamName, client: kinesisClient });
  await producer.putMany(
    Array.from({ length: count }, (_, index) => {
      const view = {
        userId: `user-${index % 17}`,
        page: PAGES[index % PAGES.length],
        at: new Date().toISOString(),
      };
      return { partitionKey: view.userId, data: new TextEncoder().encode(JSON.stringify(view)) };
    }),
  );
  await producer.close();
}
