// Spans for retrieval, embedding and rerank calls made through any client, and the context-assembly record.
import { SpanKind, SpanStatusCode, diag, trace, type Attributes, type Span } from '@opentelemetry/api';
import { costAttributes, defaultPriceBook, estimateTokens } from '@tokenledger/pricing';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_DATA_SOURCE_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_RETRIEVAL_CONTEXT_TOKENS,
  ATTR_RETRIEVAL_DOCUMENTS,
  ATTR_RETRIEVAL_DUPLICATES,
  ATTR_RETRIEVAL_TOP_K,
  ATTR_USAGE_ESTIMATED,
  OPERATION_EMBEDDINGS,
  OPERATION_RERANK,
  OPERATION_RETRIEVAL,
} from '@tokenledger/semconv';
import type { ContextAssembly, EmbeddingOptions, RerankOptions, RetrievalOptions, Traced } from './types.ts';

const tracer = trace.getTracer('@tokenledger/retrieval', '0.1.0');

/** Runs `fn` in a `retrieval <dataSource>` span and records the documents it returned. */
export function traceRetrieval<T>(opts: RetrievalOptions<T>, fn: Traced<T>): Promise<T> {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_RETRIEVAL,
    [ATTR_GEN_AI_DATA_SOURCE_ID]: opts.dataSource,
  };
  if (opts.topK !== undefined) attributes[ATTR_RETRIEVAL_TOP_K] = opts.topK;
  return inSpan(`${OPERATION_RETRIEVAL} ${opts.dataSource}`, attributes, fn, (span, result) => {
    const documents = opts.documents ? opts.documents(result) : lengthOf(result);
    if (documents !== undefined) span.setAttribute(ATTR_RETRIEVAL_DOCUMENTS, documents);
  });
}

/** Runs `fn` in an `embeddings <model>` span priced from the catalog; tokens are estimated from `input` when the provider reports none. */
export function traceEmbedding<T>(opts: EmbeddingOptions<T>, fn: Traced<T>): Promise<T> {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_EMBEDDINGS,
    [ATTR_GEN_AI_PROVIDER_NAME]: opts.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: opts.model,
  };
  return inSpan(`${OPERATION_EMBEDDINGS} ${opts.model}`, attributes, fn, (span, result) => {
    let inputTokens = opts.inputTokens?.(result);
    if (inputTokens === undefined && opts.input !== undefined) {
      const texts: readonly string[] = typeof opts.input === 'string' ? [opts.input] : opts.input;
      inputTokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
      span.setAttribute(ATTR_USAGE_ESTIMATED, true);
    }
    if (inputTokens === undefined) return;
    span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, inputTokens);
    span.setAttributes(costAttributes(defaultPriceBook().cost(opts.model, { inputTokens, outputTokens: 0 }, { provider: opts.provider })));
  });
}

/** Runs `fn` in a `rerank <model>` span priced per query from the catalog. */
export function traceRerank<T>(opts: RerankOptions<T>, fn: Traced<T>): Promise<T> {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_RERANK,
    [ATTR_GEN_AI_PROVIDER_NAME]: opts.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: opts.model,
  };
  if (opts.topN !== undefined) attributes[ATTR_RETRIEVAL_TOP_K] = opts.topN;
  return inSpan(`${OPERATION_RERANK} ${opts.model}`, attributes, fn, (span, result) => {
    const returned = opts.returned ? opts.returned(result) : lengthOf(result);
    if (returned !== undefined) span.setAttribute(ATTR_RETRIEVAL_DOCUMENTS, returned);
    const usage = { inputTokens: 0, outputTokens: 0, queries: opts.queries ?? 1 };
    span.setAttributes(costAttributes(defaultPriceBook().cost(opts.model, usage, { provider: opts.provider })));
  });
}

/**
 * Records what context assembly added to the prompt on `span` (default: the active span) as the
 * `tokenledger.retrieval.*` attributes, and returns them.
 */
export function recordContextAssembly(assembly: ContextAssembly, span: Span | undefined = trace.getActiveSpan()): Attributes {
  const attributes: Attributes = {};
  try {
    if (assembly.documents !== undefined) attributes[ATTR_RETRIEVAL_DOCUMENTS] = assembly.documents;
    if (assembly.duplicates !== undefined) attributes[ATTR_RETRIEVAL_DUPLICATES] = assembly.duplicates;
    const tokens = assembly.contextTokens ?? (assembly.context !== undefined ? estimateTokens(assembly.context) : undefined);
    if (tokens !== undefined) attributes[ATTR_RETRIEVAL_CONTEXT_TOKENS] = tokens;
    if (assembly.topK !== undefined) attributes[ATTR_RETRIEVAL_TOP_K] = assembly.topK;
    span?.setAttributes(attributes);
  } catch (err) {
    diag.error('tokenledger retrieval: recordContextAssembly failed', err);
  }
  return attributes;
}

/** The span mechanics shared by the helpers: errors are recorded and rethrown unchanged; our own failures go to diag. */
function inSpan<T>(name: string, attributes: Attributes, fn: Traced<T>, onResult: (span: Span, result: T) => void): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const result = await fn(span);
      try {
        onResult(span, result);
      } catch (err) {
        diag.error(`tokenledger retrieval: recording ${name} failed`, err);
      }
      return result;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
      span.setAttribute(ATTR_ERROR_TYPE, (err as Error)?.name ?? 'Error');
      throw err;
    } finally {
      span.end();
    }
  });
}

function lengthOf(result: unknown): number | undefined {
  return Array.isArray(result) ? result.length : undefined;
}
