import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConsumerErrorCode, LeaseAdminErrorCode, ProcessingErrorCode } from '@kinesis-ts/consumer';
import { CoreErrorCode, ValidationErrorCode } from '@kinesis-ts/core';
import { LOCAL_STACK_ERROR_CODES, LocalStackErrorCode } from '@kinesis-ts/local';
import { MetricsErrorCode } from '@kinesis-ts/metrics';
import { ProducerErrorCode } from '@kinesis-ts/producer';
import { describe, expect, it } from 'vitest';
import { CliErrorCode } from './errors.js';

/** Every package's code object, by the name it is exported under (this package imports them all). */
const CODE_OBJECTS: Record<string, Readonly<Record<string, string>>> = {
  CoreErrorCode,
  ProducerErrorCode,
  ConsumerErrorCode,
  LeaseAdminErrorCode,
  ProcessingErrorCode,
  LocalStackErrorCode,
  CliErrorCode,
  MetricsErrorCode,
};

/** The codes in the first column of docs/errors.md's tables (`| `CODE` | …`). */
function documentedCodes(): Set<string> {
  const markdown = readFileSync(fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)), 'utf8');
  const codes = new Set<string>();
  for (const line of markdown.split('\n')) {
    const match = /^\| `([A-Z][A-Z0-9_]*)` \|/.exec(line);
    // Code | Class | Retryable | When | What to do: a row counts only with its "What to do" filled in
    const cells = line.split('|').slice(1, -1);
    if (match && cells.length === 5 && cells[4]!.trim() !== '') codes.add(match[1]!);
  }
  return codes;
}

describe('the error codes', () => {
  it('are all listed in docs/errors.md, with what to do', () => {
    const documented = documentedCodes();
    const missing = Object.entries(CODE_OBJECTS).flatMap(([name, codes]) =>
      Object.values(codes)
        .filter((code) => !documented.has(code))
        .map((code) => `${name}: ${code}`),
    );
    expect(missing).toEqual([]);
  });

  it('documented in docs/errors.md all exist in a package', () => {
    const known = new Set(Object.values(CODE_OBJECTS).flatMap((codes) => Object.values(codes)));
    expect([...documentedCodes()].filter((code) => !known.has(code))).toEqual([]);
  });

  it('follow one shape: UPPER_SNAKE keys and values', () => {
    for (const codes of Object.values(CODE_OBJECTS)) {
      for (const [key, value] of Object.entries(codes)) {
        expect(key).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(value).toMatch(/^[A-Z][A-Z0-9_]*$/);
      }
    }
  });

  it('are unique across the suite: no two packages define the same code', () => {
    const owners = new Map<string, string[]>();
    for (const [name, codes] of Object.entries(CODE_OBJECTS))
      for (const code of new Set(Object.values(codes))) owners.set(code, [...(owners.get(code) ?? []), name]);
    expect([...owners].filter(([, names]) => names.length > 1)).toEqual([]);
  });

  it('keep their former names working: ValidationErrorCode and LOCAL_STACK_ERROR_CODES are parts of the new objects', () => {
    for (const code of Object.values(ValidationErrorCode))
      expect(Object.values(CoreErrorCode)).toContain(code);
    expect(Object.values(LOCAL_STACK_ERROR_CODES).sort()).toEqual(Object.values(LocalStackErrorCode).sort());
  });
});
