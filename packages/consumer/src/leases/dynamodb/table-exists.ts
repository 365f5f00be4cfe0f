import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsErrorCode, sendWithoutSdkRetries } from '@kinesis-ts/core';

/** Whether table `tableName` exists (one DescribeTable, without SDK retries; other errors reject). */
export async function tableExists(input: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly requestTimeoutMs: number;
  readonly signal?: AbortSignal;
}): Promise<boolean> {
  try {
    await sendWithoutSdkRetries(input.client, new DescribeTableCommand({ TableName: input.tableName }), {
      timeoutMs: input.requestTimeoutMs,
      abortSignal: input.signal,
    });
    return true;
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return false;
    throw error;
  }
}
