// The metrics/API listener: /metrics, /api/v1/outcomes grouping, auth, health, and `tokenledger report`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityComponent } from '../src/capacity/index.ts';
import { Collector } from '../src/collector.ts';
import { FakeClock, root, span, testConfig, traceId } from './helpers.ts';

const run = promisify(execFile);
const TOKEN = 'test-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const clock = new FakeClock();
let collector: Collector;
let base: string;

// Hand-computed: gpt-4o-mini 1.5e-7 in, 6e-7 out; haiku 8e-7 in, 4e-6 out.
const mini = (id: string, input: number, extra = {}) =>
  span(id, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 0, 'tokenledger.route': 'classification', ...extra });
const haiku = (id: string, output: number, extra = {}) =>
  span(id, { 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': 'anthropic.claude-3-5-haiku-20241022-v1:0', 'gen_ai.usage.input_tokens': 0, 'gen_ai.usage.output_tokens': output, 'tokenledger.route': 'rag', ...extra });
const rootOf = (id: string, tenant: string, workflow: string, success: boolean) =>
  root(id, { 'tokenledger.tenant': tenant, 'tokenledger.feature': 'support', 'tokenledger.workflow': workflow, 'tokenledger.outcome': 'resolved', 'tokenledger.outcome.success': success });

beforeAll(async () => {
  // Without the budgets add-on: no forecast section under the report's table.
  collector = new Collector({ config: testConfig({ TOKENLEDGER_AUTH_TOKEN: TOKEN, TOKENLEDGER_TRACE_IDLE_MS: '1000' }), clock, components: [capacityComponent] });
  const { http } = await collector.listen();
  base = `http://127.0.0.1:${http.port}`;
  await collector.sink.accept([
    rootOf(traceId(1), 'acme', 'answer', true), mini(traceId(1), 10_000), haiku(traceId(1), 1000), // 0.0015 + 0.004
    rootOf(traceId(2), 'acme', 'answer', false), haiku(traceId(2), 500, { 'tokenledger.retry.attempt': 1 }), // 0.002 retry
    rootOf(traceId(3), 'globex', 'answer', true), mini(traceId(3), 20_000), // 0.003
    rootOf(traceId(4), 'globex', 'triage', true), mini(traceId(4), 1000), // 0.00015
  ]);
  clock.advance(1000);
  collector.finaliser.tick();
});
afterAll(() => collector.close());

async function outcomes(query: string) {
  const res = await fetch(`${base}/api/v1/outcomes?${query}`, { headers: auth });
  expect(res.status).toBe(200);
  return (await res.json()) as { rows: { group: Record<string, string>; costUsd: number; outcomes: number; successes: number; costPerSuccessUsd: number | null; retryCostUsd: number }[] };
}

describe('HTTP API', () => {
  it('wants the bearer token everywhere but the health probes', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { method: 'POST', headers: auth })).status).toBe(405);
    expect((await fetch(`${base}/nope`, { headers: auth })).status).toBe(404);
  });

  it('serves Prometheus text with the contract labels', async () => {
    const res = await fetch(`${base}/metrics`, { headers: auth });
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE tokenledger_outcomes_total counter');
    expect(text).toContain('tokenledger_outcomes_total{tenant="acme",feature="support",workflow="answer",outcome="resolved",success="false"} 1');
    expect(text).toContain('tokenledger_retry_cost_usd_total{tenant="acme",feature="support",workflow="answer",route="rag",model="anthropic.claude-3-5-haiku-20241022-v1:0"} 0.002');
    expect(text).toContain('tokenledger_outcome_cost_usd_bucket{tenant="globex",feature="support",workflow="triage",outcome="resolved",success="true",le="0.0005"} 1');
    expect(text).toContain('tokenledger_tokens_total{tenant="globex",feature="support",workflow="triage",route="classification",provider="openai",model="gpt-4o-mini",type="input"} 1000');
  });

  it('groups outcomes by any keys', async () => {
    const byWorkflow = (await outcomes('group_by=workflow')).rows;
    expect(byWorkflow.map((r) => [r.group.workflow, r.outcomes, r.successes])).toEqual([['answer', 3, 2], ['triage', 1, 1]]);
    expect(byWorkflow[0]!.costUsd).toBeCloseTo(0.0055 + 0.002 + 0.003, 12);
    expect(byWorkflow[0]!.costPerSuccessUsd).toBeCloseTo(0.0105 / 2, 12);
    expect(byWorkflow[0]!.retryCostUsd).toBeCloseTo(0.002, 12);

    const byTenantWorkflow = (await outcomes('group_by=tenant,workflow')).rows;
    expect(byTenantWorkflow.map((r) => `${r.group.tenant}/${r.group.workflow}`)).toEqual(['acme/answer', 'globex/answer', 'globex/triage']);

    const byRoute = (await outcomes('group_by=route')).rows;
    expect(byRoute.map((r) => [r.group.route, r.outcomes])).toEqual([['rag', 2], ['classification', 3]]);
    const byRouteModel = (await outcomes('group_by=route,model')).rows;
    expect(byRouteModel).toHaveLength(2);
    expect(byRouteModel.reduce((t, r) => t + r.costUsd, 0)).toBeCloseTo(0.0055 + 0.002 + 0.003 + 0.00015, 12);

    const byModel = (await outcomes('group_by=model')).rows;
    const haikuRow = byModel.find((r) => r.group.model.includes('haiku'))!;
    expect(haikuRow.costUsd).toBeCloseTo(0.006, 12);
    expect([haikuRow.outcomes, haikuRow.successes]).toEqual([2, 1]);

    const later = await outcomes(`group_by=workflow&since=${Math.floor(clock.now() / 1000) + 3600}`);
    expect(later.rows).toEqual([]);
    expect((await fetch(`${base}/api/v1/outcomes?group_by=colour`, { headers: auth })).status).toBe(400);
  });

  it('prints the cost-per-outcome table with `tokenledger report`', async () => {
    const bin = join(import.meta.dirname, '../src/cli/tokenledger.ts');
    const env = { ...process.env, TOKENLEDGER_AUTH_TOKEN: TOKEN };
    const { stdout } = await run(process.execPath, [bin, 'report', '--url', base, '--group-by', 'tenant,workflow'], { env });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Cost per successful outcome, all time to 2026-11-22T12:00:01\.001Z$/);
    expect(lines[2]).toMatch(/^tenant\s+workflow\s+cost\/success\s+successes\s+outcomes\s+success %\s+total cost\s+retry cost\s+tokens in\/out\s+unpriced \(unknown usage\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^acme\s+answer\s+\$0\.007500\s+1\s+2\s+50\.0%\s+\$0\.007500\s+\$0\.00200\s+10\.0k\/1500\s+0$/));
    expect(lines.at(-1)).toMatch(/^TOTAL\s+\$0\.003550\s+3\s+4\s+75\.0%\s+\$0\.010650\s+\$0\.00200\s+31\.0k\/1500\s+0$/);
    // Columns line up: every row is as wide as the header's columns allow.
    const col = lines[2]!.indexOf('total cost') + 'total cost'.length;
    for (const l of lines.slice(4)) if (!l.startsWith('-')) expect(l[col - 1]).toMatch(/\d/);

    const json = await run(process.execPath, [bin, 'report', '--json', '--url', base], { env });
    expect(JSON.parse(json.stdout).rows).toHaveLength(2);
    const denied = await run(process.execPath, [bin, 'report', '--url', base], { env: { ...process.env, TOKENLEDGER_AUTH_TOKEN: '' } }).catch((e: { code: number; stderr: string }) => e);
    expect(denied).toMatchObject({ code: 1 });
  });
});
