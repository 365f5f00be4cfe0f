import { describe, expect, it } from 'vitest';
import { crc32, crc32Js, EventStreamMessages, rewriteEventPayload } from './event-stream-messages';

/** An event-stream message with one string header, as the service frames it. */
function message(eventType: string, payload: string): Buffer {
  const name = Buffer.from(':event-type');
  const value = Buffer.from(eventType);
  const headers = Buffer.concat([
    Buffer.from([name.length]),
    name,
    Buffer.from([7, value.length >> 8, value.length & 0xff]),
    value,
  ]);
  const body = Buffer.from(payload);
  const total = 12 + headers.length + body.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headers.length, 4);
  out.writeUInt32BE(crc32Js(out.subarray(0, 8)), 8);
  headers.copy(out, 12);
  body.copy(out, 12 + headers.length);
  out.writeUInt32BE(crc32Js(out.subarray(0, total - 4)), total - 4);
  return out;
}

describe('event-stream messages', () => {
  it('computes the CRC32 of the event stream (check value of "123456789"), with or without zlib', () => {
    const data = Buffer.from('123456789');
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32Js(data)).toBe(0xcbf43926);
    const random = Buffer.from(Array.from({ length: 1_000 }, (_, i) => (i * 7919) & 0xff));
    expect(crc32(random)).toBe(crc32Js(random));
  });

  it('splits chunks into whole messages, whatever the cuts', () => {
    const stream = Buffer.concat([message('a', '{"x":1}'), message('b', '{}'), message('c', '{"y":[1,2]}')]);
    for (const cut of [1, 3, 4, 5, 17, stream.length]) {
      const splitter = new EventStreamMessages();
      const out: Buffer[] = [];
      for (let at = 0; at < stream.length; at += cut)
        out.push(...splitter.feed(stream.subarray(at, at + cut)));
      expect(Buffer.concat(out).equals(stream)).toBe(true);
      expect(out).toHaveLength(3);
      expect(splitter.atBoundary).toBe(true);
    }
    const splitter = new EventStreamMessages();
    splitter.feed(stream.subarray(0, 10));
    expect(splitter.atBoundary).toBe(false);
  });

  it('replaces a payload and frames the message again: lengths and both checksums', () => {
    const original = message('SubscribeToShardEvent', '{"Records":[]}');
    const longer = '{"Records":[{"Data":"QUJD"}]}';
    const rewritten = rewriteEventPayload(original, () => Buffer.from(longer));
    expect(rewritten.equals(message('SubscribeToShardEvent', longer))).toBe(true);
    expect(rewriteEventPayload(original, () => undefined)).toBe(original);
    // Not a whole message: left alone.
    expect(rewriteEventPayload(original.subarray(0, 20), () => Buffer.from('x'))).toEqual(
      original.subarray(0, 20),
    );
  });
});
