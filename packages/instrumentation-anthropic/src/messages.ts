// Anthropic Messages: request attributes, the usage of a message (input normalised to include the cache
// tokens, as the GenAI convention counts them), and the running result of a stream of events.
import type { Attributes } from '@opentelemetry/api';
import type { Usage } from '@tokenledger/pricing';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
} from '@tokenledger/semconv';
import type { CallResult } from '@tokenledger/instrumentation-core';

export function messagesRequestAttributes(params: any): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_REQUEST_MODEL]: params.model };
  if (typeof params.max_tokens === 'number') attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = params.max_tokens;
  if (typeof params.temperature === 'number') attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = params.temperature;
  if (typeof params.top_p === 'number') attributes[ATTR_GEN_AI_REQUEST_TOP_P] = params.top_p;
  if (params.stream === true) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
  return attributes;
}

/**
 * Anthropic's `input_tokens` excludes cache writes and reads; the convention's input count includes them.
 * `cache_creation.ephemeral_1h_input_tokens` is the part of the writes with a 1-hour TTL (priced at 2× input).
 */
export function messagesUsage(u: any): Usage | undefined {
  if (!u || typeof u.input_tokens !== 'number') return undefined;
  const cacheCreation = num(u.cache_creation_input_tokens);
  const cacheRead = num(u.cache_read_input_tokens);
  const usage: Usage = {
    inputTokens: u.input_tokens + cacheCreation + cacheRead,
    outputTokens: num(u.output_tokens),
    cacheCreationInputTokens: cacheCreation,
    cacheReadInputTokens: cacheRead,
  };
  const oneHour = num(u.cache_creation?.ephemeral_1h_input_tokens);
  if (oneHour > 0) usage.cacheCreation1hInputTokens = oneHour;
  return usage;
}

export function messageResult(m: any): CallResult {
  return {
    responseId: m?.id,
    responseModel: m?.model,
    finishReasons: m?.stop_reason ? [m.stop_reason] : undefined,
    usage: messagesUsage(m?.usage),
    serviceTier: m?.usage?.service_tier,
  };
}

/**
 * `message_start` carries the input and cache usage (output 1); `message_delta` carries the final
 * cumulative output count and, on newer API versions, input/cache counts too: later values win.
 */
export class MessagesStreamResult {
  private readonly result: CallResult = {};
  private rawUsage: Record<string, unknown> | undefined;

  add(event: any): void {
    if (event?.type === 'message_start' && event.message) {
      this.result.responseId = event.message.id;
      this.result.responseModel = event.message.model;
      this.result.serviceTier = event.message.usage?.service_tier;
      this.rawUsage = { ...event.message.usage };
    } else if (event?.type === 'message_delta') {
      if (event.delta?.stop_reason) this.result.finishReasons = [event.delta.stop_reason];
      if (event.usage) {
        const defined = Object.entries(event.usage).filter(([, v]) => v !== null && v !== undefined);
        this.rawUsage = { ...this.rawUsage, ...Object.fromEntries(defined) };
      }
    }
  }

  done(): CallResult {
    const usage = messagesUsage(this.rawUsage);
    return usage ? { ...this.result, usage } : this.result;
  }
}

function num(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

export function messagesInputContent(params: any): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_INPUT_MESSAGES]: JSON.stringify(params.messages ?? []) };
  if (params.system !== undefined) attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(params.system);
  return attributes;
}

export function messagesOutputContent(m: any): Attributes {
  return { [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([{ role: m?.role, content: m?.content }]) };
}
