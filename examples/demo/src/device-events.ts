/**
 * The demo's traffic: telemetry from a fleet of devices, keyed by device id (so each device's events
 * stay in order on one shard), with a few hot devices sending a large share of the events.
 */

/** One event as the producer sends it (JSON) and the consumers parse it. */
export interface DeviceEvent {
  /** Unique per event: the idempotency key. */
  readonly eventId: string;
  /** The partition key. */
  readonly deviceId: string;
  /** The device's own counter, 1, 2, 3… */
  readonly seq: number;
  readonly type: 'temperature' | 'humidity' | 'door' | 'battery';
  readonly value: number;
  /** When the event was made, ISO 8601. */
  readonly at: string;
}

export interface DeviceEventSourceOptions {
  /** Prefix of every event id, unique per run. */
  readonly runId: string;
  /** How many devices. @defaultValue 500 */
  readonly devices?: number;
  /** How many of them are hot. @defaultValue 3 */
  readonly hotDevices?: number;
  /** The share of all events the hot devices send together. @defaultValue 0.3 */
  readonly hotShare?: number;
  /** Uniform numbers in [0, 1). @defaultValue Math.random */
  readonly random?: () => number;
  /** The clock. @defaultValue Date.now */
  readonly now?: () => number;
}

const TYPES: readonly DeviceEvent['type'][] = ['temperature', 'temperature', 'humidity', 'door', 'battery'];

export function deviceId(index: number): string {
  return `device-${String(index).padStart(4, '0')}`;
}

/** Makes events one at a time; `next()` never repeats an event id. */
export class DeviceEventSource {
  private readonly devices: number;
  private readonly hotDevices: number;
  private readonly hotShare: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly sequences = new Map<string, number>();
  private count = 0;

  constructor(private readonly options: DeviceEventSourceOptions) {
    this.devices = options.devices ?? 500;
    this.hotDevices = Math.min(options.hotDevices ?? 3, this.devices);
    this.hotShare = options.hotShare ?? 0.3;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** The ids of the hot devices. */
  hot(): string[] {
    return Array.from({ length: this.hotDevices }, (_, index) => deviceId(index));
  }

  next(): DeviceEvent {
    const hot = this.hotDevices > 0 && this.random() < this.hotShare;
    const index = hot
      ? Math.floor(this.random() * this.hotDevices)
      : this.hotDevices + Math.floor(this.random() * (this.devices - this.hotDevices));
    const id = deviceId(index);
    const seq = (this.sequences.get(id) ?? 0) + 1;
    this.sequences.set(id, seq);
    const type = TYPES[Math.floor(this.random() * TYPES.length)] ?? 'temperature';
    this.count++;
    return {
      eventId: `${this.options.runId}-${this.count}`,
      deviceId: id,
      seq,
      type,
      value: readingValue(type, this.random()),
      at: new Date(this.now()).toISOString(),
    };
  }
}

function readingValue(type: DeviceEvent['type'], draw: number): number {
  switch (type) {
    case 'temperature':
      return Math.round((18 + draw * 10) * 10) / 10;
    case 'humidity':
      return Math.round(30 + draw * 40);
    case 'door':
      return draw < 0.5 ? 0 : 1;
    case 'battery':
      return Math.round(draw * 100);
  }
}

export function encodeEvent(event: DeviceEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}

export function decodeEvent(data: Uint8Array): DeviceEvent {
  return JSON.parse(new TextDecoder().decode(data)) as DeviceEvent;
}
