// A RAG flow in one trace — embed (OpenAI) → retrieve (PostgreSQL full-text) → rerank (Bedrock) → assemble →
// answer (Anthropic) — and a Bedrock agent's request, with the real clients and instrumentations, rolled up by
// the collector; their cost per outcome is checked against hand-computed figures.
import { createRequire } from 'node:module';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type OpenAIType from 'openai';
import type AnthropicType from '@anthropic-ai/sdk';
import type * as PgModule from 'pg';
import type * as AgentRuntime from '@aws-sdk/client-bedrock-agent-runtime';
import { createAnthropicInstrumentations } from '@tokenledger/instrumentation-anthropic';
import { createOpenAIInstrumentations } from '@tokenledger/instrumentation-openai';
import { bedrockAgentRuntimeHooks } from '@tokenledger/instrumentation-bedrock';
import { dispatchAwsHooks } from '@tokenledger/instrumentation-core';
import { createPgInstrumentations, recordContextAssembly } from '@tokenledger/retrieval';
import type { SpanRecord } from '../collector/src/model/span-record.ts';
import { queryOutcomes } from '../collector/src/store/outcomes-query.ts';
import { seriesValue, testCollector } from '../collector/test/helpers.ts';
import { startAnthropicEndpoint, type AnthropicEndpoint } from '../packages/local-endpoints/src/anthropic.ts';
import { startBedrockAgentRuntimeEndpoint, type BedrockAgentRuntimeEndpoint } from '../packages/local-endpoints/src/bedrock-agent-runtime.ts';
import { startOpenAIEndpoint, type OpenAIEndpoint } from '../packages/local-endpoints/src/openai.ts';
import { setUpTracing } from './support/otel.ts';
import { startPostgres, type Postgres } from '../packages/retrieval/test/postgres.ts';

const telemetry = setUpTracing();
registerInstrumentations({
  instrumentations: [
    ...createOpenAIInstrumentations(),
    ...createAnthropicInstrumentations(),
    ...createPgInstrumentations(),
    new AwsInstrumentation({ ...dispatchAwsHooks([bedrockAgentRuntimeHooks()]) }),
  ],
});
const require = createRequire(import.meta.url);
const { OpenAI } = require('openai') as { OpenAI: typeof OpenAIType };
const { Anthropic } = require('@anthropic-ai/sdk') as { Anthropic: typeof AnthropicType };
const pg = require('pg') as typeof PgModule;
const ar = require('@aws-sdk/client-bedrock-agent-runtime') as typeof AgentRuntime;

const RERANK_ARN = 'arn:aws:bedrock:us-west-2::foundation-model/cohere.rerank-v3-5:0';
let openaiEndpoint: OpenAIEndpoint;
let anthropicEndpoint: AnthropicEndpoint;
let agentEndpoint: BedrockAgentRuntimeEndpoint;
let postgres: Postgres;
let db: PgModule.Client;

beforeAll(async () => {
  openaiEndpoint = await startOpenAIEndpoint({ usage: { prompt: 50, completion: 0 } });
  anthropicEndpoint = await startAnthropicEndpoint({ usage: { input: 600, output: 150, cacheRead: 1000 } });
  agentEndpoint = await startBedrockAgentRuntimeEndpoint({ knowledgeBases: {}, agents: { AGENT1: 'anthropic.claude-3-5-haiku-20241022-v1:0' } });
  postgres = await startPostgres();
  db = new pg.Client({ host: postgres.socketDir, port: postgres.port, user: 'postgres', database: 'postgres' });
  await db.connect();
  await db.query('CREATE TABLE passages (id serial PRIMARY KEY, body text, tsv tsvector)');
  for (const body of ['Refunds are accepted within 30 days.', 'Refunds of gift cards are not possible.', 'Refunds are accepted within 30 days.', 'Shipping takes two days.']) {
    await db.query("INSERT INTO passages (body, tsv) VALUES ($1, to_tsvector('english', $1))", [body]);
  }
});
afterAll(async () => {
  await db?.end();
  await postgres?.stop();
  await Promise.all([openaiEndpoint?.close(), anthropicEndpoint?.close(), agentEndpoint?.close()]);
});

function record(s: ReadableSpan): SpanRecord {
  const attributes: SpanRecord['attributes'] = {};
  for (const [k, v] of Object.entries(s.attributes)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[k] = v;
    else if (Array.isArray(v)) attributes[k] = v.join(',');
  }
  const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
  return {
    traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parentSpanId: s.parentSpanContext?.spanId ?? '', name: s.name,
    startMs: ms(s.startTime), endMs: ms(s.endTime), statusCode: s.status.code as 0 | 1 | 2, attributes,
  };
}

