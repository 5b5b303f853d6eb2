// Poisoned values (reliability scenario 15): a 4 MB label value, token counts of 1e308 / NaN / "abc", negative
// costs, NUL inside label values. /metrics stays valid exposition text (promtool) before and after a restart, no
// counter ever decreases, and every bad value is counted instead of summed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { Collector } from '../src/collector.ts';
import { FakeClock, root, seriesValue, span, tempDir, testConfig, traceId } from './helpers.ts';

const MINI = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };
const open: Collector[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

async function start(dataDir: string, clock: FakeClock): Promise<{ collector: Collector; base: string }> {
  const collector = new Collector({ config: testConfig({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '1000' }), clock });
  open.push(collector);
  const { http } = await collector.listen();
  return { collector, base: `http://127.0.0.1:${http.port}` };
}

/** promtool's verdict on exposition text: '' when it parses (lint remarks aside), else its parse error. */
function promtoolParseError(text: string): Promise<string> {
  return new Promise((resolve) => {
    const p = execFile('promtool', ['check', 'metrics'], (_err, stdout, stderr) => {
      const out = `${stdout}${stderr}`;
      resolve(/error while linting|parsing error/i.test(out) ? out : '');
    });
    p.stdin!.end(text);
  });
}

/** Every sample of the exposition, by series line. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function scrape(base: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/metrics`);
  return { status: res.status, text: await res.text() };
}

async function finalise(collector: Collector, clock: FakeClock): Promise<void> {
  clock.advance(1000);
  collector.finaliser.drain();
}

describe('poisoned values', () => {
  it('keeps /metrics valid after six traces with a 4 MB tenant value, also after a restart; the label is bounded', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const first = await start(dataDir, clock);
    const huge = (i: number) => `${i}${'x'.repeat(4 << 20)}`;
    for (let i = 0; i < 6; i++) {
      const id = traceId(i + 1);
      await first.collector.sink.accept([root(id, { 'tokenledger.tenant': huge(i), 'tokenledger.outcome': 'done' }), span(id, { ...MINI, 'gen_ai.usage.input_tokens': 1000 })]);
    }
    await finalise(first.collector, clock);
    const before = await scrape(first.base);
    expect(before.status).toBe(200);
    expect(await promtoolParseError(before.text)).toBe('');
    const tenants = [...before.text.matchAll(/^tokenledger_outcomes_total\{tenant="([^"]*)"/gm)].map((m) => m[1]!);
    expect(tenants).toHaveLength(6);
    expect(new Set(tenants).size).toBe(6); // truncated, still distinct
    for (const t of tenants) expect(t.length).toBeLessThanOrEqual(256);
    expect(seriesValue(first.collector, 'tokenledger_collector_long_values_total', { attribute: 'tokenledger.tenant' })).toBe(6);
    await first.collector.close();

    const second = await start(dataDir, clock);
    const after = await scrape(second.base);
    expect(after.status).toBe(200);
    expect(await promtoolParseError(after.text)).toBe('');
    expect(seriesValue(second.collector, 'tokenledger_outcomes_total')).toBe(6);
  });

  it('sums no 1e308, NaN, "abc" or negative token count and no negative, non-numeric or huge cost: counted, never summed', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const first = await start(dataDir, clock);
    // A good trace first: 1000 in, 100 out of gpt-4o-mini = 0.00021 USD.
    const good = traceId(1);
    await first.collector.sink.accept([root(good, { 'tokenledger.tenant': 'acme', 'tokenledger.outcome': 'done' }),
      span(good, { ...MINI, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 })]);
    await finalise(first.collector, clock);
    const baseline = samples((await scrape(first.base)).text);
    const cost = seriesValue(first.collector, 'tokenledger_cost_usd_total');
    expect(cost).toBeCloseTo(0.00021, 12);

    const bad: Record<string, string | number | boolean>[] = [
      { 'gen_ai.usage.input_tokens': 1e308, 'gen_ai.usage.output_tokens': 1e308 },
      { 'gen_ai.usage.input_tokens': 1e308 },
      { 'gen_ai.usage.input_tokens': 'NaN', 'gen_ai.usage.output_tokens': 'abc' },
      { 'gen_ai.usage.input_tokens': -5000, 'gen_ai.usage.output_tokens': -1 },
      { 'tokenledger.cost.usd': -100 },
      { 'tokenledger.cost.usd': 'abc' },
      { 'tokenledger.cost.usd': 1e300 },
      { 'gen_ai.usage.cost': -7 },
      { 'tokenledger.prompt.tokens.system': -10, 'gen_ai.response.time_to_first_chunk': -1 },
      // A good cost with a bad part: the cost counts (as input), the part does not.
      { 'tokenledger.cost.usd': 0.001, 'tokenledger.cost.output_usd': -3 },
    ];
    for (const [i, attrs] of bad.entries()) {
      const id = traceId(100 + i);
      await first.collector.sink.accept([root(id, { 'tokenledger.tenant': 'acme', 'tokenledger.outcome': 'done' }), span(id, { ...MINI, ...attrs })]);
    }
    await finalise(first.collector, clock);
    const { status, text } = await scrape(first.base);
    expect(status).toBe(200);
    expect(await promtoolParseError(text)).toBe('');
    // No series went down, and nothing bad was added.
    const now = samples(text);
    for (const [series, value] of baseline) {
      if (series.startsWith('tokenledger_') && !series.startsWith('tokenledger_collector_')) expect(now.get(series), series).toBeGreaterThanOrEqual(value);
    }
    for (const [series, value] of now) expect(Number.isFinite(value), series).toBe(true);
    expect(seriesValue(first.collector, 'tokenledger_cost_usd_total')).toBeCloseTo(cost + 0.001, 12);
    expect(seriesValue(first.collector, 'tokenledger_cost_usd_total', { component: 'output' })).toBeCloseTo(100 * 6e-7, 12);
    expect(seriesValue(first.collector, 'tokenledger_tokens_total')).toBe(1100);
    expect(seriesValue(first.collector, 'tokenledger_prompt_tokens_total')).toBe(0);
    expect(first.collector.metrics.registry.family('tokenledger_time_to_first_token_seconds')!.series.size).toBe(0);
    expect(seriesValue(first.collector, 'tokenledger_outcomes_total')).toBe(1 + bad.length);
    // Each bad number is a failed check of its producer (here the GenAI conventions' reading), reported to diag.
    const failed = (check: string) => seriesValue(first.collector, 'tokenledger_span_checks_failed_total', { producer: 'genai-semconv', check });
    expect(Object.fromEntries(['too_large_count', 'non_numeric_count', 'negative_count', 'negative_cost', 'non_numeric_cost', 'too_large_cost'].map((c) => [c, failed(c)])))
      .toEqual({ too_large_count: 3, non_numeric_count: 2, negative_count: 3, negative_cost: 3, non_numeric_cost: 1, too_large_cost: 1 });
    // The API never shows a negative cost.
    const api = (await (await fetch(`${first.base}/api/v1/outcomes?group_by=tenant`)).json()) as { rows: { costUsd: number; tokens: Record<string, number> }[] };
    expect(api.rows[0]!.costUsd).toBeCloseTo(cost + 0.001, 12);
    expect(Object.values(api.rows[0]!.tokens).every((n) => n >= 0 && Number.isFinite(n))).toBe(true);
    await first.collector.close();

    const second = await start(dataDir, clock);
    const restarted = await scrape(second.base);
    expect(restarted.status).toBe(200);
    expect(await promtoolParseError(restarted.text)).toBe('');
    expect(restarted.text).not.toMatch(/ (null|NaN|[+-]Inf)$/m);
  });

  it('heals a store written before the checks: a null sum and a 4 MB label no longer break /metrics after a restart', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const first = await start(dataDir, clock);
    await first.collector.close();
    const db = new DatabaseSync(join(dataDir, 'collector.db'));
    const row = db.prepare('INSERT INTO metric_state (metric, series_key, labels, state) VALUES (?, ?, ?, ?)');
    const labels = (tenant: string) => JSON.stringify([['tenant', tenant], ['feature', 'f'], ['workflow', 'w'], ['outcome', 'done'], ['success', 'true']]);
    row.run('tokenledger_outcomes_total', 'inf', labels('a'), JSON.stringify({ value: null }));
    row.run('tokenledger_outcomes_total', 'huge', labels('x'.repeat(4 << 20)), JSON.stringify({ value: 3 }));
    db.close();
    const second = await start(dataDir, clock);
    const { status, text } = await scrape(second.base);
    expect(status).toBe(200);
    expect(await promtoolParseError(text)).toBe('');
    expect(seriesValue(second.collector, 'tokenledger_outcomes_total')).toBe(3);
  });

  it('keeps label sets apart that differ only around a NUL', async () => {
    const clock = new FakeClock();
    const { collector } = await start(tempDir(), clock);
    const a = traceId(1);
    const b = traceId(2);
    await collector.sink.accept([
      root(a, { 'tokenledger.tenant': 'x\u0000y', 'tokenledger.feature': 'z', 'tokenledger.outcome': 'done' }), span(a, { ...MINI, 'gen_ai.usage.input_tokens': 1000 }),
      root(b, { 'tokenledger.tenant': 'x', 'tokenledger.feature': 'y\u0000z', 'tokenledger.outcome': 'done' }), span(b, { ...MINI, 'gen_ai.usage.input_tokens': 1000 }),
    ]);
    await finalise(collector, clock);
    expect(collector.metrics.registry.family('tokenledger_outcomes_total')!.series.size).toBe(2);
    const rows = collector.db.prepare('SELECT tenant, feature FROM outcome_rollup ORDER BY tenant').all();
    expect(rows).toHaveLength(2);
  });
});
