/** Where a command writes: results to `out` (stdout), progress and errors to `err` (stderr). */
export interface Output {
  /** Writes a line of results (a newline is added). */
  line(text: string): void;
  /** Writes a line of diagnostics or progress to stderr (a newline is added). */
  error(text: string): void;
  /** Rewrites the progress line in place on a terminal; writes lines otherwise. */
  progress(text: string): void;
  /** Ends an in-place progress line. */
  endProgress(): void;
}

/** An {@link Output} over two writers; `interactive` turns on in-place progress. */
export function createOutput(
  stdout: (chunk: string) => void,
  stderr: (chunk: string) => void,
  interactive = false,
): Output {
  let progressing = false;
  return {
    line: (text) => stdout(`${text}\n`),
    error: (text) => {
      if (progressing) {
        stderr('\n');
        progressing = false;
      }
      stderr(`${text}\n`);
    },
    progress: (text) => {
      if (interactive) {
        stderr(`\r\u001b[K${text}`);
        progressing = true;
      } else {
        stderr(`${text}\n`);
      }
    },
    endProgress: () => {
      if (progressing) stderr('\n');
      progressing = false;
    },
  };
}

/** An {@link Output} that keeps everything in memory (tests, programmatic use). */
export function memoryOutput(): Output & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    line: (text) => stdout.push(text),
    error: (text) => stderr.push(text),
    progress: (text) => stderr.push(text),
    endProgress: () => {},
  };
}

/** Formats rows as a left-aligned text table with a header. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(headers), ...rows.map(format)];
}

/** A duration in ms for people: `850 ms`, `12.3 s`, `4 min 5 s`, `2 h 3 min`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** JSON with bigints as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
}
