/**
 * Follows the message boundaries of an AWS event stream (the body of a SubscribeToShard response)
 * as it goes through in chunks, so that the front can end a subscription between two events and
 * never in the middle of one. Each message starts with its total length (4 bytes, big-endian,
 * prelude and checksums included). Pure: it only reads the bytes it is given.
 */
export class EventStreamBoundary {
  /** Bytes of the current message still to come; 0 between messages. */
  private remaining = 0;
  /** The first bytes of a message whose length is not complete yet. */
  private prefix: number[] = [];

  /** Whether everything fed so far ends on a message boundary. */
  get atBoundary(): boolean {
    return this.remaining === 0 && this.prefix.length === 0;
  }

  /**
   * Feeds the next chunk; returns the offsets in it just after each message that ends within it
   * (`chunk.subarray(0, offset)` ends on a boundary).
   */
  feed(chunk: Uint8Array): number[] {
    const ends: number[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) ends.push(at);
        continue;
      }
      this.prefix.push(chunk[at]!);
      at += 1;
      if (this.prefix.length === 4) {
        const [a, b, c, d] = this.prefix as [number, number, number, number];
        const total = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
        this.prefix = [];
        // A length below the 4 bytes read means a stream this does not understand: treat the
        // message as ending here rather than never.
        this.remaining = Math.max(0, total - 4);
        if (this.remaining === 0) ends.push(at);
      }
    }
    return ends;
  }
}
