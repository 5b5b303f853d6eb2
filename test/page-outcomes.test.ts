// The page at / in headless Chromium (Debian's, driven by playwright-core) with outcome keys and the trace index:
// tenant and workflow filters and a time range narrow every table to what the API gives for the same selection,
// pending outcomes are listed until reported, and the most expensive traces link to Jaeger
// (TOKENLEDGER_JAEGER_URL). Leaves test-results/tokenledger-page-outcomes.png.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as sc from '@tokenledger/semconv';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalisedTraces, type RunningCollector, startCollector, until } from './stack-helpers.ts';
import { otlpExporter, send, type TraceSpec, workload } from './workload.ts';

const JAEGER = 'http://jaeger.test:16686';
const resultsDir = join(import.meta.dirname, '..', 'test-results');
let tl: RunningCollector;
let browser: Browser;

/** A conversation: `n` traces carrying `key`, each one Claude 3.5 Haiku call. */
function conversation(key: string, tenant: string, n: number, output: number): TraceSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    traceId: randomBytes(16).toString('hex'),
    error: false,
    root: { [sc.ATTR_TENANT]: tenant, [sc.ATTR_FEATURE]: 'support', [sc.ATTR_WORKFLOW]: 'answer', [sc.ATTR_OUTCOME_KEY]: key },
    calls: [{ attributes: {
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: sc.PROVIDER_AWS_BEDROCK, [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000, [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output * (i + 1),
    } }],
  }));
}

async function api<T>(path: string): Promise<T> {
  return (await (await fetch(`${tl.base}${path}`)).json()) as T;
}

async function table(page: Page, id: string): Promise<{ key: string | null; cells: string[]; href: string | null }[]> {
  return page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => ({
    key: tr.getAttribute('data-workflow') ?? tr.getAttribute('data-key') ?? tr.getAttribute('data-trace'),
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
    href: tr.querySelector('a')?.getAttribute('href') ?? null,
  })));
}

async function loaded(page: Page): Promise<void> {
  await page.waitForSelector('body[data-loaded="true"]');
}

beforeAll(async () => {
  tl = await startCollector({ TOKENLEDGER_JAEGER_URL: JAEGER });
  const traces = [...workload(2), ...conversation('TICKET-7', 'acme', 3, 2000), ...conversation('TICKET-8', 'globex', 1, 500)];
  await send(traces, () => otlpExporter(tl.otlp));
  await until('the traces finalised', async () => (await api<{ traces: unknown[] }>('/api/v1/traces?limit=1000')).traces.length === traces.length);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await tl?.close();
});

