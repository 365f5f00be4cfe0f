/**
 * The soak's records: partition key `k<n>` and, as data, the key and its own sequence number
 * (`k7:42`: the 42nd record of key k7). The producer numbers each key's records 1, 2, 3… in put order,
 * so a consumer that keeps each key in order sees each key's numbers increase.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One keyed record: its partition key and its number within that key. */
export interface KeyedRecord {
  readonly key: string;
  readonly seq: number;
}

/** The partition key of the `index`-th key. */
export function keyName(index: number): string {
  return `k${index}`;
}

/** The record's data: `key:seq`. */
export function encodeKeyedRecord(record: KeyedRecord): Uint8Array {
  return encoder.encode(`${record.key}:${record.seq}`);
}

/** Reads `key:seq` back; undefined for data the soak did not write. */
export function decodeKeyedRecord(data: Uint8Array): KeyedRecord | undefined {
  const text = decoder.decode(data);
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const seq = Number(text.slice(colon + 1));
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { key: text.slice(0, colon), seq };
}

/** `key#seq`: one string per keyed record, for sets and maps. */
export function recordId(record: KeyedRecord): string {
  return `${record.key}#${record.seq}`;
}

/** Hands out records over `keys` keys, the key chosen by `random`, each key numbered from 1. */
export class KeyedRecordSource {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly keys: number,
    private readonly random: () => number,
  ) {}

  take(): KeyedRecord {
    const key = keyName(Math.floor(this.random() * this.keys));
    const seq = (this.next.get(key) ?? 0) + 1;
    this.next.set(key, seq);
    return { key, seq };
  }
}
