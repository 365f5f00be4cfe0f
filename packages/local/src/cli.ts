import { readFileSync } from 'node:fs';
import { KinesisTsError, ValidationError } from '@kinesis-ts/core';
import { CLI_USAGE, exportLine, parseCliArgs } from './cli-args';
import { startLocalStack } from './local-stack';

/** The CLI's output: the terminal, the one place in the package that writes to it. */
const printLine = (text: string) => process.stdout.write(`${text}\n`);
const printError = (text: string, error?: unknown) => {
  const detail = error instanceof Error ? (error.stack ?? error.message) : error;
  process.stderr.write(`${text}${detail === undefined ? '' : ` ${String(detail)}`}\n`);
};

/** This package's version, from its package.json (one folder up from src/cli.ts and dist/cli.js). */
function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  // A command-line mistake is a ValidationError, reported with the usage and exit code 2 below.
  const command = parseCliArgs(process.argv.slice(2));
  if (command.kind === 'help') {
    printLine(CLI_USAGE);
    return 0;
  }
  if (command.kind === 'version') {
    printLine(`kinesis-ts-local ${packageVersion()}`);
    return 0;
  }

  const startedAt = performance.now();
  const stack = await startLocalStack(command.options);
  const startMs = Math.round(performance.now() - startedAt);
  const streams = command.options.streams ?? [];
  printLine(`kinesis-ts-local: started in ${startMs} ms`);
  printLine(
    `  Kinesis   ${stack.kinesisEndpoint}  (HTTP/1.1 and HTTP/2; kinesis-local behind it, pid ${stack.kinesisPid}, on ${stack.kinesisEmulatorPort}, HTTPS on ${stack.kinesisTlsPort})`,
  );
  printLine(`  DynamoDB  ${stack.dynamoDbEndpoint}  (dynalite, in memory)`);
  printLine(`  Region    ${stack.region}`);
  if (command.options.enforceLimits) {
    const lifetimeMs = command.options.limits?.subscriptionLifetimeMs ?? 300_000;
    printLine(
      `  Limits    the service's, enforced: 1,000 records and 1 MiB/s written and 5 reads and 2 MiB/s read per shard, subscriptions end after ${lifetimeMs} ms`,
    );
  }
  for (const stream of streams)
    printLine(
      `  Stream    ${stream.name} (${stream.shardCount} shard${stream.shardCount === 1 ? '' : 's'}, ACTIVE)`,
    );
  printLine('\nPoint the AWS CLI and SDKs here with:\n');
  printLine(exportLine(stack.environment()));
  printLine(
    '\nThe Kinesis endpoint speaks HTTP/1.1 and HTTP/2: SDK clients work with their default handler.',
  );
  printLine('Press Ctrl-C to stop.');

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
      printLine(`\nkinesis-ts-local: ${reason}; stopped in ${Math.round(performance.now() - stoppedAt)} ms`);
      resolve(code);
    };
    process.on('SIGINT', () => void stop('interrupted', 0));
    process.on('SIGTERM', () => void stop('terminated', 0));
    void stack.kinesisExited.then((exit) => {
      if (stopping) return;
      printError(
        `kinesis-ts-local: the Kinesis emulator exited unexpectedly (code ${exit.code}, signal ${exit.signal})\n${stack.kinesisOutput().join('\n')}`,
      );
      void stop('emulator exited', 1);
    });
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (ValidationError.isInstance(error)) {
      // A bad flag or value on the command line (a port, a region, a log level, a stream): a usage error.
      printError(`kinesis-ts-local: ${error.message} [${error.code}]\n\n${CLI_USAGE}`);
      process.exit(2);
    }
    if (KinesisTsError.isInstance(error)) printError(`kinesis-ts-local: ${error.message} [${error.code}]`);
    else printError('kinesis-ts-local: unexpected error', error);
    process.exit(1);
  },
);
