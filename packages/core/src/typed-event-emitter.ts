import { describeError } from './describe-error.js';
import type { Logger } from './logger.js';

/**
 * A typed event emitter: `Events` maps each event name to its one payload. A listener that throws is
 * reported to the logger (warn, `An event listener threw`) and never reaches the code that emitted
 * the event, nor stops the other listeners.
 */
export class TypedEventEmitter<Events extends object> {
  private readonly listeners = new Map<string, { fn: (payload: never) => void; once: boolean }[]>();

  /** @param logger where a throwing listener is reported. */
  constructor(private readonly eventLogger?: Logger) {}

  /** Calls `listener` on every `event`. */
  on<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): this {
    return this.add(event, listener, false);
  }

  /** Calls `listener` on the next `event` only. */
  once<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): this {
    return this.add(event, listener, true);
  }

  /** Removes a listener added with `on` or `once`. */
  off<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): this {
    const list = this.listeners.get(event);
    const index = list?.findIndex((entry) => entry.fn === listener) ?? -1;
    if (list && index !== -1) list.splice(index, 1);
    return this;
  }

  /** Whether anyone listens to `event` (so that costly payloads are built only when needed). */
  hasListeners<E extends keyof Events & string>(event: E): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0;
  }

  /** Calls the listeners of `event` with `payload`. */
  protected emit<E extends keyof Events & string>(event: E, payload: Events[E]): void {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return;
    for (const entry of [...list]) {
      if (entry.once) this.off(event, entry.fn as (payload: Events[E]) => void);
      try {
        (entry.fn as (payload: Events[E]) => void)(payload);
      } catch (error) {
        this.eventLogger?.warn('An event listener threw', { event, error: describeError(error) });
      }
    }
  }

  private add<E extends keyof Events & string>(
    event: E,
    listener: (payload: Events[E]) => void,
    once: boolean,
  ): this {
    const list = this.listeners.get(event) ?? [];
    list.push({ fn: listener as (payload: never) => void, once });
    this.listeners.set(event, list);
    return this;
  }
}
