/**
 * The program the emulator process runs (`node -e WATCHDOG_SCRIPT <main.js> <parentPid>`): it ties
 * the emulator's life to its parent's, then loads kinesis-local in the same process.
 *
 * - Its stdin is a pipe from the parent. When the pipe closes (the parent called `stop()`, exited,
 *   crashed or was SIGKILLed: the kernel closes the parent's end in every case) it kills itself with
 *   SIGKILL, which drops every connection and frees both ports at once. (kinesis-local's own
 *   graceful shutdown waits about 30 s for keep-alive connections; its data is in memory only.)
 * - As a second line, it checks every 500 ms that its parent is still its parent.
 */
export const WATCHDOG_SCRIPT = `'use strict';
const emulatorPath = process.argv[1];
const parentPid = Number(process.argv[2]);
const die = () => { try { process.kill(process.pid, 'SIGKILL'); } catch { process.exit(1); } };
process.stdin.on('end', die);
process.stdin.on('close', die);
process.stdin.on('error', die);
process.stdin.resume();
const timer = setInterval(() => {
  if (process.ppid !== parentPid) return die();
  try { process.kill(parentPid, 0); } catch (error) { if (error && error.code === 'ESRCH') die(); }
}, 500);
timer.unref();
require(emulatorPath);
`;
