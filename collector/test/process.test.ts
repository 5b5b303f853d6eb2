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

  it('refuses a bad configuration naming the variable', async () => {
    const bad = spawnCollector({ TOKENLEDGER_TRACE_IDLE_MS: 'soon' }, ['ignore', 'ignore', 'pipe']);
    let stderr = '';
    bad.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((resolve) => bad.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('TOKENLEDGER_TRACE_IDLE_MS="soon" is invalid');
  });
});
