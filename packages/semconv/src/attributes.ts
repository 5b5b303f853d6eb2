/**
 * Span attribute names (listed in docs/metrics-and-attributes.md, generated from this package): dashboards,
 * the collector and users depend on these spellings, so nothing else in the repository spells them.
 */

// --- OpenTelemetry GenAI semantic conventions (names as last released) ---
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** Includes cache-read and cache-creation tokens, as the convention says. */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** Seconds from request to the first chunk of a streamed response. */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_GEN_AI_DATA_SOURCE_ID = 'gen_ai.data_source.id';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
// Opt-in content (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true only).
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT = 'gen_ai.retrieval.query.text';
export const ATTR_GEN_AI_RETRIEVAL_DOCUMENTS = 'gen_ai.retrieval.documents';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';

// --- TokenLedger attributes (namespace `tokenledger.`) ---
export const ATTR_COST_USD = 'tokenledger.cost.usd';
export const ATTR_COST_INPUT_USD = 'tokenledger.cost.input_usd';
export const ATTR_COST_OUTPUT_USD = 'tokenledger.cost.output_usd';
export const ATTR_COST_CACHE_READ_USD = 'tokenledger.cost.cache_read_usd';
export const ATTR_COST_CACHE_WRITE_USD = 'tokenledger.cost.cache_write_usd';
/** `catalog:<version>`, `override`, `provider` or `unpriced`. */
export const ATTR_COST_SOURCE = 'tokenledger.cost.source';
export const ATTR_USAGE_ESTIMATED = 'tokenledger.usage.estimated';
export const ATTR_PRICE_TIER = 'tokenledger.price.tier';
export const ATTR_ROUTE = 'tokenledger.route';
export const ATTR_ROUTE_REASON = 'tokenledger.route.reason';
export const ATTR_RETRY_ATTEMPT = 'tokenledger.retry.attempt';
export const ATTR_RETRY_REASON = 'tokenledger.retry.reason';
export const ATTR_FALLBACK = 'tokenledger.fallback';
export const ATTR_TRANSPORT_ATTEMPTS = 'tokenledger.transport.attempts';
export const ATTR_REQUEST_HASH = 'tokenledger.request.hash';
export const ATTR_TENANT = 'tokenledger.tenant';
export const ATTR_FEATURE = 'tokenledger.feature';
export const ATTR_WORKFLOW = 'tokenledger.workflow';
export const ATTR_OUTCOME = 'tokenledger.outcome';
export const ATTR_OUTCOME_SUCCESS = 'tokenledger.outcome.success';
/** Business key of an outcome that may span traces and arrive later (a ticket or conversation id); carried in baggage like the tenant. */
export const ATTR_OUTCOME_KEY = 'tokenledger.outcome.key';
export const ATTR_PROMPT_TOKENS_SYSTEM = 'tokenledger.prompt.tokens.system';
export const ATTR_PROMPT_TOKENS_HISTORY = 'tokenledger.prompt.tokens.history';
export const ATTR_PROMPT_TOKENS_CONTEXT = 'tokenledger.prompt.tokens.context';
export const ATTR_PROMPT_TOKENS_USER = 'tokenledger.prompt.tokens.user';
export const ATTR_PROMPT_TOKENS_TOOLS = 'tokenledger.prompt.tokens.tools';
export const ATTR_RETRIEVAL_DOCUMENTS = 'tokenledger.retrieval.documents';
export const ATTR_RETRIEVAL_DUPLICATES = 'tokenledger.retrieval.duplicates';
export const ATTR_RETRIEVAL_CONTEXT_TOKENS = 'tokenledger.retrieval.context_tokens';
export const ATTR_RETRIEVAL_TOP_K = 'tokenledger.retrieval.top_k';
/** Provider-side latency the service reported (Bedrock `metrics.latencyMs`, invocation headers), in ms. */
export const ATTR_PROVIDER_LATENCY_MS = 'tokenledger.provider.latency_ms';

