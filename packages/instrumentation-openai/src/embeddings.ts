// Embeddings: request attributes and the provider-reported input tokens.
import type { Attributes } from '@opentelemetry/api';
import { ATTR_GEN_AI_REQUEST_MODEL } from '@tokenledger/semconv';
import type { CallResult } from '@tokenledger/instrumentation-core';

export function embeddingsRequestAttributes(params: any): Attributes {
  return { [ATTR_GEN_AI_REQUEST_MODEL]: params.model };
}

export function embeddingsResult(r: any): CallResult {
  const prompt = r?.usage?.prompt_tokens;
  return { responseModel: r?.model, usage: typeof prompt === 'number' ? { inputTokens: prompt, outputTokens: 0 } : undefined };
}
