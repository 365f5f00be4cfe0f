/**
 * Keeps the last `maxLines` lines of a child process's output (stdout and stderr interleaved),
 * so that an error can quote what the process said just before it failed.
 */
export class OutputBuffer {
  readonly #maxLines: number;
  readonly #lines: string[] = [];
  #partial = '';

  constructor(maxLines: number) {
    this.#maxLines = maxLines;
  }

  /** Appends a chunk of output; a line is complete once its newline has arrived. */
  push(chunk: string | Uint8Array): void {
    const text = this.#partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const parts = text.split(/\r?\n/);
    this.#partial = parts.pop() ?? '';
    for (const line of parts) this.#add(line);
  }

  /** The kept lines, oldest first, including an unfinished last line. */
  lines(): string[] {
    const lines = [...this.#lines];
    if (this.#partial.length > 0) lines.push(this.#partial);
    return lines.slice(-this.#maxLines);
  }

  /** Whether any kept line contains `text`. */
  includes(text: string): boolean {
    return this.lines().some((line) => line.includes(text));
  }

  #add(line: string): void {
    if (this.#maxLines <= 0) return;
    this.#lines.push(line);
    if (this.#lines.length > this.#maxLines) this.#lines.shift();
  }
}
