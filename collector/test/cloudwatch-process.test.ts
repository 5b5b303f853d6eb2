// The real tokenledger-collector bin with CloudWatch (standard credential chain from the environment),
// EMF and budgets configured: OTLP in, PutMetricData out through a throttling endpoint, budgets API.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CloudWatchEndpoint, type CloudWatchFaults, startCloudWatchEndpoint } from '../../packages/local-endpoints/src/cloudwatch-endpoint.ts';
import { until } from './cloudwatch-fixture.ts';
import { tempDir, traceId } from './helpers.ts';
import { otlpJson, type TestSpan } from './otlp-json.ts';

const repo = join(import.meta.dirname, '../..');
const bin = join(repo, 'node_modules/.bin/tokenledger-collector');
const children: ChildProcess[] = [];
let ep: CloudWatchEndpoint | undefined;
const endpoints: CloudWatchEndpoint[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const e of endpoints) await e.close();
});

async function endpoint(faults: CloudWatchFaults): Promise<CloudWatchEndpoint> {
  const e = await startCloudWatchEndpoint({ faults });
  endpoints.push(e);
  return e;
}

function launch(env: Record<string, string>) {
  const child = spawn(bin, [], {
    env: { ...process.env, PATH: `${join(repo, 'node_modules/.bin')}:${process.env.PATH}`, TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0', TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0', TOKENLEDGER_DATA_DIR: tempDir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

async function metric(http: string, name: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) total += Number(m[1]);
  return total;
}

/** 30 traces of one gpt-4o-mini call each (1000 in, 100 out: 0.00021 USD), tenants t0–t2. */
async function send(otlp: string, n: number): Promise<void> {
  const spans: TestSpan[] = [];
  for (let i = 0; i < n; i++) {
    const id = traceId(0x900 + i);
    const rootId = (i * 2 + 1).toString(16).padStart(16, '0');
    spans.push({ traceId: id, spanId: rootId, attributes: { 'tokenledger.tenant': `t${i % 3}`, 'tokenledger.workflow': 'w', 'tokenledger.outcome': 'done' }, statusCode: 1 });
    spans.push({ traceId: id, spanId: (i * 2 + 2).toString(16).padStart(16, '0'), parentSpanId: rootId, attributes: {
      'tokenledger.tenant': `t${i % 3}`, 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 } });
  }
  const res = await fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJson(spans) });
  expect(res.status).toBe(200);
}

const addresses = (stdout: string) => ({ otlp: /otlp=(\S+)/.exec(stdout)![1]!, http: /http=(\S+)/.exec(stdout)![1]! });

describe('collector process with CloudWatch, EMF and budgets', () => {
  it('exports what it rolls up through throttling, writes EMF, answers budgets, stops on SIGTERM', async () => {
    ep = await endpoint({ throttleRate: 0.9, seed: 3 });
    const dir = tempDir();
    const budgets = join(dir, 'budgets.json');
    writeFileSync(budgets, JSON.stringify({ budgets: [{ scope: 'tenant', name: 't0', monthly_usd: 0.001 }] }));
    const emfFile = join(dir, 'emf.log');
    const p = launch({
      TOKENLEDGER_TRACE_IDLE_MS: '100',
      TOKENLEDGER_CLOUDWATCH_NAMESPACE: 'TokenLedgerProcess', TOKENLEDGER_CLOUDWATCH_ENDPOINT: ep.origin, TOKENLEDGER_CLOUDWATCH_REGION: 'eu-west-1',
      TOKENLEDGER_CLOUDWATCH_INTERVAL_MS: '200', TOKENLEDGER_CLOUDWATCH_BACKOFF_MS: '5', TOKENLEDGER_CLOUDWATCH_MAX_BACKOFF_MS: '20',
      TOKENLEDGER_CLOUDWATCH_DIMENSIONS: 'Tenant,Model',
      AWS_ACCESS_KEY_ID: 'AKIDPROCESS', AWS_SECRET_ACCESS_KEY: 'process-secret', AWS_EC2_METADATA_DISABLED: 'true',
      TOKENLEDGER_EMF_OUTPUT: `file:${emfFile}`, TOKENLEDGER_BUDGETS_FILE: budgets, TOKENLEDGER_BUDGETS_REFRESH_MS: '50',
    });
    await until(() => /listening/.test(p.out.stdout));
    const { otlp, http } = addresses(p.out.stdout);

    await send(otlp, 30);

    await until(() => ep!.total('Outcomes') === 30);
    await until(() => ep!.total('CostUSD') > 0.0062);
    expect(ep.violations).toEqual([]);
    expect(ep.requests.some((r) => r.outcome === 'throttled')).toBe(true);
    expect(ep.requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDPROCESS\/\d{8}\/eu-west-1\/monitoring\//);
    // 30 × (1000 × 1.5e-7 + 100 × 6e-7) = 0.0063 USD, as /metrics says.
    expect(ep.total('CostUSD')).toBeCloseTo(await metric(http, 'tokenledger_cost_usd_total'), 12);
    expect(ep.total('CostUSD')).toBeCloseTo(0.0063, 12);
    expect(ep.datums.every((d) => d.namespace === 'TokenLedgerProcess')).toBe(true);

    const budget = await (await fetch(`${http}/api/v1/budgets/tenant/t0`)).json();
    expect(budget).toMatchObject({ scope: 'tenant', name: 't0', exceeded: true });
    expect(budget.used).toBeCloseTo(0.0021, 12);
    let ratio = 0;
    while (Math.abs(ratio - 2.1) > 1e-9) ratio = await metric(http, 'tokenledger_budget_used_ratio');
    const forecast = await (await fetch(`${http}/api/v1/forecast?scope=tenant`)).json();
    expect(forecast.rows.map((r: { name: string }) => r.name).sort()).toEqual(['t0', 't1', 't2']);

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const events = readFileSync(emfFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.reduce((t, e) => t + (e.Outcomes ?? 0), 0)).toBe(30);
  });

  it('keeps rolled-up data in the outbox across kill -9 during a CloudWatch outage, and sends it after restart', async () => {
    ep = await endpoint({ outage: true });
    const env = {
      TOKENLEDGER_DATA_DIR: tempDir(), TOKENLEDGER_TRACE_IDLE_MS: '100',
      TOKENLEDGER_CLOUDWATCH_NAMESPACE: 'TokenLedgerCrash', TOKENLEDGER_CLOUDWATCH_ENDPOINT: ep.origin, TOKENLEDGER_CLOUDWATCH_REGION: 'us-east-1',
      TOKENLEDGER_CLOUDWATCH_INTERVAL_MS: '200', TOKENLEDGER_CLOUDWATCH_BACKOFF_MS: '5', TOKENLEDGER_CLOUDWATCH_MAX_BACKOFF_MS: '20',
      AWS_ACCESS_KEY_ID: 'AKIDCRASH', AWS_SECRET_ACCESS_KEY: 'crash-secret', AWS_EC2_METADATA_DISABLED: 'true',
    };
    const first = launch(env);
    await until(() => /listening/.test(first.out.stdout));
    const a = addresses(first.out.stdout);
    await send(a.otlp, 30);
    while ((await metric(a.http, 'tokenledger_outcomes_total')) < 30 || (await metric(a.http, 'tokenledger_cloudwatch_requests_total')) < 2);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(ep.datums).toHaveLength(0);

    ep.faults.outage = false;
    const second = launch(env);
    await until(() => /listening/.test(second.out.stdout));
    await until(() => ep!.total('Outcomes') === 30);
    const b = addresses(second.out.stdout);
    await until(() => ep!.total('CostUSD') > 0.0062);
    expect(ep.total('CostUSD')).toBeCloseTo(await metric(b.http, 'tokenledger_cost_usd_total'), 12);
    expect(ep.violations).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('sends the current interval on SIGTERM', async () => {
    ep = await endpoint({});
    const p = launch({
      TOKENLEDGER_TRACE_IDLE_MS: '100', TOKENLEDGER_CLOUDWATCH_NAMESPACE: 'TokenLedgerStop', TOKENLEDGER_CLOUDWATCH_ENDPOINT: ep.origin,
      TOKENLEDGER_CLOUDWATCH_REGION: 'us-east-1', TOKENLEDGER_CLOUDWATCH_INTERVAL_MS: '3600000',
      AWS_ACCESS_KEY_ID: 'AKIDSTOP', AWS_SECRET_ACCESS_KEY: 'stop-secret', AWS_EC2_METADATA_DISABLED: 'true',
    });
    await until(() => /listening/.test(p.out.stdout));
    const { otlp, http } = addresses(p.out.stdout);
    await send(otlp, 30);
    while ((await metric(http, 'tokenledger_outcomes_total')) < 30);
    expect(ep.requests).toHaveLength(0);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(ep.total('Outcomes')).toBe(30);
    expect(ep.total('CostUSD')).toBeCloseTo(0.0063, 12);
  });

  it('refuses a bad CloudWatch setting at start, naming the variable', async () => {
    const p = launch({ TOKENLEDGER_CLOUDWATCH_NAMESPACE: 'X', TOKENLEDGER_CLOUDWATCH_MAX_TPS: 'lots' });
    expect(await p.exited).toBe(2);
    expect(p.out.stderr).toContain('TOKENLEDGER_CLOUDWATCH_MAX_TPS="lots" is invalid');
  });
});
