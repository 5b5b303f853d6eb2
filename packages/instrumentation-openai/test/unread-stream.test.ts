import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('a stream the app never reads', () => {
  it('still ends its span once the Stream is garbage-collected', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', join(import.meta.dirname, 'fixtures', 'unread-stream.ts')], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual([{ name: 'chat gpt-4o-mini', ended: true }]);
  });
});
