// Chat Completions: request attributes, the result of a JSON response, and the running result of a stream.
import type { Attributes } from '@opentelemetry/api';
import type { Usage } from '@tokenledger/pricing';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
} from '@tokenledger/semconv';
import type { CallResult } from '@tokenledger/instrumentation-core';

export function chatRequestAttributes(params: any): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_REQUEST_MODEL]: params.model };
  const maxTokens = params.max_completion_tokens ?? params.max_tokens;
  if (typeof maxTokens === 'number') attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  if (typeof params.temperature === 'number') attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = params.temperature;
  if (typeof params.top_p === 'number') attributes[ATTR_GEN_AI_REQUEST_TOP_P] = params.top_p;
  if (params.stream === true) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
  return attributes;
}

/** OpenAI counts cached tokens inside `prompt_tokens` and reasoning inside `completion_tokens`: the convention's way already. */
export function chatUsage(u: any): Usage | undefined {
  if (!u || typeof u.prompt_tokens !== 'number') return undefined;
  const usage: Usage = { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens ?? 0 };
  const cached = u.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') usage.cacheReadInputTokens = cached;
  // Written to the prompt cache: also inside prompt_tokens.
  const written = u.prompt_tokens_details?.cache_write_tokens;
  if (typeof written === 'number') usage.cacheCreationInputTokens = written;
  const reasoning = u.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') usage.reasoningOutputTokens = reasoning;
  return usage;
}

export function chatResult(r: any): CallResult {
  return {
    responseId: r?.id,
    responseModel: r?.model,
    serviceTier: r?.service_tier,
    finishReasons: Array.isArray(r?.choices) ? r.choices.map((c: any) => c.finish_reason).filter(Boolean) : undefined,
    usage: chatUsage(r?.usage),
  };
}

/** Folds stream chunks into one result; finish reasons per choice index. */
export class ChatStreamResult {
  readonly result: CallResult = {};
  private readonly finish: string[] = [];

  add(chunk: any): void {
    if (!chunk) return;
    this.result.responseId ??= chunk.id;
    this.result.responseModel ??= chunk.model;
    this.result.serviceTier ??= chunk.service_tier ?? undefined;
    if (Array.isArray(chunk.choices)) {
      for (const c of chunk.choices) if (c?.finish_reason) this.finish[c.index ?? 0] = c.finish_reason;
    }
    const usage = chatUsage(chunk.usage);
    if (usage) this.result.usage = usage;
  }

  done(): CallResult {
    const reasons = this.finish.filter(Boolean);
    if (reasons.length) this.result.finishReasons = reasons;
    return this.result;
  }
}

/** The extra usage-only chunk OpenAI sends when `stream_options.include_usage` is set. */
export function isUsageOnlyChunk(chunk: any): boolean {
  return chunk?.usage != null && Array.isArray(chunk.choices) && chunk.choices.length === 0;
}

export function chatInputContent(params: any): Attributes {
  return { [ATTR_GEN_AI_INPUT_MESSAGES]: JSON.stringify(params.messages ?? []) };
}

export function chatOutputContent(r: any): Attributes {
  return { [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify((r?.choices ?? []).map((c: any) => c.message)) };
}
