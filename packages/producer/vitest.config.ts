import { workspaceVitestConfig } from '../../vitest.shared.ts';

export default workspaceVitestConfig({
  globalSetup: ['@kinesis-ts/local/vitest-global-setup'],
  testTimeout: 60_000,
});
