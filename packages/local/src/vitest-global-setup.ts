import type { TestProject } from 'vitest/node';
import { startLocalStack } from './local-stack';
import type { LocalStackOptions } from './options';
import { LOCAL_STACK_PROVIDE_KEY } from './provided-context';

/**
 * A vitest global setup that starts one local stack for the whole test run with `options`, provides
 * its endpoints to the tests (read them with `useLocalStack()` from `@kinesis-ts/local/vitest`) and
 * stops it when the run ends. Use it from your own global setup file:
 *
 * ```ts
 * // test/global-setup.ts
 * export default createLocalStackGlobalSetup({ shardLimit: 200 });
 * ```
 *
 * With `{ enforceLimits: true }` every test file of the run meets the service's limits (see
 * `LocalStackOptions.enforceLimits`); `(await local.kinesisFrontStats()).limits` says what they refused.
 */
export function createLocalStackGlobalSetup(
  options: LocalStackOptions = {},
): (project: TestProject) => Promise<() => Promise<void>> {
  return async function setup(project: TestProject) {
    const stack = await startLocalStack(options);
    project.provide(LOCAL_STACK_PROVIDE_KEY, stack.endpoints());
    return async function teardown() {
      await stack.stop();
    };
  };
}

/**
 * The global setup with default options: add `'@kinesis-ts/local/vitest-global-setup'` to vitest's
 * `test.globalSetup`.
 */
const setup: (project: TestProject) => Promise<() => Promise<void>> = createLocalStackGlobalSetup();
export default setup;
