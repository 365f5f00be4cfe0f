import { workspaceVitestConfig } from '../../vitest.shared.ts';

export default workspaceVitestConfig({ globalSetup: ['./src/vitest-global-setup.ts'] });
