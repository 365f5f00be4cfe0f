/**
 * Which shard issued a sequence number. Kinesis sequence numbers are opaque, but those Kinesis issues
 * today (layout version 2, which the Java KCL also reads) are 186-bit numbers with the version, 2, in
 * bits 184 to 187 and the index of the shard (`shardId-000000000007` → 7) in bits 4 to 35; the local
 * emulator (kinesis-mock, LocalStack) writes the same layout. Anything else — another bit length or
 * version, a number written by hand in a test — is "cannot tell", never a mismatch.
 */

const VERSION_2 = 2n;
const BIT_LENGTH = 186n;
const VERSION_SHIFT = 184n;
const SHARD_INDEX_SHIFT = 4n;
const SHARD_INDEX_MASK = (1n << 32n) - 1n;
const SEQUENCE_NUMBER_DIGITS = /^[0-9]+$/;
const SHARD_ID = /^shardId-([0-9]{1,20})$/;

/** The index of the shard that issued `sequenceNumber`, or `undefined` when its layout is not known. */
export function shardIndexOfSequenceNumber(sequenceNumber: string): bigint | undefined {
  if (!SEQUENCE_NUMBER_DIGITS.test(sequenceNumber)) return undefined;
  const value = BigInt(sequenceNumber);
  // A bit length of exactly 186: 2^185 ≤ value < 2^186.
  if (value < 1n << (BIT_LENGTH - 1n) || value >= 1n << BIT_LENGTH) return undefined;
  if (((value >> VERSION_SHIFT) & 0xfn) !== VERSION_2) return undefined;
  return (value >> SHARD_INDEX_SHIFT) & SHARD_INDEX_MASK;
}

/** The index in a shard id of the usual form (`shardId-000000000007` → 7), else `undefined`. */
export function shardIndexOfShardId(shardId: string): bigint | undefined {
  const match = SHARD_ID.exec(shardId);
  return match ? BigInt(match[1]!) : undefined;
}

/**
 * The shard id that issued `sequenceNumber` when it can be told and differs from `shardId`;
 * `undefined` when it is that shard's, or when either cannot be read.
 */
export function otherShardOfSequenceNumber(sequenceNumber: string, shardId: string): string | undefined {
  const expected = shardIndexOfShardId(shardId);
  const actual = shardIndexOfSequenceNumber(sequenceNumber);
  if (expected === undefined || actual === undefined || actual === expected) return undefined;
  return `shardId-${actual.toString().padStart(12, '0')}`;
}
