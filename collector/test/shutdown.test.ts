// Shutdown (reliability scenario 19): four clients keep exporting over kept-alive connections when SIGTERM arrives.
// From the moment the collector says it is stopping, no request gets a 200 (503 or a closed connection); it
// commits what it accepted and exits 0 by itself (not by the forced exit); after a restart every acknowledged
// trace is rolled up exactly once.
import { Agent, request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, traceId } from './helpers.ts';
import { otlpJson, type TestSpan } from './otlp-json.ts';
import { type Running, scrapeTotal, startCollector, stopAll, until } from './process-helpers.ts';

afterAll(stopAll);

function trace(i: number): TestSpan[] {
  const id = traceId(0x300000 + i);
  const rootId = (i * 2 + 1).toString(16).padStart(16, '0');
  return [
    { traceId: id, spanId: rootId, attributes: { 'tokenledger.tenant': 'acme', 'tokenledger.outcome': 'done' }, statusCode: 1 },
    { traceId: id, spanId: (i * 2 + 2).toString(16).padStart(16, '0'), parentSpanId: rootId, attributes: {
      'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 } },
  ];
}

/** One export on `agent`: its status, or 0 when the connection failed. */
function exportOn(agent: Agent, otlp: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${otlp}/v1/traces`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('shutdown', () => {
  it('stops intake at SIGTERM, kept-alive connections included, commits what it accepted and exits 0 promptly', async () => {
    const dataDir = tempDir();
    const c: Running = await startCollector({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '60000' });
    const acknowledged = new Set<number>();
    const afterStopping: number[] = [];
    let stopping = false;
    let next = 0;
    const clients = Array.from({ length: 4 }, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      // Each client exports until its connection is refused (the collector is gone), at most 5000 times.
      for (let n = 0; n < 5000; n++) {
        const i = next++;
        const sentAfterStopping = stopping;
        const status = await exportOn(agent, c.otlp, otlpJson(trace(i)));
        if (status === 200) acknowledged.add(i);
        if (sentAfterStopping) afterStopping.push(status);
        if (status === 0 && sentAfterStopping) break;
      }
      agent.destroy();
    });
    await until('clients are exporting', async () => acknowledged.size >= 200, c.child);
    c.child.kill('SIGTERM');
    await until('the collector says it is stopping', async () => {
      stopping ||= c.stdout().includes('stopping (SIGTERM)');
      return stopping;
    });
    const exit = await c.exited;
    await Promise.all(clients);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('tokenledger-collector: stopped');
    expect(exit.stdout).not.toContain('took too long');
    expect(afterStopping.length).toBeGreaterThan(0);
    expect(afterStopping.filter((s) => s === 200)).toEqual([]);

    // Everything acknowledged was committed: a restart rolls each trace up once.
    const again = await startCollector({ TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_TRACE_IDLE_MS: '100', TOKENLEDGER_TRACE_MAX_AGE_MS: '100' });
    await until('every trace rolled up', async () => (await scrapeTotal(again.http, 'tokenledger_collector_traces_open')) === 0, again.child);
    expect(await scrapeTotal(again.http, 'tokenledger_outcomes_total')).toBe(acknowledged.size);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });
});
