// The embedded page on TOKENLEDGER_HTTP_ADDR, in headless Chromium (Debian's) driven by playwright-core:
// with the collector fed by the workload over OTLP, it loads, shows the workflows with the numbers
// /api/v1/outcomes gives, draws spend over time, and leaves a screenshot in test-results/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalisedTraces, type RunningCollector, startCollector, until } from './stack-helpers.ts';
import { otlpExporter, send, workload } from './workload.ts';

const resultsDir = join(import.meta.dirname, '..', 'test-results');
let tl: RunningCollector;
let base: string;
let browser: Browser;
const traces = workload(3);

interface Row {
  group: { workflow: string };
  outcomes: number;
  successes: number;
  costUsd: number;
  costPerSuccessUsd: number | null;
}

async function rows(): Promise<Row[]> {
  return ((await (await fetch(`${base}/api/v1/outcomes?group_by=workflow`)).json()) as { rows: Row[] }).rows;
}

beforeAll(async () => {
  tl = await startCollector();
  base = tl.base;
  await send(traces, () => otlpExporter(tl.otlp));
  await until('the workload finalised', async () => (await finalisedTraces(base)) === traces.length);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await tl?.close();
});

describe('embedded page', () => {
  it('with TOKENLEDGER_AUTH_TOKEN, sends the token from the URL fragment, and says so on a 401 without it', async () => {
    const secured = await startCollector({ TOKENLEDGER_AUTH_TOKEN: 'page-secret' });
    try {
      const page = await browser.newPage();
      await page.goto(`${secured.base}/`);
      await page.waitForFunction(() => document.getElementById('error')!.textContent !== '');
      expect(await page.textContent('#error')).toContain('HTTP 401');
      await page.goto(`${secured.base}/#token=page-secret`);
      await page.reload();
      await page.waitForSelector('body[data-loaded="true"]');
      expect(await page.textContent('#outcomes tbody')).toContain('No finalised traces yet.');
      await page.close();
    } finally {
      await secured.close();
    }
  });

  it('is served at / as HTML, without the bearer token (it holds no data)', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await res.text()).toContain('/api/v1/outcomes'.slice(1));
  });

  it('shows every workflow with its outcomes and cost per success, draws spend over time, saves a screenshot', async () => {
    const expected = await rows();
    expect(expected.map((r) => r.group.workflow).sort()).toEqual(['answer', 'draft', 'triage']);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-loaded="true"]');
    const shown = await page.$$eval('#outcomes tbody tr', (trs) =>
      trs.map((tr) => ({ workflow: tr.getAttribute('data-workflow'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })));
    expect(shown.map((r) => r.workflow)).toEqual(expected.map((r) => r.group.workflow));
    for (const r of expected) {
      const cells = shown.find((s) => s.workflow === r.group.workflow)!.cells;
      expect(Number(cells[1])).toBe(r.outcomes);
      expect(Number(cells[2])).toBe(r.successes);
      // The page's dollars, parsed back, are the API's to the four significant digits shown.
      expect(Math.abs(Number(cells[4]!.slice(1)) / r.costUsd - 1)).toBeLessThan(5e-4);
      expect(Math.abs(Number(cells[5]!.slice(1)) / r.costPerSuccessUsd! - 1)).toBeLessThan(5e-4);
      expect(r.costPerSuccessUsd).toBeGreaterThan(0);
    }
    const bands = await page.$$eval('#chart polygon', (ps) => ps.map((p) => p.getAttribute('data-workflow')));
    expect(bands.sort()).toEqual(['answer', 'draft', 'triage']);
    expect(await page.textContent('#error')).toBe('');
    expect(errors).toEqual([]);
    mkdirSync(resultsDir, { recursive: true });
    const shot = await page.screenshot({ path: join(resultsDir, 'tokenledger-page.png'), fullPage: true });
    expect(shot.length).toBeGreaterThan(10_000);
  });
});
