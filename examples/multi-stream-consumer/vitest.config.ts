import { LOCAL_STACK_GLOBAL_SETUP, workspaceVitestConfig } from '../../vitest.shared.ts';

export default workspaceVitestConfig({ globalSetup: [LOCAL_STACK_GLOBAL_SETUP] });
