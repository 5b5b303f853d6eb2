// Cardinality limit: 100,000 distinct tenants fold into the limit plus one overflow series; totals stay right.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector.ts';
import { Registry } from '../src/metrics/registry.ts';
import { root, seriesValue, span, testCollector, traceId } from './helpers.ts';

let collector: Collector | undefined;
afterEach(() => collector?.db.close());

describe('cardinality limit', () => {
  it('caps a family at the limit plus one overflow series with the total unchanged', () => {
    const r = new Registry(100);
    const f = r.counter('tokenledger_cost_usd_total', 'cost', ['tenant', 'model']);
    let expected = 0;
    for (let i = 0; i < 100_000; i++) {
      f.inc([`tenant-${i}`, 'm'], (i % 7) + 1);
      expected += (i % 7) + 1;
    }
    expect(f.series.size).toBe(101);
    expect(f.total()).toBe(expected);
    const text = r.expose();
    expect(text).toContain('tokenledger_cost_usd_total{otel_metric_overflow="true"} ');
    expect(text.match(/^tokenledger_cost_usd_total\{/gm)).toHaveLength(101);
    // Known series keep counting on their own.
    f.inc(['tenant-0', 'm'], 5);
    expect([...f.series.values()][0]!.value).toBe(6);
  });

  it('folds traces of 100,000 distinct tenants end to end', async () => {
    const t = testCollector({ TOKENLEDGER_CARDINALITY_LIMIT: '50', TOKENLEDGER_TRACE_IDLE_MS: '1000' });
    collector = t.collector;
    const batch = [];
    for (let i = 0; i < 100_000; i++) {
      const id = traceId(i + 1);
      batch.push(root(id, { 'tokenledger.tenant': `tenant-${i}`, 'tokenledger.outcome': 'done' }),
        span(id, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 0 }));
      if (batch.length >= 10_000) await collector.sink.accept(batch.splice(0));
    }
    t.clock.advance(1000);
    collector.finaliser.drain();
    for (const name of ['tokenledger_outcomes_total', 'tokenledger_cost_usd_total', 'tokenledger_tokens_total', 'tokenledger_outcome_cost_usd']) {
      expect(collector.metrics.registry.family(name)!.series.size).toBe(51);
    }
    expect(seriesValue(collector, 'tokenledger_outcomes_total')).toBe(100_000);
    expect(seriesValue(collector, 'tokenledger_outcomes_total', { otel_metric_overflow: 'true' })).toBe(100_000 - 50);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total')).toBeCloseTo(100_000 * 0.00015, 6);
    expect(seriesValue(collector, 'tokenledger_tokens_total')).toBe(100_000_000);
  });
});
