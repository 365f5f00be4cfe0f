/**
 * Sequence numbers in the layout Kinesis issues (version 2), built the way the local emulator builds
 * them: version 2, the shard's creation time, the low hex digit of the shard index, a per-shard
 * counter, a byte, the record's time, the shard index, and a final 2. Shards created together order
 * by the low digit of their index and then by the counter, so shards 1 and 17 interleave.
 */
export function v2SequenceNumber(shardIndex: number, counter: number): string {
  const hex =
    '2' +
    '065f0a1b0' + // shard creation time, seconds (9 hex digits)
    (shardIndex % 16).toString(16) +
    counter.toString(16).padStart(16, '0') +
    '00' +
    '065f0a1b5' + // record time, seconds
    shardIndex.toString(16).padStart(8, '0') +
    '2';
  return BigInt(`0x${hex}`).toString();
}
