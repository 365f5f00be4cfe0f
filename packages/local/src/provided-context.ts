import type { LocalStackEndpoints } from './clients';

/** The key under which the vitest global setup provides the local stack's endpoints. */
export const LOCAL_STACK_PROVIDE_KEY = 'kinesisTsLocal' as const;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the local Kinesis + DynamoDB started by `@kinesis-ts/local/vitest-global-setup`. */
    kinesisTsLocal: LocalStackEndpoints;
  }
}
