import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogReader, LogWriter } from './delivery-log.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'soak-log-test-'));
  dirs.push(dir);
  return join(dir, 'w1.1.jsonl');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('LogReader', () => {
  it('reads only the lines appended since its last read', () => {
    const path = tempFile();
    const writer = new LogWriter(path);
    const reader = new LogReader(path);
    writer.append({ e: 'started', w: 'w1.1', t: 1, pid: 7 });
    expect(reader.readNew()).toEqual([{ e: 'started', w: 'w1.1', t: 1, pid: 7 }]);
    writer.append({ e: 'stopped', w: 'w1.1', t: 2 });
    expect(reader.readNew()).toEqual([{ e: 'stopped', w: 'w1.1', t: 2 }]);
    expect(reader.readNew()).toEqual([]);
    writer.close();
  });

  it('holds back a line cut short until the rest of it arrives, and reports a file that ends with one', () => {
    const path = tempFile();
    appendFileSync(path, '{"e":"stopped","w":"w1.1","t":2}\n{"e":"stop');
    const reader = new LogReader(path);
    expect(reader.readNew()).toHaveLength(1);
    expect(reader.endsWithCutLine).toBe(true);
    appendFileSync(path, 'ped","w":"w1.1","t":3}\n');
    expect(reader.readNew()).toEqual([{ e: 'stopped', w: 'w1.1', t: 3 }]);
    expect(reader.endsWithCutLine).toBe(false);
    expect(reader.unreadable).toBe(0);
  });

  it('returns nothing for a file not created yet', () => {
    expect(new LogReader(join(tmpdir(), 'no-such-soak-log.jsonl')).readNew()).toEqual([]);
  });
});
