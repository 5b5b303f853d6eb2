// OpenAI calls made under other instrumentations (no TokenLedger instrumentation in the app): the upstream
// @opentelemetry/instrumentation-openai, OpenLLMetry's and OpenLIT's, each app a child process exporting over
// OTLP. The endpoint answers 1,200 prompt tokens of which 600 were read from the prompt cache and 200 written
// to it, and 80 output tokens; the expected cost of each case is what its span's data allows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceRollup } from '../../collector/src/rollup/types.ts';
import { EMBEDDING, MINI, OPENAI_CASES } from './apps/openai-cases.ts';
import { costOf, prices, startStack, type Stack } from './harness.ts';

const USAGE = { prompt: 1200, completion: 80, cached: 600, cacheWrite: 200 };
const mini = prices(MINI, 'openai');
const embedding = prices(EMBEDDING, 'openai');
/** The true cost: prompt tokens less the cached ones, cache reads and writes, output. */
const TRUE = costOf(mini, { uncached: USAGE.prompt - USAGE.cached - USAGE.cacheWrite, cacheRead: USAGE.cached, cacheWrite: USAGE.cacheWrite, output: USAGE.completion });
/** What a span with the prompt count (cache included) and no cache counts allows. */
const WITHOUT_CACHE = costOf(mini, { uncached: USAGE.prompt, output: USAGE.completion });
const EMBEDDED = USAGE.prompt * embedding.input;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  stack.openai.usage = USAGE;
});
afterAll(() => stack.close());

async function run(app: string) {
  await stack.app(app);
  const traces = stack.finalise();
  expect([...traces.keys()]).toEqual(expect.arrayContaining([...OPENAI_CASES]));
  return traces;
}

function expectCost(r: TraceRollup | undefined, usd: number, excludingCache?: string) {
  expect(r!.totalUsd).toBeCloseTo(usd, 15);
  expect(r!.unpriced).toEqual([]);
  expect(r!.excludingCache).toEqual(excludingCache ? [expect.objectContaining({ producer: excludingCache, usd: expect.closeTo(usd, 15) })] : []);
}

function expectUnknownUsage(r: TraceRollup | undefined, producer: string) {
  expect(r!.totalUsd).toBe(0);
  expect(r!.unpriced).toEqual([{ provider: 'openai', model: MINI, producer, count: 1, unknownUsage: 1 }]);
}

describe('upstream @opentelemetry/instrumentation-openai 0.22.0 (openai 6)', () => {
  it('prices chat and responses from the prompt count without the cached tokens it drops (marked), streams without usage as unknown', async () => {
    const traces = await run('upstream-openai.ts');
    expect(WITHOUT_CACHE).toBeGreaterThan(TRUE);
    expectCost(traces.get('chat'), WITHOUT_CACHE, 'otel-openai');
    expectCost(traces.get('chat-stream-usage'), WITHOUT_CACHE, 'otel-openai');
    expectCost(traces.get('responses'), WITHOUT_CACHE, 'otel-openai');
    // A stream the app did not ask usage for has none on its span: a call of unknown usage, never $0.
    expectUnknownUsage(traces.get('chat-stream'), 'otel-openai');
    expectCost(traces.get('embeddings'), EMBEDDED);
  });
});

describe('OpenLLMetry @traceloop/instrumentation-openai 0.27.0 (openai 6)', () => {
  it('prices chat and responses without the cached tokens it drops (marked); its streams carry no usage: unknown', async () => {
    const traces = await run('openllmetry-openai.ts');
    expectCost(traces.get('chat'), WITHOUT_CACHE, 'openllmetry-openai');
    expectCost(traces.get('responses'), WITHOUT_CACHE, 'openllmetry-openai');
    // It never reads a stream's usage, even when the app asked for it.
    expectUnknownUsage(traces.get('chat-stream'), 'openllmetry-openai');
    expectUnknownUsage(traces.get('chat-stream-usage'), 'openllmetry-openai');
    // It does not instrument embeddings.
    expect(traces.get('embeddings')!.calls).toEqual([]);
    expect(stack.metric('tokenledger_unknown_usage_calls_total', { producer: 'openllmetry-openai', model: MINI })).toBe(2);
  });
});

describe('OpenLIT 1.15.0 (openai 7)', () => {
  it('prices chat, streams with usage and responses exactly from its cache counts; its $0 cost (no price list) is no price', async () => {
    const traces = await run('openlit.ts');
    expectCost(traces.get('chat'), TRUE);
    expectCost(traces.get('chat-stream-usage'), TRUE);
    expectCost(traces.get('responses'), TRUE);
    expectCost(traces.get('embeddings'), EMBEDDED);
    // A stream without usage: OpenLIT counts the message texts with js-tiktoken; the span's counts are priced.
    const [span] = stack.spans.get('chat-stream')!.filter((s) => s.attributes['gen_ai.request.model'] === MINI);
    const estimated = { input: span!.attributes['gen_ai.usage.input_tokens'] as number, output: span!.attributes['gen_ai.usage.output_tokens'] as number };
    expect(estimated.input).not.toBe(USAGE.prompt);
    expectCost(traces.get('chat-stream'), costOf(mini, { uncached: estimated.input, output: estimated.output }));
    expect(stack.metric('tokenledger_foreign_cost_ignored_total', { producer: 'openlit', reason: 'zero' })).toBe(5);
  });

  it('takes its own cost as the price when it agrees with the catalog (its price list as the catalog has it)', async () => {
    // USD per 1,000 tokens; OpenAI cache writes at the input price, as the catalog (which has no price for them) charges.
    const pricing = { chat: { [MINI]: { promptPrice: mini.input * 1000, completionPrice: mini.output * 1000, cacheReadPrice: mini.cacheRead * 1000, cacheCreationPrice: mini.input * 1000 } } };
    const ignored = () => stack.metric('tokenledger_foreign_cost_ignored_total', { producer: 'openlit' });
    const before = ignored();
    await stack.app('openlit.ts', { OPENLIT_PRICING: JSON.stringify(pricing) });
    const traces = stack.finalise();
    const [span] = stack.spans.get('chat')!.filter((x) => x.attributes['gen_ai.request.model'] === MINI);
    expect(span!.attributes['gen_ai.usage.cost']).toBeCloseTo(TRUE, 15);
    expectCost(traces.get('chat'), TRUE);
    expectCost(traces.get('responses'), TRUE);
    // The chat calls' costs were taken; only embeddings (no embeddings price in that list: 0) were ignored.
    expect(ignored() - before).toBe(1);
  });
});
