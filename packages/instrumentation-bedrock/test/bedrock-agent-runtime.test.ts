import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { estimateTokens } from '@tokenledger/pricing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as AgentRuntime from '@aws-sdk/client-bedrock-agent-runtime';
import { startBedrockAgentRuntimeEndpoint, type BedrockAgentRuntimeEndpoint } from '../../local-endpoints/src/bedrock-agent-runtime.ts';
import { dispatchAwsHooks } from '../../instrumentation-core/src/index.ts';
import { bedrockAgentRuntimeHooks } from '../src/index.ts';
import { setUpTracing } from '../../../test/support/otel.ts';

const telemetry = setUpTracing();
registerInstrumentations({ instrumentations: [new AwsInstrumentation({ ...dispatchAwsHooks([bedrockAgentRuntimeHooks()]) })] });
const ar = createRequire(import.meta.url)('@aws-sdk/client-bedrock-agent-runtime') as typeof AgentRuntime;

const DOCS = [
  { text: 'Customers can request a refund within 30 days of purchase.', uri: 's3://kb/refunds.md' },
  { text: 'Gift cards are not eligible for a refund.', uri: 's3://kb/gift-cards.md' },
  { text: 'Support answers tickets on weekdays.', uri: 's3://kb/support.md' },
];
const HAIKU_ARN = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0';
const RERANK_ARN = 'arn:aws:bedrock:us-west-2::foundation-model/cohere.rerank-v3-5:0';
const ANSWER = 'Refunds are accepted within 30 days, except for gift cards.';

let endpoint: BedrockAgentRuntimeEndpoint;
let client: AgentRuntime.BedrockAgentRuntimeClient;

beforeAll(async () => {
  endpoint = await startBedrockAgentRuntimeEndpoint({ knowledgeBases: { KB123: DOCS }, answer: ANSWER });
  client = new ar.BedrockAgentRuntimeClient({
    endpoint: endpoint.url, region: 'us-east-1', maxAttempts: 2,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  });
});
afterAll(() => endpoint.close());
beforeEach(() => telemetry.exporter.reset());

