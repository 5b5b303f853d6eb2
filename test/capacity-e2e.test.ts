// Accelerator metrics and a self-hosted model span, exported by the real OTLP exporters to a running
// collector, settle into capacity, attributed, idle and Bedrock-equivalent cost (checked by hand).
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import * as sc from '@tokenledger/semconv';
import { afterEach, expect, it } from 'vitest';
import { acceleratorConfigFromEnv, AcceleratorSnapshotSpanProcessor, startAcceleratorMetrics } from '../packages/accelerators/src/index.ts';
import { eventually, FIXTURES, scenario, type Scenario } from '../packages/accelerators/test/harness.ts';
import { neuronReport } from '../packages/accelerators/test/reports.ts';
import { CapacityLedger } from '../collector/src/capacity/index.ts';
import { Collector } from '../collector/src/collector.ts';
import { startOtlpReceiver } from '../collector/src/receiver/index.ts';
import { testConfig } from '../collector/test/helpers.ts';

const HOUR_MS = 3_600_000;
const INF2_XLARGE_HOURLY = 0.7582; // catalog
const LLAMA_BEDROCK = 'meta.llama3-3-70b-instruct-v1:0'; // 7.2e-7 USD per token, in and out

let cleanup: (() => Promise<void>)[] = [];
let current: Scenario | undefined;
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  current?.cleanup();
});

function family(collector: Collector, metric: string, labels: Record<string, string>): number {
  let total = 0;
  for (const s of collector.metrics.registry.family(metric)!.series.values()) {
    const l = Object.fromEntries(s.labels);
    if (Object.entries(labels).every(([k, v]) => l[k] === v)) total += s.value;
  }
  return total;
}

it('turns neuron-monitor utilisation and a served request into capacity, attributed, idle and Bedrock cost', async () => {
  // One-hour intervals, so the whole test falls in one of them.
  const collector = new Collector({
    config: testConfig({ TOKENLEDGER_CAPACITY_INTERVAL_MS: String(HOUR_MS), TOKENLEDGER_CAPACITY_BEDROCK_MODEL: LLAMA_BEDROCK }),
  });
  cleanup.push(() => collector.close());
  const { otlp } = await collector.listen(startOtlpReceiver);
  const base = `http://127.0.0.1:${(otlp as AddressInfo).port}`;

  // The inference server: neuron-monitor (stand-in) reports cores 0 and 1 at 80 % and 40 % on inf2.xlarge i-e2e.
  const report = neuronReport({ utilization: { '0': 80, '1': 40 }, completed: 3 });
  report.instance_info = { ...(report.instance_info as object), instance_id: 'i-e2e', instance_type: 'inf2.xlarge' };
  current = scenario([{ lines: [report] }]);
  const configFile = join(current.dir, 'monitor.conf');
  writeFileSync(configFile, '{}');
  const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }), exportIntervalMillis: 60_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const accelerators = startAcceleratorMetrics({
    ...acceleratorConfigFromEnv({
      TOKENLEDGER_ACCELERATORS: 'neuron',
      TOKENLEDGER_NEURON_MONITOR_PATH: join(FIXTURES, 'neuron-monitor'),
      TOKENLEDGER_NEURON_MONITOR_CONFIG: configFile,
    })!,
    meterProvider,
  });
  cleanup.push(async () => {
    await accelerators.stop();
    await meterProvider.shutdown();
  });
  await eventually(() => expect(accelerators.snapshot()).toBeDefined());

  // A self-hosted model span of 1000 + 500 tokens; the snapshot processor names its instance.
  const tracerProvider = new TracerProvider({
    spanProcessors: [new AcceleratorSnapshotSpanProcessor(accelerators), new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${base}/v1/traces` }) })],
  });
  cleanup.push(() => tracerProvider.shutdown());
  tracerProvider.getTracer('server').startSpan('chat llama', { attributes: {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.OPERATION_CHAT,
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: 'vllm',
    [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'llama-3.3-70b',
    [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
    [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 500,
    [sc.ATTR_PRICE_TIER]: 'self_hosted',
  } }).end();
  await tracerProvider.forceFlush();
  await meterProvider.forceFlush();

  collector.component(CapacityLedger)!.settle(Date.now() + HOUR_MS);
  const who = { [sc.LABEL_INSTANCE_ID]: 'i-e2e', [sc.LABEL_INSTANCE_TYPE]: 'inf2.xlarge' };
  // One hour of inf2.xlarge: $0.7582. Utilisation: mean of the two cores' ratios, (0.8 + 0.4) / 2 = 0.6.
  expect(family(collector, sc.METRIC_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(INF2_XLARGE_HOURLY, 12);
  expect(family(collector, sc.METRIC_CAPACITY_UTILIZATION_RATIO, who)).toBeCloseTo(0.6, 12);
  // Attributed: 0.6 × $0.7582 = $0.45492, all to the one request; idle: $0.30328.
  expect(family(collector, sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL, { ...who, [sc.LABEL_MODEL]: 'llama-3.3-70b' })).toBeCloseTo(0.45492, 12);
  expect(family(collector, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL, who)).toBeCloseTo(0.30328, 12);
  // On Bedrock: 1500 tokens × $7.2e-7 = $0.00108.
  expect(family(collector, sc.METRIC_CAPACITY_BEDROCK_EQUIVALENT_USD_TOTAL, { ...who, [sc.LABEL_MODEL]: LLAMA_BEDROCK })).toBeCloseTo(0.00108, 12);
});
