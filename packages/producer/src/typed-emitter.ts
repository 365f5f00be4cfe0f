import { EventEmitter } from 'node:events';

/**
 * An event emitter whose event names and payloads are checked by the compiler. `events` maps each
 * event name to its listener's arguments.
 */
export class TypedEmitter<Events extends { [E in keyof Events]: unknown[] }> {
  private readonly emitter = new EventEmitter();

  /** Calls `listener` on every `event`. */
  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Calls `listener` on the next `event` only. */
  once<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Stops calling `listener`. */
  off<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Whether anyone listens to `event` (so that costly payloads are built only when needed). */
  hasListeners<E extends keyof Events & string>(event: E): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  /** Calls the listeners of `event`. A listener that throws does not stop the others or the caller. */
  emit<E extends keyof Events & string>(event: E, ...args: Events[E]): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (...a: Events[E]) => void)(...args);
      } catch {
        // A listener's bug must not break the pipeline that reports to it.
      }
    }
  }
}
