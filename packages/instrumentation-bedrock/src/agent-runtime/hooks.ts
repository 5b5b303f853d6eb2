// Bedrock Agent Runtime through the aws-sdk instrumentation's hooks: Retrieve (retrieval), RetrieveAndGenerate
// and RetrieveAndGenerateStream (retrieval + a generation priced from the model ARN; the service reports no
// usage, so it is estimated and marked), Rerank (priced per query), InvokeAgent and InvokeInlineAgent (agents.ts). Scores
// and text stay out of attributes unless content capture is on.
import type { Span } from '@opentelemetry/api';
import type { AwsSdkRequestHookInformation, AwsSdkResponseHookInformation } from '@opentelemetry/instrumentation-aws-sdk';
import { type AwsServiceHooks, holdSpanUntilRead, markFailed, requestHash } from '@tokenledger/instrumentation-core';
import { costAttributes, defaultPriceBook, estimateTokens, type Usage } from '@tokenledger/pricing';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_DATA_SOURCE_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_RETRIEVAL_DOCUMENTS,
  ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_RETRIEVAL_CONTEXT_TOKENS,
  ATTR_RETRIEVAL_DOCUMENTS,
  ATTR_REQUEST_HASH,
  ATTR_RETRIEVAL_TOP_K,
  ATTR_USAGE_ESTIMATED,
  ENV_CAPTURE_MESSAGE_CONTENT,
  OPERATION_CHAT,
  OPERATION_RERANK,
  OPERATION_RETRIEVAL,
  PROVIDER_AWS_BEDROCK,
} from '@tokenledger/semconv';
import type { BedrockAgentRuntimeConfig } from '../types.ts';
import { observeAgentStream, startAgentSpan } from './agents.ts';

/** Bedrock bills a rerank query per 100 documents. */
const DOCUMENTS_PER_QUERY = 100;

const RAG = 'RetrieveAndGenerate';
const RAG_STREAM = 'RetrieveAndGenerateStream';
const INVOKE_AGENT = 'InvokeAgent';
const INVOKE_INLINE_AGENT = 'InvokeInlineAgent';

interface Pending {
  query?: string;
  /** Billed rerank queries. */
  queries?: number;
  model?: string;
  start?: number;
}

/** What RetrieveAndGenerate answers (or a stream of it adds up to), as far as the generation's price needs. */
interface Generated {
  output?: { text?: string };
  citations?: any[];
}

