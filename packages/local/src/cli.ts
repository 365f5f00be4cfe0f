import { ValidationError } from '@kinesis-ts/core';
import { CLI_USAGE, CliUsageError, exportLine, parseCliArgs } from './cli-args';
import { LocalStackError } from './errors';
import { startLocalStack } from './local-stack';

async function main(): Promise<number> {
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(`kinesis-ts-local: ${error.message}\n\n${CLI_USAGE}`);
    return 2;
  }
  if (command.kind === 'help') {
    console.log(CLI_USAGE);
    return 0;
  }

  const startedAt = performance.now();
  const stack = await startLocalStack(command.options);
  const startMs = Math.round(performance.now() - startedAt);
  const streams = command.options.streams ?? [];
  console.log(`kinesis-ts-local: started in ${startMs} ms`);
  console.log(
    `  Kinesis   ${stack.kinesisEndpoint}  (kinesis-local, pid ${stack.kinesisPid}, HTTPS on ${stack.kinesisTlsPort})`,
  );
  console.log(`  DynamoDB  ${stack.dynamoDbEndpoint}  (dynalite, in memory)`);
  console.log(`  Region    ${stack.region}`);
  for (const stream of streams)
    console.log(
      `  Stream    ${stream.name} (${stream.shardCount} shard${stream.shardCount === 1 ? '' : 's'}, ACTIVE)`,
    );
  console.log('\nPoint the AWS CLI and SDKs here with:\n');
  console.log(exportLine(stack.environment()));
  console.log('\nNode.js SDK clients for Kinesis need an HTTP/1.1 handler here: new NodeHttpHandler().');
  console.log('Press Ctrl-C to stop.');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (reason: string, code: number) => {
      if (stopping) {
        // A second Ctrl-C: give up on a clean stop.
        process.exit(130);
      }
      stopping = true;
      const stoppedAt = performance.now();
      await stack.stop();
      console.log(
        `\nkinesis-ts-local: ${reason}; stopped in ${Math.round(performance.now() - stoppedAt)} ms`,
      );
      resolve(code);
    };
    process.on('SIGINT', () => void stop('interrupted', 0));
    process.on('SIGTERM', () => void stop('terminated', 0));
    void stack.kinesisExited.then((exit) => {
      if (stopping) return;
      console.error(
        `kinesis-ts-local: the Kinesis emulator exited unexpectedly (code ${exit.code}, signal ${exit.signal})\n${stack.kinesisOutput().join('\n')}`,
      );
      void stop('emulator exited', 1);
    });
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ValidationError) {
      // A bad value on the command line (a region, a log level, a stream name): a usage error.
      console.error(`kinesis-ts-local: ${error.message}\n\n${CLI_USAGE}`);
      process.exit(2);
    }
    if (error instanceof LocalStackError) console.error(`kinesis-ts-local: ${error.message}`);
    else console.error('kinesis-ts-local: unexpected error', error);
    process.exit(1);
  },
);
