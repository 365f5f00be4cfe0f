/**
 * The AWS SDK warns once per process on Node 20 that its releases after early 2027 will need Node 22
 * (NodeVersionSupportWarning). It says nothing about this demo and would scribble over the live view:
 * drop that one warning, print the others as Node does.
 */
export function quietSdkNodeVersionWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.message.includes('NodeVersionSupportWarning')) return;
    console.warn(`(node:${process.pid}) ${warning.name}: ${warning.message}`);
  });
}
