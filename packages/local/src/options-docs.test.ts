import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tsdocDisagreements } from '../../core/test/option-docs.js';
import { LOCAL_STACK_OPTION_SPECS, resolveLocalStackOptions } from './options';

describe('the local stack options as documented', () => {
  it('have in their TSDoc the defaults and ranges of the specs', () => {
    const source = readFileSync(new URL('./options.ts', import.meta.url), 'utf8');
    expect(tsdocDisagreements(source, 'LocalStackOptions', LOCAL_STACK_OPTION_SPECS)).toEqual([]);
  });

  it('suggest the option meant by a misspelt one, and refuse null', () => {
    expect(() => resolveLocalStackOptions({ kinesisPrt: 1 } as never)).toThrow("did you mean 'kinesisPort'?");
    expect(() => resolveLocalStackOptions({ region: null } as never)).toThrow(
      expect.objectContaining({ field: 'region', code: 'INVALID_OPTION' }),
    );
  });
});
