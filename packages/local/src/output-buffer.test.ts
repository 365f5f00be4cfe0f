import { describe, expect, it } from 'vitest';
import { OutputBuffer } from './output-buffer';

describe('OutputBuffer', () => {
  it('keeps only the last lines, joining chunks split mid-line', () => {
    const buffer = new OutputBuffer(2);
    buffer.push('one\ntw');
    buffer.push('o\nthree\n');
    buffer.push(new TextEncoder().encode('fou'));
    expect(buffer.lines()).toEqual(['three', 'fou']);
    expect(buffer.includes('thr')).toBe(true);
    expect(buffer.includes('one')).toBe(false);
  });

  it('keeps nothing when maxLines is 0', () => {
    const buffer = new OutputBuffer(0);
    buffer.push('a\nb\n');
    expect(buffer.lines()).toEqual([]);
  });
});
