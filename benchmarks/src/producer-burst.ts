/** A record of the burst. */
export interface BurstRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** What the burst needs of a producer: any build of `KinesisProducer` (see compare-builds.ts). */
export interface BurstProducer {
  put(record: BurstRecord): Promise<unknown>;
  putMany(records: BurstRecord[]): Promise<unknown>;
  flush(): Promise<void>;
}

/**
 * Gives `producer` every record at once (one `put` each, or `putMany` batches of 500), flushes, and
 * resolves once every record is settled: the burst of put-path.bench.ts table b and compare-builds.ts.
 */
export async function giveBurst(
  producer: BurstProducer,
  records: readonly BurstRecord[],
  api: 'put' | 'putMany',
): Promise<void> {
  if (api === 'put') {
    const all = Promise.all(records.map((record) => producer.put(record)));
    await producer.flush();
    await all;
  } else {
    const batches: Promise<unknown>[] = [];
    for (let i = 0; i < records.length; i += 500) batches.push(producer.putMany(records.slice(i, i + 500)));
    await producer.flush();
    await Promise.all(batches);
  }
}
