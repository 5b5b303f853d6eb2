// Responses API: request attributes, the result of a response object, and of a stream of `response.*` events.
import type { Attributes } from '@opentelemetry/api';
import type { Usage } from '@tokenledger/pricing';
import {
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
} from '@tokenledger/semconv';
import type { CallResult } from '@tokenledger/instrumentation-core';

export function responsesRequestAttributes(params: any): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_REQUEST_MODEL]: params.model };
  if (typeof params.max_output_tokens === 'number') attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = params.max_output_tokens;
  if (typeof params.temperature === 'number') attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = params.temperature;
  if (typeof params.top_p === 'number') attributes[ATTR_GEN_AI_REQUEST_TOP_P] = params.top_p;
  if (params.stream === true) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
  return attributes;
}

function responsesUsage(u: any): Usage | undefined {
  if (!u || typeof u.input_tokens !== 'number') return undefined;
  const usage: Usage = { inputTokens: u.input_tokens, outputTokens: u.output_tokens ?? 0 };
  const cached = u.input_tokens_details?.cached_tokens;
  if (typeof cached === 'number') usage.cacheReadInputTokens = cached;
  const written = u.input_tokens_details?.cache_write_tokens;
  if (typeof written === 'number') usage.cacheCreationInputTokens = written;
  const reasoning = u.output_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') usage.reasoningOutputTokens = reasoning;
  return usage;
}

export function responsesResult(r: any): CallResult {
  const result: CallResult = { responseId: r?.id, responseModel: r?.model, serviceTier: r?.service_tier, usage: responsesUsage(r?.usage) };
  // The Responses API has a status, not finish reasons: `completed`, or the incomplete reason.
  const reason = r?.incomplete_details?.reason ?? r?.status;
  if (typeof reason === 'string') result.finishReasons = [reason];
  return result;
}

/** The final response arrives whole in `response.completed` (or `.incomplete` / `.failed`). */
export class ResponsesStreamResult {
  result: CallResult = {};

  add(event: any): void {
    const type: unknown = event?.type;
    if (type === 'response.created' && event.response) {
      this.result.responseId ??= event.response.id;
      this.result.responseModel ??= event.response.model;
    } else if ((type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') && event.response) {
      this.result = responsesResult(event.response);
    }
  }

  done(): CallResult {
    return this.result;
  }
}
