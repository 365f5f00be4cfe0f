import { describe, expect, it } from 'vitest';
import { TypedEventEmitter } from './consumer-events.js';

interface Events {
  tick: { n: number };
}

class Emitter extends TypedEventEmitter<Events> {
  fire(n: number): void {
    this.emit('tick', { n });
  }
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
  });

  it('reports a throwing listener instead of throwing into the emitting code, and still calls the others', () => {
    const reported: string[] = [];
    const emitter = new (class extends TypedEventEmitter<Events> {
      constructor() {
        super((event, error) => reported.push(`${event}: ${(error as Error).message}`));
      }
      fire(): void {
        this.emit('tick', { n: 1 });
      }
    })();
    let called = false;
    emitter.on('tick', () => {
      throw new Error('bad listener');
    });
    emitter.on('tick', () => {
      called = true;
    });
    expect(() => emitter.fire()).not.toThrow();
    expect(called).toBe(true);
    expect(reported).toEqual(['tick: bad listener']);
  });
});
