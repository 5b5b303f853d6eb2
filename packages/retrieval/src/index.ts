// Public API of @tokenledger/retrieval.
export { traceRetrieval, traceEmbedding, traceRerank, recordContextAssembly } from './spans.ts';
export { createPgInstrumentations } from './pg.ts';
export { classifyRetrievalSql } from './sql.ts';
export type { SqlRetrieval } from './sql.ts';
export type {
  ContextAssembly,
  EmbeddingOptions,
  PgRetrievalConfig,
  RerankOptions,
  RetrievalOptions,
  Traced,
} from './types.ts';
