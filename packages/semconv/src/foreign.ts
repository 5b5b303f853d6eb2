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
