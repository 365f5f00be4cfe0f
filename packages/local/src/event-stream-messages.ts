/**
 * Whole messages of an AWS event stream (the body of a SubscribeToShard response), for the front to
 * rewrite an event's payload. A message is: total length (4 bytes, big-endian), headers length (4),
 * CRC32 of those 8 bytes (4), the headers, the payload, CRC32 of everything before it (4). Pure.
 */
import * as zlib from 'node:zlib';

const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;

let table: Uint32Array | undefined;

/** CRC32 (IEEE 802.3, as zlib and the event stream use it), table-driven: for Node versions whose zlib has none. */
export function crc32Js(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** zlib's CRC32 (Node 20.15 and later), else the table-driven one. */
export const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data) => (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32(data) >>> 0
    : crc32Js;

/** Splits chunks into whole messages; keeps the start of an incomplete one for the next chunk. */
export class EventStreamMessages {
  private pending: Buffer = Buffer.alloc(0);

  /** Whether everything fed so far ends on a message boundary. */
  get atBoundary(): boolean {
    return this.pending.length === 0;
  }

  /** Feeds the next chunk; returns the messages it completes, in order. */
  feed(chunk: Buffer): Buffer[] {
    let buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (buffer.length >= 4) {
      // A length below the 4 bytes that state it: a stream this does not understand, one byte each.
      const total = Math.max(4, buffer.readUInt32BE(0));
      if (buffer.length < total) break;
      messages.push(buffer.subarray(0, total));
      buffer = buffer.subarray(total);
    }
    this.pending = buffer;
    return messages;
  }
}

/**
 * The message with its payload replaced by `rewrite(payload)`, lengths and checksums computed
 * again; the message itself when `rewrite` returns `undefined` or the message is not well formed.
 */
export function rewriteEventPayload(
  message: Buffer,
  rewrite: (payload: Buffer) => Buffer | undefined,
): Buffer {
  if (message.length < PRELUDE_BYTES + CRC_BYTES) return message;
  const total = message.readUInt32BE(0);
  const headersLength = message.readUInt32BE(4);
  const payloadStart = PRELUDE_BYTES + headersLength;
  if (total !== message.length || payloadStart > total - CRC_BYTES) return message;
  const payload = rewrite(message.subarray(payloadStart, total - CRC_BYTES));
  if (payload === undefined) return message;
  const length = payloadStart + payload.length + CRC_BYTES;
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(headersLength, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  message.copy(out, PRELUDE_BYTES, PRELUDE_BYTES, payloadStart);
  payload.copy(out, payloadStart);
  out.writeUInt32BE(crc32(out.subarray(0, length - CRC_BYTES)), length - CRC_BYTES);
  return out;
}
