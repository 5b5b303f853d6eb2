/** Metric names and label keys (contract: the collector's Prometheus table and the GenAI client metrics). */

// --- GenAI client metrics (OpenTelemetry semantic conventions) ---
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
/** Bucket boundaries the conventions recommend. */
export const GEN_AI_TOKEN_USAGE_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
export const GEN_AI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

// --- Collector roll-up metrics (Prometheus names) ---
export const METRIC_COST_USD_TOTAL = 'tokenledger_cost_usd_total';
export const METRIC_TOKENS_TOTAL = 'tokenledger_tokens_total';
export const METRIC_OUTCOMES_TOTAL = 'tokenledger_outcomes_total';
export const METRIC_OUTCOME_COST_USD = 'tokenledger_outcome_cost_usd';
export const METRIC_RETRY_COST_USD_TOTAL = 'tokenledger_retry_cost_usd_total';
export const METRIC_CACHE_SAVINGS_USD_TOTAL = 'tokenledger_cache_savings_usd_total';
export const METRIC_UNPRICED_CALLS_TOTAL = 'tokenledger_unpriced_calls_total';
export const METRIC_TIME_TO_FIRST_TOKEN_SECONDS = 'tokenledger_time_to_first_token_seconds';
export const METRIC_LATE_SPANS_TOTAL = 'tokenledger_late_spans_total';
export const METRIC_BUDGET_USED_RATIO = 'tokenledger_budget_used_ratio';
export const METRIC_BUDGET_USD = 'tokenledger_budget_usd';
export const METRIC_CAPACITY_COST_USD_TOTAL = 'tokenledger_capacity_cost_usd_total';
export const METRIC_IDLE_CAPACITY_COST_USD_TOTAL = 'tokenledger_idle_capacity_cost_usd_total';
/** Input tokens by where they come from (label `source`), from the `prompt.tokens.*` span attributes. */
export const METRIC_PROMPT_TOKENS_TOTAL = 'tokenledger_prompt_tokens_total';

// --- Label keys ---
export const LABEL_TENANT = 'tenant';
export const LABEL_FEATURE = 'feature';
export const LABEL_WORKFLOW = 'workflow';
export const LABEL_ROUTE = 'route';
export const LABEL_PROVIDER = 'provider';
export const LABEL_MODEL = 'model';
export const LABEL_COMPONENT = 'component';
export const LABEL_TYPE = 'type';
export const LABEL_OUTCOME = 'outcome';
export const LABEL_SUCCESS = 'success';
export const LABEL_SCOPE = 'scope';
export const LABEL_NAME = 'name';
export const LABEL_INSTANCE_TYPE = 'instance_type';
export const LABEL_INSTANCE_ID = 'instance_id';
/** Label of METRIC_PROMPT_TOKENS_TOTAL: one of PROMPT_TOKEN_SOURCES. */
export const LABEL_SOURCE = 'source';
/** The one series that holds everything past the cardinality limit. */
export const LABEL_OVERFLOW = 'otel_metric_overflow';

// --- Collector operational metrics (not part of the dashboards' contract) ---
export const METRIC_SPANS_ACCEPTED_TOTAL = 'tokenledger_collector_spans_accepted_total';
export const METRIC_SPANS_REFUSED_TOTAL = 'tokenledger_collector_spans_refused_total';
export const METRIC_BACKPRESSURE_TOTAL = 'tokenledger_collector_backpressure_total';
export const METRIC_TRACES_OPEN = 'tokenledger_collector_traces_open';
export const METRIC_SPANS_OPEN = 'tokenledger_collector_spans_open';
export const METRIC_TRACES_FINALISED_TOTAL = 'tokenledger_collector_traces_finalised_total';
export const METRIC_COMMIT_BATCHES_TOTAL = 'tokenledger_collector_commit_batches_total';
/** Label of METRIC_TRACES_FINALISED_TOTAL: `idle`, `max_age` or `late`. */
export const LABEL_REASON = 'reason';
