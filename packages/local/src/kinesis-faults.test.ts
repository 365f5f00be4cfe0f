import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { injectDynamoDbFaults, isConditionalWrite } from './dynamodb-faults';
import { injectKinesisFaults } from './kinesis-faults';

// Validation happens before anything is installed or sent: these clients never make a request.
const kinesis = new KinesisClient({ region: 'us-east-1' });
const dynamoDb = new DynamoDBClient({ region: 'us-east-1' });

describe('fault injector options', () => {
  it('rejects unknown and invalid Kinesis options, naming them', () => {
    expect(() => injectKinesisFaults(kinesis, { sed: 1 } as never)).toThrow(ValidationError);
    expect(() => injectKinesisFaults(kinesis, { sed: 1 } as never)).toThrow(/has no option named 'sed'/);
    expect(() => injectKinesisFaults(kinesis, { putRecordsFailures: { indexes: [-1] } })).toThrow(
      /putRecordsFailures\.indexes/,
    );
    expect(() =>
      injectKinesisFaults(kinesis, { putRecordsFailures: { errorCode: 'Nope' as never } }),
    ).toThrow(/putRecordsFailures\.errorCode/);
    expect(() => injectKinesisFaults(kinesis, { getRecordsThrottling: { rate: 2 } })).toThrow(
      /getRecordsThrottling\.rate/,
    );
    expect(() => injectKinesisFaults(kinesis, { seed: 1.5 })).toThrow(/Invalid seed/);
  });

  it('accepts InternalFailure, the per-entry code, as a whole-call error', () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    expect(() =>
      injectKinesisFaults(client, {
        callErrors: [{ operations: ['PutRecords'], error: 'InternalFailure', rate: 1 }],
      }),
    ).not.toThrow();
  });

  it('rejects invalid DynamoDB options, and a failed update() keeps the previous rules', () => {
    expect(() =>
      injectDynamoDbFaults(dynamoDb, { conditionalCheckFailures: { operations: ['GetItem' as never] } }),
    ).toThrow(/conditionalCheckFailures\.operations/);
    expect(() =>
      injectDynamoDbFaults(dynamoDb, { callErrors: [{ error: 'ThrottlingExceptio' as never }] }),
    ).toThrow(/callErrors\[0\]\.error/);
    const faults = injectDynamoDbFaults(dynamoDb, {});
    expect(() => faults.update({ latency: [{ delayMs: -1 }] })).toThrow(/latency\[0\]\.delayMs/);
    faults.remove();
    faults.remove(); // idempotent
  });

  it('recognises conditional writes by ConditionExpression or Expected', () => {
    expect(isConditionalWrite({ ConditionExpression: 'attribute_not_exists(pk)' })).toBe(true);
    expect(isConditionalWrite({ Expected: { pk: { Exists: false } } })).toBe(true);
    expect(isConditionalWrite({ Item: {} })).toBe(false);
  });
});
