// Autoscaling and quota signals through the durable CloudWatch path: the real accelerator metrics (the
// neuron-monitor stand-in) and @tokenledger/node's in-flight counter exported with the OpenTelemetry SDK's OTLP
// exporter, serving-layer metrics as an OpenTelemetry Collector's prometheus receiver forwards them (OTLP/JSON),
// and spans — into the collector, out through the outbox to the local CloudWatch endpoint (real
// @aws-sdk/client-cloudwatch) and as EMF. Every figure is computed by hand.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { startAcceleratorMetrics } from '@tokenledger/accelerators';
import { type CloudWatchEndpoint, startCloudWatchEndpoint } from '@tokenledger/local-endpoints';
import * as sc from '@tokenledger/semconv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, scenario, type Scenario } from '../../packages/accelerators/test/harness.ts';
import { INSTANCE_ID, INSTANCE_TYPE, neuronReport } from '../../packages/accelerators/test/reports.ts';
import { InFlightSpanProcessor } from '../../packages/node/src/index.ts';
import { type RunningCollector, startCollector, until } from '../../test/stack-helpers.ts';
import { CloudWatchExporter } from '../src/cloudwatch/exporter.ts';
import { QuotaPressure } from '../src/quota/index.ts';
import { span, traceId } from './helpers.ts';

const NAMESPACE = 'TokenLedgerScaling';
const SONNET_4 = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
let cw: CloudWatchEndpoint;
let tl: RunningCollector;
let played: Scenario;
let emfFile: string;
const env: Record<string, string | undefined> = {};

