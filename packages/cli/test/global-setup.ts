import type {} from '@kinesis-ts/local/vitest';
import { createLocalStackGlobalSetup } from '@kinesis-ts/local/vitest-global-setup';

/** One local stack for the CLI tests; resharding tests open more shards than the emulator's default 50. */
export default createLocalStackGlobalSetup({ shardLimit: 200 });
