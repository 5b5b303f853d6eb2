// The embedded page after the demo ran (the compose demo command, as `npm start` users see it): headless
// Chromium shows each of the demo's workflows with the outcomes, successes and cost per success the API
// gives, and a screenshot goes to test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, runComposeDemo, startCollector } from './stack-helpers.ts';

let tl: RunningCollector;
let browser: Browser;

beforeAll(async () => {
  tl = await startCollector();
  const run = await runComposeDemo(tl);
  if (run.code !== 0) throw new Error(`the demo failed (${run.code}):\n${run.output}`);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await tl?.close();
});

describe('embedded page with the demo', () => {
  it('shows the demo\'s workflows with their numbers', async () => {
    type Row = { group: { workflow: string }; outcomes: number; successes: number; costPerSuccessUsd: number | null };
    const rows = ((await (await fetch(`${tl.base}/api/v1/outcomes?group_by=workflow`)).json()) as { rows: Row[] }).rows;
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${tl.base}/`);
    await page.waitForSelector('body[data-loaded="true"]');
    const shown = await page.$$eval('#outcomes tbody tr', (trs) =>
      trs.map((tr) => ({ workflow: tr.getAttribute('data-workflow'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '') })));
    expect(shown.map((s) => s.workflow)).toEqual(rows.map((r) => r.group.workflow));
    for (const r of rows) {
      const cells = shown.find((s) => s.workflow === r.group.workflow)!.cells;
      expect(Number(cells[1])).toBe(r.outcomes);
      expect(Number(cells[2])).toBe(r.successes);
      expect(r.costPerSuccessUsd).toBeGreaterThan(0);
      expect(Math.abs(Number(cells[5]!.slice(1)) / r.costPerSuccessUsd! - 1)).toBeLessThan(5e-4);
    }
    expect(await page.$$eval('#chart polygon', (ps) => ps.length)).toBe(rows.length);
    mkdirSync(join(import.meta.dirname, '..', 'test-results'), { recursive: true });
    await page.screenshot({ path: join(import.meta.dirname, '..', 'test-results', 'tokenledger-page-demo.png'), fullPage: true });
  });
});
