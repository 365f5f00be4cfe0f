import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import type { LocalStackEndpoints } from './clients';
import { connectLocalStack } from './connection';
import { LOCAL_STACK_PROVIDE_KEY } from './provided-context';
import { createLocalStackGlobalSetup } from './vitest-global-setup';

describe('createLocalStackGlobalSetup', () => {
  it("starts the run's stack with the options given, the service limits included, and stops it", async () => {
    let provided: LocalStackEndpoints | undefined;
    const project = {
      provide: (key: string, value: LocalStackEndpoints) => {
        expect(key).toBe(LOCAL_STACK_PROVIDE_KEY);
        provided = value;
      },
    } as unknown as TestProject;
    const teardown = await createLocalStackGlobalSetup({ enforceLimits: true })(project);
    try {
      const local = connectLocalStack(provided!);
      const kinesis = local.kinesisClient({ maxAttempts: 1 });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, () => kinesis.send(new ListStreamsCommand({}))),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(1);
      expect((await local.kinesisFrontStats()).limits).toMatchObject({
        enforced: true,
        refusedCalls: { ListStreams: 1 },
      });
      local.close();
    } finally {
      await teardown();
    }
  });
});
