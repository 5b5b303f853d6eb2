import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type OpenAIType from 'openai';
import { openAIError, startOpenAIEndpoint, type OpenAIEndpoint } from '../../local-endpoints/src/openai.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { createOpenAIInstrumentations } from '../src/index.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: createOpenAIInstrumentations() });
// Loaded after registration, as under the preload.
const { OpenAI } = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAIType };

let endpoint: OpenAIEndpoint;
let client: OpenAIType;

beforeAll(async () => {
  endpoint = await startOpenAIEndpoint({ responseModel: (m) => (m === 'gpt-4o-mini' ? 'gpt-4o-mini-2024-07-18' : m) });
  client = new OpenAI({ apiKey: 'test-key', baseURL: endpoint.baseURL, maxRetries: 2 });
});
afterAll(() => endpoint.close());
beforeEach(() => {
  telemetry.exporter.reset();
  endpoint.requests.length = 0;
  endpoint.usage = { prompt: 1000, completion: 200, cached: 400, reasoning: 50 };
});

function onlySpan(): ReadableSpan {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

/** The prompt breakdown on a span. */
function breakdown(span: ReadableSpan): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['system', 'history', 'context', 'user', 'tools']) {
    const v = span.attributes[`tokenledger.prompt.tokens.${k}`];
    if (v !== undefined) out[k] = v as number;
  }
  return out;
}

/** The documented rule: each part its share of the characters (floored), the remainder to the largest part. */
function apportion(input: number, chars: Record<string, number>): Record<string, number> {
  const total = Object.values(chars).reduce((t, n) => t + n, 0);
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(chars)) if (n > 0) out[k] = Math.floor((input * n) / total);
  const largest = Object.entries(chars).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  out[largest]! += input - Object.values(out).reduce((t, n) => t + n, 0);
  return out;
}

// gpt-4o-mini: input 0.15, cached input 0.075, output 0.60 USD per 1M tokens.
const MINI_COST = 600 * 0.15e-6 + 400 * 0.075e-6 + 200 * 0.6e-6;
const messages = [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Say hello.' }];

describe('chat completions', () => {
  it('records usage with cached and reasoning tokens, the response model and the cost', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_completion_tokens: 300, temperature: 0.2 });
    expect(res.choices[0]!.message.content).toBe('Hello from the local endpoint.');
    const span = onlySpan();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.request.max_tokens': 300,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.cache_read.input_tokens': 400,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.reasoning.output_tokens': 50,
      'tokenledger.price.tier': 'on_demand',
      'server.address': '127.0.0.1',
    });
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(MINI_COST, 12);
    expect(span.attributes['tokenledger.cost.cache_read_usd']).toBeCloseTo(400 * 0.075e-6, 12);
    expect(span.attributes['tokenledger.request.hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(span.attributes['gen_ai.input.messages']).toBeUndefined(); // content is opt-in
  });

  it('records prompt and completion only when content capture is opted in', async () => {
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    try {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    } finally {
      delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    }
    const span = onlySpan();
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual(messages);
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))[0].content).toBe('Hello from the local endpoint.');
  });

  it('gives the same request the same hash and a different request another', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Other' }] });
    const hashes = telemetry.exporter.getFinishedSpans().map((s) => s.attributes['tokenledger.request.hash']);
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[2]).not.toBe(hashes[0]);
  });

  it('records the GenAI metrics', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const tokens = await telemetry.histogram('gen_ai.client.token.usage');
    const input = tokens.find((p) => p.attributes['gen_ai.token.type'] === 'input' && p.attributes['gen_ai.provider.name'] === 'openai');
    expect(input?.sum).toBeGreaterThanOrEqual(1000);
    const durations = await telemetry.histogram('gen_ai.client.operation.duration');
    expect(durations.some((p) => p.attributes['gen_ai.request.model'] === 'gpt-4o-mini' && p.count > 0)).toBe(true);
  });

  it('asks for stream usage, hides the extra usage chunk from the app, and prices the stream', async () => {
    const params = { model: 'gpt-4o-mini', messages, stream: true as const };
    const stream = await client.chat.completions.create(params);
    const seen: any[] = [];
    for await (const chunk of stream) seen.push(chunk);
    // The server was asked for usage; the caller's object was not changed.
    expect(endpoint.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    expect(params).not.toHaveProperty('stream_options');
    // The app sees exactly what it would have seen without the option.
    expect(seen.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
    expect(seen.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('Hello from the local endpoint.');
    const span = onlySpan();
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(1000);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(200);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(MINI_COST, 12);
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    const ttft = await telemetry.histogram('gen_ai.client.operation.time_to_first_chunk');
    expect(ttft.reduce((n, p) => n + p.count, 0)).toBeGreaterThan(0);
  });

  it('works through the chat.completions.stream() helper', async () => {
    const final = await client.chat.completions.stream({ model: 'gpt-4o-mini', messages }).finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Hello from the local endpoint.');
    const span = onlySpan();
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(200);
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(MINI_COST, 12);
  });

  it('leaves the usage chunk to an app that asked for it', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const seen: any[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(seen.at(-1).usage.prompt_tokens).toBe(1000);
    expect(onlySpan().attributes['gen_ai.usage.output_tokens']).toBe(200);
  });

  it('ends the span of a stream the app abandons, with what was known', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let chunks = 0;
    for await (const _ of stream) {
      if (++chunks === 2) break;
    }
    const span = onlySpan();
    expect(span.ended).toBe(true);
    expect(span.status.code).toBe(0);
    expect(span.attributes['gen_ai.response.model']).toBe('gpt-4o-mini-2024-07-18');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined(); // usage comes last; never invented
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('records an API error on the span and rethrows it unchanged', async () => {
    endpoint.failNext(openAIError(400, 'invalid_request_error', 'bad model'));
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const span = onlySpan();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('400');
    expect(span.attributes['tokenledger.cost.usd']).toBeUndefined();
  });

  it('covers SDK retries in one span: a 429 then success', async () => {
    const limited = openAIError(429, 'rate_limit_exceeded', 'slow down');
    endpoint.failNext({ ...limited, headers: { 'retry-after-ms': '1' } });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(endpoint.requests).toHaveLength(2);
    const span = onlySpan();
    expect(span.status.code).toBe(0);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(1000);
    // The client's own retry: two attempts inside this one call.
    expect(span.attributes['tokenledger.transport.attempts']).toBe(2);
  });

  it('records the tokens written to the prompt cache (inside the prompt count)', async () => {
    endpoint.usage = { prompt: 1000, completion: 200, cached: 400, cacheWrite: 100 };
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(onlySpan().attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 400, 'gen_ai.usage.cache_creation.input_tokens': 100 });
  });

  it('records one transport attempt for a call the client sent once, streamed or not', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(onlySpan().attributes['tokenledger.transport.attempts']).toBe(1);
    telemetry.exporter.reset();
    const limited = openAIError(429, 'rate_limit_exceeded', 'slow down');
    endpoint.failNext({ ...limited, headers: { 'retry-after-ms': '1' } }, { ...limited, headers: { 'retry-after-ms': '1' } });
    for await (const _ of await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }));
    expect(onlySpan().attributes['tokenledger.transport.attempts']).toBe(3);
  });

  it('says where the input tokens come from: system, history, context (tool results), user, tools', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    const conversation = [
      { role: 'system' as const, content: 'Be brief.' }, // system: 9 characters
      { role: 'user' as const, content: 'Where is it?' }, // history: 12
      { role: 'assistant' as const, content: 'Checking.' }, // history: 9
      { role: 'user' as const, content: 'Order 42' }, // the last user turn: 8
      { role: 'tool' as const, tool_call_id: 'c1', content: 'Shipped on Monday.' }, // context: 18
    ];
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: conversation, tools });
    expect(breakdown(onlySpan())).toEqual(apportion(1000, { system: 9, history: 21, context: 18, user: 8, tools: JSON.stringify(tools).length }));
  });
});

