/**
 * Codec throughput: encoding and decoding KPL aggregates of 100-byte records, kinesis-ts next to
 * aws-kinesis-agg on the same input in the same run, with MD5 over the same bytes as the floor
 * (both codecs must hash every byte once). Run with `pnpm bench` (or `pnpm --filter
 * @kinesis-ts/benchmarks bench codec` for this part alone); the figures go to docs/benchmarks.md.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { deaggregate, encodeAggregatedRecord } from '@kinesis-ts/core';
import { type BenchCase, machineLine, markdownTable, runCases } from './harness.js';

interface AwsKinesisAgg {
  RecordAggregator: new () => {
    addUserRecord(record: { partitionKey: string; data: Buffer }): void;
    build(): { data: Buffer };
  };
  deaggregateSync(
    record: { partitionKey: string; data: Buffer | string; sequenceNumber: string },
    computeChecksums: boolean,
    callback: (error: Error | null, records?: unknown[]) => void,
  ): void;
}
const awsKinesisAgg = createRequire(import.meta.url)('aws-kinesis-agg') as AwsKinesisAgg;

/**
 * `BENCH_CODEC_BASELINE=<path of another build of core's index.js>` adds that build's encoder to the
 * encode tables, to compare two versions in one run (the figures of docs/benchmarks.md's "before").
 */
const baselinePath = process.env.BENCH_CODEC_BASELINE;
const baseline =
  baselinePath === undefined
    ? undefined
    : ((await import(pathToFileURL(baselinePath).href)) as {
        encodeAggregatedRecord: typeof encodeAggregatedRecord;
      });

const RECORD_BYTES = 100;
const RECORDS_PER_AGGREGATE = 300;
const SEQUENCE_NUMBER = '49590338271490256608559692538361571095921575989136588898';

interface Workload {
  readonly title: string;
  readonly records: readonly { partitionKey: string; data: Buffer }[];
}

const deviceKeys = Array.from({ length: 20 }, (_, i) => `device-${String(i).padStart(4, '0')}`);
const workloads: Workload[] = [
  {
    title: `${RECORDS_PER_AGGREGATE} × ${RECORD_BYTES}-byte records, every key distinct (36-character UUIDs)`,
    records: Array.from({ length: RECORDS_PER_AGGREGATE }, () => ({
      partitionKey: randomUUID(),
      data: randomBytes(RECORD_BYTES),
    })),
  },
  {
    title: `${RECORDS_PER_AGGREGATE} × ${RECORD_BYTES}-byte records over 20 device keys`,
    records: Array.from({ length: RECORDS_PER_AGGREGATE }, (_, i) => ({
      partitionKey: deviceKeys[i % deviceKeys.length]!,
      data: randomBytes(RECORD_BYTES),
    })),
  },
];

console.log('# Codec benchmark');
console.log(`\nMachine: ${machineLine()}`);
for (const workload of workloads) runWorkload(workload);

