import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type OpenAIType from 'openai';
import { startOpenAIEndpoint, type OpenAIEndpoint } from '../../local-endpoints/src/openai.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { estimateTokens } from '@tokenledger/pricing';
import { openAIError } from '../../local-endpoints/src/openai.ts';
import { createOpenAIInstrumentations, OpenAIInstrumentation } from '../src/index.ts';

const telemetry = setUpTracing();
let vllm: OpenAIEndpoint;
let openai: OpenAIEndpoint;
let OpenAI: typeof OpenAIType;

beforeAll(async () => {
  vllm = await startOpenAIEndpoint({ usage: { prompt: 300, completion: 40 } });
  openai = await startOpenAIEndpoint();
  process.env.TOKENLEDGER_SELF_HOSTED_ENDPOINTS = JSON.stringify([
    { url: vllm.baseURL, provider: 'vllm', route: 'summaries', instanceType: 'inf2.xlarge', concurrency: 4 },
  ]);
  registerInstrumentations({ instrumentations: createOpenAIInstrumentations() });
  ({ OpenAI } = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAIType });
});
afterAll(async () => {
  delete process.env.TOKENLEDGER_SELF_HOSTED_ENDPOINTS;
  await vllm.close();
  await openai.close();
});

describe('OpenAI-compatible self-hosted servers', () => {
  it('takes provider, route and instance type from configuration and prices the call by instance time', async () => {
    const client = new OpenAI({ apiKey: 'none', baseURL: vllm.baseURL });
    await client.chat.completions.create({ model: 'meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'Summarise.' }] });
    const [span] = telemetry.exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'vllm',
      'gen_ai.request.model': 'meta-llama/Llama-3.1-8B-Instruct',
      'gen_ai.usage.input_tokens': 300,
      'gen_ai.usage.output_tokens': 40,
      'tokenledger.route': 'summaries',
      'tokenledger.instance.type': 'inf2.xlarge',
      'tokenledger.price.tier': 'self_hosted',
    });
    expect(String(span!.attributes['tokenledger.cost.source'])).toMatch(/^catalog:/);
    // inf2.xlarge at 0.7582 USD/h shared by 4 concurrent calls: cost × 3600 × 4 / 0.7582 is the call's duration.
    const seconds = span!.duration[0] + span!.duration[1] / 1e9;
    const charged = (Number(span!.attributes['tokenledger.cost.usd']) * 3600 * 4) / 0.7582;
    expect(charged).toBeGreaterThan(0);
    expect(charged).toBeCloseTo(seconds, 2);
    telemetry.exporter.reset();
  });

  it('records the same for plain fetch calls, and an openai-client call is recorded once', async () => {
    telemetry.exporter.reset();
    const res = await fetch(`${vllm.baseURL}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect((await res.json()).usage.prompt_tokens).toBe(300);
    const [span] = telemetry.exporter.getFinishedSpans();
    expect(span!.name).toBe('chat qwen2.5-7b');
    expect(span!.instrumentationScope.name).toBe('@tokenledger/instrumentation-openai/fetch');
    expect(span!.attributes).toMatchObject({
      'gen_ai.provider.name': 'vllm', 'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.output_tokens': 40,
      'tokenledger.route': 'summaries', 'tokenledger.price.tier': 'self_hosted',
    });
    expect(Number(span!.attributes['tokenledger.cost.usd'])).toBeGreaterThan(0);

    telemetry.exporter.reset();
    await new OpenAI({ apiKey: 'none', baseURL: vllm.baseURL }).chat.completions.create({ model: 'qwen2.5-7b', messages: [{ role: 'user', content: 'Hi' }] });
    expect(telemetry.exporter.getFinishedSpans().map((s) => s.instrumentationScope.name)).toEqual(['@tokenledger/instrumentation-openai']);
    telemetry.exporter.reset();
  });

  it('estimates a fetched stream that reports no usage, and marks it', async () => {
    const messages = [{ role: 'user', content: 'Tell me a story.' }];
    const res = await fetch(`${vllm.baseURL}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'qwen2.5-7b', messages, stream: true }),
    });
    const text = await res.text();
    expect(text).toContain('data: [DONE]');
    const [span] = telemetry.exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': estimateTokens('Tell me a story.'),
      'gen_ai.usage.output_tokens': estimateTokens('Hello from the local endpoint.'),
      'tokenledger.usage.estimated': true,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(span!.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    telemetry.exporter.reset();
  });

  it('marks a fetched call the server refused', async () => {
    vllm.failNext(openAIError(503, 'server_error', 'overloaded'));
    const res = await fetch(`${vllm.baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5-7b', messages: [] }) });
    expect(res.status).toBe(503);
    await res.text();
    const [span] = telemetry.exporter.getFinishedSpans();
    expect(span!.status.code).toBe(2);
    expect(span!.attributes['error.type']).toBe('503');
    telemetry.exporter.reset();
  });

  it('leaves other base URLs to OpenAI prices', async () => {
    await new OpenAI({ apiKey: 'k', baseURL: openai.baseURL }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    const [span] = telemetry.exporter.getFinishedSpans();
    expect(span!.attributes['gen_ai.provider.name']).toBe('openai');
    expect(span!.attributes['tokenledger.price.tier']).toBe('on_demand');
    expect(span!.attributes['tokenledger.route']).toBeUndefined();
  });

  it.each([
    ['not json', /TOKENLEDGER_SELF_HOSTED_ENDPOINTS is not valid JSON/],
    ['{"url":"x"}', /must be a JSON array/],
    ['[{"provider":"vllm"}]', /TOKENLEDGER_SELF_HOSTED_ENDPOINTS\[0\]\.url/],
    ['[{"url":"http://a","provider":"vllm","concurrency":0}]', /\[0\]\.concurrency must be a positive number/],
    ['[{"url":"http://a","provider":"vllm","instanceType":"x9.huge"}]', /x9\.huge has no catalog price: add hourlyUsd/],
  ])('fails at start on a bad variable: %s', (value, message) => {
    const saved = process.env.TOKENLEDGER_SELF_HOSTED_ENDPOINTS;
    process.env.TOKENLEDGER_SELF_HOSTED_ENDPOINTS = value;
    try {
      expect(() => new OpenAIInstrumentation({ enabled: false })).toThrow(message);
    } finally {
      process.env.TOKENLEDGER_SELF_HOSTED_ENDPOINTS = saved;
    }
  });
});