describe('responses', () => {
  it('records usage of a response with cached and reasoning tokens', async () => {
    endpoint.usage = { prompt: 2000, completion: 500, cached: 1000, reasoning: 300 };
    const res = await client.responses.create({ model: 'o4-mini', input: 'Think, then answer.' });
    expect(res.output_text).toBe('Hello from the local endpoint.');
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 2000,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 500,
      'gen_ai.usage.reasoning.output_tokens': 300,
      'gen_ai.response.finish_reasons': ['completed'],
    });
    // o4-mini: input 1.10, cached 0.275, output 4.40 USD per 1M; reasoning is billed as output.
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(1000 * 1.1e-6 + 1000 * 0.275e-6 + 500 * 4.4e-6, 12);
    // instructions: none; the input string is the user's.
    expect(span.attributes['tokenledger.prompt.tokens.user']).toBe(2000);
    expect(span.attributes['tokenledger.transport.attempts']).toBe(1);
  });

  it('says where the input tokens of a response come from: instructions, earlier turns, function results, the user', async () => {
    endpoint.usage = { prompt: 300, completion: 10 };
    await client.responses.create({
      model: 'gpt-4o-mini',
      instructions: 'Answer as a support agent.', // system: 26
      input: [
        { role: 'user', content: 'Where is order 42?' }, // the last user turn: 18
        { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'Shipped.' }, // context: 8
      ],
    });
    const history = JSON.stringify({ type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{}' }).length;
    expect(breakdown(onlySpan())).toEqual(apportion(300, { system: 26, history, context: 8, user: 18, tools: 0 }));
  });

  it('takes the usage of a streamed response from response.completed', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');
    expect(endpoint.requests[0]!.body.stream_options).toBeUndefined(); // not a chat-completions option
    const span = onlySpan();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(1000);
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(MINI_COST, 12);
  });
});

describe('embeddings', () => {
  it('prices the provider-reported input tokens', async () => {
    endpoint.usage = { prompt: 5000, completion: 0 };
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(res.data).toHaveLength(2);
    const span = onlySpan();
    expect(span.name).toBe('embeddings text-embedding-3-small');
    expect(span.attributes['gen_ai.operation.name']).toBe('embeddings');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(5000);
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(5000 * 0.02e-6, 12);
  });
});
