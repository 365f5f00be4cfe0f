import { LOCAL_STACK_GLOBAL_SETUP, workspaceVitestConfig } from '../../vitest.shared.ts';

// The scenario tests spend most of their time waiting on lease and failover timers: four files at
// once take the package from about 460 s to 150 s on 2 cores (measured on Node 22, all passing).
export default workspaceVitestConfig({ globalSetup: [LOCAL_STACK_GLOBAL_SETUP], maxWorkers: 4 });
