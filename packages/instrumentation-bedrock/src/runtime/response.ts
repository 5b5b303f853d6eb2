// Response side of a Bedrock Runtime call, run in a middleware inside the AWS span: usage (normalised),
// cost, tier, provider latency, transport attempts, prompt breakdown, and the streams observed on their
// way to the app (time to first chunk; usage written before the upstream instrumentation ends the span,
// also when the app abandons the stream).
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { type CallResult, recordCallResult, safely } from '@tokenledger/instrumentation-core';
import { approximateTokens, estimateTokens, type Usage } from '@tokenledger/pricing';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_PRICE_TIER,
  ATTR_PROVIDER_LATENCY_MS,
  ATTR_TRANSPORT_ATTEMPTS,
  PROVIDER_AWS_BEDROCK,
  type PriceTier,
} from '@tokenledger/semconv';
import { type CallState, getCallState } from './call-state.ts';
import { genAiMetrics } from './genai-metrics.ts';
import { bodyText, bodyUsage, ChunkUsage, finishReason, novaUsage, reportsNoUsage } from './native-usage.ts';
import { promptTokenAttributes } from './prompt-breakdown.ts';
import { parseJson } from './request.ts';

/** Bedrock service tiers → price tiers. */
const TIERS: Record<string, PriceTier> = { default: 'on_demand', flex: 'flex', priority: 'priority', reserved: 'provisioned' };

interface Known {
  usage?: Usage;
  estimated?: boolean;
  finishReasons?: string[];
  latencyMs?: number;
  tier?: string;
  /** `performanceConfig.latency` Bedrock says it served (`standard`, `optimized`). */
  latency?: string;
  text?: string;
}

export function onBedrockResponse(span: Span, state: CallState, output: any, captureContent: boolean): void {
  const attempts = output?.$metadata?.attempts;
  if (typeof attempts === 'number') span.setAttribute(ATTR_TRANSPORT_ATTEMPTS, attempts);
  switch (state.operation) {
    case 'Converse': {
      const text = output.output?.message?.content?.map((c: any) => c.text ?? '').join('') ?? '';
      if (captureContent && output.output?.message) span.setAttribute(ATTR_GEN_AI_OUTPUT_MESSAGES, JSON.stringify([output.output.message]));
      return finish(span, state, {
        usage: novaUsage(output.usage), finishReasons: output.stopReason ? [output.stopReason] : undefined,
        latencyMs: output.metrics?.latencyMs, tier: output.serviceTier?.type, latency: output.performanceConfig?.latency, text,
      });
    }
    case 'InvokeModel': {
      const raw = output.body instanceof Uint8Array ? Buffer.from(output.body).toString('utf8') : '';
      const body = parseJson(raw);
      if (captureContent && raw) span.setAttribute(ATTR_GEN_AI_OUTPUT_MESSAGES, raw);
      const h = state.headers ?? {};
      const fromHeaders = h['x-amzn-bedrock-input-token-count'] !== undefined
        ? { inputTokens: Number(h['x-amzn-bedrock-input-token-count']), outputTokens: Number(h['x-amzn-bedrock-output-token-count'] ?? 0) }
        : undefined;
      const reason = finishReason(state.modelId, body);
      return finish(span, state, {
        usage: bodyUsage(state.modelId, body) ?? fromHeaders, finishReasons: reason ? [reason] : undefined,
        latencyMs: numeric(h['x-amzn-bedrock-invocation-latency']), tier: output.serviceTier, latency: output.performanceConfigLatency, text: bodyText(body),
      });
    }
    case 'ConverseStream':
      if (output.stream) output.stream = observeConverseStream(span, state, output.stream, output.serviceTier?.type);
      return;
    case 'InvokeModelWithResponseStream':
      if (output.performanceConfigLatency) state.latency = output.performanceConfigLatency;
      if (output.body) output.body = observeInvokeStream(span, state, output.body, output.serviceTier);
      return;
  }
}

// The app's stream passes through untouched: what is read from an event, and the final write, go through
// `safely`, so a failure of ours is reported to diag and never surfaces in the app's iteration.
async function* observeConverseStream(span: Span, state: CallState, stream: AsyncIterable<any>, tier: string | undefined): AsyncGenerator<any> {
  const known: Known = { tier, text: '' };
  try {
    for await (const event of stream) {
      safely('Bedrock stream event', () => readConverseEvent(state, known, event));
      yield event;
    }
  } catch (err) {
    safely('Bedrock stream error', () => onStreamError(span, state, err));
    throw err;
  } finally {
    safely('Bedrock stream usage', () => finish(span, state, known));
  }
}

