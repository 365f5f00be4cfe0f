import { describe, expect, it } from 'vitest';
import { EventStreamBoundary } from './event-stream-boundary';

/** A message of `total` bytes as the event stream frames it: its length first, big-endian. */
function message(total: number, fill: number): Buffer {
  const bytes = Buffer.alloc(total, fill);
  bytes.writeUInt32BE(total, 0);
  return bytes;
}

describe('EventStreamBoundary', () => {
  it('finds the end of each message in one chunk', () => {
    const boundary = new EventStreamBoundary();
    const chunk = Buffer.concat([message(20, 1), message(300, 2), message(16, 3)]);
    expect(boundary.feed(chunk)).toEqual([20, 320, 336]);
    expect(boundary.atBoundary).toBe(true);
  });

  it('follows messages split across chunks, the length prefix included', () => {
    const boundary = new EventStreamBoundary();
    const stream = Buffer.concat([message(70_000, 1), message(20, 2)]);
    const ends: number[] = [];
    let offset = 0;
    // chunks of 3 bytes cut the 4-byte length of the second message in two
    for (const size of [2, 3, 69_990, 7, 3, 15]) {
      const chunk = stream.subarray(offset, offset + size);
      ends.push(...boundary.feed(chunk).map((end) => offset + end));
      offset += chunk.length;
      if (offset === 70_000 + 3) expect(boundary.atBoundary).toBe(false);
    }
    expect(ends).toEqual([70_000, 70_020]);
    expect(boundary.atBoundary).toBe(true);
  });

  it('is not at a boundary in the middle of a message', () => {
    const boundary = new EventStreamBoundary();
    expect(boundary.feed(message(100, 1).subarray(0, 50))).toEqual([]);
    expect(boundary.atBoundary).toBe(false);
    expect(boundary.feed(Buffer.alloc(50))).toEqual([50]);
    expect(boundary.atBoundary).toBe(true);
  });
});
