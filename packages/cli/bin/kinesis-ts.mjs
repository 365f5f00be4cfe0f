#!/usr/bin/env node
// The kinesis-ts command: starts the built CLI (tsup writes it to dist/bin.js).
await import('../dist/bin.js');
