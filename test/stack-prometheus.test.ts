// Every Grafana panel query and alert query, executed against a real Prometheus (Debian's) that scrapes a
// TokenLedger collector fed with the workload (the OTel SDK's OTLP/HTTP exporter) and accelerator metrics,
// must return a finite value.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { type AcceleratorMetrics, startAcceleratorMetrics } from '@tokenledger/accelerators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertProvisioning, alertQueries, dashboards, panelQueries, substitute } from './grafana-queries.ts';
import { FIXTURES, scenario, type Scenario } from '../packages/accelerators/test/harness.ts';
import { neuronReport } from '../packages/accelerators/test/reports.ts';
import { finalisedTraces, freePort, parseExposition, type RunningCollector, type RunningPrometheus, startCollector, startPrometheus, until } from './stack-helpers.ts';
import { HourlySpendLedger, HOUR_MS } from '../collector/src/capacity/hourly-spend.ts';
import { BEDROCK_REGION, otlpExporter, SELF_HOSTED_INSTANCE, send, workload } from './workload.ts';

let tl: RunningCollector;
let prom: RunningPrometheus;
let exposed = new Set<string>();
let neuron: { metrics: AcceleratorMetrics; exporter: PrometheusExporter; scenario: Scenario; port: number } | undefined;

/**
 * Accelerator metrics as the stack has them: @tokenledger/accelerators reading a neuron-monitor (the
 * accelerators package's stand-in, replaying a documented report), exposed for Prometheus as the
 * gateway's `prometheus/accelerators` exporter does.
 */
async function startNeuron(): Promise<NonNullable<typeof neuron>> {
  const port = await freePort();
  const exporter = new PrometheusExporter({ host: '127.0.0.1', port });
  const played = scenario([{ lines: [neuronReport({ utilization: { '0': 62.5, '1': 37.5 }, completed: 20 })] }]);
  const metrics = startAcceleratorMetrics({
    kind: 'neuron',
    executable: join(FIXTURES, 'neuron-monitor'),
    instance: { instanceId: SELF_HOSTED_INSTANCE.id, instanceType: SELF_HOSTED_INSTANCE.type },
    meterProvider: new MeterProvider({ readers: [exporter] }),
  });
  await until('a neuron-monitor report', async () => metrics.snapshot() !== undefined);
  return { metrics, exporter, scenario: played, port };
}

async function feed(rounds: number): Promise<void> {
  const traces = workload(rounds);
  const exporter = otlpExporter(tl.otlp);
  const before = await finalisedTraces(tl.base);
  await send(traces, () => exporter);
  await until('the workload finalised', async () => (await finalisedTraces(tl.base)) === before + traces.length);
}

/** What Prometheus holds of all outcomes, once it has scraped `n` of them. */
async function scraped(n: number): Promise<void> {
  await until(`prometheus scraped ${n} outcomes`, async () => {
    const r = await prom.query('sum(tokenledger_outcomes_total)');
    return r.length === 1 && Number(r[0]!.value[1]) === n;
  });
}

