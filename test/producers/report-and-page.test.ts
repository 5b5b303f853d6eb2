// What the collector cannot price is shown, not hidden: after OpenLLMetry's Bedrock app (whose Converse spans
// carry no usage and whose InvokeModel spans no cache counts), the report and the page show the calls of
// unknown usage and mark the cost priced without cache effects.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.ts';

const run = promisify(execFile);
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await stack.app('openllmetry-bedrock.ts');
  stack.finalise();
});
afterAll(() => stack.close());

describe('report and page', () => {
  it('`tokenledger report` counts the unpriced calls and those of unknown usage, and marks cost without cache effects', async () => {
    const bin = join(import.meta.dirname, '../../collector/src/cli/tokenledger.ts');
    const { stdout } = await run(process.execPath, [bin, 'report', '--url', stack.http, '--no-forecast']);
    const lines = stdout.split('\n');
    expect(lines.find((l) => l.startsWith('converse ')) ?? '').toMatch(/\s\$0\.0+\s+\$0\.0+\s+0\/0\s+1 \(1\)$/);
    expect(lines.find((l) => l.startsWith('TOTAL')) ?? '').toMatch(/\s3 \(3\)$/);
    expect(lines.find((l) => l.startsWith('invoke-claude ')) ?? '').toMatch(/\$0\.\d+ †\s/);
    expect(stdout).toMatch(/† \$0\.\d+ of the cost is priced without cache effects/);
    expect(stdout).toContain('3 model calls reported no usage: their cost is unknown and not in the totals.');
  });

  it('the page shows the same', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${stack.http}/`);
      await page.waitForSelector('body[data-loaded="true"]');
      const cells = (workflow: string) => page.$$eval(`#outcomes tbody tr[data-workflow="${workflow}"] td`, (tds) => tds.map((td) => td.textContent));
      expect((await cells('converse')).at(-1)).toBe('1 (1 unknown usage)');
      expect((await cells('invoke-claude'))[4]).toMatch(/^\$.+ †$/);
      expect(await page.textContent('#gaps')).toMatch(/† \$.+ of the cost is priced without cache effects.* 3 model calls reported no usage/);
    } finally {
      await browser.close();
    }
  });
});
