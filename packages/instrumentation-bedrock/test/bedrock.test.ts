// The real @aws-sdk/client-bedrock-runtime against a local endpoint in Bedrock's wire format (HTTP/2,
// JSON and binary AWS event streams), instrumented in-process with the OpenTelemetry SDK.
import { createRequire } from 'node:module';
import { SpanStatusCode } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { defaultPriceBook } from '@tokenledger/pricing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Bedrock from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEndpoint, type BedrockEndpoint } from '../../local-endpoints/src/bedrock.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createBedrockInstrumentations } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: createBedrockInstrumentations() });
// Loaded after the instrumentation is registered, as the preload does.
const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime') as typeof Bedrock;

let endpoint: BedrockEndpoint;
let client: Bedrock.BedrockRuntimeClient;
const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const SYSTEM = 'You are a support assistant. '.repeat(40); // 1160 chars → 290 cached tokens

beforeAll(async () => {
  endpoint = await startBedrockEndpoint();
  client = new sdk.BedrockRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
});
beforeEach(() => {
  telemetry.exporter.reset();
  endpoint.setFaults({});
});

function onlySpan(): ReadableSpan {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

const converse = (over: Partial<Bedrock.ConverseCommandInput> = {}) =>
  new sdk.ConverseCommand({
    modelId: HAIKU,
    system: [{ text: SYSTEM }, { cachePoint: { type: 'default' } }],
    messages: [
      { role: 'user', content: [{ text: 'My invoice is wrong.' }] },
      { role: 'assistant', content: [{ text: 'Which invoice?' }] },
      { role: 'user', content: [{ text: 'Context: [kb-102] Invoices are issued monthly.' }, { text: 'The one from March, please.' }] },
    ],
    inferenceConfig: { maxTokens: 200 },
    ...over,
  });

describe('Converse', () => {
  it('normalises input tokens to include the cache, prices each part once and breaks the prompt down', async () => {
    const res = await client.send(converse());
    const u = res.usage!;
    expect(u.cacheReadInputTokens).toBe(290); // the endpoint reads the cache for an even count
    const a = onlySpan().attributes;
    const input = u.inputTokens! + 290;
    expect(a['gen_ai.provider.name']).toBe('aws.bedrock');
    expect(a['gen_ai.usage.input_tokens']).toBe(input);
    expect(a['gen_ai.usage.output_tokens']).toBe(u.outputTokens);
    expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(290);
    expect(a['tokenledger.price.tier']).toBe('on_demand');
    expect(a['tokenledger.transport.attempts']).toBe(1);
    expect(a['tokenledger.provider.latency_ms']).toBe(res.metrics!.latencyMs);
    expect(a['tokenledger.request.hash']).toMatch(/^[0-9a-f]{16}$/);
    const expected = defaultPriceBook().cost(HAIKU, { inputTokens: input, outputTokens: u.outputTokens!, cacheReadInputTokens: 290, cacheCreationInputTokens: 0 });
    expect(expected.priced).toBe(true);
    expect(a['tokenledger.cost.usd']).toBeCloseTo(expected.totalUsd, 12);
    expect(a['tokenledger.cost.cache_read_usd']).toBeCloseTo(expected.cacheReadUsd, 12);
    const parts = ['system', 'history', 'context', 'user'].map((p) => a[`tokenledger.prompt.tokens.${p}`] as number);
    expect(parts.every((n) => n > 0)).toBe(true);
    expect(parts.reduce((x, y) => x + y, 0)).toBe(input);
    expect(parts[0]).toBeGreaterThan(parts[3]); // the long system prompt dominates
    expect(a['gen_ai.input.messages']).toBeUndefined(); // content is opt-in
  });

  it('counts SDK retries after throttling as transport attempts on one span', async () => {
    endpoint.setFaults({ throttleNext: 1 });
    await client.send(converse());
    const s = onlySpan();
    expect(s.attributes['tokenledger.transport.attempts']).toBe(2);
    expect(s.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('marks a 4xx with error status and error.type, and records the duration metric with it', async () => {
    endpoint.setFaults({ rejectModels: ['anthropic.claude-nope'] });
    await expect(client.send(converse({ modelId: 'anthropic.claude-nope' }))).rejects.toThrow(/invalid/);
    const s = onlySpan();
    expect(s.status.code).toBe(SpanStatusCode.ERROR);
    expect(s.attributes['error.type']).toBe('ValidationException');
    expect(s.attributes['tokenledger.cost.usd']).toBeUndefined();
    const points = await telemetry.histogram('gen_ai.client.operation.duration');
    expect(points.some((p) => p.attributes['error.type'] === 'ValidationException')).toBe(true);
  });

  it('records the GenAI token metrics with the normalised input count', async () => {
    const before = (await telemetry.histogram('gen_ai.client.token.usage')).filter((p) => p.attributes['gen_ai.token.type'] === 'input').reduce((n, p) => n + p.sum, 0);
    await client.send(converse());
    const a = onlySpan().attributes;
    const after = (await telemetry.histogram('gen_ai.client.token.usage')).filter((p) => p.attributes['gen_ai.token.type'] === 'input').reduce((n, p) => n + p.sum, 0);
    expect(after - before).toBe(a['gen_ai.usage.input_tokens']);
  });
});

describe('ConverseStream', () => {
  it('records time to first chunk and the usage of the metadata event', async () => {
    const res = await client.send(new sdk.ConverseStreamCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'Hello there' }] }] }));
    let text = '';
    let usage: Bedrock.TokenUsage | undefined;
    for await (const e of res.stream!) {
      text += e.contentBlockDelta?.delta?.text ?? '';
      usage = e.metadata?.usage ?? usage;
    }
    expect(text).toContain('knowledge base');
    const a = onlySpan().attributes;
    expect(a['gen_ai.usage.input_tokens']).toBe(usage!.inputTokens);
    expect(a['gen_ai.usage.output_tokens']).toBe(usage!.outputTokens);
    expect(a['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(a['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
    expect(a['tokenledger.cost.usd']).toBeGreaterThan(0);
    expect((await telemetry.histogram('gen_ai.client.operation.time_to_first_chunk')).length).toBeGreaterThan(0);
  });

  it('ends the span of a stream the app abandons, with what was known (estimated)', async () => {
    endpoint.setFaults({ streamDelayMs: 5 });
    const res = await client.send(new sdk.ConverseStreamCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'Tell me a long story' }] }] }));
    for await (const e of res.stream!) if (e.contentBlockDelta) break;
    const a = onlySpan().attributes;
    expect(a['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(a['tokenledger.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });
});

