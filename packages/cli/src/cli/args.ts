import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closestMatch, STREAM_NAME_LIMIT, STREAM_NAME_PATTERN } from '@kinesis-ts/core';
import { CliUsageError } from '../errors.js';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes. */
export const GLOBAL_OPTIONS = {
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  'kinesis-http': { type: 'string' },
  'allow-mixed-endpoints': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

/** Parsed flags: strings, booleans and, for repeatable flags, string lists. */
export type FlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** A parsed command line, with typed accessors that throw {@link CliUsageError} on bad values. */
export class Flags {
  constructor(
    readonly command: string,
    readonly values: FlagValues,
    readonly positionals: readonly string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  requiredString(name: string, what = `--${name}`): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw this.usage(`${what} is required`);
    return value;
  }

  list(name: string): string[] {
    const value = this.values[name];
    return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  }

  boolean(name: string): boolean {
    return this.values[name] === true;
  }

  integer(name: string, minimum = 0): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum) {
      throw this.usage(`--${name} must be a whole number ≥ ${minimum}, got '${text}'`);
    }
    return value;
  }

  number(name: string, minimum = 0): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < minimum) {
      throw this.usage(`--${name} must be a number ≥ ${minimum}, got '${text}'`);
    }
    return value;
  }

  /**
   * A time: ISO 8601 (`2026-05-01T12:00:00Z`), epoch milliseconds, or a time ago (`15m`, `2h`, `1d`,
   * `30s`; also `-15m`, written `--timestamp=-15m`).
   */
  timestamp(name: string, now: number): Date | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const relative = /^-?(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
    if (relative) {
      const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
      return new Date(now - Number(relative[1]) * unit);
    }
    const date = /^\d+$/.test(text.trim()) ? new Date(Number(text)) : new Date(text);
    if (Number.isNaN(date.getTime())) {
      throw this.usage(
        `--${name} must be an ISO 8601 time (2026-05-01T12:00:00Z), epoch milliseconds or a time ago (15m, 2h, 1d), got '${text}'`,
      );
    }
    return date;
  }

  /** The stream: the first positional argument or `--stream`. */
  stream(): string {
    const stream = this.positionals[0] ?? this.string('stream');
    if (!stream) throw this.usage(`the stream name is required (kinesis-ts ${this.command} <stream> …)`);
    if (this.positionals.length > 1) throw this.usage(`unexpected argument '${this.positionals[1]}'`);
    if (!STREAM_NAME_PATTERN.test(stream)) {
      throw this.usage(`'${stream}' is not a stream name: expected ${STREAM_NAME_LIMIT}`);
    }
    return stream;
  }

  noPositionals(): void {
    if (this.positionals.length > 0) throw this.usage(`unexpected argument '${this.positionals[0]}'`);
  }

  usage(message: string): CliUsageError {
    return new CliUsageError(`${this.command}: ${message}`);
  }
}

/** ` (did you mean '--from'?)` for an unknown flag close to one of the command's, else ''. */
function flagHint(message: string, options: OptionSpecs): string {
  const unknown = /^Unknown option '--([^'=]+)'/.exec(message)?.[1];
  const meant = unknown && closestMatch(unknown, Object.keys({ ...GLOBAL_OPTIONS, ...options }));
  return meant ? ` (did you mean '--${meant}'?)` : '';
}

/**
 * Parses a command's arguments strictly: an unknown flag, a missing value or a flag of the wrong type
 * is a {@link CliUsageError}.
 */
export function parseFlags(command: string, argv: readonly string[], options: OptionSpecs): Flags {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...options },
      strict: true,
      allowPositionals: true,
    });
    return new Flags(command, values as FlagValues, positionals);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliUsageError(
      `${command}: ${message.replace(/\. To specify a positional argument.*$/s, '')}${flagHint(message, options)}`,
    );
  }
}
