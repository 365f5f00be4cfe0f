#!/usr/bin/env node
// Runs the reliability soak's TypeScript sources with tsx, resolving the workspace packages to their
// sources (the `kinesis-ts-source` export condition), so nothing needs building first.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = import.meta.resolve('tsx');
const child = spawn(
  process.execPath,
  [
    '--conditions=kinesis-ts-source',
    '--import',
    tsx,
    join(root, 'src', 'soak', 'main.ts'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
// Ctrl-C in a terminal reaches the soak directly (same process group); a signal sent to this
// launcher alone is passed on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 1);
});
