import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './proxy-headers';

describe('upstreamRequestHeaders', () => {
  it('drops HTTP/2 pseudo-headers and takes host from :authority', () => {
    expect(
      upstreamRequestHeaders({
        ':method': 'POST',
        ':path': '/',
        ':authority': '127.0.0.1:4568',
        ':scheme': 'http',
        'x-amz-target': 'Kinesis_20131202.PutRecords',
        'content-length': '2',
      }),
    ).toEqual({
      host: '127.0.0.1:4568',
      'x-amz-target': 'Kinesis_20131202.PutRecords',
      'content-length': '2',
    });
  });

  it('keeps a host header the client sent (it is signed) over :authority', () => {
    expect(upstreamRequestHeaders({ ':authority': 'a:1', host: 'kinesis.local:4568' }).host).toBe(
      'kinesis.local:4568',
    );
  });

  it('drops hop-by-hop headers and those a connection header lists', () => {
    expect(
      upstreamRequestHeaders({
        host: 'h',
        connection: 'keep-alive, x-trace',
        'keep-alive': 'timeout=5',
        'x-trace': '1',
        te: 'trailers',
        'transfer-encoding': 'chunked',
        authorization: 'AWS4-HMAC-SHA256 …',
      }),
    ).toEqual({ host: 'h', authorization: 'AWS4-HMAC-SHA256 …' });
  });
});

describe('downstreamResponseHeaders', () => {
  it('keeps end-to-end headers and drops the ones HTTP/2 forbids', () => {
    expect(
      downstreamResponseHeaders({
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': 'r',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'set-cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': 'r',
      'set-cookie': ['a=1', 'b=2'],
    });
  });
});
