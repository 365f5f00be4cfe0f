import { describe, expect, it } from 'vitest';
import type { Logger } from './logger.js';
import { TypedEventEmitter } from './typed-event-emitter.js';

type Events = { tick: { n: number }; other: { s: string } };

class Emitter extends TypedEventEmitter<Events> {
  fire(n: number): void {
    this.emit('tick', { n });
  }
}

function recordingLogger(): Logger & { warnings: [string, Record<string, unknown> | undefined][] } {
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  return {
    warnings,
    debug() {},
    info() {},
    error() {},
    warn: (message, context) => warnings.push([message, context]),
  };
}

describe('TypedEventEmitter', () => {
  it('calls on-listeners every time and once-listeners once', () => {
    const emitter = new Emitter();
    const seen: string[] = [];
    emitter.on('tick', ({ n }) => seen.push(`on ${n}`));
    emitter.once('tick', ({ n }) => seen.push(`once ${n}`));
    emitter.fire(1);
    emitter.fire(2);
    expect(seen).toEqual(['on 1', 'once 1', 'on 2']);
  });

  it('removes listeners with off', () => {
    const emitter = new Emitter();
    const seen: number[] = [];
    const listener = ({ n }: { n: number }) => seen.push(n);
    emitter.on('tick', listener);
    emitter.fire(1);
    emitter.off('tick', listener);
    emitter.fire(2);
    expect(seen).toEqual([1]);
    expect(emitter.hasListeners('tick')).toBe(false);
  });

  it('says whether an event has listeners', () => {
    const emitter = new Emitter();
    emitter.once('tick', () => {});
    expect(emitter.hasListeners('tick')).toBe(true);
    expect(emitter.hasListeners('other')).toBe(false);
    emitter.fire(1);
    expect(emitter.hasListeners('tick')).toBe(false);
  });

  it('reports a throwing listener to the logger instead of throwing into the emitting code, and still calls the others', () => {
    const logger = recordingLogger();
    const emitter = new (class extends Emitter {})(logger);
    let called = false;
    emitter.on('tick', () => {
      throw new Error('bad listener');
    });
    emitter.on('tick', () => {
      called = true;
    });
    expect(() => emitter.fire(1)).not.toThrow();
    expect(called).toBe(true);
    expect(logger.warnings).toEqual([
      ['An event listener threw', { event: 'tick', error: 'Error: bad listener' }],
    ]);
  });

  it('swallows a throwing listener when no logger is given', () => {
    const emitter = new Emitter();
    emitter.on('tick', () => {
      throw new Error('bad listener');
    });
    expect(() => emitter.fire(1)).not.toThrow();
  });
});
