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
/**
 * Model calls whose usage is unknown (a model span with no token counts and no cost), by provider, model and
 * producer: the sibling of METRIC_UNPRICED_CALLS_TOTAL, which counts them too (they are never priced at $0).
 */
export const METRIC_UNKNOWN_USAGE_CALLS_TOTAL = 'tokenledger_unknown_usage_calls_total';
/**
 * Cost of calls whose spans cannot carry cache counts (the producer drops them): priced as if nothing was
 * cached, so the true cost may differ by the cache's effect. Included in METRIC_COST_USD_TOTAL; this says how much.
 */
export const METRIC_COST_EXCLUDING_CACHE_USD_TOTAL = 'tokenledger_cost_excluding_cache_usd_total';
/** Cost attributes of other producers not taken as the price (label `reason`: `disagrees` with the catalog, `zero`), by producer. */
export const METRIC_FOREIGN_COST_IGNORED_TOTAL = 'tokenledger_foreign_cost_ignored_total';
/** Spans failing a consistency check (label `check`, one of SPAN_CHECKS), by producer. */
export const METRIC_SPAN_CHECKS_FAILED_TOTAL = 'tokenledger_span_checks_failed_total';

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
/** Which instrumentation wrote a span (an entry of the collector's producer table, e.g. `openlit`, or `genai-semconv`). */
export const LABEL_PRODUCER = 'producer';
/** Label of METRIC_SPAN_CHECKS_FAILED_TOTAL. */
export const LABEL_CHECK = 'check';
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
/** Span attribute strings longer than a label value may be (256 characters), cut as they were accepted (label `attribute`). */
export const METRIC_LONG_VALUES_TOTAL = 'tokenledger_collector_long_values_total';
/** Label of METRIC_LONG_VALUES_TOTAL: the span attribute's name. */
export const LABEL_ATTRIBUTE = 'attribute';
/** Additions a metric refused (labels `metric`, `reason`: negative or non-finite): what no counter may take. */
export const METRIC_OBSERVATIONS_REFUSED_TOTAL = 'tokenledger_collector_observations_refused_total';
/** Label of METRIC_OBSERVATIONS_REFUSED_TOTAL: the metric's name. */
export const LABEL_METRIC = 'metric';
/** Store writes that failed (a full disk, an I/O error), by `operation`: one of STORE_OPERATIONS. */
export const METRIC_STORE_WRITE_FAILURES_TOTAL = 'tokenledger_collector_store_write_failures_total';
/** 1 while the store takes writes, 0 while they fail (new spans get 503, /readyz 503, the finaliser retries). */
export const METRIC_STORE_WRITABLE = 'tokenledger_collector_store_writable';
/** Label of METRIC_STORE_WRITE_FAILURES_TOTAL. */
export const LABEL_OPERATION = 'operation';
/** OTLP requests refused, by `reason` (one of REFUSAL_REASONS): 4xx for the client's fault, 429/503/408 to retry. */
export const METRIC_REQUESTS_REFUSED_TOTAL = 'tokenledger_collector_requests_refused_total';

// --- Outcome keys and the trace index (collector) ---
/** Outcome keys in the key index, by state (`pending`: waiting for its outcome; `reported`: outcome known, window open; `closed`: remembered so a repeated report stays idempotent). */
export const METRIC_OUTCOME_KEYS = 'tokenledger_outcome_keys';
/** The key index's bound (TOKENLEDGER_OUTCOME_MAX_KEYS): at it, new keys are refused. */
export const METRIC_OUTCOME_KEYS_MAX = 'tokenledger_outcome_keys_max';
/** Outcome reports (POST /api/v1/outcomes, reportOutcome(), an outcome on a keyed trace) by result: `recorded`, `repeat`, `conflict`, `index_full`. */
export const METRIC_OUTCOME_REPORTS_TOTAL = 'tokenledger_outcome_reports_total';
/** Traces carrying an outcome key that were rolled up on their own, by reason: `index_full` (no room for a new key), `closed` (after the key's window). */
export const METRIC_OUTCOME_KEY_TRACES_UNKEYED_TOTAL = 'tokenledger_outcome_key_traces_unkeyed_total';
/** Traces dropped from the per-trace index to keep it within TOKENLEDGER_TRACE_INDEX_MAX_TRACES (the cheapest of their workflow and hour). */
export const METRIC_TRACE_INDEX_TRIMMED_TOTAL = 'tokenledger_trace_index_trimmed_total';
/** Finalised batches waiting in the local outbox for the shared store (TOKENLEDGER_SHARED_STORE); it grows while PostgreSQL is unreachable. */
export const METRIC_SHARED_OUTBOX_BATCHES = 'tokenledger_shared_outbox_batches';
/** Label of METRIC_OUTCOME_KEYS. */
export const LABEL_STATE = 'state';
/** Exemplar label carrying the trace id (OpenMetrics exemplars on the cost counter and the outcome-cost histogram). */
export const EXEMPLAR_TRACE_ID = 'trace_id';

