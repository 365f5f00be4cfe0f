import { workspaceVitestConfig } from '../../vitest.shared.ts';

export default workspaceVitestConfig({ globalSetup: ['./test/global-setup.ts'], testTimeout: 60_000 });