beforeAll(async () => {
  // Self-hosted capacity settled every second; the workload's instance is discovered from its spans.
  const budgetsFile = join(mkdtempSync(join(tmpdir(), 'tokenledger-budgets-')), 'budgets.json');
  writeFileSync(budgetsFile, JSON.stringify({
    budgets: [
      { scope: 'tenant', name: 'acme', monthly_usd: 0.05 },
      { scope: 'workflow', name: 'answer', monthly_usd: 5 },
      { scope: 'tenant', name: 'globex', monthly_tokens: 1_000_000 },
    ],
  }));
  tl = await startCollector({
    TOKENLEDGER_BUDGETS_FILE: budgetsFile,
    TOKENLEDGER_CAPACITY_INTERVAL_MS: '1000',
    TOKENLEDGER_CAPACITY_LAG_MS: '0',
    TOKENLEDGER_CAPACITY_BEDROCK_MODEL: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    TOKENLEDGER_QUOTAS: JSON.stringify([{ model: 'anthropic.claude-3-5-haiku-20241022-v1:0', region: BEDROCK_REGION, tokens_per_minute: 400_000 }]),
    TOKENLEDGER_SAVINGS_PLAN_RATES: JSON.stringify({ inf2: { compute: 0.2, ec2_instance: 0.3 } }),
  });
  // Three complete hours of capacity spend, for the Savings Plans panel (the test runs inside one hour).
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  new HourlySpendLedger(tl.collector.db).record([3, 2, 1].map((h) => ({ hourMs: hour - h * HOUR_MS, instanceType: SELF_HOSTED_INSTANCE.type, instanceId: SELF_HOSTED_INSTANCE.id, usd: 0.7582 })));
  neuron = await startNeuron();
  prom = await startPrometheus([new URL(tl.base).host, `127.0.0.1:${neuron.port}`]);
  // Two waves with a scrape between them, so every counter has grown inside the rate windows.
  await feed(2);
  await scraped(14);
  await feed(2);
  await scraped(28);
  await until('prometheus scraped the accelerator metrics', async () => (await prom.query('neuroncore_utilization_ratio')).length > 0);
  exposed = parseExposition(await (await fetch(`${tl.base}/metrics`)).text()).families;
  for (const f of parseExposition(await (await fetch(`http://127.0.0.1:${neuron.port}/metrics`)).text()).families) exposed.add(f);
});

afterAll(async () => {
  await neuron?.metrics.stop();
  await neuron?.exporter.shutdown();
  neuron?.scenario.cleanup();
  await prom?.close();
  await tl?.close();
});