// --- CloudWatch export, EMF, budgets and forecasts (collector) ---
/** Requests whose outcome is unknown (timed out or reset after sending): PutMetricData has no idempotency token. */
export const METRIC_CLOUDWATCH_AMBIGUOUS_REQUESTS_TOTAL = 'tokenledger_cloudwatch_ambiguous_requests_total';
/** Metric data carried by those requests and sent again: an upper bound of the duplicates CloudWatch may hold. */
export const METRIC_CLOUDWATCH_AMBIGUOUS_DATUMS_TOTAL = 'tokenledger_cloudwatch_ambiguous_datums_total';
/** PutMetricData requests by result (`ok`, `throttled`, `server_error`, `timeout`, `network`, `invalid`, `other`). */
export const METRIC_CLOUDWATCH_REQUESTS_TOTAL = 'tokenledger_cloudwatch_requests_total';
/** Metric data acknowledged by CloudWatch. */
export const METRIC_CLOUDWATCH_DATUMS_SENT_TOTAL = 'tokenledger_cloudwatch_datums_sent_total';
/** Metric data dropped, by reason (`invalid` = rejected by CloudWatch, `non_finite`, `too_old`, `too_new`). */
export const METRIC_CLOUDWATCH_DATUMS_DROPPED_TOTAL = 'tokenledger_cloudwatch_datums_dropped_total';
/** Rows waiting in the durable CloudWatch outbox. */
export const METRIC_CLOUDWATCH_OUTBOX_ROWS = 'tokenledger_cloudwatch_outbox_rows';
/** EMF events written. */
export const METRIC_EMF_EVENTS_TOTAL = 'tokenledger_emf_events_total';
/** Month-end spend forecast in USD (month to date + trailing daily rate × days left), by scope (`tenant`, `workflow`) and name. */
export const METRIC_FORECAST_MONTH_USD = 'tokenledger_forecast_month_usd';
/** Label of the CloudWatch request and drop counters. */
export const LABEL_RESULT = 'result';

/** CloudWatch/EMF metric names (namespace set by TOKENLEDGER_CLOUDWATCH_NAMESPACE). */
export const CLOUDWATCH_METRIC_COST_USD = 'CostUSD';
export const CLOUDWATCH_METRIC_OUTCOME_COST_USD = 'OutcomeCostUSD';
export const CLOUDWATCH_METRIC_OUTCOMES = 'Outcomes';
export const CLOUDWATCH_METRIC_SUCCESSES = 'Successes';
export const CLOUDWATCH_METRIC_TOKENS = 'Tokens';
export const CLOUDWATCH_METRIC_RETRY_COST_USD = 'RetryCostUSD';
export const CLOUDWATCH_METRIC_CACHE_SAVINGS_USD = 'CacheSavingsUSD';
export const CLOUDWATCH_METRIC_UNPRICED_CALLS = 'UnpricedCalls';
export const CLOUDWATCH_METRIC_TIME_TO_FIRST_TOKEN = 'TimeToFirstToken';
/** CloudWatch/EMF dimension names. */
export const CLOUDWATCH_DIM_TENANT = 'Tenant';
export const CLOUDWATCH_DIM_FEATURE = 'Feature';
export const CLOUDWATCH_DIM_WORKFLOW = 'Workflow';
export const CLOUDWATCH_DIM_ROUTE = 'Route';
export const CLOUDWATCH_DIM_PROVIDER = 'Provider';
export const CLOUDWATCH_DIM_MODEL = 'Model';
export const CLOUDWATCH_DIM_OUTCOME = 'Outcome';
export const CLOUDWATCH_DIM_COMPONENT = 'Component';
export const CLOUDWATCH_DIM_TOKEN_TYPE = 'TokenType';

