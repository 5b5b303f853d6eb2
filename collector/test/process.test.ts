// The collector's program as a child process: kill -9 with thousands of traces buffered, restart, every trace
// rolled up exactly once; SIGTERM exits cleanly.
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, traceId } from './helpers.ts';
import { otlpJson, type TestSpan } from './otlp-json.ts';
import { scrapeTotal as metric, spawnCollector, startCollector, stopAll, until } from './process-helpers.ts';

afterAll(stopAll);

// Each trace: a root with an outcome and one gpt-4o-mini call of 1000 in / 100 out = 0.00021 USD.
function traces(from: number, count: number): TestSpan[] {
  const spans: TestSpan[] = [];
  for (let i = from; i < from + count; i++) {
    const id = traceId(0x100000 + i);
    const rootId = (i * 2 + 1).toString(16).padStart(16, '0');
    spans.push({ traceId: id, spanId: rootId, attributes: { 'tokenledger.tenant': `t${i % 3}`, 'tokenledger.workflow': 'w', 'tokenledger.outcome': 'done' }, statusCode: 1 });
    spans.push({ traceId: id, spanId: (i * 2 + 2).toString(16).padStart(16, '0'), parentSpanId: rootId, attributes: {
      'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 } });
  }
  return spans;
}

async function send(otlp: string, spans: TestSpan[]): Promise<void> {
  const requests = [];
  for (let i = 0; i < spans.length; i += 500) {
    requests.push(fetch(`${otlp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJson(spans.slice(i, i + 500)) }));
    if (requests.length === 4) for (const r of requests.splice(0)) expect((await r).status).toBe(200);
  }
  for (const r of requests) expect((await r).status).toBe(200);
}

describe('collector process', () => {
  it('rolls every acknowledged trace up exactly once across kill -9', async () => {
    const dataDir = tempDir();
    // 1000 traces finalised, then killed.
    const first = await startCollector({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '100' });
    await send(first.otlp, traces(0, 1000));
    await until('the first 1000 traces are finalised', async () => (await metric(first.http, 'tokenledger_outcomes_total')) === 1000);
    first.child.kill('SIGKILL');
    await first.exited;
    // 4000 more acknowledged and still buffered (long idle time), then killed.
    const second = await startCollector({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '120000' });
    await send(second.otlp, traces(1000, 4000));
    expect(await metric(second.http, 'tokenledger_collector_traces_open')).toBe(4000);
    expect(await metric(second.http, 'tokenledger_outcomes_total')).toBe(1000);
    second.child.kill('SIGKILL');
    expect((await second.exited).signal).toBe('SIGKILL');

    const third = await startCollector({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '100' });
    await until('every trace is finalised', async () => (await metric(third.http, 'tokenledger_collector_traces_open')) === 0);
    expect(await metric(third.http, 'tokenledger_outcomes_total')).toBe(5000);
    expect(await metric(third.http, 'tokenledger_outcome_cost_usd_count')).toBe(5000);
    expect(await metric(third.http, 'tokenledger_cost_usd_total')).toBeCloseTo(5000 * 0.00021, 9);
    expect(await metric(third.http, 'tokenledger_tokens_total')).toBe(5000 * 1100);
    expect(await metric(third.http, 'tokenledger_late_spans_total')).toBe(0);

    third.child.kill('SIGTERM');
    const exit = await third.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('tokenledger-collector: stopped');
  });

  it('keeps outcome keys, their pending cost and reported outcomes across kill -9, and counts each outcome once', async () => {
    const dataDir = tempDir();
    const env = { TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '100' };
    // Each trace of a key: a root carrying the key and one gpt-4o-mini call (0.00021 USD).
    const keyed = (key: string, from: number, count: number) => traces(from, count).map((s) => (s.parentSpanId ? s : { ...s, attributes: { ...s.attributes, 'tokenledger.outcome': '', 'tokenledger.outcome.key': key } }));
    const report = (http: string, key: string) =>
      fetch(`${http}/api/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key, outcome: 'resolved', success: true }) });
    const pending = async (http: string, key: string) =>
      ((await (await fetch(`${http}/api/v1/outcome-keys?key=${key}`)).json()) as { keys: { state: string; traces: number }[] }).keys[0];

    // Between the traces and the outcome.
    const first = await startCollector(env);
    await send(first.otlp, keyed('conv-1', 0, 3));
    await until('conv-1 pending with its 3 traces', async () => (await pending(first.http, 'conv-1'))?.traces === 3);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startCollector(env);
    expect(await pending(second.http, 'conv-1')).toMatchObject({ state: 'pending', traces: 3 });
    expect((await report(second.http, 'conv-1')).status).toBe(200);
    await until('conv-1 counted', async () => (await metric(second.http, 'tokenledger_outcomes_total')) === 1);
    expect(await metric(second.http, 'tokenledger_outcome_cost_usd_sum')).toBeCloseTo(3 * 0.00021, 12);

    // Right after the outcome was acknowledged, before or after it was counted: once either way.
    await send(second.otlp, keyed('conv-2', 10, 2));
    await until('conv-2 pending with its 2 traces', async () => (await pending(second.http, 'conv-2'))?.traces === 2);
    const answer = await report(second.http, 'conv-2');
    second.child.kill('SIGKILL');
    expect(answer.status).toBe(200);
    await second.exited;
    const third = await startCollector(env);
    await until('conv-2 counted', async () => (await metric(third.http, 'tokenledger_outcomes_total')) === 2);
    expect(await metric(third.http, 'tokenledger_outcome_cost_usd_sum')).toBeCloseTo(5 * 0.00021, 12);
    expect((await (await report(third.http, 'conv-2')).json()) as { result: string }).toMatchObject({ result: 'repeat' });
    // Nothing more is counted however long it runs.
    await new Promise((r) => setTimeout(r, 500));
    expect(await metric(third.http, 'tokenledger_outcomes_total')).toBe(2);
    expect(await metric(third.http, 'tokenledger_cost_usd_total')).toBeCloseTo(5 * 0.00021, 12);
    third.child.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
  });

  it('refuses a bad configuration naming the variable', async () => {
    const bad = spawnCollector({ TOKENLEDGER_TRACE_IDLE_MS: 'soon' }, ['ignore', 'ignore', 'pipe']);
    let stderr = '';
    bad.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => bad.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('TOKENLEDGER_TRACE_IDLE_MS="soon" is invalid');
  });

  it('exits naming TOKENLEDGER_SHARED_STORE, without its password, when the shared store cannot be reached', async () => {
    const bad = spawnCollector({
      TOKENLEDGER_DATA_DIR: tempDir(), TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0', TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0',
      TOKENLEDGER_SHARED_STORE: 'postgres://tl:hunter2@127.0.0.1:1/tokenledger',
    }, ['ignore', 'ignore', 'pipe']);
    let stderr = '';
    bad.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => bad.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('TOKENLEDGER_SHARED_STORE=postgres://tl:***@127.0.0.1:1/tokenledger: cannot connect');
    expect(stderr).not.toContain('hunter2');
  });
});