/** W3C baggage keys carrying attribution; the same spelling as the span attributes they become. */
export const BAGGAGE_TENANT = ATTR_TENANT;
export const BAGGAGE_FEATURE = ATTR_FEATURE;
export const BAGGAGE_WORKFLOW = ATTR_WORKFLOW;
export const BAGGAGE_OUTCOME_KEY = ATTR_OUTCOME_KEY;
/** Instance type serving a self-hosted model (SageMaker endpoint or OpenAI-compatible server), from configuration. */
export const ATTR_INSTANCE_TYPE = 'tokenledger.instance.type';
/** Bedrock batch inference: the job (ARN or name) a span belongs to, and the record within its output. */
export const ATTR_BATCH_JOB_ID = 'tokenledger.batch.job_id';
export const ATTR_BATCH_RECORD_ID = 'tokenledger.batch.record_id';

// --- Who, below the tenant (OpenTelemetry's names; kept in the collector's store, never as metric labels) ---
/** The user of the application (OpenTelemetry general attributes). */
export const ATTR_USER_ID = 'user.id';
/** The end user (older OpenTelemetry name, still common); read when `user.id` is absent. */
export const ATTR_ENDUSER_ID = 'enduser.id';
/** The user's session. */
export const ATTR_SESSION_ID = 'session.id';

// --- What the collector keeps of a span at decode time (everything else is skipped unread) ---
/** Span attribute namespaces the roll-up reads (OpenLLMetry/OpenLIT use `gen_ai.`, OpenInference `llm.`/`openinference.`). */
export const KEPT_SPAN_ATTRIBUTE_PREFIXES = ['gen_ai.', 'tokenledger.', 'llm.', 'openinference.'] as const;
/**
 * The OTLP instrumentation scope of a span, which says who made it (the producer table reads spans by it).
 * The receiver writes it under the span's own attributes, with the names OpenTelemetry uses for the scope
 * in formats without one (a span that carries them already, converted from such a format, keeps its own).
 */
export const ATTR_OTEL_SCOPE_NAME = 'otel.scope.name';
export const ATTR_OTEL_SCOPE_VERSION = 'otel.scope.version';
/** OpenTelemetry resource attributes that identify where a span ran. */
export const RESOURCE_SERVICE_NAME = 'service.name';
export const RESOURCE_HOST_ID = 'host.id';
export const RESOURCE_HOST_NAME = 'host.name';
export const RESOURCE_K8S_POD_NAME = 'k8s.pod.name';
/** All `cloud.*` resource attributes (provider, region, account, availability zone, platform). */
export const RESOURCE_CLOUD_PREFIX = 'cloud.';
/**
 * Attribution set on the resource (`OTEL_RESOURCE_ATTRIBUTES=tokenledger.tenant=acme`, one service per
 * tenant): kept and merged under the span's own attributes, so a span's own value wins.
 */
export const RESOURCE_ATTRIBUTION_KEYS = [ATTR_TENANT, ATTR_FEATURE, ATTR_WORKFLOW] as const;
/** AWS region a call went to (written on AWS SDK spans by the upstream aws-sdk instrumentation); quota pressure is per model and region. */
export const ATTR_CLOUD_REGION = 'cloud.region';

// --- Budget guard (@tokenledger/node, opt-in) ---
/** What the guard decided for this work: `allow`, `refuse`, `fallback`, `mark`, `fail_open` (collector unreachable, allowed). */
export const ATTR_BUDGET_DECISION = 'tokenledger.budget.decision';
/** Why, when not `allow`: `exceeded` (a monthly budget), `retry_attempts`, `retry_usd` (the request's retry budget), `unavailable` (no budget status). */
export const ATTR_BUDGET_REASON = 'tokenledger.budget.reason';
/** The budget that decided, `<scope>/<name>` (e.g. `tenant/acme`). */
export const ATTR_BUDGET_NAME = 'tokenledger.budget.name';
