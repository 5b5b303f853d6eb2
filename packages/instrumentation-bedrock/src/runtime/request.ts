// Request side of a Bedrock Runtime call (the AwsInstrumentation preRequestHook): provider, operation,
// request hash, where the prompt's characters are, opt-in content.
import type { Span } from '@opentelemetry/api';
import type { AwsSdkRequestHookInformation } from '@opentelemetry/instrumentation-aws-sdk';
import { requestHash } from '@tokenledger/instrumentation-core';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_REQUEST_HASH,
  OPERATION_CHAT,
  OPERATION_EMBEDDINGS,
  PROVIDER_AWS_BEDROCK,
} from '@tokenledger/semconv';
import { type BedrockOperation, type CallState, setCallState } from './call-state.ts';
import { reportsNoUsage } from './native-usage.ts';
import { promptChars } from './prompt-breakdown.ts';

const OPERATIONS = new Set<string>(['Converse', 'ConverseStream', 'InvokeModel', 'InvokeModelWithResponseStream']);

export function onBedrockRequest(span: Span, info: AwsSdkRequestHookInformation, captureContent: boolean): void {
  const { commandName, commandInput } = info.request;
  if (!OPERATIONS.has(commandName) || !span.isRecording()) return;
  const operation = commandName as BedrockOperation;
  const input = commandInput as Record<string, any>;
  const modelId = String(input.modelId ?? '');
  const isConverse = operation.startsWith('Converse');
  const genAiOperation = /embed/i.test(modelId) ? OPERATION_EMBEDDINGS : OPERATION_CHAT;
  const state: CallState = { operation, modelId, genAiOperation, startMs: performance.now() };
  if (typeof info.request.region === 'string') state.region = info.request.region;
  const latency = isConverse ? input.performanceConfig?.latency : input.performanceConfigLatency;
  if (typeof latency === 'string') state.latency = latency;
  let hashed: unknown = input;
  let system: unknown;
  let messages: unknown;
  if (isConverse) {
    state.prompt = promptChars(input.system, input.messages, input.toolConfig?.tools);
    system = input.system;
    messages = input.messages;
  } else {
    const text = typeof input.body === 'string' ? input.body : input.body instanceof Uint8Array ? Buffer.from(input.body).toString('utf8') : '';
    hashed = { modelId, body: text };
    if (/anthropic\./.test(modelId) || reportsNoUsage(modelId)) {
      const body = parseJson(text);
      if (/anthropic\./.test(modelId) && body) {
        state.prompt = promptChars(body.system, body.messages, body.tools);
        system = body.system;
        messages = body.messages;
      }
      if (reportsNoUsage(modelId)) state.requestText = text;
    }
  }
  setCallState(span, state);
  span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, PROVIDER_AWS_BEDROCK);
  span.setAttribute(ATTR_GEN_AI_OPERATION_NAME, genAiOperation);
  span.setAttribute(ATTR_GEN_AI_REQUEST_STREAM, operation.endsWith('Stream'));
  span.setAttribute(ATTR_REQUEST_HASH, requestHash(PROVIDER_AWS_BEDROCK, hashed));
  if (captureContent) {
    if (system !== undefined) span.setAttribute(ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, JSON.stringify(system));
    if (messages !== undefined) span.setAttribute(ATTR_GEN_AI_INPUT_MESSAGES, JSON.stringify(messages));
  }
}

export function parseJson(text: string): Record<string, any> | undefined {
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}
