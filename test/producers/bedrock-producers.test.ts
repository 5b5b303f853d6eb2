// Bedrock calls made under other instrumentations (no TokenLedger instrumentation in the app), priced by the
// collector from what their spans carry: the upstream aws-sdk instrumentation, OpenLLMetry's Bedrock
// instrumentation and OpenLIT, each app run as a child process exporting over OTLP (apps/*.ts). The endpoint
// answers every cached call with 10 tokens read from the cache and 11 written; the expected cost of each case
// is what the span's data allows, computed from the endpoint's answer and the catalog's prices.
import type { BedrockUsage } from '@tokenledger/local-endpoints';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceRollup } from '../../collector/src/rollup/types.ts';
import { BEDROCK_CASES, HAIKU, LLAMA } from './apps/bedrock-cases.ts';
import { costOf, prices, startStack, type Stack } from './harness.ts';

const haiku = prices(HAIKU, 'aws.bedrock');
const llama = prices(LLAMA, 'aws.bedrock');
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** Runs an app; its traces by case and the endpoint's answer to each case. */
async function run(app: string, env?: Record<string, string>) {
  const before = stack.bedrock.requests.length;
  await stack.app(app, env);
  const requests = stack.bedrock.requests.slice(before);
  expect(requests.map((r) => r.status)).toEqual(BEDROCK_CASES.map((c) => (c === 'refused' ? 400 : 200)));
  const usage = Object.fromEntries(BEDROCK_CASES.map((c, i) => [c, requests[i]!.usage])) as Record<(typeof BEDROCK_CASES)[number], BedrockUsage>;
  for (const c of ['converse', 'converse-stream', 'converse-profile', 'invoke-claude', 'invoke-stream-claude'] as const) {
    expect(usage[c]).toMatchObject({ cacheRead: 10, cacheWrite: 11 });
  }
  return { traces: stack.finalise(), usage };
}

/** The true cost of a cached Claude call: uncached input, cache reads and writes, output. */
const trueCost = (u: BedrockUsage) => costOf(haiku, { uncached: u.input, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, output: u.output });
/** What a span without cache counts allows: the cache-excluding input count at the input price. */
const withoutCache = (u: BedrockUsage, output = u.output) => costOf(haiku, { uncached: u.input, output });

function expectExact(r: TraceRollup | undefined, usd: number) {
  expect(r).toBeDefined();
  expect(r!.totalUsd).toBeCloseTo(usd, 15);
  expect(r!.excludingCache).toEqual([]);
  expect(r!.unpriced).toEqual([]);
}

function expectExcludingCache(r: TraceRollup | undefined, usd: number, producer: string) {
  expect(r!.totalUsd).toBeCloseTo(usd, 15);
  expect(r!.excludingCache).toEqual([expect.objectContaining({ producer, usd: expect.closeTo(usd, 15) })]);
  expect(r!.unpriced).toEqual([]);
}

function expectUnknownUsage(r: TraceRollup | undefined, producer: string, model: string) {
  expect(r!.totalUsd).toBe(0);
  expect(r!.unpriced).toEqual([{ provider: 'aws.bedrock', model, producer, count: 1, unknownUsage: 1 }]);
}

describe('upstream @opentelemetry/instrumentation-aws-sdk 0.79.0', () => {
  it('prices its spans from the cache-excluding counts it writes, marked as excluding cache effects', async () => {
    const { traces, usage } = await run('upstream-aws-sdk.ts');
    for (const c of ['converse', 'converse-stream', 'converse-profile', 'invoke-claude'] as const) {
      expectExcludingCache(traces.get(c), withoutCache(usage[c]), 'otel-aws-sdk');
      // The cache's reads and writes are on no span: the true cost is higher here.
      expect(trueCost(usage[c])).toBeGreaterThan(traces.get(c)!.totalUsd);
    }
    // Claude's InvokeModelWithResponseStream: its span has message_start's output count (1), not the final one.
    expectExcludingCache(traces.get('invoke-stream-claude'), withoutCache(usage['invoke-stream-claude'], 1), 'otel-aws-sdk');
    expectExact(traces.get('invoke-llama'), costOf(llama, { uncached: usage['invoke-llama'].input, output: usage['invoke-llama'].output }));
    // A refused call (400, error status, no usage) is not billed: $0, not an unknown.
    expectExact(traces.get('refused'), 0);
    // Attribution from the resource (tenant) and from baggage (workflow), without the preload.
    for (const r of traces.values()) expect(r.labels.tenant).toBe('acme');
    expect(stack.metric('tokenledger_cost_excluding_cache_usd_total', { producer: 'otel-aws-sdk' }))
      .toBeCloseTo(['converse', 'converse-stream', 'converse-profile', 'invoke-claude'].reduce((t, c) => t + withoutCache(usage[c as 'converse']), 0)
        + withoutCache(usage['invoke-stream-claude'], 1), 15);
  });
});

