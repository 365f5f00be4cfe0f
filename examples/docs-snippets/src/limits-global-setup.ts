/**
 * The global setup file of docs/local.md and docs/testing.md ("Service limits"): one stack for the
 * run, with the service's limits on. Type-checked; not this package's setup.
 */
// test/global-setup.ts
import { createLocalStackGlobalSetup } from '@kinesis-ts/local/vitest-global-setup';

export default createLocalStackGlobalSetup({ enforceLimits: true });
