// Spans of the upstream @opentelemetry/instrumentation-openai alone (no TokenLedger instrumentation) are
// priced by the collector. The upstream supports openai <7, so it runs on openai 6 (installed as openai-v6).
import { createRequire } from 'node:module';
import { OpenAIInstrumentation as UpstreamOpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { PriceBook } from '@tokenledger/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCost } from '../collector/src/rollup/call-cost.ts';
import type { SpanRecord } from '../collector/src/model/span-record.ts';
import { startOpenAIEndpoint, type OpenAIEndpoint } from '../packages/local-endpoints/src/openai.ts';
import { setUpTracing } from './support/otel.ts';

const telemetry = setUpTracing();
const upstream = new UpstreamOpenAIInstrumentation();
upstream.setTracerProvider(telemetry.provider);
const require = createRequire(import.meta.url);
// The module is installed under an alias, so require hooks do not see it: apply the upstream patch directly.
const openaiV6 = require('openai-v6');
for (const definition of upstream.getModuleDefinitions()) definition.patch?.(openaiV6, '6.30.1');

let endpoint: OpenAIEndpoint;
beforeAll(async () => {
  endpoint = await startOpenAIEndpoint({ usage: { prompt: 1000, completion: 200 }, responseModel: () => 'gpt-4o-mini-2024-07-18' });
});
afterAll(() => endpoint.close());

function record(span: ReadableSpan): SpanRecord {
  const attributes: SpanRecord['attributes'] = {};
  for (const [k, v] of Object.entries(span.attributes)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[k] = v;
  return {
    traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, parentSpanId: '', name: span.name,
    startMs: 0, endMs: 1, statusCode: 0, attributes,
  };
}

describe('upstream OpenAI instrumentation spans', () => {
  it('carry usage but no cost, and the collector prices them from the catalog', async () => {
    const client = new openaiV6.OpenAI({ apiKey: 'k', baseURL: endpoint.baseURL });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const [span] = telemetry.exporter.getFinishedSpans();
    expect(span!.instrumentationScope.name).toBe('@opentelemetry/instrumentation-openai');
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(1000);
    expect(span!.attributes['tokenledger.cost.usd']).toBeUndefined();
    const cost = callCost(record(span!), PriceBook.fromCatalog());
    // gpt-4o-mini: 0.15 in, 0.60 out USD per 1M tokens.
    expect(cost?.priced).toBe(true);
    expect(cost?.provider).toBe('openai');
    expect(cost?.model).toBe('gpt-4o-mini-2024-07-18');
    expect(cost?.totalUsd).toBeCloseTo(1000 * 0.15e-6 + 200 * 0.6e-6, 12);
  });
});