describe('OpenLLMetry @traceloop/instrumentation-bedrock 0.27.0', () => {
  it('counts its usage-less Converse spans as calls of unknown usage, prices the vendorless model ids, marks cache effects', async () => {
    const { traces, usage } = await run('openllmetry-bedrock.ts');
    // Converse and ConverseStream: the model and no usage. Never $0: unpriced, of unknown usage.
    for (const c of ['converse', 'converse-stream', 'converse-profile'] as const) expectUnknownUsage(traces.get(c), 'openllmetry-bedrock', 'claude-haiku-4-5-20251001-v1:0');
    expect(stack.metric('tokenledger_unknown_usage_calls_total', { producer: 'openllmetry-bedrock' })).toBe(3);
    expect(stack.metric('tokenledger_unpriced_calls_total', { model: 'claude-haiku-4-5-20251001-v1:0' })).toBe(3);
    // InvokeModel(+stream): `claude-haiku-4-5-20251001-v1:0`, without `anthropic.`, still priced as Haiku 4.5.
    expect(traces.get('invoke-claude')!.calls[0]!.model).toBe('claude-haiku-4-5-20251001-v1:0');
    expectExcludingCache(traces.get('invoke-claude'), withoutCache(usage['invoke-claude']), 'openllmetry-bedrock');
    expectExcludingCache(traces.get('invoke-stream-claude'), withoutCache(usage['invoke-stream-claude']), 'openllmetry-bedrock');
    expectExact(traces.get('invoke-llama'), costOf(llama, { uncached: usage['invoke-llama'].input, output: usage['invoke-llama'].output }));
    expectExact(traces.get('refused'), 0);

    // The API and the report say it too.
    const rows = await stack.outcomes();
    expect(rows.find((r) => r.group.workflow === 'converse')).toMatchObject({ unpricedCalls: 1, unknownUsageCalls: 1 });
    expect(rows.find((r) => r.group.workflow === 'invoke-claude')!.costExcludingCacheUsd).toBeGreaterThan(0);
  });
});

describe('OpenLIT 1.15.0 (Bedrock)', () => {
  it('reads its cache-excluding Converse input with the cache counts beside it: the true cost; its $0 cost is no price', async () => {
    // No price list: OpenLIT fetches it from GitHub, which fails here, and writes gen_ai.usage.cost = 0.
    const { traces, usage } = await run('openlit.ts');
    for (const c of ['converse', 'converse-stream', 'converse-profile'] as const) expectExact(traces.get(c), trueCost(usage[c]));
    expect(stack.metric('tokenledger_foreign_cost_ignored_total', { producer: 'openlit-bedrock', reason: 'zero' })).toBe(3);
    // OpenLIT does not instrument InvokeModel: no call span, nothing to price (documented in the README).
    for (const c of ['invoke-claude', 'invoke-stream-claude', 'invoke-llama'] as const) expect(traces.get(c)!.calls).toEqual([]);
    expectExact(traces.get('refused'), 0);
  });

  it('takes its own cost when it agrees with the catalog; when it disagrees, the catalog wins and it is counted', async () => {
    // Its price list, USD per 1,000 tokens: Haiku 4.5 at twice the catalog's prices.
    const pricing = { chat: { [HAIKU]: { promptPrice: haiku.input * 2000, completionPrice: haiku.output * 2000, cacheReadPrice: haiku.cacheRead * 2000, cacheCreationPrice: haiku.cacheWrite * 2000 } } };
    const before = stack.metric('tokenledger_foreign_cost_ignored_total', { producer: 'openlit-bedrock', reason: 'disagrees' });
    const { traces, usage } = await run('openlit.ts', { OPENLIT_PRICING: JSON.stringify(pricing) });
    expectExact(traces.get('converse'), trueCost(usage.converse));
    expect(stack.metric('tokenledger_foreign_cost_ignored_total', { producer: 'openlit-bedrock', reason: 'disagrees' }) - before).toBe(2);
  });
});
