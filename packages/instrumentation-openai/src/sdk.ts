// `@tokenledger/instrumentation-openai/sdk`: the provider-neutral helpers the other instrumentations
// (Anthropic, SageMaker, Bedrock) share, and the patch for Stainless-generated SDKs (openai, Anthropic).
export { patchCreate } from './sdk-patch.ts';
export type { SdkApi, SdkPatchHost } from './sdk-patch.ts';
export { createGenAiMetrics } from './genai.ts';
export type { GenAiMetrics } from './genai.ts';
export type { CallResult } from './result.ts';
export { parseSelfHostedEndpoints, selfHostedCost } from './self-hosted.ts';
export type { SelfHostedEndpoint } from './self-hosted.ts';
export { captureContent, recordOutcome, recordError, requestHash, safely } from './genai.ts';
export type { CallInfo, CallOutcome } from './genai.ts';
