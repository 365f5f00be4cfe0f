import { LOCAL_STACK_GLOBAL_SETUP, workspaceVitestConfig } from '../../vitest.shared.ts';

// The scenario tests spend most of their time waiting on lease and failover timers: four files at
// once take the package from about 460 s to 150 s on 2 cores (measured on Node 22, all passing).
// Their own waits are bounded (waitFor with a limit and a message); the 60 s test limit is only the
// backstop for a hang, above those waits even on a loaded machine.
export default workspaceVitestConfig({
  globalSetup: [LOCAL_STACK_GLOBAL_SETUP],
  maxWorkers: 4,
  testTimeout: 60_000,
});
