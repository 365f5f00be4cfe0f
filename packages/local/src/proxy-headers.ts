import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Connection-specific headers (RFC 9110 section 7.6.1, RFC 9113 section 8.2.2): they describe one
 * hop, so a proxy never forwards them, and HTTP/2 forbids them.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'http2-settings',
]);

/** The header names a `connection` header lists (they are hop-by-hop too). */
function listedInConnection(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection;
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name.length > 0),
  );
}

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = listedInConnection(headers);
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || lower.startsWith(':') || HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    kept[lower] = value;
  }
  return kept;
}

/**
 * The headers of a request as forwarded to the emulator over HTTP/1.1: the end-to-end headers as the
 * client sent them (the signed ones unchanged), without HTTP/2 pseudo-headers or hop-by-hop
 * headers, and with `host` taken from `:authority` when an HTTP/2 client sent no `host`.
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept = endToEnd(headers);
  const authority = headers[':authority'];
  if (kept.host === undefined && typeof authority === 'string') kept.host = authority;
  return kept;
}

/**
 * The headers of the emulator's response as sent back to the client (over HTTP/2 or HTTP/1.1):
 * the end-to-end headers, lowercased, without hop-by-hop ones (the front frames the body itself).
 */
export function downstreamResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return endToEnd(headers);
}
