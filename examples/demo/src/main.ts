/**
 * The demo's entry point: `pnpm demo [-- --duration 45 --rate 100 --shards 4]`. See demo-run.ts for
 * what happens, and the README for what to look at.
 */
import { DemoRun } from './demo-run.js';
import { DEMO_USAGE, type DemoOptions, DemoUsageError, parseDemoArgs } from './options.js';
import { quietSdkNodeVersionWarning } from './quiet-warnings.js';

quietSdkNodeVersionWarning();

let options: DemoOptions;
try {
  options = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof DemoUsageError)) throw error;
  console.error(`${error.message}\n\n${DEMO_USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(DEMO_USAGE);
  process.exit(0);
}

const run = new DemoRun(options);
let interruptedAt: number | undefined;
const onSignal = () => {
  // Ctrl-C reaches every process of the terminal's group, and the launcher may pass it on too: a
  // second signal within a second is the same Ctrl-C; a later one means "now"
  const now = Date.now();
  if (interruptedAt === undefined) {
    interruptedAt = now;
    run.interrupt();
  } else if (now - interruptedAt > 1_000) {
    process.stdout.write('\u001b[?25h\nStopped at once.\n');
    process.exit(130); // the local Kinesis dies with this process (its watchdog sees the pipe close)
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await run.run();
// idle keep-alive sockets of the SDK clients must not keep the process alive
setTimeout(() => process.exit(), 100).unref();
