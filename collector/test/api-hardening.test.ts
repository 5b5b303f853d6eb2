// The metrics/API port against strangers (reliability scenario 20): without a token its data routes answer only
// requests addressed to this collector (DNS rebinding); with one, an unknown path and a configured budget's
// path answer alike without it (no oracle of names); both ports close an unfinished request by the same timeouts;
// the budget and forecast gauges stay within the series limit whatever the number of tenants.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Budgets } from '../src/budgets/index.ts';
import { Collector } from '../src/collector.ts';
import { startHttpServer } from '../src/http/server.ts';
import { Router } from '../src/http/router.ts';
import { startOtlpReceiver } from '../src/receiver/index.ts';
import { FakeClock, root, span, tempDir, testConfig, traceId } from './helpers.ts';
import { MemorySink } from './receiver-helpers.ts';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

async function collectorOn(env: Record<string, string>): Promise<{ collector: Collector; port: number }> {
  const collector = new Collector({ config: testConfig(env), clock: new FakeClock() });
  open.push(collector);
  const { http } = await collector.listen();
  return { collector, port: http.port };
}

/** GET with an explicit Host header (fetch does not let one set it). */
function get(port: number, path: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('API port hardening', () => {
  it('without a token, answers data routes only for Hosts of its own (IP literals, localhost, its listen host, TOKENLEDGER_ALLOWED_HOSTS)', async () => {
    const { port } = await collectorOn({ TOKENLEDGER_ALLOWED_HOSTS: 'collector, tokenledger.internal' });
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `10.0.0.7:${port}`, `collector:${port}`, `TokenLedger.Internal:${port}`, 'collector']) {
      expect(await get(port, '/metrics', host), host).toBe(200);
    }
    for (const host of [`attacker.example:${port}`, `collector.attacker.example:${port}`, `localhost.attacker.example:${port}`]) {
      for (const path of ['/metrics', '/api/v1/outcomes', '/api/v1/budgets', '/api/v1/forecast']) expect(await get(port, path, host), `${host}${path}`).toBe(403);
      // The probes and the static page hold no data.
      expect(await get(port, '/healthz', host)).toBe(200);
      expect(await get(port, '/', host)).toBe(200);
    }
  });

  it('with a token, needs no Host check, and answers an unknown path and a budget\'s path alike without it', async () => {
    const file = join(tempDir(), 'budgets.json');
    writeFileSync(file, JSON.stringify({ budgets: [{ scope: 'tenant', name: 'acme', monthly_usd: 10 }] }));
    const { port } = await collectorOn({ TOKENLEDGER_AUTH_TOKEN: 'secret', TOKENLEDGER_BUDGETS_FILE: file });
    const auth = { authorization: 'Bearer secret' };
    for (const path of ['/api/v1/budgets/tenant/acme', '/api/v1/budgets/tenant/nobody', '/nope']) expect(await get(port, path, 'attacker.example'), path).toBe(401);
    expect(await get(port, '/api/v1/budgets/tenant/acme', 'attacker.example', auth)).toBe(200);
    expect(await get(port, '/api/v1/budgets/tenant/nobody', 'attacker.example', auth)).toBe(404);
  });

  it('closes an unfinished request on both ports by the same timeouts', async () => {
    const timeouts = { headersTimeoutMs: 300, requestTimeoutMs: 600 };
    const api = await startHttpServer({ host: '127.0.0.1', port: 0, router: new Router(), timeouts });
    const otlp = await startOtlpReceiver({ host: '127.0.0.1', port: 0, sink: new MemorySink(), maxBodyBytes: 1 << 20, ...timeouts });
    open.push(api, otlp);
    const closedAfter = (port: number) =>
      new Promise<string>((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
        let text = '';
        s.on('data', (d: Buffer) => (text += d.toString()));
        s.on('error', () => {});
        s.on('close', () => resolve(text.split('\r\n')[0]!));
        // Far longer than the configured timeout, far shorter than Node's 30 s default checking interval.
        setTimeout(() => s.destroy(), 10_000).unref();
      });
    expect(await Promise.all([closedAfter(api.address.port), closedAfter(otlp.address.port)])).toEqual(['HTTP/1.1 408 Request Timeout', 'HTTP/1.1 408 Request Timeout']);
  });

  it('keeps the budget and forecast gauges within the series limit with 5,000 tenants (the top spenders)', async () => {
    const clock = new FakeClock(Date.parse('2026-10-15T00:00:00Z'));
    const collector = new Collector({ config: testConfig({ TOKENLEDGER_CARDINALITY_LIMIT: '50', TOKENLEDGER_TRACE_IDLE_MS: '1000' }), clock });
    open.push(collector);
    const spans = [];
    for (let i = 0; i < 5000; i++) {
      const id = traceId(0x700000 + i);
      spans.push(root(id, { 'tokenledger.tenant': `tenant-${i}`, 'tokenledger.outcome': 'done' }),
        span(id, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'tokenledger.cost.usd': i / 1000 }));
    }
    await collector.sink.accept(spans);
    clock.advance(1001);
    collector.finaliser.drain();
    await collector.component(Budgets)!.refresh();
    const forecast = collector.metrics.registry.family('tokenledger_forecast_month_usd')!;
    const names = [...forecast.series.values()].map((s) => Object.fromEntries(s.labels));
    expect(names.some((l) => l.otel_metric_overflow === 'true')).toBe(false);
    expect(names.length).toBeLessThanOrEqual(50);
    // The highest forecasts are the ones kept.
    expect(names.filter((l) => l.scope === 'tenant').map((l) => l.name)).toContain('tenant-4999');
  });
});
