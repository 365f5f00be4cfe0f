import { describe, expect, it } from 'vitest';
import { dynaliteFailureMessage } from './dynamodb-server';

describe('dynaliteFailureMessage', () => {
  it('explains a missing native LevelDB build and how to build it', () => {
    const message = dynaliteFailureMessage(
      new Error(
        'No native build was found for platform=freebsd arch=x64 runtime=node abi=115 uv=1 libc=glibc node=20.20.2',
      ),
    );
    expect(message).toContain('native LevelDB addon classic-level');
    expect(message).toContain('No native build was found for platform=freebsd');
    expect(message).toContain('onlyBuiltDependencies: [classic-level]');
  });

  it('names a binary that exists but does not load (a glibc build on musl)', () => {
    const message = dynaliteFailureMessage(
      new Error(
        'Error loading shared library ld-linux-aarch64.so.1: No such file or directory (needed by classic-level.armv8.node)',
      ),
    );
    expect(message).toContain('could not be loaded');
  });

  it('passes any other failure through', () => {
    expect(dynaliteFailureMessage(new Error('boom'))).toBe(
      'The DynamoDB server (dynalite) could not be created: boom',
    );
  });
});
