// Trace completion: idle and maximum age, late spans, a 50,000-span trace, backpressure, recovery.
import { afterEach, describe, expect, it } from 'vitest';
import { Collector } from '../src/collector.ts';
import { Backpressure } from '../src/model/span-record.ts';
import { FakeClock, root, seriesValue, span, testCollector, testConfig, traceId } from './helpers.ts';

const MINI = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };
// 1000 × 1.5e-7 + 1000 × 6e-7 = 0.00075
const call = (id: string, extra = {}) => span(id, { ...MINI, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 1000, ...extra });
const who = { 'tokenledger.tenant': 't1', 'tokenledger.feature': 'f1', 'tokenledger.workflow': 'w1', 'tokenledger.outcome': 'done' };

const open: Collector[] = [];
afterEach(() => {
  for (const c of open.splice(0)) if (c.db.isOpen) c.db.close();
});
function make(env: Record<string, string> = {}) {
  const t = testCollector({ TOKENLEDGER_TRACE_IDLE_MS: '1000', TOKENLEDGER_TRACE_MAX_AGE_MS: '60000', ...env });
  open.push(t.collector);
  return t;
}

describe('trace completion', () => {
  it('waits for the root and for idleness, or for the maximum age', async () => {
    const { collector, clock } = make();
    const [A, B] = [traceId(1), traceId(2)];
    await collector.sink.accept([call(A), call(B), root(B, who)]);
    clock.advance(999);
    expect(collector.finaliser.tick()).toBe(0);
    clock.advance(1);
    expect(collector.finaliser.tick()).toBe(1); // B: root and idle; A has no root
    expect(collector.buffer.open.has(A)).toBe(true);
    clock.advance(59_000);
    expect(collector.finaliser.tick()).toBe(1); // A at its maximum age
    expect(seriesValue(collector, 'tokenledger_outcomes_total')).toBe(2);
    expect(seriesValue(collector, 'tokenledger_outcomes_total', { outcome: 'none' })).toBe(1);
  });

  it('adds late spans to the same tenant/feature/workflow without a new outcome', async () => {
    const { collector, clock } = make();
    const A = traceId(3);
    await collector.sink.accept([root(A, who), call(A)]);
    clock.advance(1000);
    collector.finaliser.tick();
    clock.advance(1000); // a span 1 s after the wait
    await collector.sink.accept([call(A), call(A)]);
    clock.advance(1000);
    expect(collector.finaliser.tick()).toBe(1);
    expect(seriesValue(collector, 'tokenledger_late_spans_total')).toBe(2);
    expect(seriesValue(collector, 'tokenledger_outcomes_total')).toBe(1);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { tenant: 't1', feature: 'f1', workflow: 'w1' })).toBeCloseTo(3 * 0.00075, 12);
    const hist = collector.metrics.registry.family('tokenledger_outcome_cost_usd')!.series.values().next().value!;
    expect(hist.count).toBe(1);
    expect(hist.value).toBeCloseTo(0.00075, 12);
  });

  it('forgets finalised traces after the late-span retention', async () => {
    const { collector, clock } = make({ TOKENLEDGER_LATE_SPAN_RETENTION_MS: '10000' });
    const A = traceId(12);
    await collector.sink.accept([root(A, who), call(A)]);
    clock.advance(1000);
    collector.finaliser.tick();
    clock.advance(60_000);
    collector.finaliser.tick(); // prunes what was finalised more than 10 s ago
    await collector.sink.accept([root(A, { ...who, 'tokenledger.workflow': 'again' })]);
    clock.advance(1000);
    collector.finaliser.tick();
    expect(seriesValue(collector, 'tokenledger_late_spans_total')).toBe(0);
    expect(seriesValue(collector, 'tokenledger_outcomes_total', { workflow: 'again' })).toBe(1);
  });

  it('a 50,000-span trace delays no other trace', async () => {
    const { collector, clock } = make();
    const big = traceId(0xb16);
    const small = traceId(5);
    await collector.sink.accept([root(big, who)]);
    for (let sent = 0; sent < 50_000; sent += 1000) {
      await collector.sink.accept(Array.from({ length: 1000 }, () => call(big)));
      if (sent === 25_000) await collector.sink.accept([root(small, { ...who, 'tokenledger.workflow': 'small' }), call(small)]);
      clock.advance(40); // the big trace keeps receiving spans for 2 s
    }
    expect(collector.buffer.open.get(big)!.spans).toBe(50_001);
    // The small trace went idle 1 s after its spans while the big one was still arriving.
    const finalised = collector.finaliser.tick();
    expect(finalised).toBe(1);
    expect(collector.buffer.open.has(small)).toBe(false);
    expect(seriesValue(collector, 'tokenledger_outcomes_total', { workflow: 'small' })).toBe(1);
    clock.advance(1000);
    expect(collector.finaliser.tick()).toBe(1);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { workflow: 'w1' })).toBeCloseTo(50_000 * 0.00075, 6);
    expect(collector.buffer.openSpans).toBe(0);
  });

  it('pushes back past its bound and keeps everything it acknowledged', async () => {
    const { collector, clock } = make({ TOKENLEDGER_MAX_OPEN_SPANS: '10' });
    const A = traceId(6);
    await collector.sink.accept([root(A, who), ...Array.from({ length: 9 }, () => call(A))]);
    const refused = await collector.sink.accept([call(traceId(7))]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Backpressure);
    expect((refused as Backpressure).retryAfterSeconds).toBe(1);
    clock.advance(1000);
    collector.finaliser.tick();
    await collector.sink.accept([call(traceId(7))]);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total')).toBeCloseTo(9 * 0.00075, 12);
    expect(seriesValue(collector, 'tokenledger_collector_spans_refused_total')).toBe(1);
  });

  it('counts a span sent twice (a client retry) once', async () => {
    const { collector, clock } = make();
    const A = traceId(11);
    const batch = [root(A, who), call(A), call(A)];
    await collector.sink.accept(batch);
    await collector.sink.accept(batch.slice(1));
    clock.advance(1000);
    collector.finaliser.tick();
    expect(seriesValue(collector, 'tokenledger_cost_usd_total')).toBeCloseTo(2 * 0.00075, 12);
    expect(collector.buffer.openSpans).toBe(0);
  });

  it('recovers acknowledged spans after a restart and rolls every trace up once', async () => {
    const config = testConfig({ TOKENLEDGER_TRACE_IDLE_MS: '1000' });
    const clock = new FakeClock();
    const first = new Collector({ config, clock });
    await first.recover();
    await first.sink.accept([root(traceId(8), who), call(traceId(8)), root(traceId(9), who), call(traceId(9))]);
    clock.advance(1000);
    first.finaliser.tick(); // both finalised
    await first.sink.accept([root(traceId(10), who), call(traceId(10)), call(traceId(8))]); // one new, one late
    first.db.close(); // as if killed: nothing flushed beyond the commits

    const second = new Collector({ config, clock });
    open.push(second);
    expect(seriesValue(second, 'tokenledger_outcomes_total')).toBe(2); // seeded from the store
    await second.recover();
    expect(second.buffer.open.size).toBe(2);
    clock.advance(1000);
    expect(second.finaliser.tick()).toBe(2);
    expect(seriesValue(second, 'tokenledger_outcomes_total')).toBe(3);
    expect(seriesValue(second, 'tokenledger_late_spans_total')).toBe(1);
    expect(seriesValue(second, 'tokenledger_cost_usd_total')).toBeCloseTo(4 * 0.00075, 12);
    expect(second.buffer.open.size).toBe(0);
  });
});
