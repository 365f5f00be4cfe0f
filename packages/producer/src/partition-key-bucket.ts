import { createHash } from 'node:crypto';
import { validateIntegerOption, validatePartitionKey } from '@kinesis-ts/core';

/**
 * Spreads one hot key over several partition keys, so that it can use several shards: returns
 * `${baseKey}#bNN` where NN is a stable hash of `eventId` modulo `buckets` (zero-padded, `b00..b15`
 * for 16 buckets). The same event id always lands in the same bucket, so a retried or replayed event
 * keeps its key; records of one base key are ordered per bucket only, and readers that need a single
 * timeline merge the buckets.
 *
 * @param baseKey the hot key (a device id, a tenant id…).
 * @param eventId what picks the bucket: any stable id of the event.
 * @param buckets how many buckets, 1 to 1000. @defaultValue 16
 */
export function bucketedPartitionKey(baseKey: string, eventId: string, buckets = 16): string {
  validateIntegerOption('buckets', buckets, 1, 1000);
  const width = Math.max(2, String(buckets - 1).length);
  const digest = createHash('md5').update(eventId, 'utf8').digest();
  const bucket = Number(digest.readUInt32BE(0) % buckets);
  const key = `${baseKey}#b${String(bucket).padStart(width, '0')}`;
  validatePartitionKey(key);
  return key;
}
