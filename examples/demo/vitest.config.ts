import { workspaceVitestConfig } from '../../vitest.shared.ts';

// The demo's tests are unit tests of its pure parts; the demo itself is the end-to-end run.
export default workspaceVitestConfig();
