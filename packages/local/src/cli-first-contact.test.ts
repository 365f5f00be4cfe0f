import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@kinesis-ts/core';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args';

const packageDir = join(import.meta.dirname, '..');
const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version as string;

function parseError(argv: string[]): ValidationError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    if (ValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('kinesis-ts-local on first contact', () => {
  it('takes --version and -v', () => {
    expect(parseCliArgs(['--version'])).toEqual({ kind: 'version' });
    expect(parseCliArgs(['-v'])).toEqual({ kind: 'version' });
  });

  it('suggests the flag a typo was meant to be', () => {
    expect(parseError(['--kinesis-prt', '1']).message).toMatch(
      /Unknown option '--kinesis-prt' \(did you mean '--kinesis-port'\?\)/,
    );
    expect(parseError(['--strem', 'a:1']).message).toMatch(/did you mean '--stream'/);
    expect(parseError(['--frobnicate']).message).not.toMatch(/did you mean/);
  });

  it('prints the version of its package.json and exits 0, starting nothing', () => {
    const stdout = execFileSync(
      process.execPath,
      ['--conditions=kinesis-ts-source', '--import', 'tsx', 'src/cli.ts', '--version'],
      { cwd: packageDir, encoding: 'utf8' },
    );
    expect(stdout).toBe(`kinesis-ts-local ${version}\n`);
  });

  it('ends a refused command line with the error code', () => {
    const result = spawnSync(
      process.execPath,
      ['--conditions=kinesis-ts-source', '--import', 'tsx', 'src/cli.ts', '--kinesis-port', 'x'],
      { cwd: packageDir, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--kinesis-port must be a port number, got 'x' \[INVALID_OPTION\]/);
  });
});
