import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageConfig from '../tsup.config.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The package's own tsup configuration, built as CommonJS into a scratch folder (no type
 * declarations or source maps, to keep it quick). `@kinesis-ts/core` is bundled in from its sources so
 * the build needs no build of core; it changes nothing about how the two entries share code.
 */
async function buildCommonJs(outDir: string): Promise<void> {
  const config = packageConfig as Options;
  await build({
    ...config,
    format: ['cjs'],
    dts: false,
    sourcemap: false,
    outDir,
    clean: true,
    silent: true,
    noExternal: [/^@kinesis-ts\/core/],
    // core's sources, not its build: a fresh clone has no build of core
    esbuildOptions: (options, context) => {
      config.esbuildOptions?.(options, context);
      options.conditions = ['kinesis-ts-source', ...(options.conditions ?? [])];
    },
    config: false,
  });
}

describe('the CommonJS build of @kinesis-ts/consumer', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(packageDir, 'node_modules', '.cjs-build-'));
    await buildCommonJs(outDir);
  }, 120_000);

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('gives the main entry and /lambda the same object for every export they share', () => {
    const script = `
      const main = require(${JSON.stringify(join(outDir, 'index.cjs'))});
      const lambda = require(${JSON.stringify(join(outDir, 'lambda.cjs'))});
      const shared = Object.keys(lambda).filter((name) => name in main);
      const different = shared.filter((name) => main[name] !== lambda[name]);
      process.stdout.write(JSON.stringify({ shared, different }));
    `;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      shared: string[];
      different: string[];
    };
    expect(result.shared).toEqual(
      expect.arrayContaining([
        'PartialBatchFailureError',
        'parallelByKey',
        'bisectOnError',
        'DynamoDbIdempotencyStore',
      ]),
    );
    expect(result.different).toEqual([]);
  });

  it('lets bisectOnError around a /lambda parallelByKey resume after the records already done', async () => {
    const script = `
      const main = require(${JSON.stringify(join(outDir, 'index.cjs'))});
      const lambda = require(${JSON.stringify(join(outDir, 'lambda.cjs'))});
      const records = Array.from({ length: 8 }, (_, i) => ({
        partitionKey: 'k' + i, sequenceNumber: String(i + 1), subSequenceNumber: 0, data: new Uint8Array(),
      }));
      let calls = 0;
      const handler = main.bisectOnError(lambda.parallelByKey(async (record) => {
        calls += 1;
        if (record.sequenceNumber === '5') throw new Error('poison');
      }));
      handler(records, {}).then(
        () => process.stdout.write(JSON.stringify({ calls, failed: null })),
        (error) => process.stdout.write(JSON.stringify({
          calls, failed: (error.failures ?? []).map((f) => f.record.sequenceNumber),
        })),
      );
    `;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      calls: number;
      failed: string[] | null;
    };
    expect(result.failed).toEqual(['5']);
    // parallelByKey runs all 8 once and names record 5; bisectOnError takes it at its word.
    expect(result.calls).toBe(8);
  });
});
