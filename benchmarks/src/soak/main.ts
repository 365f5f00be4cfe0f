/**
 * The reliability soak's entry point: `npx -y pnpm@10 soak [--duration 180 --seed 20261122]`.
 * See soak-run.ts for what happens and docs/benchmarks.md for the figures of a run.
 */
import { planSoak } from './fault-plan.js';
import { parseSoakArgs, SOAK_USAGE, type SoakOptions, SoakUsageError } from './options.js';
import { exitStatus, formatReport, jsonSummary } from './report.js';
import { SoakRun } from './soak-run.js';

let options: SoakOptions;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof SoakUsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${SOAK_USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${SOAK_USAGE}\n`);
  process.exit(0);
}

// The AWS SDK warns once per process on Node 20 about its releases after early 2027; it says nothing
// about this run: drop that one warning, print the others as Node does.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!warning.message.includes('NodeVersionSupportWarning'))
    process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`);
});

const say = (line: string) => process.stdout.write(`${line}\n`);
say(`soak: seed ${options.seed}, duration ${options.durationSeconds} s (rerun with --seed ${options.seed})`);
const run = new SoakRun(options, planSoak(options), say);

// Everything ends by itself: start-up, producing, closing, draining and stopping are each bounded; this
// is the backstop if one of them is not.
const hardLimitMs =
  (options.durationSeconds + 90 + 60 + Math.max(60, options.durationSeconds / 2) + 60) * 1_000;
const hardLimit = setTimeout(() => {
  say(`soak: hard time limit of ${hardLimitMs / 1_000} s reached; killing everything`);
  run.killEverything();
  process.exit(3); // the local Kinesis dies with this process (its watchdog sees the pipe close)
}, hardLimitMs);
hardLimit.unref();

let interrupted = false;
const onSignal = () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  say('soak: interrupted, stopping (again to exit at once)');
  run.interrupt();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const result = await run.run();
for (const line of formatReport(result)) say(line);
const status = exitStatus(result);
if (status === 0 && !options.keepLogs) {
  run.removeLogs();
  say('Worker logs removed (--keep-logs keeps them).');
} else {
  say(`Worker logs (one JSON line per batch and lease move): ${result.logDir}`);
}
say(jsonSummary(result, new Date()));
process.exitCode = status;
// idle keep-alive sockets of the SDK clients must not keep the process alive
setTimeout(() => process.exit(), 100).unref();