describe('the page: filters, pending outcomes, the most expensive traces', () => {
  it('shows what the API gives for the selection, links each trace to Jaeger, and follows a report', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${tl.base}/`);
    await loaded(page);

    // Pending: both keys, dearest first, with the API's cost.
    const keys = await api<{ keys: { key: string; costUsd: number; traces: number }[] }>('/api/v1/outcome-keys?state=pending');
    expect(keys.keys.map((k) => k.key)).toEqual(['TICKET-7', 'TICKET-8']);
    const pending = await table(page, 'pending');
    expect(pending.map((r) => r.key)).toEqual(['TICKET-7', 'TICKET-8']);
    expect(pending[0]!.cells.slice(1, 4)).toEqual(['acme', 'answer', '3']);
    expect(Math.abs(Number(pending[0]!.cells[4]!.slice(1)) / keys.keys[0]!.costUsd - 1)).toBeLessThan(5e-4);
    expect(await page.textContent('#pending-summary')).toMatch(/^2 keys waiting, \$\d/);

    // The ten most expensive traces of the range, each linking to its trace in Jaeger.
    const dearest = await api<{ traces: { traceId: string; costUsd: number }[] }>('/api/v1/traces?sort=cost&limit=10');
    const shown = await table(page, 'traces');
    expect(shown.map((r) => r.key)).toEqual(dearest.traces.map((t) => t.traceId));
    expect(shown.map((r) => r.href)).toEqual(dearest.traces.map((t) => `${JAEGER}/trace/${t.traceId}`));
    expect(Math.abs(Number(shown[0]!.cells[7]!.slice(1)) / dearest.traces[0]!.costUsd - 1)).toBeLessThan(5e-4);

    // One tenant: every table narrows to the API's answer for it.
    await page.selectOption('#tenant', 'globex');
    await loaded(page);
    const globex = await api<{ rows: { group: { workflow: string }; costUsd: number }[] }>('/api/v1/outcomes?group_by=workflow&tenant=globex');
    expect((await table(page, 'outcomes')).map((r) => r.key)).toEqual(globex.rows.map((r) => r.group.workflow));
    expect((await table(page, 'pending')).map((r) => r.key)).toEqual(['TICKET-8']);
    const globexTraces = await table(page, 'traces');
    const apiGlobex = await api<{ traces: { traceId: string }[] }>('/api/v1/traces?sort=cost&limit=10&tenant=globex');
    expect(globexTraces.map((r) => r.key)).toEqual(apiGlobex.traces.map((t) => t.traceId));
    expect(globexTraces.length).toBe(7);
    expect(globexTraces.every((r) => r.cells[2] === 'globex')).toBe(true);
    // The filter is kept in the URL fragment, so the view can be shared (and survives a reload).
    expect(new URL(page.url()).hash).toBe('#tenant=globex');

    // One workflow as well, and a longer time range.
    await page.selectOption('#workflow', 'answer');
    await loaded(page);
    await page.selectOption('#range', '1440');
    await loaded(page);
    expect(await page.textContent('#window')).toBe('last 24 hours');
    expect((await table(page, 'outcomes')).map((r) => r.key)).toEqual(['answer']);
    const answer = await api<{ traces: { traceId: string }[] }>('/api/v1/traces?sort=cost&limit=10&tenant=globex&workflow=answer');
    expect((await table(page, 'traces')).map((r) => r.key)).toEqual(answer.traces.map((t) => t.traceId));
    expect(await page.$$eval('#chart polygon', (ps) => ps.map((p) => p.getAttribute('data-workflow')))).toEqual(['answer']);
    await page.reload();
    await loaded(page);
    expect([await page.inputValue('#tenant'), await page.inputValue('#workflow'), await page.inputValue('#range')]).toEqual(['globex', 'answer', '1440']);

    // Back to everything; the report of TICKET-7 takes it off the pending list and gives its traces its outcome.
    await page.goto(`${tl.base}/#`);
    await loaded(page);
    const posted = await fetch(`${tl.base}/api/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'TICKET-7', outcome: 'ticket_resolved', success: true }) });
    expect(posted.status).toBe(200);
    await until('TICKET-7 counted', async () => (await api<{ keys: { counted: boolean }[] }>('/api/v1/outcome-keys?key=TICKET-7')).keys[0]!.counted);
    await page.reload();
    await loaded(page);
    expect((await table(page, 'pending')).map((r) => r.key)).toEqual(['TICKET-8']);
    const resolved = (await table(page, 'traces')).filter((r) => r.cells[4] === 'ticket_resolved (TICKET-7)');
    expect(resolved.length).toBe(3);
    // Its one outcome, a success, in its workflow's row: the workload's 4 answers and the ticket.
    expect((await table(page, 'outcomes')).find((r) => r.key === 'answer')!.cells.slice(1, 3)).toEqual(['5', '5']);

    expect(await page.textContent('#error')).toBe('');
    expect(errors).toEqual([]);
    mkdirSync(resultsDir, { recursive: true });
    const shot = await page.screenshot({ path: join(resultsDir, 'tokenledger-page-outcomes.png'), fullPage: true });
    expect(shot.length).toBeGreaterThan(20_000);
    expect(await finalisedTraces(tl.base)).toBeGreaterThan(0);
  });
});
