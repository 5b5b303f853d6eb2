import { trace } from '@opentelemetry/api';
import { estimateTokens } from '@tokenledger/pricing';
import { beforeEach, describe, expect, it } from 'vitest';
import { classifyRetrievalSql, recordContextAssembly, traceEmbedding, traceRerank, traceRetrieval } from '../src/index.ts';
import { setUpTracing } from '../../../test/support/otel.ts';

const { exporter } = setUpTracing();
beforeEach(() => exporter.reset());
const spanNamed = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;

describe('traceRetrieval and recordContextAssembly', () => {
  it('records data source, top-k and documents, and context assembly on the active span', async () => {
    const docs = ['alpha beta', 'alpha beta', 'gamma delta epsilon'];
    const answer = await trace.getTracer('app').startActiveSpan('rag', async (root) => {
      const hits = await traceRetrieval({ dataSource: 'kb-123', topK: 5 }, async () => docs);
      const unique = [...new Set(hits)];
      const context = unique.join('\n');
      const recorded = recordContextAssembly({ documents: unique.length, duplicates: hits.length - unique.length, context, topK: 5 });
      expect(recorded).toEqual({
        'tokenledger.retrieval.documents': 2,
        'tokenledger.retrieval.duplicates': 1,
        'tokenledger.retrieval.context_tokens': estimateTokens(context),
        'tokenledger.retrieval.top_k': 5,
      });
      root.end();
      return hits;
    });
    expect(answer).toBe(docs); // the caller's own value, untouched
    const retrieval = spanNamed('retrieval kb-123');
    expect(retrieval.attributes).toMatchObject({
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.data_source.id': 'kb-123',
      'tokenledger.retrieval.top_k': 5,
      'tokenledger.retrieval.documents': 3,
    });
    const root = spanNamed('rag');
    expect(retrieval.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(root.attributes['tokenledger.retrieval.duplicates']).toBe(1);
    expect(root.attributes['tokenledger.retrieval.context_tokens']).toBeGreaterThan(3);
  });

  it('counts documents of a non-array result with the given function', async () => {
    await traceRetrieval({ dataSource: 'es:docs', documents: (r: { hits: unknown[] }) => r.hits.length }, () => ({ hits: [1, 2] }));
    expect(spanNamed('retrieval es:docs').attributes['tokenledger.retrieval.documents']).toBe(2);
  });

  it('rethrows the retriever error unchanged and marks the span', async () => {
    const boom = new RangeError('index offline');
    await expect(traceRetrieval({ dataSource: 'kb' }, () => Promise.reject(boom))).rejects.toBe(boom);
    const span = spanNamed('retrieval kb');
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('RangeError');
  });
});

describe('traceEmbedding', () => {
  it('prices provider-reported tokens from the catalog', async () => {
    await traceEmbedding({ provider: 'openai', model: 'text-embedding-3-small', inputTokens: (r: { tokens: number }) => r.tokens }, () => ({ tokens: 1000 }));
    const span = spanNamed('embeddings text-embedding-3-small');
    expect(span.attributes['gen_ai.operation.name']).toBe('embeddings');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(1000);
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(1000 * 2e-8, 12);
    expect(span.attributes['tokenledger.usage.estimated']).toBeUndefined();
  });

  it('estimates tokens from the input when the provider reports none, and marks it', async () => {
    const input = ['the quick brown fox', 'jumps over the lazy dog'];
    await traceEmbedding({ provider: 'aws.bedrock', model: 'amazon.titan-embed-text-v2:0', input }, () => 'ok');
    const span = spanNamed('embeddings amazon.titan-embed-text-v2:0');
    const tokens = estimateTokens(input[0]!) + estimateTokens(input[1]!);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(tokens);
    expect(span.attributes['tokenledger.usage.estimated']).toBe(true);
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(tokens * 2e-8, 12);
  });

  it('reports an unknown model as unpriced, never free', async () => {
    await traceEmbedding({ provider: 'acme', model: 'acme-embed', inputTokens: () => 10 }, () => null);
    const span = spanNamed('embeddings acme-embed');
    expect(span.attributes['tokenledger.cost.source']).toBe('unpriced');
    expect(span.attributes['tokenledger.cost.usd']).toBeUndefined();
  });
});

describe('traceRerank', () => {
  it('prices one query and records documents returned and top-n', async () => {
    const ranked = await traceRerank({ provider: 'aws.bedrock', model: 'cohere.rerank-v3-5:0', documents: 10, topN: 3 }, () => [0.9, 0.5, 0.1]);
    expect(ranked).toEqual([0.9, 0.5, 0.1]);
    const span = spanNamed('rerank cohere.rerank-v3-5:0');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'rerank',
      'tokenledger.retrieval.top_k': 3,
      'tokenledger.retrieval.documents': 3,
      'tokenledger.cost.usd': 0.002,
    });
  });
});

describe('classifyRetrievalSql', () => {
  it.each([
    ['SELECT id FROM items ORDER BY embedding <=> $1 LIMIT 10', 'vector', 10, 'items'],
    ['select id from public.items order by embedding <#> $1 limit 4', 'vector', 4, 'public.items'],
    ['WITH q AS (SELECT 1) SELECT * FROM "Docs" ORDER BY v <-> $1 LIMIT 7', 'vector', 7, 'Docs'],
    ["SELECT * FROM docs WHERE tsv @@ websearch_to_tsquery('a') ORDER BY ts_rank_cd(tsv, q) DESC", 'full_text', undefined, 'docs'],
  ])('%s', (sql, kind, topK, table) => {
    expect(classifyRetrievalSql(sql, ['[1,2]'])).toEqual({ kind, ...(topK === undefined ? {} : { topK }), table });
  });

  it.each([
    "INSERT INTO docs (tsv) VALUES (to_tsvector('x')) RETURNING id",
    "SELECT '<->' AS op FROM docs",
    'SELECT id FROM docs /* @@ */ WHERE id > 3',
    'SELECT id FROM docs WHERE a < b AND c > d',
  ])('not retrieval: %s', (sql) => {
    expect(classifyRetrievalSql(sql)).toBeUndefined();
  });
});
