import type { PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { RequestTimeoutError } from '@kinesis-ts/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serviceError } from '../../test/fake-kinesis.js';
import {
  attemptOf,
  completion,
  ENDED_AT,
  type EntrySpec,
  EXPIRED_ATTEMPT,
  LOWER,
  retrierUnderTest,
  STARTED_AT,
  UPPER,
} from '../../test/retrier-harness.js';
import type { Attempt } from '../attempt.js';
import type { RecordFailedError, RecordFailureCode } from '../errors.js';
import type { OpenShard } from './list-shards.js';
import type { RetrierOptions, ShardMapRefresh } from './retrier.js';
import type { RequestCompletion } from './sender.js';

const THROTTLED = 'ProvisionedThroughputExceededException';
const accessDenied = serviceError('AccessDeniedException', 403);
const throttledCall = serviceError('ThrottlingException');

interface RetrierCase {
  readonly name: string;
  readonly options?: Partial<RetrierOptions>;
  readonly entries: readonly EntrySpec[];
  readonly answer: { output: PutRecordsOutput } | { error: unknown };
  readonly completion?: Partial<RequestCompletion>;
  /** key → [shard, sequence number] */
  readonly written?: Record<string, [string, string]>;
  /** lane → keys sent back to its front, in order */
  readonly retried?: Record<string, string[]>;
  /** key → failure code */
  readonly failed?: Record<string, RecordFailureCode>;
  /** key → every attempt it holds */
  readonly attempts?: Record<string, Attempt[]>;
  readonly refreshes?: ShardMapRefresh[];
  /** [lane, backoff ms] of each lane that must back off */
  readonly throttled?: [string | undefined, number][];
}

const CASES: RetrierCase[] = [
  {
    name: 'writes every record of a request all of whose entries succeeded',
    entries: [
      { keys: ['k1', 'k2'], predicted: 'shard-a' },
      { keys: ['k3'], predicted: 'shard-b' },
    ],
    answer: {
      output: {
        FailedRecordCount: 0,
        Records: [
          { ShardId: 'shard-a', SequenceNumber: '11' },
          { ShardId: 'shard-b', SequenceNumber: '12' },
        ],
      },
    },
    written: { k1: ['shard-a', '11'], k2: ['shard-a', '11'], k3: ['shard-b', '12'] },
    attempts: { k1: [attemptOf()], k3: [attemptOf()] },
  },
  {
    name: 'retries only the entries refused for throughput or by an internal failure, and backs their shards off',
    entries: [
      { keys: ['k1'], predicted: 'shard-a' },
      { keys: ['k2', 'k3'], predicted: 'shard-b' },
      { keys: ['k4'], predicted: 'shard-c' },
    ],
    answer: {
      output: {
        FailedRecordCount: 2,
        Records: [
          { ShardId: 'shard-a', SequenceNumber: '11' },
          { ErrorCode: THROTTLED, ErrorMessage: 'slow down' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
      },
    },
    written: { k1: ['shard-a', '11'] },
    retried: { 'shard-b': ['k2', 'k3'], 'shard-c': ['k4'] },
    attempts: {
      k1: [attemptOf()],
      k2: [attemptOf({ code: THROTTLED, message: 'slow down' })],
      k4: [attemptOf({ code: 'InternalFailure', message: 'oops' })],
    },
    throttled: [
      ['shard-b', 50],
      ['shard-c', 50],
    ],
  },
  {
    name: 'retries every record of a request throttled as a whole, backing off every shard in it',
    entries: [
      { keys: ['k1'], predicted: 'shard-a' },
      { keys: ['k2'], predicted: 'shard-b' },
    ],
    answer: { error: throttledCall },
    retried: { 'shard-a': ['k1'], 'shard-b': ['k2'] },
    attempts: { k1: [attemptOf({ code: 'ThrottlingException', message: throttledCall.message })] },
    throttled: [
      ['shard-a', 50],
      ['shard-b', 50],
    ],
  },
  {
    name: 'fails a throttled entry at once with failIfThrottled',
    options: { failIfThrottled: true },
    entries: [{ keys: ['k1'], predicted: 'shard-a' }],
    answer: {
      output: { FailedRecordCount: 1, Records: [{ ErrorCode: THROTTLED, ErrorMessage: 'slow down' }] },
    },
    failed: { k1: 'RECORD_THROTTLED' },
    attempts: { k1: [attemptOf({ code: THROTTLED, message: 'slow down' })] },
  },
  {
    name: 'counts a single record that landed on another shard than predicted as written, and refreshes the stale map',
    entries: [{ keys: ['user-1'], predicted: 'shard-parent' }],
    answer: { output: { FailedRecordCount: 0, Records: [{ ShardId: UPPER.shardId, SequenceNumber: '21' }] } },
    written: { 'user-1': [UPPER.shardId, '21'] },
    refreshes: ['lanes-map-outdated'],
  },
  {
    name: 'counts an aggregate that landed on a known shard holding all its records as written, and refreshes the stale map',
    entries: [{ keys: ['user-1', 'user-8'], predicted: 'shard-parent' }],
    answer: { output: { FailedRecordCount: 0, Records: [{ ShardId: UPPER.shardId, SequenceNumber: '21' }] } },
    written: { 'user-1': [UPPER.shardId, '21'], 'user-8': [UPPER.shardId, '21'] },
    refreshes: ['lanes-map-outdated'],
  },
  {
    name: 're-sends at once, without backoff, an aggregate that landed on a known shard not holding all its records',
    entries: [{ keys: ['user-2', 'user-1'], predicted: 'shard-parent' }],
    answer: { output: { FailedRecordCount: 0, Records: [{ ShardId: LOWER.shardId, SequenceNumber: '21' }] } },
    retried: { 'shard-parent': ['user-2', 'user-1'] },
    attempts: {
      'user-1': [
        attemptOf({
          code: 'WrongShard',
          message: `Aggregate predicted for shard-parent landed on ${LOWER.shardId}, which does not hold all its records`,
        }),
      ],
    },
    refreshes: ['lanes-map-outdated'],
  },
  {
    name: 'holds an aggregate that landed on a shard no map has shown, and refreshes whichever map is current',
    entries: [{ keys: ['user-1', 'user-8'], predicted: 'shard-parent' }],
    answer: {
      output: { FailedRecordCount: 0, Records: [{ ShardId: 'shard-new-child', SequenceNumber: '21' }] },
    },
    attempts: { 'user-1': [], 'user-8': [] },
    refreshes: ['unknown-shard'],
  },
  {
    name: 'fails the records whose time to live is over when a failed attempt ends, and retries the others',
    entries: [
      { keys: ['k1'], predicted: 'shard-a', expiresAt: ENDED_AT },
      { keys: ['k2'], predicted: 'shard-a' },
    ],
    answer: {
      output: {
        FailedRecordCount: 2,
        Records: [
          { ErrorCode: THROTTLED, ErrorMessage: 'slow down' },
          { ErrorCode: THROTTLED, ErrorMessage: 'slow down' },
        ],
      },
    },
    failed: { k1: 'RECORD_EXPIRED' },
    retried: { 'shard-a': ['k2'] },
    attempts: {
      k1: [attemptOf({ code: THROTTLED, message: 'slow down' }), EXPIRED_ATTEMPT],
      k2: [attemptOf({ code: THROTTLED, message: 'slow down' })],
    },
    throttled: [['shard-a', 50]],
  },
  {
    name: 'expires the records a timed-out call was cut short for, even when the timer fired a moment early',
    entries: [
      { keys: ['k1'], predicted: 'shard-a', expiresAt: STARTED_AT + 60 },
      { keys: ['k2'], predicted: 'shard-a' },
    ],
    answer: { error: new RequestTimeoutError(60) },
    completion: { timeoutMs: 60 }, // the deadline is 1,060 ms; the answer came at 1,040 ms
    failed: { k1: 'RECORD_EXPIRED' },
    retried: { 'shard-a': ['k2'] },
    throttled: [['shard-a', 50]],
  },
  {
    name: 'fails every record at once on an error retrying cannot fix',
    entries: [
      { keys: ['k1', 'k2'], predicted: 'shard-a' },
      { keys: ['k3'], predicted: 'shard-b' },
    ],
    answer: { error: accessDenied },
    failed: { k1: 'CANNOT_WRITE_STREAM', k2: 'CANNOT_WRITE_STREAM', k3: 'CANNOT_WRITE_STREAM' },
    attempts: { k3: [attemptOf({ code: 'AccessDeniedException', message: accessDenied.message })] },
  },
  {
    name: 'fails an entry refused for a reason retrying cannot fix, and writes the others',
    entries: [
      { keys: ['k1'], predicted: 'shard-a' },
      { keys: ['k2'], predicted: 'shard-a' },
    ],
    answer: {
      output: {
        FailedRecordCount: 1,
        Records: [
          { ErrorCode: 'KMSAccessDeniedException', ErrorMessage: 'no key' },
          { ShardId: 'shard-a', SequenceNumber: '12' },
        ],
      },
    },
    written: { k2: ['shard-a', '12'] },
    failed: { k1: 'RECORD_FAILED' },
    attempts: { k1: [attemptOf({ code: 'KMSAccessDeniedException', message: 'no key' })] },
  },
  {
    name: 'gives up on a record after maxAttempts',
    options: { maxAttempts: 1 },
    entries: [{ keys: ['k1'], predicted: 'shard-a' }],
    answer: {
      output: { FailedRecordCount: 1, Records: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }] },
    },
    failed: { k1: 'MAX_ATTEMPTS_EXCEEDED' },
    throttled: [['shard-a', 50]],
  },
  {
    name: 'retries every entry of an answer with another number of entries than the request',
    entries: [
      { keys: ['k1'], predicted: 'shard-a' },
      { keys: ['k2'], predicted: 'shard-a' },
    ],
    answer: { output: { FailedRecordCount: 0, Records: [{ ShardId: 'shard-a', SequenceNumber: '11' }] } },
    retried: { 'shard-a': ['k1', 'k2'] },
    attempts: {
      k1: [attemptOf({ code: 'RecordCountMismatch', message: 'PutRecords answered 1 entries for 2' })],
    },
    throttled: [['shard-a', 50]],
  },
];

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(ENDED_AT);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Retrier', () => {
  it.each(CASES)('$name', (spec) => {
    const retrier = retrierUnderTest(spec.options, [LOWER, UPPER]);
    retrier.retrier.complete(retrier.request(spec.entries), completion(spec.answer, spec.completion));

    expect(retrier.written()).toEqual(spec.written ?? {});
    expect(retrier.requeued).toEqual(spec.retried ?? {});
    expect(retrier.failed()).toEqual(spec.failed ?? {});
    for (const [key, attempts] of Object.entries(spec.attempts ?? {})) {
      expect(retrier.record(key).attempts, key).toEqual(attempts);
    }
    expect(retrier.refreshes).toEqual(spec.refreshes ?? []);
    expect(retrier.throttled).toEqual(spec.throttled ?? []);
  });

  it('hands a failed request’s error to the records it gives up on, as cause and last error code', () => {
    const retrier = retrierUnderTest();
    retrier.retrier.complete(
      retrier.request([{ keys: ['k1'], predicted: 'shard-a' }]),
      completion({ error: accessDenied }),
    );

    const outcome = retrier.outcome('k1');
    expect(outcome?.status).toBe('failed');
    const { error } = outcome as { error: RecordFailedError };
    expect(error.cause).toBe(accessDenied);
    expect(error.lastErrorCode).toBe('AccessDeniedException');
    expect(error.attemptCount).toBe(1);
  });

  it('sends retried records back in put order, due at once', () => {
    const retrier = retrierUnderTest();
    const request = retrier.request([
      { keys: ['k1'], predicted: 'shard-a' },
      { keys: ['k2'], predicted: 'shard-a' },
    ]);
    request.entries.reverse(); // the later record's entry came first in the request
    retrier.retrier.complete(request, completion({ error: throttledCall }));

    expect(retrier.requeued).toEqual({ 'shard-a': ['k1', 'k2'] });
    expect(retrier.record('k1').dueAt).toBe(ENDED_AT);
    expect(retrier.record('k2').dueAt).toBe(ENDED_AT);
  });

  it('backs a shard off longer each time it throttles again, and resets it once it takes everything', () => {
    const retrier = retrierUnderTest();
    const throttle = () =>
      retrier.retrier.complete(
        retrier.request([{ keys: ['k'], predicted: 'shard-a' }]),
        completion({ error: throttledCall }),
      );
    throttle();
    throttle();
    throttle();
    expect(retrier.throttled).toEqual([
      ['shard-a', 50],
      ['shard-a', 100],
      ['shard-a', 200],
    ]);
    expect(retrier.laneOf('shard-a').notBefore).toBe(ENDED_AT + 200);

    retrier.retrier.complete(
      retrier.request([{ keys: ['k'], predicted: 'shard-a' }]),
      completion({ output: { Records: [{ ShardId: 'shard-a', SequenceNumber: '1' }] } }),
    );
    expect(retrier.laneOf('shard-a').retryAttempt).toBe(0);
  });

  describe('an aggregate that landed on a shard no map has shown', () => {
    const landedOnNewChild = {
      output: { FailedRecordCount: 0, Records: [{ ShardId: 'shard-new-child', SequenceNumber: '21' }] },
    };
    const newChild = (range: OpenShard): OpenShard => ({ ...range, shardId: 'shard-new-child' });
    const wrongShard = attemptOf({
      code: 'WrongShard',
      message:
        'Aggregate predicted for shard-parent landed on shard-new-child, which does not hold all its records',
    });

    /** Completes a request whose aggregate of user-1 and user-8 (upper half) landed on the new child. */
    function heldAggregate() {
      const retrier = retrierUnderTest({}, [LOWER, UPPER]);
      retrier.retrier.complete(
        retrier.request([{ keys: ['user-1', 'user-8'], predicted: 'shard-parent' }]),
        completion(landedOnNewChild),
      );
      expect(retrier.retrier.undecidedCount).toBe(1);
      expect(retrier.laneOf('shard-parent').inFlight).toBe(1); // it still holds its lane back
      return retrier;
    }

    it('is written once the refreshed map shows the shard holds all its records', () => {
      const retrier = heldAggregate();
      retrier.learn(newChild(UPPER));
      retrier.retrier.decideUndecided(true);

      expect(retrier.written()).toEqual({
        'user-1': ['shard-new-child', '21'],
        'user-8': ['shard-new-child', '21'],
      });
      expect(retrier.record('user-1').attempts).toEqual([attemptOf()]);
      expect(retrier.requeued).toEqual({});
      expect(retrier.retrier.undecidedCount).toBe(0);
      expect(retrier.laneOf('shard-parent').inFlight).toBe(0);
    });

    it('is re-sent whole once the refreshed map shows the shard does not hold all its records', () => {
      const retrier = heldAggregate();
      retrier.learn(newChild(LOWER));
      retrier.retrier.decideUndecided(true);

      expect(retrier.written()).toEqual({});
      expect(retrier.requeued).toEqual({ 'shard-parent': ['user-1', 'user-8'] });
      expect(retrier.record('user-8').attempts).toEqual([wrongShard]);
      expect(retrier.laneOf('shard-parent').inFlight).toBe(0);
    });

    it('is re-sent whole when the map could not be fetched', () => {
      const retrier = heldAggregate();
      retrier.retrier.decideUndecided(false);

      expect(retrier.written()).toEqual({});
      expect(retrier.requeued).toEqual({ 'shard-parent': ['user-1', 'user-8'] });
      expect(retrier.record('user-1').attempts).toEqual([wrongShard]);
    });
  });

  describe('a record whose time to live is over outside a request', () => {
    it('fails as Expired while it waits for room in the buffer', () => {
      const retrier = retrierUnderTest();
      const record = retrier.newRecord('k1', ENDED_AT);
      retrier.retrier.expiredWaitingForRoom(record);

      expect(retrier.failed()).toEqual({ k1: 'RECORD_EXPIRED' });
      const { error } = retrier.outcome('k1') as { error: RecordFailedError };
      expect(error.lastErrorCode).toBe('Expired');
      expect(error.attempts).toEqual([{ ...EXPIRED_ATTEMPT, delayMs: ENDED_AT }]);
    });

    it('fails with its last real error when it waited in its lane after a failed attempt', () => {
      const retrier = retrierUnderTest();
      retrier.retrier.complete(
        retrier.request([{ keys: ['k1'], predicted: 'shard-a' }]),
        completion({ error: new RequestTimeoutError(6_000) }),
      );
      expect(retrier.requeued).toEqual({ 'shard-a': ['k1'] });
      vi.setSystemTime(ENDED_AT + 10);
      retrier.retrier.expiredInLane(retrier.pendingRecord('k1'), retrier.laneOf('shard-a'));

      const { error } = retrier.outcome('k1') as { error: RecordFailedError };
      expect(error.code).toBe('RECORD_EXPIRED');
      expect(error.lastErrorCode).toBe('RequestTimeout');
      expect(error.attempts.map((attempt) => attempt.errorCode)).toEqual(['RequestTimeout', 'Expired']);
      expect(error.attempts[1]).toMatchObject({ startedAt: ENDED_AT + 10, delayMs: 10 });
    });
  });
});
