import { describe, expect, it } from 'vitest';
import { HTTP2_PREFACE, sniffProtocol } from './protocol-sniff';

describe('sniffProtocol', () => {
  it('is undecided while the bytes are a prefix of the HTTP/2 preface, nothing included', () => {
    expect(sniffProtocol(new Uint8Array())).toBe('undecided');
    expect(sniffProtocol(Buffer.from('P'))).toBe('undecided');
    expect(sniffProtocol(HTTP2_PREFACE.subarray(0, 23))).toBe('undecided');
  });

  it('says http2 once the whole preface arrived, with or without frames after it', () => {
    expect(sniffProtocol(HTTP2_PREFACE)).toBe('http2');
    expect(sniffProtocol(Buffer.concat([HTTP2_PREFACE, Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]))).toBe(
      'http2',
    );
  });

  it('says http1 at the first byte that leaves the preface', () => {
    expect(sniffProtocol(Buffer.from('PO'))).toBe('http1');
    expect(sniffProtocol(Buffer.from('POST / HTTP/1.1\r\n'))).toBe('http1');
    expect(sniffProtocol(Buffer.from('GET / HTTP/1.1\r\n'))).toBe('http1');
    expect(sniffProtocol(Buffer.from('PRI * HTTP/1.1\r\n'))).toBe('http1');
  });
});