beforeAll(async () => {
  for (const [k, v] of Object.entries({ AWS_ACCESS_KEY_ID: 'AKIDSCALING', AWS_SECRET_ACCESS_KEY: 'scaling-secret', AWS_EC2_METADATA_DISABLED: 'true' })) {
    env[k] = process.env[k];
    process.env[k] = v;
  }
  cw = await startCloudWatchEndpoint();
  emfFile = join(mkdtempSync(join(tmpdir(), 'tokenledger-emf-')), 'emf.log');
  tl = await startCollector({
    TOKENLEDGER_CLOUDWATCH_NAMESPACE: NAMESPACE, TOKENLEDGER_CLOUDWATCH_ENDPOINT: cw.origin, TOKENLEDGER_CLOUDWATCH_REGION: 'us-east-1',
    TOKENLEDGER_CLOUDWATCH_MAX_TPS: '500', TOKENLEDGER_EMF_OUTPUT: `file:${emfFile}`,
    TOKENLEDGER_QUOTAS: JSON.stringify([{ model: SONNET_4, region: 'us-east-1', tokens_per_minute: 20_000 }]),
  });
  const otlp = () => new OTLPMetricExporter({ url: `${tl.otlp}/v1/metrics` });

  // The accelerator agent on an inf1 in Auto Scaling group inf2-fleet: cores at 62.5% and 37.5%, mean 50%.
  played = scenario([{ lines: [neuronReport({ utilization: { '0': 62.5, '1': 37.5 }, completed: 20 })] }]);
  const agentMeters = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: otlp(), exportIntervalMillis: 3_600_000 })] });
  const agent = startAcceleratorMetrics({
    kind: 'neuron', executable: join(FIXTURES, 'neuron-monitor'), ec2Metadata: false,
    instance: { autoScalingGroup: 'inf2-fleet' }, meterProvider: agentMeters,
  });
  await until('a neuron-monitor report', async () => agent.snapshot() !== undefined);
  // One export (shutdown collects once): one sample.
  await agentMeters.shutdown();
  await agent.stop();

  // vLLM on the same instance, scraped by an OpenTelemetry Collector (prometheus receiver + resourcedetection
  // with the ASG tag): 3 + 4 requests waiting, 5 running, over two models.
  const now = `${Date.now()}000000`;
  const gauge = (name: string, points: [string, number][]) => ({
    name, gauge: { dataPoints: points.map(([model, v]) => ({ attributes: [{ key: 'model_name', value: { stringValue: model } }], asDouble: v, timeUnixNano: now })) },
  });
  const res = await fetch(`${tl.otlp}/v1/metrics`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceMetrics: [{
      resource: { attributes: [
        { key: sc.RESOURCE_HOST_ID, value: { stringValue: 'i-0vllm000000000001' } }, { key: sc.RESOURCE_HOST_TYPE, value: { stringValue: 'g5.xlarge' } },
        { key: sc.RESOURCE_EC2_TAG_AUTOSCALING_GROUP, value: { stringValue: 'g5-fleet' } },
      ] },
      scopeMetrics: [{ metrics: [gauge(sc.SERVING_VLLM_REQUESTS_WAITING, [['llama', 3], ['mistral', 4]]), gauge(sc.SERVING_VLLM_REQUESTS_RUNNING, [['llama', 5]])] }],
    }] }),
  });
  expect(res.status).toBe(200);

  // Two apps under @tokenledger/node: 2 and 1 requests in flight to the self-hosted llama at vllm.internal.
  for (const [app, open] of [['app-a', 2], ['app-b', 1]] as const) {
    const meters = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': app }), readers: [new PeriodicExportingMetricReader({ exporter: otlp(), exportIntervalMillis: 3_600_000 })] });
    const tracer = new TracerProvider({ spanProcessors: [new InFlightSpanProcessor(meters)] }).getTracer(app);
    for (let i = 0; i < open; i++) tracer.startSpan('chat llama', { attributes: { [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.OPERATION_CHAT, [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'llama', [sc.ATTR_SERVER_ADDRESS]: 'vllm.internal' } });
    tracer.startSpan('chat llama', { attributes: { [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.OPERATION_CHAT, [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'llama', [sc.ATTR_SERVER_ADDRESS]: 'vllm.internal' } }).end();
    await meters.shutdown();
  }

  // Spans: 1,200 tokens served on the inf1 (the agent's instance: its group is known from its metrics), and a
  // Bedrock call in us-east-1 retried once by the SDK: 1000 + 100 × 5 = 1,500 quota tokens.
  const ended = { startMs: Date.now() - 2_000, endMs: Date.now() - 1_000 };
  await tl.collector.sink.accept([
    span(traceId(1), {
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: 'self_hosted', [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'llama', [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000, [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 200,
      [sc.ATTR_PRICE_TIER]: 'self_hosted', [sc.ATTR_INSTANCE_ID]: INSTANCE_ID, [sc.ATTR_INSTANCE_TYPE]: INSTANCE_TYPE,
    }, ended),
    span(traceId(2), {
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: sc.PROVIDER_AWS_BEDROCK, [sc.ATTR_GEN_AI_REQUEST_MODEL]: SONNET_4, [sc.ATTR_CLOUD_REGION]: 'us-east-1',
      [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000, [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100, [sc.ATTR_TRANSPORT_ATTEMPTS]: 2,
    }, ended),
  ]);
  tl.collector.component(QuotaPressure)!.sample();
  await tl.collector.component(CloudWatchExporter)!.flush({ all: true });
}, 60_000);

afterAll(async () => {
  await tl?.close();
  await cw?.close();
  played?.cleanup();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** The values CloudWatch holds for a metric and exact dimension set, each repeated by its count. */
function values(metric: string, dims: Record<string, string>): number[] {
  const out: number[] = [];
  for (const d of cw.datums) {
    if (d.namespace !== NAMESPACE || d.metric !== metric || JSON.stringify(Object.entries(d.dimensions).sort()) !== JSON.stringify(Object.entries(dims).sort())) continue;
    d.values.forEach((v, i) => {
      for (let k = 0; k < (d.counts[i] ?? 1); k++) out.push(v);
    });
  }
  return out;
}

describe('autoscaling and quota signals in CloudWatch', () => {
  it('every request was valid (limits, units, dimensions)', () => {
    expect(cw.requests.length).toBeGreaterThan(0);
    expect(cw.requests.flatMap((r) => r.violations)).toEqual([]);
  });

  it('NeuronCore utilisation: the mean over cores, in percent, per instance and per Auto Scaling group', () => {
    expect(values(sc.CLOUDWATCH_METRIC_NEURONCORE_UTILIZATION, { InstanceId: INSTANCE_ID, InstanceType: INSTANCE_TYPE })).toEqual([50]);
    expect(values(sc.CLOUDWATCH_METRIC_NEURONCORE_UTILIZATION, { AutoScalingGroupName: 'inf2-fleet' })).toEqual([50]);
    expect(cw.datums.find((d) => d.metric === sc.CLOUDWATCH_METRIC_NEURONCORE_UTILIZATION)!.unit).toBe('Percent');
  });

  it('queue length and requests running from the serving layer, per instance and per group (from the resource\'s ASG tag)', () => {
    expect(values(sc.CLOUDWATCH_METRIC_QUEUE_LENGTH, { InstanceId: 'i-0vllm000000000001', InstanceType: 'g5.xlarge' })).toEqual([7]);
    expect(values(sc.CLOUDWATCH_METRIC_QUEUE_LENGTH, { AutoScalingGroupName: 'g5-fleet' })).toEqual([7]);
    expect(values(sc.CLOUDWATCH_METRIC_IN_FLIGHT_REQUESTS, { AutoScalingGroupName: 'g5-fleet' })).toEqual([5]);
  });

  it('model requests in flight across the apps: their counts summed per model and endpoint', () => {
    // Each app's export is a sample of the total so far: 2 after app-a, 2 + 1 after app-b.
    expect(values(sc.CLOUDWATCH_METRIC_IN_FLIGHT_REQUESTS, { Model: 'llama', Endpoint: 'vllm.internal' }).sort()).toEqual([2, 3]);
  });

  it('tokens per minute served, per instance and per group (summed per interval)', () => {
    expect(values(sc.CLOUDWATCH_METRIC_TOKENS_PER_MINUTE, { InstanceId: INSTANCE_ID, InstanceType: INSTANCE_TYPE })).toEqual([1200]);
    expect(values(sc.CLOUDWATCH_METRIC_TOKENS_PER_MINUTE, { AutoScalingGroupName: 'inf2-fleet' })).toEqual([1200]);
  });

  it('quota tokens, usage against the quota and throttles, by model and region', () => {
    const where = { Model: SONNET_4, Region: 'us-east-1' };
    expect(values(sc.CLOUDWATCH_METRIC_QUOTA_TOKENS, where)).toEqual([1500]);
    expect(values(sc.CLOUDWATCH_METRIC_QUOTA_USAGE, where)).toEqual([(100 * 1500) / 20_000]);
    expect(values(sc.CLOUDWATCH_METRIC_THROTTLES, where)).toEqual([1]);
  });

  it('the same signals as EMF events', () => {
    const events = readFileSync(emfFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const of = (metric: string, dims: Record<string, string>) =>
      events.filter((e) => metric in e && Object.entries(dims).every(([k, v]) => e[k] === v)).map((e) => e[metric]);
    expect(of(sc.CLOUDWATCH_METRIC_NEURONCORE_UTILIZATION, { AutoScalingGroupName: 'inf2-fleet' })).toEqual([50]);
    expect(of(sc.CLOUDWATCH_METRIC_QUOTA_TOKENS, { Model: SONNET_4 })).toEqual([1500]);
    const directive = (events.find((e) => sc.CLOUDWATCH_METRIC_NEURONCORE_UTILIZATION in e)!._aws as { CloudWatchMetrics: { Metrics: { Unit: string }[] }[] });
    expect(directive.CloudWatchMetrics[0]!.Metrics[0]!.Unit).toBe('Percent');
  });
});
