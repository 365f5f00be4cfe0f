// vitest.config.ts of a project tested with @kinesis-ts/local: one local Kinesis and DynamoDB for the
// whole test run, started before the first test file and stopped after the last.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@kinesis-ts/local/vitest-global-setup'],
    testTimeout: 30_000, // integration tests wait for consumers
  },
});