function onlySpan(): ReadableSpan {
  const spans = telemetry.exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('Bedrock Agent Runtime', () => {
  it('Retrieve: data source, top-k and documents returned; scores and query stay out by default', async () => {
    const out = await client.send(new ar.RetrieveCommand({
      knowledgeBaseId: 'KB123', retrievalQuery: { text: 'refund for gift cards' },
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 5 } },
    }));
    expect(out.retrievalResults).toHaveLength(2);
    const span = onlySpan();
    expect(span.name).toBe('retrieval KB123');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.data_source.id': 'KB123',
      'tokenledger.retrieval.top_k': 5,
      'tokenledger.retrieval.documents': 2,
    });
    expect(span.attributes['gen_ai.retrieval.documents']).toBeUndefined();
    expect(span.attributes['gen_ai.retrieval.query.text']).toBeUndefined();
  });

  const ragInput = (query: string) => ({
    input: { text: query },
    retrieveAndGenerateConfiguration: {
      type: 'KNOWLEDGE_BASE' as const,
      knowledgeBaseConfiguration: { knowledgeBaseId: 'KB123', modelArn: HAIKU_ARN, retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 3 } } },
    },
  });
  /** Estimated input and output tokens of a generation that cited `docs` and wrote `text`. */
  const estimated = (query: string, docs: number[], text: string) => {
    const context = docs.reduce((t, i) => t + estimateTokens(DOCS[i]!.text), 0);
    return { context, input: estimateTokens(query) + context, output: estimateTokens(text) };
  };
  /** The attributes of a RetrieveAndGenerate span whose answer cited DOCS 0 and 1 (the second citation repeats one: counted once). */
  const expectPricedGeneration = (span: ReadableSpan, query: string) => {
    const { context, input, output } = estimated(query, [0, 1], ANSWER);
    expect(span.name).toBe('chat anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': HAIKU_ARN,
      'gen_ai.data_source.id': 'KB123',
      'tokenledger.retrieval.documents': 2,
      'tokenledger.retrieval.context_tokens': context,
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': output,
      'tokenledger.usage.estimated': true,
    });
    // Claude 3.5 Haiku: 0.80 in, 4.00 out USD per 1M tokens.
    expect(span.attributes['tokenledger.cost.usd']).toBeCloseTo(input * 0.8e-6 + output * 4e-6, 12);
    expect(span.attributes['tokenledger.request.hash']).toMatch(/^[0-9a-f]{16}$/);
  };

  it('RetrieveAndGenerate: generation priced from the model ARN with estimated, marked usage', async () => {
    const query = 'Can I get a refund for gift cards?';
    const out = await client.send(new ar.RetrieveAndGenerateCommand(ragInput(query)));
    expect(out.output?.text).toBe(ANSWER);
    expectPricedGeneration(onlySpan(), query);
  });


  it('RetrieveAndGenerateStream: priced like RetrieveAndGenerate once the app has read the stream, with TTFT', async () => {
    const query = 'Can I get a refund for gift cards?';
    const out = await client.send(new ar.RetrieveAndGenerateStreamCommand(ragInput(query)));
    expect(telemetry.exporter.getFinishedSpans()).toHaveLength(0); // held open while the app reads
    let text = '';
    let citations = 0;
    for await (const e of out.stream!) {
      if (e.output) text += e.output.text;
      if (e.citation) citations++;
    }
    expect([text, citations, out.sessionId]).toEqual([ANSWER, 2, 'session-1']);
    const span = onlySpan();
    expectPricedGeneration(span, query);
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('RetrieveAndGenerateStream: an app that stops reading still ends the span, priced for what it read', async () => {
    const query = 'Can I get a refund for gift cards?';
    const out = await client.send(new ar.RetrieveAndGenerateStreamCommand(ragInput(query)));
    let first = '';
    for await (const e of out.stream!) {
      first = e.output?.text ?? '';
      break;
    }
    const span = onlySpan();
    expect(first.length).toBeGreaterThan(0);
    const { input, output } = estimated(query, [], first); // no citation event was read
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output, 'tokenledger.retrieval.documents': 0 });
    expect(span.status.code).toBe(0);
  });

  it('RetrieveAndGenerateStream: an error event reaches the app unchanged and marks the span', async () => {
    endpoint.breakNextStream('Rate exceeded');
    const out = await client.send(new ar.RetrieveAndGenerateStreamCommand(ragInput('refund for gift cards')));
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of out.stream!) seen.push(e.output?.text ?? '');
    })().catch((e) => e);
    expect(err).toBeInstanceOf(ar.ThrottlingException);
    expect(err.message).toBe('Rate exceeded');
    expect(seen).toHaveLength(1);
    const span = onlySpan();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('ThrottlingException');
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(estimateTokens(seen[0]!));
  });

  it('gives identical RetrieveAndGenerate requests the same hash and different ones another', async () => {
    for (const q of ['refund for gift cards', 'refund for gift cards', 'support hours']) await client.send(new ar.RetrieveAndGenerateCommand(ragInput(q)));
    const hashes = telemetry.exporter.getFinishedSpans().map((s) => s.attributes['tokenledger.request.hash']);
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[2]).not.toBe(hashes[0]);
  });

  it('Rerank: documents returned, top-n and a price per query', async () => {
    const out = await client.send(new ar.RerankCommand({
      queries: [{ type: 'TEXT', textQuery: { text: 'refund gift cards' } }],
      sources: DOCS.map((d) => ({ type: 'INLINE', inlineDocumentSource: { type: 'TEXT', textDocument: { text: d.text } } })),
      rerankingConfiguration: { type: 'BEDROCK_RERANKING_MODEL', bedrockRerankingConfiguration: { numberOfResults: 2, modelConfiguration: { modelArn: RERANK_ARN } } },
    }));
    expect(out.results).toHaveLength(2);
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'rerank',
      'gen_ai.request.model': RERANK_ARN,
      'tokenledger.retrieval.top_k': 2,
      'tokenledger.retrieval.documents': 2,
      'tokenledger.cost.usd': 0.002,
    });
  });

  it('records a service error with its type and rethrows it unchanged', async () => {
    endpoint.failNext(400, 'ValidationException', 'bad query');
    const err = await client.send(new ar.RetrieveCommand({ knowledgeBaseId: 'KB123', retrievalQuery: { text: 'x' } })).catch((e) => e);
    expect(err).toBeInstanceOf(ar.ValidationException);
    const span = onlySpan();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('ValidationException');
  });
});
