/**
 * The project rule, checked: every TypeScript snippet of docs/*.md and of the package READMEs of
 * core, consumer, local and producer is an excerpt of a type-checked file (a .ts file under examples/
 * or packages/<package>/test/). For each ```ts block, some such file must
 *
 * - import every name the snippet imports, from the same module (in packages/<package>/test/,
 *   `../src/index.js` stands for `@kinesis-ts/<package>` and `../src/x.js` for `@kinesis-ts/<package>/x`);
 * - contain every other non-empty line of the snippet, trimmed, in the same order (lines may sit in
 *   between). A line that is only `// …` marks left-out code and is not looked for.
 *
 * Reads files only: no local stack, no network.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const ELISION = '// …';

const documents = [
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  ...['core', 'consumer', 'local', 'producer'].map((name) => `packages/${name}/README.md`),
];

interface Snippet {
  /** `docs/x.md:LINE`, the line of the opening fence. */
  readonly where: string;
  readonly imports: readonly string[];
  readonly lines: readonly string[];
}

interface Source {
  readonly path: string;
  readonly imports: ReadonlySet<string>;
  readonly lines: readonly string[];
}

/** Splits code into `name from module` import entries and the other non-empty lines, trimmed. */
function parse(code: string, moduleOf: (specifier: string) => string = (specifier) => specifier) {
  const imports: string[] = [];
  const lines: string[] = [];
  let pending: string | undefined;
  for (const raw of code.split('\n')) {
    const line = raw.trim();
    if (pending === undefined && !/^import[\s{]/.test(line)) {
      if (line !== '') lines.push(line);
      continue;
    }
    const withoutComment = line.replace(/\s*\/\/.*$/, '');
    pending = pending === undefined ? withoutComment : `${pending} ${withoutComment}`;
    const statement = /^import\s+(?:type\s+)?(.*?)\s*from\s*['"]([^'"]+)['"];?$/.exec(pending);
    if (/^import\s*['"][^'"]+['"];?$/.test(pending)) {
      pending = undefined;
    } else if (statement) {
      pending = undefined;
      const module = moduleOf(statement[2]!);
      for (const name of importedNames(statement[1]!)) imports.push(`${name} from ${module}`);
    }
  }
  return { imports, lines };
}

/** The names an import clause brings in: `X`, `{ a, type B, c as d }`, `* as ns`. */
function importedNames(clause: string): string[] {
  const names: string[] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  if (braces) {
    for (const part of braces[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0]!;
      if (name !== '') names.push(name);
    }
  }
  const outside = clause
    .replace(/\{[^}]*\}/, '')
    .replace(/,/g, ' ')
    .trim();
  const namespace = /\*\s*as\s+(\w+)/.exec(outside);
  if (namespace) names.push(`* as ${namespace[1]}`);
  else if (outside !== '') names.push(`default ${outside}`);
  return names;
}

function snippetsOf(document: string): Snippet[] {
  const lines = readFileSync(join(root, document), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[index]!)) continue;
    const start = index + 1;
    const body: string[] = [];
    for (index++; index < lines.length && !/^```\s*$/.test(lines[index]!); index++) body.push(lines[index]!);
    const { imports, lines: code } = parse(body.join('\n'));
    snippets.push({ where: `${document}:${start}`, imports, lines: code.filter((line) => line !== ELISION) });
  }
  return snippets;
}

function typeScriptFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...typeScriptFiles(path));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

function sources(): Source[] {
  const paths = [
    ...typeScriptFiles(join(root, 'examples')),
    ...readdirSync(join(root, 'packages')).flatMap((name) => {
      try {
        return typeScriptFiles(join(root, 'packages', name, 'test'));
      } catch {
        return []; // a package without test/
      }
    }),
  ];
  return paths.map((path) => {
    const where = relative(root, path).split(sep);
    const packageName = where[0] === 'packages' ? where[1] : undefined;
    const moduleOf = (specifier: string) => {
      const own = /^\.\.\/src\/(.+)\.[jt]s$/.exec(specifier);
      if (!packageName || !own) return specifier;
      return own[1] === 'index' ? `@kinesis-ts/${packageName}` : `@kinesis-ts/${packageName}/${own[1]}`;
    };
    const { imports, lines } = parse(readFileSync(path, 'utf8'), moduleOf);
    return { path: relative(root, path), imports: new Set(imports), lines };
  });
}

/** How many of `wanted` appear in order in `lines`. */
function matchedInOrder(wanted: readonly string[], lines: readonly string[]): number {
  let matched = 0;
  for (const line of lines) {
    if (matched === wanted.length) break;
    if (line === wanted[matched]) matched++;
  }
  return matched;
}

const allSources = sources();
const allSnippets = documents.flatMap(snippetsOf);

describe('every TypeScript snippet of the docs and package READMEs is in a type-checked file', () => {
  it('finds snippets and files to check', () => {
    expect(allSnippets.length).toBeGreaterThan(20);
    expect(allSources.length).toBeGreaterThan(20);
  });

  it.each(allSnippets.map((snippet) => [snippet.where, snippet] as const))('%s', (_where, snippet) => {
    let best = { path: '', matched: -1, missingImports: [] as string[] };
    for (const source of allSources) {
      const missingImports = snippet.imports.filter((entry) => !source.imports.has(entry));
      const matched = matchedInOrder(snippet.lines, source.lines);
      if (missingImports.length === 0 && matched === snippet.lines.length) return;
      if (matched - missingImports.length > best.matched - best.missingImports.length) {
        best = { path: source.path, matched, missingImports };
      }
    }
    expect.fail(
      `No type-checked file holds this snippet. Closest: ${best.path}, ` +
        (best.matched < snippet.lines.length
          ? `which lacks (in order) the line: ${snippet.lines[best.matched]}`
          : 'which has every line') +
        (best.missingImports.length > 0 ? `; missing imports: ${best.missingImports.join(', ')}` : ''),
    );
  });
});
