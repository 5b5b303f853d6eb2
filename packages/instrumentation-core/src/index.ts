// Public API of @tokenledger/instrumentation-core: what every provider instrumentation records the same
// way — usage, cost and the GenAI metrics of a finished call, errors, the request hash, opt-in content,
// the span around a Stainless-generated SDK's create() (openai, @anthropic-ai/sdk), self-hosted pricing,
// a streamed AWS response's span held open until the app has read it, and the hook contract (with its
// dispatcher) of the process's one AwsInstrumentation.
export { createGenAiMetrics, recordCallResult, recordError, markFailed, errorType, safely, captureContent } from './genai.ts';
export { requestHash } from './request-hash.ts';
export type { GenAiMetrics, CallInfo, CallResult } from './genai.ts';
export { patchCreate, patchBuildRequest, isSdkCall, watchSdkCalls } from './sdk-patch.ts';
export { holdSpanUntilRead } from './held-stream.ts';
export type { StreamObserver } from './held-stream.ts';
export type { SdkApi, SdkPatchHost } from './sdk-patch.ts';
export { ENV_SELF_HOSTED_ENDPOINTS, parseSelfHostedEndpoints, endpointForUrl, selfHostedCost } from './self-hosted.ts';
export type { SelfHostedEndpoint } from './self-hosted.ts';
export { serverAttributes } from './server.ts';
export { dispatchAwsHooks } from './aws-hooks.ts';
export type { AwsServiceHooks } from './aws-hooks.ts';
export { promptChars, promptTokenAttributes } from './prompt-breakdown.ts';
export type { PromptChars } from './prompt-breakdown.ts';
