import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type OpenAIType from 'openai';
import { startOpenAIEndpoint, type OpenAIEndpoint } from '../../local-endpoints/src/openai.ts';
import { setUpTracing } from '../../retrieval/test/otel.ts';
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
