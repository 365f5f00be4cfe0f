// Measures how long startLocalStack() and stop() take on this machine.
// Run: npx -y pnpm@10 --filter @kinesis-ts/local measure [-- iterations]
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { startLocalStack } from '../src/local-stack';

// pnpm passes the '--' of `measure -- 5` through.
const iterations = Number(process.argv.slice(2).find((arg) => arg !== '--') ?? 5);
const starts: number[] = [];
const startsWithStream: number[] = [];
const stops: number[] = [];

for (let i = 0; i < iterations; i++) {
  let started = performance.now();
  let stack = await startLocalStack();
  starts.push(performance.now() - started);
  // A connected client (an open keep-alive socket) is what makes kinesis-local's own SIGTERM slow.
  await stack.kinesisClient().send(new ListStreamsCommand({}));
  let stopping = performance.now();
  await stack.stop();
  stops.push(performance.now() - stopping);

  started = performance.now();
  stack = await startLocalStack({ streams: [{ name: 'measure', shardCount: 2 }] });
  startsWithStream.push(performance.now() - started);
  stopping = performance.now();
  await stack.stop();
  stops.push(performance.now() - stopping);
}

const print = (line: string) => process.stdout.write(`${line}\n`);
const summary = (label: string, values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  print(
    `${label.padEnd(40)} median ${median.toFixed(0).padStart(5)} ms   min ${sorted[0]!.toFixed(0).padStart(5)} ms   max ${sorted.at(-1)!.toFixed(0).padStart(5)} ms   (n=${values.length})`,
  );
};
print(`node ${process.version}, ${iterations} iterations`);
summary('startLocalStack()', starts);
summary('startLocalStack({ streams: 2 shards })', startsWithStream);
summary('stop() (with a connected client)', stops);
