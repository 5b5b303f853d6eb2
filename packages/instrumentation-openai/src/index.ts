// Public API of @tokenledger/instrumentation-openai.
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from './instrumentation.ts';
import type { OpenAIInstrumentationConfig } from './types.ts';

export { OpenAIInstrumentation, ENV_OPENAI_STREAM_USAGE } from './instrumentation.ts';
export type { OpenAIInstrumentationConfig } from './types.ts';
export { ENV_SELF_HOSTED_ENDPOINTS, parseSelfHostedEndpoints } from './self-hosted.ts';
export type { SelfHostedEndpoint } from './self-hosted.ts';

/** The OpenAI instrumentation, for the preload's instrumentation list. */
export function createOpenAIInstrumentations(config?: OpenAIInstrumentationConfig): Instrumentation[] {
  return [new OpenAIInstrumentation(config)];
}