/** The metric families a query reads (histogram series names mapped to their family). */
function families(expr: string): string[] {
  const names = expr.match(/\b(tokenledger_\w+|neuroncore_\w+)/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

async function expectData(expr: string): Promise<void> {
  // Every metric a query reads has a producer: the collector's /metrics or the accelerator metrics.
  expect(families(expr).filter((f) => !exposed.has(f)), `not exposed, for:\n${expr}`).toEqual([]);
  const result = await prom.query(substitute(expr));
  expect(result.length, `no series for:\n${substitute(expr)}`).toBeGreaterThan(0);
  const finite = result.map((r) => Number(r.value[1])).filter(Number.isFinite);
  expect(finite.length, `only NaN/Inf for:\n${substitute(expr)}`).toBeGreaterThan(0);
}

describe('Grafana queries against Prometheus scraping the collector and the accelerator metrics', () => {
  it('the workload reached Prometheus through a scrape of /metrics', async () => {
    const r = await prom.query('sum by (workflow) (tokenledger_outcomes_total)');
    expect(r.map((s) => s.metric.workflow).sort()).toEqual(['answer', 'draft', 'triage']);
    // The formula on known data: the cost of all traces over the successes, the same as the collector's API.
    const api = (await (await fetch(`${tl.base}/api/v1/outcomes?group_by=workflow`)).json()) as { rows: { group: { workflow: string }; costPerSuccessUsd: number }[] };
    const total = await prom.query('sum by (workflow) (tokenledger_outcome_cost_usd_sum) / sum by (workflow) (tokenledger_outcomes_total{success="true"})');
    for (const row of api.rows) {
      const p = total.find((s) => s.metric.workflow === row.group.workflow)!;
      expect(Number(p.value[1])).toBeCloseTo(row.costPerSuccessUsd, 9);
    }
  });

  it.for(panelQueries().map((q) => [q.where, q.expr] as const))('panel %s', async ([, expr]) => {
    await expectData(expr);
  });

  it.for(alertQueries().map((q) => [q.where, q.expr] as const))('%s', async ([, expr]) => {
    await expectData(expr);
  });

  it('the budget-burn alert is over its threshold for the overspent budget only', async () => {
    const rule = (alertProvisioning().groups[0].rules as { uid: string; data: { refId: string; model: { expr?: string; conditions?: { evaluator: { params: number[] } }[] } }[] }[])
      .find((r) => r.uid === 'tokenledger-budget-burn')!;
    const threshold = rule.data.find((d) => d.refId === 'C')!.model.conditions![0]!.evaluator.params[0]!;
    const values = await prom.query(substitute(rule.data.find((d) => d.refId === 'A')!.model.expr!));
    const of = (scope: string, name: string) => Number(values.find((v) => v.metric.scope === scope && v.metric.name === name)!.value[1]);
    expect(of('tenant', 'acme')).toBeGreaterThan(threshold);
    expect(of('workflow', 'answer')).toBeLessThan(threshold);
    expect(of('tenant', 'globex')).toBeLessThan(threshold);
  });

  it('template variables list the workload\'s tenants, features and workflows', async () => {
    const cost = dashboards()['tokenledger-cost.json']!;
    const expected: Record<string, string[]> = {
      tenant: ['acme', 'globex'], feature: ['search', 'support'], workflow: ['answer', 'draft', 'triage'], instance_type: [SELF_HOSTED_INSTANCE.type],
    };
    const vars = [cost, dashboards()['tokenledger-capacity.json']!].flatMap((d) => d.templating.list.filter((x: { type: string }) => x.type === 'query'));
    expect(vars.length).toBe(4);
    for (const v of vars) {
      const m = /^label_values\((\w+), (\w+)\)$/.exec(v.definition)!;
      expect((await prom.labelValues(m[2]!, m[1]!)).sort(), v.name).toEqual(expected[v.name]);
    }
  });

  it('stores the exemplars of the outcome-cost histogram and the cost counter: trace ids of traces the collector indexed', async () => {
    // Scraped as OpenMetrics (Prometheus asks for it first); the plain text format carries no exemplar.
    const om = await fetch(`${tl.base}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(await (await fetch(`${tl.base}/metrics`)).text()).not.toContain('trace_id');
    const indexed = new Set(((await (await fetch(`${tl.base}/api/v1/traces?limit=1000`)).json()) as { traces: { traceId: string }[] }).traces.map((t) => t.traceId));
    for (const selector of ['tokenledger_outcome_cost_usd_bucket', 'tokenledger_cost_usd_total']) {
      const stored = await until(`exemplars of ${selector}`, async () => {
        const r = await prom.exemplars(selector);
        return r.length > 0 ? r : undefined;
      });
      const ids = stored.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id!));
      expect(ids.length, selector).toBeGreaterThan(0);
      expect(ids.filter((id) => !indexed.has(id)), selector).toEqual([]);
      for (const s of stored) for (const e of s.exemplars) expect(Number(e.value)).toBeGreaterThan(0);
    }
    // An outcome key's observation carries its costliest trace.
    const conversation = ['c1', 'c2'].map((_, i) => ({
      traceId: randomBytes(16).toString('hex'), error: false,
      root: { 'tokenledger.tenant': 'acme', 'tokenledger.feature': 'support', 'tokenledger.workflow': 'answer', 'tokenledger.outcome.key': 'T-1' },
      calls: [{ attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 1000 * (i + 1) } }],
    }));
    await send(conversation, () => otlpExporter(tl.otlp));
    await until('the conversation finalised', async () => ((await (await fetch(`${tl.base}/api/v1/outcome-keys?key=T-1`)).json()) as { keys: { traces: number }[] }).keys[0]?.traces === 2);
    expect((await fetch(`${tl.base}/api/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'T-1', outcome: 'ticket_resolved', success: true }) })).status).toBe(200);
    const resolved = await until('the ticket\'s exemplar in Prometheus', async () => {
      const r = await prom.exemplars('tokenledger_outcome_cost_usd_bucket{outcome="ticket_resolved"}');
      return r.length > 0 ? r : undefined;
    });
    expect(resolved.flatMap((s) => s.exemplars.map((e) => [e.labels.trace_id, Number(e.value)]))).toEqual([[conversation[1]!.traceId, 2000 * 0.15e-6 + 3000 * 0.6e-6]]);
    expect(resolved[0]!.seriesLabels).toMatchObject({ tenant: 'acme', workflow: 'answer', le: '0.0025' });
  });

  it('a query on a metric nobody exports is caught as empty (the check above can fail)', async () => {
    expect(await prom.query('sum(rate(tokenledger_cost_usd_total{tenant="nobody"}[1m]))')).toEqual([]);
  });
});
