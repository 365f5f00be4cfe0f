import { workspaceVitestConfig } from '../vitest.shared.ts';

// Unit tests of the soak's analysis only; the soak itself runs with `pnpm soak`, not in `pnpm test`.
export default workspaceVitestConfig();
