import { afterAll, inject } from 'vitest';
import type { LocalStackEndpoints } from './clients';
import { connectLocalStack, type LocalStackConnection } from './connection';
import { LocalStackError, LocalStackErrorCode } from './errors';
import { rejectUnknownOptions } from './options';
import { LOCAL_STACK_PROVIDE_KEY } from './provided-context';

export { LOCAL_STACK_PROVIDE_KEY };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the local Kinesis + DynamoDB started by `@kinesis-ts/local/vitest-global-setup`. */
    kinesisTsLocal: LocalStackEndpoints;
  }
}

/** Options of {@link useLocalStack}. */
export interface UseLocalStackOptions {
  /**
   * Register an `afterAll` hook that destroys the clients built through the connection. Set it to
   * `false` when calling `useLocalStack()` outside of test collection (inside a test or a hook).
   * @defaultValue true
   */
  autoClose?: boolean;
}

/**
 * In a test file: the local stack started by `@kinesis-ts/local/vitest-global-setup`, as a
 * connection that builds correctly configured clients and creates streams.
 *
 * ```ts
 * const local = useLocalStack();
 * const kinesis = local.kinesisClient();
 * ```
 * @throws LocalStackError `LOCAL_STACK_NOT_PROVIDED` when the global setup is not configured.
 */
export function useLocalStack(options: UseLocalStackOptions = {}): LocalStackConnection {
  rejectUnknownOptions(options, ['autoClose'], 'useLocalStack');
  const endpoints = inject(LOCAL_STACK_PROVIDE_KEY);
  if (!endpoints) {
    throw new LocalStackError(
      "No local stack was provided to this test run: add '@kinesis-ts/local/vitest-global-setup' to test.globalSetup in vitest.config.ts",
      { code: LocalStackErrorCode.NOT_PROVIDED, component: 'stack' },
    );
  }
  const connection = connectLocalStack(endpoints);
  if (options.autoClose ?? true) afterAll(() => connection.close());
  return connection;
}
