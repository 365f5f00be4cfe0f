/**
 * Test helpers that hold what users read against the option specs: the TSDoc of an options interface
 * (`@defaultValue`, and ranges written as "from 100", "1 to 500", "0 or at least 100") and the option
 * tables of the docs (their default column, and the ranges they state). Each check returns the
 * disagreements it found, in words, so that a failing test lists them all.
 */
import { isDeepStrictEqual } from 'node:util';
import type { OptionRange, OptionSpec } from '../src/option-spec.js';

type Specs = Readonly<Record<string, OptionSpec<unknown>>>;

/** One field of an options interface: its name and its TSDoc text (tags included, `*` removed). */
export interface DocumentedField {
  readonly name: string;
  readonly doc: string;
}

/** The fields of `export interface <name> {…}` in a TypeScript source, with their TSDoc. */
export function interfaceFields(source: string, name: string): DocumentedField[] {
  const start = source.indexOf(`export interface ${name} `);
  if (start < 0) throw new Error(`no interface ${name}`);
  const end = source.indexOf('\n}', start);
  const body = source.slice(source.indexOf('{', start) + 1, end);
  const fields: DocumentedField[] = [];
  for (const match of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(?:readonly\s+)?(\w+)\??:/g)) {
    const doc = match[1]!
      .split('\n')
      .map((line) => line.replace(/^\s*\*\s?/, '').trim())
      .join(' ')
      .trim();
    fields.push({ name: match[2]!, doc });
  }
  return fields;
}

/** The text of a TSDoc tag (`@defaultValue 500 (the most)` → `500 (the most)`). */
export function tagText(doc: string, tag: string): string | undefined {
  const match = new RegExp(`@${tag}\\s+((?:(?!\\s@[a-zA-Z]).)*)`).exec(doc);
  return match?.[1]?.trim();
}

const NUMBER = String.raw`\d{1,3}(?:[ _,]\d{3})+|\d+(?:\.\d+)?`;
const KNOWN_VALUES: Readonly<Record<string, unknown>> = {
  'Math.random': Math.random,
  'Date.now': Date.now,
  'process.execPath': process.execPath,
  Infinity: Number.POSITIVE_INFINITY,
  true: true,
  false: false,
  '[]': [],
  '{}': {},
};

function parseNumber(text: string): number {
  return Number(text.replace(/[ _,]/g, ''));
}

/**
 * A default as docs write it, when it is a literal: `10000`, `10 000`, `8 388 608 (8 MiB)`, `0 (none)`,
 * `Infinity`, `true`, `'wait'`, `[]`, `{ baseDelayMs: 100, maxDelayMs: 5000 }`, `{ 100, 5000 }`
 * (values only), `{ mode: 'polling' }`, `Math.random`. `undefined` for anything else (`applicationName`,
 * `failover / 2 (5 000)`, `a silent logger`).
 */
