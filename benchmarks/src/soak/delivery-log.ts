/**
 * What a worker process reports, one JSON line per event, appended to its own file with a synchronous
 * write. A worker writes a batch's line when its handler has processed the batch and before the
 * handler resolves, that is before the consumer may checkpoint it: whatever a checkpoint covers is
 * already in the file, and a SIGKILL can only lose the line of a batch that was not checkpointed (and
 * so is delivered again). The kernel keeps what was written when the process dies; at worst the last
 * line is cut short, and the reader drops it.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** A delivered record: partition key, the key's own number, Kinesis sequence and sub-sequence number. */
export type DeliveredRecord = readonly [
  key: string,
  seq: number,
  sequenceNumber: string,
  subSequence: number,
];

export type LogLine =
  | { readonly e: 'started'; readonly w: string; readonly t: number; readonly pid: number }
  | {
      readonly e: 'batch';
      readonly w: string;
      readonly t: number;
      /** Shard id. */
      readonly s: string;
      readonly r: readonly DeliveredRecord[];
    }
  | {
      readonly e: 'lease';
      readonly w: string;
      readonly t: number;
      readonly kind: 'taken' | 'lost' | 'released';
      /** Lease key (the shard id). */
      readonly s: string;
      readonly previousOwner?: string;
      readonly stolen?: boolean;
      readonly reason?: string;
      /** For a release: whether its conditional write succeeded. */
      readonly written?: boolean;
    }
  | { readonly e: 'shard-ended'; readonly w: string; readonly t: number; readonly s: string }
  | {
      readonly e: 'shard-failed';
      readonly w: string;
      readonly t: number;
      readonly s: string;
      readonly error: string;
    }
  | {
      readonly e: 'log';
      readonly w: string;
      readonly t: number;
      /** `warn`, `error`, or `soak` for the soak's own notes. */
      readonly level: string;
      readonly message: string;
      readonly details?: string;
    }
  | {
      readonly e: 'stats';
      readonly w: string;
      readonly t: number;
      /** Lease-table writes failed on purpose (injected throttling). */
      readonly dynamoDbFaults: number;
      /** GetRecords calls throttled on purpose. */
      readonly getRecordsFaults: number;
      /** GetRecords/SubscribeToShard calls answered ResourceNotFoundException on purpose (the shard exists). */
      readonly notFoundFaults: number;
      readonly leaseTableErrors: number;
      readonly retrievalErrors: number;
      readonly warnings: number;
      readonly errors: number;
    }
  | { readonly e: 'stopped'; readonly w: string; readonly t: number };

/** Wall-clock time in ms with sub-millisecond precision, comparable between processes of one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Appends lines to one file, each with one `write` system call before `append` returns. */
export class LogWriter {
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'a');
  }

  append(line: LogLine): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads the lines appended to a file since the last call; keeps a line cut short until it is whole. */
export class LogReader {
  private offset = 0;
  private partial = '';
  /** Lines that were not JSON (a line cut short by a SIGKILL is left in `partial`, not counted here). */
  unreadable = 0;

  constructor(readonly path: string) {}

  readNew(): LogLine[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return []; // not created yet
    }
    const chunks: Buffer[] = [];
    try {
      const buffer = Buffer.alloc(1 << 20);
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, this.offset);
        if (read === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, read)));
        this.offset += read;
      }
    } finally {
      closeSync(fd);
    }
    const text = this.partial + Buffer.concat(chunks).toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const lines: LogLine[] = [];
    for (const part of parts) {
      if (part === '') continue;
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        this.unreadable++;
      }
    }
    return lines;
  }

  /** Whether the file ends with a line cut short (its writer was killed in the middle of it). */
  get endsWithCutLine(): boolean {
    return this.partial.length > 0;
  }
}
