import { KinesisTsError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { checkInitialPosition } from '../options.js';
import { checkStreamConfigs } from './stream-config.js';

const check = (value: unknown, extra: { region?: string; accountId?: string } = {}) =>
  checkStreamConfigs(value, { checkInitialPosition, ...extra });

function refusal(value: unknown, extra: { region?: string; accountId?: string } = {}): Error {
  try {
    check(value, extra);
  } catch (error) {
    expect(KinesisTsError.hasCode(error, 'INVALID_OPTION')).toBe(true);
    return error as Error;
  }
  throw new Error('expected a refusal');
}

const ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';

describe('checkStreamConfigs', () => {
  it('accepts names and ARNs, each with its own initial position and stream consumer', () => {
    expect(
      check(
        [
          { streamName: 'payments', initialPosition: 'LATEST' },
          { streamArn: ARN, consumerName: 'app' },
        ],
        { region: 'eu-west-1' },
      ),
    ).toEqual([
      { streamName: 'payments', initialPosition: 'LATEST', field: 'streams[0]' },
      { streamName: 'orders', streamArn: ARN, consumerName: 'app', field: 'streams[1]' },
    ]);
  });

  it('refuses an empty list and what is not a list', () => {
    expect(refusal([]).message).toContain('the list is empty');
    expect(refusal({ streamName: 'orders' }).message).toContain('streams');
    expect(refusal(undefined).message).toContain('streams');
  });

  it('refuses the same stream twice, by name, by ARN, or by name and ARN', () => {
    expect(refusal([{ streamName: 'orders' }, { streamName: 'orders' }]).message).toMatch(
      /streams\[1\].*orders/,
    );
    expect(refusal([{ streamArn: ARN }, { streamArn: ARN }]).message).toContain(ARN);
    expect(refusal([{ streamName: 'orders' }, { streamArn: ARN }]).message).toMatch(/streams\[1\].*orders/);
    expect(
      refusal([{ streamName: 'orders' }, { streamArn: ARN }], { accountId: '123456789012' }).message,
    ).toContain('streams[1]');
    // An ARN of another account names another stream.
    expect(
      check([{ streamName: 'orders' }, { streamArn: ARN.replace('123456789012', '210987654321') }], {
        accountId: '123456789012',
      }),
    ).toHaveLength(2);
  });

  it('refuses an ARN of another region than the client', () => {
    const error = refusal([{ streamArn: ARN }], { region: 'us-east-1' });
    expect(error.message).toContain('streams[0].streamArn');
    expect(error.message).toContain('eu-west-1');
  });

  it('refuses malformed entries, naming the entry and the field', () => {
    expect(refusal([{ streamName: 'a' }, 'orders']).message).toContain('streams[1]');
    expect(refusal([{ streamName: 'orders', streamArn: ARN }]).message).toContain('streams[0].streamName');
    expect(refusal([{ streamNam: 'orders' }]).message).toContain('streams[0].streamNam');
    expect(refusal([{ streamName: 'bad name!' }]).message).toContain('streams[0].streamName');
    expect(refusal([{ streamArn: 'arn:aws:sqs:eu-west-1:123456789012:orders' }]).message).toContain(
      'streams[0].streamArn',
    );
    expect(refusal([{ streamName: 'orders', initialPosition: 'EARLIEST' }]).message).toContain(
      'streams[0].initialPosition',
    );
    expect(
      refusal([
        {
          streamName: 'orders',
          consumerArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/payments/consumer/app:1',
        },
      ]).message,
    ).toContain('a stream consumer of stream orders');
  });
});