/** The BedrockAgentRuntime hooks, for the dispatcher of the process's one AwsInstrumentation. */
export function bedrockAgentRuntimeHooks(config: BedrockAgentRuntimeConfig = {}): AwsServiceHooks {
  const capture = config.captureContent ?? process.env[ENV_CAPTURE_MESSAGE_CONTENT]?.toLowerCase() === 'true';
  const pending = new WeakMap<Span, Pending>();
  return {
    serviceName: 'BedrockAgentRuntime',
    preRequestHook(span: Span, { request }: AwsSdkRequestHookInformation) {
      const input = request.commandInput as any;
      if (request.commandName === 'Retrieve') {
        const kb = String(input.knowledgeBaseId);
        setTopK(span, input.retrievalConfiguration);
        span.setAttributes({ [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_RETRIEVAL, [ATTR_GEN_AI_DATA_SOURCE_ID]: kb, [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK });
        if (capture && input.retrievalQuery?.text) span.setAttribute(ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT, input.retrievalQuery.text);
        span.updateName(`${OPERATION_RETRIEVAL} ${kb}`);
        pending.set(span, {});
      } else if (request.commandName === RAG || request.commandName === RAG_STREAM) {
        const kbConfig = input.retrieveAndGenerateConfiguration?.knowledgeBaseConfiguration ?? {};
        const model = String(kbConfig.modelArn ?? input.retrieveAndGenerateConfiguration?.externalSourcesConfiguration?.modelArn);
        setTopK(span, kbConfig.retrievalConfiguration);
        span.setAttributes({
          [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT, [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK, [ATTR_GEN_AI_REQUEST_MODEL]: model,
          [ATTR_REQUEST_HASH]: requestHash(PROVIDER_AWS_BEDROCK, input),
        });
        if (request.commandName === RAG_STREAM) span.setAttribute(ATTR_GEN_AI_REQUEST_STREAM, true);
        if (kbConfig.knowledgeBaseId) span.setAttribute(ATTR_GEN_AI_DATA_SOURCE_ID, kbConfig.knowledgeBaseId);
        span.updateName(`${OPERATION_CHAT} ${shortModel(model)}`);
        pending.set(span, { query: input.input?.text ?? '', model, start: performance.now() });
      } else if (request.commandName === INVOKE_AGENT || request.commandName === INVOKE_INLINE_AGENT) {
        startAgentSpan(span, input);
        pending.set(span, { start: performance.now(), model: typeof input.foundationModel === 'string' ? input.foundationModel : undefined });
      } else if (request.commandName === 'Rerank') {
        const rc = input.rerankingConfiguration?.bedrockRerankingConfiguration ?? {};
        const model = String(rc.modelConfiguration?.modelArn);
        const sources = Array.isArray(input.sources) ? input.sources.length : 0;
        const queries = (Array.isArray(input.queries) ? input.queries.length : 1) * Math.max(1, Math.ceil(sources / DOCUMENTS_PER_QUERY));
        span.setAttributes({ [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_RERANK, [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK, [ATTR_GEN_AI_REQUEST_MODEL]: model });
        if (typeof rc.numberOfResults === 'number') span.setAttribute(ATTR_RETRIEVAL_TOP_K, rc.numberOfResults);
        span.updateName(`${OPERATION_RERANK} ${shortModel(model)}`);
        pending.set(span, { queries, model });
      }
    },
    responseHook(span: Span, { response }: AwsSdkResponseHookInformation) {
      const p = pending.get(span);
      if (!p) return;
      const out = response.data as any;
      switch (response.request.commandName) {
        case 'Retrieve': {
          const results: any[] = out?.retrievalResults ?? [];
          span.setAttribute(ATTR_RETRIEVAL_DOCUMENTS, results.length);
          if (capture) span.setAttribute(ATTR_GEN_AI_RETRIEVAL_DOCUMENTS, JSON.stringify(results.map((r) => ({ id: documentId(r), score: r.score }))));
          return;
        }
        case RAG:
          return generation(span, p, out);
        case RAG_STREAM:
          if (isStream(out?.stream)) out.stream = observeGeneration(span, p, out.stream);
          return;
        case INVOKE_AGENT:
        case INVOKE_INLINE_AGENT:
          if (isStream(out?.completion)) out.completion = observeAgentStream(span, out.completion, p.start!, p.model);
          return;
        case 'Rerank': {
          span.setAttribute(ATTR_RETRIEVAL_DOCUMENTS, (out?.results ?? []).length);
          const usage: Usage = { inputTokens: 0, outputTokens: 0, queries: p.queries };
          span.setAttributes(costAttributes(defaultPriceBook().cost(p.model!, usage, { provider: PROVIDER_AWS_BEDROCK })));
          if (capture) span.setAttribute(ATTR_GEN_AI_RETRIEVAL_DOCUMENTS, JSON.stringify((out?.results ?? []).map((r: any) => ({ id: r.index, score: r.relevanceScore }))));
        }
      }
    },
    exceptionHook(span: Span, _info: AwsSdkRequestHookInformation, err: any) {
      if (pending.has(span)) span.setAttribute(ATTR_ERROR_TYPE, err?.name ?? 'Error');
    },
  };
}

/**
 * The stream's output and citation events add up to what RetrieveAndGenerate answers: priced when the app has
 * read it, stopped reading, or the stream failed (what was generated until then).
 */
function observeGeneration(span: Span, p: Pending, stream: AsyncIterable<any>): AsyncIterable<any> {
  let text = '';
  const citations: any[] = [];
  let ttftS: number | undefined;
  const price = () => generation(span, p, { output: { text }, citations });
  return holdSpanUntilRead(span, stream, 'bedrock agent runtime', {
    event(e) {
      if (typeof e?.output?.text === 'string') {
        ttftS ??= (performance.now() - p.start!) / 1000;
        text += e.output.text;
      }
      if (e?.citation) citations.push(e.citation);
    },
    error(err) {
      price();
      markFailed(span, err);
    },
    end() {
      price();
      if (ttftS !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, ttftS);
    },
  });
}

/**
 * The model saw the query and the retrieved passages (plus a prompt template we cannot see) and wrote
 * the answer: counted with the tokenizer and marked estimated.
 */
function generation(span: Span, p: Pending, out: Generated): void {
  const seen = new Set<string>();
  let contextTokens = 0;
  for (const citation of out?.citations ?? []) {
    for (const ref of citation?.retrievedReferences ?? []) {
      const text = ref?.content?.text ?? '';
      const key = `${documentId(ref)}\u0000${text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      contextTokens += estimateTokens(text);
    }
  }
  const usage: Usage = { inputTokens: estimateTokens(p.query ?? '') + contextTokens, outputTokens: estimateTokens(out?.output?.text ?? '') };
  span.setAttributes({
    [ATTR_RETRIEVAL_DOCUMENTS]: seen.size,
    [ATTR_RETRIEVAL_CONTEXT_TOKENS]: contextTokens,
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.outputTokens,
    [ATTR_USAGE_ESTIMATED]: true,
    ...costAttributes(defaultPriceBook().cost(p.model!, usage, { provider: PROVIDER_AWS_BEDROCK })),
  });
}

function isStream(v: unknown): v is AsyncIterable<unknown> {
  return typeof (v as AsyncIterable<unknown> | undefined)?.[Symbol.asyncIterator] === 'function';
}

function setTopK(span: Span, retrievalConfiguration: any): void {
  const n = retrievalConfiguration?.vectorSearchConfiguration?.numberOfResults;
  if (typeof n === 'number') span.setAttribute(ATTR_RETRIEVAL_TOP_K, n);
}

function documentId(r: any): string | undefined {
  const loc = r?.location;
  return r?.documentId ?? loc?.s3Location?.uri ?? loc?.webLocation?.url ?? loc?.confluenceLocation?.url ?? loc?.sharePointLocation?.url ?? loc?.salesforceLocation?.url ?? loc?.customDocumentLocation?.id;
}

/** `arn:…:foundation-model/anthropic.claude…` → `anthropic.claude…`, for span names. */
function shortModel(model: string): string {
  return model.slice(model.lastIndexOf('/') + 1);
}
