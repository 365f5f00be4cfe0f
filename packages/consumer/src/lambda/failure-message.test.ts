import { describe, expect, it } from 'vitest';
import { parseKinesisFailureMessages } from './failure-message.js';

/** An SQS destination's message body, shaped like the Lambda documentation's example. */
const INVOCATION_RECORD = {
  requestContext: {
    requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5',
    functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 1,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2019-11-14T00:38:06.021Z',
  KinesisBatchInfo: {
    shardId: 'shardId-000000000001',
    startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
    endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
    approximateArrivalOfFirstRecord: '2019-11-14T00:38:04.835Z',
    approximateArrivalOfLastRecord: '2019-11-14T00:38:05.580Z',
    batchSize: 500,
    streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
  },
};

const EXPECTED = {
  streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
  shardId: 'shardId-000000000001',
  startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
  endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
  batchSize: 500,
  approximateArrivalOfFirstRecord: new Date('2019-11-14T00:38:04.835Z'),
  approximateArrivalOfLastRecord: new Date('2019-11-14T00:38:05.580Z'),
  condition: 'RetryAttemptsExhausted',
  functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
  requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5',
  approximateInvokeCount: 1,
  functionError: 'Unhandled',
  timestamp: new Date('2019-11-14T00:38:06.021Z'),
  event: undefined,
};

/** The original event an S3 destination's object carries in `payload` (escaped JSON). */
const ORIGINAL_EVENT = {
  Records: [
    {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: '1',
        sequenceNumber: '49601189658422359378836298521827638475320189012309704722',
        data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
        approximateArrivalTimestamp: 1573691884.835,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: 'shardId-000000000001:49601189658422359378836298521827638475320189012309704722',
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-kinesis-role',
      awsRegion: 'us-east-2',
      eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
    },
  ],
};

describe('parseKinesisFailureMessages', () => {
  it('reads an SQS destination message body into the batch position and its context', () => {
    expect(parseKinesisFailureMessages(JSON.stringify(INVOCATION_RECORD))).toEqual([EXPECTED]);
    expect(parseKinesisFailureMessages(new TextEncoder().encode(JSON.stringify(INVOCATION_RECORD)))).toEqual([
      EXPECTED,
    ]);
  });

  it('unwraps an SNS notification, as a queue subscribed to the topic receives it', () => {
    const notification = {
      Type: 'Notification',
      MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
      TopicArn: 'arn:aws:sns:us-east-2:123456789012:failures',
      Message: JSON.stringify(INVOCATION_RECORD),
      Timestamp: '2019-11-14T00:38:06.100Z',
    };
    expect(parseKinesisFailureMessages(JSON.stringify(notification))).toEqual([EXPECTED]);
  });

  it('reads every message of a Lambda SQS event and of a Lambda SNS event', () => {
    const sqsEvent = {
      Records: [
        { messageId: '1', body: JSON.stringify(INVOCATION_RECORD), eventSource: 'aws:sqs' },
        { messageId: '2', body: JSON.stringify(INVOCATION_RECORD), eventSource: 'aws:sqs' },
      ],
    };
    expect(parseKinesisFailureMessages(sqsEvent)).toEqual([EXPECTED, EXPECTED]);
    const snsEvent = {
      Records: [
        { EventSource: 'aws:sns', Sns: { Type: 'Notification', Message: JSON.stringify(INVOCATION_RECORD) } },
      ],
    };
    expect(parseKinesisFailureMessages(snsEvent)).toEqual([EXPECTED]);
    expect(parseKinesisFailureMessages({ Body: JSON.stringify(INVOCATION_RECORD) })).toEqual([EXPECTED]);
  });

  it('reads the original event back out of an S3 destination object', () => {
    const object = { ...INVOCATION_RECORD, payload: JSON.stringify(ORIGINAL_EVENT) };
    const [batch] = parseKinesisFailureMessages(JSON.stringify(object));
    expect(batch).toEqual({ ...EXPECTED, event: ORIGINAL_EVENT });
  });

  it('refuses what is not a Kinesis failure message, naming the field', () => {
    expect(() => parseKinesisFailureMessages('{not json')).toThrow(
      expect.objectContaining({ code: 'INVALID_FAILURE_MESSAGE', field: 'message' }),
    );
    expect(() => parseKinesisFailureMessages({ requestContext: {} })).toThrow(
      expect.objectContaining({ field: 'message.KinesisBatchInfo' }),
    );
    const noEnd = {
      ...INVOCATION_RECORD,
      KinesisBatchInfo: { ...INVOCATION_RECORD.KinesisBatchInfo, endSequenceNumber: 12 },
    };
    expect(() => parseKinesisFailureMessages(noEnd)).toThrow(
      expect.objectContaining({ field: 'message.KinesisBatchInfo.endSequenceNumber' }),
    );
    expect(() => parseKinesisFailureMessages(ORIGINAL_EVENT)).toThrow(
      /a Kinesis event, not a failure message/,
    );
    expect(() => parseKinesisFailureMessages({ ...INVOCATION_RECORD, payload: '{"Records":[{}]}' })).toThrow(
      expect.objectContaining({ field: 'message.payload.Records[0].kinesis' }),
    );
  });
});