// --- Quota pressure and throttles (collector) ---
/** Tokens counted against Bedrock's tokens-per-minute quota (input + cache write + output × burndown rate), by model and region. */
export const METRIC_QUOTA_TOKENS_TOTAL = 'tokenledger_quota_tokens_total';
/** The same over the last minute: the estimated tokens-per-minute quota usage. */
export const METRIC_QUOTA_TOKENS_PER_MINUTE = 'tokenledger_quota_tokens_per_minute';
/** The tokens-per-minute quota configured for a model and region. */
export const METRIC_QUOTA_LIMIT_TOKENS_PER_MINUTE = 'tokenledger_quota_limit_tokens_per_minute';
/** Estimated tokens per minute ÷ the configured quota. */
export const METRIC_QUOTA_USAGE_RATIO = 'tokenledger_quota_usage_ratio';
/** Throttling by model and region: SDK attempts retried inside calls (`kind="retry"`) and calls that failed throttled (`kind="error"`). */
export const METRIC_THROTTLES_TOTAL = 'tokenledger_throttles_total';
/** Label of METRIC_THROTTLES_TOTAL: one of THROTTLE_KINDS. */
export const LABEL_KIND = 'kind';

// --- Savings Plans from the capacity ledger (collector) ---
/** The hourly on-demand spend a Savings Plan should cover (a low percentile of the last 30 days' hourly spend), by plan and instance family. */
export const METRIC_SAVINGS_PLAN_BASELINE_USD_PER_HOUR = 'tokenledger_savings_plan_baseline_usd_per_hour';
/** The commitment covering that baseline at the configured discount, in USD per hour. */
export const METRIC_SAVINGS_PLAN_COMMITMENT_USD_PER_HOUR = 'tokenledger_savings_plan_commitment_usd_per_hour';
/** What that commitment would have saved over the window, per hour on average. */
export const METRIC_SAVINGS_PLAN_SAVING_USD_PER_HOUR = 'tokenledger_savings_plan_saving_usd_per_hour';
/** Savings Plan type: one of SAVINGS_PLAN_TYPES. */
export const LABEL_PLAN = 'plan';
/** Instance family (`inf2`, `g5`), or `all` for a Compute Savings Plan. */
export const LABEL_FAMILY = 'family';

// --- @tokenledger/node instruments (OpenTelemetry metric names, exported over OTLP) ---
/** Model requests started and not yet ended in this process (an up-down counter), by model and endpoint. */
export const INSTRUMENT_MODEL_REQUESTS_IN_FLIGHT = 'tokenledger.model.requests.in_flight';
/** Budget guard decisions, by decision, reason and policy. */
export const INSTRUMENT_BUDGET_DECISIONS = 'tokenledger.budget.decisions';
/** Attribute of the decisions counter: the policy the app asked for (`refuse`, `fallback`, `mark`, or `check` for checkBudget). */
export const INSTRUMENT_ATTR_POLICY = 'tokenledger.budget.policy';

// --- Serving-layer metrics read for autoscaling (their own exporters' names) ---
/** vLLM: requests running on the GPU (Prometheus names; OTLP through a Collector's prometheus receiver). */
export const SERVING_VLLM_REQUESTS_RUNNING = 'vllm:num_requests_running';
/** vLLM: requests waiting in its queue. */
export const SERVING_VLLM_REQUESTS_WAITING = 'vllm:num_requests_waiting';
/** Text Generation Inference: the current batch size (requests running). */
export const SERVING_TGI_BATCH_SIZE = 'tgi_batch_current_size';
/** Text Generation Inference: requests queued. */
export const SERVING_TGI_QUEUE_SIZE = 'tgi_queue_size';

/** CloudWatch autoscaling and quota signals. */
export const CLOUDWATCH_METRIC_NEURONCORE_UTILIZATION = 'NeuronCoreUtilization';
export const CLOUDWATCH_METRIC_GPU_UTILIZATION = 'GPUUtilization';
export const CLOUDWATCH_METRIC_IN_FLIGHT_REQUESTS = 'InFlightRequests';
export const CLOUDWATCH_METRIC_QUEUE_LENGTH = 'QueueLength';
export const CLOUDWATCH_METRIC_TOKENS_PER_MINUTE = 'TokensPerMinute';
export const CLOUDWATCH_METRIC_QUOTA_TOKENS = 'QuotaTokens';
export const CLOUDWATCH_METRIC_QUOTA_USAGE = 'QuotaUsage';
export const CLOUDWATCH_METRIC_THROTTLES = 'Throttles';
export const CLOUDWATCH_DIM_INSTANCE_ID = 'InstanceId';
export const CLOUDWATCH_DIM_INSTANCE_TYPE = 'InstanceType';
export const CLOUDWATCH_DIM_AUTO_SCALING_GROUP = 'AutoScalingGroupName';
export const CLOUDWATCH_DIM_ENDPOINT_NAME = 'EndpointName';
export const CLOUDWATCH_DIM_VARIANT_NAME = 'VariantName';
export const CLOUDWATCH_DIM_ENDPOINT = 'Endpoint';
export const CLOUDWATCH_DIM_REGION = 'Region';
