// Shared with the Anthropic instrumentation (same SDK generator); moves to @tokenledger/instrumentation-core.
export { patchCreate } from './sdk-patch.ts';
export type { SdkApi, SdkPatchHost } from './sdk-patch.ts';
export { createGenAiMetrics } from './genai.ts';
export type { GenAiMetrics } from './genai.ts';
export type { CallResult } from './result.ts';
export { parseSelfHostedEndpoints, selfHostedCost } from './self-hosted.ts';
export type { SelfHostedEndpoint } from './self-hosted.ts';
export { recordOutcome, recordError, requestHash, safely } from './genai.ts';
export type { CallInfo, CallOutcome } from './genai.ts';
