import type { Span } from '@opentelemetry/api';

/** A retrieval call against any store (vector DB, search engine, knowledge base). */
export interface RetrievalOptions<T> {
  /** The data source id: the store, index or collection searched (e.g. `pg:docs`, a knowledge-base id). */
  dataSource: string;
  /** Top-k: how many results were asked for. */
  topK?: number;
  /** Documents returned, from the result; default: the result's length when it is an array. */
  documents?: (result: T) => number | undefined;
}

/** What context assembly did with the retrieved documents, for `recordContextAssembly`. */
export interface ContextAssembly {
  /** Documents kept for the prompt. */
  documents?: number;
  /** Documents dropped as duplicates. */
  duplicates?: number;
  /** Tokens the assembled context adds to the prompt; when absent and `context` is given, it is counted with the tokenizer. */
  contextTokens?: number;
  /** The assembled context text, only to count its tokens (never recorded). */
  context?: string;
  /** Results asked for per retrieval. */
  topK?: number;
}

/** An embedding call to any provider, priced from the catalog. */
export interface EmbeddingOptions<T> {
  /** Provider name (e.g. `openai`, `aws.bedrock`, `cohere`). */
  provider: string;
  /** Model id, also the price key. */
  model: string;
  /** The texts embedded; used to estimate tokens (marked estimated) when `inputTokens` gives none. Never recorded. */
  input?: string | readonly string[];
  /** Provider-reported input tokens, from the result. */
  inputTokens?: (result: T) => number | undefined;
}

/** A rerank call to any provider, priced per query (search unit) from the catalog. */
export interface RerankOptions<T> {
  provider: string;
  model: string;
  /** Documents sent to be reranked. */
  documents?: number;
  /** Top-k: results asked for. */
  topN?: number;
  /** Billed queries (search units); default 1. */
  queries?: number;
  /** Documents returned, from the result; default: the result's length when it is an array. */
  returned?: (result: T) => number | undefined;
}

/** The work a traced helper runs inside its span. */
export type Traced<T> = (span: Span) => Promise<T> | T;

/** Configuration of the PostgreSQL retrieval instrumentation (`createPgInstrumentations`). */
export interface PgRetrievalConfig {
  /**
   * Names the data source of a retrieval query. Default: `<database>.<table>` from the connection and the
   * query's first FROM table (or the database alone when no table is found).
   */
  dataSourceId?: (info: { database?: string; table?: string; text: string }) => string;
  /** Passed to the upstream pg instrumentation: only trace queries inside an existing span. Default false. */
  requireParentSpan?: boolean;
}
