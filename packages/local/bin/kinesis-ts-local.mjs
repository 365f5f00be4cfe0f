#!/usr/bin/env node
// The kinesis-ts-local command: starts the built CLI (tsup writes it to dist/cli.js).
await import('../dist/cli.js');
