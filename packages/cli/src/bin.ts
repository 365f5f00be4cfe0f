import { readFileSync } from 'node:fs';
import { runCli } from './cli/run-cli.js';

/** This package's version: package.json is one folder up from dist/bin.js, two from src/bin.ts. */
function packageVersion(): string | undefined {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
      if (manifest.name === '@kinesis-ts/cli') return manifest.version;
    } catch {
      // not there: try the next
    }
  }
  return undefined;
}

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
});

runCli(process.argv.slice(2), {
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (chunk) => process.stderr.write(chunk),
  stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
  env: process.env,
  interactive: process.stderr.isTTY === true,
  signal: controller.signal,
  version: packageVersion(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `kinesis-ts: unexpected error ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
