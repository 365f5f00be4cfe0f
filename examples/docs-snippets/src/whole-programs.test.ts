/**
 * The guides whose code is whole programs show each program exactly as its file holds it (imports
 * and all), so what a reader copies is what CI type-checks and runs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(fileURLToPath(new URL(path, root)), 'utf8');

/** The ```ts blocks of a document, in order. */
function typeScriptBlocks(document: string): string[] {
  return [...read(document).matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

const GUIDES: Record<string, readonly string[]> = {
  'docs/getting-started.md': [
    'examples/docs-snippets/src/getting-started/orders-local.ts',
    'examples/docs-snippets/src/getting-started/orders-aws.ts',
  ],
};

describe('guides made of whole programs', () => {
  it.each(Object.entries(GUIDES))('%s shows each program file whole, and links it', (document, files) => {
    expect(typeScriptBlocks(document)).toEqual(files.map(read));
    for (const file of files) expect(read(document)).toContain(`(../${file})`);
  });
});
