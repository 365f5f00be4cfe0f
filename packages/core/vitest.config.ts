import { workspaceVitestConfig } from '../../vitest.shared';

export default workspaceVitestConfig();
