/**
 * The vitest.config.ts of docs/local.md ("2. In a vitest suite: the global setup") and of
 * packages/local/README.md ("Vitest: one stack per test run"), type-checked. It is not this
 * package's config (vitest.config.ts, which names the setup by path).
 */
// vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { globalSetup: ['@kinesis-ts/local/vitest-global-setup'] } });