describe('a RAG flow in one trace', () => {
  it('prices embedding, rerank and answer under their components and per outcome', async () => {
    telemetry.exporter.reset(); // the set-up's own queries are traces of their own
    const question = 'How long do refunds take?';
    const openai = new OpenAI({ apiKey: 'k', baseURL: openaiEndpoint.baseURL });
    const anthropic = new Anthropic({ apiKey: 'k', baseURL: anthropicEndpoint.baseURL });
    const agent = new ar.BedrockAgentRuntimeClient({ endpoint: agentEndpoint.url, region: 'us-west-2', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
    const who = { 'tokenledger.tenant': 'acme', 'tokenledger.feature': 'support', 'tokenledger.workflow': 'answer' };

    await trace.getTracer('app').startActiveSpan('answer question', { attributes: who }, async (root) => {
      await openai.embeddings.create({ model: 'text-embedding-3-small', input: question });
      const hits = await db.query("SELECT body FROM passages WHERE tsv @@ plainto_tsquery('english', $1) ORDER BY ts_rank(tsv, plainto_tsquery('english', $1)) DESC LIMIT 5", ['refunds']);
      const ranked = await agent.send(new ar.RerankCommand({
        queries: [{ type: 'TEXT', textQuery: { text: question } }],
        sources: hits.rows.map((r) => ({ type: 'INLINE', inlineDocumentSource: { type: 'TEXT', textDocument: { text: r.body } } })),
        rerankingConfiguration: { type: 'BEDROCK_RERANKING_MODEL', bedrockRerankingConfiguration: { numberOfResults: 3, modelConfiguration: { modelArn: RERANK_ARN } } },
      }));
      const kept = [...new Set(ranked.results!.map((r) => hits.rows[r.index!].body as string))];
      recordContextAssembly({ documents: kept.length, duplicates: ranked.results!.length - kept.length, contextTokens: 1600, topK: 3 });
      await anthropic.messages.create({ model: 'claude-haiku-4-5-20251001', max_tokens: 300, messages: [{ role: 'user', content: `${kept.join('\n')}\n\n${question}` }] });
      root.setAttributes({ 'tokenledger.outcome': 'question_answered', 'tokenledger.outcome.success': true });
      root.setStatus({ code: SpanStatusCode.OK });
      root.end();
    });

    const spans = telemetry.exporter.getFinishedSpans();
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const byOp = (op: string) => spans.filter((s) => s.attributes['gen_ai.operation.name'] === op);
    expect(byOp('retrieval')[0]!.attributes['tokenledger.retrieval.documents']).toBe(3);
    const rootSpan = spans.find((s) => s.name === 'answer question')!;
    expect(rootSpan.attributes).toMatchObject({ 'tokenledger.retrieval.documents': 2, 'tokenledger.retrieval.duplicates': 1, 'tokenledger.retrieval.top_k': 3 });

    const { collector, clock } = testCollector();
    try {
      await collector.sink.accept(spans.map(record));
      clock.advance(60_000);
      expect(collector.finaliser.tick()).toBe(1);
      // Hand-computed, catalog prices (USD per token):
      const embedding = 50 * 2e-8; //                       text-embedding-3-small: 50 input tokens
      const rerank = 0.002; //                              cohere.rerank-v3-5: one query of 3 documents
      const answer = 600 * 1e-6 + 1000 * 1e-7 + 150 * 5e-6; // claude-haiku-4-5: 600 uncached, 1000 cache read, 150 out
      expect(seriesValue(collector, 'tokenledger_cost_usd_total', { component: 'embedding' })).toBeCloseTo(embedding, 12);
      expect(seriesValue(collector, 'tokenledger_cost_usd_total', { component: 'rerank' })).toBeCloseTo(rerank, 12);
      expect(seriesValue(collector, 'tokenledger_cost_usd_total', { provider: 'anthropic', component: 'cache_read' })).toBeCloseTo(1000 * 1e-7, 12);
      expect(seriesValue(collector, 'tokenledger_cost_usd_total')).toBeCloseTo(embedding + rerank + answer, 12);
      expect(seriesValue(collector, 'tokenledger_outcomes_total', { outcome: 'question_answered', success: 'true', tenant: 'acme' })).toBe(1);
      const [row] = await collector.outcomes.read(queryOutcomes({ groupBy: ['workflow', 'outcome'], sinceMs: 0, untilMs: Infinity }));
      expect(row).toMatchObject({ group: { workflow: 'answer', outcome: 'question_answered' }, outcomes: 1, successes: 1 });
      expect(row!.costPerSuccessUsd).toBeCloseTo(embedding + rerank + answer, 12);
    } finally {
      await collector.close();
    }
  });
});

describe('a Bedrock agent in one trace', () => {
  it('prices the model calls its trace reports, once, per outcome', async () => {
    telemetry.exporter.reset();
    const agent = new ar.BedrockAgentRuntimeClient({ endpoint: agentEndpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
    await trace.getTracer('app').startActiveSpan('refund request', { attributes: { 'tokenledger.tenant': 'acme', 'tokenledger.workflow': 'agent' } }, async (root) => {
      const out = await agent.send(new ar.InvokeAgentCommand({ agentId: 'AGENT1', agentAliasId: 'A', sessionId: 's1', inputText: 'Refund order 7', enableTrace: true }));
      for await (const _ of out.completion!); // read to the end
      root.setAttributes({ 'tokenledger.outcome': 'refund_handled', 'tokenledger.outcome.success': true });
      root.end();
    });
    const { collector, clock } = testCollector();
    try {
      await collector.sink.accept(telemetry.exporter.getFinishedSpans().map(record));
      clock.advance(60_000);
      expect(collector.finaliser.tick()).toBe(1);
      // The endpoint's default steps on Claude 3.5 Haiku (0.80 in, 4.00 out per 1M): pre-processing 310/25, orchestration 1450/62.
      const expected = (310 + 1450) * 0.8e-6 + (25 + 62) * 4e-6;
      expect(seriesValue(collector, 'tokenledger_cost_usd_total', { workflow: 'agent' })).toBeCloseTo(expected, 12);
      const [row] = await collector.outcomes.read(queryOutcomes({ groupBy: ['workflow'], sinceMs: 0, untilMs: Infinity }));
      expect(row!.costPerSuccessUsd).toBeCloseTo(expected, 12);
    } finally {
      await collector.close();
    }
  });
});
