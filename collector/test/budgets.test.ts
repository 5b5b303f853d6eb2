// Budgets and month-end forecasts on traces at known times (an injected clock), through the HTTP API
// and /metrics, and the forecast section of `tokenledger report`.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Budgets, formatForecast, type BudgetStatus, type ForecastRow } from '../src/budgets/index.ts';
import { Collector } from '../src/collector.ts';
import { budgetsConfigFromEnv } from '../src/config/budgets.ts';
import { FakeClock, root, span, tempDir, testConfig, traceId } from './helpers.ts';

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

function budgetsFile(budgets: unknown[]): string {
  const file = join(tempDir(), 'budgets.json');
  writeFileSync(file, JSON.stringify({ budgets }));
  return file;
}

let n = 0;
/** One finalised trace costing `usd` (honoured from the span) with `tokens` tokens, at the clock's time. */
async function spend(clock: FakeClock, at: string, who: { tenant: string; workflow: string; feature?: string }, usd: number, tokens = 0): Promise<void> {
  clock.ms = Date.parse(at);
  const id = traceId(0x5000 + n++);
  const attribution = { 'tokenledger.tenant': who.tenant, 'tokenledger.workflow': who.workflow, 'tokenledger.feature': who.feature ?? 'chat' };
  await collector!.sink.accept([
    root(id, { ...attribution, 'tokenledger.outcome': 'done' }),
    span(id, { ...attribution, 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'tokenledger.cost.usd': usd, 'gen_ai.usage.input_tokens': tokens, 'gen_ai.usage.output_tokens': 0 }),
  ]);
  clock.advance(collector!.config.traceIdleMs + 1);
  collector!.finaliser.drain();
}

async function start(budgets: unknown[], env: Record<string, string> = {}) {
  const clock = new FakeClock(Date.parse('2026-10-01T00:00:00Z'));
  collector = new Collector({ config: testConfig({ TOKENLEDGER_BUDGETS_FILE: budgetsFile(budgets), ...env }), clock });
  const b = collector.component(Budgets)!;
  const { http } = await collector.listen();
  return { clock, budgets: b, base: `http://127.0.0.1:${http.port}` };
}

const get = async <T>(url: string): Promise<T> => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

