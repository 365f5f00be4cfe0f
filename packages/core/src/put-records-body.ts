/**
 * The body of a Kinesis `PutRecords` request in the AWS JSON 1.1 protocol, written in one pass into
 * a buffer allocated once at its final size.
 *
 * Why not leave it to the SDK: the JSON codec of schema-based SDK clients (`@aws-sdk/client-kinesis`
 * with `@smithy/core` 3, read in 3.41) writes each record's base64 one byte at a time into a buffer
 * that starts small and doubles (zero-filled, copied) as it grows. Here each record's base64 is
 * written four characters per store (see {@link writeBase64}) into a buffer allocated once. Node's own encoder
 * (`Buffer#toString('base64')`) is faster per byte but makes a string per record: the 50 KiB
 * aggregates of a 10 MiB request made 14 MB of young garbage, and a 9.5 MiB record a 12.7 MB string
 * in fresh memory, both dearer than the encoding they saved (docs/benchmarks.md).
 *
 * The JSON is the one the SDK writes, except for up to three spaces before each `Data` string (JSON
 * allows whitespace between tokens): they start every base64 string on a 4-byte boundary.
 */

/** One entry of the request, as the SDK's `PutRecordsRequestEntry` has it. */
export interface PutRecordsBodyEntry {
  readonly Data?: Uint8Array;
  readonly PartitionKey?: string;
  readonly ExplicitHashKey?: string;
}

/** The request, as the SDK's `PutRecordsInput` has it. */
export interface PutRecordsBodyInput {
  readonly Records?: readonly PutRecordsBodyEntry[];
  readonly StreamName?: string;
  readonly StreamARN?: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='
const QUOTE = 0x22;
const SPACE = 0x20;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const EMPTY = new Uint8Array(0);

/** The base64 character of each 6-bit value. */
const CHARACTERS = Uint8Array.from(ALPHABET, (character) => character.charCodeAt(0));

/**
 * The two base64 characters of each 12-bit value, the first in the low byte: a 32-bit store of
 * `PAIRS[high] | (PAIRS[low] << 16)` writes four characters in order on a little-endian machine.
 */
const PAIRS = new Uint32Array(4096).map(
  (_, value) => CHARACTERS[value >> 6]! | (CHARACTERS[value & 63]! << 8),
);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The body of `input` as AWS JSON 1.1, its members in the SDK's order (`Records`, `StreamName`, `StreamARN`). */
export function writePutRecordsBody(input: PutRecordsBodyInput): Buffer {
  const records = input.Records ?? [];
  let bound = 64 + jsonStringBound(input.StreamName) + jsonStringBound(input.StreamARN);
  for (const record of records) {
    bound +=
      64 + // punctuation, member names and alignment spaces: 50 bytes at most
      base64Length(record.Data?.byteLength ?? 0) +
      jsonStringBound(record.ExplicitHashKey) +
      jsonStringBound(record.PartitionKey);
  }
  const out = Buffer.allocUnsafeSlow(bound); // its own memory: byteOffset 0, so 4-byte stores align
  const words = LITTLE_ENDIAN ? new Uint32Array(out.buffer, 0, out.buffer.byteLength >> 2) : undefined;
  let at = writeAscii('{"Records":[', out, 0);
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    at = writeAscii(index === 0 ? '{"Data":' : ',{"Data":', out, at);
    while ((at + 1) & 3) out[at++] = SPACE;
    out[at++] = QUOTE;
    at = writeBase64(record.Data ?? EMPTY, out, words, at);
    out[at++] = QUOTE;
    if (record.ExplicitHashKey !== undefined) {
      at = writeJsonString(record.ExplicitHashKey, out, writeAscii(',"ExplicitHashKey":', out, at));
    }
    if (record.PartitionKey !== undefined) {
      at = writeJsonString(record.PartitionKey, out, writeAscii(',"PartitionKey":', out, at));
    }
    out[at++] = CLOSE_BRACE;
  }
  out[at++] = CLOSE_BRACKET;
  if (input.StreamName !== undefined)
    at = writeJsonString(input.StreamName, out, writeAscii(',"StreamName":', out, at));
  if (input.StreamARN !== undefined)
    at = writeJsonString(input.StreamARN, out, writeAscii(',"StreamARN":', out, at));
  out[at++] = CLOSE_BRACE;
  // Writes past the end of a Buffer are dropped silently: a bound too small must not send a cut body.
  if (at > out.byteLength) throw new RangeError(`PutRecords body of ${at} bytes above its bound ${bound}`);
  return out.subarray(0, at);
}

