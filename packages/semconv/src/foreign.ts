/**
 * Attribute names written by other instrumentations, read by the collector so their spans are
 * priced too. Kept apart from our own names: we read these, we never write them.
 */

/** Old GenAI name, still written by the upstream aws-sdk instrumentation and OpenLLMetry. */
export const FOREIGN_GEN_AI_SYSTEM = 'gen_ai.system';
/** OpenLLMetry (traceloop) and pre-1.27 GenAI names. */
export const FOREIGN_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
export const FOREIGN_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
export const FOREIGN_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read_input_tokens';
export const FOREIGN_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation_input_tokens';
export const FOREIGN_LLM_USAGE_TOTAL_TOKENS = 'llm.usage.total_tokens';
/** OpenLIT: total cost in USD already computed by the instrumentation. */
export const FOREIGN_GEN_AI_USAGE_COST = 'gen_ai.usage.cost';
/** OpenInference. */
export const FOREIGN_LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
export const FOREIGN_LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
export const FOREIGN_LLM_TOKEN_COUNT_PROMPT_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
export const FOREIGN_LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
export const FOREIGN_LLM_COST_TOTAL = 'llm.cost.total';
export const FOREIGN_LLM_MODEL_NAME = 'llm.model_name';
export const FOREIGN_LLM_PROVIDER = 'llm.provider';
export const FOREIGN_LLM_SYSTEM = 'llm.system';
/** OpenInference span kind (`LLM`, `EMBEDDING`, `RETRIEVER`, `RERANKER`). */
export const FOREIGN_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';

// --- Read from other instrumentations' spans: names checked in their packages' source (see the producer
// table, collector/src/producers/table.ts, for which package and version writes each) ---
/** OpenLIT: the request was streamed (its older name for `gen_ai.request.stream`). */
export const FOREIGN_GEN_AI_REQUEST_IS_STREAM = 'gen_ai.request.is_stream';
/** OpenLIT: the openlit package version on every span it writes (its scope version is always 1.0.0). */
export const FOREIGN_GEN_AI_SDK_VERSION = 'gen_ai.sdk.version';
/** OpenLIT: seconds to the first streamed chunk. */
export const FOREIGN_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN = 'gen_ai.server.time_to_first_token';
/** Vercel AI SDK (`@ai-sdk/otel`, OpenTelemetry integration): seconds to the first streamed chunk, as a span attribute. */
export const FOREIGN_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
/** Vercel AI SDK legacy spans (`LegacyOpenTelemetry`, scope `ai`). */
export const FOREIGN_AI_OPERATION_ID = 'ai.operationId';
export const FOREIGN_AI_MODEL_ID = 'ai.model.id';
export const FOREIGN_AI_MODEL_PROVIDER = 'ai.model.provider';
export const FOREIGN_AI_USAGE_TOKENS = 'ai.usage.tokens';
export const FOREIGN_AI_USAGE_CACHE_READ_TOKENS = 'ai.usage.inputTokenDetails.cacheReadTokens';
export const FOREIGN_AI_USAGE_CACHE_WRITE_TOKENS = 'ai.usage.inputTokenDetails.cacheWriteTokens';
export const FOREIGN_AI_RESPONSE_MS_TO_FIRST_CHUNK = 'ai.response.msToFirstChunk';
/** The AWS SDK operation of an `@opentelemetry/instrumentation-aws-sdk` span (`Converse`, `InvokeModelWithResponseStream`, …). */
export const FOREIGN_RPC_METHOD = 'rpc.method';
