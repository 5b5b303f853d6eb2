import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { PriceBook } from '@tokenledger/pricing';
import * as sc from '@tokenledger/semconv';
import { describe, expect, it } from 'vitest';
import { CapacityLedger, settle } from '../src/capacity/index.ts';
import { Collector } from '../src/collector.ts';
import { capacityConfigFromEnv } from '../src/config/capacity.ts';
import { Registry } from '../src/metrics/registry.ts';
import type { AttributeValue } from '../src/model/span-record.ts';
import { FakeClock, root, span, testConfig, traceId } from './helpers.ts';

const book = PriceBook.load({ pricesFile: '' });
const LLAMA_BEDROCK = 'meta.llama3-3-70b-instruct-v1:0'; // 7.2e-7 USD per input and per output token

function value(registry: Registry, metric: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const s of registry.family(metric)!.series.values()) {
    const l = Object.fromEntries(s.labels);
    if (Object.entries(labels).every(([k, v]) => l[k] === v)) total += s.value;
  }
  return total;
}

function servedSpan(endMs: number, input: number, output: number, extra: Record<string, AttributeValue>) {
  return span(traceId(endMs), {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.OPERATION_CHAT,
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: 'vllm',
    [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'llama-3.3-70b',
    [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
    [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
    [sc.ATTR_PRICE_TIER]: 'self_hosted',
    ...extra,
  }, { startMs: endMs - 500, endMs });
}

function ledger(env: Record<string, string>) {
  const clock = new FakeClock(); // 12:00:00.000, on an interval boundary
  const registry = new Registry(100);
  const l = new CapacityLedger({ config: capacityConfigFromEnv(env), book, clock, registry });
  return { clock, registry, ledger: l, t0: clock.ms };
}

/** Collectors on one store and clock, with instance i-1 (inf2.xlarge at $3.60/h) configured and no settling lag. */
function restartable() {
  const clock = new FakeClock();
  const config = testConfig({
    TOKENLEDGER_CAPACITY_LAG_MS: '0',
    TOKENLEDGER_CAPACITY_INSTANCES: JSON.stringify([{ id: 'i-1', type: 'inf2.xlarge', hourly_usd: 3.6 }]),
  });
  return { clock, t0: clock.ms, restarted: () => new Collector({ config, clock }) };
}

describe('self-hosted capacity', () => {
  it('settles capacity, attributed and idle cost of intervals with known utilisation and requests (checked by hand)', () => {
    const { registry, ledger: l, t0 } = ledger({
      TOKENLEDGER_CAPACITY_INTERVAL_MS: '60000',
      TOKENLEDGER_CAPACITY_LAG_MS: '15000',
      TOKENLEDGER_CAPACITY_INSTANCES: JSON.stringify([{ id: 'i-1', type: 'inf2.xlarge', hourly_usd: 3.6 }]),
      TOKENLEDGER_CAPACITY_BEDROCK_MODEL: LLAMA_BEDROCK,
    });
    const on = { [sc.ATTR_INSTANCE_TYPE]: 'inf2.xlarge', [sc.ATTR_INSTANCE_ID]: 'i-1' };
    // Interval 1 [0 s, 60 s): utilisation samples 0.5 and 0.3 → 0.4; requests of 1500 and 500 tokens.
    l.observeUtilization('i-1', 'inf2.xlarge', 0.5, t0 + 5_000);
    l.observeSpans([servedSpan(t0 + 10_000, 1000, 500, on), servedSpan(t0 + 20_000, 400, 100, on)]);
    l.observeUtilization('i-1', 'inf2.xlarge', 0.3, t0 + 35_000);
    // Interval 2 [60 s, 120 s): sample 0.1 and no request.
    l.observeUtilization('i-1', 'inf2.xlarge', 0.1, t0 + 70_000);

    const who = { [sc.LABEL_INSTANCE_ID]: 'i-1', [sc.LABEL_INSTANCE_TYPE]: 'inf2.xlarge' };
    l.settle(t0 + 60_000 + 14_999); // inside the lag: nothing settled yet
    expect(value(registry, sc.METRIC_CAPACITY_COST_USD_TOTAL, who)).toBe(0);

    l.settle(t0 + 60_000 + 15_000);
    // $3.60/h × 60 s = $0.06; busy 0.4 → $0.024 attributed (¾ and ¼ by tokens: $0.018, $0.006), $0.036 idle.
    expect(value(registry, sc.METRIC_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(0.06, 12);
    expect(value(registry, sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL, { ...who, [sc.LABEL_MODEL]: 'llama-3.3-70b' })).toBeCloseTo(0.024, 12);
    expect(value(registry, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(0.036, 12);
    expect(value(registry, sc.METRIC_CAPACITY_UTILIZATION_RATIO, who)).toBeCloseTo(0.4, 12);
    // On Bedrock: 2000 tokens × $7.2e-7 = $0.00144.
    expect(value(registry, sc.METRIC_CAPACITY_BEDROCK_EQUIVALENT_USD_TOTAL, { ...who, [sc.LABEL_MODEL]: LLAMA_BEDROCK })).toBeCloseTo(0.00144, 12);

    l.settle(t0 + 120_000 + 15_000);
    // Interval 2 served nothing: all $0.06 idle, whatever the utilisation.
    expect(value(registry, sc.METRIC_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(0.12, 12);
    expect(value(registry, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(0.096, 12);
    expect(value(registry, sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL, who)).toBeCloseTo(0.024, 12);
    expect(value(registry, sc.METRIC_CAPACITY_UTILIZATION_RATIO, who)).toBeCloseTo(0.1, 12);
  });

  it('splits by tokens', () => {
    const s = settle(3.6, 60_000, [{ model: 'm', tokens: 1500 }, { model: 'm', tokens: 500 }], [0.5, 0.3]);
    expect(s.shares.map((x) => Number(x.toFixed(12)))).toEqual([0.018, 0.006]);
    expect(settle(3.6, 60_000, [{ model: 'm', tokens: 0 }, { model: 'm', tokens: 0 }], []).shares).toEqual([0.03, 0.03]);
  });

  it('discovers instances from spans at the catalog price, spreads client spans over their type, and keeps late spans', () => {
    const { registry, ledger: l, t0 } = ledger({ TOKENLEDGER_CAPACITY_LAG_MS: '0' });
    const server = { [sc.ATTR_INSTANCE_TYPE]: 'inf2.xlarge', [sc.ATTR_INSTANCE_ID]: 'i-a', [sc.ATTR_ACCELERATOR_UTILIZATION]: 0.5 };
    // A server-side span (snapshot utilisation 0.5) discovers i-a; a client span names only the type.
    l.observeSpans([servedSpan(t0 + 1_000, 300, 100, server), servedSpan(t0 + 2_000, 300, 100, { [sc.ATTR_INSTANCE_TYPE]: 'inf2.xlarge' })]);
    // Spans of other instance types or with no type are not capacity.
    l.observeSpans([servedSpan(t0 + 3_000, 10, 10, {})]);
    l.settle(t0 + 60_000);
    const perInterval = 0.7582 / 60; // catalog inf2.xlarge $/h × 1 min
    const who = { [sc.LABEL_INSTANCE_ID]: 'i-a' };
    expect(value(registry, sc.METRIC_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(perInterval, 12);
    expect(value(registry, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(perInterval * 0.5, 12);
    expect(value(registry, sc.METRIC_CAPACITY_COST_USD_TOTAL)).toBeCloseTo(perInterval, 12);

    // A span that ends in the settled interval counts in the oldest open one.
    l.observeSpans([servedSpan(t0 + 59_000, 300, 100, server)]);
    l.settle(t0 + 120_000);
    expect(value(registry, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(perInterval * 0.5 * 2, 12);
    // Last seen at 59 s: charged for its interval and the 5 after it (starting at 60 s … 300 s), then no more.
    l.settle(t0 + 20 * 60_000);
    expect(value(registry, sc.METRIC_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(perInterval * 6, 12);
    expect(value(registry, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(perInterval * (0.5 * 2 + 4), 12);
  });

  it('fails at start on bad configuration, naming the variable', () => {
    expect(() => capacityConfigFromEnv({ TOKENLEDGER_CAPACITY_INSTANCES: '[{"id":"i-1"}]' })).toThrow(/TOKENLEDGER_CAPACITY_INSTANCES/);
    expect(() => capacityConfigFromEnv({ TOKENLEDGER_CAPACITY_INTERVAL_MS: '10' })).toThrow(/TOKENLEDGER_CAPACITY_INTERVAL_MS/);
  });

  it('is fed by the collector’s accepted spans and exposed on /metrics', async () => {
    const clock = new FakeClock();
    const t0 = clock.ms;
    const collector = new Collector({
      config: testConfig({
        TOKENLEDGER_CAPACITY_LAG_MS: '0',
        TOKENLEDGER_CAPACITY_INSTANCES: JSON.stringify([{ id: 'i-1', type: 'inf2.xlarge', hourly_usd: 3.6 }]),
      }),
      clock,
    });
    try {
      const on = { [sc.ATTR_INSTANCE_TYPE]: 'inf2.xlarge', [sc.ATTR_INSTANCE_ID]: 'i-1', [sc.ATTR_ACCELERATOR_UTILIZATION]: 0.25 };
      const call = servedSpan(t0 + 1_000, 700, 300, on);
      await collector.sink.accept([call, root(call.traceId, {}, { endMs: t0 + 1_100 })]);
      collector.component(CapacityLedger)!.settle(t0 + 60_000);
      const text = collector.metrics.registry.expose();
      // $0.06 per minute; utilisation 0.25 from the span's accelerator snapshot → $0.015 attributed, $0.045 idle.
      expect(text).toContain(`${sc.METRIC_CAPACITY_COST_USD_TOTAL}{instance_type="inf2.xlarge",instance_id="i-1"} 0.06`);
      expect(value(collector.metrics.registry, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, { [sc.LABEL_INSTANCE_ID]: 'i-1' })).toBeCloseTo(0.045, 12);
      expect(text).toContain(`# TYPE ${sc.METRIC_CAPACITY_UTILIZATION_RATIO} gauge`);
      expect(text).toContain(`${sc.METRIC_CAPACITY_UTILIZATION_RATIO}{instance_type="inf2.xlarge",instance_id="i-1"} 0.25`);
    } finally {
      await collector.close();
    }
  });

  it('survives a restart: totals carry on, nothing settled twice, the downtime charged to configured instances', async () => {
    const { clock, t0, restarted } = restartable();
    const first = restarted();
    const on = { [sc.ATTR_INSTANCE_TYPE]: 'inf2.xlarge', [sc.ATTR_INSTANCE_ID]: 'i-1', [sc.ATTR_ACCELERATOR_UTILIZATION]: 0.25 };
    const call = servedSpan(t0 + 1_000, 700, 300, on);
    await first.sink.accept([call, root(call.traceId, {}, { endMs: t0 + 1_100 })]);
    first.component(CapacityLedger)!.settle(t0 + 60_000); // one minute: $0.06, $0.015 attributed
    await first.close();

    // Three minutes later: the two intervals while it was down are charged (idle), the first not again.
    clock.advance(t0 + 4 * 60_000 - clock.ms);
    const second = restarted();
    try {
      const r = second.metrics.registry;
      const i1 = { [sc.LABEL_INSTANCE_ID]: 'i-1' };
      expect(value(r, sc.METRIC_CAPACITY_COST_USD_TOTAL, i1)).toBeCloseTo(0.06, 12);
      expect(value(r, sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL, i1)).toBeCloseTo(0.015, 12);
      second.component(CapacityLedger)!.settle(t0 + 4 * 60_000);
      expect(value(r, sc.METRIC_CAPACITY_COST_USD_TOTAL, i1)).toBeCloseTo(0.06 * 4, 12);
      expect(value(r, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, i1)).toBeCloseTo(0.045 + 0.06 * 3, 12);
      expect(value(r, sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL, i1)).toBeCloseTo(0.015, 12);
    } finally {
      await second.close();
    }
  });

  it('replays the interval a crash interrupted: its requests and samples are attributed, once', async () => {
    const { clock, t0, restarted } = restartable();
    const on = { [sc.ATTR_INSTANCE_TYPE]: 'inf2.xlarge', [sc.ATTR_INSTANCE_ID]: 'i-1' };
    const first = restarted();
    const a = servedSpan(t0 + 1_000, 700, 300, on);
    const b = servedSpan(t0 + 2_000, 2_000, 1_000, { ...on, [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'mistral-7b' });
    await first.sink.accept([a, root(a.traceId, {}, { endMs: t0 + 1_100 }), b]);
    first.component(CapacityLedger)!.observeUtilization('i-1', 'inf2.xlarge', 0.5, t0 + 3_000);
    // Stopped before the interval was settled: what it observed is only in the journal.
    await first.close();

    clock.advance(60_000);
    const second = restarted();
    const r = second.metrics.registry;
    const model = (m: string) => ({ [sc.LABEL_INSTANCE_ID]: 'i-1', [sc.LABEL_MODEL]: m });
    try {
      second.component(CapacityLedger)!.settle(t0 + 60_000);
      // $0.06 for the minute at utilisation 0.5: $0.03 attributed, split 1000:3000 by tokens.
      expect(value(r, sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL, model('llama-3.3-70b'))).toBeCloseTo(0.0075, 12);
      expect(value(r, sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL, model('mistral-7b'))).toBeCloseTo(0.0225, 12);
      expect(value(r, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, { [sc.LABEL_INSTANCE_ID]: 'i-1' })).toBeCloseTo(0.03, 12);
    } finally {
      await second.close();
    }
    // Settled intervals leave the journal: a further restart replays nothing into the next interval.
    const third = restarted();
    try {
      third.component(CapacityLedger)!.settle(t0 + 120_000);
      const t = third.metrics.registry;
      expect(value(t, sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL, { [sc.LABEL_INSTANCE_ID]: 'i-1' })).toBeCloseTo(0.03, 12);
      expect(value(t, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, { [sc.LABEL_INSTANCE_ID]: 'i-1' })).toBeCloseTo(0.03 + 0.06, 12);
    } finally {
      await third.close();
    }
  });

  it('takes utilisation from an OTLP/JSON metrics request: the mean over an instance’s NeuronCores', async () => {
    class Reader extends MetricReader {
      protected override async onForceFlush(): Promise<void> {}
      protected override async onShutdown(): Promise<void> {}
    }
    const reader = new Reader();
    const meter = new MeterProvider({ readers: [reader] }).getMeter('test');
    const gauge = meter.createObservableGauge(sc.NEURON_NEURONCORE_UTILIZATION_RATIO);
    const who = { [sc.LABEL_INSTANCE_ID]: 'i-n', [sc.LABEL_INSTANCE_TYPE]: 'inf2.xlarge' };
    gauge.addCallback((r) => {
      r.observe(0.6, { ...who, [sc.LABEL_NEURONCORE]: '0' });
      r.observe(0.2, { ...who, [sc.LABEL_NEURONCORE]: '1' });
    });
    const { resourceMetrics } = await reader.collect();
    const request = JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(resourceMetrics)!));

    const clock = new FakeClock(Math.floor(Date.now() / 60_000) * 60_000);
    const registry = new Registry(100);
    const l = new CapacityLedger({ config: capacityConfigFromEnv({ TOKENLEDGER_CAPACITY_LAG_MS: '0' }), book, clock, registry });
    l.observeMetrics(request);
    l.observeMetrics({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'other' }] }] }] });
    l.settle(clock.ms + 60_000);
    // Discovered from the metrics, priced from the catalog, idle: no request served.
    expect(value(registry, sc.METRIC_CAPACITY_UTILIZATION_RATIO, { [sc.LABEL_INSTANCE_ID]: 'i-n' })).toBeCloseTo(0.4, 12);
    expect(value(registry, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, { [sc.LABEL_INSTANCE_ID]: 'i-n' })).toBeCloseTo(0.7582 / 60, 12);
  });
});