/** The most bytes `value` takes as a JSON string: an escape (`\u001f`) is 6 bytes, a UTF-16 unit at most 3. */
function jsonStringBound(value: string | undefined): number {
  return value === undefined ? 0 : 2 + 6 * value.length;
}

/** Writes `text` (ASCII, known here) into `out` from `at`; returns where it ended. */
function writeAscii(text: string, out: Buffer, at: number): number {
  for (let index = 0; index < text.length; index++) out[at++] = text.charCodeAt(index);
  return at;
}

/**
 * Writes `value` as a JSON string into `out` from `at`; returns where it ended. Printable ASCII
 * without quotes or backslashes (partition keys, as a rule) is copied as it is; anything else is
 * written as `JSON.stringify` escapes it, in UTF-8.
 */
function writeJsonString(value: string, out: Buffer, at: number): number {
  const start = at;
  out[at++] = QUOTE;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) {
      return start + out.write(JSON.stringify(value), start, 'utf8');
    }
    out[at++] = code;
  }
  out[at++] = QUOTE;
  return at;
}

/** The length of the base64 of `byteLength` bytes, padding included. */
export function base64Length(byteLength: number): number {
  return Math.ceil(byteLength / 3) * 4;
}

/**
 * Writes the base64 of `data` (with `=` padding) into `out` from `at`; returns where it ended. With
 * `words` (a 32-bit view of the whole of `out.buffer`, from its start, on a little-endian machine)
 * and `at` on a 4-byte boundary of that memory, each 3 bytes are written as one 32-bit store of 4
 * characters; otherwise one byte at a time.
 */
export function writeBase64(
  data: Uint8Array,
  out: Buffer,
  words: Uint32Array | undefined,
  at: number,
): number {
  const length = data.byteLength;
  const whole = length - (length % 3);
  let index = 0;
  if (words !== undefined && ((out.byteOffset + at) & 3) === 0) {
    let word = (out.byteOffset + at) >> 2;
    for (; index < whole; index += 3) {
      const bits = (data[index]! << 16) | (data[index + 1]! << 8) | data[index + 2]!;
      words[word++] = PAIRS[bits >>> 12]! | (PAIRS[bits & 4095]! << 16);
    }
    at = (word << 2) - out.byteOffset;
  } else {
    for (; index < whole; index += 3) {
      const a = data[index]!;
      const b = data[index + 1]!;
      const c = data[index + 2]!;
      out[at++] = CHARACTERS[a >> 2]!;
      out[at++] = CHARACTERS[((a & 3) << 4) | (b >> 4)]!;
      out[at++] = CHARACTERS[((b & 15) << 2) | (c >> 6)]!;
      out[at++] = CHARACTERS[c & 63]!;
    }
  }
  if (length - whole === 1) {
    const a = data[whole]!;
    out[at++] = CHARACTERS[a >> 2]!;
    out[at++] = CHARACTERS[(a & 3) << 4]!;
    out[at++] = PAD;
    out[at++] = PAD;
  } else if (length - whole === 2) {
    const a = data[whole]!;
    const b = data[whole + 1]!;
    out[at++] = CHARACTERS[a >> 2]!;
    out[at++] = CHARACTERS[((a & 3) << 4) | (b >> 4)]!;
    out[at++] = CHARACTERS[(b & 15) << 2]!;
    out[at++] = PAD;
  }
  return at;
}
