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
  'docs/testing.md': [
    'examples/docs-snippets/src/testing/vitest.config.ts',
    'examples/docs-snippets/src/testing/local-services.ts',
    'examples/docs-snippets/src/testing/orders.ts',
    'examples/docs-snippets/src/testing/orders.test.ts',
    'examples/docs-snippets/src/testing/orders.integ.test.ts',
  ],
};

describe('guides made of whole programs', () => {
  it.each(Object.entries(GUIDES))(
    '%s shows each program file whole, in order, and links it',
    (document, files) => {
      // the programs come first, in this order; excerpts of other files may follow
      expect(typeScriptBlocks(document).slice(0, files.length)).toEqual(files.map(read));
      for (const file of files) expect(read(document)).toContain(`(../${file})`);
    },
  );
});
