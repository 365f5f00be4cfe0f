import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConsumerErrorCode, ConsumerStartError } from './errors.js';

const sourceRoot = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.includes('.test.') ? [path] : [];
  });
}

describe('ConsumerStartError.isInstance', () => {
  it('recognises an error of every code the sources throw a ConsumerStartError with', () => {
    const thrown = new Set<string>();
    for (const file of sourceFiles(sourceRoot)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/new ConsumerStartError\(\s*ConsumerErrorCode\.([A-Z0-9_]+)/g)) {
        thrown.add(match[1]!);
      }
    }
    expect(thrown.size).toBeGreaterThan(3);
    for (const name of thrown) {
      const code = ConsumerErrorCode[name as keyof typeof ConsumerErrorCode];
      const error = new ConsumerStartError(code, 'start failed');
      expect({ name, recognised: ConsumerStartError.isInstance(error) }).toEqual({ name, recognised: true });
    }
  });
});