function readConverseEvent(state: CallState, known: Known, event: any): void {
  if (state.ttftS === undefined) state.ttftS = (performance.now() - state.startMs) / 1000;
  if (event.contentBlockDelta?.delta?.text) known.text += event.contentBlockDelta.delta.text;
  if (event.messageStop?.stopReason) known.finishReasons = [event.messageStop.stopReason];
  if (event.metadata) {
    known.usage = novaUsage(event.metadata.usage);
    known.latencyMs = event.metadata.metrics?.latencyMs;
    known.tier = event.metadata.serviceTier?.type ?? known.tier;
    known.latency = event.metadata.performanceConfig?.latency ?? known.latency;
  }
}

async function* observeInvokeStream(span: Span, state: CallState, stream: AsyncIterable<any>, tier: string | undefined): AsyncGenerator<any> {
  const chunks = new ChunkUsage(state.modelId);
  try {
    for await (const event of stream) {
      safely('Bedrock stream chunk', () => {
        if (state.ttftS === undefined) state.ttftS = (performance.now() - state.startMs) / 1000;
        const bytes = event.chunk?.bytes;
        if (bytes instanceof Uint8Array) chunks.add(parseJson(Buffer.from(bytes).toString('utf8')));
      });
      yield event;
    }
  } catch (err) {
    safely('Bedrock stream error', () => onStreamError(span, state, err));
    throw err;
  } finally {
    safely('Bedrock stream usage', () => finish(span, state, {
      usage: chunks.usage(), finishReasons: chunks.finishReason ? [chunks.finishReason] : undefined,
      latencyMs: chunks.latencyMs, tier, text: chunks.text,
    }));
  }
}

/** Writes the call's usage, cost and metrics once, with what is known (estimates are marked). */
function finish(span: Span, state: CallState, k: Known): void {
  if (state.finished) return;
  state.finished = true;
  let usage = k.usage;
  let estimated = false;
  if (!usage) {
    // No usage: the family reports none, or the stream ended before its usage arrived.
    estimated = true;
    const prompt = state.prompt;
    const input = state.requestText !== undefined ? estimateTokens(state.requestText)
      : prompt ? approximateTokens(prompt.system + prompt.history + prompt.context + prompt.user + prompt.tools) : 0;
    usage = { inputTokens: input, outputTokens: k.text ? estimateTokens(k.text) : 0 };
  } else if (reportsNoUsage(state.modelId) && k.usage === undefined) estimated = true;
  const result: CallResult = {
    usage, finishReasons: k.finishReasons, tier: TIERS[k.tier ?? 'default'] ?? 'on_demand', region: state.region, latency: k.latency ?? state.latency,
  };
  const durationS = (performance.now() - state.startMs) / 1000;
  state.usage = usage;
  // The cost attributes name the tier only when priced (and then the tier that priced it, e.g. `provisioned` for
  // Provisioned Throughput); an unpriced call still says which tier Bedrock served.
  span.setAttribute(ATTR_PRICE_TIER, result.tier!);
  recordCallResult(span, genAiMetrics(), { provider: PROVIDER_AWS_BEDROCK, operation: state.genAiOperation, requestModel: state.modelId, estimated }, result, durationS, state.ttftS);
  if (state.prompt) span.setAttributes(promptTokenAttributes(state.prompt, usage.inputTokens));
  if (k.latencyMs !== undefined) span.setAttribute(ATTR_PROVIDER_LATENCY_MS, k.latencyMs);
}

/**
 * The upstream extension's response hook writes Converse and InvokeModel input tokens without the cache
 * tokens, after our middleware wrote the normalised count; this hook runs after it and writes ours again.
 * (Streams need nothing: their usage is written once the app has read them, after the upstream's.)
 */
export function restoreInputTokens(span: Span): void {
  const usage = getCallState(span)?.usage;
  if (usage) span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
}

/** `error.type` and the duration metric of a failed call (status and exception are the upstream's). */
export function onBedrockError(span: Span, state: CallState, err: unknown): void {
  state.finished = true;
  const type = (err as Error)?.name || 'Error';
  span.setAttribute(ATTR_ERROR_TYPE, type);
  const attempts = (err as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
  if (typeof attempts === 'number') span.setAttribute(ATTR_TRANSPORT_ATTEMPTS, attempts);
  genAiMetrics().duration.record((performance.now() - state.startMs) / 1000, {
    [ATTR_GEN_AI_OPERATION_NAME]: state.genAiOperation,
    [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK,
    [ATTR_GEN_AI_REQUEST_MODEL]: state.modelId,
    [ATTR_ERROR_TYPE]: type,
  });
}

/** A stream that fails after its 200 (an exception event): the upstream ends the span without a status. */
function onStreamError(span: Span, state: CallState, err: unknown): void {
  span.recordException(err as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
  onBedrockError(span, state, err);
}

function numeric(v: string | undefined): number | undefined {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}
