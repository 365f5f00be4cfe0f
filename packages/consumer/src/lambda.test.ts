import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** The package's own modules that `file` imports, transitively (type-only imports excluded). */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(join(here, file), 'utf8');
  for (const match of source.matchAll(/^(?:import|export) (?!type )[^;]*? from '(\.\.?\/[^']+)\.js';/gms)) {
    runtimeImports(join(dirname(file), `${match[1]!}.ts`), seen);
  }
  return seen;
}

describe('@kinesis-ts/consumer/lambda', () => {
  it('resolves through the package exports map', async () => {
    const lambda = await import('@kinesis-ts/consumer/lambda');
    expect(typeof lambda.kinesisLambdaHandler).toBe('function');
    expect(typeof lambda.idempotent).toBe('function');
    expect(typeof lambda.parallelByKey).toBe('function');
    expect(typeof lambda.DynamoDbIdempotencyStore).toBe('function');
    expect(typeof lambda.KinesisDeadLetterSink).toBe('function');
    expect(typeof lambda.PartialBatchFailureError).toBe('function');
  });

  it('does not load the KinesisConsumer runtime (leases, retrieval, shard consumers)', () => {
    const modules = [...runtimeImports('lambda.ts')].sort();
    for (const runtime of [
      'kinesis-consumer.ts',
      'lifecycle/shard-consumer.ts',
      'leases/dynamodb/lease-table.ts',
      'retrieval/polling/polling-retrieval.ts',
    ]) {
      expect(modules).not.toContain(runtime);
    }
    expect(modules).toContain('lambda/lambda-handler.ts');
    expect(modules).toContain('processing/processing-retry.ts');
  });
});
