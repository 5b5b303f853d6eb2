// Public API of @tokenledger/instrumentation-openai.
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from './instrumentation.ts';
import type { OpenAIInstrumentationConfig } from './types.ts';

export { OpenAIInstrumentation, ENV_OPENAI_STREAM_USAGE } from './instrumentation.ts';
export type { OpenAIInstrumentationConfig } from './types.ts';

/** The OpenAI instrumentation, for the preload's instrumentation list. */
export function createOpenAIInstrumentations(config?: OpenAIInstrumentationConfig): Instrumentation[] {
  return [new OpenAIInstrumentation(config)];
}
