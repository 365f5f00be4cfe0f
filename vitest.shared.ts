import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The condition under which workspace packages resolve to their TypeScript sources. */
export const SOURCE_CONDITION = 'kinesis-ts-source';

/**
 * The local Kinesis + DynamoDB global setup, by path. Vitest resolves a global setup given as a
 * package name without the workspace's source condition, so `@kinesis-ts/local/vitest-global-setup`
 * would need a build of @kinesis-ts/local first (a fresh clone has none); the setup file's own
 * imports do resolve to sources.
 */
export const LOCAL_STACK_GLOBAL_SETUP = fileURLToPath(
  new URL('./packages/local/src/vitest-global-setup.ts', import.meta.url),
);

/**
 * Vitest settings shared by every workspace package: sources instead of builds for workspace
 * imports, unit and integration tests side by side (`*.test.ts`, `*.integ.test.ts`).
 */
export function workspaceVitestConfig(
  overrides: {
    globalSetup?: string[];
    testTimeout?: number;
    /**
     * Test files run at once. Vitest's default is one fewer than the CPUs: a single worker on the
     * 2-core CI machines. A package whose tests mostly wait (on the local services, on lease and
     * failover timers) finishes several times sooner with more workers than cores.
     */
    maxWorkers?: number;
  } = {},
) {
  return defineConfig({
    // Vitest hands ssr.resolve.conditions to Node as --conditions, so they must stay safe for
    // require() too: no 'import' or 'module' here (they would make require() load ESM builds).
    resolve: { conditions: [SOURCE_CONDITION, 'node', 'development|production'] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, 'node', 'development|production'] } },
    // Vitest loads globalSetup files through its own `__vitest__` environment, which takes neither
    // condition list above; without this a global setup would import workspace packages' builds.
    environments: {
      __vitest__: { resolve: { conditions: [SOURCE_CONDITION, 'import', 'node', 'default'] } },
    },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      globalSetup: overrides.globalSetup ?? [],
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      ...(overrides.maxWorkers === undefined ? {} : { maxWorkers: overrides.maxWorkers }),
    },
  });
}
