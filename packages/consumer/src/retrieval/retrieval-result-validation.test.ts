import { describe, expect, it } from 'vitest';
import { validateRetrievalResult } from './retrieval-result-validation.js';

const child = (shardId: string, parents: string[] = ['shardId-0']) => ({
  ShardId: shardId,
  ParentShards: parents,
  HashKeyRange: { StartingHashKey: '0', EndingHashKey: '99' },
});

describe('validateRetrievalResult (the KCL isValidResult rules, §5.3)', () => {
  it('accepts a continuing shard: an iterator or continuation number and no children', () => {
    expect(validateRetrievalResult('iterator-1', undefined)).toEqual({ valid: true, shardEnd: false });
    expect(validateRetrievalResult('4968', [])).toEqual({ valid: true, shardEnd: false });
  });

  it('accepts a shard end: no iterator and children that name their parents', () => {
    expect(validateRetrievalResult(undefined, [child('shardId-1'), child('shardId-2')])).toEqual({
      valid: true,
      shardEnd: true,
    });
    expect(validateRetrievalResult(null, [child('shardId-3', ['shardId-1', 'shardId-2'])])).toEqual({
      valid: true,
      shardEnd: true,
    });
  });

  it('refuses an end without children, which would checkpoint SHARD_END and orphan the children', () => {
    expect(validateRetrievalResult(undefined, undefined)).toEqual({
      valid: false,
      reason: 'end-without-children',
    });
    expect(validateRetrievalResult(null, [])).toEqual({ valid: false, reason: 'end-without-children' });
    expect(validateRetrievalResult('', [])).toEqual({ valid: false, reason: 'end-without-children' });
  });

  it('refuses children before the end', () => {
    expect(validateRetrievalResult('iterator-1', [child('shardId-1')])).toEqual({
      valid: false,
      reason: 'children-before-end',
    });
  });

  it('refuses a child without parents, or without an id or hash range', () => {
    expect(validateRetrievalResult(undefined, [child('shardId-1'), child('shardId-2', [])])).toEqual({
      valid: false,
      reason: 'child-without-parents',
    });
    expect(
      validateRetrievalResult(undefined, [{ ShardId: 'shardId-1', ParentShards: ['shardId-0'] }]),
    ).toEqual({
      valid: false,
      reason: 'malformed-child',
    });
    expect(validateRetrievalResult(undefined, [{ ...child('x'), ShardId: undefined }])).toEqual({
      valid: false,
      reason: 'malformed-child',
    });
  });
});
