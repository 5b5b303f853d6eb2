// The producer table's rules that the producers' apps (test/producers) cannot show: bad numbers are counted
// and not used, versions outside the checked range and unknown scopes follow the GenAI conventions, a
// wrapper span is no call whatever the order its spans arrive in, and the scope travels with the span through
// both decoders. What real producers write is captured from their packages in test/producers.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeJson, encodeProtobuf } from '../../bench/otlp-bodies.ts';
import type { Collector } from '../src/collector.ts';
import { producerOf, readSpan } from '../src/producers/index.ts';
import { decodeTracesJson } from '../src/receiver/traces-json.ts';
import { generalTracesJson } from '../src/receiver/traces-json-general.ts';
import { parseTracesJson } from './otlp-json-reference.ts';
import { decodeTracesProtobuf } from '../src/receiver/traces-protobuf.ts';
import { root, seriesValue, span, testCollector, traceId } from './helpers.ts';

let collector: Collector | undefined;
afterEach(() => {
  collector?.db.close();
  collector = undefined;
});

const MINI = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.operation.name': 'chat' };

describe('consistency checks', () => {
  it('counts negative and non-numeric counts, input below its cache, and a cost without tokens, by producer; the bad numbers are not used', async () => {
    const t = testCollector();
    collector = t.collector;
    const A = traceId(0x51);
    await collector.sink.accept([
      root(A, { 'tokenledger.tenant': 'acme' }),
      // negative input: not used, so the call has output only: 10 × 6e-7
      span(A, { ...MINI, 'gen_ai.usage.input_tokens': -5, 'gen_ai.usage.output_tokens': 10 }),
      // non-numeric output: not used: 100 × 1.5e-7
      span(A, { ...MINI, 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 'many' }),
      // input (which includes the cache by the conventions) below its cache reads: counted, priced as 0 uncached + 50 read
      span(A, { ...MINI, 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.cache_read.input_tokens': 50 }),
      // a foreign cost without tokens: nothing to check it against; it is the price, and counted
      span(A, { ...MINI, 'gen_ai.usage.cost': 0.01 }),
      // a negative foreign cost: no price; the call has no usage either: unknown
      span(A, { ...MINI, 'gen_ai.usage.cost': -1 }),
    ]);
    t.clock.advance(5_000);
    collector.finaliser.tick();
    const checks = (check: string) => seriesValue(collector!, 'tokenledger_span_checks_failed_total', { producer: 'genai-semconv', check });
    expect([checks('negative_count'), checks('non_numeric_count'), checks('input_below_cache'), checks('cost_without_tokens'), checks('negative_cost')]).toEqual([1, 1, 1, 1, 1]);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total')).toBeCloseTo(10 * 6e-7 + 100 * 1.5e-7 + 50 * 7.5e-8 + 0.01, 15);
    expect(seriesValue(collector, 'tokenledger_unknown_usage_calls_total', { producer: 'genai-semconv' })).toBe(1);
  });

  it('takes a foreign cost of 0 as no price: priced from the catalog, or unpriced, and counted', async () => {
    const t = testCollector();
    collector = t.collector;
    const A = traceId(0x52);
    await collector.sink.accept([
      root(A, {}),
      span(A, { ...MINI, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 0, 'gen_ai.usage.cost': 0 }),
      span(A, { ...MINI, 'gen_ai.request.model': 'in-house-model', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cost': 0 }),
    ]);
    t.clock.advance(5_000);
    collector.finaliser.tick();
    expect(seriesValue(collector, 'tokenledger_cost_usd_total')).toBeCloseTo(1000 * 1.5e-7, 15);
    expect(seriesValue(collector, 'tokenledger_unpriced_calls_total', { model: 'in-house-model' })).toBe(1);
    expect(seriesValue(collector, 'tokenledger_foreign_cost_ignored_total', { reason: 'zero' })).toBe(2);
  });
});

describe('producer identification', () => {
  it('reads a known scope outside its checked versions, and an unknown one, by the GenAI conventions', () => {
    const upstream = { 'otel.scope.name': '@opentelemetry/instrumentation-aws-sdk', 'gen_ai.system': 'aws.bedrock', 'gen_ai.request.model': 'anthropic.claude-haiku-4-5-20251001-v1:0' };
    expect(producerOf({ ...upstream, 'otel.scope.version': '0.79.0' }).id).toBe('otel-aws-sdk');
    expect(producerOf({ ...upstream, 'otel.scope.version': '0.80.1' }).id).toBe('genai-semconv');
    expect(producerOf({ ...upstream }).id).toBe('genai-semconv');
    expect(producerOf({ 'otel.scope.name': 'my-company/llm-tracing' }).id).toBe('genai-semconv');
    // OpenLIT's scopes all say 1.0.0: its package version is on the span.
    expect(producerOf({ 'otel.scope.name': '@openlit/instrumentation-bedrock', 'otel.scope.version': '1.0.0', 'gen_ai.sdk.version': '1.15.0' }).id).toBe('openlit-bedrock');
    expect(producerOf({ 'otel.scope.name': '@openlit/instrumentation-bedrock', 'otel.scope.version': '1.0.0', 'gen_ai.sdk.version': '1.9.0' }).id).toBe('genai-semconv');
    // Ours, on the upstream aws-sdk span it extends: known by our request hash.
    expect(producerOf({ ...upstream, 'otel.scope.version': '0.79.0', 'tokenledger.request.hash': 'abc' }).id).toBe('tokenledger');
    // The input convention follows: the upstream's input excludes the cache, the conventions' includes it.
    const counts = { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 40 };
    expect(readSpan({ ...upstream, 'otel.scope.version': '0.79.0', ...counts }).input).toBe(140);
    expect(readSpan({ ...upstream, 'otel.scope.version': '0.80.0', ...counts }).input).toBe(100);
  });

  it('maps other spellings of a provider to the well-known name', () => {
    const read = (p: string) => readSpan({ 'gen_ai.system': p, 'gen_ai.request.model': 'm' }).provider;
    expect(['amazon-bedrock', 'amazon-bedrock.chat', 'bedrock', 'openai.chat', 'openai.responses', 'anthropic.messages', 'azure.ai.openai'].map(read))
      .toEqual(['aws.bedrock', 'aws.bedrock', 'aws.bedrock', 'openai', 'openai', 'anthropic', 'azure.ai.openai']);
  });
});

describe('wrapper spans', () => {
  // The AI SDK's `embeddings` operation span wraps one inner span per provider request (its shape, as
  // test/producers/ai-sdk.test.ts captures it): only the inner one is a call, whichever arrives first.
  for (const order of ['inner first', 'wrapper first']) {
    it(`counts the inner call once and the wrapper not at all (${order})`, async () => {
      const t = testCollector();
      collector = t.collector;
      const A = traceId(0x53);
      const attrs = { 'otel.scope.name': 'gen_ai', 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'text-embedding-3-small' };
      const wrapper = span(A, attrs, { spanId: 'aaaaaaaaaaaaaaaa' });
      const inner = span(A, { ...attrs, 'gen_ai.usage.input_tokens': 1000 }, { parentSpanId: 'aaaaaaaaaaaaaaaa' });
      await collector.sink.accept([root(A, {}), ...(order === 'inner first' ? [inner, wrapper] : [wrapper, inner])]);
      t.clock.advance(5_000);
      collector.finaliser.tick();
      expect(seriesValue(collector, 'tokenledger_cost_usd_total')).toBeCloseTo(1000 * 2e-8, 15);
      expect(seriesValue(collector, 'tokenledger_unpriced_calls_total')).toBe(0);
    });
  }
});

describe('instrumentation scope through the decoders', () => {
  const spans = [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'x', startMs: 1, endMs: 2, attributes: { 'gen_ai.usage.input_tokens': 5 } }];

  it('merges the scope under the span attributes (protobuf and JSON), a span keeping its own', () => {
    const fromProto = decodeTracesProtobuf(encodeProtobuf(spans, {})).spans[0]!.attributes;
    const fromJson = decodeTracesJson(encodeJson(spans, {})).spans[0]!.attributes;
    expect(fromProto).toEqual({ 'gen_ai.usage.input_tokens': 5, 'otel.scope.name': 'bench' });
    expect(fromJson).toEqual(fromProto);
    const own = [{ ...spans[0]!, attributes: { 'otel.scope.name': 'converted-from-zipkin' } }];
    expect(decodeTracesProtobuf(encodeProtobuf(own)).spans[0]!.attributes['otel.scope.name']).toBe('converted-from-zipkin');
    expect(decodeTracesProtobuf(encodeProtobuf(own, {}, { name: 'x', last: true })).spans[0]!.attributes['otel.scope.name']).toBe('converted-from-zipkin');
    expect(decodeTracesJson(encodeJson(own)).spans[0]!.attributes['otel.scope.name']).toBe('converted-from-zipkin');
  });

  it('gives spans written before their scope the scope too (protobuf, the JSON scan, the general JSON decoder and JSON.parse agree)', () => {
    const [p] = decodeTracesProtobuf(encodeProtobuf(spans, { 'tokenledger.tenant': 'acme' }, { name: 'late-scope', version: '1.2.3', last: true })).spans;
    expect(p!.attributes).toEqual({ 'gen_ai.usage.input_tokens': 5, 'otel.scope.name': 'late-scope', 'otel.scope.version': '1.2.3', 'tokenledger.tenant': 'acme' });
    const doc = JSON.parse(encodeJson(spans).toString());
    const ss = doc.resourceSpans[0].scopeSpans[0];
    doc.resourceSpans[0].scopeSpans[0] = { spans: ss.spans, scope: { name: 'late-scope', version: '1.2.3' } };
    doc.resourceSpans[0].resource = { attributes: [{ key: 'tokenledger.tenant', value: { stringValue: 'acme' } }, { key: 'tokenledger.route', value: { stringValue: 'x' } }] };
    const body = Buffer.from(JSON.stringify(doc));
    const [s] = decodeTracesJson(body).spans;
    // The resource's attribution is kept (its other tokenledger.* keys are not).
    expect(s!.attributes).toEqual(p!.attributes);
    expect(parseTracesJson(body).spans[0]!.attributes).toEqual(p!.attributes);
    expect(generalTracesJson(body).spans[0]!.attributes).toEqual(p!.attributes);
  });
});
