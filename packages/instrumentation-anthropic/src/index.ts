// Public API of @tokenledger/instrumentation-anthropic.
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AnthropicInstrumentation } from './instrumentation.ts';
import type { AnthropicInstrumentationConfig } from './types.ts';

export { AnthropicInstrumentation } from './instrumentation.ts';
export type { AnthropicInstrumentationConfig } from './types.ts';

/** The Anthropic instrumentation, for the preload's instrumentation list. */
export function createAnthropicInstrumentations(config?: AnthropicInstrumentationConfig): Instrumentation[] {
  return [new AnthropicInstrumentation(config)];
}
