import { type DeaggregateOptions, deaggregate } from './deaggregate.js';
import type { DeaggregatedRecord } from './record.js';

/** The `kinesis` part of one record of an AWS Lambda Kinesis event. */
export interface LambdaKinesisData {
  readonly partitionKey: string;
  /** The record's data, base64-encoded. */
  readonly data: string;
  readonly sequenceNumber: string;
  /** When Kinesis accepted the record, in seconds since the epoch (with a fraction). */
  readonly approximateArrivalTimestamp?: number;
  readonly kinesisSchemaVersion?: string;
}

/** One record of an AWS Lambda Kinesis event (the fields this library reads). */
export interface LambdaKinesisEventRecord {
  readonly kinesis: LambdaKinesisData;
  /** `shardId-000000000000:49545115243490985018280067714973144582180062593244200961`. */
  readonly eventID?: string;
  readonly eventSourceARN?: string;
  readonly awsRegion?: string;
}

/** An AWS Lambda Kinesis event (the fields this library reads). */
export interface LambdaKinesisEvent {
  readonly Records: readonly LambdaKinesisEventRecord[];
}

/** A user record out of a Lambda Kinesis event, with where it came from. */
export interface LambdaDeaggregatedRecord extends DeaggregatedRecord {
  /** The shard the record was read from, taken from the event id. */
  readonly shardId?: string;
  /** The stream's ARN. */
  readonly eventSourceArn?: string;
}

/**
 * Deaggregates the records of an AWS Lambda Kinesis event (Lambda does not deaggregate KPL records
 * itself): base64 data is decoded, KPL aggregates are split into their user records with sub-sequence
 * numbers, other records pass through. Lambda does not tell the shard's hash range, so no user record
 * is filtered out by hash key unless `options.hashKeyRange` is given.
 */
export function deaggregateLambdaEvent(
  event: LambdaKinesisEvent,
  options: DeaggregateOptions = {},
): LambdaDeaggregatedRecord[] {
  const out: LambdaDeaggregatedRecord[] = [];
  for (const eventRecord of event.Records) {
    const { kinesis } = eventRecord;
    const shardId = eventRecord.eventID?.split(':', 1)[0];
    const arrival = kinesis.approximateArrivalTimestamp;
    const userRecords = deaggregate(
      {
        partitionKey: kinesis.partitionKey,
        data: Buffer.from(kinesis.data, 'base64'),
        sequenceNumber: kinesis.sequenceNumber,
        approximateArrivalTimestamp: arrival === undefined ? undefined : new Date(Math.round(arrival * 1000)),
      },
      options,
    );
    for (const userRecord of userRecords) {
      out.push({ ...userRecord, shardId, eventSourceArn: eventRecord.eventSourceARN });
    }
  }
  return out;
}
