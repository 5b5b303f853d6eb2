/** Enumerated attribute and label values of the contract. */

export const PROVIDER_AWS_BEDROCK = 'aws.bedrock';
/** Not defined by the GenAI conventions; chosen by analogy with `aws.bedrock`. */
export const PROVIDER_AWS_SAGEMAKER = 'aws.sagemaker';
export const PROVIDER_OPENAI = 'openai';
export const PROVIDER_ANTHROPIC = 'anthropic';
export const PROVIDER_COHERE = 'cohere';

export const OPERATION_CHAT = 'chat';
export const OPERATION_TEXT_COMPLETION = 'text_completion';
export const OPERATION_GENERATE_CONTENT = 'generate_content';
export const OPERATION_EMBEDDINGS = 'embeddings';
export const OPERATION_RETRIEVAL = 'retrieval';
/** Not in the GenAI conventions; used for rerank calls. */
export const OPERATION_RERANK = 'rerank';
export const OPERATION_INVOKE_AGENT = 'invoke_agent';

export const PRICE_TIERS = ['on_demand', 'batch', 'flex', 'priority', 'provisioned', 'self_hosted'] as const;
export type PriceTier = (typeof PRICE_TIERS)[number];

export const COST_SOURCE_OVERRIDE = 'override';
export const COST_SOURCE_PROVIDER = 'provider';
export const COST_SOURCE_UNPRICED = 'unpriced';
export const costSourceCatalog = (version: string): string => `catalog:${version}`;
/** The maintained price source behind the catalog (npm `@pydantic/genai-prices`), with its installed version. */
export const COST_SOURCE_MAINTAINED_NAME = 'genai-prices';
export const costSourceMaintained = (version: string): string => `${COST_SOURCE_MAINTAINED_NAME}:${version}`;

export const COST_COMPONENTS = [
  'input', 'output', 'cache_read', 'cache_write', 'retrieval', 'embedding', 'rerank', 'self_hosted',
] as const;
export type CostComponent = (typeof COST_COMPONENTS)[number];

/** `tokenledger_tokens_total{type}`: `input` is uncached input. */
export const TOKEN_TYPES = ['input', 'cache_read', 'cache_write', 'output'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** `tokenledger_prompt_tokens_total{source}`: the parts of a prompt the instrumentation can tell apart. */
export const PROMPT_TOKEN_SOURCES = ['system', 'history', 'context', 'user', 'tools'] as const;
export type PromptTokenSource = (typeof PROMPT_TOKEN_SOURCES)[number];

/** Outcome label for traces that named none, and for outcome keys whose window closed without one; never a success. */
export const OUTCOME_NONE = 'none';
/** Outcome of an outcome key still waiting for its report (API rows, the trace index; never a metric label). */
export const OUTCOME_PENDING = 'pending';
/** States of an outcome key (label `state` of tokenledger_outcome_keys). */
export const OUTCOME_KEY_STATES = ['pending', 'reported', 'closed'] as const;
export type OutcomeKeyState = (typeof OUTCOME_KEY_STATES)[number];
export const SUCCESS_TRUE = 'true';
export const SUCCESS_FALSE = 'false';
export const SUCCESS_UNKNOWN = 'unknown';

/** Env var that opts in to recording prompt and completion content. */
export const ENV_CAPTURE_MESSAGE_CONTENT = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/** Label value when a trace or call does not say (tenant, feature, workflow, route, provider, model). */
export const LABEL_VALUE_UNKNOWN = 'unknown';
/** Label value of the one overflow series past the cardinality limit. */
export const OVERFLOW_TRUE = 'true';

/** Consistency checks on every span the collector prices (label `check` of tokenledger_span_checks_failed_total). */
export const CHECK_INPUT_BELOW_CACHE = 'input_below_cache';
export const CHECK_NEGATIVE_COUNT = 'negative_count';
export const CHECK_NON_NUMERIC_COUNT = 'non_numeric_count';
export const CHECK_COST_WITHOUT_TOKENS = 'cost_without_tokens';
export const CHECK_NEGATIVE_COST = 'negative_cost';
export const CHECK_NON_NUMERIC_COST = 'non_numeric_cost';
/** Above the plausible bound of one call (a count over 1e9, a cost over $1e6): never summed, so no sum overflows. */
export const CHECK_TOO_LARGE_COUNT = 'too_large_count';
export const CHECK_TOO_LARGE_COST = 'too_large_cost';
export const SPAN_CHECKS = [
  CHECK_INPUT_BELOW_CACHE, CHECK_NEGATIVE_COUNT, CHECK_NON_NUMERIC_COUNT, CHECK_COST_WITHOUT_TOKENS, CHECK_NEGATIVE_COST, CHECK_NON_NUMERIC_COST,
  CHECK_TOO_LARGE_COUNT, CHECK_TOO_LARGE_COST,
] as const;
export type SpanCheck = (typeof SPAN_CHECKS)[number];

/** Why another producer's cost attribute was not the price (label `reason` of tokenledger_foreign_cost_ignored_total). */
export const FOREIGN_COST_DISAGREES = 'disagrees';
export const FOREIGN_COST_ZERO = 'zero';

/** Label value of a span's producer when no entry of the producer table knows its scope: read by the GenAI conventions. */
export const PRODUCER_GENAI_SEMCONV = 'genai-semconv';
/** Budget guard decisions (`tokenledger.budget.decision`) and reasons (`tokenledger.budget.reason`). */
export const BUDGET_DECISIONS = ['allow', 'refuse', 'fallback', 'mark', 'fail_open'] as const;
export type BudgetDecision = (typeof BUDGET_DECISIONS)[number];
export const BUDGET_REASONS = ['exceeded', 'retry_attempts', 'retry_usd', 'unavailable'] as const;
export type BudgetReason = (typeof BUDGET_REASONS)[number];

/** `tokenledger_throttles_total{kind}`: SDK attempts retried inside a call, or a call that failed throttled. */
export const THROTTLE_KINDS = ['retry', 'error'] as const;
/** Savings Plan types of `tokenledger_savings_plan_*{plan}`. */
export const SAVINGS_PLAN_TYPES = ['compute', 'ec2_instance'] as const;
export type SavingsPlanType = (typeof SAVINGS_PLAN_TYPES)[number];

/** Why a metric refused an addition (`tokenledger_collector_observations_refused_total{reason}`). */
export const REFUSED_NEGATIVE = 'negative';
export const REFUSED_NON_FINITE = 'non_finite';
/** What the store was writing when it failed (`tokenledger_collector_store_write_failures_total{operation}`). */
export const STORE_OPERATIONS = ['accept', 'finalise', 'series', 'probe'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];
/** Why the OTLP receiver refused a request (`tokenledger_collector_requests_refused_total{reason}`). */
export const REFUSAL_REASONS = [
  'unauthenticated', 'bad_request', 'too_large', 'in_flight', 'peer_in_flight', 'slow_upload', 'shutting_down', 'unavailable',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
