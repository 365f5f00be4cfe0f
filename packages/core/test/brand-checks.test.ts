/**
 * The project rule, checked: kinesis-ts errors are recognised by their brand (`X.isInstance(error)`,
 * `KinesisTsError.hasCode`), never with `instanceof`, which is false for an error made by another copy
 * of a package (two versions in a lockfile, the ESM and CommonJS builds, a second entry point). Every
 * class that extends `KinesisTsError` (directly or not) in packages/, and every `instanceof` of one in
 * the sources of packages/ and examples/ (tests excepted: they may check a class on purpose).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function sourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
  }
  return files;
}

const sources = [join(root, 'packages'), join(root, 'examples')].flatMap(sourceFiles);

/** The names of the classes that extend KinesisTsError, directly or through another. */
function kinesisTsErrorClasses(): Set<string> {
  const parents = new Map<string, string>();
  for (const path of sources.filter((file) => file.includes(`${join(root, 'packages')}`))) {
    for (const match of readFileSync(path, 'utf8').matchAll(/class (\w+)(?:<[^>]*>)? extends (\w+)/g)) {
      parents.set(match[1]!, match[2]!);
    }
  }
  const found = new Set(['KinesisTsError']);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, parent] of parents) {
      if (found.has(parent) && !found.has(name)) {
        found.add(name);
        grew = true;
      }
    }
  }
  return found;
}

describe('kinesis-ts errors are recognised by their brand', () => {
  const classes = kinesisTsErrorClasses();

  it('finds the error classes', () => {
    expect(classes).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    for (const name of [
      'ValidationError',
      'RecordFailedError',
      'LeaseLostError',
      'LocalStackError',
      'MetricsError',
    ]) {
      expect(classes.has(name), name).toBe(true);
    }
  });

  it('never with instanceof in the sources of the packages and examples', () => {
    const offending: string[] = [];
    for (const path of sources) {
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((line, index) => {
        for (const match of line.matchAll(/instanceof (\w+)/g)) {
          if (classes.has(match[1]!)) offending.push(`${relative(root, path)}:${index + 1}: ${line.trim()}`);
        }
      });
    }
    expect(offending).toEqual([]);
  });
});
