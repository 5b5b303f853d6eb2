// Bedrock Agents (InvokeAgent, InvokeInlineAgent). An agent calls its models several times per request (pre-processing,
// orchestration steps, post-processing, routing). With `enableTrace`, the completion stream's trace events
// report each call's model and usage: each becomes a priced `chat` child span of the `invoke_agent` span,
// so the collector rolls them up like any model call. Without trace events the agent's model cost is not
// visible (the service reports it nowhere else).
import { context, diag, SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import { holdSpanUntilRead, markFailed } from '@tokenledger/instrumentation-core';
import { costAttributes, defaultPriceBook } from '@tokenledger/pricing';
import {
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  OPERATION_CHAT,
  OPERATION_INVOKE_AGENT,
  PROVIDER_AWS_BEDROCK,
} from '@tokenledger/semconv';

const TRACER_NAME = '@tokenledger/instrumentation-bedrock';

/**
 * Names the `invoke_agent` span from the request: an agent (agentId) or an inline agent (agentName, and its
 * foundationModel, which the model calls default to). The model stays off this span: its calls carry the cost.
 */
export function startAgentSpan(span: Span, input: { agentId?: string; agentName?: string; sessionId?: string }): void {
  span.setAttributes({ [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_INVOKE_AGENT, [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK });
  if (input.agentId) span.setAttribute(ATTR_GEN_AI_AGENT_ID, input.agentId);
  if (input.agentName) span.setAttribute(ATTR_GEN_AI_AGENT_NAME, input.agentName);
  if (input.sessionId) span.setAttribute(ATTR_GEN_AI_CONVERSATION_ID, input.sessionId);
  span.updateName(`${OPERATION_INVOKE_AGENT} ${input.agentId ?? input.agentName ?? 'inline'}`);
}

/**
 * The completion stream as the app reads it; model calls reported in its trace events become child spans.
 * `model`: the inline agent's foundation model, for calls whose input event names none.
 */
export function observeAgentStream(span: Span, completion: AsyncIterable<any>, startMs: number, model?: string): AsyncIterable<any> {
  const parent = trace.setSpan(context.active(), span);
  /** Model of each model invocation, by its trace id: the input event names it, the output reports usage. */
  const models = new Map<string, string>();
  let lastModel = model;
  let ttftS: number | undefined;
  let modelCalls = 0;
  return holdSpanUntilRead(span, completion, 'bedrock agent', {
    event(e) {
      if (e?.chunk) ttftS ??= (performance.now() - startMs) / 1000;
      const step = stepOf(e?.trace?.trace);
      if (!step) return;
      const invocation = step.modelInvocationInput;
      if (invocation?.foundationModel) {
        lastModel = String(invocation.foundationModel);
        if (invocation.traceId) models.set(invocation.traceId, lastModel);
      }
      const output = step.modelInvocationOutput;
      const usage = output?.metadata?.usage;
      if (!usage) return;
      modelCall(parent, models.get(output.traceId) ?? lastModel, usage, output.metadata, e.trace.agentId);
      modelCalls++;
    },
    error(err) {
      markFailed(span, err);
    },
    end() {
      if (ttftS !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, ttftS);
      if (modelCalls === 0) diag.debug('tokenledger: InvokeAgent reported no model usage (enableTrace is off?): its model cost is not recorded');
    },
  });
}

/** The one step trace a trace event carries (orchestrationTrace, preProcessingTrace, …). */
function stepOf(t: Record<string, any> | undefined): any {
  if (!t || typeof t !== 'object') return undefined;
  for (const k in t) if (t[k] && typeof t[k] === 'object') return t[k];
  return undefined;
}

/** A finished `chat` span for one model call of the agent, priced from its reported usage. */
function modelCall(parent: Context, model: string | undefined, usage: any, metadata: any, agentId: unknown): void {
  const tokens = { inputTokens: Number(usage.inputTokens) || 0, outputTokens: Number(usage.outputTokens) || 0 };
  const start = metadata?.startTime instanceof Date ? metadata.startTime : undefined;
  const end = metadata?.endTime instanceof Date ? metadata.endTime : undefined;
  const span = trace.getTracer(TRACER_NAME).startSpan(`${OPERATION_CHAT} ${model ?? 'unknown'}`, {
    kind: SpanKind.CLIENT,
    startTime: start,
    attributes: {
      [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT,
      [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: tokens.inputTokens,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: tokens.outputTokens,
      ...(typeof agentId === 'string' ? { [ATTR_GEN_AI_AGENT_ID]: agentId } : {}),
      ...(model === undefined ? {} : { [ATTR_GEN_AI_REQUEST_MODEL]: model, ...costAttributes(defaultPriceBook().cost(model, tokens, { provider: PROVIDER_AWS_BEDROCK })) }),
    },
  }, parent);
  span.end(end);
}
