// Provider-neutral recording of a model call on its span (usage, response, cost, the GenAI metrics, content
// gate), shared by every provider instrumentation.
import { diag, SpanStatusCode, ValueType, type Attributes, type Histogram, type Meter, type Span } from '@opentelemetry/api';
import { costAttributes, defaultPriceBook, type Usage } from '@tokenledger/pricing';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_USAGE_ESTIMATED,
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_TOKEN_USAGE_BUCKETS,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  ENV_CAPTURE_MESSAGE_CONTENT,
  type PriceTier,
} from '@tokenledger/semconv';
import { promptTokenAttributes, type PromptChars } from './prompt-breakdown.ts';
import { selfHostedCost, type SelfHostedEndpoint } from './self-hosted.ts';

/** The GenAI client histograms, created once per meter. */
export interface GenAiMetrics {
  tokenUsage: Histogram;
  duration: Histogram;
  timeToFirstChunk: Histogram;
}

export function createGenAiMetrics(meter: Meter): GenAiMetrics {
  return {
    tokenUsage: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      unit: '{token}', description: 'Input and output tokens used', valueType: ValueType.INT,
      advice: { explicitBucketBoundaries: GEN_AI_TOKEN_USAGE_BUCKETS },
    }),
    duration: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      unit: 's', description: 'GenAI operation duration', advice: { explicitBucketBoundaries: GEN_AI_DURATION_BUCKETS },
    }),
    timeToFirstChunk: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, {
      unit: 's', description: 'Time to the first chunk of a streamed response', advice: { explicitBucketBoundaries: GEN_AI_DURATION_BUCKETS },
    }),
  };
}

/** Identity of one model call, fixed when it starts. */
export interface CallInfo {
  provider: string;
  operation: string;
  requestModel: string;
  /** Token counts came from a tokenizer, not the provider. */
  estimated?: boolean;
  /** A self-hosted server from configuration: priced by its instances' time, not per token. */
  selfHosted?: SelfHostedEndpoint;
  /** Characters of the request by where they come from: the reported input tokens are apportioned by them. */
  prompt?: PromptChars;
}

/** What one call returned that its span records, whatever the API shape. */
export interface CallResult {
  responseId?: string;
  responseModel?: string;
  finishReasons?: string[];
  usage?: Usage;
  /** The provider's own service-tier value (OpenAI `service_tier`, Anthropic `usage.service_tier`), before it is mapped to `tier`. */
  serviceTier?: string;
  /** The price tier the call is priced at; default `on_demand`. */
  tier?: PriceTier;
  /** AWS region of the call (regional prices); Bedrock `performanceConfig.latency` it ran with. */
  region?: string;
  latency?: string;
}

/** Usage, response and cost attributes of a finished call, and its metrics (the business outcome is @tokenledger/node's recordOutcome). */
export function recordCallResult(span: Span, metrics: GenAiMetrics | undefined, call: CallInfo, result: CallResult, durationS: number, ttftS?: number): void {
  const model = result.responseModel ?? call.requestModel;
  if (result.responseId) span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, result.responseId);
  if (result.responseModel) span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, result.responseModel);
  if (result.finishReasons?.length) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, result.finishReasons);
  if (ttftS !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, ttftS);
  const u = result.usage;
  if (u) {
    span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, u.inputTokens);
    span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, u.outputTokens);
    if (u.cacheReadInputTokens !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, u.cacheReadInputTokens);
    if (u.cacheCreationInputTokens !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, u.cacheCreationInputTokens);
    if (u.reasoningOutputTokens !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, u.reasoningOutputTokens);
    if (call.estimated) span.setAttribute(ATTR_USAGE_ESTIMATED, true);
    if (call.prompt) span.setAttributes(promptTokenAttributes(call.prompt, u.inputTokens));
    if (!call.selfHosted) {
      const opts = { provider: call.provider, tier: result.tier, region: result.region, latency: result.latency, durationS };
      span.setAttributes(costAttributes(defaultPriceBook().cost(model, u, opts)));
    }
  }
  if (call.selfHosted) span.setAttributes(selfHostedCost(call.selfHosted, durationS));
  if (!metrics) return;
  metrics.duration.record(durationS, metricAttributes(call, result.responseModel));
  if (ttftS !== undefined) metrics.timeToFirstChunk.record(ttftS, metricAttributes(call, result.responseModel));
  if (u) {
    metrics.tokenUsage.record(u.inputTokens, metricAttributes(call, result.responseModel, 'input'));
    metrics.tokenUsage.record(u.outputTokens, metricAttributes(call, result.responseModel, 'output'));
  }
}

/** The metric attributes of a call, built in one literal (no spread copies on the hot path). */
function metricAttributes(call: CallInfo, responseModel: string | undefined, tokenType?: string): Attributes {
  const attrs: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: call.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: call.requestModel,
  };
  if (responseModel) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
  if (tokenType) attrs[ATTR_GEN_AI_TOKEN_TYPE] = tokenType;
  return attrs;
}

/** Error status and `error.type` on the span, and the duration metric with the error. */
export function recordError(span: Span, metrics: GenAiMetrics | undefined, call: CallInfo, err: unknown, durationS: number): void {
  span.recordException(err as Error);
  const type = markFailed(span, err);
  metrics?.duration.record(durationS, {
    [ATTR_GEN_AI_OPERATION_NAME]: call.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: call.requestModel,
    [ATTR_ERROR_TYPE]: type,
  });
}

/** Error status and `error.type` on a span whose call failed; returns the type. */
export function markFailed(span: Span, err: unknown): string {
  const type = errorType(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
  span.setAttribute(ATTR_ERROR_TYPE, type);
  return type;
}

/** The HTTP status for SDK API errors (low cardinality), else the error class name. */
export function errorType(err: unknown): string {
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number') return String(status);
  return (err as Error)?.name || 'Error';
}

/** Runs instrumentation code; its failures go to diag, never to the app. */
export function safely<T>(what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    diag.error(`tokenledger: ${what} failed`, err);
    return undefined;
  }
}

/** Whether prompt and completion content may be recorded: only when the user opted in. */
export function captureContent(): boolean {
  return process.env[ENV_CAPTURE_MESSAGE_CONTENT]?.toLowerCase() === 'true';
}
