/** The records of the stream: sensor readings, as JSON, keyed by sensor. */

export interface Reading {
  /** Unique per reading: the idempotency key. */
  readonly readingId: string;
  readonly sensorId: string;
  readonly celsius: number;
  readonly at: string;
}

/** Reads a reading; throws on anything else (such a record ends as a dead letter). */
export function parseReading(data: Uint8Array): Reading {
  const value = JSON.parse(new TextDecoder().decode(data)) as Partial<Reading>;
  if (
    typeof value.readingId !== 'string' ||
    typeof value.sensorId !== 'string' ||
    typeof value.celsius !== 'number'
  ) {
    throw new Error('not a reading: readingId, sensorId and celsius are required');
  }
  return value as Reading;
}

export function encodeReading(reading: Reading): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(reading));
}
