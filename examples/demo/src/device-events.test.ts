import { mulberry32 } from '@kinesis-ts/local';
import { describe, expect, it } from 'vitest';
import { DeviceEventSource, decodeEvent, encodeEvent } from './device-events.js';

describe('DeviceEventSource', () => {
  it('never repeats an event id and numbers each device’s events 1, 2, 3…', () => {
    const source = new DeviceEventSource({ runId: 'run', random: mulberry32(1) });
    const events = Array.from({ length: 5_000 }, () => source.next());
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    const lastSeq = new Map<string, number>();
    for (const event of events) {
      expect(event.seq).toBe((lastSeq.get(event.deviceId) ?? 0) + 1);
      lastSeq.set(event.deviceId, event.seq);
    }
  });

  it('sends about the hot share of the events from the hot devices', () => {
    const source = new DeviceEventSource({
      runId: 'run',
      hotDevices: 3,
      hotShare: 0.3,
      random: mulberry32(2),
    });
    const hot = new Set(source.hot());
    const events = Array.from({ length: 10_000 }, () => source.next());
    const share = events.filter((event) => hot.has(event.deviceId)).length / events.length;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
  });

  it('round-trips an event through its bytes', () => {
    const event = new DeviceEventSource({ runId: 'r', now: () => 0 }).next();
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });
});
