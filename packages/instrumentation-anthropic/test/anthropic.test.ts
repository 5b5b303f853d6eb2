import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type AnthropicType from '@anthropic-ai/sdk';
import { anthropicError, startAnthropicEndpoint, type AnthropicEndpoint } from '../../local-endpoints/src/anthropic.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createAnthropicInstrumentations } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: createAnthropicInstrumentations() });
// Loaded after registration, as under the preload.
const { Anthropic } = createRequire(import.meta.url)('@anthropic-ai/sdk') as { Anthropic: typeof AnthropicType };

let endpoint: AnthropicEndpoint;
let client: AnthropicType;

beforeAll(async () => {
  endpoint = await startAnthropicEndpoint();
  client = new Anthropic({ apiKey: 'test-key', baseURL: endpoint.baseURL, maxRetries: 2 });
});
afterAll(() => endpoint.close());
beforeEach(() => {
  telemetry.exporter.reset();
  endpoint.requests.length = 0;
  endpoint.usage = { input: 100, output: 300, cacheCreation: 2000, cacheRead: 5000 };
});

function onlySpan(): ReadableSpan {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

const MODEL = 'claude-sonnet-4-5-20250929';
const request = { model: MODEL, max_tokens: 512, messages: [{ role: 'user' as const, content: 'Hello' }] };
// claude-sonnet-4-5: input 3, cache write 3.75, cache read 0.30, output 15 USD per 1M tokens.
const COST = 100 * 3e-6 + 2000 * 3.75e-6 + 5000 * 0.3e-6 + 300 * 15e-6;

describe('messages', () => {
  it('records input including cache tokens, both cache counts, and the cost', async () => {
    const msg = await client.messages.create(request);
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Hello from Claude.' });
    const span = onlySpan();
    expect(span.name).toBe(`chat ${MODEL}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': MODEL,
      'gen_ai.response.model': MODEL,
      'gen_ai.request.max_tokens': 512,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 7100,
      'gen_ai.usage.cache_creation.input_tokens': 2000,
      'gen_ai.usage.cache_read.input_tokens': 5000,
      'gen_ai.usage.output_tokens': 300,
      'tokenledger.price.tier': 'on_demand',
    });
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(COST, 12);
    expect(span.attributes['tokenledger.cost.cache_write_usd']).toBeCloseTo(2000 * 3.75e-6, 12);
    expect(span.attributes['tokenledger.request.hash']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('records system, prompt and completion only when content capture is opted in', async () => {
    await client.messages.create({ ...request, system: 'Be brief.' });
    expect(onlySpan().attributes['gen_ai.input.messages']).toBeUndefined();
    telemetry.exporter.reset();
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    try {
      await client.messages.create({ ...request, system: 'Be brief.' });
    } finally {
      delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    }
    const span = onlySpan();
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual(request.messages);
    expect(span.attributes['gen_ai.system_instructions']).toBe('"Be brief."');
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))[0].content[0].text).toBe('Hello from Claude.');
  });

  it('takes input and cache usage from message_start and output from message_delta in a stream', async () => {
    const stream = await client.messages.create({ ...request, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    const span = onlySpan();
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(7100);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(300); // not message_start's placeholder 1
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(COST, 12);
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('works through the messages.stream() helper', async () => {
    const final = await client.messages.stream(request).finalMessage();
    expect(final.usage.output_tokens).toBe(300);
    const span = onlySpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(300);
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(COST, 12);
  });

  it('ends an abandoned stream with the input already billed and the output seen so far', async () => {
    const stream = await client.messages.create({ ...request, stream: true });
    for await (const event of stream) if (event.type === 'content_block_delta') break;
    const span = onlySpan();
    expect(span.status.code).toBe(0);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(7100);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(1);
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
  });

  it('records an overloaded error after the SDK retries, and rethrows it unchanged', async () => {
    const overloaded = { ...anthropicError(529, 'overloaded_error', 'Overloaded'), headers: { 'retry-after-ms': '1' } };
    endpoint.failNext(overloaded, overloaded, overloaded);
    const err = await client.messages.create(request).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(endpoint.requests).toHaveLength(3);
    const span = onlySpan();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('529');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    // maxRetries 2: three attempts inside this one call.
    expect(span.attributes['tokenledger.transport.attempts']).toBe(3);
  });

  it('records the attempts of a call that succeeded after a retry, and one for a call sent once', async () => {
    const overloaded = { ...anthropicError(529, 'overloaded_error', 'Overloaded'), headers: { 'retry-after-ms': '1' } };
    endpoint.failNext(overloaded);
    await client.messages.create(request);
    expect(onlySpan().attributes['tokenledger.transport.attempts']).toBe(2);
    telemetry.exporter.reset();
    await client.messages.create(request);
    expect(onlySpan().attributes['tokenledger.transport.attempts']).toBe(1);
  });

  it('says where the input tokens (cache included) come from: system, history, context, user, tools', async () => {
    const tools = [{ name: 'lookup', description: 'Find an order', input_schema: { type: 'object' as const, properties: {} } }];
    await client.messages.create({
      model: MODEL, max_tokens: 100, tools,
      system: 'You are a support agent.', // 24
      messages: [
        { role: 'user', content: 'Hi there' }, // history: 8
        { role: 'assistant', content: 'Hello!' }, // history: 6
        { role: 'user', content: [{ type: 'text', text: 'Policy: 30 days.' }, { type: 'text', text: 'Can I return it?' }] }, // context 16, user 16
      ],
    });
    const a = onlySpan().attributes;
    const input = 100 + 2000 + 5000;
    const chars = { system: 24, history: 14, context: 16, user: 16, tools: JSON.stringify(tools).length };
    const total = Object.values(chars).reduce((t, n) => t + n, 0);
    for (const k of ['system', 'history', 'context', 'user'] as const) {
      const expected = Math.floor((input * chars[k]) / total);
      expect(a[`tokenledger.prompt.tokens.${k}`]).toBe(expected);
    }
    expect(['system', 'history', 'context', 'user', 'tools'].reduce((t, k) => t + (a[`tokenledger.prompt.tokens.${k}`] as number), 0)).toBe(input);
  });

  it('ends the span and rethrows when the SDK refuses the call before sending it', async () => {
    // The SDK throws synchronously when a non-streaming call could take longer than 10 minutes.
    expect(() => client.messages.create({ ...request, max_tokens: 10_000_000 })).toThrow(/Streaming is required/);
    expect(endpoint.requests).toHaveLength(0);
    const span = onlySpan();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('AnthropicError');
  });

  it('prices the priority tier the service reports', async () => {
    const priority = await startAnthropicEndpoint({ serviceTier: 'priority', usage: { input: 10, output: 10 } });
    try {
      await new Anthropic({ apiKey: 'k', baseURL: priority.baseURL }).messages.create(request);
      const span = onlySpan();
      expect(span.attributes['tokenledger.price.tier']).toBe('priority');
    } finally {
      await priority.close();
    }
  });

  it('prices 1-hour cache writes (usage.cache_creation) at 2× input, the 5-minute rest at 1.25×', async () => {
    endpoint.usage = { input: 100, output: 300, cacheCreation: 2000, cacheCreation1h: 1500, cacheRead: 5000 };
    for (const stream of [false, true]) {
      telemetry.exporter.reset();
      const res = await client.messages.create({ ...request, stream });
      if (stream) for await (const _ of res as AsyncIterable<unknown>);
      const span = onlySpan();
      expect(span.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(2000);
      // 500 × $3.75/M + 1,500 × $6/M
      expect(span.attributes['tokenledger.cost.cache_write_usd']).toBeCloseTo(500 * 3.75e-6 + 1500 * 6e-6, 12);
      expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(100 * 3e-6 + 0.010875 + 5000 * 0.3e-6 + 300 * 15e-6, 12);
    }
  });

  it('prices a call above 200k input tokens at the long-context rates', async () => {
    endpoint.usage = { input: 150_000, output: 1000, cacheRead: 100_000 };
    await client.messages.create(request);
    const span = onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(250_000);
    // $6/M input, $0.60/M cache read, $22.50/M output: the whole call once input (cache included) is above 200k
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(150_000 * 6e-6 + 100_000 * 0.6e-6 + 1000 * 22.5e-6, 12);
  });
});
