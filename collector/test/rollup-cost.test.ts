// Exact cost arithmetic on hand-computed traces (catalog prices, USD per token, as of 2026-11-22).
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector.ts';
import { queryOutcomes } from '../src/store/outcomes-query.ts';
import { root, seriesValue, span, testCollector, traceId } from './helpers.ts';

const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0'; // in 8e-7, out 4e-6, cache read 8e-8, write 1e-6
const MINI = 'gpt-4o-mini'; // in 1.5e-7, out 6e-7
const TITAN = 'amazon.titan-embed-text-v2:0'; // in 2e-8
const who = { 'tokenledger.tenant': 'acme', 'tokenledger.feature': 'support', 'tokenledger.workflow': 'answer' };
const bedrock = (extra: Record<string, string | number | boolean>) => ({
  'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': HAIKU, 'tokenledger.cost.source': 'catalog:2026-11-22', ...who, ...extra,
});
const openai = (extra: Record<string, string | number | boolean>) => ({
  'gen_ai.provider.name': 'openai', 'gen_ai.request.model': MINI, 'tokenledger.route': 'rag', ...who, ...extra,
});

let collector: Collector | undefined;
afterEach(() => collector?.db.close());

describe('roll-up cost arithmetic', () => {
  it('prices a successful trace with retries, a fallback, unmarked repeats, embeddings, retrieval and a cost on the span', async () => {
    const t = testCollector();
    collector = t.collector;
    const A = traceId(0xa);
    await collector.sink.accept([
      root(A, { ...who, 'tokenledger.outcome': 'ticket_resolved', 'tokenledger.outcome.success': true }, { statusCode: 1 }),
      // 300 uncached × 8e-7 + 600 read × 8e-8 + 100 write × 1e-6 + 200 out × 4e-6 = 0.001188; savings 600×7.2e-7 − 100×2e-7 = 0.000412
      span(A, bedrock({ 'tokenledger.route': 'rag', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 600,
        'gen_ai.usage.cache_creation.input_tokens': 100, 'gen_ai.usage.output_tokens': 200, 'gen_ai.response.time_to_first_chunk': 0.3 })),
      // retry.attempt 1: 100 × 8e-7 + 10 × 4e-6 = 0.00012
      span(A, bedrock({ 'tokenledger.route': 'rag', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10, 'tokenledger.retry.attempt': 1 })),
      // fallback: 1000 × 1.5e-7 + 100 × 6e-7 = 0.00021
      span(A, openai({ 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100, 'tokenledger.fallback': true })),
      // two identical requests, 2000 × 1.5e-7 = 0.0003 each; the later one (arriving first here) is a retry
      span(A, openai({ 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 0, 'tokenledger.request.hash': 'h1' }), { startMs: 2000 }),
      span(A, openai({ 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 0, 'tokenledger.request.hash': 'h1' }), { startMs: 1500 }),
      // embeddings: 5000 × 2e-8 = 0.0001
      span(A, { ...who, 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': TITAN, 'gen_ai.usage.input_tokens': 5000, 'tokenledger.route': 'rag' }),
      // retrieval priced by the application
      span(A, { ...who, 'gen_ai.operation.name': 'retrieval', 'tokenledger.cost.usd': 0.0005, 'tokenledger.route': 'rag' }),
      // a cost on the span is honoured, not recomputed (tokens alone would price at 7.5e-6)
      span(A, openai({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 10, 'tokenledger.cost.usd': 0.01,
        'tokenledger.cost.input_usd': 0.004, 'tokenledger.cost.output_usd': 0.006, 'tokenledger.route': 'reasoning' })),
    ]);
    t.clock.advance(5_000);
    expect(collector.finaliser.tick()).toBe(1);

    const total = 0.001188 + 0.00012 + 0.00021 + 0.0006 + 0.0001 + 0.0005 + 0.01;
    expect(seriesValue(collector, 'tokenledger_cost_usd_total')).toBeCloseTo(total, 12);
    expect(seriesValue(collector, 'tokenledger_retry_cost_usd_total')).toBeCloseTo(0.00012 + 0.00021 + 0.0003, 12);
    expect(seriesValue(collector, 'tokenledger_retry_cost_usd_total', { route: 'rag', model: MINI })).toBeCloseTo(0.00051, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { component: 'embedding', model: TITAN })).toBeCloseTo(0.0001, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { component: 'retrieval' })).toBeCloseTo(0.0005, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { component: 'cache_read', model: HAIKU })).toBeCloseTo(0.000048, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { component: 'cache_write', model: HAIKU })).toBeCloseTo(0.0001, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { route: 'reasoning', component: 'output' })).toBeCloseTo(0.006, 12);
    expect(seriesValue(collector, 'tokenledger_cache_savings_usd_total', { model: HAIKU })).toBeCloseTo(0.000412, 12);
    expect(seriesValue(collector, 'tokenledger_tokens_total', { model: HAIKU, type: 'input' })).toBe(300 + 100);
    expect(seriesValue(collector, 'tokenledger_tokens_total', { model: HAIKU, type: 'cache_read' })).toBe(600);
    expect(seriesValue(collector, 'tokenledger_outcomes_total', { tenant: 'acme', outcome: 'ticket_resolved', success: 'true' })).toBe(1);
    const hist = collector.metrics.registry.family('tokenledger_outcome_cost_usd')!.series.values().next().value!;
    expect(hist.count).toBe(1);
    expect(hist.value).toBeCloseTo(total, 12);
    expect(seriesValue(collector, 'tokenledger_time_to_first_token_seconds', { model: HAIKU })).toBeCloseTo(0.3, 12);

    const [row] = await collector.outcomes.read(queryOutcomes({ groupBy: ['workflow'], sinceMs: 0, untilMs: Infinity }));
    expect(row).toMatchObject({ group: { workflow: 'answer' }, outcomes: 1, successes: 1 });
    expect(row!.costPerSuccessUsd).toBeCloseTo(total, 12);
    expect(row!.retryCostUsd).toBeCloseTo(0.00063, 12);
  });

  it('counts a failed outcome, a trace with no outcome, and prices spans of unknown producers by the GenAI conventions', async () => {
    // What real producers write is captured from their packages in test/producers; these spans name no
    // scope, so they are read by the GenAI conventions (input includes cache tokens), old names included.
    const t = testCollector();
    collector = t.collector;
    const B = traceId(0xb);
    const C = traceId(0xc);
    await collector.sink.accept([
      // failed: outcome without success attribute, root status ERROR
      root(B, { ...who, 'tokenledger.outcome': 'ticket_resolved' }, { statusCode: 2 }),
      // input 1320 includes 1200 cache reads (the convention's old name for them):
      // 120 × 8e-7 + 1200 × 8e-8 + 50 × 4e-6 = 0.000392
      span(B, { 'gen_ai.system': 'aws.bedrock', 'gen_ai.request.model': `us.${HAIKU}`, 'gen_ai.usage.input_tokens': 1320,
        'gen_ai.usage.cache_read_input_tokens': 1200, 'gen_ai.usage.output_tokens': 50 }),
      root(C, { ...who, 'tokenledger.workflow': 'triage' }),
      // OpenInference tokens: 1000 × 1.5e-7 + 500 × 6e-7 = 0.00045
      span(C, { 'llm.model_name': MINI, 'llm.provider': 'openai', 'llm.token_count.prompt': 1000, 'llm.token_count.completion': 500 }),
      // pre-1.27 GenAI names: 400 × 1.5e-7 + 100 × 6e-7 = 0.00012
      span(C, { 'gen_ai.system': 'openai', 'gen_ai.request.model': MINI, 'gen_ai.usage.prompt_tokens': 400, 'gen_ai.usage.completion_tokens': 100 }),
      // a foreign cost the catalog disagrees with: the catalog's 1 × 1.5e-7 wins (counted)
      span(C, { 'gen_ai.system': 'openai', 'gen_ai.request.model': MINI, 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.cost': 0.002 }),
      // a foreign cost without tokens: nothing to check it against, so it is the price (and the check is counted)
      span(C, { 'llm.model_name': MINI, 'llm.cost.total': 0.003 }),
      // rerank, per query: 0.002
      span(C, { 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.operation.name': 'rerank', 'gen_ai.request.model': 'cohere.rerank-v3-5:0' }),
      // self-hosted with its own cost
      span(C, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'llama-3-8b', 'tokenledger.price.tier': 'self_hosted',
        'tokenledger.cost.usd': 0.05, 'gen_ai.usage.input_tokens': 100 }),
      // no price anywhere: counted, not priced at zero
      span(C, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'my-custom-model', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 10 }),
    ]);
    t.clock.advance(5_000);
    expect(collector.finaliser.tick()).toBe(2);

    expect(seriesValue(collector, 'tokenledger_outcomes_total', { outcome: 'ticket_resolved', success: 'false' })).toBe(1);
    expect(seriesValue(collector, 'tokenledger_outcomes_total', { workflow: 'triage', outcome: 'none', success: 'unknown' })).toBe(1);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { workflow: 'answer' })).toBeCloseTo(0.000392, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { workflow: 'answer', component: 'cache_read' })).toBeCloseTo(0.000096, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { workflow: 'triage' })).toBeCloseTo(0.00045 + 0.00012 + 1.5e-7 + 0.003 + 0.002 + 0.05, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { component: 'rerank' })).toBeCloseTo(0.002, 12);
    expect(seriesValue(collector, 'tokenledger_cost_usd_total', { component: 'self_hosted' })).toBeCloseTo(0.05, 12);
    expect(seriesValue(collector, 'tokenledger_unpriced_calls_total', { provider: 'openai', model: 'my-custom-model' })).toBe(1);
    expect(seriesValue(collector, 'tokenledger_unpriced_calls_total')).toBe(1);
    expect(seriesValue(collector, 'tokenledger_unknown_usage_calls_total')).toBe(0);
    expect(seriesValue(collector, 'tokenledger_foreign_cost_ignored_total', { producer: 'genai-semconv', reason: 'disagrees' })).toBe(1);
    expect(seriesValue(collector, 'tokenledger_span_checks_failed_total', { producer: 'genai-semconv', check: 'cost_without_tokens' })).toBe(1);

    const rows = await collector.outcomes.read(queryOutcomes({ groupBy: ['workflow', 'outcome'], sinceMs: 0, untilMs: Infinity }));
    const failed = rows.find((r) => r.group.workflow === 'answer')!;
    expect(failed).toMatchObject({ outcomes: 1, successes: 0, costPerSuccessUsd: null });
    expect(rows.find((r) => r.group.workflow === 'triage')).toMatchObject({ group: { outcome: 'none' }, unpricedCalls: 1, unknownUsageCalls: 0 });
  });

  it('counts a trace once per group when it calls one model on two routes', async () => {
    const t = testCollector();
    collector = t.collector;
    const D = traceId(0xd);
    await collector.sink.accept([
      root(D, { ...who, 'tokenledger.outcome': 'done', 'tokenledger.outcome.success': true }),
      span(D, openai({ 'tokenledger.route': 'a', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 0 })),
      span(D, openai({ 'tokenledger.route': 'b', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 0 })),
    ]);
    t.clock.advance(5_000);
    collector.finaliser.tick();
    const q = async (groupBy: ('route' | 'model')[]) =>
      (await collector!.outcomes.read(queryOutcomes({ groupBy, sinceMs: 0, untilMs: Infinity }))).map((r) => [Object.values(r.group).join('/'), r.outcomes, r.successes, Number(r.costUsd.toFixed(12))]);
    expect(await q(['model'])).toEqual([[MINI, 1, 1, 0.0003]]);
    expect((await q(['route'])).sort()).toEqual([['a', 1, 1, 0.00015], ['b', 1, 1, 0.00015]]);
    expect((await q(['route', 'model'])).sort()).toEqual([[`a/${MINI}`, 1, 1, 0.00015], [`b/${MINI}`, 1, 1, 0.00015]]);
  });
});