export function parseDefault(
  text: string,
): { readonly value: unknown; readonly valuesOnly?: true } | undefined {
  const plain = text.replace(/`/g, '').trim();
  const head = /^(\S+)(?:\s*\(.*\))?$/.exec(plain)?.[1];
  if (head !== undefined && head in KNOWN_VALUES) return { value: KNOWN_VALUES[head] };
  const number = new RegExp(`^(${NUMBER})(?:\\s*\\(.*\\))?$`).exec(plain);
  if (number) return { value: parseNumber(number[1]!) };
  const quoted = /^'([^']*)'(?:\s*\(.*\))?$/.exec(plain);
  if (quoted) return { value: quoted[1] };
  const object = /^\{(.*)\}$/.exec(plain);
  if (object) {
    const parts = object[1]!.split(',').map((part) => part.trim());
    const entries = parts.map((part) => /^(\w+):\s*(.+)$/.exec(part));
    if (entries.every((entry) => entry !== null)) {
      const value: Record<string, unknown> = {};
      for (const entry of entries) {
        const inner = parseDefault(entry![2]!);
        if (inner === undefined) return undefined;
        value[entry![1]!] = inner.value;
      }
      return { value };
    }
    if (parts.every((part) => new RegExp(`^(${NUMBER})$`).test(part))) {
      return { value: parts.map(parseNumber), valuesOnly: true };
    }
  }
  return undefined;
}

const MIB = /^(\d+) MiB$/;
const WORDS: Readonly<Record<string, number>> = { 'a day': 86_400_000, 'an hour': 3_600_000 };

function parseBound(text: string): number {
  const bound = text.trim();
  const mib = MIB.exec(bound);
  if (mib) return Number(mib[1]) * 1024 * 1024;
  return WORDS[bound] ?? parseNumber(bound);
}

const BOUND = `(?:${NUMBER})(?: MiB)?|a day|an hour`;

/**
 * The range a piece of docs states, in the forms the docs use: `≥ 200`, `≤ 500`, `1..10 000`,
 * `0 or number ≥ 100`, `0 or at least 100`, `from 100`, `from 64 to 600000`, `1 to 500`, `up to 5 MiB`,
 * `from 100 to a day`, `at most an hour`, `or Infinity`, `Infinity` allowed. Bounds given by name
 * (`to maxRecordSizeBytes`) are left out.
 */
export function parseRange(text: string): Partial<OptionRange> | undefined {
  const plain = text.replace(/`/g, '').replace(/\u00a0/g, ' ');
  const zeroOr = new RegExp(`\\b0 (?:\\(\\w+\\) )?or (?:number ≥|at least) (${BOUND})`).exec(plain);
  const dots = new RegExp(`(${BOUND})\\.\\.(${BOUND})`).exec(plain);
  const fromTo = new RegExp(`\\b(?:[Ff]rom )?(${BOUND}) to (${BOUND}|Infinity)\\b`).exec(plain);
  const atLeast = new RegExp(`(?:≥|\\b[Ff]rom|\\bat least) (${BOUND})\\b`).exec(plain);
  const atMost = new RegExp(`(?:≤|\\bup to|\\bat most) (${BOUND})(?!\\w)`).exec(plain);
  const range: { -readonly [K in keyof OptionRange]?: OptionRange[K] } = {};
  if (zeroOr) {
    range.zeroMeansOff = true;
    range.min = parseBound(zeroOr[1]!);
  } else if (dots) {
    range.min = parseBound(dots[1]!);
    range.max = parseBound(dots[2]!);
  } else if (fromTo) {
    range.min = parseBound(fromTo[1]!);
    range.max = fromTo[2] === 'Infinity' ? Number.POSITIVE_INFINITY : parseBound(fromTo[2]!);
  } else {
    if (atLeast) range.min = parseBound(atLeast[1]!);
    if (atMost) range.max = parseBound(atMost[1]!);
  }
  if (fromTo?.[2] === 'Infinity' || /\bInfinity allowed\b|\bor Infinity\b/.test(plain)) {
    range.allowInfinity = true;
  }
  return Object.keys(range).length === 0 ? undefined : range;
}

