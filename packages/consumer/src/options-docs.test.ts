import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { optionTables, tableDisagreements, tsdocDisagreements } from '../../core/test/option-docs.js';
import { LEASE_ADMIN_OPTION_SPECS } from './admin/lease-admin.js';
import {
  CONSUMER_OPTION_SPECS,
  FAN_OUT_OPTION_SPECS,
  POLLING_CAUGHT_UP_OPTION_SPECS,
  POLLING_OPTION_SPECS,
} from './options.js';
import { KINESIS_DEAD_LETTER_SINK_OPTION_SPECS } from './processing/kinesis-dead-letter-sink.js';

const DEPRECATED = Object.keys(POLLING_OPTION_SPECS);

describe('the consumer options as documented', () => {
  const consumerSource = readFileSync(
    new URL('./options/kinesis-consumer-options.ts', import.meta.url),
    'utf8',
  );
  const retrievalSource = readFileSync(new URL('./options/retrieval-options.ts', import.meta.url), 'utf8');
  const docs = readFileSync(new URL('../../../docs/consumer.md', import.meta.url), 'utf8');

  it('have in their TSDoc the defaults and ranges of the specs', () => {
    expect([
      ...tsdocDisagreements(consumerSource, 'KinesisConsumerOptions', CONSUMER_OPTION_SPECS),
      ...tsdocDisagreements(retrievalSource, 'PollingRetrievalConfig', {
        ...POLLING_OPTION_SPECS,
        ...POLLING_CAUGHT_UP_OPTION_SPECS,
      }),
      ...tsdocDisagreements(retrievalSource, 'FanOutRetrievalConfig', FAN_OUT_OPTION_SPECS),
    ]).toEqual([]);
  });

  it('have in the docs/consumer.md tables the defaults and ranges of the specs', () => {
    const tables = optionTables(docs);
    expect([...tables.keys()]).toEqual([
      expect.stringContaining('Unknown options are refused'),
      "`retrieval: { mode: 'polling', … }` takes:",
      "`retrieval: { mode: 'fan-out', … }` takes:",
    ]);
    const [main, polling, fanOut] = [...tables.values()];
    expect([
      ...tableDisagreements(main!, CONSUMER_OPTION_SPECS, 'docs/consumer.md options', {
        undocumented: DEPRECATED,
      }),
      ...tableDisagreements(
        polling!,
        { ...POLLING_OPTION_SPECS, ...POLLING_CAUGHT_UP_OPTION_SPECS },
        'docs/consumer.md polling',
      ),
      ...tableDisagreements(fanOut!, FAN_OUT_OPTION_SPECS, 'docs/consumer.md fan-out'),
    ]).toEqual([]);
  });

  it('of the dead-letter sink and the lease admin have in their TSDoc the defaults and ranges of the specs', () => {
    const sink = readFileSync(new URL('./processing/kinesis-dead-letter-sink.ts', import.meta.url), 'utf8');
    const admin = readFileSync(new URL('./admin/lease-admin.ts', import.meta.url), 'utf8');
    expect([
      ...tsdocDisagreements(sink, 'KinesisDeadLetterSinkOptions', KINESIS_DEAD_LETTER_SINK_OPTION_SPECS),
      ...tsdocDisagreements(admin, 'LeaseAdminOptions', LEASE_ADMIN_OPTION_SPECS),
    ]).toEqual([]);
  });
});
