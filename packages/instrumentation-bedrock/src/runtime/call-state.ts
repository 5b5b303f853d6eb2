// Per-call state of one Bedrock Runtime command, shared by the pre-request hook, the middleware and the
// response hook.
import type { Span } from '@opentelemetry/api';
import type { Usage } from '@tokenledger/pricing';
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
  /** The usage written (input tokens include the cache tokens). */
  usage?: Usage;
  estimated?: boolean;
  headers?: Record<string, string>;
  /** AWS region the client called (regional prices). */
  region?: string;
  /** `performanceConfig.latency` the request asked for; the response's, when it says, wins. */
  latency?: string;
}

const states = new WeakMap<Span, CallState>();

export function setCallState(span: Span, state: CallState): void {
  states.set(span, state);
}

export function getCallState(span: Span): CallState | undefined {
  return states.get(span);
}
