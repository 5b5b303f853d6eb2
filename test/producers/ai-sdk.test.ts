// The Vercel AI SDK (`ai` 7 with @ai-sdk/openai and @ai-sdk/amazon-bedrock) and its telemetry integrations
// from @ai-sdk/otel: `OpenTelemetry` (GenAI conventions, scope `gen_ai`) and `LegacyOpenTelemetry` (`ai.*`
// spans, scope `ai`). Its input counts include the cache, whose counts it writes: every case is exact, and
// its operation spans (which repeat their calls' sums) are not counted again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceRollup } from '../../collector/src/rollup/types.ts';
import { HAIKU } from './apps/bedrock-cases.ts';
import { EMBEDDING, MINI } from './apps/openai-cases.ts';
import { costOf, prices, startStack, type Stack } from './harness.ts';

const USAGE = { prompt: 1200, completion: 80, cached: 600, cacheWrite: 200 };
const mini = prices(MINI, 'openai');
const haiku = prices(HAIKU, 'aws.bedrock');
const OPENAI = costOf(mini, { uncached: USAGE.prompt - USAGE.cached - USAGE.cacheWrite, cacheRead: USAGE.cached, cacheWrite: USAGE.cacheWrite, output: USAGE.completion });
const EMBEDDED = USAGE.prompt * prices(EMBEDDING, 'openai').input;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  stack.openai.usage = USAGE;
});
afterAll(() => stack.close());

function expectOneCall(r: TraceRollup | undefined, usd: number, provider: string, model: string) {
  expect(r!.totalUsd).toBeCloseTo(usd, 15);
  expect(r!.calls.map((c) => [c.provider, c.model])).toEqual([[provider, model]]);
  expect(r!.unpriced).toEqual([]);
  expect(r!.excludingCache).toEqual([]);
}

for (const [integration, env, producer] of [
  ['OpenTelemetry (GenAI conventions)', {}, 'ai-sdk'],
  ['LegacyOpenTelemetry (ai.* spans)', { AI_SDK_LEGACY: '1' }, 'ai-sdk-legacy'],
] as const) {
  describe(`AI SDK 7.0.173, @ai-sdk/otel 1.0.173 ${integration}`, () => {
    it('prices each provider call once and exactly, cache reads and writes included, streams and embeddings too', async () => {
      const before = stack.bedrock.requests.length;
      await stack.app('ai-sdk.ts', env);
      const traces = stack.finalise();
      // The Bedrock provider speaks HTTP/1.1 (fetch) to the endpoint; both calls read 10 cached tokens and wrote 11.
      const bedrock = stack.bedrock.requests.slice(before);
      expect(bedrock.map((r) => [r.operation, r.usage?.cacheRead, r.usage?.cacheWrite])).toEqual([['converse', 10, 11], ['converse-stream', 10, 11]]);
      const haikuCost = (u = bedrock[0]!.usage!) => costOf(haiku, { uncached: u.input, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, output: u.output });

      expectOneCall(traces.get('generate-openai'), OPENAI, 'openai', MINI);
      expectOneCall(traces.get('stream-openai-chat'), OPENAI, 'openai', MINI);
      expectOneCall(traces.get('embed-openai'), EMBEDDED, 'openai', EMBEDDING);
      expectOneCall(traces.get('generate-bedrock'), haikuCost(bedrock[0]!.usage), 'aws.bedrock', HAIKU);
      expectOneCall(traces.get('stream-bedrock'), haikuCost(bedrock[1]!.usage), 'aws.bedrock', HAIKU);
      for (const r of traces.values()) expect(r.labels.tenant).toBe('acme');
      // Streams: the time to the first chunk, from its own attribute.
      expect(traces.get('stream-bedrock')!.ttft).toEqual([expect.objectContaining({ provider: 'aws.bedrock', seconds: expect.any(Number) })]);
      expect(stack.metric('tokenledger_unknown_usage_calls_total', { producer })).toBe(0);
    });
  });
}
