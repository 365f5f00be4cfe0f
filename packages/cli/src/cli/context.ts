import type { CliClients } from './clients.js';
import type { Output } from './output.js';

/** What a command handler gets besides its parsed arguments. */
export interface CommandContext {
  readonly out: Output;
  /** `--json`: machine-readable output (one JSON document, or one per line for `tail`). */
  readonly json: boolean;
  readonly clients: CliClients;
  /** Standard input (`put` reads records from it). */
  readonly stdin: AsyncIterable<string | Uint8Array>;
  /** Aborted on Ctrl-C: long commands (`tail --follow`, `put`) stop cleanly. */
  readonly signal: AbortSignal;
  /** The clock, in ms since the epoch. */
  readonly now: () => number;
}

/** A command's parsed flags (`values`) and positional arguments. */
export interface ParsedCommand<Values> {
  readonly values: Values;
  readonly positionals: readonly string[];
}
