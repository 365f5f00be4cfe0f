import { describe, expect, it } from 'vitest';
import { RateWindow, RateWindows } from './rate-window';

describe('RateWindow', () => {
  it('takes up to the capacity within one window and refuses the rest', () => {
    const window = new RateWindow(1_000);
    expect(window.tryTake(0, 500)).toBe(true);
    expect(window.tryTake(10, 500)).toBe(true);
    expect(window.tryTake(20, 1)).toBe(false);
    expect(window.available(999)).toBe(0);
  });

  it('gives units back exactly one window after they were taken, not before', () => {
    const window = new RateWindow(5);
    for (let call = 0; call < 5; call++) expect(window.tryTake(call * 100, 1)).toBe(true);
    expect(window.tryTake(999, 1)).toBe(false); // six calls within a second: the sixth is refused
    expect(window.tryTake(1_000, 1)).toBe(true); // the first call's unit is back
    expect(window.tryTake(1_050, 1)).toBe(false);
    expect(window.tryTake(1_100, 1)).toBe(true);
  });

  it('refuses a cost that does not fit whole, while a smaller one still fits', () => {
    const window = new RateWindow(1_048_576);
    expect(window.tryTake(0, 1_000_000)).toBe(true);
    expect(window.tryTake(1, 100_000)).toBe(false);
    expect(window.tryTake(2, 48_576)).toBe(true);
  });

  it('takes a cost above the capacity only from an idle window, and holds it for as many windows as it fills', () => {
    const window = new RateWindow(2, 1_000);
    window.charge(0, 1);
    expect(window.tryTake(10, 5)).toBe(false); // not idle
    expect(window.tryTake(1_000, 5)).toBe(true); // idle: a burst
    expect(window.available(3_400)).toBe(-3); // 5 units at 2 per window come back after 2.5 windows
    expect(window.available(3_500)).toBe(2);
  });

  it('charges a cost known afterwards even beyond the capacity, blocking takes until it is paid back', () => {
    const mib = 1_048_576;
    const reads = new RateWindow(2 * mib);
    expect(reads.available(0) > 0).toBe(true);
    reads.charge(0, 10 * mib); // a GetRecords that returned 10 MiB
    expect(reads.available(4_999)).toBeLessThanOrEqual(0); // blocked for the next 5 seconds
    expect(reads.available(5_000)).toBe(2 * mib);
  });

  it('is idle once everything taken is back', () => {
    const window = new RateWindow(3);
    expect(window.idle(0)).toBe(true);
    window.tryTake(0, 1);
    window.tryTake(0, 1); // the same instant: merged
    expect(window.idle(999)).toBe(false);
    expect(window.idle(1_000)).toBe(true);
  });

  it('keeps its accounting over many windows of small takes', () => {
    const window = new RateWindow(10, 100);
    let taken = 0;
    for (let now = 0; now < 10_000; now += 5) if (window.tryTake(now, 1)) taken += 1;
    expect(taken).toBe(1_000); // 10 per 100 ms over 10 s
  });

  it('refuses a capacity or a window of 0', () => {
    expect(() => new RateWindow(0)).toThrow(RangeError);
    expect(() => new RateWindow(1, 0)).toThrow(RangeError);
  });
});

describe('RateWindows', () => {
  it('keeps one window per key, with the capacity given for the key', () => {
    const windows = new RateWindows((key) => (key.startsWith('stream/') ? 1_000 : 5));
    expect(windows.get('stream/a', 0).capacity).toBe(1_000);
    expect(windows.get('account', 0).capacity).toBe(5);
    expect(windows.get('stream/a', 0)).toBe(windows.get('stream/a', 1));
  });

  it('drops idle windows', () => {
    const windows = new RateWindows(() => 1);
    windows.get('a', 0).tryTake(0, 1);
    windows.get('b', 0);
    expect(windows.size).toBe(2);
    windows.get('c', 1_000); // a sweep: 'a' is back to idle, 'b' never took anything
    expect(windows.size).toBe(1);
  });
});