describe('budgets', () => {
  it('reports used, remaining, ratio and exceeded per budget, month to date, in USD and tokens', async () => {
    const { clock, budgets, base } = await start([
      { scope: 'tenant', name: 'acme', monthly_usd: 30 },
      { scope: 'workflow', name: 'answer', monthly_tokens: 10_000 },
      { scope: 'feature', name: 'search box', monthly_usd: 5 },
    ]);
    await spend(clock, '2026-10-31T23:00:00Z', { tenant: 'acme', workflow: 'answer' }, 5, 9_000); // last month
    await spend(clock, '2026-11-03T12:00:00Z', { tenant: 'acme', workflow: 'answer' }, 10, 4_000);
    await spend(clock, '2026-11-08T12:00:00Z', { tenant: 'acme', workflow: 'triage', feature: 'search box' }, 14, 1_000);
    await spend(clock, '2026-11-09T12:00:00Z', { tenant: 'globex', workflow: 'answer' }, 1, 2_000);
    clock.ms = Date.parse('2026-11-10T00:00:00Z');

    const all = await get<{ budgets: BudgetStatus[] }>(`${base}/api/v1/budgets`);
    const acme = all.budgets.find((b) => b.name === 'acme')!;
    expect(acme).toMatchObject({ scope: 'tenant', unit: 'usd', budget: 30, used: 24, remaining: 6, exceeded: false, monthStart: '2026-11-01T00:00:00.000Z', monthEnd: '2026-12-01T00:00:00.000Z' });
    expect(acme.ratio).toBeCloseTo(0.8, 12);
    const answer = all.budgets.find((b) => b.name === 'answer')!;
    expect(answer).toMatchObject({ unit: 'tokens', budget: 10_000, used: 6_000, remaining: 4_000, exceeded: false });
    // One budget at a time, as a gateway asks; names are URL-encoded.
    const feature = await get<BudgetStatus>(`${base}/api/v1/budgets/feature/search%20box`);
    expect(feature).toMatchObject({ used: 14, remaining: 0, exceeded: true, ratio: 2.8 });
    expect((await fetch(`${base}/api/v1/budgets/tenant/nobody`)).status).toBe(404);

    await budgets.refresh();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('tokenledger_budget_used_ratio{scope="tenant",name="acme"} 0.8');
    expect(metrics).toContain('tokenledger_budget_used_ratio{scope="workflow",name="answer"} 0.6');
    expect(metrics).toContain('tokenledger_budget_usd{scope="tenant",name="acme"} 30');
    expect(metrics).not.toContain('tokenledger_budget_usd{scope="workflow"');

    await spend(clock, '2026-11-10T01:00:00Z', { tenant: 'acme', workflow: 'x' }, 6);
    const after = await get<BudgetStatus>(`${base}/api/v1/budgets/tenant/acme`);
    expect(after).toMatchObject({ used: 30, remaining: 0, exceeded: true, ratio: 1 });
  });

  it('forecasts the month end from month to date + the trailing 7-day rate × time left', async () => {
    const { clock, budgets, base } = await start([{ scope: 'tenant', name: 'acme', monthly_usd: 50 }, { scope: 'feature', name: 'chat', monthly_usd: 500 }]);
    await spend(clock, '2026-10-31T23:00:00Z', { tenant: 'acme', workflow: 'answer' }, 5); // outside the month and the window
    await spend(clock, '2026-11-03T12:00:00Z', { tenant: 'acme', workflow: 'answer' }, 10);
    await spend(clock, '2026-11-08T12:00:00Z', { tenant: 'acme', workflow: 'triage' }, 14);
    clock.ms = Date.parse('2026-11-10T00:00:00Z');

    const doc = await get<{ rows: ForecastRow[]; windowDays: number; method: string }>(`${base}/api/v1/forecast`);
    const row = (scope: string, name: string) => doc.rows.find((r) => r.scope === scope && r.name === name)!;
    // Window Nov 3 00:00 – Nov 10 00:00: $24 in 7 days; 21 days left: 24 + 24/7 × 21 = 96.
    expect(row('tenant', 'acme').monthToDateUsd).toBe(24);
    expect(row('tenant', 'acme').dailyRateUsd).toBeCloseTo(24 / 7, 10);
    expect(row('tenant', 'acme').forecastUsd).toBeCloseTo(96, 10);
    expect(row('tenant', 'acme').budgetUsd).toBe(50);
    expect(row('workflow', 'answer').forecastUsd).toBeCloseTo(10 + (10 / 7) * 21, 10);
    expect(row('workflow', 'triage').forecastUsd).toBeCloseTo(14 + 2 * 21, 10);
    // Budgeted features are forecast too (for the forecast-over-budget alert).
    expect(row('feature', 'chat').forecastUsd).toBeCloseTo(96, 10);
    expect(doc.rows.filter((r) => r.scope === 'feature')).toHaveLength(1);
    const tenantsOnly = await get<{ rows: ForecastRow[] }>(`${base}/api/v1/forecast?scope=tenant`);
    expect(tenantsOnly.rows.map((r) => r.name)).toEqual(['acme']);

    await budgets.refresh();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const forecast = /tokenledger_forecast_month_usd\{scope="tenant",name="acme"\} ([\d.e+-]+)/.exec(metrics)!;
    expect(Number(forecast[1])).toBeCloseTo(96, 9);

    const table = formatForecast({ asOf: '2026-11-10T00:00:00.000Z', monthEnd: '2026-12-01T00:00:00.000Z', windowDays: 7, rows: doc.rows });
    expect(table).toMatch(/tenant\s+acme\s+\$24\.00\s+\$3\.43\s+\$96\.00\s+\$50\.00\s+192%/);
  });

  it('adds the forecast to `tokenledger report`', async () => {
    const { clock, base } = await start([{ scope: 'tenant', name: 'acme', monthly_usd: 50 }]);
    await spend(clock, '2026-11-03T12:00:00Z', { tenant: 'acme', workflow: 'answer' }, 10);
    await spend(clock, '2026-11-08T12:00:00Z', { tenant: 'acme', workflow: 'triage' }, 14);
    clock.ms = Date.parse('2026-11-10T00:00:00Z');
    const bin = join(import.meta.dirname, '../src/cli/tokenledger.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'report', '--url', base], { env: { ...process.env, TOKENLEDGER_AUTH_TOKEN: '' } });
    expect(stdout).toContain('Cost per successful outcome');
    expect(stdout).toContain('Month-end forecast (as of 2026-11-10T00:00:00.000Z');
    // First data Nov 3 12:00 (6.5 days of trend): 24 + 24/6.5 × 21.
    expect(stdout).toMatch(new RegExp(`tenant\\s+acme\\s+\\$24\\.00\\s+\\$3\\.69\\s+\\$${(24 + (24 / 6.5) * 21).toFixed(2).replace('.', '\\.')}\\s+\\$50\\.00`));
    const plain = await promisify(execFile)(process.execPath, [bin, 'report', '--url', base, '--no-forecast'], { env: { ...process.env, TOKENLEDGER_AUTH_TOKEN: '' } });
    expect(plain.stdout).toContain('Cost per successful outcome');
    expect(plain.stdout).not.toContain('Month-end forecast');
  });

  it('shortens the trend window to the data this collector has (at least an hour)', async () => {
    const { clock, base } = await start([]);
    await spend(clock, '2026-11-09T00:00:00Z', { tenant: 'new', workflow: 'w' }, 2);
    await spend(clock, '2026-11-09T18:00:00Z', { tenant: 'new', workflow: 'w' }, 1);
    clock.ms = Date.parse('2026-11-10T00:00:00Z');
    const doc = await get<{ rows: ForecastRow[] }>(`${base}/api/v1/forecast?scope=tenant`);
    // First data at Nov 9 00:00 (its bucket): $3 over one day, 21 days left.
    expect(doc.rows[0]).toMatchObject({ name: 'new', monthToDateUsd: 3 });
    expect(doc.rows[0]!.forecastUsd).toBeCloseTo(3 + 3 * 21, 10);
  });

  it('refuses a bad budgets file at start, naming the variable', () => {
    expect(() => budgetsConfigFromEnv({ TOKENLEDGER_BUDGETS_FILE: budgetsFile([{ scope: 'team', name: 'a', monthly_usd: 1 }]) })).toThrow(/TOKENLEDGER_BUDGETS_FILE.*scope one of tenant, feature, workflow/);
    expect(() => budgetsConfigFromEnv({ TOKENLEDGER_BUDGETS_FILE: budgetsFile([{ scope: 'tenant', name: 'a', monthly_usd: 1, monthly_tokens: 5 }]) })).toThrow(/exactly one of/);
    expect(() => budgetsConfigFromEnv({ TOKENLEDGER_BUDGETS_FILE: budgetsFile([{ scope: 'tenant', name: 'a', monthly_usd: -1 }]) })).toThrow(/positive/);
    expect(() => budgetsConfigFromEnv({ TOKENLEDGER_BUDGETS_FILE: '/nonexistent/budgets.json' })).toThrow(/TOKENLEDGER_BUDGETS_FILE/);
    expect(() => budgetsConfigFromEnv({ TOKENLEDGER_FORECAST_WINDOW_DAYS: '0' })).toThrow(/TOKENLEDGER_FORECAST_WINDOW_DAYS/);
  });
});
