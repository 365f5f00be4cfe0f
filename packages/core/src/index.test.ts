import { describe, expect, it } from 'vitest';
import { placeholder } from '@kinesis-ts/core';
describe('x', () => { it('works', () => { expect(placeholder).toBe(1); }); });