describe('InvokeModel', () => {
  const families: [string, unknown, boolean][] = [
    ['anthropic.claude-3-5-haiku-20241022-v1:0', { anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] }, false],
    ['amazon.nova-micro-v1:0', { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }, false],
    ['amazon.titan-text-express-v1', { inputText: 'Hi' }, false],
    ['amazon.titan-embed-text-v2:0', { inputText: 'Hi there' }, false],
    ['meta.llama3-3-70b-instruct-v1:0', { prompt: 'Hi' }, false],
    ['cohere.command-r-v1:0', { message: 'Hi' }, true],
    ['mistral.mistral-7b-instruct-v0:2', { prompt: '<s>[INST] Hi [/INST]' }, true],
  ];
  for (const [modelId, body, estimated] of families) {
    it(`reads usage of ${modelId.split('.')[1]!.split('-').slice(0, 2).join('-')} bodies${estimated ? ' (estimated: the family reports none)' : ''}`, async () => {
      const res = await client.send(new sdk.InvokeModelCommand({ modelId, contentType: 'application/json', body: enc(body) }));
      const a = onlySpan().attributes;
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(a['tokenledger.usage.estimated']).toBe(estimated ? true : undefined);
      if (modelId.includes('embed')) expect(a['gen_ai.operation.name']).toBe('embeddings');
      else expect(a['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(a['tokenledger.provider.latency_ms']).toBeGreaterThan(0); // from the invocation-latency header
      const parsed = JSON.parse(new TextDecoder().decode(res.body));
      if (parsed.usage?.input_tokens !== undefined) expect(a['gen_ai.usage.input_tokens']).toBe(parsed.usage.input_tokens + (parsed.usage.cache_read_input_tokens ?? 0) + (parsed.usage.cache_creation_input_tokens ?? 0));
      if (modelId.startsWith('anthropic')) expect(a['tokenledger.prompt.tokens.system']).toBeGreaterThan(a['tokenledger.prompt.tokens.user'] as number);
    });
  }
});

describe('InvokeModelWithResponseStream', () => {
  for (const modelId of ['anthropic.claude-3-5-haiku-20241022-v1:0', 'meta.llama3-1-8b-instruct-v1:0', 'amazon.nova-pro-v1:0']) {
    it(`reads the invocation metrics of the last ${modelId.split('.')[1]!.split('-')[0]} chunk`, async () => {
      const res = await client.send(new sdk.InvokeModelWithResponseStreamCommand({ modelId, body: enc({ messages: [{ role: 'user', content: 'Hello' }] }) }));
      let last: any;
      for await (const e of res.body!) last = JSON.parse(new TextDecoder().decode(e.chunk!.bytes));
      const im = last['amazon-bedrock-invocationMetrics'];
      const a = onlySpan().attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(im.outputTokenCount);
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThanOrEqual(im.inputTokenCount);
      expect(a['tokenledger.provider.latency_ms']).toBe(im.invocationLatency);
      expect(a['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
      expect(a['tokenledger.cost.usd']).toBeGreaterThan(0);
    });
  }
});
