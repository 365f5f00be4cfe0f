/** The client connection preface that opens every HTTP/2 connection (RFC 9113, section 3.4). */
export const HTTP2_PREFACE: Buffer = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** What the first bytes of a connection say about its protocol. */
export type SniffedProtocol = 'http1' | 'http2' | 'undecided';

/**
 * Classifies a cleartext connection by its first bytes: `http2` once the whole HTTP/2 preface
 * arrived (prior-knowledge h2c, what the AWS SDK's `NodeHttp2Handler` sends to an `http://`
 * endpoint), `http1` as soon as a byte differs from it (an HTTP/1.1 request line never starts with
 * `PRI * HTTP/2.0`), `undecided` while every byte so far matches a prefix of it.
 */
export function sniffProtocol(bytes: Uint8Array): SniffedProtocol {
  const compared = Math.min(bytes.length, HTTP2_PREFACE.length);
  for (let index = 0; index < compared; index++) {
    if (bytes[index] !== HTTP2_PREFACE[index]) return 'http1';
  }
  return bytes.length >= HTTP2_PREFACE.length ? 'http2' : 'undecided';
}
