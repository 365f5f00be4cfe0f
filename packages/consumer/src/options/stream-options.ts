import { describeValue, type StreamReference, validateIntegerOption } from '@kinesis-ts/core';
import type { FormerStreamsLeasesDeletion } from '../coordinator/former-streams-plan.js';
import { checkStreamConfigs, type StreamsSource } from '../coordinator/stream-config.js';
import type { InitialPosition } from '../retrieval/initial-position.js';
import { DAY_MS, invalid } from './option-checks.js';

export const INITIAL_POSITION_LIMIT = "'LATEST', 'TRIM_HORIZON' or { timestamp: Date | epoch ms }";

export function checkInitialPosition(value: unknown, field: string): InitialPosition {
  const limit = INITIAL_POSITION_LIMIT;
  if (value === 'LATEST' || value === 'TRIM_HORIZON') return value;
  if (value !== null && typeof value === 'object' && 'timestamp' in value) {
    const timestamp = (value as { timestamp: unknown }).timestamp;
    const time =
      timestamp instanceof Date
        ? timestamp.getTime()
        : typeof timestamp === 'number'
          ? timestamp
          : Number.NaN;
    if (Number.isFinite(time)) return { timestamp: new Date(time) };
    throw invalid(field, limit, `timestamp ${describeValue(timestamp)} is not a valid date`);
  }
  throw invalid(field, limit, `got ${value === undefined ? 'nothing' : describeValue(value)}`);
}

/**
 * `stream` in a multi-stream application: never sent (each stream's parts get their own), only a
 * marker that the single-stream parts are not used.
 */
export const MULTI_STREAM: StreamReference = Object.freeze({ streamName: '(multi-stream)' });

export function checkFormerStreamsLeasesDeletion(value: unknown, field: string): FormerStreamsLeasesDeletion {
  const limit =
    "'none', { strategy: 'auto-detect-deferred', waitMs } or { strategy: 'provided-deferred', waitMs, streamIdentifiers }";
  if (value === 'none') return value;
  if (value === null || typeof value !== 'object') throw invalid(field, limit, `got ${describeValue(value)}`);
  const given = value as { strategy?: unknown; waitMs?: unknown; streamIdentifiers?: unknown };
  if (given.strategy !== 'auto-detect-deferred' && given.strategy !== 'provided-deferred') {
    throw invalid(`${field}.strategy`, limit, `got ${describeValue(given.strategy)}`);
  }
  validateIntegerOption(`${field}.waitMs`, given.waitMs, 0, DAY_MS * 30);
  if (given.strategy === 'provided-deferred' && typeof given.streamIdentifiers !== 'function') {
    throw invalid(
      `${field}.streamIdentifiers`,
      'a function returning the stream identifiers whose leases to delete',
      `got ${describeValue(given.streamIdentifiers)}`,
    );
  }
  return value as FormerStreamsLeasesDeletion;
}

export function checkStreams(value: unknown, field: string): StreamsSource {
  if (typeof value === 'function') return value as StreamsSource;
  checkStreamConfigs(value, { field, checkInitialPosition });
  return value as StreamsSource;
}
