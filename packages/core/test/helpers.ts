/** Small helpers shared by the core tests. */

export const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The worked example's user records, with their data as bytes. */
export function toUserRecords(
  records: readonly { partitionKey: string; data: string; explicitHashKey?: string }[],
): { partitionKey: string; data: Uint8Array; explicitHashKey?: string }[] {
  return records.map((record) => ({ ...record, data: utf8(record.data) }));
}