function show(value: unknown): string {
  if (typeof value === 'function') return value.name || 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

function compareDefault(where: string, text: string, option: OptionSpec<unknown>): string[] {
  const parsed = parseDefault(text);
  const actual = option.presence === 'defaulted' ? option.default : undefined;
  if (parsed === undefined) {
    // Not a literal ("applicationName", "a silent logger"): right for an option without a fixed
    // default, and for a function default, which docs describe in words.
    if (option.presence === 'defaulted' && typeof actual !== 'function') {
      return [`${where}: says the default is "${text}", the spec's is ${show(actual)}`];
    }
    return [];
  }
  if (option.presence !== 'defaulted') {
    return [`${where}: says the default is "${text}", the spec has none`];
  }
  const expected = parsed.valuesOnly ? Object.values(actual as object) : actual;
  return isDeepStrictEqual(parsed.value, expected)
    ? []
    : [`${where}: says the default is "${text}", the spec's is ${show(actual)}`];
}

function compareRange(
  where: string,
  stated: Partial<OptionRange>,
  option: OptionSpec<unknown>,
  complete = false,
): string[] {
  const range = option.range;
  if (range === undefined) return [`${where}: states a range, the spec has none (${option.limit})`];
  const wrong = (Object.keys(stated) as (keyof OptionRange)[]).filter((key) => stated[key] !== range[key]);
  // Complete: what else a reader must know, that 0 turns the option off or that it takes Infinity.
  if (complete && range.zeroMeansOff && stated.zeroMeansOff !== true) wrong.push('zeroMeansOff');
  if (complete && range.allowInfinity && stated.allowInfinity !== true) wrong.push('allowInfinity');
  return wrong.length === 0
    ? []
    : [
        `${where}: states ${JSON.stringify(stated)}, the spec accepts ${option.limit} ${JSON.stringify(range)}`,
      ];
}

/**
 * The disagreements between an options interface's TSDoc and its specs: a field without a spec or
 * a spec without a field, a `@defaultValue` that is not the spec's default (or missing where the spec
 * has a fixed one), a range in the text that is not the spec's, and a numeric option whose text
 * states no range (or leaves out that 0 turns it off, or that it takes `Infinity`).
 */
export function tsdocDisagreements(source: string, interfaceName: string, specs: Specs): string[] {
  const found: string[] = [];
  const fields = interfaceFields(source, interfaceName);
  const names = new Set(fields.map((field) => field.name));
  for (const name of Object.keys(specs)) {
    if (!names.has(name)) found.push(`${interfaceName}.${name}: a spec without a documented field`);
  }
  for (const field of fields) {
    const where = `${interfaceName}.${field.name} (TSDoc)`;
    const option = specs[field.name];
    if (option === undefined) {
      if (field.name !== 'mode') found.push(`${where}: no spec`);
      continue;
    }
    const defaultText = tagText(field.doc, 'defaultValue');
    if (defaultText === undefined) {
      if (option.presence === 'defaulted')
        found.push(`${where}: no @defaultValue, the spec's is ${show(option.default)}`);
    } else {
      found.push(...compareDefault(where, defaultText, option));
    }
    const text = field.doc.replace(/@defaultValue.*$/, '');
    const range = parseRange(defaultText === 'Infinity' ? `${text} or Infinity` : text);
    if (range !== undefined) found.push(...compareRange(where, range, option, true));
    else if (option.range !== undefined && tagText(field.doc, 'deprecated') === undefined) {
      found.push(`${where}: states no range, the spec accepts ${option.limit}`);
    }
  }
  return found;
}

/** A row of a docs option table: the option names of its first cell and its other cells. */
export interface OptionRow {
  readonly names: readonly string[];
  readonly cells: Readonly<Record<string, string>>;
}

/**
 * The option tables of a Markdown document: each table whose header has an `option` and a `default`
 * column, keyed by the paragraph before it (`` `retrieval: { mode: 'fan-out', … }` takes:``).
 */
export function optionTables(markdown: string): Map<string, OptionRow[]> {
  const tables = new Map<string, OptionRow[]>();
  const lines = markdown.split('\n');
  let paragraph: string[] = [];
  let lastText = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('|')) {
      if (line.trim() === '') {
        if (paragraph.length > 0) lastText = paragraph.join(' ');
        paragraph = [];
      } else {
        paragraph.push(line.trim());
      }
      continue;
    }
    const header = splitRow(line).map((cell) => cell.toLowerCase());
    if (!header.includes('option') || !header.includes('default')) {
      while (lines[i + 1]?.startsWith('|')) i++;
      continue;
    }
    const rows: OptionRow[] = [];
    for (i += 2; lines[i]?.startsWith('|'); i++) {
      const cells = splitRow(lines[i]!);
      const names = [...cells[0]!.matchAll(/`(\w+)`/g)].map((match) => match[1]!);
      rows.push({
        names,
        cells: Object.fromEntries(header.map((name, index) => [name, cells[index] ?? ''])),
      });
    }
    tables.set(lastText, rows);
    i--;
  }
  return tables;
}

/** The cells of a table row, `\\|` (a pipe inside a cell) kept as `|`. */
function splitRow(line: string): string[] {
  return line
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((cell) => cell.replace(/\\\|/g, '|').trim());
}

/**
 * The disagreements between a docs option table and the specs: a row naming an unknown option, an
 * option without a row (unless listed in `undocumented`), a default that is not the spec's, a range
 * stated in the `type` or `meaning` column that is not the spec's. A row naming two options
 * (`` `now`, `random` ``) gives their defaults in the same order, separated by commas.
 */
export function tableDisagreements(
  table: readonly OptionRow[],
  specs: Specs,
  where: string,
  options: { readonly undocumented?: readonly string[] } = {},
): string[] {
  const found: string[] = [];
  const documented = new Set<string>();
  for (const row of table) {
    const defaults =
      row.names.length > 1 && (row.cells.default ?? '').includes(',')
        ? (row.cells.default ?? '').split(/,\s*(?=`)/)
        : row.names.map(() => row.cells.default ?? '');
    row.names.forEach((name, index) => {
      documented.add(name);
      const option = specs[name];
      if (option === undefined) {
        found.push(`${where} ${name}: no such option`);
        return;
      }
      const text = defaults[index]!.trim();
      if (!/^—|^\(.*required\)$/.test(text)) found.push(...compareDefault(`${where} ${name}`, text, option));
      const range = parseRange(`${row.cells.type ?? ''}; ${row.cells.meaning ?? ''}`);
      if (range !== undefined) found.push(...compareRange(`${where} ${name}`, range, option));
    });
  }
  for (const name of Object.keys(specs)) {
    if (!documented.has(name) && !options.undocumented?.includes(name))
      found.push(`${where}: no row for ${name}`);
  }
  return found;
}
