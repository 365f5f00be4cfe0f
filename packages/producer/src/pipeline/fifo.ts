/**
 * A first-in first-out queue on a ring buffer: `push`, `shift` and `peek` cost O(1) (amortized: the
 * buffer doubles when full), however long the queue. `Array.prototype.shift` moves every element
 * left, so an array used as a queue makes a burst of n waiting items cost O(n²).
 */
export class Fifo<T> {
  /** A power of two long, so that `& mask` wraps an index around. */
  private slots: (T | undefined)[] = new Array(16);
  private mask = 15;
  private head = 0;
  private size = 0;

  /** How many items are queued. */
  get length(): number {
    return this.size;
  }

  /** Adds an item at the back. */
  push(item: T): void {
    if (this.size === this.slots.length) this.grow();
    this.slots[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  /** The item at the front, or undefined when empty. */
  peek(): T | undefined {
    return this.size === 0 ? undefined : this.slots[this.head];
  }

  /** Removes and returns the item at the front, or undefined when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    if (this.size === 0) this.head = 0;
    return item;
  }

  private grow(): void {
    const slots: (T | undefined)[] = new Array(this.slots.length * 2);
    for (let i = 0; i < this.size; i++) slots[i] = this.slots[(this.head + i) & this.mask];
    this.slots = slots;
    this.mask = slots.length - 1;
    this.head = 0;
  }
}
