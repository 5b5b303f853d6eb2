// At scale: two collector instances behind trace-id load balancing share one PostgreSQL (Debian's, started here)
// for what must be global. The traces of one outcome key land on both; one POST to either gives one outcome with
// the whole cost, and both answer the API alike. The negative control, two instances on their embedded stores,
// splits the key and its cost (so the test can fail).
import { randomBytes } from 'node:crypto';
import * as sc from '@tokenledger/semconv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Postgres, startPostgres } from '../packages/retrieval/test/postgres.ts';
import { parseExposition, type RunningCollector, startCollector, until } from './stack-helpers.ts';
import { otlpExporter, send, type TraceSpec, workload } from './workload.ts';

import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
let pg: Postgres;
const running: RunningCollector[] = [];
// gpt-4o-mini: $0.15 / $0.60 per 1M tokens.
const price = (input: number, output: number) => input * 0.15e-6 + output * 0.6e-6;

function keyed(key: string, input: number, output: number): TraceSpec {
  return {
    traceId: randomBytes(16).toString('hex'),
    error: false,
    root: { [sc.ATTR_TENANT]: 'acme', [sc.ATTR_FEATURE]: 'support', [sc.ATTR_WORKFLOW]: 'answer', [sc.ATTR_OUTCOME_KEY]: key },
    calls: [{ attributes: { [sc.ATTR_GEN_AI_PROVIDER_NAME]: 'openai', [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o-mini', [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input, [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output } }],
  };
}

/** The conversation: four traces, two landing on each instance. */
const conversation = [keyed('conv-A', 1000, 100), keyed('conv-A', 2000, 200), keyed('conv-A', 3000, 300), keyed('conv-A', 4000, 400)];
const whole = price(10_000, 1000);
const other = workload(1);

async function pair(env: Record<string, string>): Promise<RunningCollector[]> {
  const two = [await startCollector(env), await startCollector(env)];
  running.push(...two);
  // Trace-id routing as the loadbalancing exporter does it: here the conversation alternates between them.
  const exporters = two.map((t) => otlpExporter(t.otlp));
  const route = new Map<string, number>([...conversation.map((t, i) => [t.traceId, i % 2] as const), ...other.map((t, i) => [t.traceId, i % 2] as const)]);
  await send([...conversation, ...other], (traceId) => exporters[route.get(traceId)!]!);
  return two;
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

const report = (t: RunningCollector, success = true) =>
  json<{ result?: string; error?: string }>(`${t.base}/api/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'conv-A', outcome: 'resolved_by_chat', success }) });

/** A metric summed over the instances' /metrics (what Prometheus sums when it scrapes them all). */
async function summed(targets: RunningCollector[], name: string, labels: Record<string, string> = {}): Promise<number> {
  let total = 0;
  for (const t of targets) {
    for (const s of parseExposition(await (await fetch(`${t.base}/metrics`)).text()).samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
  }
  return total;
}

beforeAll(async () => {
  pg = await startPostgres();
});

afterAll(async () => {
  for (const t of running) await t.close();
  await pg?.stop();
});

describe('a shared store on PostgreSQL (TOKENLEDGER_SHARED_STORE)', () => {
  it('two instances, the traces of one key split across them, one POST to either: one outcome with the whole cost, the same API answers from both', async () => {
    const url = `postgres://postgres@localhost:${pg.port}/postgres?host=${encodeURIComponent(pg.socketDir)}`;
    const [a, b] = await pair({ TOKENLEDGER_SHARED_STORE: url, TOKENLEDGER_JAEGER_URL: 'http://jaeger:16686' });
    // Both see the whole key once each instance has shipped its share.
    for (const t of [a!, b!]) {
      await until(`conv-A whole on ${t.base}`, async () => {
        const k = (await json<{ keys: { traces: number }[] }>(`${t.base}/api/v1/outcome-keys?key=conv-A`)).body.keys[0];
        return k?.traces === 4;
      });
    }
    const pending = (await json<{ keys: { state: string; costUsd: number }[] }>(`${a!.base}/api/v1/outcome-keys?key=conv-A`)).body.keys[0]!;
    expect(pending.state).toBe('pending');
    expect(pending.costUsd).toBeCloseTo(whole, 12);

    expect(await report(b!)).toMatchObject({ status: 200, body: { result: 'recorded' } });
    const labels = { tenant: 'acme', workflow: 'answer', outcome: 'resolved_by_chat', success: 'true' };
    await until('the outcome counted', async () => (await summed([a!, b!], 'tokenledger_outcomes_total', labels)) === 1);
    expect(await summed([a!, b!], 'tokenledger_outcome_cost_usd_sum', labels)).toBeCloseTo(whole, 12);
    // The same report to the other instance is a repeat; a different one a conflict.
    expect(await report(a!)).toMatchObject({ status: 200, body: { result: 'repeat' } });
    expect((await report(a!, false)).status).toBe(409);
    // However long they run, it stays one outcome.
    await new Promise((r) => setTimeout(r, 500));
    expect(await summed([a!, b!], 'tokenledger_outcomes_total', labels)).toBe(1);
    expect(await summed([a!, b!], 'tokenledger_outcomes_total')).toBe(1 + other.length);
    await until('both outboxes shipped', async () => (await summed([a!, b!], 'tokenledger_shared_outbox_batches')) === 0);

    // The API reads the shared rows: the same answers from either instance.
    for (const path of [
      '/api/v1/outcomes?group_by=workflow,outcome,success', '/api/v1/outcomes?group_by=tenant,route,model', '/api/v1/traces?sort=cost&limit=100',
      '/api/v1/outcome-keys', '/api/v1/forecast', '/api/v1/users',
    ]) {
      const [fromA, fromB] = [await json<Record<string, unknown>>(`${a!.base}${path}`), await json<Record<string, unknown>>(`${b!.base}${path}`)];
      expect(fromA.status, path).toBe(200);
      // What depends on the time of asking: the default end of the range, and the forecast's extrapolation.
      const strip = (d: Record<string, unknown>) => JSON.stringify({ ...d, until: undefined, asOf: undefined, ...(path === '/api/v1/forecast' && {
        rows: (d.rows as { forecastUsd?: number }[]).map(({ forecastUsd: _, ...r }) => r) }) });
      expect(strip(fromA.body), path).toBe(strip(fromB.body));
    }
    const rows = (await json<{ rows: { group: Record<string, string>; costUsd: number; outcomes: number }[] }>(`${a!.base}/api/v1/outcomes?group_by=outcome`)).body.rows;
    expect(rows.find((r) => r.group.outcome === 'resolved_by_chat')).toMatchObject({ outcomes: 1 });
    expect(rows.find((r) => r.group.outcome === 'resolved_by_chat')!.costUsd).toBeCloseTo(whole, 12);
    const traces = (await json<{ traces: { traceId: string; outcome: string }[] }>(`${b!.base}/api/v1/traces?key=conv-A`)).body.traces;
    expect(traces.map((t) => t.traceId).sort()).toEqual(conversation.map((t) => t.traceId).sort());
    expect(new Set(traces.map((t) => t.outcome))).toEqual(new Set(['resolved_by_chat']));
  });

  it('negative control: on their own embedded stores the key is split, and a POST counts only one instance\'s share', async () => {
    const [a, b] = await pair({});
    await until('both halves pending', async () => {
      const halves = await Promise.all([a!, b!].map(async (t) => (await json<{ keys: { traces: number }[] }>(`${t.base}/api/v1/outcome-keys?key=conv-A`)).body.keys[0]?.traces));
      return halves[0] === 2 && halves[1] === 2;
    });
    expect(await report(b!)).toMatchObject({ status: 200 });
    await until('b counted', async () => (await summed([b!], 'tokenledger_outcomes_total', { outcome: 'resolved_by_chat' })) === 1);
    const counted = await summed([a!, b!], 'tokenledger_outcome_cost_usd_sum', { outcome: 'resolved_by_chat' });
    expect(counted).toBeCloseTo(price(4000, 400) + price(2000, 200), 12);
    expect(counted).toBeLessThan(whole * 0.7);
    const [fromA, fromB] = await Promise.all([a!, b!].map(async (t) => JSON.stringify((await json<{ rows: unknown }>(`${t.base}/api/v1/outcomes?group_by=outcome`)).body.rows)));
    expect(fromA).not.toBe(fromB);
  });
});
