// tokenledger_prompt_tokens_total: where a workflow's input tokens come from, summed over its traces.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector.ts';
import { root, seriesValue, span, testCollector, traceId } from './helpers.ts';

const who = { 'tokenledger.tenant': 'acme', 'tokenledger.feature': 'help', 'tokenledger.workflow': 'answer' };
let collector: Collector | undefined;
afterEach(() => collector?.db.close());

describe('prompt token sources', () => {
  it('sums the prompt-breakdown attributes of every model span per tenant, feature, workflow and source', async () => {
    const t = testCollector();
    collector = t.collector;
    const A = traceId(0x51);
    const B = traceId(0x52);
    const model = { ...who, 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': 'amazon.nova-micro-v1:0', 'gen_ai.usage.output_tokens': 5 };
    await collector.sink.accept([
      root(A, { ...who, 'tokenledger.outcome': 'question_answered' }),
      span(A, { ...model, 'gen_ai.usage.input_tokens': 1000, 'tokenledger.prompt.tokens.system': 600, 'tokenledger.prompt.tokens.context': 300, 'tokenledger.prompt.tokens.user': 100 }),
      span(A, { ...model, 'gen_ai.usage.input_tokens': 210, 'tokenledger.prompt.tokens.system': 200, 'tokenledger.prompt.tokens.user': 10 }),
      root(B, { ...who, 'tokenledger.outcome': 'question_answered' }),
      span(B, { ...model, 'gen_ai.usage.input_tokens': 50, 'tokenledger.prompt.tokens.history': 40, 'tokenledger.prompt.tokens.tools': 10 }),
      // A span without a breakdown adds nothing here (its tokens are still in tokenledger_tokens_total).
      span(B, { ...model, 'gen_ai.usage.input_tokens': 999 }),
    ]);
    t.clock.advance(10_000);
    expect(collector.finaliser.tick()).toBe(2);
    const v = (source: string) => seriesValue(collector!, 'tokenledger_prompt_tokens_total', { ...{ tenant: 'acme', feature: 'help', workflow: 'answer' }, source });
    expect([v('system'), v('history'), v('context'), v('user'), v('tools')]).toEqual([800, 40, 300, 110, 10]);
    expect(seriesValue(collector, 'tokenledger_tokens_total', { type: 'input' })).toBe(1000 + 210 + 50 + 999);
  });
});
