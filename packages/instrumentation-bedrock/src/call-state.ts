// Per-call state of one Bedrock Runtime command, shared by the pre-request hook and the middleware, and
// the guard that keeps the upstream instrumentation from overwriting the normalised input-token count.
import type { Span } from '@opentelemetry/api';
import type { Usage } from '@tokenledger/pricing';
import { ATTR_GEN_AI_USAGE_INPUT_TOKENS } from '@tokenledger/semconv';
import type { PromptChars } from './prompt-breakdown.ts';

export type BedrockOperation = 'Converse' | 'ConverseStream' | 'InvokeModel' | 'InvokeModelWithResponseStream';

export interface CallState {
  operation: BedrockOperation;
  modelId: string;
  /** `embeddings` for embedding models, else `chat`. */
  genAiOperation: string;
  startMs: number;
  prompt?: PromptChars;
  /** Text of the request, kept only when usage may have to be estimated (families that report none). */
  requestText?: string;
  /** Set once the call's usage attributes are written (streams may finish in several places). */
  finished?: boolean;
  ttftS?: number;
  usage?: Usage;
  estimated?: boolean;
  headers?: Record<string, string>;
}

const states = new WeakMap<Span, CallState>();

export function setCallState(span: Span, state: CallState): void {
  states.set(span, state);
}

export function getCallState(span: Span): CallState | undefined {
  return states.get(span);
}

let writing = false;
const guarded = new WeakSet<Span>();

/**
 * The upstream extension writes Converse `inputTokens` as the GenAI input-token count, which excludes
 * cache tokens, after our middleware has written the normalised count: on our Bedrock spans only our
 * own write of that one attribute goes through.
 */
export function guardInputTokens(span: Span): void {
  if (guarded.has(span)) return;
  guarded.add(span);
  const original = span.setAttribute;
  span.setAttribute = function (this: Span, key, value) {
    if (key === ATTR_GEN_AI_USAGE_INPUT_TOKENS && !writing) return this;
    return original.call(this, key, value);
  };
}

/** Runs our attribute writes, which the guard lets through. */
export function asOwner<T>(fn: () => T): T {
  writing = true;
  try {
    return fn();
  } finally {
    writing = false;
  }
}
