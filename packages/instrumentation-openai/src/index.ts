// Public API of @tokenledger/instrumentation-openai.
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { SelfHostedFetchInstrumentation } from './fetch-self-hosted.ts';
import { OpenAIInstrumentation } from './instrumentation.ts';
import type { OpenAIInstrumentationConfig } from './types.ts';

export { OpenAIInstrumentation, ENV_OPENAI_STREAM_USAGE } from './instrumentation.ts';
export { SelfHostedFetchInstrumentation } from './fetch-self-hosted.ts';
export type { SelfHostedFetchConfig } from './types.ts';
export type { OpenAIInstrumentationConfig } from './types.ts';
export { ENV_SELF_HOSTED_ENDPOINTS, parseSelfHostedEndpoints } from '@tokenledger/instrumentation-core';
export type { SelfHostedEndpoint } from '@tokenledger/instrumentation-core';

/**
 * The OpenAI instrumentation, and the one for self-hosted OpenAI-compatible servers called with plain
 * `fetch` (idle unless TOKENLEDGER_SELF_HOSTED_ENDPOINTS names some), for the preload's list.
 */
export function createOpenAIInstrumentations(config?: OpenAIInstrumentationConfig): Instrumentation[] {
  return [new OpenAIInstrumentation(config), new SelfHostedFetchInstrumentation({ selfHostedEndpoints: config?.selfHostedEndpoints, enabled: config?.enabled })];
}
