// The real OTLP exporters (protobuf and JSON) → receiver → store → roll-up → /metrics and the API.
import { trace, context, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../src/collector.ts';
import { startOtlpReceiver } from '../src/receiver/index.ts';
import { FakeClock, seriesValue, testConfig } from './helpers.ts';

const clock = new FakeClock();
let collector: Collector;
let otlp: string;
let http: string;

beforeAll(async () => {
  collector = new Collector({ config: testConfig({ TOKENLEDGER_TRACE_IDLE_MS: '1000' }), clock });
  const addresses = await collector.listen(startOtlpReceiver);
  const a = addresses.otlp!;
  otlp = typeof a === 'string' ? a : `http://127.0.0.1:${a.port}`;
  http = `http://127.0.0.1:${addresses.http.port}`;
});
afterAll(() => collector.close());

/** One workflow run: a root with an outcome, a Bedrock call (0.001188 USD) and, on failure, a retry (0.00012). */
async function runWorkflow(provider: TracerProvider, tenant: string, ok: boolean): Promise<void> {
  const tracer = provider.getTracer('e2e');
  const rootSpan = tracer.startSpan('answer ticket', { attributes: { 'tokenledger.tenant': tenant, 'tokenledger.feature': 'support', 'tokenledger.workflow': 'answer', 'tokenledger.outcome': 'ticket_resolved' } });
  const ctx = trace.setSpan(context.active(), rootSpan);
  const model = { 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': 'anthropic.claude-3-5-haiku-20241022-v1:0', 'tokenledger.route': 'rag', 'tokenledger.cost.source': 'catalog:2026-11-22' };
  tracer.startSpan('chat', { attributes: { ...model, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 600,
    'gen_ai.usage.cache_creation.input_tokens': 100, 'gen_ai.usage.output_tokens': 200 } }, ctx).end();
  if (!ok) {
    tracer.startSpan('chat', { attributes: { ...model, 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10, 'tokenledger.retry.attempt': 1 } }, ctx).end();
    rootSpan.setStatus({ code: SpanStatusCode.ERROR });
  }
  rootSpan.end();
}

describe('real OTLP exporters', () => {
  it.each([
    ['protobuf', (url: string) => new ProtoExporter({ url })],
    ['JSON', (url: string) => new JsonExporter({ url })],
  ])('rolls up traces sent as %s', async (encoding, makeExporter) => {
    const tenant = `tenant-${encoding}`;
    const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: makeExporter(`${otlp}/v1/traces`) })] });
    for (let i = 0; i < 20; i++) await runWorkflow(provider, tenant, i % 4 !== 0);
    await provider.forceFlush(); // resolved: the collector acknowledged, so the spans are durable
    await provider.shutdown();
    clock.advance(1000);
    collector.finaliser.drain();

    expect(seriesValue(collector, 'tokenledger_outcomes_total', { tenant, success: 'true' })).toBe(15);
    expect(seriesValue(collector, 'tokenledger_outcomes_total', { tenant, success: 'false' })).toBe(5);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { tenant })).toBeCloseTo(20 * 0.001188 + 5 * 0.00012, 12);
    expect(seriesValue(collector, 'tokenledger_retry_cost_usd_total', { tenant })).toBeCloseTo(5 * 0.00012, 12);

    const res = await fetch(`${http}/api/v1/outcomes?group_by=tenant`);
    const row = ((await res.json()) as { rows: { group: { tenant: string }; successes: number; costPerSuccessUsd: number }[] }).rows.find((r) => r.group.tenant === tenant)!;
    expect(row.successes).toBe(15);
    expect(row.costPerSuccessUsd).toBeCloseTo((20 * 0.001188 + 5 * 0.00012) / 15, 12);
  });
});
