// Public API of @tokenledger/instrumentation-bedrock.
export { createBedrockInstrumentations, bedrockRuntimeHooks } from './instrumentation.ts';
export { promptChars, promptTokenAttributes, type PromptChars } from './prompt-breakdown.ts';
export type { BedrockInstrumentationConfig } from './types.ts';