function runWorkload({ title, records }: Workload): void {
  const payloadBytes = RECORDS_PER_AGGREGATE * RECORD_BYTES;
  const aggregate = Buffer.from(encodeAggregatedRecord(records));
  const protobufBytes = aggregate.subarray(4, aggregate.length - 16);
  checkBothAgree(records, aggregate);
  const perRun = { recordsPerRun: RECORDS_PER_AGGREGATE, bytesPerRun: payloadBytes };
  const md5Floor: BenchCase = {
    name: 'MD5 of the same bytes (floor)',
    run: () => createHash('md5').update(protobufBytes).digest(),
    ...perRun,
  };
  const encodeCases: BenchCase[] = [
    { name: 'kinesis-ts encodeAggregatedRecord', run: () => encodeAggregatedRecord(records), ...perRun },
    {
      name: 'aws-kinesis-agg RecordAggregator',
      run: () => {
        const aggregator = new awsKinesisAgg.RecordAggregator();
        for (const record of records) aggregator.addUserRecord(record);
        return aggregator.build();
      },
      ...perRun,
    },
    md5Floor,
  ];
  if (baseline !== undefined) {
    const theirs = Buffer.from(baseline.encodeAggregatedRecord(records));
    if (!theirs.equals(aggregate)) throw new Error('The baseline build encodes different bytes');
    encodeCases.push({
      name: 'baseline encodeAggregatedRecord',
      run: () => baseline.encodeAggregatedRecord(records),
      ...perRun,
    });
  }
  const decodeCases: BenchCase[] = [
    {
      name: 'kinesis-ts deaggregate',
      run: () => deaggregate({ partitionKey: 'a', data: aggregate, sequenceNumber: SEQUENCE_NUMBER }),
      ...perRun,
    },
    {
      name: 'aws-kinesis-agg deaggregateSync',
      run: () => {
        let out: unknown;
        awsKinesisAgg.deaggregateSync(
          { partitionKey: 'a', data: aggregate, sequenceNumber: SEQUENCE_NUMBER },
          true,
          (_error, userRecords) => {
            out = userRecords;
          },
        );
        return out;
      },
      ...perRun,
    },
    md5Floor,
  ];

  console.log(`\n## ${title} (aggregate of ${aggregate.length} bytes)\n`);
  console.log('### Encode\n');
  const encodeResults = runCases(encodeCases);
  console.log(markdownTable(encodeResults, 'aws-kinesis-agg RecordAggregator'));
  console.log('\n### Decode (MD5 verified)\n');
  const decodeResults = runCases(decodeCases);
  console.log(markdownTable(decodeResults, 'aws-kinesis-agg deaggregateSync'));
  console.log('\n### Against the targets\n');
  for (const [label, results] of [
    ['encode', encodeResults],
    ['decode', decodeResults],
  ] as const) {
    const [ours, theirs, floor] = results;
    const speedup = ours!.recordsPerSecond / theirs!.recordsPerSecond;
    const floorRatio = floor!.recordsPerSecond / ours!.recordsPerSecond;
    // Decode: ≥ 3× aws-kinesis-agg (issue 2). Encode: within 1.5× of the MD5 time (issue 16).
    const floorTarget = label === 'encode' ? '≤ 1.5×' : '≤ 2×';
    const speedupTarget = label === 'encode' ? '' : ' (target ≥ 3×)';
    console.log(
      `- ${label}: ${speedup.toFixed(2)}× aws-kinesis-agg${speedupTarget}; ${floorRatio.toFixed(2)}× the MD5 floor's time (target ${floorTarget})`,
    );
  }
  const baselineResult = encodeResults[3];
  if (baselineResult !== undefined) {
    const floorRatio = encodeResults[2]!.recordsPerSecond / baselineResult.recordsPerSecond;
    const speedup = baselineResult.recordsPerSecond / encodeResults[1]!.recordsPerSecond;
    console.log(
      `- encode, baseline build: ${speedup.toFixed(2)}× aws-kinesis-agg; ${floorRatio.toFixed(2)}× the MD5 floor's time`,
    );
  }
}

/** Both codecs must read each other's output, or the comparison means nothing. */
function checkBothAgree(records: Workload['records'], aggregate: Buffer): void {
  const theirs = new awsKinesisAgg.RecordAggregator();
  for (const record of records) theirs.addUserRecord(record);
  const theirAggregate = theirs.build().data;
  const ours = deaggregate({ partitionKey: 'a', data: theirAggregate, sequenceNumber: SEQUENCE_NUMBER });
  let decoded: unknown[] = [];
  awsKinesisAgg.deaggregateSync(
    { partitionKey: 'a', data: aggregate, sequenceNumber: SEQUENCE_NUMBER },
    true,
    (_e, r) => {
      decoded = r ?? [];
    },
  );
  if (ours.length !== records.length || decoded.length !== records.length) {
    throw new Error(`Codecs disagree: ${ours.length} and ${decoded.length} records`);
  }
}
