// End to end: an app under the preload carries an outcome key in baggage through a downstream service, over two
// traces; the collector (real OTLP receiver, the SDK's exporter) holds the key pending; the business side reports
// the outcome with reportOutcome() — one outcome with both turns' cost, a repeat that counts nothing, a conflict
// answered (not thrown), and an unreachable collector that the app survives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from './fixtures/preload/run.ts';
import { preloadEnv } from './fixtures/preload/run.ts';
import { type RunningCollector, startCollector, until } from './stack-helpers.ts';

let tl: RunningCollector;
beforeAll(async () => {
  tl = await startCollector();
});
afterAll(() => tl?.close());

const price = (input: number, output: number) => input * 0.15e-6 + output * 0.6e-6;

async function get<T>(path: string): Promise<T> {
  return (await (await fetch(`${tl.base}${path}`)).json()) as T;
}

describe('outcome keys from @tokenledger/node', () => {
  it('withAttribution({ outcomeKey }) reaches every service\'s spans; reportOutcome() counts the key once with its whole cost', async () => {
    const app = start('--import', 'outcome-app.mjs', preloadEnv(tl.otlp, { TOKENLEDGER_COLLECTOR_URL: tl.base, OTEL_BSP_SCHEDULE_DELAY: '100' }));
    await app.waitFor(/turns done/);
    const key = await until('the two turns pending under TICKET-1', async () => {
      const k = (await get<{ keys: { traces: number; costUsd: number; tenant: string; workflow: string }[] }>('/api/v1/outcome-keys?key=TICKET-1')).keys[0];
      return k?.traces === 2 ? k : undefined;
    });
    expect(key).toMatchObject({ tenant: 'acme', workflow: 'answer' });
    expect(key.costUsd).toBeCloseTo(price(4000, 200), 12);
    // The downstream server's spans carried the key (baggage): the model calls are in the key's traces.
    const traces = (await get<{ traces: { calls: number; outcome: string }[] }>('/api/v1/traces?key=TICKET-1')).traces;
    expect(traces.map((t) => [t.calls, t.outcome])).toEqual([[1, 'pending'], [1, 'pending']]);

    app.child.stdin.end('report\n');
    const reports = JSON.parse(await app.waitFor(/reports=(.*)/)) as Record<string, { ok: boolean; status: number; result?: string; error?: string }>;
    expect(reports.first).toEqual({ ok: true, status: 200, result: 'recorded' });
    expect(reports.again).toEqual({ ok: true, status: 200, result: 'repeat' });
    expect(reports.conflict).toMatchObject({ ok: false, status: 409 });
    expect(reports.conflict!.error).toContain('already has outcome "ticket_resolved"');
    expect(reports.nowhere).toMatchObject({ ok: false, status: 0 });
    const done = await app.done;
    expect(done.code).toBe(0);

    await until('the outcome counted', async () => (await (await fetch(`${tl.base}/metrics`)).text()).includes('outcome="ticket_resolved"'));
    const metrics = await (await fetch(`${tl.base}/metrics`)).text();
    expect(metrics).toContain('tokenledger_outcomes_total{tenant="acme",feature="support",workflow="answer",outcome="ticket_resolved",success="true"} 1');
    const sum = /tokenledger_outcome_cost_usd_sum\{[^}]*outcome="ticket_resolved"[^}]*\} (\S+)/.exec(metrics)!;
    expect(Number(sum[1])).toBeCloseTo(price(4000, 200), 12);
    expect(metrics).toContain('tokenledger_outcome_reports_total{result="repeat"} 1');
    expect(metrics).toContain('tokenledger_outcome_reports_total{result="conflict"} 1');
  });
});
